"""Curating exercise series, their editions, participants and threat links.

An edition's ties (co-participation) are re-derived by the change path with every change to
it; a write to an edition locks, hence stamps, its series too, since the series'
representation embeds its editions.
"""

from collections.abc import Sequence
from functools import partial

from sqlalchemy import delete, func, insert, select

from app.audit.models import AuditOperation
from app.cooperation.models import TieChannel
from app.core.problems import InvalidParameter, ProblemError
from app.countries.models import Country
from app.countries.queries import named_country
from app.curation.curated import Curated, audit_put, replace_rows
from app.curation.inputs import patch_values, snapshot
from app.curation.transaction import Conflict, ThreatLinks, Write
from app.exercises import schemas
from app.exercises.details import edition_detail, series_detail
from app.exercises.models import (
    ExerciseEdition,
    ExerciseSeries,
    Participation,
    edition_activities,
    edition_domains,
)
from app.sources.queries import cite
from app.threats.schemas import ThreatLinkPut

EXERCISES = Curated(ExerciseSeries, "exercise_series", "/v1/exercises", series_detail)
EDITION = "exercise_edition"
PARTICIPATION = "participation"


def _series(tx: Write, slug: str) -> ExerciseSeries:
    """The series of an edition being written: locked, hence stamped, If-Match not checked."""
    series = tx.lock(select(ExerciseSeries).where(ExerciseSeries.slug == slug))
    if series is None:
        raise ProblemError(404, EXERCISES.missing(slug))
    return series


def _edition(tx: Write, slug: str, edition_slug: str) -> ExerciseEdition:
    """The edition (If-Match checked on it); its series is locked, hence stamped, too."""
    series = _series(tx, slug)
    edition = tx.target(
        select(ExerciseEdition).where(
            ExerciseEdition.series_id == series.id, ExerciseEdition.slug == edition_slug
        ),
        f"No edition {edition_slug!r} in exercise series {slug!r}; "
        f"GET /v1/exercises/{slug} lists its editions.",
    )
    return edition


def _set_tags(
    tx: Write, edition_id: int, activities: Sequence[str], domains: Sequence[str]
) -> None:
    for table, column, values in (
        (edition_activities, "activity", activities),
        (edition_domains, "domain", domains),
    ):
        tx.session.execute(delete(table).where(table.c.edition_id == edition_id))
        if values:
            tx.session.execute(
                insert(table), [{"edition_id": edition_id, column: value} for value in values]
            )


def _add_edition(
    tx: Write, series: ExerciseSeries, body: schemas.EditionCreate, pointer: str
) -> ExerciseEdition:
    slug = body.slug or f"{series.slug}-{body.year}"
    if tx.session.scalar(select(ExerciseEdition.id).where(ExerciseEdition.slug == slug)):
        raise Conflict(f"An exercise edition with slug {slug!r} already exists.")
    fields = body.model_dump(
        exclude={"slug", "name", "threats", "participants", "sources", "activities", "domains"}
    )
    edition = ExerciseEdition(
        **fields,
        slug=slug,
        name=body.name or f"{series.name} {body.year}",
        series_id=series.id,
        modified_in_version=tx.version,
    )
    edition.citations = cite(tx.session, body.sources, f"{pointer}/sources")
    tx.session.add(edition)
    tx.session.flush()
    _set_tags(tx, edition.id, body.activities, body.domains)
    _THREATS.add(tx, edition.id, body.threats, f"{pointer}/threats")
    seen: dict[int, str] = {}
    for index, participant in enumerate(body.participants):
        where = f"{pointer}/participants/{index}"
        country = named_country(tx.session, participant.country, f"{where}/country")
        if country.id in seen:
            raise InvalidParameter(
                f"{where}/country",
                f"Participant {country.iso3} is listed twice "
                f"(as {seen[country.id]!r} and {participant.country!r}).",
            )
        seen[country.id] = participant.country
        row = Participation(
            edition_id=edition.id,
            country_id=country.id,
            **participant.model_dump(exclude={"country", "sources"}),
        )
        row.citations = cite(tx.session, participant.sources or body.sources, f"{where}/sources")
        tx.session.add(row)
    return edition


def create_series(tx: Write, body: schemas.SeriesCreate) -> schemas.SeriesDetail:
    def add_editions(series: ExerciseSeries) -> None:
        for index, edition in enumerate(body.editions):
            _add_edition(tx, series, edition, f"/body/editions/{index}")

    build = partial(ExerciseSeries, **body.model_dump(exclude={"sources", "editions"}))
    return EXERCISES.create(tx, body.slug, build, body.sources, then=add_editions)


def update_series(tx: Write, slug: str, body: schemas.SeriesUpdate) -> schemas.SeriesDetail:
    changes = body.model_dump(exclude_unset=True, exclude={"sources"})
    return EXERCISES.update(tx, slug, changes, body.sources)


def _delete_editions(tx: Write, series: ExerciseSeries) -> None:
    """By their own statement, so that the change path sees their ties go."""
    tx.session.execute(delete(ExerciseEdition).where(ExerciseEdition.series_id == series.id))


