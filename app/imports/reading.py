"""Reading a dataset's files: what every importer's reader does alike."""

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from app.imports.report import ImportFailed


def read_csv_rows(path: Path, required: Sequence[str], dataset: str) -> list[dict[str, str]]:
    """Every row of a dataset's CSV file, its cells as text: a short row's missing cells are
    empty, a long row's extra ones dropped. ImportFailed when the file cannot be read as CSV
    or lacks a `required` column (`dataset` names what the file should be)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                raise ImportFailed(f"{path.name} is not {dataset}: it lacks the columns {missing}")
            return [{k: v or "" for k, v in row.items() if isinstance(k, str)} for row in reader]
    except FileNotFoundError as error:
        raise ImportFailed(f"{path.parent} has no {path.name}") from error
    except OSError as error:
        raise ImportFailed(f"{path}: cannot be read ({error.strerror})") from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise ImportFailed(f"{path.name} cannot be read as CSV: {error}") from error


def read_yaml(path: Path) -> dict[str, Any]:
    """A mapping file of an importer (names, aliases, what a dataset's codes mean) as a dict;
    an empty file is an empty one. ImportFailed when it cannot be read as YAML."""
    try:
        with path.open(encoding="utf-8") as handle:
            data: dict[str, Any] = yaml.safe_load(handle) or {}
    except yaml.YAMLError as error:
        raise ImportFailed(f"{path.name}: {error}") from error
    return data
