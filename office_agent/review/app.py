"""The review page: a Starlette app over a :class:`~office_agent.review.session.ReviewSession`, server-rendered
with Jinja2 and a little htmx (shipped in ``static/``; no CDN, nothing fetched from outside).

Every request is hostile input: an unknown id or asset is a 404, a field that cannot be corrected or a value of
the wrong kind a 400 with the reason, a body over :data:`MAX_BODY` a 413, a request from another origin (no
session token, or a Host that is not this server) a 403. Nothing outside the output folder is ever written, and
no file is served but the bundled assets. Errors are one-line messages, never a traceback.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from office_agent.corrections import CORRECTABLE, CorrectionError
from office_agent.generate.labels import category_name, field_name
from office_agent.generate.pageimage import page_image
from office_agent.generate.report import CSS as REPORT_CSS
from office_agent.generate.report import card_html
from office_agent.review.session import Entry, Filters, ReviewSession
from office_agent.review.words import say

HERE = Path(__file__).resolve().parent
ASSETS = {"htmx.min.js": "text/javascript; charset=utf-8"}  # the only files served, by exact name
MAX_BODY = 64 * 1024
TOKEN_HEADER = "x-review-token"


def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))
    env.filters["money"] = lambda v: "" if v is None else f"¥{v:,.2f}"
    return env


def _fail(status: int, message: str) -> HTTPException:
    return HTTPException(status_code=status, detail=message)


async def _form(request: Request) -> dict[str, str]:
    """The URL-encoded body, at most :data:`MAX_BODY` bytes, one value a key."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        raise _fail(413, f"the request is over {MAX_BODY // 1024} KB")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise _fail(413, f"the request is over {MAX_BODY // 1024} KB")
    try:
        pairs = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False, max_num_fields=100)
    except (UnicodeDecodeError, ValueError) as exc:
        raise _fail(400, f"not a form ({exc})") from exc
    return {k: v[-1] for k, v in pairs.items()}


