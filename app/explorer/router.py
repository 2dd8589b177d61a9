"""Serves the explorer page at / and its static assets under /explorer."""

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

STATIC_DIRECTORY = Path(__file__).parent / "static"
# The page loads only its own files and talks only to this API.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'self'"
)

router = APIRouter(include_in_schema=False)
router.mount("/explorer", StaticFiles(directory=STATIC_DIRECTORY), name="explorer")


@router.get("/", include_in_schema=False)
async def explorer_page() -> FileResponse:
    return FileResponse(
        STATIC_DIRECTORY / "index.html",
        media_type="text/html",
        headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY},
    )
