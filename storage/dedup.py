"""Dedup, in order: same id (unchanged or a new version), same content at another URL (an alias),
near-duplicate text (a cluster under whoever published first), else a new article.

`prepare`/`complete` do the CPU part (folding, MinHash) outside the writer lock; `apply` makes the
decision inside one index write transaction, so two processes storing the same article at the same
moment produce exactly one record. Live storing and `index rebuild` share `apply`: a rebuilt index
gives the same answers.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from parsers.article import Article, article_id, content_hash
from storage import minhash
from storage.index import SqlIndex
from storage.records import iso_utc, parse_timestamp
from storage.spelling import with_joined_pairs
from storage.text import fold, folded_shingles

MIN_SHINGLES = 5          # shorter texts are not compared for near-duplicates (too little evidence)
SHINGLE_K = 3


class Status(StrEnum):
    """What storing an article did (the strings are the ones records and summaries have always used)."""
    NEW = "new"
    VERSION = "version"
    UNCHANGED = "unchanged"
    ALIAS = "alias"


@dataclass(slots=True)
class StoreResult:
    status: Status
    article_id: str
    cluster_id: str | None
    version: int = 1
    alias_of: str | None = None
    near_duplicate_of: str | None = None
    similarity: float | None = None


@dataclass(slots=True)
class Prepared:
    article: Article
    id: str
    content_hash: str
    folded: tuple[str, str, str] | None      # None until `complete`: an unchanged article needs none
    sig: bytes | None
    keys: list[int]
    published_utc: str | None
    published_day: str | None
    empty: bool


# Writes the record line of a decision (kind, version, alias_of) and returns where it went.
RecordWriter = Callable[[str, int, "str | None"], tuple[str, int]]


def _published(article: Article) -> tuple[str | None, str | None]:
    for value in (article.published, article.fetched_at):
        dt = parse_timestamp(value)
        if dt is None:
            continue
        utc = iso_utc(dt) if dt.tzinfo else None
        return utc, dt.date().isoformat()     # the day as published (Tehran local for agencies)
    return None, None


def article_hash(article: Article) -> str:
    norm = article.normalized
    return article.content_hash or content_hash(norm.title or article.title, norm.text or article.text or "")


def prepare(article: Article, lsh: minhash.LshParams, *, full: bool = True) -> Prepared:
    """`full=False` leaves folding and MinHash to `complete` (for an article the index already
    holds with this content hash: storing it again is "unchanged" and needs neither)."""
    text = article.normalized.text or article.text or ""
    utc, day = _published(article)
    p = Prepared(article, article.id or article_id(article.canonical_url), article_hash(article), None, None, [],
                 utc, day, not text.strip())
    return complete(p, lsh) if full else p


def complete(p: Prepared, lsh: minhash.LshParams) -> Prepared:
    """Folded fields, MinHash signature and LSH band keys (once per Prepared)."""
    if p.folded is not None:
        return p
    article, norm = p.article, p.article.normalized
    folded_text = fold(norm.text or article.text or "")
    sh = folded_shingles(folded_text, SHINGLE_K)
    sig = minhash.signature(sh, lsh.num_perm) if len(sh) >= MIN_SHINGLES else None
    # each with the joined forms of its word pairs: every spelling of a compound (storage.spelling)
    p.folded = (with_joined_pairs(fold(norm.title or article.title)),
                with_joined_pairs(fold(norm.lead or article.lead or "")), with_joined_pairs(folded_text))
    p.sig = minhash.to_blob(sig) if sig is not None else None
    p.keys = minhash.band_keys(sig, lsh) if sig is not None else []
    return p


def apply(idx: SqlIndex, p: Prepared, *, lsh: minhash.LshParams, threshold: float, stored_at: str,
          write_record: RecordWriter) -> StoreResult:
    """The dedup decision for one prepared article, inside the caller's index write transaction."""
    a = p.article
    found = idx.lookup(p.id, a.canonical_url, p.content_hash)
    row = found.get("id")
    if row is not None:
        if row["content_hash"] == p.content_hash:
            return StoreResult(Status.UNCHANGED, row["id"], row["cluster_id"], row["versions"])
        complete(p, lsh)      # changed since the pre-check (another writer): prepare it now
        assert p.folded is not None
        version = row["versions"] + 1
        rec = write_record(Status.VERSION, version, None)
        idx.update_article(row["n"], {
            "url": a.url, "title": a.title, "published": a.published, "published_day": p.published_day,
            "published_utc": p.published_utc, "content_hash": p.content_hash, "versions": version,
            "empty_body": int(p.empty), "record_file": rec[0], "record_offset": rec[1],
            "minhash": p.sig, "last_stored": stored_at})
        idx.insert_version(p.id, version, p.content_hash, rec, stored_at)
        idx.fts_put(row["n"], *p.folded)
        idx.set_bands(row["n"], p.keys, replace=True)
        return StoreResult(Status.VERSION, row["id"], row["cluster_id"], version)
    alias = found.get("alias")
    if alias is not None and alias["content_hash"] == p.content_hash:
        target = idx.article(alias["id"])
        cluster = target["cluster_id"] if target else None
        return StoreResult(Status.UNCHANGED, alias["id"], cluster, alias_of=alias["id"])
    same = found.get("hash")
    if same is not None and alias is None:
        rec = write_record(Status.ALIAS, 1, same["id"])
        idx.insert_alias(a.canonical_url, same["id"], a.source, p.content_hash, rec, stored_at)
        return StoreResult(Status.ALIAS, same["id"], same["cluster_id"], alias_of=same["id"])
    complete(p, lsh)
    assert p.folded is not None
    best, best_sim = None, 0.0
    if p.sig is not None:
        mine = minhash.from_blob(p.sig)
        for cand in idx.candidates(p.keys):
            if cand["minhash"] is None:
                continue
            sim = minhash.jaccard(mine, minhash.from_blob(cand["minhash"]))
            if sim >= threshold and (best is None or sim > best_sim or (sim == best_sim and cand["n"] < best["n"])):
                best, best_sim = cand, sim
    cluster_id = best["cluster_id"] if best else p.id
    rec = write_record(Status.NEW, 1, None)
    n = idx.insert_article({
        "id": p.id, "canonical_url": a.canonical_url, "url": a.url, "source": a.source, "title": a.title,
        "published": a.published, "published_day": p.published_day, "published_utc": p.published_utc,
        "content_hash": p.content_hash, "versions": 1, "cluster_id": cluster_id, "empty_body": int(p.empty),
        "record_file": rec[0], "record_offset": rec[1], "minhash": p.sig, "first_stored": stored_at,
        "last_stored": stored_at})
    idx.insert_version(p.id, 1, p.content_hash, rec, stored_at)
    idx.fts_add(n, *p.folded)
    idx.set_bands(n, p.keys)
    if best:
        idx.join_cluster(cluster_id, p.id, p.published_utc, best)
    return StoreResult(Status.NEW, p.id, cluster_id, 1, near_duplicate_of=best["id"] if best else None,
                       similarity=best_sim if best else None)
