from datetime import date
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.columns import part_of, precision_column, refers_to
from app.core.db import Base, Versioned
from app.core.meanings import DESCRIPTION, NAME_ID, ROW_ID, SLUG, period_docs
from app.core.periods import DatePrecision, NoteMixin, PeriodMixin, enum_column
from app.countries.models import Country
from app.organizations.models import Organization
from app.sources.models import Certainty, Citation, certainty_column, citations_of
from app.threats.models import ThreatLink, threat_link_table, threat_links


class AgreementKind(StrEnum):
    defense_treaty = "defense_treaty"
    technology_transfer = "technology_transfer"
    intelligence_sharing = "intelligence_sharing"
    cooperation_strategy = "cooperation_strategy"
    declaration = "declaration"


class AgreementCategory(StrEnum):
    """What an agreement is about, in the Defense Cooperation Agreement Dataset's terms."""

    dca = "dca"  # a framework defense cooperation agreement
    dic = "dic"  # defense-industrial cooperation
    trex = "trex"  # training and exercises
    procurement = "procurement"
    commission = "commission"  # a joint defense commission or committee
    research = "research"  # defense research and development


# Technology transfer in the seed article's sense: what industry, purchases and research move.
TECHNOLOGY_TRANSFER_CATEGORIES = frozenset(
    {AgreementCategory.dic, AgreementCategory.procurement, AgreementCategory.research}
)


# The columns of an agreement's terms as a dataset codes them (the API's `terms`).
TERMS = (
    "scope",
    "duration_years",
    "duration_code",
    "renewal_code",
    "renewal_years",
    "renewal_years_code",
    "terminated",
    "terminated_code",
    "asymmetry",
)


class AgreementScope(StrEnum):
    general = "general"  # covers defense cooperation at large
    sector = "sector"  # one sector (training, procurement, research...)


class PartyRole(StrEnum):
    party = "party"
    provider = "provider"
    recipient = "recipient"


agreement_threats = threat_link_table("agreement_threats", "agreement_id", "agreements")


