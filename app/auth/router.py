"""Managing API keys over HTTP (admin scope); the CLI does the same."""

from typing import Annotated

from fastapi import APIRouter, Path, Response
from fastapi.responses import StreamingResponse
from sqlalchemy import select

from app.auth import keys
from app.auth.deps import AUTH_RESPONSES, AdminDep
from app.auth.models import ApiKey
from app.auth.schemas import KeyCreate, KeyCreated, KeyOut
from app.core.deps import SessionDep
from app.core.pagination import LIST_RESPONSES, Page, PagingDep, SortKey, fetch_page
from app.core.params import text_param
from app.core.problems import NOT_FOUND_RESPONSES, ProblemError
from app.curation.transaction import write_responses

router = APIRouter(prefix="/v1/keys", tags=["keys"])

KeyName = Annotated[str, text_param("Name of the key", "ana", max_length=80, where=Path)]


@router.get("", response_model=Page[KeyOut], responses={**LIST_RESPONSES, **AUTH_RESPONSES})
def list_api_keys(
    _admin: AdminDep, session: SessionDep, paging: PagingDep
) -> Page[KeyOut] | StreamingResponse:
    """Every API key, revoked and expired ones too, by name (admin scope)."""
    return paging.of(
        lambda p: fetch_page(session, select(ApiKey), SortKey(ApiKey.name, ApiKey.id), p),
        lambda rows: [KeyOut.model_validate(row) for row in rows],
    )


@router.post(
    "", status_code=201, response_model=KeyCreated, responses=write_responses(precondition=False)
)
def create_api_key(
    response: Response, admin: AdminDep, session: SessionDep, body: KeyCreate
) -> KeyCreated:
    """Create a key (admin scope); the answer holds its secret, which is shown only once."""
    try:
        key, secret = keys.create_key(
            session,
            name=body.name,
            scope=body.scope,
            by=admin.name,
            expires_in_days=body.expires_in_days,
        )
        session.commit()
    except keys.KeyCommandError as error:
        raise ProblemError(409, str(error)) from None
    response.headers["Cache-Control"] = "no-store"
    return KeyCreated(**KeyOut.model_validate(key).model_dump(), secret=secret)


@router.delete(
    "/{name}",
    status_code=204,
    responses={**NOT_FOUND_RESPONSES, **write_responses(precondition=False)},
)
def revoke_api_key(admin: AdminDep, session: SessionDep, name: KeyName) -> Response:
    """Revoke a key at once (admin scope); it stays listed with its `revoked_at`."""
    try:
        keys.revoke_key(session, name, by=admin.name)
        session.commit()
    except keys.KeyCommandError as error:
        raise ProblemError(404, str(error)) from None
    return Response(status_code=204, headers={"Cache-Control": "no-store"})
