"""The query parameters of the organization reads."""

from dataclasses import dataclass
from typing import Annotated

from app.core.params import SearchText, ThreatFilter, described
from app.organizations.models import OrganizationKind
from app.organizations.queries import OrganizationSort


@dataclass
class OrganizationFilters:
    kind: Annotated[OrganizationKind | None, described("Only this kind", "alliance")] = None
    threat: ThreatFilter = None
    q: SearchText = None
    sort: Annotated[OrganizationSort, described("Sort order", "name")] = OrganizationSort.slug
