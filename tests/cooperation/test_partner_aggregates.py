"""The set-based tie derivation and the per-pair aggregates agree with a slow reference.

On the seed plus random facts (a fixed seed), then again after incremental refreshes of
single initiatives: the ties and the aggregate tables equal the ones `reference_ties`
computes in plain Python from the fact rows, and `partners_of` (which reads the aggregates
when it can) equals a partners computation in plain Python over those reference ties, for
every filter the route supports.
"""

import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from app.agreements.models import Agreement, AgreementParty, PartyRole
from app.cooperation.channels import CHANNELS, DIRECTED
from app.cooperation.derivation import rebuild_aggregates, refresh_ties
from app.cooperation.models import PartnerChannel, PartnerCoThreat, PartnerThreat, Tie, TieChannel
from app.cooperation.queries import TieFilters, partners_of
from app.cooperation.ties import TIE_COLUMNS
from app.core.config import Settings
from app.core.db import create_db_engine, session_factory
from app.core.periods import Span
from app.countries.models import Country
from app.exercises.models import ExerciseEdition, ParticipantRole, Participation
from app.operations.models import Contribution, Operation
from app.organizations.models import Membership, MembershipRole, Organization, OrganizationKind
from app.sources.models import Certainty
from app.threats.models import ThreatCategory
from app.transfers.models import DeliveryStatus, Transfer, TransferParty, TransferRole
from tests.cooperation.reference_ties import (
    LinkedThreats,
    directions,
    initiative_threats,
    reference_aggregates,
    reference_ties,
)
from tests.databases import copy_database, drop_database

SEED = 20261126


