"""The OpenAPI document without its prose, for comparing the API's shape across refactors."""

from typing import Any

# Prose may be reworded without changing what a client can send or receive.
_PROSE = {"description", "summary"}


def without_descriptions(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: without_descriptions(value)
            for key, value in node.items()
            if not (key in _PROSE and isinstance(value, str))
        }
    if isinstance(node, list):
        return [without_descriptions(item) for item in node]
    return node


if __name__ == "__main__":
    import json
    import tempfile
    from pathlib import Path

    from app.core.config import Settings
    from app.main import create_app

    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'openapi.db'}"
        document = create_app(Settings(database_url=url)).openapi()
    print(json.dumps(without_descriptions(document), indent=1, sort_keys=True))
