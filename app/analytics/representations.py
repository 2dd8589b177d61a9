"""The API schemas of the analytics reads, made from what the queries return.

The one place where a network, a ranking, a bloc, a path, a dyad-year or a country's standing
becomes a response body; the routers and the curated country writes call it.
"""

from sqlalchemy.orm import Session

from app.analytics import queries
from app.analytics.dyads import DyadYear, threat_column
from app.analytics.graph import Centrality, Network, Ranks
from app.analytics.schemas import (
    BlocOut,
    CentralityOut,
    CentralityRanks,
    CountryFigures,
    CountryWithFigures,
    CowCodeOut,
    DyadYearOut,
    EdgeOut,
    HopOut,
    NetworkMeta,
    NetworkOut,
    NodeOut,
    PathOut,
    PathsOut,
    PeriodOut,
    ThreatCount,
)
from app.cooperation.models import TieChannel
from app.cooperation.representations import tie_out
from app.core.coverage import CoverageMeta, StatedCoverage
from app.core.periods import Span
from app.countries.models import Country
from app.countries.schemas import CountryDetail, CountryRef
from app.sources.schemas import CitationOut
from app.threats.schemas import ThreatRef


def _ref(iso3: str, name: str) -> CountryRef:
    return CountryRef(iso3=iso3, name=name)


def network_out(network: Network, data_version: int, coverage: StatedCoverage) -> NetworkOut:
    graph = network.graph
    return NetworkOut(
        nodes=[
            NodeOut(
                iso3=iso3,
                name=data["name"],
                region=data["region"],
                subregion=data["subregion"],
                degree=graph.degree(iso3),
                weighted_degree=graph.degree(iso3, weight="weight"),
            )
            for iso3, data in graph.nodes(data=True)
        ],
        edges=[
            EdgeOut(
                source=source,
                target=target,
                weight=data["weight"],
                channels=data["channels"],
                threats=data["threats"],
            )
            for source, target, data in sorted(graph.edges(data=True))
        ],
        threats=[ThreatRef(slug=slug, name=name) for slug, name in network.threat_names.items()],
        meta=NetworkMeta(
            nodes=graph.number_of_nodes(),
            edges=graph.number_of_edges(),
            directed=graph.is_directed(),
            data_version=data_version,
            coverage=coverage.notes,
        ),
    )


def _ranks_out(ranks: Ranks) -> CentralityRanks:
    return CentralityRanks(
        degree=ranks.degree, weighted_degree=ranks.weighted_degree, betweenness=ranks.betweenness
    )


def centrality_out(row: Centrality) -> CentralityOut:
    return CentralityOut(
        country=_ref(row.iso3, row.name),
        degree=row.degree,
        weighted_degree=row.weighted_degree,
        betweenness=row.betweenness,
        ranks=_ranks_out(row.ranks),
    )


def bloc_out(bloc: queries.Bloc) -> BlocOut:
    return BlocOut(
        id=bloc.id,
        size=len(bloc.members),
        members=[_ref(iso3, name) for iso3, name in bloc.members],
        internal_weight=bloc.internal_weight,
        threats=[ThreatCount(slug=slug, name=name, ties=ties) for slug, name, ties in bloc.threats],
    )


def _period_out(span: Span) -> PeriodOut:
    return PeriodOut(
        start_date=span.start,
        end_date=span.end,
        first_year=span.first_year,
        last_year=span.last_year,
    )


def _hop_out(hop: queries.Hop) -> HopOut:
    codes = (hop.source[0], hop.target[0])
    return HopOut(
        source=_ref(*hop.source),
        target=_ref(*hop.target),
        weight=hop.weight,
        ties=[tie_out(tie, codes) for tie in hop.ties],
        periods=[_period_out(span) for span in hop.spans],
    )


def paths_out(
    country: Country,
    other: Country,
    found: queries.Paths,
    data_version: int,
    coverage: StatedCoverage,
) -> PathsOut:
    return PathsOut(
        country=CountryRef.model_validate(country),
        other=CountryRef.model_validate(other),
        length=found.length,
        total=found.total,
        truncated=found.truncated,
        data=[
            PathOut(
                countries=[_ref(*path.hops[0].source)] + [_ref(*hop.target) for hop in path.hops],
                strength=path.strength,
                hops=[_hop_out(hop) for hop in path.hops],
                concurrent=[_period_out(span) for span in path.concurrent],
            )
            for path in found.paths
        ],
        data_version=data_version,
        meta=CoverageMeta(coverage=coverage.notes),
    )


def dyad_out(row: DyadYear, threat_slugs: list[str]) -> DyadYearOut:
    """The row, with a `threat_<slug>` key per threat of `threat_slugs`."""
    transfers = row.directions.get(TieChannel.transfer)
    return DyadYearOut(
        year=row.year,
        country_a=_ref(row.country_a.iso3, row.country_a.name),
        country_b=_ref(row.country_b.iso3, row.country_b.name),
        cow_a=row.cow_a,
        cow_b=row.cow_b,
        organizations=row.counts.get(TieChannel.organization),
        exercises=row.counts.get(TieChannel.exercise),
        agreements=row.counts.get(TieChannel.agreement),
        operations=row.counts.get(TieChannel.operation),
        transfers=row.counts.get(TieChannel.transfer),
        transfers_a_to_b=transfers[0] if transfers else None,
        transfers_b_to_a=transfers[1] if transfers else None,
        ties=row.ties,
        threats=sorted(row.threats),
        **{threat_column(slug): row.threat_count(slug) for slug in threat_slugs},
    )


def country_figures(session: Session, country_id: int, data_version: int) -> CountryFigures:
    """The country's degree, weighted degree, betweenness and ranks in the whole network:
    for the country detail. Zeros and no ranks without ties."""
    found = queries.standing(session, country_id, data_version)
    row = found.centrality
    if row is None:
        return CountryFigures(
            network_size=found.network_size,
            degree=0,
            weighted_degree=0,
            betweenness=0.0,
            ranks=None,
            data_version=data_version,
        )
    return CountryFigures(
        network_size=found.network_size,
        degree=row.degree,
        weighted_degree=row.weighted_degree,
        betweenness=row.betweenness,
        ranks=_ranks_out(row.ranks),
        data_version=data_version,
    )


def country_with_figures(
    session: Session, country: Country, data_version: int
) -> CountryWithFigures:
    return CountryWithFigures(
        **CountryDetail.model_validate(country).model_dump(),
        cow_codes=[
            CowCodeOut(
                cow_code=period.cow_code,
                valid_from=period.valid_from,
                valid_until=period.valid_until,
                note=period.note,
                sources=[CitationOut.of(source, period.locator)],
            )
            for period, source in queries.cow_codes_of(session, country.id)
        ],
        network=country_figures(session, country.id, data_version),
    )
