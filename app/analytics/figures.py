"""Network measures shared by every worker: computed once per network content, then stored.

A worker that needs a measure of a network (betweenness, blocs: seconds of CPU on the full
data) and has not computed it itself (`graph.Network` keeps what it has) reads the
`network_figures` row of the network's content fingerprint. When there is none, it claims
the computation by inserting the row without figures, which only one worker can do (the
primary key): that worker computes, stores the figures, and prunes rows beyond the last
`KEPT_ROWS`; the others poll the row until the figures are there. A claim older than
`CLAIM_EXPIRES_AFTER` belongs to a worker that died or hangs: the next one to look takes it
over and computes.

The rows are keyed by content, not by data version: figures computed on a network at an
older version whose content (nodes, edges, weights) is the same are the figures of the
current one. The store saves work and never decides an answer: when the database cannot
read or write it (SQLite locked by a write longer than `SQLITE_LOCK_WAIT_MS`, say), a
worker computes the measure itself.
"""

import json
import logging
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from app.analytics.models import NetworkFigures

log = logging.getLogger(__name__)

# Betweenness of the full network takes ~1.5 s of CPU: a claimant silent this long is gone.
CLAIM_EXPIRES_AFTER = timedelta(seconds=30)
POLL_INTERVAL_SECONDS = 0.05
# SQLite has one writer at a time: a claim or a store waits this long for a write to end, not
# the busy timeout of requests; past it the worker computes the measure itself.
SQLITE_LOCK_WAIT_MS = 100
# The current networks' measures and a few before them (a write reverted, other filters).
KEPT_ROWS = 64

Json = Any


@dataclass(frozen=True)
class _Stored:
    figures: Json


@dataclass(frozen=True)
class _Claimed:
    token: str


def shared_figures(
    engine: Engine, fingerprint: str, measure: str, data_version: int, compute: Callable[[], Json]
) -> Json:
    """The measure of the network with this fingerprint, as JSON: stored by any worker, or
    computed here (once across workers) and stored. `data_version`: the network's."""
    try:
        found = _stored_or_claimed(engine, fingerprint, measure, data_version)
    except SQLAlchemyError:
        log.warning("network figures: store unavailable, computing %s here", measure, exc_info=True)
        return computed(compute, measure, fingerprint)
    if isinstance(found, _Stored):
        return found.figures
    try:
        figures = computed(compute, measure, fingerprint)
    except BaseException:
        _release(engine, fingerprint, measure, found.token)
        raise
    try:
        _store(engine, fingerprint, measure, figures)
    except SQLAlchemyError:
        log.warning("network figures: could not store %s", measure, exc_info=True)
    return figures


def computed(compute: Callable[[], Json], measure: str, fingerprint: str) -> Json:
    """Run `compute`, and say so in the log: how often a measure is computed is what the
    store is there to lower."""
    started = time.perf_counter()
    figures = compute()
    elapsed = time.perf_counter() - started
    log.info("network figures: computed %s of %s in %.2f s", measure, fingerprint, elapsed)
    return figures


@contextmanager
def _session(engine: Engine) -> Iterator[Session]:
    """A session of the store's own, outside the request's transaction."""
    with engine.connect() as connection:
        if engine.dialect.name != "sqlite":
            with Session(bind=connection) as session:
                yield session
            return
        previous = int(connection.exec_driver_sql("PRAGMA busy_timeout").scalar_one())
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {SQLITE_LOCK_WAIT_MS}")
        connection.commit()
        try:
            with Session(bind=connection) as session:
                yield session
        finally:
            connection.rollback()
            connection.exec_driver_sql(f"PRAGMA busy_timeout = {previous}")
            connection.commit()


def _key(fingerprint: str, measure: str) -> Any:
    return (NetworkFigures.fingerprint == fingerprint) & (NetworkFigures.measure == measure)


def _stored_or_claimed(
    engine: Engine, fingerprint: str, measure: str, data_version: int
) -> _Stored | _Claimed:
    """The stored figures, or this worker's claim to compute them: waits while another
    worker's claim is alive (at most CLAIM_EXPIRES_AFTER), then takes it over."""
    token = secrets.token_hex(16)
    while True:
        # A session per look: each one sees what other workers committed since.
        with _session(engine) as session:
            row = session.get(NetworkFigures, (fingerprint, measure))
            now = datetime.now(UTC)
            if row is None:
                session.add(
                    NetworkFigures(
                        fingerprint=fingerprint,
                        measure=measure,
                        data_version=data_version,
                        claim=token,
                        claimed_at=now,
                    )
                )
                try:
                    session.commit()
                    return _Claimed(token)
                except IntegrityError:
                    session.rollback()  # another worker claimed it first: wait for it
                    continue
            if row.figures is not None:
                return _Stored(json.loads(row.figures))
            if now - row.claimed_at > CLAIM_EXPIRES_AFTER:
                taken = session.execute(
                    update(NetworkFigures)
                    .where(
                        _key(fingerprint, measure),
                        NetworkFigures.claim == row.claim,
                        NetworkFigures.figures.is_(None),
                    )
                    .values(claim=token, claimed_at=now, data_version=data_version)
                )
                session.commit()
                if taken.rowcount == 1:  # type: ignore[attr-defined]
                    log.warning("network figures: took over a stale claim on %s", measure)
                    return _Claimed(token)
                continue
        time.sleep(POLL_INTERVAL_SECONDS)


def _store(engine: Engine, fingerprint: str, measure: str, figures: Json) -> None:
    with _session(engine) as session:
        session.execute(
            update(NetworkFigures)
            .where(_key(fingerprint, measure))
            .values(figures=json.dumps(figures), computed_at=datetime.now(UTC))
        )
        beyond = session.execute(
            select(NetworkFigures.fingerprint, NetworkFigures.measure)
            .order_by(NetworkFigures.claimed_at.desc())
            .offset(KEPT_ROWS)
        ).all()
        for old_fingerprint, old_measure in beyond:
            session.execute(delete(NetworkFigures).where(_key(old_fingerprint, old_measure)))
        session.commit()


def _release(engine: Engine, fingerprint: str, measure: str, token: str) -> None:
    """A failed computation gives up its claim, so that waiting workers do not wait it out."""
    try:
        with _session(engine) as session:
            session.execute(
                delete(NetworkFigures).where(
                    _key(fingerprint, measure),
                    NetworkFigures.claim == token,
                    NetworkFigures.figures.is_(None),
                )
            )
            session.commit()
    except SQLAlchemyError:
        log.warning("network figures: could not release the claim on %s", measure, exc_info=True)