@pytest.fixture(scope="module")
def session(template_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    url = copy_database(template_url, tmp_path_factory.mktemp("aggregates"))
    engine = create_db_engine(Settings(database_url=url))
    with session_factory(engine)() as session:
        _add_random_facts(session, random.Random(SEED))
        written = refresh_ties(session)
        assert written == session.scalar(select(func.count()).select_from(Tie))
        session.commit()
        yield session
    engine.dispose()
    drop_database(url)


# --- random facts --------------------------------------------------------------------------


def _period(rng: random.Random) -> tuple[date | None, date | None]:
    start = date(rng.randint(1990, 2020), rng.randint(1, 12), 1) if rng.random() < 0.7 else None
    end = date(rng.randint(1995, 2026), rng.randint(1, 12), 1) if rng.random() < 0.5 else None
    if start is not None and end is not None and end <= start:
        start, end = end, start
    return start, end if end != start else None


def _periods(rng: random.Random, count: int) -> Iterator[tuple[date | None, date | None]]:
    """`count` random periods, each drawn when the loop asks for it (before a fact's other
    draws)."""
    for _ in range(count):
        yield _period(rng)


def _certainty(rng: random.Random) -> Certainty:
    return rng.choice([Certainty.confirmed] * 4 + [Certainty.disputed, Certainty.unconfirmed])


def _add_random_facts(session: Session, rng: random.Random) -> None:
    countries = sorted(session.scalars(select(Country.id)))[:40]
    organizations = sorted(session.scalars(select(Organization.id)))
    editions = sorted(session.scalars(select(ExerciseEdition.id)))
    agreements = sorted(session.scalars(select(Agreement.id)))
    operations = sorted(session.scalars(select(Operation.id)))
    threats = sorted(session.scalars(select(ThreatCategory.id)))
    for start, end in _periods(rng, 150):
        session.add(
            Membership(
                organization_id=rng.choice(organizations),
                country_id=rng.choice(countries),
                role=rng.choice([MembershipRole.member] * 3 + list(MembershipRole)),
                start_date=start,
                end_date=end,
                certainty=_certainty(rng),
            )
        )
    taken = {
        (edition, country)
        for edition, country in session.execute(
            select(Participation.edition_id, Participation.country_id)
        )
    }
    for _ in range(300):
        key = (rng.choice(editions[:60]), rng.choice(countries))
        if key not in taken:
            taken.add(key)
            session.add(
                Participation(
                    edition_id=key[0],
                    country_id=key[1],
                    role=rng.choice(list(ParticipantRole)),
                    certainty=_certainty(rng),
                )
            )
    for start, end in _periods(rng, 120):
        through_organization = rng.random() < 0.2
        session.add(
            AgreementParty(
                agreement_id=rng.choice(agreements),
                country_id=None if through_organization else rng.choice(countries),
                organization_id=rng.choice(organizations) if through_organization else None,
                role=rng.choice(list(PartyRole)),
                start_date=start,
                end_date=end,
                certainty=_certainty(rng),
            )
        )
    for start, end in _periods(rng, 80):
        session.add(
            Contribution(
                operation_id=rng.choice(operations),
                country_id=rng.choice(countries),
                start_date=start,
                end_date=end,
                certainty=_certainty(rng),
            )
        )
    transfers = []
    for number in range(60):
        supplier, recipient = rng.sample(countries, 2)
        order_year = rng.randint(1985, 2020)
        transfer = Transfer(
            slug=f"test-transfer-{number}",
            name=f"Test transfer {number}",
            order_year=order_year,
            last_delivery_year=rng.choice([None, order_year - 1, order_year, order_year + 3]),
            delivery_status=rng.choice(list(DeliveryStatus)),
            certainty=_certainty(rng),
        )
        session.add(transfer)
        session.flush()
        transfers.append(transfer.id)
        for country_id, role in ((supplier, TransferRole.supplier), (recipient, "recipient")):
            session.add(
                TransferParty(
                    transfer_id=transfer.id,
                    country_id=country_id,
                    role=TransferRole(role),
                    certainty=_certainty(rng),
                )
            )
    session.flush()
    initiatives = {
        TieChannel.organization: organizations,
        TieChannel.exercise: editions[:60],
        TieChannel.agreement: agreements,
        TieChannel.operation: operations,
        TieChannel.transfer: transfers,
    }
    for channel, entry in CHANNELS.items():
        links, column = entry.threat_links.table, entry.threat_links.owner
        existing = set(session.execute(select(links.c[column], links.c.threat_id)))
        wanted = {
            (rng.choice(initiatives[channel]), rng.choice(threats)) for _ in range(40)
        } - existing
        if wanted:
            session.execute(
                insert(links), [{column: owner, "threat_id": t} for owner, t in sorted(wanted)]
            )
    session.flush()
    # Two countries whose only tie is an organization without threats (two that exist
    # together: a tie never reaches past a country's validity).
    always = select(Country.id).where(Country.valid_from.is_(None), Country.valid_until.is_(None))
    loners = sorted(set(session.scalars(always)) - set(session.scalars(select(Tie.country_id))))[
        -2:
    ]
    forum = Organization(
        slug="test-threatless-forum",
        name="Threatless forum",
        kind=OrganizationKind.defense_forum,
    )
    session.add(forum)
    session.flush()
    for loner in loners:
        session.add(
            Membership(organization_id=forum.id, country_id=loner, role=MembershipRole.member)
        )
    session.flush()


# --- the reference -------------------------------------------------------------------------


def _reference_partners(
    ties: list[dict[str, Any]],
    initiative_threats: LinkedThreats,
    names: dict[int, str],
    slugs: dict[int, str],
    country_id: int,
    filters: TieFilters,
) -> list[tuple[Any, ...]]:
    window = (
        Span.of_years(filters.year, filters.year)
        if filters.year is not None
        else Span.of_years(filters.year_gte, filters.year_lte)
    )
    # Per partner: the ties' spans (with a threat filter, the parts of them in which they
    # address a threat asked for) and the threats they address within the window.
    spans: dict[int, list[Span]] = defaultdict(list)
    counted: dict[int, list[dict[str, Any]]] = defaultdict(list)
    addressed: dict[int, set[int]] = defaultdict(set)
    for tie in ties:
        if tie["country_id"] != country_id:
            continue
        if filters.channels and tie["channel"] not in filters.channels:
            continue
        period = Span(tie["start_date"], tie["end_date"])
        in_window = window.overlap(period)
        if in_window is None:
            continue
        links = initiative_threats.get((tie["channel"], tie["initiative_id"]), {})
        held = {t for t, link in links.items() if in_window.overlap(link) is not None}
        if filters.threat_ids:
            asked = held & set(filters.threat_ids)
            if not asked:
                continue
            parts = [period.overlap(links[t]) for t in asked]
            spans[tie["partner_id"]] += [part for part in parts if part is not None]
        else:
            spans[tie["partner_id"]].append(period)
        counted[tie["partner_id"]].append(tie)
        addressed[tie["partner_id"]] |= held
    result = []
    for partner_id, rows in counted.items():
        channels = {
            channel: len({r["initiative_id"] for r in rows if r["channel"] == channel})
            for channel in TieChannel
        }
        starts = [part.start for part in spans[partner_id]]
        ends = [part.end for part in spans[partner_id]]
        span = Span(
            None if None in starts else min(d for d in starts if d is not None),
            None if None in ends else max(d for d in ends if d is not None),
        )
        ways = {
            channel: directions(r for r in rows if r["channel"] == channel)
            for channel in CHANNELS
            if channel in DIRECTED and channels[channel]
        }
        result.append(
            (
                partner_id,
                sum(channels.values()),
                channels,
                ways,
                sorted(slugs[t] for t in addressed[partner_id]),
                span.first_year,
                span.last_year,
                None in ends,
            )
        )
    result.sort(key=lambda row: (-row[1], names[row[0]]))
    return result


def _fast_partners(session: Session, country_id: int, filters: TieFilters) -> list[tuple[Any, ...]]:
    return [
        (
            s.partner.id,
            s.ties,
            s.channels,
            {c: (d.to_partner, d.from_partner) for c, d in s.directions.items()},
            [t.slug for t in s.threats],
            s.first_year,
            s.last_year,
            s.ongoing,
        )
        for s in partners_of(session, country_id, filters)
    ]


def _filter_sets(threats: list[int]) -> list[TieFilters]:
    return [
        TieFilters(),
        TieFilters(channels=[TieChannel.exercise]),
        TieFilters(channels=[TieChannel.organization, TieChannel.agreement]),
        TieFilters(threat_ids=[threats[0]]),
        TieFilters(threat_ids=[threats[1]], channels=[TieChannel.organization]),
        TieFilters(threat_ids=[threats[2], threats[2]]),
        TieFilters(threat_ids=[threats[0], threats[3]]),
        TieFilters(year=2010),
        TieFilters(year_gte=2000),
        TieFilters(year_lte=2005, channels=[TieChannel.agreement, TieChannel.operation]),
        TieFilters(channels=[TieChannel.transfer]),
        TieFilters(year=2004, channels=[TieChannel.transfer, TieChannel.exercise]),
        TieFilters(year_gte=1999, year_lte=2016, threat_ids=[threats[0]]),
    ]


def _tie_counter(rows: Any) -> Counter[tuple[Any, ...]]:
    return Counter(tuple(str(row[key]) for key in TIE_COLUMNS) for row in rows)


def _check_everything(session: Session) -> None:
    expected_ties = reference_ties(session)
    actual = [
        row._mapping for row in session.execute(select(*(Tie.__table__.c[k] for k in TIE_COLUMNS)))
    ]
    assert _tie_counter(actual) == _tie_counter(expected_ties)

    threats_of = initiative_threats(session)
    assert _aggregate_rows(session) == reference_aggregates(expected_ties, threats_of)

    names: dict[int, str] = dict(session.execute(select(Country.id, Country.name)).all())
    slugs: dict[int, str] = dict(
        session.execute(select(ThreatCategory.id, ThreatCategory.slug)).all()
    )
    threats = sorted(slugs, key=slugs.__getitem__)
    countries = sorted({tie["country_id"] for tie in expected_ties})
    assert len(countries) > 30
    checked = 0
    threatless = 0
    for filters in _filter_sets(threats):
        for country_id in countries:
            expected = _reference_partners(
                expected_ties, threats_of, names, slugs, country_id, filters
            )
            assert _fast_partners(session, country_id, filters) == expected, (country_id, filters)
            checked += len(expected)
            threatless += sum(1 for row in expected if not row[4])
    assert checked > 1000
    assert threatless > 0


def _aggregate_rows(session: Session) -> dict[str, set[tuple[Any, ...]]]:
    """The rows of the aggregates, their `years` text (unordered) read as a set."""
    return {
        model.__tablename__: {
            tuple(
                frozenset(v.split(",")) if c.name == "years" else v
                for c, v in zip(model.__table__.columns, row, strict=True)
            )
            for row in session.execute(select(model.__table__))
        }
        for model in (PartnerChannel, PartnerThreat, PartnerCoThreat)
    }


def test_full_derivation_matches_the_reference(session: Session) -> None:
    _check_everything(session)


def test_incremental_refreshes_match_the_reference(session: Session) -> None:
    rng = random.Random(SEED + 1)
    # One initiative per channel changes: facts removed, added, periods moved.
    membership = rng.choice(list(session.scalars(select(Membership).order_by(Membership.id))))
    organization_id = membership.organization_id
    session.delete(membership)
    session.add(
        Membership(
            organization_id=organization_id,
            country_id=rng.choice(list(session.scalars(select(Country.id)))),
            role=MembershipRole.member,
            start_date=date(2001, 1, 1),
            certainty=Certainty.confirmed,
        )
    )
    edition_id = session.scalars(
        select(Participation.edition_id).order_by(Participation.id).limit(1)
    ).one()
    session.execute(delete(Participation).where(Participation.edition_id == edition_id))
    party = session.scalars(select(AgreementParty).order_by(AgreementParty.id.desc())).first()
    assert party is not None
    party.start_date, party.end_date = date(1991, 5, 1), date(2003, 1, 1)
    contribution = session.scalars(select(Contribution).order_by(Contribution.id)).first()
    assert contribution is not None
    session.delete(contribution)
    transfer = session.scalars(select(Transfer).order_by(Transfer.id)).first()
    assert transfer is not None
    transfer.delivery_status, transfer.last_delivery_year = DeliveryStatus.delivered, 2012
    session.flush()
    refresh_ties(session, TieChannel.organization, [organization_id])
    refresh_ties(session, TieChannel.exercise, {edition_id})
    refresh_ties(session, TieChannel.agreement, [party.agreement_id])
    refresh_ties(session, TieChannel.operation, [contribution.operation_id])
    refresh_ties(session, TieChannel.transfer, [transfer.id])
    _check_everything(session)

    incremental = _aggregate_rows(session)
    rebuild_aggregates(session)
    assert _aggregate_rows(session) == incremental
    session.rollback()
