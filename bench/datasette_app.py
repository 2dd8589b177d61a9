"""datasette as an ASGI app, so that uvicorn serves it with the same workers as defcoop.

Run by bench/run.py as `uvicorn datasette_app:create_app --factory --app-dir bench
--workers 2` with BENCH_DATASETTE_DB set to the SQLite file. The file is opened immutable
(`datasette -i`, as datasette recommends for published data) with the canned queries of
`datasette-metadata.json`; the SQL time limit is raised so that slow queries are measured,
not cut off.
"""

import json
import os
from pathlib import Path
from typing import Any

from datasette.app import Datasette
from naive_sql import DATABASE_KEY, METADATA_PATH


def create_app() -> Any:
    database = Path(os.environ["BENCH_DATASETTE_DB"])
    metadata = json.loads(METADATA_PATH.read_text(encoding="utf-8"))
    # datasette names a database after its file
    metadata["databases"] = {database.stem: metadata["databases"][DATABASE_KEY]}
    datasette = Datasette(
        immutables=[str(database)],
        metadata=metadata,
        settings={"sql_time_limit_ms": 120_000, "max_returned_rows": 1000},
    )
    return datasette.app()
