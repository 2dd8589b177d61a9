"""Every curated resource, declared once: where it lives, its path keys, its bodies and answers,
and the domain write function behind each route. `routes.curated_router` makes the routes.

To add a curated resource: write its input schemas in its domain package and its write
functions in `app/curation/writes/<domain>.py`, declare it here, and add it to `RESOURCES`.
"""

from typing import Annotated, Any

from fastapi import Request

from app.agreements.schemas import AgreementCreate, AgreementDetail, AgreementUpdate, PartyPut
from app.analytics.representations import country_with_figures
from app.analytics.schemas import CountryWithFigures
from app.core.params import CountryCode, Slug, slug_path
from app.countries import queries as country_queries
from app.countries.schemas import CountryDetail, CountryUpdate
from app.curation.routes import Action, Key, Resource, SubResource, threat_links
from app.curation.transaction import Write
from app.curation.writes import agreements as agreements
from app.curation.writes import countries as countries
from app.curation.writes import exercises as exercises
from app.curation.writes import operations as operations
from app.curation.writes import organizations as organizations
from app.curation.writes import sources as sources
from app.curation.writes import threats as threats
from app.exercises.params import EditionSlug
from app.exercises.schemas import (
    EditionCreate,
    EditionOut,
    EditionUpdate,
    ParticipantPut,
    SeriesCreate,
    SeriesDetail,
    SeriesUpdate,
)
from app.operations.schemas import ContributorPut, OperationCreate, OperationDetail, OperationUpdate
from app.organizations.schemas import (
    MembershipHistory,
    MembershipPut,
    OrganizationCreate,
    OrganizationDetail,
    OrganizationUpdate,
)
from app.sources.params import SourceId
from app.sources.schemas import SourceCreate, SourceDetail, SourceUpdate
from app.threats.schemas import ThreatCreate, ThreatDetail, ThreatUpdate

SLUG = Key("slug", Slug)
COUNTRY = Key("code", CountryCode)
ORGANIZATION = Key(
    "organization",
    Annotated[str, slug_path("Organization slug (GET /v1/organizations lists them)", "asean", 80)],
)

ORGANIZATIONS = Resource(
    "organization",
    "/v1/organizations",
    SLUG,
    OrganizationDetail,
    create=Action(
        organizations.create_organization,
        "Add an organization, with at least one source; answers with it as GET returns it.",
        OrganizationCreate,
    ),
    update=Action(
        organizations.update_organization,
        "Change some fields of an organization; send `If-Match` with the ETag of your GET.",
        OrganizationUpdate,
    ),
    delete=Action(
        organizations.delete_organization,
        "Delete an organization with its memberships, threat links and citations.",
    ),
    subresources=(
        SubResource(
            "organization_member",
            "members",
            COUNTRY,
            put=Action(
                organizations.put_membership,
                """Set every membership period of a country in an organization (create or
                replace).

                `If-Match` is checked against the organization, and the answer carries the
                organization's new ETag: any write to it or its members makes an older tag
                stale. The country's partners reflect the change at once.""",
                MembershipPut,
            ),
            delete=Action(
                organizations.delete_membership,
                "Delete every membership period of a country in an organization.",
            ),
            model=MembershipHistory,
        ),
        threat_links("organization", *organizations.ORGANIZATIONS.threat_actions),
    ),
)


EXERCISES = Resource(
    "exercise",
    "/v1/exercises",
    SLUG,
    SeriesDetail,
    create=Action(
        exercises.create_series,
        """Add an exercise series with its first editions and their participants.

        Every fact needs a source; a participant without sources cites its edition's.
        The participants' partners reflect the new editions at once.""",
        SeriesCreate,
    ),
    update=Action(
        exercises.update_series,
        """Change the name, Indonesian name, description or sources of a series.

        Send `If-Match` with the ETag of your GET: any write to the series or its editions
        makes an older tag stale.""",
        SeriesUpdate,
    ),
    delete=Action(
        exercises.delete_series,
        "Delete a series with all its editions, participants, threat links and citations.",
    ),
)

EXERCISE_EDITIONS = Resource(
    "exercise_edition",
    "/v1/exercises/{slug}/editions",
    Key("edition", EditionSlug),
    EditionOut,
    parents=(SLUG,),
    create=Action(
        exercises.create_edition,
        """Add an edition to a series, with its participants, activities, domains and threats.

        `If-Match` (optional) is checked against the series.""",
        EditionCreate,
    ),
    update=Action(
        exercises.update_edition,
        "Change some fields of an edition; `If-Match` is checked against the edition.",
        EditionUpdate,
    ),
    delete=Action(
        exercises.delete_edition,
        "Delete an edition with its participants; the last edition of a series is a 409.",
    ),
    subresources=(
        SubResource(
            "exercise_participant",
            "participants",
            COUNTRY,
            put=Action(
                exercises.put_participant,
                """Set a country's participation in an edition (create or replace), with its
                role.

                Answers with the edition; the country's partners reflect the change at once.""",
                ParticipantPut,
            ),
            delete=Action(
                exercises.delete_participant,
                "Remove a country from an edition's participants.",
            ),
        ),
        threat_links("exercise_edition", exercises.link_threat, exercises.unlink_threat),
    ),
)


def _put_country_party(tx: Write, slug: str, code: str, body: PartyPut) -> AgreementDetail:
    return agreements.put_party(tx, slug, body, country=code)


