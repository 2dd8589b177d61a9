from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.agreements.models import Agreement, AgreementParty
from app.alliances.models import Alliance, AllianceMember
from app.countries.models import Country
from app.datasets.models import Dataset
from app.exercises.models import ExerciseEdition, ExerciseSeries, Participation
from app.operations.models import Contribution, ContributionMonth, Operation
from app.organizations.models import Membership, Organization
from app.sources.models import Citation, Source
from app.system.models import DataState
from app.threats.models import ThreatCategory
from app.transfers.models import Transfer, TransferParty

_COUNTED = {
    "countries": Country,
    "organizations": Organization,
    "memberships": Membership,
    "exercise_series": ExerciseSeries,
    "exercise_editions": ExerciseEdition,
    "participations": Participation,
    "agreements": Agreement,
    "agreement_parties": AgreementParty,
    "alliances": Alliance,
    "alliance_members": AllianceMember,
    "operations": Operation,
    "contributions": Contribution,
    "contribution_months": ContributionMonth,
    "transfers": Transfer,
    "transfer_parties": TransferParty,
    "threat_categories": ThreatCategory,
    "sources": Source,
    "datasets": Dataset,
    "citations": Citation,
}


def row_counts(session: Session) -> dict[str, int]:
    counts = [
        select(func.count()).select_from(model).scalar_subquery().label(name)
        for name, model in _COUNTED.items()
    ]
    return dict(session.execute(select(*counts)).one()._mapping)


def data_state(session: Session) -> DataState | None:
    return session.get(DataState, 1)


def all_sources(session: Session) -> list[Source]:
    return list(session.scalars(select(Source).order_by(Source.id)))


def migration_revision(session: Session) -> str | None:
    return session.execute(text("SELECT version_num FROM alembic_version")).scalar()
