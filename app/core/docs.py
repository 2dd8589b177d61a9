"""The docs pages, Swagger UI at /docs and ReDoc at /redoc, working with no internet.

FastAPI's default pages load their JavaScript and CSS from a CDN, the favicon from FastAPI's site
and ReDoc's fonts from Google. Here every asset comes from the `fastapi-offline` package, served
by the app itself under /docs-assets.
"""

from importlib.resources import files
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_URL = "/docs-assets"
ASSETS_DIRECTORY = str(files("fastapi_offline") / "static")
SWAGGER_UI_PARAMETERS = {"validatorUrl": None}
# The browser itself refuses anything from elsewhere, so no request can leave the machine even
# where a bundle hard-codes an address (ReDoc 2 loads its "API docs by Redocly" logo from its CDN).
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    )
)


def _self_only(response: HTMLResponse) -> HTMLResponse:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response


def install_docs(app: FastAPI) -> None:
    """Serve /docs, /docs/oauth2-redirect, /redoc and their assets from the app.

    Create the app with `docs_url=None, redoc_url=None` so that FastAPI's CDN pages are off.
    """
    openapi_url = app.openapi_url or "/openapi.json"
    oauth2_redirect_url = app.swagger_ui_oauth2_redirect_url or "/docs/oauth2-redirect"
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS_DIRECTORY), name="docs-assets")

    def rooted(request: Request, **urls: str) -> dict[str, Any]:
        """The pages' URLs under the root path the app is served at (behind a proxy)."""
        root = str(request.scope.get("root_path", ""))
        return {name: f"{root}{url}" for name, url in urls.items()}

    favicon = f"{ASSETS_URL}/favicon.png"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        html = get_swagger_ui_html(
            title=f"{app.title} API: Swagger UI",
            swagger_ui_parameters={**(app.swagger_ui_parameters or {}), **SWAGGER_UI_PARAMETERS},
            **rooted(
                request,
                openapi_url=openapi_url,
                swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
                swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
                swagger_favicon_url=favicon,
                oauth2_redirect_url=oauth2_redirect_url,
            ),
        )
        return _self_only(html)

    @app.get(oauth2_redirect_url, include_in_schema=False)
    async def swagger_ui_oauth2_redirect() -> HTMLResponse:
        return _self_only(get_swagger_ui_oauth2_redirect_html())

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        redoc_js_url = f"{ASSETS_URL}/redoc.standalone.js"
        urls = rooted(request, redoc_js_url=redoc_js_url, redoc_favicon_url=favicon)
        urls |= rooted(request, openapi_url=openapi_url)
        html = get_redoc_html(**urls, title=f"{app.title} API: ReDoc", with_google_fonts=False)
        return _self_only(html)
