"""Edits and deletions of mirrored stories over time, so tests drive real re-checks over HTTP.

`MirrorServer.remove(url, how)` / `.restore(url)` / `.retitle(url, title)` (and `.edit(url)`,
which appends an update paragraph), or over HTTP: `POST /_control/remove?url=...&how=404`,
`/_control/restore?url=...`, `/_control/edit?url=...[&title=...]` on any agency's origin.
How a story is removed:
  404, 410   the status, with a short error page
  home       302 to the agency's home page
  section    302 to its listing page (a section page, not an article)
  soft404    200 with the home page's HTML at the article URL (the parser says: not an article)
  500        a server error (never a removal: re-checks retry it)
  429        rate limited, Retry-After an hour (never a removal)
  timeout    no answer for TIMEOUT_SECONDS, then a 500 (never a removal)
"""
from __future__ import annotations

import time
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from .site import AgencySite

REMOVALS = ("404", "410", "home", "section", "soft404", "500", "429", "timeout")
TIMEOUT_SECONDS = 3.0


def path_of(url: str) -> str:
    return unquote(urlsplit(url).path)


def remove(site: AgencySite, url: str, how: str) -> None:
    if how not in REMOVALS:
        raise ValueError(f"unknown removal {how!r} (one of {', '.join(REMOVALS)})")
    site.removed[path_of(url)] = how


def restore(site: AgencySite, url: str) -> None:
    site.removed.pop(path_of(url), None)


def retitle(site: AgencySite, url: str, title: str) -> None:
    """Replace the headline everywhere on the page (title, h1, og:title, JSON-LD)."""
    from .boilerplate import esc

    art = next(a for a in site.articles if a.url == url)
    res = site.static[path_of(url)]
    old = art.truth["title"]
    body = res.body.decode("utf-8")
    res.body = body.replace(esc(old), esc(title)).replace(old, title).encode("utf-8")
    res.refresh_etag()
    art.truth["title"] = title


def removal_response(site: AgencySite, how: str) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) served at a removed story's URL."""
    from .site import LISTING_PATH

    if how in ("404", "410"):
        return int(how), {"Content-Type": "text/html; charset=utf-8"}, "<html><body>خبر پیدا نشد</body></html>".encode()
    if how == "home":
        return 302, {"Location": site.base + "/"}, b""
    if how == "section":
        return 302, {"Location": site.base + LISTING_PATH[site.family][0]}, b""
    if how == "soft404":
        return 200, {"Content-Type": "text/html; charset=utf-8"}, site.static["/"].body
    if how == "429":
        return 429, {"Retry-After": "3600"}, b"slow down\n"
    if how == "timeout":
        time.sleep(TIMEOUT_SECONDS)
    return 500, {"Content-Type": "text/plain; charset=utf-8"}, b"Internal Server Error\n"