class ReviewApp:
    """The routes; ``app`` is the ASGI application."""

    def __init__(self, session: ReviewSession, token: str | None = None) -> None:
        self.session = session
        self.token = token or secrets.token_urlsafe(24)
        self.env = _env()
        self.app = Starlette(
            routes=[
                Route("/", self.index),
                Route("/card/{ident}", self.card),
                Route("/edit/{ident}/{name}", self.edit),
                Route("/correct/{ident}", self.correct, methods=["POST"]),
                Route("/accept/{ident}", self.accept, methods=["POST"]),
                Route("/ledger", self.ledger),
                Route("/static/{name}", self.static),
            ],
            exception_handlers={HTTPException: self.error, Exception: self.crash},  # type: ignore[dict-item]
        )

    # -- guards ----------------------------------------------------------------------------------------------------

    def _guard(self, request: Request) -> None:
        host = (request.headers.get("host") or "").rsplit(":", 1)[0]
        if host not in ("127.0.0.1", "localhost", "[::1]"):  # another name: a DNS-rebinding page, refused
            raise _fail(403, "this page answers only on 127.0.0.1")
        if request.method == "POST" and not secrets.compare_digest(request.headers.get(TOKEN_HEADER, ""), self.token):
            raise _fail(403, "a save must come from the review page itself (session token missing or wrong)")

    def _entry(self, ident: str) -> Entry:
        try:
            return self.session.entry(ident)
        except KeyError:
            raise _fail(404, f"no invoice with id {ident[:80]!r} (the list may have changed: reload)") from None

    async def error(self, request: Request, exc: HTTPException) -> Response:
        return PlainTextResponse(f"{exc.status_code}: {exc.detail}", status_code=exc.status_code)

    async def crash(self, request: Request, exc: Exception) -> Response:
        return PlainTextResponse(f"500: {type(exc).__name__}: {exc}", status_code=500)

    # -- pages -----------------------------------------------------------------------------------------------------

    def _filters(self, request: Request) -> Filters:
        q = request.query_params
        return Filters.parse(q.get("status"), q.get("category"), q.get("person"))

    def _render(self, template: str, **ctx: Any) -> str:
        lang = self.session.options.lang
        return self.env.get_template(template).render(
            s=self.session, lang=lang, say=lambda key, **kw: say(key, lang, **kw), token=self.token,
            category_name=lambda c: category_name(c, lang), **ctx,
        )  # fmt: skip

    def _card(self, entry: Entry, filters: Filters, message: str | None = None) -> str:
        inv = entry.row.invoice
        image = page_image(inv, self.session.source_root)
        prev_id, next_id = self.session.neighbours(entry.id, filters)
        return self._render(
            "card.html", entry=entry, prev_id=prev_id, next_id=next_id, filters=filters, message=message,
            card=Markup(card_html(inv, entry.row.review, self.session.options.lang, image)),
        )  # fmt: skip

    async def index(self, request: Request) -> Response:
        self._guard(request)
        filters = self._filters(request)
        rows = self.session.rows(filters)
        wanted = request.query_params.get("id")
        current = self.session.by_id.get(wanted or "") or (rows[0] if rows else None)
        html = self._render(
            "index.html", rows=rows, filters=filters, current=current, report_css=Markup(REPORT_CSS),
            state=self.ledger_state(),
            card=Markup(self._card(current, filters)) if current else None,
        )  # fmt: skip
        return HTMLResponse(html)

    async def card(self, request: Request) -> Response:
        self._guard(request)
        return HTMLResponse(self._card(self._entry(request.path_params["ident"]), self._filters(request)))

    async def edit(self, request: Request) -> Response:
        self._guard(request)
        entry = self._entry(request.path_params["ident"])
        name = request.path_params["name"]
        if name not in CORRECTABLE:
            raise _fail(400, f"{name[:80]!r} is not a field that can be corrected")
        from office_agent.corrections.model import as_text

        value = as_text(getattr(entry.row.invoice, name)) or ""
        label = field_name(name, self.session.options.lang)
        html = self._render("edit.html", entry=entry, name=name, label=label, value=value,
                            filters=self._filters(request))  # fmt: skip
        return HTMLResponse(html)

    async def correct(self, request: Request) -> Response:
        self._guard(request)
        ident = request.path_params["ident"]
        self._entry(ident)
        form = await _form(request)
        name, value = form.get("field", ""), form.get("value", "")
        if len(value) > 2000:
            raise _fail(400, "the value is over 2,000 characters")
        try:
            saved = self.session.correct(ident, {name: value}, by=form.get("by") or None)
        except CorrectionError as exc:
            raise _fail(400, str(exc)) from exc
        return self._after_save(request, ident, say("saved", self.session.options.lang, s=saved.seconds))

    async def accept(self, request: Request) -> Response:
        self._guard(request)
        ident = request.path_params["ident"]
        self._entry(ident)
        await _form(request)
        saved = self.session.accept(ident)
        return self._after_save(request, ident, say("accepted", self.session.options.lang, s=saved.seconds))

    def _after_save(self, request: Request, ident: str, message: str) -> Response:
        filters = self._filters(request)
        entry = self.session.by_id.get(ident)
        if entry is None:
            raise _fail(404, f"no invoice with id {ident[:80]!r} after the save (reload)")
        rows = self.session.rows(filters)
        body = self._card(entry, filters, message) + self._render("list.html", rows=rows, filters=filters,
                                                                  current=entry, oob=True)  # fmt: skip
        return HTMLResponse(body)

    def ledger_state(self) -> str:
        """One line: whether the ledger on disk has every saved correction yet."""
        writer, lang = self.session.ledger, self.session.options.lang
        if writer is None or writer.wanted == 0:
            return say("ledger.none", lang)
        if writer.error:
            return say("ledger.error", lang, e=writer.error)
        if writer.pending or writer.written_at is None:
            return say("ledger.pending", lang)
        when = time.strftime("%H:%M:%S", time.localtime(writer.written_at))
        return say("ledger.done", lang, when=when, s=writer.seconds or 0.0)

    async def ledger(self, request: Request) -> Response:
        self._guard(request)
        return HTMLResponse(self._render("ledger.html", state=self.ledger_state()))

    async def static(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in ASSETS:
            raise _fail(404, "no such asset")
        return Response((HERE / "static" / name).read_bytes(), media_type=ASSETS[name],
                        headers={"cache-control": "max-age=3600"})  # fmt: skip
