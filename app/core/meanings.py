"""What the columns that many tables share mean, as the release's codebook states it (each
model's column `doc`, read by `app/releases/tables.py`): written once here."""

ROW_ID = "defcoop's id of the row: stable within a release, not across releases"
SLUG = "Stable lowercase key of the record, used in the API's paths and filters"
NAME_ID = "Name in Indonesian; empty: none known (the English name stands)"
DESCRIPTION = "What it is, in free text; empty: not written"
NOTE = "What a reader should know about the record, in free text; empty: nothing to add"
LOCATOR = "Where in the source the fact stands: a section, a page, or a dataset's row"


def precision_doc(date_column: str) -> str:
    """The meaning of the precision column of `date_column`."""
    return (
        f"How much of `{date_column}` is known: `day`, `month` or `year` (a partial date is "
        "stored as the first day of its month or year); empty when the date is"
    )


def period_docs(
    start: str, end: str, no_start: str = "unknown", no_end: str = "ongoing"
) -> dict[str, str]:
    """The meanings of a fact's `start_date` and `end_date` (`PeriodMixin`), for a model's
    `__column_docs__`: the end is exclusive, the first day the fact no longer holds."""
    return {
        "start_date": f"{start}; empty: {no_start}",
        "end_date": f"Exclusive: {end}; empty: {no_end}",
    }
