"""Wire the faults of worker.testing.mirror.faults into one AgencySite: their URLs, the articles some
of them eventually serve, the redirect chains, and the re-encoded charset variants."""
from __future__ import annotations

import dataclasses
import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import unquote

from . import feeds
from .faults import DELIVERING, FAULTS
from .text import arabize

if TYPE_CHECKING:
    from .site import AgencySite


def fault_path(family: str, k: int, name: str) -> str:
    """An article-like path (it matches the family's article pattern) for fault number k."""
    if family == "nastooh":
        return f"/news/{99_000_000_000 + k}/fault-{name}"
    if family == "iransamaneh":
        return f"/fa/news/{99_000_000 + k}/fault-{name}"
    if family == "tasnim":
        return f"/fa/news/1402/01/01/{99_000_000 + k}/fault-{name}"
    return f"/persian/articles/cfault{k:02d}{re.sub('[^0-9a-z]', '', name)}o"


def install_faults(site: AgencySite, start: datetime) -> None:
    for k, f in enumerate(FAULTS):
        path = fault_path(site.family, k, f.name)
        site.fault_paths[f.name] = path
        when = start - timedelta(minutes=7 * k + 3)
        n = 900_000 + site.seed * 1000 + k
        if f.name == "moved":               # 301 to an article at its own (different) URL
            site._add_article(n, when, fault=f.name)
            site.redirects[path] = site.fault_articles[-1].url
            site.permanent_redirects.add(path)
            site._fault_items[-1] = dataclasses.replace(site._fault_items[-1], url=site.base + path)
        elif f.name in DELIVERING or f.name == "robots-disallowed":
            site._add_article(n, when, fault=f.name, path=path)
        else:
            base = site.refused_base if f.name == "refused" and site.refused_base else site.base
            if f.name == "refused":
                site.fault_bases[f.name] = base
            site._fault_items.append(feeds.FeedItem(base + path, f"خطای آزمایشی {f.name}", f.what, when))
    site.fault_paths["feed-malformed"] = site.feed_path + "-broken"
    site.fault_paths["feed-laughs"] = site.feed_path + "-laughs"
    site.fault_paths["sitemap-laughs"] = "/sitemap/laughs.xml"
    site.redirects["/loop/a"] = "/loop/b"
    site.redirects["/loop/b"] = "/loop/a"
    site.redirects[site.fault_paths["redirect-loop"]] = "/loop/a"
    site.redirects[site.fault_paths["redirect-foreign"]] = (site.foreign_base or "http://foreign.invalid") + "/stolen"
    _windows_1256(site)
    res = site.static[unquote(site.fault_paths["no-charset"])]
    res.body = re.sub(rb'(?i)<meta charset="utf-8"\s*/?>', b"", res.body, count=1)
    res.content_type = "text/html"
    res.refresh_etag()
    site.static[unquote(site.fault_paths["wrong-charset"])].content_type = "text/html; charset=ISO-8859-1"


def _windows_1256(site: AgencySite) -> None:
    """As the old sites wrote it: Arabic yeh (cp1256 has no Persian yeh); what cp1256 lacks
    (Persian digits) becomes &#...; references. The truth follows the page."""
    res = site.static[unquote(site.fault_paths["windows-1256"])]
    page = re.sub(r'(?i)charset="utf-8"', 'charset="windows-1256"', arabize(res.body.decode("utf-8")))
    res.body = page.encode("cp1256", errors="xmlcharrefreplace")
    res.content_type = "text/html; charset=windows-1256"
    res.refresh_etag()
    for art in site.fault_articles:
        if art.fault == "windows-1256":
            keep = {k: art.truth[k] for k in ("url_path", "published_iso", "news_id", "family", "agency")}
            art.truth.update(_arabize_all(art.truth), **keep)


def _arabize_all(value):
    if isinstance(value, str):
        return arabize(value)
    if isinstance(value, list):
        return [_arabize_all(v) for v in value]
    if isinstance(value, dict):
        return {k: _arabize_all(v) for k, v in value.items()}
    return value
