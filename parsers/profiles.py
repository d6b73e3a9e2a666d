"""CMS-family profiles: data (parsers/profiles/*.toml), not classes.

A profile lists CSS selectors per field (tried in order, first match wins) and the evidence that
identifies its family on a page: `<meta name=generator>`, meta property prefixes, class
fingerprints, JSON-LD types and, weakest, known hosts. So an unknown site on a known CMS is
recognised without configuration; `[[override]]` tables adjust a family for one site only.
Selectors are compiled once per process to lxml XPath (cssselect) and run on the lxml tree.

A family's older page designs are `[[layout]]` tables (Fundus-style dated parser versions): each has
a *fingerprint* (selectors that must all be on the page, optionally a URL regex and a valid
from/until date range) and its own field selectors, tried before the family's. Every layout and
every family is a candidate that applies only where its fingerprint matches; the known host is a
hint that adds weight, never a verdict (a host-only match must at least find the family's body).
The chosen layout is recorded as "family@layout" in Article.parser.profile.
"""
from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from lxml import etree
from lxml.cssselect import CSSSelector
from lxml.html import HtmlElement

PROFILE_DIR = Path(__file__).with_name("profiles")
LIST_FIELDS = ("supertitle", "title", "lead", "body", "date", "category", "tags", "authors",
               "news_id", "news_id_url", "images", "drop", "ignore_texts")
REGEX_FIELDS = ("ignore_texts", "news_id_url")  # regular expressions, not CSS
# Weights of the detection evidence; a family needs MIN_SCORE to be chosen.
W_GENERATOR, W_META_PREFIX, W_JSONLD, W_MARKER, W_HOST, MAX_MARKERS = 6, 6, 3, 1, 2, 4
W_FINGERPRINT = 3  # a declared fingerprint found whole on the page
MIN_SCORE = 2


class ProfileError(ValueError):
    """A profile file is malformed (raised at load time, never while parsing a page)."""


@cache
def compile_selector(css: str) -> CSSSelector:
    try:
        return CSSSelector(css, translator="html")
    except Exception as exc:  # cssselect raises several SelectorError subclasses
        raise ProfileError(f"bad CSS selector {css!r}: {exc}") from exc


@dataclass(frozen=True, slots=True)
class PageIndex:
    """Every class token and id on a page, gathered once (two C-level XPath calls).

    Most selectors of most profiles name a class or id the page does not have; knowing that up front
    skips the XPath evaluation entirely, which is most of the cost of detection on a large page.
    """
    classes: frozenset[str]
    ids: frozenset[str]

    @classmethod
    def of(cls, doc: HtmlElement) -> PageIndex:
        return cls(frozenset(" ".join(_ALL_CLASSES(doc)).split()), frozenset(v.strip() for v in _ALL_IDS(doc)))

    def may_match(self, css: str) -> bool:
        classes, ids = _requirements(css)
        return classes <= self.classes and ids <= self.ids


_ALL_CLASSES = etree.XPath("//@class", smart_strings=False)  # plain strings: no element proxies built
_ALL_IDS = etree.XPath("//@id", smart_strings=False)


@cache
def _requirements(css: str) -> tuple[frozenset[str], frozenset[str]]:
    """Class tokens and ids any match of `css` must carry (attribute tests and pseudo-classes ignored)."""
    if "," in css:
        return frozenset(), frozenset()
    bare = re.sub(r"\[[^\]]*\]|:[\w-]+(?:\([^)]*\))?", " ", css)
    return frozenset(re.findall(r"\.([\w-]+)", bare)), frozenset(re.findall(r"#([\w-]+)", bare))


def select_all(root: HtmlElement, css: str, index: PageIndex | None = None) -> list[HtmlElement]:
    if index is not None and not index.may_match(css):
        return []
    return compile_selector(css)(root)


