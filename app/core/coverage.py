"""The coverage notes an answer about years carries: which of the requested years a
channel's data covers only in part, or not at all (`app.cooperation.coverage` finds them).

A list carries them in its `meta`; a file download (CSV, GraphML) cannot, so it points to
them with `Link: <...>; rel="describedby"`, the same notes as JSON from `GET /v1/coverage`.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import Request, Response
from pydantic import BaseModel, Field


class YearRange(BaseModel):
    first_year: int = Field(examples=[2011])
    last_year: int = Field(examples=[2016])


class CoverageNote(BaseModel):
    """One channel's requested years that its data does not fully cover."""

    channel: str = Field(description="A tie channel", examples=["exercise"])
    partial_years: list[YearRange] = Field(
        description="Years only curated facts cover: a tie there is true, but a pair without "
        "one is unknown, not unlinked"
    )
    years_without_data: list[YearRange] = Field(
        description="Years no dataset and no fact covers: nothing is known"
    )
    note: str = Field(
        description="The same in words, with the datasets' own years",
        examples=[
            "Exercise ties, 2011-2016: only curated exercise facts (MME v7 covers 1980-2010), "
            "so a pair without a tie there may have one that is not recorded: unknown, not zero."
        ],
    )


COVERAGE_DESCRIPTION = (
    "Per channel asked about (`channel`, or every channel), the requested years its data "
    "does not fully cover; empty when it covers them all. Without a year in the request, the "
    "years the answer spans: from the channel's first fact or dataset year to this year."
)


@dataclass(frozen=True)
class StatedCoverage:
    """The notes of one answer, and the query of `GET /v1/coverage` that serves them."""

    notes: list[CoverageNote]
    request: Request
    query: list[tuple[str, str]]

    def link(self, response: Response) -> None:
        """Point a download, which has no `meta`, to its notes (the URL is made only here:
        a JSON answer needs none)."""
        link_coverage(self.request, response, self.query)


def link_coverage(request: Request, response: Response, query: list[tuple[str, str]]) -> None:
    """`Link: </v1/coverage?query>; rel="describedby"` on a download."""
    url = str(request.url_for("get_coverage"))
    if query:
        url = f"{url}?{urlencode(query)}"
    response.headers.append("Link", f'<{url}>; rel="describedby"')


class CoverageMeta(BaseModel):
    """The meta of a single answer about years (a pair, a network)."""

    coverage: list[CoverageNote] = Field(description=COVERAGE_DESCRIPTION)
