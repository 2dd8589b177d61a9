"""The application: routers, error handling, caching."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.routing import APIRoute

from app import __version__
from app.agreements.router import router as agreements_router
from app.alliances.router import router as alliances_router
from app.analytics.router import country_router as country_detail_router
from app.analytics.router import router as analytics_router
from app.audit.router import router as audit_router
from app.auth.private import PRIVATE_PREFIXES, PrivateResponsesMiddleware
from app.auth.router import router as keys_router
from app.cooperation.router import common_router as common_partners_router
from app.cooperation.router import coverage_router
from app.cooperation.router import router as cooperation_router
from app.cooperation.router import threat_router as threat_detail_router
from app.core.caching import ConditionalGetMiddleware, DataVersionReader
from app.core.config import Settings, get_settings
from app.core.db import create_db_engine, session_factory
from app.core.docs import install_docs
from app.core.head import HeadAsGetMiddleware
from app.core.language import LanguageMiddleware, NameCatalog
from app.core.limits import RequestLimits, RequestLimitsMiddleware
from app.core.openapi import DownloadPathsMiddleware, install_openapi
from app.core.params import known_query_parameters
from app.core.problems import install_problem_handlers
from app.core.security import PublicReadCorsMiddleware, SecurityHeadersMiddleware
from app.countries.router import router as countries_router
from app.curation.resources import RESOURCES
from app.curation.routes import curated_router
from app.datasets.router import router as datasets_router
from app.exercises.router import router as exercises_router
from app.explorer.router import router as explorer_router
from app.operations.router import country_router as country_peacekeeping_router
from app.operations.router import router as operations_router
from app.organizations.router import country_router as country_memberships_router
from app.organizations.router import router as organizations_router
from app.sources.router import router as sources_router
from app.system.names import indonesian_names
from app.system.router import router as system_router
from app.threats.router import router as threats_router
from app.transfers.router import router as transfers_router

DESCRIPTION = """
An open database of international defense cooperation: which countries cooperate with which,
through which channels (organizations, joint exercises, agreements, operations, and arms
transfers from your own SIPRI export) and against which threats. Every fact carries its
sources; uncertain facts say so.

Reads are public, cacheable (`ETag`, `If-None-Match`) and versioned by `data_version`.
Errors are RFC 9457 `application/problem+json`.
"""


def _operation_id(route: APIRoute) -> str:
    return route.name


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = create_db_engine(settings)

    versions = DataVersionReader(
        engine,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        lock_timeout_ms=settings.data_version_lock_timeout_ms,
        statement_timeout_ms=settings.data_version_statement_timeout_ms,
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        versions.close()
        engine.dispose()

    app = FastAPI(
        title="defcoop",
        version=__version__,
        description=DESCRIPTION,
        generate_unique_id_function=_operation_id,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.versions = versions
    app.state.session_factory = session_factory(engine)
    names = NameCatalog(app.state.session_factory, indonesian_names)
    install_problem_handlers(app)
    # Innermost: the routes see `/v1/countries.csv` as `/v1/countries?format=csv`; the layers
    # above (HEAD, limits, headers, caching) handle it as a path of its own.
    app.add_middleware(DownloadPathsMiddleware, api=app)
    # Performance (issue 7): gzip inside the conditional-GET/response cache, so that a
    # cached response is compressed once.
    app.add_middleware(GZipMiddleware, minimum_size=settings.gzip_minimum_size)
    # Inside the response cache, which keys by the same negotiated language (issue 16).
    app.add_middleware(LanguageMiddleware, catalog=names)
    app.add_middleware(
        ConditionalGetMiddleware,
        versions=versions,
        max_age=settings.cache_max_age,
        cache_bytes=settings.response_cache_bytes,
        private_prefixes=PRIVATE_PREFIXES,
    )
    app.add_middleware(PrivateResponsesMiddleware)
    # Hardening (README "Limits and headers"). The last added runs first: security headers on
    # every response, then CORS, then the request bounds, all before the conditional GETs.
    limits = RequestLimits.of(settings)
    app.add_middleware(RequestLimitsMiddleware, limits=limits)
    app.description += limits.describe()
    app.add_middleware(PublicReadCorsMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(HeadAsGetMiddleware)
    for router in (
        system_router,
        countries_router,
        country_detail_router,
        country_memberships_router,
        country_peacekeeping_router,
        cooperation_router,
        common_partners_router,
        coverage_router,
        organizations_router,
        exercises_router,
        agreements_router,
        alliances_router,
        operations_router,
        transfers_router,
        threats_router,
        threat_detail_router,
        sources_router,
        datasets_router,
        audit_router,
        keys_router,
        analytics_router,
        *(curated_router(resource) for resource in RESOURCES),
    ):
        app.include_router(router, dependencies=[Depends(known_query_parameters)])
    install_openapi(app)
    install_docs(app)
    app.include_router(explorer_router)
    return app
