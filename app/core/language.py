"""Names in the reader's language (issue 16): English, or Indonesian, the seed article's.

A read asks with `?lang=id` or `Accept-Language: id` (the parameter wins; the header is
negotiated, so an unsupported language there is English, while `?lang=fr` is a 422). Only
names change: every record that has a `name` (`Named`: countries, threats, organizations,
initiatives, wherever they are embedded) gives it in that language, the names being read
once per data version (`NameCatalog`). A record with no name in that language keeps its
English one; `name_lang` then says `en`. Names are never translated here: a dataset's own
labels (an MME exercise, an ATOP alliance) have none and stay English.

One mechanism for every route: `LanguageMiddleware` negotiates, loads the names and puts
them in a context variable for the request; `Named`'s serializer reads it as each record is
written out, in JSON, CSV or any download. The answer says `Content-Language`; the response
cache and the ETags are keyed by the negotiated language (`requested_language`), and every
/v1 answer varies on `Accept-Language`.
"""

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from enum import StrEnum
from functools import cached_property
from typing import Annotated, ClassVar
from urllib.parse import parse_qsl

import anyio.to_thread
from fastapi import Query
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    model_serializer,
)
from pydantic.json_schema import SkipJsonSchema
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.memo import LruCache


class Language(StrEnum):
    en = "en"
    id = "id"


ENGLISH = Language.en

# kind -> key -> name: `{"country": {"IDN": "Indonesia"}, "threat": {"terrorism": "Terorisme"}}`
NameBook = Mapping[str, Mapping[str, str]]


# Taken by every route (`core/params.known_query_parameters` declares it); checked there,
# applied by `LanguageMiddleware` before the route runs.
LangQuery = Annotated[
    Language | None,
    Query(
        description="The language of names: `id` gives Indonesian names where one exists "
        "(each record's `name_lang` says which); default: `Accept-Language`, else English",
        examples=["id"],
    ),
]


def _from_accept_language(header: str) -> Language:
    """The supported language the client prefers most (RFC 9110 q-values; ties: first)."""
    best, best_q = ENGLISH, 0.0
    for part in header.split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        primary = tag.strip().split("-")[0].lower()
        if primary in Language.__members__ and q > best_q:
            best, best_q = Language(primary), q
    return best


def requested_language(scope: Scope) -> Language:
    """The language of a request's names: `lang` when it is a supported one, else the best
    of `Accept-Language`, else English (an unsupported `lang` is refused by the route)."""
    state = scope.setdefault("state", {})
    if "language" not in state:
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        asked = query.get("lang")
        if asked is not None and asked in Language.__members__:
            state["language"] = Language(asked)
        else:
            header = b",".join(v for k, v in scope.get("headers", []) if k == b"accept-language")
            state["language"] = _from_accept_language(header.decode("latin-1"))
    language: Language = state["language"]
    return language


class _Localization:
    """A request's language and its names, read when first needed."""

    def __init__(self, language: Language, read: Callable[[], NameBook]) -> None:
        self.language = language
        self._read = read

    @cached_property
    def names(self) -> NameBook:
        return self._read()


_CURRENT: ContextVar[_Localization | None] = ContextVar("defcoop_names", default=None)


def localizing() -> bool:
    """Whether names are given in another language than English in this request."""
    return _CURRENT.get() is not None


@contextmanager
def in_english() -> Iterator[None]:
    """Names in English within the block, whatever the request asked for (what is stored)."""
    token = _CURRENT.set(None)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def localized(kind: str, key: str, english: str) -> tuple[str, Language | None]:
    """The name of one record in the request's language, and that language: None in an
    English answer, `en` where the record has no name in the language asked for."""
    current = _CURRENT.get()
    if current is None:
        return english, None
    name = current.names.get(kind, {}).get(key)
    return (name, current.language) if name else (english, ENGLISH)


class Named(BaseModel):
    """A record with a `name`, given in the request's language.

    A subclass says which record it is: `name_kind` and the field holding its key
    (`name_key`), or `name_entity` when the kind is in the record itself."""

    model_config = ConfigDict(from_attributes=True)  # read from rows, like core.fields.FromRow

    name_kind: ClassVar[str] = ""
    name_key: ClassVar[str] = "slug"

    # Never null when written: absent in English, `en` or the language asked for otherwise.
    name_lang: Language | SkipJsonSchema[None] = Field(
        default=None,
        description="The language of `name`, in an answer in another language than English "
        "(`lang=id`): `en` where the record has no name in that language (absent in English)",
        examples=["id"],
    )

    def name_entity(self) -> tuple[str, str]:
        return self.name_kind, str(getattr(self, self.name_key))

    # No return annotation: one would replace the model's own schema in the OpenAPI document.
    @model_serializer(mode="wrap")
    def _in_language(  # type: ignore[no-untyped-def]
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ):
        data = handler(self)
        data.pop("name_lang", None)
        # Only what is written out (JSON, and CSV from it): a representation copying a
        # record's fields (`model_dump()`) keeps its English name, and the answer of a write
        # is named after its commit.
        if not info.mode_is_json() or "name" not in data:
            return data
        name, language = localized(*self.name_entity(), data["name"])
        if language is not None:
            data["name"] = name
            data["name_lang"] = language
        return data


class NameCatalog:
    """The names in each language other than English, read once per data version."""

    def __init__(
        self, session_factory: sessionmaker[Session], read: Callable[[Session], NameBook]
    ) -> None:
        self._session_factory = session_factory
        self._read = read
        self._books: LruCache[int, NameBook] = LruCache(maxsize=2)

    def read(self) -> NameBook:
        """The names as the database holds them now."""
        with self._session_factory() as session:
            return self._read(session)

    def loaded(self, version: int) -> NameBook | None:
        """The names of this version when already read (no trip to a thread)."""
        return self._books.get(version)

    def at(self, version: int) -> NameBook:
        return self._books.get_or_build(version, self.read)


class LanguageMiddleware:
    """Negotiates the language of a /v1 request and gives its names to the serializers.

    Inside the response cache, which keys its entries and ETags by the same negotiation:
    a cached answer skips this, and a built one leaves with its `Content-Language`."""

    def __init__(self, app: ASGIApp, catalog: NameCatalog) -> None:
        self.app = app
        self.catalog = catalog

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        language = requested_language(scope)

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Language"] = language.value
                headers.add_vary_header("Accept-Language")
            await send(message)

        if language is ENGLISH:
            await self.app(scope, receive, send_with_language)
            return
        version = scope.get("state", {}).get("data_version")  # set on reads by the cache
        if version is None:
            # A write answers with what it wrote: its names are read after its commit, as
            # its answer is written out (writes are rare; a read is 7 small SELECTs).
            localization = _Localization(language, self.catalog.read)
        else:
            book = self.catalog.loaded(version)
            if book is None:
                book = await anyio.to_thread.run_sync(self.catalog.at, version)
            localization = _Localization(language, lambda: book)
        token = _CURRENT.set(localization)
        try:
            await self.app(scope, receive, send_with_language)
        finally:
            _CURRENT.reset(token)
