"""URL canonicalization: the one home for it (the parser, discovery and the pipeline all call this).

`canonicalize(url, source=None)` maps every spelling of one article to one string:
- scheme and host lowercased, default ports, credentials and the fragment dropped;
- percent-encoding normalized to one IRI form: escapes of UTF-8 text (Persian slugs) and of unreserved
  ASCII are decoded, reserved ASCII stays escaped with uppercase hex, unsafe characters are escaped,
  Unicode is NFC; dot segments and doubled slashes removed; no trailing slash except the root;
- tracking parameters (utm_*, fbclid, gclid, ref, ...) and AMP/print switches dropped, the rest sorted;
- per-agency rules (url_rules.toml): on an agency's own hosts, mobile/AMP/bare/provincial hosts fold
  to one host, the scheme becomes https, and when the path carries a news id the canonical URL is
  built from the id alone (slug and query dropped), so /news/<id>/<any-slug>, /amp/<id> and the
  short link tn.ai/<id> are one article.

Written here rather than with w3lib.canonicalize_url: w3lib encodes to ASCII (we keep readable
Persian IRIs, like the agencies' own og:url), knows nothing of news ids, and is not a core dependency.
"""
from __future__ import annotations

import posixpath
import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

__all__ = ["InvalidURL", "UrlRule", "canonicalize", "host_of", "news_id_from_url", "register_rule", "rule_from_dict",
           "rules"]

RULES_FILE = Path(__file__).with_name("url_rules.toml")

TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gclsrc", "msclkid", "yclid", "igshid", "twclid", "ttclid",
    "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "ref", "ref_src", "ref_url", "referrer",
    "cmpid", "ocid", "xtor", "at_medium", "at_campaign", "at_custom1", "ito", "spm", "share",
    "amp", "outputtype", "output", "print", "usp", "feature", "ns_mchannel", "ns_source",
    "ns_campaign", "ns_linkname", "ns_fee",
})
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hmb_")
FOLDED_PREFIXES = ("www.", "m.", "mobile.", "amp.", "wap.")
DEFAULT_PORTS = {"http": 80, "https": 443}
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# ASCII that may stand literally in a path or query; everything else ASCII is escaped.
_PATH_SAFE = _UNRESERVED | frozenset("!$&'()*+,;=:@/")
_QUERY_PART_SAFE = _UNRESERVED | frozenset("!$'()*,;:@/?")   # '=', '&', '+' stay escaped in keys/values
_ESCAPE_RUN = re.compile(r"(?:%[0-9A-Fa-f]{2})+")


class InvalidURL(ValueError):
    """Not an absolute http(s) URL."""


@dataclass(frozen=True, slots=True)
class IdPattern:
    path: re.Pattern[str]
    canonical: str
    # Older CMSs carried the id in the query (`newstext.php?nn=13930512000123`): searched in the raw
    # query string when set; `path` must then match too (r"" matches any path).
    query: re.Pattern[str] | None = None


@dataclass(frozen=True, slots=True)
class UrlRule:
    source: str
    hosts: tuple[str, ...]
    canonical_host: str
    scheme: str
    ids: tuple[IdPattern, ...]
    canonical_base: str | None = None
    fold_subdomains: bool = False

    def owns_host(self, host: str) -> bool:
        return host_matches(host, self.hosts)


def host_matches(host: str, entries: Iterable[str], *, subdomains: bool = True) -> bool:
    """The one "host or subdomain of" test (url rules, profile host overrides, source registries).
    `host` equals an entry or, when `subdomains` (or the entry has a leading dot), is a subdomain of
    one. Case and a trailing dot are ignored; `x.evil-tasnim.ir` is not a subdomain of tasnim.ir."""
    host = host.lower().rstrip(".")
    for entry in entries:
        dotted = entry.startswith(".")
        entry = entry.lower().strip(".")
        if host == entry or ((subdomains or dotted) and host.endswith("." + entry)):
            return True
    return False


RULE_KEYS = frozenset({"source", "hosts", "canonical_host", "scheme", "ids", "canonical_base", "fold_subdomains"})


def rule_from_dict(raw: dict[str, Any], where: str) -> UrlRule:
    """One rule from its table (url_rules.toml's [[rule]], or a registry [source.url_rules]);
    ValueError naming `where` and the bad key."""
    unknown = set(raw) - RULE_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {sorted(unknown)} (known: {', '.join(sorted(RULE_KEYS))})")
    try:
        ids = tuple(IdPattern(re.compile(p.get("path", "")), p["canonical"],
                              re.compile(p["query"]) if p.get("query") else None) for p in raw.get("ids", []))
        return UrlRule(source=raw["source"], hosts=tuple(raw["hosts"]),
                       canonical_host=raw["canonical_host"], scheme=raw.get("scheme", "https"),
                       ids=ids, canonical_base=raw.get("canonical_base"),
                       fold_subdomains=bool(raw.get("fold_subdomains", False)))
    except (KeyError, re.error, TypeError) as exc:
        raise ValueError(f"{where}: {exc!r}") from exc


@lru_cache(maxsize=1)
def rules() -> dict[str, UrlRule]:
    """Rules by source id: url_rules.toml (the shipped agencies), plus those a source registry
    declares inside its [[source]] blocks (register_rule)."""
    data = tomllib.loads(RULES_FILE.read_text(encoding="utf-8"))
    out: dict[str, UrlRule] = {}
    for i, raw in enumerate(data.get("rule", [])):
        where = f"{RULES_FILE.name}: rule {i} ({raw.get('source')!r})"
        rule = rule_from_dict(raw, where)
        if rule.source in out:
            raise ValueError(f"{where}: duplicate source")
        out[rule.source] = rule
    return out


