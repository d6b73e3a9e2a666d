"""The Article model: what `bayegan parse` prints and what records hold (docs/design.md).

Kept free of any I/O or third-party imports so every layer (storage, worker) can depend on it.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal

# Bumped whenever extraction output may change: re-ingest writes new versions only where output changed.
PARSER_VERSION = "0.2.0"

BlockType = Literal["paragraph", "heading", "quote", "list_item", "caption"]
BLOCK_TYPES: tuple[str, ...] = ("paragraph", "heading", "quote", "list_item", "caption")


@dataclass(slots=True)
class Block:
    type: str
    text: str


@dataclass(slots=True)
class Image:
    url: str
    caption: str = ""


@dataclass(slots=True)
class Attribution:
    agency: str | None = None
    service: str | None = None
    via: list[str] = field(default_factory=list)
    dateline: str | None = None


@dataclass(slots=True)
class Normalized:
    supertitle: str = ""
    title: str = ""
    lead: str = ""
    text: str = ""


@dataclass(slots=True)
class ParserInfo:
    profile: str = "generic"
    version: str = ""


@dataclass(slots=True)
class Capture:
    warc: str | None = None
    offset: int | None = None


def article_id(canonical_url: str) -> str:
    """Stable id of an article: derived from its canonical URL only (Media Cloud uses the same idea)."""
    return hashlib.sha256(canonical_url.encode("utf-8")).hexdigest()[:24]


def content_hash(normalized_title: str, normalized_text: str) -> str:
    return hashlib.sha256(f"{normalized_title}\n\n{normalized_text}".encode()).hexdigest()


@dataclass(slots=True)
class Article:
    id: str
    source: str | None
    url: str
    canonical_url: str
    news_id: str | None = None
    supertitle: str | None = None
    title: str = ""
    lead: str | None = None
    body: list[Block] = field(default_factory=list)
    text: str = ""
    published: str | None = None
    published_raw: str | None = None
    updated: str | None = None
    authors: list[str] = field(default_factory=list)
    category: str | None = None
    tags: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    attribution: Attribution = field(default_factory=Attribution)
    language: str = "fa"
    normalized: Normalized = field(default_factory=Normalized)
    content_hash: str = ""
    parser: ParserInfo = field(default_factory=ParserInfo)
    fetched_at: str | None = None
    capture: Capture = field(default_factory=Capture)
    # What parsing had to tolerate (e.g. bytes replaced while decoding); additive, [] when clean.
    warnings: list[str] = field(default_factory=list)
    # Which layer produced each field ("profile fars@2014: .Lead", "meta og:title", "generic: ...");
    # additive: records written before it read back as {}. Not part of content_hash.
    provenance: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_json(self, **kw: Any) -> str:
        kw.setdefault("ensure_ascii", False)
        return json.dumps(self.to_dict(), **kw)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Article:
        d = dict(d)
        d["body"] = [Block(**b) for b in d.get("body") or []]
        d["images"] = [Image(**i) for i in d.get("images") or []]
        d["attribution"] = Attribution(**(d.get("attribution") or {}))
        d["normalized"] = Normalized(**(d.get("normalized") or {}))
        d["parser"] = ParserInfo(**(d.get("parser") or {}))
        d["capture"] = Capture(**(d.get("capture") or {}))
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})

    @classmethod
    def from_json(cls, s: str) -> Article:
        return cls.from_dict(json.loads(s))
