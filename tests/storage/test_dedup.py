"""The four dedup steps of storage/dedup.py, on both index backends."""
from __future__ import annotations

from storage_helpers import make_article, persian_text

from storage import open_archive


def _edit(text: str, positions: tuple[int, ...]) -> str:
    words = text.split()
    for p in positions:
        words[p] = "تغییریافته"
    return " ".join(words)


def test_new_then_unchanged_by_canonical_url(archive):
    a = make_article("https://www.isna.ir/news/1/", "عنوان", persian_text(1))
    first = archive.store(a)
    again = archive.store(a)
    assert first.status == "new" and again.status == "unchanged"
    assert again.article_id == first.article_id
    assert archive.is_known(a.canonical_url) and not archive.is_known("https://www.isna.ir/news/2/")


def test_changed_content_is_a_new_version_and_all_versions_are_kept(archive):
    url = "https://www.isna.ir/news/1/"
    v1 = make_article(url, "عنوان اول", persian_text(1))
    v2 = make_article(url, "عنوان اصلاح شده", persian_text(1) + " جمله تازه.")
    assert archive.store(v1).status == "new"
    res = archive.store(v2)
    assert (res.status, res.version) == ("version", 2)
    versions = archive.versions(res.article_id)
    assert [v.version for v in versions] == [1, 2]
    assert [v.article.title for v in versions] == ["عنوان اول", "عنوان اصلاح شده"]
    assert archive.get(url).title == "عنوان اصلاح شده"
    assert archive.search("اصلاح")[0]["id"] == res.article_id and not archive.search("اول")


def test_same_content_under_another_url_is_an_alias(archive):
    text = persian_text(7)
    a = make_article("https://www.isna.ir/news/7/", "خبر", text)
    b = make_article("https://m.yjc.ir/fa/news/99/", "خبر", text, source="yjc")
    first, second = archive.store(a), archive.store(b)
    assert second.status == "alias" and second.alias_of == first.article_id
    assert archive.is_known(b.canonical_url)
    assert archive.get(b.canonical_url).id == first.article_id
    assert archive.describe(first.article_id)["aliases"] == [b.canonical_url]
    assert archive.store(b).status == "unchanged"
    assert archive.index.count("articles") == 1


def test_near_duplicates_join_one_cluster_headed_by_the_earliest(archive):
    text = persian_text(3, 200)
    late = make_article("https://www.isna.ir/news/3/", "خبر", text, published="2023-03-21T12:00:00+03:30")
    early = make_article("https://www.tasnim.ir/news/3/", "خبر", _edit(text, (5, 50, 120)), source="tasnim",
                         published="2023-03-21T09:00:00+03:30")
    other = make_article("https://www.yjc.ir/news/4/", "خبر دیگر", persian_text(4, 200), source="yjc")
    r1, r2, r3 = archive.store(late), archive.store(early), archive.store(other)
    assert r2.status == "new" and r2.near_duplicate_of == r1.article_id and r2.similarity >= 0.8
    assert r2.cluster_id == r1.cluster_id
    assert r3.cluster_id != r1.cluster_id
    info = archive.describe(r1.article_id)
    assert info["cluster"]["head"] == r2.article_id and info["cluster"]["size"] == 2


def test_dissimilar_texts_below_threshold_stay_apart(archive):
    text = persian_text(5, 200)
    heavy = _edit(text, tuple(range(0, 200, 4)))     # a quarter of the words changed
    r1 = archive.store(make_article("https://a.ir/news/1", "الف", text))
    r2 = archive.store(make_article("https://b.ir/news/1", "ب", heavy))
    assert r2.status == "new" and r2.cluster_id != r1.cluster_id


def test_threshold_is_configurable(archive_dir, index_url):
    text = persian_text(5, 200)
    mid = _edit(text, tuple(range(0, 200, 9)))
    arc = open_archive(archive_dir, index_url=index_url, worker_name="w1", near_dup_threshold=0.5)
    try:
        r1 = arc.store(make_article("https://a.ir/news/1", "الف", text))
        r2 = arc.store(make_article("https://b.ir/news/1", "ب", mid))
        assert r2.cluster_id == r1.cluster_id
    finally:
        arc.close()


def test_records_hold_one_line_per_new_article_or_version(archive, archive_dir):
    url = "https://www.isna.ir/news/1/"
    archive.store(make_article(url, "الف", persian_text(1)))
    archive.store(make_article(url, "الف", persian_text(1)))
    archive.store(make_article(url, "الف", persian_text(2)))
    lines = [l for p in (archive_dir / "records").rglob("w1.jsonl") for l in p.read_text("utf-8").splitlines()]
    assert [__import__("json").loads(l)["kind"] for l in lines] == ["new", "version"]


def test_store_many_is_one_batch_with_the_same_decisions(archive):
    text = persian_text(11)
    batch = [make_article("https://a.ir/1", "t", text), make_article("https://a.ir/1", "t", text),
             make_article("https://b.ir/1", "t", text), make_article("https://c.ir/1", "t2", persian_text(12))]
    assert [r.status for r in archive.store_many(batch)] == ["new", "unchanged", "alias", "new"]