def delete_series(tx: Write, slug: str) -> None:
    EXERCISES.delete_unless(tx, slug, lambda series, _: _delete_editions(tx, series))


def create_edition(tx: Write, slug: str, body: schemas.EditionCreate) -> schemas.EditionOut:
    series = EXERCISES.target(tx, slug)
    edition = _add_edition(tx, series, body, "/body")
    tx.reload()
    after = edition_detail(tx.session, slug, edition.slug)
    tx.audit(EDITION, f"{slug}/{edition.slug}", AuditOperation.create, None, snapshot(after))
    return after


def update_edition(
    tx: Write, slug: str, edition_slug: str, body: schemas.EditionUpdate
) -> schemas.EditionOut:
    edition = _edition(tx, slug, edition_slug)
    before = edition_detail(tx.session, slug, edition_slug)
    exclude = {"sources", "activities", "domains"}
    for name, value in patch_values(body, ("start", "end"), exclude).items():
        setattr(edition, name, value)
    errors = schemas.edition_errors(
        edition.start_date,
        edition.end_date,
        edition.year,
        body.activities or [],
        body.domains or [],
    )
    if errors:
        raise InvalidParameter("/body", f"Invalid request: {'; '.join(errors)}.")
    if body.activities is not None or body.domains is not None:
        _set_tags(
            tx,
            edition.id,
            body.activities if body.activities is not None else before.activities,
            body.domains if body.domains is not None else before.domains,
        )
    if body.sources is not None:
        edition.citations = cite(tx.session, body.sources, "/body/sources")
    tx.reload()
    after = edition_detail(tx.session, slug, edition_slug)
    entity_id = f"{slug}/{edition_slug}"
    tx.audit(EDITION, entity_id, AuditOperation.update, snapshot(before), snapshot(after))
    return after


def delete_edition(tx: Write, slug: str, edition_slug: str) -> None:
    edition = _edition(tx, slug, edition_slug)
    count = tx.session.scalar(
        select(func.count()).where(ExerciseEdition.series_id == edition.series_id)
    )
    if count == 1:
        raise Conflict(
            f"{edition_slug!r} is the only edition of {slug!r}; a series is known by its "
            f"editions: delete the series instead (DELETE /v1/exercises/{slug})."
        )
    before = edition_detail(tx.session, slug, edition_slug)
    tx.session.execute(delete(ExerciseEdition).where(ExerciseEdition.id == edition.id))
    tx.audit(EDITION, f"{slug}/{edition_slug}", AuditOperation.delete, snapshot(before), None)


def _participation(tx: Write, edition: ExerciseEdition, country: Country) -> Participation | None:
    return tx.session.scalars(
        select(Participation).where(
            Participation.edition_id == edition.id, Participation.country_id == country.id
        )
    ).one_or_none()


def _participant_snapshot(detail: schemas.EditionOut, iso3: str) -> object:
    found = [p for p in detail.participants if p.country.iso3 == iso3]
    return snapshot(found[0]) if found else None


def put_participant(
    tx: Write, slug: str, edition_slug: str, code: str, body: schemas.ParticipantPut
) -> schemas.EditionOut:
    edition = _edition(tx, slug, edition_slug)
    country = named_country(tx.session, code, "/path/code")
    before = edition_detail(tx.session, slug, edition_slug)
    stored = _participation(tx, edition, country)
    row = Participation(
        edition_id=edition.id, country_id=country.id, **body.model_dump(exclude={"sources"})
    )
    replace_rows(tx, [] if stored is None else [stored], row, body.sources)
    after = edition_detail(tx.session, slug, edition_slug)
    old, new = (_participant_snapshot(detail, country.iso3) for detail in (before, after))
    audit_put(tx, PARTICIPATION, f"{edition_slug}/{country.iso3}", old, new)
    return after


def delete_participant(tx: Write, slug: str, edition_slug: str, code: str) -> None:
    edition = _edition(tx, slug, edition_slug)
    country = named_country(tx.session, code, "/path/code")
    if _participation(tx, edition, country) is None:
        raise ProblemError(404, f"{country.name} is not a participant of {edition_slug!r}.")
    before = edition_detail(tx.session, slug, edition_slug)
    tx.session.execute(
        delete(Participation).where(
            Participation.edition_id == edition.id, Participation.country_id == country.id
        )
    )
    tx.audit(
        PARTICIPATION,
        f"{edition_slug}/{country.iso3}",
        AuditOperation.delete,
        _participant_snapshot(before, country.iso3),
        None,
    )


_THREATS = ThreatLinks(TieChannel.exercise)


def link_threat(
    tx: Write, slug: str, edition_slug: str, threat: str, period: ThreatLinkPut | None = None
) -> schemas.EditionOut:
    edition = _edition(tx, slug, edition_slug)
    _THREATS.link(tx, edition, edition_slug, threat, period)
    return edition_detail(tx.session, slug, edition_slug)


def unlink_threat(tx: Write, slug: str, edition_slug: str, threat: str) -> None:
    edition = _edition(tx, slug, edition_slug)
    _THREATS.unlink(tx, edition.id, edition_slug, threat)
