"""`rebuild_index()` from the records on disk gives the same answers; migrations are versioned."""
from __future__ import annotations

from storage_helpers import make_article, persian_text

from storage import open_archive
from storage.index.schema import POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS


def _fill(arc):
    base = persian_text(1, 200)
    words = base.split(); words[7] = "دگرگون"; words[90] = "دگرگون"
    arc.store(make_article("https://www.isna.ir/news/1/", "لاوروف در لندن", base, published="2023-03-21T12:00:00+03:30"))
    arc.store(make_article("https://www.tasnim.ir/news/1/", "لاوروف", " ".join(words), source="tasnim",
                           published="2023-03-21T08:00:00+03:30"))
    arc.store(make_article("https://www.yjc.ir/news/1/", "لاوروف در لندن", base, source="yjc"))
    arc.store(make_article("https://www.isna.ir/news/2/", "نفت", persian_text(2)))
    arc.store(make_article("https://www.isna.ir/news/2/", "نفت و گاز", persian_text(2) + " خبر تازه."))
    arc.store(make_article("https://www.isna.ir/news/3/", "بودجه", persian_text(3), published=None))
    arc.store(make_article("https://www.isna.ir/news/4/", "خالی", ""))
    arc.record_error("isna", "https://www.isna.ir/news/9/", "parse", "not an article")
    arc.record_poll("isna", True)


def _answers(arc):
    ids = [r["id"] for r in arc.index.all("SELECT id FROM articles ORDER BY id")]
    return {
        "describe": {i: {k: v for k, v in arc.describe(i).items() if k != "article"} | {
            "article": arc.describe(i)["article"].to_dict()} for i in ids},
        "versions": {i: [(v.version, v.content_hash, v.stored_at) for v in arc.versions(i)] for i in ids},
        "search": [h["id"] for h in arc.search("لاوروف")] + [h["id"] for h in arc.search("نفت")],
        "stats": [{k: v for k, v in s.items()} for s in arc.stats()],
        "known": [arc.is_known(u) for u in ("https://www.yjc.ir/news/1/", "https://www.isna.ir/news/5/")],
        "counts": [arc.index.count(t) for t in ("articles", "versions", "aliases", "clusters", "lsh_bands", "errors")],
    }


def test_rebuild_gives_the_same_answers(archive):
    _fill(archive)
    before = _answers(archive)
    report = archive.rebuild_index()
    assert report.records == 7 and report.articles == 5 and not report.skipped
    assert _answers(archive) == before


def test_rebuild_into_a_fresh_index_from_disk_alone(archive_dir, index_url, tmp_path):
    arc = open_archive(archive_dir, index_url=index_url, worker_name="w1")
    _fill(arc)
    before = _answers(arc)
    arc.close()
    if index_url is None:
        (archive_dir / "index.sqlite3").unlink()                  # the index file is lost
        for extra in ("index.sqlite3-wal", "index.sqlite3-shm"):
            (archive_dir / extra).unlink(missing_ok=True)
    arc = open_archive(archive_dir, index_url=index_url, worker_name="w1")
    try:
        arc.rebuild_index()
        assert _answers(arc) == before
    finally:
        arc.close()


def test_schema_version_and_idempotent_migrations(archive_dir, index_url):
    arc = open_archive(archive_dir, index_url=index_url, worker_name="w1")
    latest = (SQLITE_MIGRATIONS if index_url is None else POSTGRES_MIGRATIONS)[-1][0]
    try:
        assert arc.index.schema_version() == latest
        arc.index.migrate()                                       # re-running applies nothing twice
        rows = arc.index.all("SELECT version FROM schema_version ORDER BY version")
        assert [r["version"] for r in rows] == list(range(1, latest + 1))
    finally:
        arc.close()
    again = open_archive(archive_dir, index_url=index_url, worker_name="w2")
    try:
        assert again.index.schema_version() == latest
    finally:
        again.close()
