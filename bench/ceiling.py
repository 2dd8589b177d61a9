"""The bare-Starlette ceiling: the smallest JSON endpoint, served like defcoop.

Run by bench/run.py as `uvicorn ceiling:app --app-dir bench --workers 2`.
"""

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


async def fixed(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok", "service": "ceiling"})


app = Starlette(routes=[Route("/", fixed), Route("/health", fixed)])
