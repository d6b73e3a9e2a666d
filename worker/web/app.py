"""The ASGI app: Starlette routes, Jinja2 templates (autoescape on), read-only.

Only GET routes exist (Starlette answers 405 to anything else). Every archived string reaches
the page through Jinja2's autoescaping; highlight marks are control characters swapped for
<mark> only after escaping. Errors become a friendly Persian page (or JSON for /api), never a
traceback. /raw/{id} is served with `Content-Security-Policy: sandbox` so archived scripts
never run in the app's origin.
"""
from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from storage import Archive, SearchQueryError, StorageError, open_archive
from worker.web import data
from worker.web.persian import change_kind, fa_digits, jalali, user_day

log = logging.getLogger("bayegan.web")
_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
            "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                                       "script-src 'none'; frame-ancestors 'none'"}


@dataclass(frozen=True, slots=True)
class WebConfig:
    archive_dir: Path
    index_url: str | None = None


class MissingArchive(Exception):
    """The directory holds no archive (or cannot be opened): the page names the directory."""


def _highlight(s: str | None) -> Markup:
    return Markup(str(escape(s or "")).replace("\x02", "<mark>").replace("\x03", "</mark>"))


def _env() -> Environment:
    env = Environment(loader=PackageLoader("worker.web", "templates"), autoescape=select_autoescape(default=True))
    env.filters.update(jalali=jalali, fa=fa_digits, hl=_highlight, change_kind=change_kind)
    env.globals["chart"] = data.chart_points
    return env


class _ArchiveHolder:
    """Opens the archive on first use (so a missing one is a page, not a failed start)."""

    def __init__(self, cfg: WebConfig) -> None:
        self.cfg = cfg
        self._arc: Archive | None = None

    def get(self) -> Archive:
        if self._arc is None:
            root = self.cfg.archive_dir
            if self.cfg.index_url is None and not (root / "index.sqlite3").is_file():
                raise MissingArchive(str(root))
            try:
                self._arc = open_archive(root, index_url=self.cfg.index_url, worker_name="web", read_only=True)
            except StorageError as exc:
                raise MissingArchive(f"{root}: {exc}") from exc
        return self._arc

    def close(self) -> None:
        if self._arc is not None:
            self._arc.close()


def create_app(cfg: WebConfig) -> Starlette:
    env, holder = _env(), _ArchiveHolder(cfg)

    def page(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        html = env.get_template(name).render(request=request, archive_dir=str(cfg.archive_dir), **ctx)
        return HTMLResponse(html, status_code=status, headers=_HEADERS)

    def api(value: Any, status: int = 200) -> JSONResponse:
        return JSONResponse(value, status_code=status, headers=_HEADERS)

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/")

    def _search_args(request: Request) -> dict[str, Any]:
        p = request.query_params
        try:
            since, until = user_day(p.get("since")), user_day(p.get("until"))
        except ValueError as exc:
            raise SearchQueryError(f"تاریخ نامعتبر: {exc}") from exc
        try:
            pg = int(p.get("page") or 1)
        except ValueError:
            pg = 1
        return {"source": p.get("source") or None, "since": since, "until": until, "page": pg}

    def search_page(request: Request) -> Response:
        text = (request.query_params.get("q") or "").strip()
        arc = holder.get()
        ctx: dict[str, Any] = {"q": text, "params": request.query_params, "sources": data.sources_list(arc),
                               "result": None, "error": None}
        if text:
            try:
                ctx["result"] = data.search(arc, text, **_search_args(request))
            except SearchQueryError as exc:
                ctx["error"] = str(exc)
        return page(request, "search.html", **ctx)

    def api_search(request: Request) -> Response:
        text = (request.query_params.get("q") or "").strip()
        if not text:
            return api({"error": "q is required"}, 400)
        try:
            res = data.search(holder.get(), text, **_search_args(request))
        except SearchQueryError as exc:
            return api({"error": str(exc)}, 400)
        results = [{"id": h["id"], "title": h["title"], "url": h["url"], "source": h["source"],
                    "published": h["published"],
                    "snippet": (h.get("snippet") or "").replace("\x02", "**").replace("\x03", "**") or None}
                   for h in res["results"]]
        return api({"total": res["total"], "page": res["page"], "results": results})

    def article_page(request: Request) -> Response:
        info = data.article(holder.get(), request.path_params["id"])
        view = "normalized" if request.query_params.get("view") == "normalized" else "published"
        return page(request, "article.html", info=info, a=info["article"], view=view)

    def versions_page(request: Request) -> Response:
        return page(request, "versions.html", **data.versions(holder.get(), request.path_params["id"]))

    def sources_page(request: Request) -> Response:
        return page(request, "sources.html", rows=data.sources(holder.get()))

    def changes_page(request: Request) -> Response:
        return page(request, "changes.html", rows=data.changes(holder.get()))

    def raw(request: Request) -> Response:
        body = data.raw_capture(holder.get(), request.path_params["id"])
        # sandbox: the archived page runs as an opaque origin with scripts, forms and plugins off
        return Response(body, media_type="text/html", headers={
            "Content-Security-Policy": "sandbox", "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer"})

    def fail(request: Request, status: int, message: str) -> Response:
        if wants_json(request):
            return api({"error": message}, status)
        return page(request, "error.html", status=status, status_code=status, message=message)

    async def not_found(request: Request, exc: Exception) -> Response:
        if isinstance(exc, HTTPException):
            return fail(request, exc.status_code, "صفحه پیدا نشد" if exc.status_code == 404 else str(exc.detail))
        return fail(request, 404, str(exc))

    async def missing(request: Request, exc: Exception) -> Response:
        if wants_json(request):
            return api({"error": f"no archive at {exc}"}, 503)
        return page(request, "missing.html", status=503, where=str(exc))

    async def crash(request: Request, exc: Exception) -> Response:
        log.error("web: %s %s failed: %s: %s", request.method, request.url.path, type(exc).__name__, exc)
        return fail(request, 500, "خطایی پیش آمد؛ جزئیات در گزارش سرور ثبت شد.")

    routes = [
        Route("/", search_page), Route("/search", search_page),
        Route("/articles/{id}", article_page), Route("/articles/{id}/versions", versions_page),
        Route("/sources", sources_page), Route("/changes", changes_page), Route("/raw/{id}", raw),
        Route("/api/search", api_search),
        Route("/api/articles/{id}", lambda r: api(data.article_json(holder.get(), r.path_params["id"]))),
        Route("/api/sources", lambda r: api(data.sources(holder.get()))),
        Route("/api/changes", lambda r: api(data.changes(holder.get()))),
        Mount("/static", StaticFiles(packages=[("worker.web", "static")]), name="static"),
    ]
    handlers: dict[Any, Any] = {HTTPException: not_found, data.NotFoundError: not_found,
                                MissingArchive: missing, Exception: crash}
    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        holder.close()

    return Starlette(routes=routes, exception_handlers=handlers, lifespan=lifespan)
