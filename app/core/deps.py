"""Dependencies shared by every router."""

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool


async def _call_inline(end: Callable[[], None]) -> None:
    end()


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A session for the request: committed on success, rolled back on any error.

    Async, so that opening and ending it costs no trip through the threadpool (a sync
    dependency takes two: issue 7). Opening one does no I/O; ending one is a call into the
    in-process SQLite library, made inline, or a round trip to PostgreSQL, made in a thread
    so that the event loop never waits on the network.
    """
    session: Session = request.app.state.session_factory()
    end: Callable[[Callable[[], None]], Awaitable[None]] = (
        _call_inline if session.get_bind().dialect.name == "sqlite" else run_in_threadpool
    )
    try:
        yield session
        await end(session.commit)
    except BaseException:
        await end(session.rollback)
        raise
    finally:
        await end(session.close)


# Ended as soon as the route returns, before the response starts: a commit that fails (a lost
# connection) is then answered as an error (503), instead of cutting a response already begun.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_session_factory(request: Request) -> sessionmaker[Session]:
    """For a streamed body, read after the route has returned: it opens a session of its own,
    since the request's session ends with the dependency."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    return factory


SessionFactoryDep = Annotated[sessionmaker[Session], Depends(get_session_factory)]


async def data_version(request: Request) -> int:
    """The data version the caching middleware read before the route reads anything: a value
    computed from the data and cached under it is then at least as new as its key."""
    return int(request.state.data_version)


DataVersion = Annotated[int, Depends(data_version)]
