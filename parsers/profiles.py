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
The chosen layout is recorded as "family@layout" in Article.parser.profile; the choice itself is
parsers/detect.py.
"""
from __future__ import annotations

import dataclasses
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from lxml import etree
from lxml.cssselect import CSSSelector
from lxml.html import HtmlElement

from parsers.urls import host_matches

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
def compile_selector(css: str) -> etree.XPath:
    try:
        selector = CSSSelector(css, translator="html")
    except Exception as exc:  # cssselect raises several SelectorError subclasses
        raise ProfileError(f"bad CSS selector {css!r}: {exc}") from exc
    fast = fast_class_tests(selector.path)
    return selector if fast == selector.path else etree.XPath(fast)


# A whole predicate on one attribute, as cssselect writes them: `[@a = 'v']`, `[@a]`, and
# `[@a and <test of @a>]` (a class, a prefix, a suffix, a substring).
_ATTRIBUTE_TEST = re.compile(r"\[@([\w-]+)(?: = ('[^']*')| and ([^\[\]]*))?\]")
_NOT_ATTRIBUTE_ONLY = ("::", "()", "*", "|", "count(", "not(", "position", "last")


def fast_class_tests(path: str) -> str:
    """The same XPath, its one-attribute predicates run on the attributes instead of on every node.

    libxml2 evaluates `*[@class and ...]` by building a node-set for `@class` on every element of
    the axis; `*/@class[...]/parent::*` visits only the class attributes and selects the same
    elements (the parent of an element's attribute is that element; node-sets keep document order,
    without duplicates): 2-6x faster on agency pages. Left alone where a predicate could be
    positional (position counts differently on the parent axis), and where a test looks at anything
    but the one attribute (`string-length()` of the context node, another attribute, an axis).
    """
    if "position()" in path or "last()" in path or re.search(r"\[\s*\d", path):
        return path
    # `axis::*/@class` -> `axis::node()/@class` (and `/*/@` for the child axis): only elements have
    # attributes, so the same nodes, and libxml2 walks `node()` faster (0.77 -> 0.49 ms for `.x` on yjc).
    return _ANY_ELEMENT_ATTRIBUTE.sub(r"\1node()/@", _ATTRIBUTE_TEST.sub(_on_attribute, path))


_ANY_ELEMENT_ATTRIBUTE = re.compile(r"(::|/)\*/@")


def _on_attribute(m: re.Match[str]) -> str:
    name, value, test = m.groups()
    if value is not None:
        return f"/@{name}[. = {value}]/parent::*"
    if test is None:
        return f"/@{name}/parent::*"
    own = re.compile(rf"@{re.escape(name)}(?![\w-])")
    if any(t in test for t in _NOT_ATTRIBUTE_ONLY) or "@" in own.sub("", test):
        return m.group(0)
    return f"/@{name}[{own.sub('.', test)}]/parent::*"


@dataclass(frozen=True, slots=True)
class PageIndex:
    """Every class token and id on a page, gathered once (two C-level XPath calls).

    Most selectors of most profiles name a class or id the page does not have; knowing that up front
    skips the XPath evaluation entirely, which is most of the cost of detection on a large page.
    """
    classes: frozenset[str]
    ids: frozenset[str]
    # Selector results on the indexed tree (which is never modified): detection and the field
    # readers run many of the same selectors, each a pass over the whole page.
    root: HtmlElement | None = field(default=None, compare=False, repr=False)
    found: dict[str, list[HtmlElement]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, doc: HtmlElement) -> PageIndex:
        # distinct attribute values first: pages repeat the same class string on many elements
        return cls(frozenset(" ".join(set(_ALL_CLASSES(doc))).split()), frozenset(map(str.strip, _ALL_IDS(doc))),
                   root=doc)

    def may_match(self, css: str) -> bool:
        classes, ids = _requirements(css)
        return classes <= self.classes and ids <= self.ids


# Plain strings: no element proxies built. `//*/@class` is `//@class` (only elements have
# attributes), walked ~15% faster by libxml2.
_ALL_CLASSES = etree.XPath("//*/@class", smart_strings=False)
_ALL_IDS = etree.XPath("//*/@id", smart_strings=False)


@cache
def _requirements(css: str) -> tuple[frozenset[str], frozenset[str]]:
    """Class tokens and ids any match of `css` must carry (attribute tests and pseudo-classes ignored)."""
    if "," in css:
        return frozenset(), frozenset()
    bare = re.sub(r"\[[^\]]*\]|:[\w-]+(?:\([^)]*\))?", " ", css)
    return frozenset(re.findall(r"\.([\w-]+)", bare)), frozenset(re.findall(r"#([\w-]+)", bare))


def select_all(root: HtmlElement, css: str, index: PageIndex | None = None) -> list[HtmlElement]:
    """Elements matching `css` under `root`; with the page's index, a selector that cannot match is
    skipped and one already run on the indexed tree is answered from memory (do not modify the list)."""
    if index is None:
        return compile_selector(css)(root)
    if not index.may_match(css):
        return []
    if root is not index.root:
        return compile_selector(css)(root)
    found = index.found.get(css)
    if found is None:
        found = index.found[css] = compile_selector(css)(root)
    return found


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
    # selectors() answers per (field, host); every field reader asks again for each page.
    _selectors: dict[tuple[str, str | None], tuple[str, ...]] = field(
        default_factory=dict, init=False, compare=False, repr=False)

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
        key = (name, host)
        found = self._selectors.get(key)
        if found is None:
            if len(self._selectors) > 4096:  # a crawl over endless subdomains must not grow it forever
                self._selectors.clear()
            found = self._selectors[key] = self._selectors_for(name, host)
        return found

    def _selectors_for(self, name: str, host: str | None) -> tuple[str, ...]:
        base = self.fields.get(name, ())
        for override in self.overrides:
            if host and host_matches(host, override.hosts) and name in override.fields:
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
                    _check_css(css, f"{where}.{key}")  # fail at load time, naming the file
            else:
                for pattern in out[key]:
                    _compile_regex(pattern)
    return out


def _check_css(css: str, where: str) -> None:
    try:
        compile_selector(css)
    except ProfileError as exc:
        raise ProfileError(f"{where}: {exc}") from exc


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
        _check_css(css, where)
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


def element_text(el: etree._Element) -> str:
    return "".join(el.itertext())
