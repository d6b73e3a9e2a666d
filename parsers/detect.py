"""Which profile reads a page: every family and every family's `[[layout]]` is a candidate
(parsers.profiles has the data), scored on the page's own evidence and kept only where its
fingerprint matches (see docs/design.md, "Parsing").
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from lxml.html import HtmlElement

from parsers.profiles import (
    MAX_MARKERS,
    MIN_SCORE,
    W_FINGERPRINT,
    W_GENERATOR,
    W_HOST,
    W_JSONLD,
    W_MARKER,
    W_META_PREFIX,
    PageIndex,
    Profile,
    load_profiles,
    select_all,
)
from parsers.urls import host_matches


@dataclass(slots=True)
class PageSignals:
    """What detection looks at, gathered once per page (see generic.page_metadata)."""
    generator: str = ""
    meta_properties: tuple[str, ...] = ()
    jsonld_types: tuple[str, ...] = ()
    host: str = ""


@lru_cache(maxsize=4096)
def _on_host(host: str, hosts: tuple[str, ...]) -> bool:
    """host_matches, remembered: every candidate asks it of every page (a few hosts, 20 profiles)."""
    return host_matches(host, hosts)


def score(profile: Profile, doc: HtmlElement, signals: PageSignals, index: PageIndex | None = None) -> int:
    total = 0
    generator = signals.generator.lower()
    if any(g in generator for g in profile.generator):
        total += W_GENERATOR
    if any(p.startswith(prefix) for p in signals.meta_properties for prefix in profile.meta_prefix):
        total += W_META_PREFIX
    if profile.jsonld_types and set(signals.jsonld_types) & set(profile.jsonld_types):
        total += W_JSONLD
    hits = 0
    for marker in profile.markers:
        if hits >= MAX_MARKERS:
            break
        if select_all(doc, marker, index):
            hits += 1
    total += hits * W_MARKER
    if signals.host and _on_host(signals.host, profile.hosts):
        total += W_HOST
    return total


_CANDIDATES: list[tuple[dict[str, Profile], tuple[Profile, ...]]] = []


def candidates() -> tuple[Profile, ...]:
    """Every family and every family's layout, layouts first (a matching layout wins a tie).
    Rebuilt whenever load_profiles() was reloaded (its cache cleared)."""
    profiles = load_profiles()
    if _CANDIDATES and _CANDIDATES[0][0] is profiles:
        return _CANDIDATES[0][1]
    out: list[Profile] = []
    for profile in profiles.values():
        out.extend(profile.with_layout(layout) for layout in profile.layouts)
        out.append(profile)
    _CANDIDATES[:] = [(profiles, tuple(out))]
    return _CANDIDATES[0][1]


@dataclass(slots=True)
class Considered:
    """One candidate as detection saw it (what `bayegan parse --explain` prints)."""
    name: str
    score: int
    verdict: str  # "chosen", "below threshold", or why the fingerprint failed


DateReader = Callable[[Profile], date | None]


def _fingerprint_miss(candidate: Profile, doc: HtmlElement, index: PageIndex | None, url: str,
                      page_date: DateReader | None) -> str | None:
    """Why `candidate` does not apply to this page, or None when its fingerprint matches."""
    for css in candidate.require:
        if not select_all(doc, css, index):
            return f"fingerprint: no {css}"
    layout = candidate.layout
    if layout is None:
        return None
    if layout.url is not None and url and not layout.url.search(url):
        return f"fingerprint: URL does not match {layout.url.pattern}"
    if (layout.valid_from or layout.valid_until) and page_date is not None:
        day = page_date(candidate)
        if day is not None and ((layout.valid_from and day < layout.valid_from)
                                or (layout.valid_until and day > layout.valid_until)):
            return f"fingerprint: page date {day} outside {layout.valid_from or ''}..{layout.valid_until or ''}"
    return None


def detect_profile(doc: HtmlElement, signals: PageSignals, hint: str | None = None,
                   index: PageIndex | None = None, *, url: str = "", page_date: DateReader | None = None,
                   trace: list[Considered] | None = None) -> Profile | None:
    """The best-scoring candidate (family or family@layout) whose fingerprint matches, or None
    (generic). `hint` (the source's configured family) only breaks ties and rescues pages whose
    evidence is thin; so does the host: a candidate with no evidence but its host applies only
    where its body selector finds something. `trace` collects every candidate's verdict."""
    best: tuple[int, Profile] | None = None
    for candidate in candidates():
        miss = _fingerprint_miss(candidate, doc, index, url, page_date)
        if miss is not None and trace is None:
            continue  # scoring costs a selector run per marker; only --explain wants the score of a loser
        s = score(candidate, doc, signals, index) + (W_FINGERPRINT if candidate.require and miss is None else 0)
        on_host = bool(signals.host) and _on_host(signals.host, candidate.hosts)
        if miss is None and on_host and s == W_HOST and candidate.first(doc, "body", signals.host, index) is None:
            miss = "host only: the body selectors find nothing"
        s += hint == candidate.name
        if trace is not None:
            trace.append(Considered(candidate.parser_name, s, miss or ("below threshold" if s < MIN_SCORE else "")))
        if miss is None and s >= MIN_SCORE and (best is None or s > best[0]):
            best = (s, candidate)
    if trace is not None and best is not None:
        for item in trace:
            if item.name == best[1].parser_name:
                item.verdict = "chosen"
            elif not item.verdict:
                item.verdict = "lower score"
    return best[1] if best is not None else None
