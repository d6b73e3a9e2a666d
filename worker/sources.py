"""The agency registry: worker/sources.toml (or any file in the same schema) -> validated `Source`s.

Loading checks every entry and names the file, the entry and the key on any error (unknown key,
missing key, wrong type, bad URL, URL outside the source's hosts, bad regex, bad archive template,
duplicate id), so a user editing the registry learns exactly what to fix.
"""
from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jdatetime

from parsers import known_profiles
from parsers.urls import UrlRule, host_matches, host_of, register_rule, rule_from_dict

__all__ = [
    "DEFAULT_SOURCES_FILE",
    "PROFILES",
    "Source",
    "SourceError",
    "host_allowed",
    "load_sources",
    "sources_from_dicts",
]

DEFAULT_SOURCES_FILE = Path(__file__).with_name("sources.toml")
PROFILES = known_profiles()   # read from parsers/profiles/: a new family needs no edit here
ARCHIVE_PLACEHOLDERS = frozenset({"jy", "jm", "jd", "gy", "gm", "gd", "page", "jdate"})
_ID = re.compile(r"^[a-z0-9_-]+$")


class SourceError(ValueError):
    """The registry is invalid; the message names the file, entry and key."""


def host_allowed(host: str, hosts: Iterable[str]) -> bool:
    """`host` is one of `hosts`; an entry with a leading dot allows every subdomain of it."""
    return host_matches(host, hosts, subdomains=False)


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    name_fa: str
    name_en: str
    home: str
    hosts: tuple[str, ...]
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    listings: tuple[str, ...] = ()
    article_patterns: tuple[str, ...] = ()
    archive_url: str | None = None
    poll_interval: int = 300
    min_poll: int = 60
    max_poll: int = 3600
    politeness_interval: float | None = None   # None: Settings.politeness_interval
    profile: str = "generic"
    url_rules: dict[str, Any] | None = None   # [source.url_rules]: see url_rules.toml for the keys
    enabled: bool = True
    allow_private: bool = False
    private_origins: tuple[str, ...] = ()      # more base URLs allow_private opens (mirror fault ports)
    recheck: tuple[str, ...] = ()              # re-check offsets ("1h", "1d", ...); () = Settings'
    _compiled: tuple[re.Pattern[str], ...] = field(default=(), repr=False, compare=False)

    def allows_host(self, host: str) -> bool:
        return host_allowed(host, self.hosts)

    def allows_url(self, url: str) -> bool:
        return self.allows_host(host_of(url))

    def private_scope(self) -> frozenset[tuple[str, int]]:
        """The (host, port) origins `allow_private` opens: only those of the source's own entries
        (home, feeds, sitemaps, listings, archive pages, `private_origins`), so a redirect from the
        mirror to another loopback port or to 169.254.169.254 stays refused. Empty without it."""
        if not self.allow_private:
            return frozenset()
        urls = (self.home, *self.feeds, *self.sitemaps, *self.listings, *self.private_origins,
                *filter(None, (self.archive_url,)))
        parts = [urlsplit(u) for u in urls]
        return frozenset(((p.hostname or "").lower(), p.port or (443 if p.scheme == "https" else 80)) for p in parts)

    def is_article_url(self, url: str) -> bool:
        """On the source's hosts and its path matches one of `article_patterns`."""
        if not self.allows_url(url):
            return False
        path = urlsplit(url).path or "/"
        return any(p.search(path) for p in self._compiled)

    def archive_page_url(self, day: date, page: int = 1) -> str:
        """The Jalali-dated archive page `page` (1-based) of Gregorian `day`."""
        if not self.archive_url:
            raise SourceError(f"source {self.id!r}: no archive_url")
        return self.archive_url.format(**_archive_values(day, page))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name.startswith("_"):
                continue
            value = getattr(self, f.name)
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out


def _archive_values(day: date, page: int) -> dict[str, Any]:
    j = jdatetime.date.fromgregorian(date=day)
    return {"jy": f"{j.year:04d}", "jm": f"{j.month:02d}", "jd": f"{j.day:02d}",
            "gy": f"{day.year:04d}", "gm": f"{day.month:02d}", "gd": f"{day.day:02d}",
            "page": page, "jdate": f"{j.year:04d}/{j.month:02d}/{j.day:02d}"}


_REQUIRED = ("id", "name_fa", "name_en", "home", "hosts")
_KEYS = {f.name: f for f in fields(Source) if not f.name.startswith("_")}
_LISTS = {"hosts", "feeds", "sitemaps", "listings", "article_patterns", "recheck", "private_origins"}
_URL_LISTS = ("feeds", "sitemaps", "listings", "private_origins")


def _check_url(where: str, key: str, url: Any, hosts: tuple[str, ...] | None) -> None:
    if not isinstance(url, str):
        raise SourceError(f"{where}: key {key!r}: expected a URL string, got {url!r}")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SourceError(f"{where}: key {key!r}: bad URL {url!r} (need an absolute http(s) URL)")
    if hosts is not None and not host_allowed(parts.hostname, hosts):
        raise SourceError(f"{where}: key {key!r}: URL {url!r} is outside the source's hosts {list(hosts)}")