def register_rule(rule: UrlRule) -> None:
    """Add (or replace) the rule of one source: the registry's [[source]] block is the one
    declaration of an agency, so its URL rules win over url_rules.toml's for the same id."""
    rules()[rule.source] = rule
    _rule_for_host.cache_clear()


@lru_cache(maxsize=4096)
def _rule_for_host(host: str) -> UrlRule | None:
    # Remembered per host: every parse canonicalizes its URL, and the walk over all rules' hosts
    # was a tenth of a small page's parse. register_rule, the one writer of the table, forgets it.
    return next((rule for rule in rules().values() if rule.owns_host(host)), None)


def _split(url: str):
    url = url.strip()
    if url.startswith("//"):
        url = "https:" + url
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidURL(f"{url!r}: {exc}") from exc
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in DEFAULT_PORTS or not host:
        raise InvalidURL(f"{url!r}: not an absolute http(s) URL")
    try:  # show internationalized hosts in Unicode, like the paths
        if "xn--" in host:
            host = host.encode("ascii").decode("idna")
    except UnicodeError:
        pass
    return scheme, host.lower(), port, parts.path, parts.query


def host_of(url: str) -> str:
    """Lowercased host name of `url` (no port, no trailing dot); '' when it has none."""
    try:
        return _split(url)[1]
    except InvalidURL:
        return ""


def _decode_run(run: str, safe: frozenset[str]) -> str:
    """Decode one run of %XX escapes: valid UTF-8 text and unreserved ASCII become literal."""
    raw = bytes(int(run[i + 1:i + 3], 16) for i in range(0, len(run), 3))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return run.upper()
    return "".join(ch if (ord(ch) > 127 and ch.isprintable()) or ch in _UNRESERVED
                   else "".join(f"%{b:02X}" for b in ch.encode("utf-8")) for ch in text)


def _normalize_escapes(s: str, safe: frozenset[str]) -> str:
    out: list[str] = []
    pos = 0
    for m in _ESCAPE_RUN.finditer(s):
        out.append(_escape_literal(s[pos:m.start()], safe))
        out.append(_decode_run(m.group(0), safe))
        pos = m.end()
    out.append(_escape_literal(s[pos:], safe))
    return unicodedata.normalize("NFC", "".join(out))


def _escape_literal(s: str, safe: frozenset[str]) -> str:
    return "".join(ch if ch in safe or (ord(ch) > 127 and ch.isprintable())
                   else "".join(f"%{b:02X}" for b in ch.encode("utf-8")) for ch in s)


def _normalize_path(path: str) -> str:
    path = _normalize_escapes(path, _PATH_SAFE)
    path = re.sub(r"/{2,}", "/", path or "/")
    if not path.startswith("/"):
        path = "/" + path
    if "/." in path:
        normed = posixpath.normpath(path)
        path = normed + ("/" if path.endswith("/") and normed != "/" else "")
    path = re.sub(r"(?:/amp|\.amp)$", "", path) or "/"  # AMP variants of a page
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    return path


def _normalize_query(query: str) -> str:
    kept: list[tuple[str, str]] = []
    for item in query.split("&"):
        if not item:
            continue
        key, sep, value = item.partition("=")
        lkey = _normalize_escapes(key, _QUERY_PART_SAFE).lower()
        if lkey in TRACKING_PARAMS or lkey.startswith(TRACKING_PREFIXES):
            continue
        kept.append((_normalize_escapes(key, _QUERY_PART_SAFE),
                     sep + _normalize_escapes(value, _QUERY_PART_SAFE | {"="})))
    kept.sort()
    return "&".join(k + v for k, v in kept)


def _fold_host(rule: UrlRule, host: str) -> str:
    if host == rule.canonical_host or rule.fold_subdomains:
        return rule.canonical_host
    for base in rule.hosts:
        if host == base:
            return rule.canonical_host
        for prefix in FOLDED_PREFIXES:
            if host == prefix + base:
                return rule.canonical_host
    return host


def _match_id(rule: UrlRule, path: str, query: str = "") -> tuple[IdPattern, re.Match[str]] | None:
    for pattern in rule.ids:
        m = pattern.path.search(path)
        if m and pattern.query is not None:
            m = pattern.query.search(query)
        if m:
            return pattern, m
    return None


def _resolve(url: str, source: str | None):
    scheme, host, port, path, query = _split(url)
    rule = _rule_for_host(host)
    own_host = rule is not None
    if rule is None and source:
        rule = rules().get(source)
    return scheme, host, port, _normalize_path(path), query, rule, own_host


def canonicalize(url: str, source: str | None = None) -> str:
    """The one canonical spelling of `url` (see the module docstring). Raises InvalidURL."""
    scheme, host, port, path, query, rule, own_host = _resolve(url, source)
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if rule is not None:
        found = _match_id(rule, path, query)
        if own_host:
            scheme, netloc = rule.scheme, _fold_host(rule, host)
            if found:
                pattern, m = found
                base = rule.canonical_base or f"{scheme}://{rule.canonical_host}"
                return base + pattern.canonical.format(id=m.group("id"))
        elif found and found[0].query is None:
            # A foreign host serving the agency's shapes (the test mirror): keep the origin, cut the slug.
            return urlunsplit((scheme, netloc, path[:found[1].end("id")], "", ""))
    return urlunsplit((scheme, netloc, path, _normalize_query(query), ""))


def news_id_from_url(url: str, source: str | None = None) -> str | None:
    """The agency's news id carried in the URL path, or None when the URL has none we know."""
    try:
        _, _, _, path, query, rule, _ = _resolve(url, source)
    except InvalidURL:
        return None
    if rule is None:
        return None
    found = _match_id(rule, path, query)
    return found[1].group("id") if found else None