class Agreement(NoteMixin, Versioned, Base):
    """An agreement on defense cooperation among countries (or organizations standing for their
    members): a treaty, a memorandum, a declaration; curated, or imported from DCAD or ATOP."""

    __tablename__ = "agreements"

    id: Mapped[int] = mapped_column(primary_key=True, doc=ROW_ID)
    slug: Mapped[str] = mapped_column(String(120), unique=True, doc=SLUG)
    name: Mapped[str] = mapped_column(String(300), doc="English name")
    name_id: Mapped[str | None] = mapped_column(String(300), doc=NAME_ID)
    kind: Mapped[AgreementKind] = mapped_column(
        enum_column(AgreementKind, "kind"), doc="What kind of agreement it is"
    )
    signed_date: Mapped[date | None] = mapped_column(Date, doc="When it was signed; empty: unknown")
    signed_precision: Mapped[DatePrecision | None] = precision_column("signed")
    in_force_date: Mapped[date | None] = mapped_column(
        Date,
        doc="When it entered into force; empty: unknown (its ties then start at signature, "
        "said to be inferred)",
    )
    in_force_precision: Mapped[DatePrecision | None] = precision_column("in_force")
    ended_date: Mapped[date | None] = mapped_column(
        Date, doc="Exclusive: the first day no longer in force; empty: in force"
    )
    ended_precision: Mapped[DatePrecision | None] = precision_column("ended")
    description: Mapped[str | None] = mapped_column(Text, doc=DESCRIPTION)
    certainty: Mapped[Certainty] = certainty_column()
    # Terms as a dataset codes them (DCAD 1.0); null where not recorded. A DCAD special code
    # (negative) is a kind of unknown, kept apart from the number it stands in for.
    scope: Mapped[AgreementScope | None] = mapped_column(enum_column(AgreementScope, "scope"))
    duration_years: Mapped[int | None] = mapped_column(Integer)
    duration_code: Mapped[int | None] = mapped_column(SmallInteger)
    renewal_code: Mapped[int | None] = mapped_column(SmallInteger)
    renewal_years: Mapped[int | None] = mapped_column(Integer)
    renewal_years_code: Mapped[int | None] = mapped_column(SmallInteger)
    terminated: Mapped[bool | None] = mapped_column(Boolean)
    terminated_code: Mapped[int | None] = mapped_column(SmallInteger)
    asymmetry: Mapped[int | None] = mapped_column(SmallInteger)

    category_rows: Mapped[list["AgreementCategoryRow"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="AgreementCategoryRow.position"
    )
    parties: Mapped[list["AgreementParty"]] = relationship(
        back_populates="agreement", lazy="raise", cascade="all, delete-orphan"
    )
    # Its threats, each link with its period and source (ordered by slug in the API).
    threats: Mapped[list[ThreatLink]] = threat_links(agreement_threats)
    citations: Mapped[list[Citation]] = citations_of(Citation.agreement_id)

    @property
    def categories(self) -> list[AgreementCategory]:
        """The dataset's categories, the primary first (needs `category_rows` loaded)."""
        return [row.category for row in self.category_rows]

    @property
    def terms(self) -> "Agreement | None":
        """The agreement itself where a dataset coded its terms (the API's `terms`), else None."""
        return self if any(getattr(self, name) is not None for name in TERMS) else None

    @property
    def technology_transfer(self) -> bool:
        """Of the technology-transfer kind, or with a technology-transfer category."""
        return self.kind == AgreementKind.technology_transfer or any(
            category in TECHNOLOGY_TRANSFER_CATEGORIES for category in self.categories
        )


class AgreementParty(PeriodMixin, NoteMixin, Base):
    """A country, or an organization standing for its members at the time."""

    __tablename__ = "agreement_parties"
    __table_args__ = (
        CheckConstraint(
            "(country_id IS NULL) <> (organization_id IS NULL)", name="country_or_organization"
        ),
    )
    __column_docs__ = period_docs(
        "When the party joined, if later than the agreement's entry into force",
        "the first day the party was no longer bound",
        no_start="from the agreement's start",
        no_end="bound while the agreement is in force",
    )

    id: Mapped[int] = mapped_column(primary_key=True, doc=ROW_ID)
    agreement_id: Mapped[int] = part_of("agreements", doc="The agreement")
    country_id: Mapped[int | None] = refers_to(
        "countries", doc="The country that is party; empty when an organization is"
    )
    organization_id: Mapped[int | None] = refers_to(
        "organizations",
        doc="The organization that is party, standing for its members at the time; empty when "
        "a country is",
    )
    role: Mapped[PartyRole] = mapped_column(
        enum_column(PartyRole, "role"),
        doc="`party` (a plain party), or `provider` and `recipient` where the agreement "
        "moves something (arms, technology, aid) from one side to the other",
    )
    certainty: Mapped[Certainty] = certainty_column()

    agreement: Mapped[Agreement] = relationship(back_populates="parties", lazy="raise")
    country: Mapped[Country | None] = relationship(lazy="raise")
    organization: Mapped[Organization | None] = relationship(lazy="raise")
    citations: Mapped[list[Citation]] = citations_of(Citation.party_id)


class AgreementCategoryRow(Base):
    """One of an agreement's categories; `position` 1 is the dataset's primary category."""

    __tablename__ = "agreement_categories"

    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("agreements.id", ondelete="CASCADE"), primary_key=True, doc="The agreement"
    )
    category: Mapped[AgreementCategory] = mapped_column(
        enum_column(AgreementCategory, "category"),
        primary_key=True,
        doc="What it is about, in DCAD's terms: `dca` a framework defense cooperation "
        "agreement, `dic` defense-industrial cooperation, `trex` training and exercises, "
        "`procurement`, `commission` a joint defense commission or committee, `research` "
        "defense research and development",
    )
    position: Mapped[int] = mapped_column(
        SmallInteger, doc="Its rank among the agreement's categories: 1 is DCAD's primary one"
    )
