"""The application: routers, error handling, caching."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.routing import APIRoute

from app import __version__
from app.agreements.router import router as agreements_router
from app.analytics.router import router as analytics_router
from app.audit.router import router as audit_router
from app.auth.private import PrivateResponsesMiddleware
from app.auth.router import router as keys_router
from app.cooperation.router import router as cooperation_router
from app.core.caching import ConditionalGetMiddleware
from app.core.config import Settings, get_settings
from app.core.db import create_db_engine, session_factory
from app.core.docs import install_docs
from app.core.problems import install_problem_handlers
from app.countries.router import router as countries_router
from app.exercises.router import router as exercises_router
from app.explorer.router import router as explorer_router
from app.operations.router import router as operations_router
from app.organizations.router import router as organizations_router
from app.sources.router import router as sources_router
from app.system.router import router as system_router
from app.threats.router import router as threats_router

DESCRIPTION = """
An open database of international defense cooperation: which countries cooperate with which,
through which channels (organizations, joint exercises, agreements, operations) and against
which threats. Every fact carries its sources; uncertain facts say so.

Reads are public, cacheable (`ETag`, `If-None-Match`) and versioned by `data_version`.
Errors are RFC 9457 `application/problem+json`.
"""


def _operation_id(route: APIRoute) -> str:
    return route.name


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = create_db_engine(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
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
    app.state.session_factory = session_factory(engine)
    install_problem_handlers(app)
    app.add_middleware(
        ConditionalGetMiddleware,
        factory=app.state.session_factory,
        max_age=settings.cache_max_age,
    )
    app.add_middleware(PrivateResponsesMiddleware)
    for router in (
        system_router,
        countries_router,
        cooperation_router,
        organizations_router,
        exercises_router,
        agreements_router,
        operations_router,
        threats_router,
        sources_router,
        audit_router,
        keys_router,
    ):
        app.include_router(router)
    app.include_router(analytics_router)
    install_docs(app)
    app.include_router(explorer_router)
    return app
