"""Article fixtures for the storage tests (imported by name: tests run in importlib mode)."""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from parsers.article import Article, Normalized, ParserInfo, article_id, content_hash


def make_article(url: str, title: str, text: str, *, source: str = "isna", published: str | None =
                 "2023-03-21T10:00:00+03:30", lead: str | None = None) -> Article:
    """An Article as the parser would produce it (normalized == as published for these fixtures)."""
    paragraphs = [p for p in text.split("\n\n") if p]
    return Article(
        id=article_id(url), source=source, url=url, canonical_url=url, title=title, lead=lead,
        body=[{"type": "paragraph", "text": p} for p in paragraphs] and [],  # blocks not needed here
        text=text, published=published, published_raw=published,
        normalized=Normalized(title=title, lead=lead or "", text=text),
        content_hash=content_hash(title, text), parser=ParserInfo("test", "1"),
        fetched_at="2023-03-21T07:00:00+00:00")


WORDS = ["دولت", "مجلس", "وزیر", "خارجه", "روسیه", "ایران", "تهران", "اقتصاد", "بازار", "نفت", "گاز", "بورس", "سازمان", "ملل", "امنیت", "شورای", "انتخابات", "ریاست", "جمهوری", "نماینده", "کمیسیون", "بودجه", "تورم", "بانک", "مرکزی", "ارز", "دلار", "طلا", "سکه", "خودرو", "صادرات", "واردات", "کشاورزی", "آب", "برق", "مدرسه", "دانشگاه", "دانشجو", "پژوهش", "فرهنگ", "هنر", "سینما", "کتاب", "ورزش", "فوتبال", "والیبال", "باشگاه", "لیگ", "جام", "بازیکن", "مربی", "تیم", "ملی", "پزشکی", "بیمارستان", "درمان", "واکسن"]


def persian_text(seed: int, n_words: int = 120) -> str:
    """Deterministic varied Persian text (word order from a seeded LCG)."""
    x, out = seed * 2654435761 % 2**32 or 1, []
    for i in range(n_words):
        x = (1103515245 * x + 12345) % 2**31
        out.append(WORDS[(x >> 8) % len(WORDS)])
        if i % 15 == 14:
            out[-1] += "."
    return " ".join(out)


def race_store(root, index_url, name, barrier, urls, text, results) -> None:
    """Child process body for the concurrency test: open, wait at the barrier, store."""
    from storage import open_archive

    arc = open_archive(root, index_url=index_url, worker_name=name)
    try:
        barrier.wait(timeout=60)
        results.put([arc.store(make_article(u, "خبر همزمان", text)).status for u in urls])
    except BaseException as exc:
        results.put(exc)
    finally:
        arc.close()


PG_ADMIN = os.environ.get("BAYEGAN_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextmanager
def scratch_pg_database(name: str) -> Iterator[str]:
    """A fresh PostgreSQL database `name` (dropped before and after); yields its URL."""
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def cli_env(archive_dir: Path, index_url: str | None) -> dict[str, str]:
    """The environment a CLI test runs `bayegan` in: this archive, this index, worker name `cli`."""
    env = {"BAYEGAN_ARCHIVE_DIR": str(archive_dir), "BAYEGAN_WORKER_NAME": "cli"}
    if index_url:
        env["BAYEGAN_INDEX_URL"] = index_url
    return env
