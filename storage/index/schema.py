"""Versioned schema migrations, one ordered list per backend.

`schema_version` holds the highest applied step; `migrate()` in the backends applies every
later step in its own transaction, under the backend's writer lock, so concurrent openers
never apply a step twice. Add new steps at the end; never edit an applied one.
"""
from __future__ import annotations

_COMMON = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE articles (
    n {serial},
    id TEXT NOT NULL UNIQUE,
    canonical_url TEXT NOT NULL UNIQUE,
    url TEXT NOT NULL,
    source TEXT,
    title TEXT,
    published TEXT,
    published_day TEXT,
    published_utc TEXT,
    content_hash TEXT NOT NULL,
    versions INTEGER NOT NULL DEFAULT 1,
    cluster_id TEXT NOT NULL,
    empty_body INTEGER NOT NULL DEFAULT 0,
    record_file TEXT NOT NULL,
    record_offset BIGINT NOT NULL,
    minhash {blob},
    first_stored TEXT NOT NULL,
    last_stored TEXT NOT NULL
);
CREATE INDEX articles_hash ON articles (content_hash);
CREATE INDEX articles_source_day ON articles (source, published_day);
CREATE INDEX articles_day ON articles (published_day);
CREATE INDEX articles_cluster ON articles (cluster_id);
CREATE TABLE versions (
    article_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    record_file TEXT NOT NULL,
    record_offset BIGINT NOT NULL,
    stored_at TEXT NOT NULL,
    PRIMARY KEY (article_id, version)
);
CREATE TABLE aliases (
    url TEXT PRIMARY KEY,
    article_id TEXT NOT NULL,
    source TEXT,
    content_hash TEXT NOT NULL,
    record_file TEXT NOT NULL,
    record_offset BIGINT NOT NULL,
    stored_at TEXT NOT NULL
);
CREATE INDEX aliases_article ON aliases (article_id);
CREATE TABLE clusters (
    id TEXT PRIMARY KEY,
    head_id TEXT NOT NULL,
    head_published TEXT,
    size INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE lsh_bands (
    bucket BIGINT NOT NULL,
    article_n BIGINT NOT NULL,
    PRIMARY KEY (bucket, article_n)
){without_rowid};
CREATE INDEX lsh_bands_article ON lsh_bands (article_n);
CREATE TABLE source_stats (
    source TEXT PRIMARY KEY,
    polls INTEGER NOT NULL DEFAULT 0,
    failed_polls INTEGER NOT NULL DEFAULT 0,
    errors INTEGER NOT NULL DEFAULT 0,
    last_success TEXT,
    last_error TEXT
);
CREATE TABLE errors (
    n {serial},
    source TEXT,
    url TEXT,
    kind TEXT NOT NULL,
    message TEXT,
    at TEXT NOT NULL
);
CREATE INDEX errors_source ON errors (source, at);
CREATE TABLE captures (
    url TEXT PRIMARY KEY,
    payload_digest TEXT NOT NULL,
    record_id TEXT NOT NULL,
    warc_date TEXT NOT NULL,
    warc TEXT NOT NULL,
    warc_offset BIGINT NOT NULL
);
"""

# 2: the content-hash lookup ("same content under another URL?") asks for the FIRST article with
# that hash; an index on (content_hash, n) answers it directly. PostgreSQL, with statistics from
# a small table, preferred walking the primary key and filtering (200 ms at 200K articles).
_HASH_INDEX = """
DROP INDEX IF EXISTS articles_hash;
CREATE INDEX articles_hash_n ON articles (content_hash, n);
"""

SQLITE_MIGRATIONS: list[tuple[int, str]] = [
    (1, _COMMON.format(serial="INTEGER PRIMARY KEY", blob="BLOB", without_rowid=" WITHOUT ROWID")
     + """
CREATE VIRTUAL TABLE fts USING fts5(title, lead, body, tokenize = 'unicode61 remove_diacritics 2');
"""),
    (2, _HASH_INDEX),
]

# PostgreSQL full text: a tsvector with the 'simple' configuration (no stemming, no stop words)
# over text that storage.text.fold has already folded. 'simple' because Persian has no
# Snowball stemmer in PostgreSQL and the folding already does what matters for Persian;
# a tsvector + GIN answers word and phrase queries with an index, where pg_trgm would need
# much bigger indexes and gives substring (not word) semantics.
POSTGRES_MIGRATIONS: list[tuple[int, str]] = [
    (1, _COMMON.format(serial="BIGSERIAL PRIMARY KEY", blob="BYTEA", without_rowid="")
     + """
CREATE TABLE fts (
    n BIGINT PRIMARY KEY,
    title TEXT NOT NULL DEFAULT '',
    lead TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '',
    tsv tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, title), 'A') ||
        setweight(to_tsvector('simple'::regconfig, lead), 'B') ||
        to_tsvector('simple'::regconfig, body)) STORED
);
CREATE INDEX fts_tsv ON fts USING GIN (tsv);
"""),
    (2, _HASH_INDEX),
]


def statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";\n") if s.strip()]

# 3: edits, removals, restorations (storage.changes) and the re-check state of each article.
_CHANGES = """
CREATE TABLE changes (
    n {serial},
    article_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    at TEXT NOT NULL,
    source TEXT,
    url TEXT,
    version INTEGER,
    http_status INTEGER,
    final_url TEXT,
    diff TEXT
);
CREATE INDEX changes_at ON changes (at);
CREATE INDEX changes_article ON changes (article_id, at);
CREATE TABLE rechecks (
    article_id TEXT PRIMARY KEY,
    source TEXT,
    url TEXT NOT NULL,
    first_stored TEXT NOT NULL,
    checks INTEGER NOT NULL DEFAULT 0,
    last_checked TEXT,
    next_due TEXT,
    removed INTEGER NOT NULL DEFAULT 0,
    etag TEXT,
    last_modified TEXT
);
CREATE INDEX rechecks_due ON rechecks (next_due);
"""
SQLITE_MIGRATIONS.append((3, _CHANGES.format(serial="INTEGER PRIMARY KEY")))
POSTGRES_MIGRATIONS.append((3, _CHANGES.format(serial="BIGSERIAL PRIMARY KEY")))
