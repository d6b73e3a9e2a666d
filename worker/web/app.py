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


class _Views:
    """The request handlers: each renders one template (or JSON under /api) over the archive."""

    def __init__(self, cfg: WebConfig) -> None:
        self.cfg, self.env, self.holder = cfg, _env(), _ArchiveHolder(cfg)

    def page(self, request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        html = self.env.get_template(name).render(request=request, archive_dir=str(self.cfg.archive_dir), **ctx)
        return HTMLResponse(html, status_code=status, headers=_HEADERS)

    @staticmethod
    def api(value: Any, status: int = 200) -> JSONResponse:
        return JSONResponse(value, status_code=status, headers=_HEADERS)

    @staticmethod
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

    def search_page(self, request: Request) -> Response:
        text = (request.query_params.get("q") or "").strip()
        arc = self.holder.get()
        ctx: dict[str, Any] = {"q": text, "params": request.query_params, "sources": data.sources_list(arc),
                               "result": None, "error": None}
        if text:
            try:
                ctx["result"] = data.search(arc, text, **self._search_args(request))
            except SearchQueryError as exc:
                ctx["error"] = str(exc)
        return self.page(request, "search.html", **ctx)

    def api_search(self, request: Request) -> Response:
        text = (request.query_params.get("q") or "").strip()
        if not text:
            return self.api({"error": "q is required"}, 400)
        try:
            res = data.search(self.holder.get(), text, **self._search_args(request))
        except SearchQueryError as exc:
            return self.api({"error": str(exc)}, 400)
        results = [{"id": h["id"], "title": h["title"], "url": h["url"], "source": h["source"],
                    "published": h["published"],
                    "snippet": (h.get("snippet") or "").replace("\x02", "**").replace("\x03", "**") or None}
                   for h in res["results"]]
        return self.api({"total": res["total"], "page": res["page"], "results": results})

    def article_page(self, request: Request) -> Response:
        info = data.article(self.holder.get(), request.path_params["id"])
        view = "normalized" if request.query_params.get("view") == "normalized" else "published"
        return self.page(request, "article.html", info=info, a=info["article"], view=view)

    def versions_page(self, request: Request) -> Response:
        return self.page(request, "versions.html", **data.versions(self.holder.get(), request.path_params["id"]))

    def sources_page(self, request: Request) -> Response:
        return self.page(request, "sources.html", rows=data.sources(self.holder.get()))

    def changes_page(self, request: Request) -> Response:
        return self.page(request, "changes.html", rows=data.changes(self.holder.get()))

    def raw(self, request: Request) -> Response:
        body = data.raw_capture(self.holder.get(), request.path_params["id"])
        # sandbox: the archived page runs as an opaque origin with scripts, forms and plugins off
        return Response(body, media_type="text/html", headers={
            "Content-Security-Policy": "sandbox", "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer"})

    def api_article(self, request: Request) -> Response:
        return self.api(data.article_json(self.holder.get(), request.path_params["id"]))

    def api_sources(self, request: Request) -> Response:
        return self.api(data.sources(self.holder.get()))

    def api_changes(self, request: Request) -> Response:
        return self.api(data.changes(self.holder.get()))

    def fail(self, request: Request, status: int, message: str) -> Response:
        if request.url.path.startswith("/api/"):
            return self.api({"error": message}, status)
        return self.page(request, "error.html", status=status, status_code=status, message=message)

    async def not_found(self, request: Request, exc: Exception) -> Response:
        if isinstance(exc, HTTPException):
            return self.fail(request, exc.status_code, "صفحه پیدا نشد" if exc.status_code == 404 else str(exc.detail))
        return self.fail(request, 404, str(exc))

    async def missing(self, request: Request, exc: Exception) -> Response:
        if request.url.path.startswith("/api/"):
            return self.api({"error": f"no archive at {exc}"}, 503)
        return self.page(request, "missing.html", status=503, where=str(exc))

    async def crash(self, request: Request, exc: Exception) -> Response:
        log.error("web: %s %s failed: %s: %s", request.method, request.url.path, type(exc).__name__, exc)
        return self.fail(request, 500, "خطایی پیش آمد؛ جزئیات در گزارش سرور ثبت شد.")


def create_app(cfg: WebConfig) -> Starlette:
    v = _Views(cfg)
    routes = [
        Route("/", v.search_page), Route("/search", v.search_page),
        Route("/articles/{id}", v.article_page), Route("/articles/{id}/versions", v.versions_page),
        Route("/sources", v.sources_page), Route("/changes", v.changes_page), Route("/raw/{id}", v.raw),
        Route("/api/search", v.api_search), Route("/api/articles/{id}", v.api_article),
        Route("/api/sources", v.api_sources), Route("/api/changes", v.api_changes),
        Mount("/static", StaticFiles(packages=[("worker.web", "static")]), name="static"),
    ]
    handlers: dict[Any, Any] = {HTTPException: v.not_found, data.NotFoundError: v.not_found,
                                MissingArchive: v.missing, Exception: v.crash}

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        v.holder.close()

    return Starlette(routes=routes, exception_handlers=handlers, lifespan=lifespan)