@dataclass(frozen=True, slots=True)
class Override:
    hosts: tuple[str, ...]
    fields: dict[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class Layout:
    """One dated page design of a family (a `[[layout]]` table)."""
    name: str
    fields: dict[str, tuple[str, ...]]
    require: tuple[str, ...] = ()           # selectors that must all match
    markers: tuple[str, ...] | None = None  # detection markers; None: the family's
    url: re.Pattern[str] | None = None      # searched in the URL when the page has one
    valid_from: date | None = None          # the page's own date must fall in the range
    valid_until: date | None = None


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    label: str
    fields: dict[str, tuple[str, ...]]
    generator: tuple[str, ...] = ()
    meta_prefix: tuple[str, ...] = ()
    markers: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    jsonld_types: tuple[str, ...] = ()
    listing_meta: tuple[tuple[str, str], ...] = ()  # (meta name, value) pairs that mark a listing page
    category_join: str | None = None
    tags_from_meta: bool = False
    overrides: tuple[Override, ...] = field(default_factory=tuple)
    require: tuple[str, ...] = ()           # the fingerprint ([detect] require or the layout's)
    layouts: tuple[Layout, ...] = ()
    layout: Layout | None = None            # set on the candidate built for one layout

    @property
    def parser_name(self) -> str:
        """What Article.parser.profile records: "fars", or "fars@2014" for a layout."""
        return f"{self.name}@{self.layout.name}" if self.layout else self.name

    def with_layout(self, layout: Layout) -> Profile:
        """This family with `layout`'s selectors first, then the family's own."""
        fields = {k: layout.fields.get(k, ()) + tuple(s for s in self.fields.get(k, ())
                                                      if s not in layout.fields.get(k, ()))
                  for k in {*self.fields, *layout.fields}}
        return dataclasses.replace(self, fields=fields, require=layout.require, layouts=(), layout=layout,
                                   markers=self.markers if layout.markers is None else layout.markers)

    def selectors(self, name: str, host: str | None = None) -> tuple[str, ...]:
        """Selectors for one field; a matching site override's come first."""
        base = self.fields.get(name, ())
        for override in self.overrides:
            if host and _host_matches(host, override.hosts) and name in override.fields:
                return override.fields[name] + base
        return base

    def first(self, root: HtmlElement, name: str, host: str | None = None,
              index: PageIndex | None = None) -> HtmlElement | None:
        for css in self.selectors(name, host):
            found = select_all(root, css, index)
            if found:
                return found[0]
        return None

    def first_with(self, root: HtmlElement, name: str, host: str | None = None,
                   index: PageIndex | None = None) -> tuple[HtmlElement | None, str]:
        """(first match, the selector that found it); (None, "") when none matches."""
        for css in self.selectors(name, host):
            found = select_all(root, css, index)
            if found:
                return found[0], css
        return None, ""

    def all(self, root: HtmlElement, name: str, host: str | None = None,
            index: PageIndex | None = None) -> list[HtmlElement]:
        """Elements of the first selector that matches anything."""
        for css in self.selectors(name, host):
            found = select_all(root, css, index)
            if found:
                return found
        return []

    def patterns(self, name: str, host: str | None = None) -> list[re.Pattern[str]]:
        """A regex field (`ignore_texts`, `news_id_url`), compiled."""
        return [_compile_regex(p) for p in self.selectors(name, host)]


@cache
def _compile_regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _host_matches(host: str, suffixes: Iterable[str]) -> bool:
    host = host.lower().rstrip(".")
    return any(host == s or host.endswith("." + s) for s in suffixes)


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProfileError(f"{where}: expected a list of strings")
    return tuple(value)


def _pair(item: str, where: str) -> tuple[str, str]:
    key, sep, value = item.partition("=")
    if not sep or not key.strip():
        raise ProfileError(f"{where}: expected 'meta-name=value', got {item!r}")
    return key.strip().lower(), value.strip().lower()


def _fields(table: dict[str, Any], where: str) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for key, value in table.items():
        if key in LIST_FIELDS:
            out[key] = _strings(value, f"{where}.{key}")
            if key not in REGEX_FIELDS:
                for css in out[key]:
                    compile_selector(css)  # fail at load time, naming the file
            else:
                for pattern in out[key]:
                    _compile_regex(pattern)
    return out


def _date(value: Any, where: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise ProfileError(f"{where}: expected a date (YYYY-MM-DD), got {value!r}") from exc


def _layout(raw: dict[str, Any], where: str) -> Layout:
    if "name" not in raw:
        raise ProfileError(f"{where}: a [[layout]] needs a name")
    where = f"{where}.layout.{raw['name']}"
    require = _strings(raw.get("require", []), f"{where}.require")
    markers = raw.get("markers")
    for css in require + (_strings(markers, f"{where}.markers") if markers is not None else ()):
        compile_selector(css)
    try:
        url = re.compile(raw["url"]) if raw.get("url") else None
    except re.error as exc:
        raise ProfileError(f"{where}.url: {exc}") from exc
    return Layout(name=str(raw["name"]), fields=_fields(raw.get("fields", {}), where), require=require,
                  markers=None if markers is None else _strings(markers, f"{where}.markers"), url=url,
                  valid_from=_date(raw.get("valid_from"), f"{where}.valid_from"),
                  valid_until=_date(raw.get("valid_until"), f"{where}.valid_until"))


def load_profile(path: Path) -> Profile:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(f"{path}: {exc}") from exc
    where = path.name
    detect = data.get("detect", {})
    fields_table = data.get("fields", {})
    try:
        return Profile(
            name=data["name"],
            label=data.get("label", data["name"]),
            fields=_fields(fields_table, where),
            generator=_strings(detect.get("generator", []), f"{where}.detect.generator"),
            meta_prefix=_strings(detect.get("meta_prefix", []), f"{where}.detect.meta_prefix"),
            markers=_strings(detect.get("markers", []), f"{where}.detect.markers"),
            hosts=_strings(detect.get("hosts", []), f"{where}.detect.hosts"),
            jsonld_types=_strings(detect.get("jsonld_types", []), f"{where}.detect.jsonld_types"),
            listing_meta=tuple(_pair(item, f"{where}.detect.listing_meta")
                               for item in _strings(detect.get("listing_meta", []), f"{where}.detect.listing_meta")),
            category_join=fields_table.get("category_join"),
            tags_from_meta=bool(fields_table.get("tags_from_meta", False)),
            overrides=tuple(
                Override(hosts=_strings(o.get("hosts", []), f"{where}.override.hosts"),
                         fields=_fields(o.get("fields", {}), f"{where}.override"))
                for o in data.get("override", [])),
            require=_strings(detect.get("require", []), f"{where}.detect.require"),
            layouts=tuple(_layout(raw, where) for raw in data.get("layout", [])),
        )
    except KeyError as exc:
        raise ProfileError(f"{where}: missing key {exc}") from exc


@lru_cache(maxsize=1)
def load_profiles() -> dict[str, Profile]:
    profiles = {}
    for path in sorted(PROFILE_DIR.glob("*.toml")):
        profile = load_profile(path)
        for marker in profile.markers:
            compile_selector(marker)
        profiles[profile.name] = profile
    return profiles


@dataclass(slots=True)
class PageSignals:
    """What detection looks at, gathered once per page (see generic.page_metadata)."""
    generator: str = ""
    meta_properties: tuple[str, ...] = ()
    jsonld_types: tuple[str, ...] = ()
    host: str = ""


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
    if signals.host and _host_matches(signals.host, profile.hosts):
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
        s = score(candidate, doc, signals, index) + (W_FINGERPRINT if candidate.require and miss is None else 0)
        on_host = bool(signals.host) and _host_matches(signals.host, candidate.hosts)
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


def element_text(el: etree._Element) -> str:
    return "".join(el.itertext())
