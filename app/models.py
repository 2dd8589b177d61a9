"""Every table, imported in one place for Alembic and the seed loader."""

from app.agreements.models import Agreement, AgreementParty
from app.alliances.models import Alliance, AllianceMember, AllianceTarget
from app.analytics.models import NetworkFigures
from app.audit.models import AuditEntry
from app.auth.models import ApiKey, RateLimitCounter
from app.cooperation.models import PartnerChannel, PartnerCoThreat, PartnerThreat, Tie
from app.countries.models import Country, CowCodePeriod
from app.datasets.models import Dataset, DatasetCoverage
from app.exercises.models import ExerciseEdition, ExerciseSeries, Participation
from app.operations.models import Contribution, ContributionMonth, Operation
from app.organizations.models import Membership, Organization
from app.sources.models import Citation, Source
from app.system.models import DataState
from app.threats.models import ThreatCategory, ThreatResponse
from app.transfers.models import Transfer, TransferParty

__all__ = [
    "Agreement",
    "AgreementParty",
    "Alliance",
    "AllianceMember",
    "AllianceTarget",
    "ApiKey",
    "AuditEntry",
    "Citation",
    "Contribution",
    "ContributionMonth",
    "Country",
    "CowCodePeriod",
    "DataState",
    "Dataset",
    "DatasetCoverage",
    "ExerciseEdition",
    "ExerciseSeries",
    "Membership",
    "NetworkFigures",
    "Operation",
    "Organization",
    "Participation",
    "PartnerChannel",
    "PartnerCoThreat",
    "PartnerThreat",
    "RateLimitCounter",
    "Source",
    "ThreatCategory",
    "ThreatResponse",
    "Tie",
    "Transfer",
    "TransferParty",
]