def _delete_country_party(tx: Write, slug: str, code: str) -> None:
    agreements.delete_party(tx, slug, country=code)


def _put_organization_party(
    tx: Write, slug: str, organization: str, body: PartyPut
) -> AgreementDetail:
    return agreements.put_party(tx, slug, body, organization=organization)


def _delete_organization_party(tx: Write, slug: str, organization: str) -> None:
    agreements.delete_party(tx, slug, organization=organization)


AGREEMENTS = Resource(
    "agreement",
    "/v1/agreements",
    SLUG,
    AgreementDetail,
    create=Action(
        agreements.create_agreement,
        """Add an agreement with its parties and threats; the parties' partners reflect it at
        once.

        Every fact needs a source; a party without sources cites the agreement's.""",
        AgreementCreate,
    ),
    update=Action(
        agreements.update_agreement,
        "Change some fields of an agreement; send `If-Match` with the ETag of your GET.",
        AgreementUpdate,
    ),
    delete=Action(
        agreements.AGREEMENTS.delete,
        "Delete an agreement with its parties, threat links and citations.",
    ),
    subresources=(
        SubResource(
            "agreement_country_party",
            "parties/countries",
            COUNTRY,
            put=Action(
                _put_country_party,
                """Set a country's part in an agreement (create or replace), with role and
                period.

                `If-Match` is checked against the agreement. Answers with the agreement.""",
                PartyPut,
            ),
            delete=Action(
                _delete_country_party,
                "Remove a country from an agreement's parties.",
            ),
        ),
        SubResource(
            "agreement_organization_party",
            "parties/organizations",
            ORGANIZATION,
            put=Action(
                _put_organization_party,
                "Set an organization's part in an agreement; it stands for its members at the "
                "time.",
                PartyPut,
            ),
            delete=Action(
                _delete_organization_party,
                "Remove an organization from an agreement's parties.",
            ),
        ),
        threat_links(
            "agreement", agreements.AGREEMENTS.link_threat, agreements.AGREEMENTS.unlink_threat
        ),
    ),
)

OPERATIONS = Resource(
    "operation",
    "/v1/operations",
    SLUG,
    OperationDetail,
    create=Action(
        operations.create_operation,
        """Add an operation with its contributors; their partners reflect it at once.

        Every fact needs a source; a contributor without sources cites the operation's.""",
        OperationCreate,
    ),
    update=Action(
        operations.update_operation,
        "Change some fields of an operation; send `If-Match` with the ETag of your GET.",
        OperationUpdate,
    ),
    delete=Action(
        operations.OPERATIONS.delete,
        "Delete an operation with its contributors, threat links and citations.",
    ),
    subresources=(
        SubResource(
            "operation_contributor",
            "contributors",
            COUNTRY,
            put=Action(
                operations.put_contributor,
                """Set a country's contribution to an operation (create or replace).

                `If-Match` is checked against the operation. Answers with the operation.""",
                ContributorPut,
            ),
            delete=Action(
                operations.delete_contributor,
                "Remove a country from an operation's contributors.",
            ),
        ),
        threat_links("operation", *operations.OPERATIONS.threat_actions),
    ),
)

THREAT_CATEGORIES = Resource(
    "threat_category",
    "/v1/threat-categories",
    SLUG,
    ThreatDetail,
    create=Action(
        threats.create_threat,
        "Add a threat category, with at least one source; link initiatives to it afterwards.",
        ThreatCreate,
    ),
    update=Action(
        threats.update_threat,
        "Change the names, kind, description or sources of a threat category.",
        ThreatUpdate,
    ),
    delete=Action(
        threats.delete_threat,
        """Delete a threat category that nothing links to any more.

        A category still linked to an organization, an exercise edition, an agreement, an
        operation or a way of cooperating is a 409 that counts the links: unlink them first.""",
    ),
)

SOURCES = Resource(
    "source",
    "/v1/sources",
    Key("source_id", SourceId),
    SourceDetail,
    key_field="id",
    create=Action(
        sources.create_source,
        "Add a source (an article, a dataset, a reference) that facts can then cite.",
        SourceCreate,
    ),
    update=Action(
        sources.update_source,
        "Change some fields of a source; every fact citing it shows the change at once.",
        SourceUpdate,
    ),
    delete=Action(
        sources.delete_source,
        "Delete a source that no fact cites; a cited one is a 409 that counts the citations.",
    ),
)


def _with_figures(request: Request, version: int, country: Any) -> CountryWithFigures:
    """The country as GET returns it: with its network figures at the new data version."""
    assert isinstance(country, CountryDetail)
    with request.app.state.session_factory() as session:
        found = country_queries.get_country(session, country.iso3)
        return country_with_figures(session, found, version)


COUNTRIES = Resource(
    "country",
    "/v1/countries",
    COUNTRY,
    CountryWithFigures,
    key_field="iso3",
    update=Action(
        countries.update_country,
        """Change a country's curated fields: its names and note (never its codes).

        Send `If-Match` with the ETag of your GET. Answers with the country as GET returns
        it.""",
        CountryUpdate,
    ),
    respond=_with_figures,
)

RESOURCES = (
    COUNTRIES,
    ORGANIZATIONS,
    EXERCISES,
    EXERCISE_EDITIONS,
    AGREEMENTS,
    OPERATIONS,
    THREAT_CATEGORIES,
    SOURCES,
)
