"""The write routes of a curated resource, produced from its declaration (`resources.py`).

Every write route reads the same way, so it is written once here:

    with write_transaction(request, principal, if_match) as tx:
        answer = <the domain's write function>(tx, *path keys[, body])
    written(response, tx, request, <path of the resource>)   # its new ETag, no-store

with 201 and `Location` for a create, 204 for a delete. What a write checks, changes and
audits stays in `app/curation/writes/<domain>.py`: a declaration only says which function
serves which route. FastAPI reads an endpoint's parameters from its signature, so each
endpoint gets an explicit `__signature__`: the path keys with their bounds, the body model,
`If-Match`.
"""

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Optional

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from app.auth.deps import CuratorDep, Principal
from app.core.inputs import ThreatSlug
from app.curation.transaction import IfMatch, Write, write_responses, write_transaction, written
from app.threats.schemas import ThreatLinkPut


@dataclass(frozen=True)
class Key:
    """A path parameter that names a record: `slug`, `code`, `source_id`..."""

    name: str
    annotation: Any  # Annotated[str, Path(...)]: its bounds and examples are in the document


@dataclass(frozen=True)
class Action:
    """The write function behind a route, called as `run(tx, *path keys[, body])`, and the
    route's description."""

    run: Callable[..., Any]
    doc: str
    body: type[BaseModel] | None = None
    body_optional: bool = False  # the route also takes no body at all


@dataclass(frozen=True)
class SubResource:
    """`PUT` and `DELETE {item}/{segment}/{key}` (operationIds `put_{name}`, `delete_{name}`):
    a fact held under the resource. Both check `If-Match` against the resource and answer
    with its new ETag."""

    name: str
    segment: str
    key: Key
    put: Action
    delete: Action
    model: type[BaseModel] | None = None  # of the PUT's answer; default: the resource's detail
    verbs: tuple[str, str] = ("put", "delete")


@dataclass(frozen=True)
class Resource:
    """A curated resource, with operationIds `create_{name}`, `update_{name}`, `delete_{name}`.

    `parents` are the keys of an enclosing resource (an edition lives under its series): a
    create under a parent checks `If-Match` against it. `key_field` is the field of the answer
    that names the record in its path. `respond`, when set, makes the response of an update
    from the committed answer (the request, the new data version, the answer).
    """

    name: str
    collection: str
    key: Key
    detail: type[BaseModel]
    create: Action | None = None
    update: Action | None = None
    delete: Action | None = None
    subresources: tuple[SubResource, ...] = ()
    parents: tuple[Key, ...] = ()
    key_field: str = "slug"
    respond: Callable[[Request, int, Any], BaseModel] | None = None

    @property
    def item(self) -> str:
        return f"{self.collection}/{{{self.key.name}}}"


def threat_links(noun: str, link: Callable[..., Any], unlink: Callable[..., Any]) -> SubResource:
    """`PUT`/`DELETE {item}/threats/{threat}`: operationIds `link_{noun}_threat`, `unlink_...`."""
    what = noun.replace("_", " ")
    return SubResource(
        f"{noun}_threat",
        "threats",
        Key("threat", ThreatSlug),
        Action(
            link,
            f"""Record that the {what} addresses a threat, and when.

            The body (optional) gives the link's period and the source dating it; the period
            must lie within the {what}'s own (a 422 otherwise), and a dated link needs its
            source. Without a body a new link is undated (it holds for the {what}'s whole
            period) and an existing one is left as it is (idempotent); with one, the link's
            period and source become what it says. The ties of the {what} address the threat
            only within the link's period, at once.""",
            ThreatLinkPut,
            body_optional=True,
        ),
        Action(unlink, f"Remove the link between the {what} and a threat."),
        verbs=("link", "unlink"),
    )


class _Endpoint:
    """A route function with a declared signature, which is what FastAPI reads."""

    def __init__(self, name: str, parameters: list[Any], run: Callable[..., Any]) -> None:
        self.__name__ = name
        self.__signature__ = inspect.Signature(parameters)
        self._run = run

    def __call__(self, **values: Any) -> Any:
        return self._run(**values)


def _parameter(name: str, annotation: Any, **default: Any) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, **default)


Answer = Callable[[Request, Response, Write, Any], Any]


def _body(action: Action) -> inspect.Parameter:
    if action.body_optional:
        return _parameter("body", Optional[action.body], default=None)  # noqa: UP045
    return _parameter("body", action.body)


def _add(
    router: APIRouter,
    method: str,
    path: str,
    name: str,
    action: Action,
    keys: tuple[Key, ...],
    answer: Answer,
    response_model: type[BaseModel] | None,
) -> None:
    """A route that runs `action` in a write transaction and answers with `answer`.

    Every write but a top-level create names an existing record, so it takes `If-Match`."""
    if_match = method != "POST" or bool(keys)
    parameters = [
        _parameter("request", Request),
        _parameter("response", Response),
        _parameter("principal", CuratorDep),
        *(_parameter(key.name, key.annotation) for key in keys),
        *([_body(action)] if action.body else []),
        *([_parameter("if_match", IfMatch, default=None)] if if_match else []),
    ]

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
            result = action.run(tx, *args, *([] if body is None else [body]))
        return answer(request, response, tx, result)

    router.add_api_route(
        path,
        _Endpoint(name, parameters, run),
        methods=[method],
        name=name,
        description=inspect.cleandoc(action.doc),
        status_code={"POST": 201, "DELETE": 204}.get(method, 200),
        response_model=response_model,
        responses=write_responses(precondition=if_match),
        tags=[path.split("/")[2]],
    )


def _deleted(request: Request, response: Response, tx: Write, result: Any) -> Response:
    return Response(status_code=204, headers={"Cache-Control": "no-store"})


def curated_router(resource: Resource) -> APIRouter:
    """The write routes of a resource: create, update, delete, and each sub-resource's."""
    r = resource

    def path_of(request: Request, result: Any) -> str:
        """The canonical path of the record a create or an update answers with."""
        return f"{r.collection.format_map(request.path_params)}/{getattr(result, r.key_field)}"

    def created(request: Request, response: Response, tx: Write, result: Any) -> Any:
        response.headers["Location"] = path_of(request, result)
        written(response, tx, request, response.headers["Location"])
        return result

    def updated(request: Request, response: Response, tx: Write, result: Any) -> Any:
        written(response, tx, request, path_of(request, result))
        return result if r.respond is None else r.respond(request, tx.version, result)

    def under_item(request: Request, response: Response, tx: Write, result: Any) -> Any:
        written(response, tx, request, r.item.format_map(request.path_params))
        return result

    keys = (*r.parents, r.key)
    routes = [
        ("POST", r.collection, f"create_{r.name}", r.create, r.parents, created, r.detail),
        ("PATCH", r.item, f"update_{r.name}", r.update, keys, updated, r.detail),
        ("DELETE", r.item, f"delete_{r.name}", r.delete, keys, _deleted, None),
    ]
    for sub in r.subresources:
        path, sub_keys = f"{r.item}/{sub.segment}/{{{sub.key.name}}}", (*keys, sub.key)
        put, delete = (f"{verb}_{sub.name}" for verb in sub.verbs)
        routes.append(("PUT", path, put, sub.put, sub_keys, under_item, sub.model or r.detail))
        routes.append(("DELETE", path, delete, sub.delete, sub_keys, _deleted, None))
    router = APIRouter()
    for method, path, name, action, action_keys, answer, model in routes:
        if action is not None:
            _add(router, method, path, name, action, action_keys, answer, model)
    return router
