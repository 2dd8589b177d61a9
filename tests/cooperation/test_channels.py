"""The channel registry drives every per-channel part: each channel is declared once, and
everything a channel needs (its tables, its derivation) is reachable from its entry."""

import pytest
from fastapi import FastAPI
from sqlalchemy import Table, select

from app.cooperation import channels
from app.cooperation.channels import CHANNELS, Channel
from app.cooperation.models import Tie, TieChannel
from app.core.db import Base
from app.threats.models import response_threats


def _references(table: Table, column: str) -> set[str]:
    return {key.column.table.name for key in table.c[column].foreign_keys}


def test_every_channel_has_exactly_one_entry_in_the_api_order() -> None:
    assert [entry.name for entry in channels._ENTRIES] == list(TieChannel)
    assert list(CHANNELS) == list(TieChannel)


@pytest.mark.parametrize("channel", list(CHANNELS.values()), ids=lambda c: c.name.value)
def test_an_entry_names_the_tables_of_its_channel(channel: Channel) -> None:
    initiatives = channel.initiative.__table__.name
    facts = channel.fact.__table__
    assert _references(facts, channel.fact_owner) == {initiatives}
    assert _references(facts, "country_id") == {"countries"}
    links = channel.threat_links.table
    assert _references(links, channel.threat_links.owner) == {initiatives}
    assert _references(links, "threat_id") == {"threat_categories"}
    assert channel.citation.property.columns[0].foreign_keys.pop().column.table is facts


def test_every_threat_link_table_belongs_to_a_channel() -> None:
    """A link table from initiatives to threats that no entry names would be left out of the
    partners' threats, the aggregates and the threat-link routes."""
    linked = {
        table
        for table in Base.metadata.tables.values()
        if "threat_id" in table.c
        and _references(table, "threat_id") == {"threat_categories"}
        and table.name not in {"citations", "partner_threats", "partner_co_threats"}
    }
    assert linked - {response_threats} == {c.threat_links.table for c in CHANNELS.values()}


@pytest.mark.parametrize(
    "channel", [c for c in CHANNELS.values() if c.symmetric], ids=lambda c: c.name.value
)
def test_the_ties_of_a_symmetric_channel_go_both_ways(app: FastAPI, channel: Channel) -> None:
    with app.state.session_factory() as session:
        pairs = set(
            session.execute(
                select(Tie.country_id, Tie.partner_id, Tie.initiative_id).where(
                    Tie.channel == channel.name
                )
            )
        )
    assert pairs
    assert {(b, a, i) for a, b, i in pairs} == pairs