def _typed_value(key: str, value: Any, where: str) -> Any:
    """One registry value checked against its key's type (lists become tuples)."""
    if key in _LISTS:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise SourceError(f"{where}: key {key!r}: expected a list of strings, got {value!r}")
        return tuple(value)
    if key == "url_rules":
        if not isinstance(value, dict):
            raise SourceError(f"{where}: key 'url_rules': expected a table, got {value!r}")
    elif key in ("enabled", "allow_private"):
        if not isinstance(value, bool):
            raise SourceError(f"{where}: key {key!r}: expected true/false, got {value!r}")
    elif key in ("poll_interval", "min_poll", "max_poll"):
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise SourceError(f"{where}: key {key!r}: expected a positive integer, got {value!r}")
    elif key == "politeness_interval":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise SourceError(f"{where}: key {key!r}: expected seconds >= 0, got {value!r}")
        return float(value)
    elif not isinstance(value, str):
        raise SourceError(f"{where}: key {key!r}: expected a string, got {value!r}")
    return value


def _check_archive_url(template: str, hosts: tuple[str, ...], where: str) -> None:
    try:
        names = {n for _, n, _, _ in string.Formatter().parse(template) if n is not None}
    except ValueError as exc:
        raise SourceError(f"{where}: key 'archive_url': bad template {template!r}: {exc}") from exc
    unknown = names - ARCHIVE_PLACEHOLDERS
    if unknown:
        raise SourceError(f"{where}: key 'archive_url': unknown placeholder(s) {sorted(unknown)} "
                          f"(known: {', '.join(sorted(ARCHIVE_PLACEHOLDERS))})")
    _check_url(where, "archive_url", template.format(**_archive_values(date(2023, 3, 21), 1)), hosts)


def _build(entry: Any, where: str) -> Source:
    if not isinstance(entry, dict):
        raise SourceError(f"{where}: expected a table, got {type(entry).__name__}")
    for key in entry:
        if key not in _KEYS:
            raise SourceError(f"{where}: unknown key {key!r} (known: {', '.join(sorted(_KEYS))})")
    for key in _REQUIRED:
        if key not in entry:
            raise SourceError(f"{where}: missing key {key!r}")
    # dicts (the mirror's .sources()) may spell "absent" as None
    values = {key: _typed_value(key, value, where) for key, value in entry.items()
              if value is not None or key in _REQUIRED}
    if not _ID.match(values["id"]):
        raise SourceError(f"{where}: key 'id': {values['id']!r} must match [a-z0-9_-]+")
    if not values["hosts"]:
        raise SourceError(f"{where}: key 'hosts': at least one host is needed")
    hosts = values["hosts"]
    _check_url(where, "home", values["home"], hosts)
    for key in _URL_LISTS:
        for url in values.get(key, ()):
            _check_url(where, key, url, hosts)
    compiled = []
    for pattern in values.get("article_patterns", ()):
        try:
            compiled.append(re.compile(pattern))
        except re.error as exc:
            raise SourceError(f"{where}: key 'article_patterns': bad regex {pattern!r}: {exc}") from exc
    if values.get("archive_url") is not None:
        _check_archive_url(values["archive_url"], hosts, where)
    profile = values.get("profile", "generic")
    known = known_profiles()   # read each time: a family dropped into parsers/profiles/ counts at once
    if profile not in known:
        raise SourceError(f"{where}: key 'profile': {profile!r} is not one of {sorted(known)}")
    _url_rule(values, where)
    source = Source(**values, _compiled=tuple(compiled))
    if not source.min_poll <= source.poll_interval <= source.max_poll:
        raise SourceError(f"{where}: keys 'min_poll' <= 'poll_interval' <= 'max_poll' violated "
                          f"({source.min_poll}, {source.poll_interval}, {source.max_poll})")
    return source


def sources_from_dicts(entries: Iterable[Any], origin: str = "<sources>") -> dict[str, Source]:
    """Validate registry entries (dicts in the TOML schema) into Sources keyed by id, in order."""
    out: dict[str, Source] = {}
    for i, entry in enumerate(entries):
        name = entry.get("id") if isinstance(entry, dict) else None
        where = f"{origin}: source {i + 1}" + (f" ({name!r})" if name else "")
        source = _build(entry, where)
        if source.id in out:
            raise SourceError(f"{where}: key 'id': duplicate id {source.id!r}")
        out[source.id] = source
    for source in out.values():   # validated above; registered once every block is valid
        rule = _url_rule(source.to_dict(), source.id)
        if rule is not None:
            register_rule(rule)
    return out


def _url_rule(values: dict[str, Any], where: str) -> UrlRule | None:
    """The source's inline URL rules, validated; `source` and `hosts` default to the block's own."""
    raw = values.get("url_rules")
    if raw is None:
        return None
    raw = {"source": values["id"], "hosts": list(values["hosts"]), **raw}
    raw.setdefault("canonical_host", raw["hosts"][0])
    if raw["source"] != values["id"]:
        raise SourceError(f"{where}: key 'url_rules.source': must be the block's id {values['id']!r}")
    try:
        return rule_from_dict(raw, f"{where}: key 'url_rules'")
    except ValueError as exc:
        raise SourceError(str(exc)) from exc


def load_sources(path: str | Path | None = None) -> dict[str, Source]:
    """Load and validate a registry file (default: the one shipped in worker/sources.toml)."""
    path = Path(path) if path else DEFAULT_SOURCES_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SourceError(f"{path}: cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SourceError(f"{path}: invalid TOML: {exc}") from exc
    unknown = set(data) - {"source"}
    if unknown:
        raise SourceError(f"{path}: unknown top-level key(s) {sorted(unknown)} (expected [[source]] tables)")
    entries = data.get("source", [])
    if not isinstance(entries, list):
        raise SourceError(f"{path}: 'source' must be an array of tables ([[source]])")
    return sources_from_dicts(entries, origin=str(path))
