from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Date, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from app.core.db import Base, Versioned
from app.core.meanings import ROW_ID, SLUG, precision_doc
from app.core.periods import DatePrecision, enum_column
from app.sources.models import Citation, Source, citations_of


class ThreatKind(StrEnum):
    traditional = "traditional"
    non_traditional = "non_traditional"


class Channel(StrEnum):
    """The ways countries cooperate; the first four form ties between countries."""

    organization = "organization"
    exercise = "exercise"
    agreement = "agreement"
    operation = "operation"
    intelligence_sharing = "intelligence_sharing"
    technology_transfer = "technology_transfer"
    dialogue = "dialogue"


def threat_link_table(name: str, owner_column: str, owner_table: str) -> Table:
    """The many-to-many table linking an initiative to the threats it addresses, each link
    with its period and the source that dates it. No start: the link is undated and holds
    from the initiative's own start (issue 15); no end: ongoing."""
    return Table(
        name,
        Base.metadata,
        Column(
            owner_column,
            ForeignKey(f"{owner_table}.id", ondelete="CASCADE"),
            primary_key=True,
            doc=f"The initiative (a row of `{owner_table}`) that addresses the threat",
        ),
        Column(
            "threat_id",
            ForeignKey("threat_categories.id", ondelete="CASCADE"),
            primary_key=True,
            index=True,
            doc="The threat it addresses",
        ),
        Column(
            "start_date",
            Date,
            doc="From when the initiative addresses the threat; empty: undated, from the "
            "initiative's own start",
        ),
        Column(
            "start_precision",
            enum_column(DatePrecision, "start_precision"),
            doc=precision_doc("start_date"),
        ),
        Column(
            "end_date",
            Date,
            doc="Exclusive: the first day it no longer does; empty: ongoing (within the "
            "initiative's own life)",
        ),
        Column(
            "end_precision",
            enum_column(DatePrecision, "end_precision"),
            doc=precision_doc("end_date"),
        ),
        Column(
            "source_id",
            ForeignKey("sources.id", ondelete="RESTRICT"),
            doc="The source that dates the link; empty: an undated link",
        ),
        Column("locator", String(500), doc="Where in that source; empty with `source_id`"),
        info={
            "doc": f"Which threats each initiative of `{owner_table}` addresses, each link with "
            "its period and the source that dates it"
        },
    )


class ThreatLink:
    """A row of a threat-link table, mapped (`__table__ = <the link table>`) so that an
    initiative reads its links with the threat, the link's period and the source dating it.
    Read-only: links are written by statement, through the change path."""

    if TYPE_CHECKING:  # the columns come from the link table
        threat_id: int
        start_date: date | None
        start_precision: DatePrecision | None
        end_date: date | None
        end_precision: DatePrecision | None
        source_id: str | None
        locator: str | None

    @declared_attr
    def threat(cls) -> Mapped["ThreatCategory"]:
        return relationship("ThreatCategory", lazy="joined", viewonly=True)

    @declared_attr
    def source(cls) -> Mapped[Source | None]:
        return relationship(Source, lazy="joined", viewonly=True)


def threat_links(table: Table) -> Any:
    """The relationship of an initiative to its rows of the threat-link `table`, each read
    with its threat, period and source (mapped here, once per table, as a `ThreatLink`)."""
    name = "".join(part.capitalize() for part in table.name.split("_")) + "Link"
    link = type(name, (ThreatLink, Base), {"__table__": table, "__doc__": table.info["doc"]})
    return relationship(link, lazy="raise", viewonly=True)


class ThreatCategory(Versioned, Base):
    """A category of threat that cooperation addresses, traditional or non-traditional, as the seed
    article frames it."""

    __tablename__ = "threat_categories"

    id: Mapped[int] = mapped_column(primary_key=True, doc=ROW_ID)
    slug: Mapped[str] = mapped_column(String(80), unique=True, doc=SLUG)
    name: Mapped[str] = mapped_column(String(120), doc="English name")
    name_id: Mapped[str] = mapped_column(String(120), doc="Name in Indonesian")
    kind: Mapped[ThreatKind] = mapped_column(
        enum_column(ThreatKind, "kind"),
        doc="As the seed article frames it: `traditional` (state-on-state military threats) "
        "or `non_traditional` (terrorism, cybercrime, climate change...)",
    )
    description: Mapped[str | None] = mapped_column(
        Text, doc="What the category covers; empty: not written"
    )

    citations: Mapped[list[Citation]] = citations_of(Citation.threat_id)


response_threats = threat_link_table("response_threats", "response_id", "threat_responses")


class ThreatResponse(Base):
    """A way of cooperating against threats that the source article names."""

    __tablename__ = "threat_responses"

    id: Mapped[int] = mapped_column(primary_key=True, doc=ROW_ID)
    slug: Mapped[str] = mapped_column(String(80), unique=True, doc=SLUG)
    name: Mapped[str] = mapped_column(String(160), doc="English name")
    name_id: Mapped[str] = mapped_column(String(160), doc="Name in Indonesian")
    channel: Mapped[Channel] = mapped_column(
        enum_column(Channel, "channel"),
        doc="The way of cooperating it belongs to; the first four (`organization`, "
        "`exercise`, `agreement`, `operation`) form ties between countries",
    )
    description: Mapped[str | None] = mapped_column(
        Text, doc="What the response is, as the seed article names it; empty: not written"
    )

    threats: Mapped[list[ThreatCategory]] = relationship(
        secondary=response_threats, lazy="raise", order_by=ThreatCategory.slug
    )
    citations: Mapped[list[Citation]] = citations_of(Citation.response_id)
