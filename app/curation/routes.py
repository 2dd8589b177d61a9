"""The write routes of a curated resource, produced from its declaration (`resources.py`).

Every write route reads the same way, so it is written once here:

    with write_transaction(request, principal, if_match) as tx:
        answer = <the domain's write function>(tx, *path keys, [body])
    written(response, tx, request, <path of the resource>)   # its new ETag, no-store
    (201 and `Location` for a create, 204 and no-store for a delete)

The domain rules (what a write checks, changes, re-derives and audits) stay in the domain's
`writes.py`; a declaration only says which function serves which route.

FastAPI reads an endpoint's parameters from its signature. The endpoints here are built from
the declaration, so each gets an explicit `__signature__` (the path keys with their bounds,
the body model, `If-Match`) and the operationId of the route it replaces.
"""

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from app.auth.deps import CuratorDep, Principal
from app.curation.inputs import ThreatSlug
from app.curation.transaction import IfMatch, Write, write_responses, write_transaction, written


@dataclass(frozen=True)
class Key:
    """A path parameter that names a record: `slug`, `code`, `source_id`..."""

    name: str
    annotation: Any  # Annotated[str, Path(...)]: its bounds and examples are in the document


@dataclass(frozen=True)
class Action:
    """One route: its operationId, the write function it calls, its body, its description.

    The write function is called as `run(tx, *keys)`, plus the body when there is one; the keys
    are the path parameters in path order.
    """

    name: str
    run: Callable[..., Any]
    doc: str
    body: type[BaseModel] | None = None


@dataclass(frozen=True)
class SubResource:
    """`PUT` and `DELETE {item}/{segment}/{key}`: a fact held under the resource (a member, a
    party, a threat link). Both check `If-Match` against the resource and change its ETag."""

    segment: str
    key: Key
    put: Action
    delete: Action
    response_model: type[BaseModel] | None = None  # default: the resource's detail


@dataclass(frozen=True)
class Resource:
    """A curated resource: where it lives and which write function serves each route.

    `parents` are the keys of an enclosing resource (an edition lives under its series): a
    create under a parent is checked with `If-Match` against the parent. `key_field` is the
    field of the answer that names the record in its path (for `Location` and the ETag).
    `respond`, when set, turns the committed answer into the response (with data read after
    the commit); it receives the request, the new data version and the answer.
    """

    tag: str
    collection: str
    key: Key
    detail: type[BaseModel]
    parents: tuple[Key, ...] = ()
    key_field: str = "slug"
    create: Action | None = None
    update: Action | None = None
    delete: Action | None = None
    subresources: tuple[SubResource, ...] = ()
    respond: Callable[[Request, int, Any], BaseModel] | None = None

    @property
    def item(self) -> str:
        return f"{self.collection}/{{{self.key.name}}}"


THREAT = Key("threat", ThreatSlug)


def threat_links(noun: str, link: Callable[..., Any], unlink: Callable[..., Any]) -> SubResource:
    """`PUT`/`DELETE {item}/threats/{threat}` (operationIds `link_{noun}_threat`...)."""
    what = noun.replace("_", " ")
    return SubResource(
        "threats",
        THREAT,
        put=Action(
            f"link_{noun}_threat", link, f"Record that the {what} addresses a threat (idempotent)."
        ),
        delete=Action(
            f"unlink_{noun}_threat", unlink, f"Remove the link between the {what} and a threat."
        ),
    )


class _Endpoint:
    """A route function with a declared signature, which is what FastAPI reads."""

    def __init__(
        self, name: str, parameters: list[inspect.Parameter], run: Callable[..., Any]
    ) -> None:
        self.__name__ = name
        self.__signature__ = inspect.Signature(parameters)
        self._run = run

    def __call__(self, **values: Any) -> Any:
        return self._run(**values)


def _parameter(name: str, annotation: Any, **default: Any) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, **default)


def _signature(keys: tuple[Key, ...], body: type[BaseModel] | None, if_match: bool) -> list[Any]:
    parameters = [
        _parameter("request", Request),
        _parameter("response", Response),
        _parameter("principal", CuratorDep),
        *(_parameter(key.name, key.annotation) for key in keys),
    ]
    if body is not None:
        parameters.append(_parameter("body", body))
    if if_match:
        parameters.append(_parameter("if_match", IfMatch, default=None))
    return parameters


class _Routes:
    """Adds the routes of one resource to a router."""

    def __init__(self, router: APIRouter, resource: Resource) -> None:
        self.router = router
        self.resource = resource

    def add(
        self,
        method: str,
        path: str,
        action: Action,
        keys: tuple[Key, ...],
        answer: Callable[[Request, Response, Write, Any], Any],
        *,
        status_code: int = 200,
        response_model: type[BaseModel] | None = None,
        if_match: bool = True,
    ) -> None:
        def run(
            request: Request,
            response: Response,
            principal: Principal,
            if_match: str | None = None,
            body: BaseModel | None = None,
            **values: str,
        ) -> Any:
            args = [values[key.name] for key in keys]
            with write_transaction(request, principal, if_match) as tx:
                result = action.run(tx, *args, *([body] if action.body else []))
            return answer(request, response, tx, result)

        self.router.add_api_route(
            path,
            _Endpoint(action.name, _signature(keys, action.body, if_match), run),
            methods=[method],
            name=action.name,
            description=inspect.cleandoc(action.doc),
            status_code=status_code,
            response_model=response_model,
            responses=write_responses(precondition=if_match),
            tags=[self.resource.tag],
        )

    def created(self, request: Request, response: Response, tx: Write, result: Any) -> Any:
        path = self.path_of(request, result)
        written(response, tx, request, path)
        response.headers["Location"] = path
        return result

    def path_of(self, request: Request, result: Any) -> str:
        """The canonical path of the record a create or an update answers with."""
        collection = self.resource.collection.format_map(request.path_params)
        return f"{collection}/{getattr(result, self.resource.key_field)}"

    def updated(self, request: Request, response: Response, tx: Write, result: Any) -> Any:
        written(response, tx, request, self.path_of(request, result))
        respond = self.resource.respond
        return result if respond is None else respond(request, tx.version, result)

    def under_item(self, request: Request, response: Response, tx: Write, result: Any) -> Any:
        written(response, tx, request, self.resource.item.format_map(request.path_params))
        return result

    @staticmethod
    def deleted(request: Request, response: Response, tx: Write, result: Any) -> Response:
        return Response(status_code=204, headers={"Cache-Control": "no-store"})


def curated_router(resource: Resource) -> APIRouter:
    """The write routes of a resource: create, update, delete, and each sub-resource's."""
    router = APIRouter()
    routes = _Routes(router, resource)
    keys = (*resource.parents, resource.key)
    detail = resource.detail
    if resource.create:
        routes.add(
            "POST",
            resource.collection,
            resource.create,
            resource.parents,
            routes.created,
            status_code=201,
            response_model=detail,
            if_match=bool(resource.parents),
        )
    if resource.update:
        routes.add(
            "PATCH", resource.item, resource.update, keys, routes.updated, response_model=detail
        )
    if resource.delete:
        routes.add("DELETE", resource.item, resource.delete, keys, routes.deleted, status_code=204)
    for sub in resource.subresources:
        path = f"{resource.item}/{sub.segment}/{{{sub.key.name}}}"
        sub_keys = (*keys, sub.key)
        model = sub.response_model or detail
        routes.add("PUT", path, sub.put, sub_keys, routes.under_item, response_model=model)
        routes.add("DELETE", path, sub.delete, sub_keys, routes.deleted, status_code=204)
    return router
