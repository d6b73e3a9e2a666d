"""Every spelling of a Persian compound finds the same articles: joined, ZWNJ, space — both backends."""
from __future__ import annotations

import pytest
from storage_helpers import cli_env, make_article, persian_text

ZWNJ = "\u200c"

# family -> (joined, ZWNJ, spaced) spellings of one word
FAMILIES = {
    "compound": ("کلانشهرها", f"کلان{ZWNJ}شهرها", "کلان شهرها"),
    "mi_verb": ("میرود", f"می{ZWNJ}رود", "می رود"),
    "nemi_verb": ("نمیخواهد", f"نمی{ZWNJ}خواهد", "نمی خواهد"),
    "ha_plural": ("کتابها", f"کتاب{ZWNJ}ها", "کتاب ها"),
    "haye_plural": ("خبرگزاریهای", f"خبرگزاری{ZWNJ}های", "خبرگزاری های"),
}


@pytest.fixture
def spelled(archive):
    """For each family, three articles: the word written joined, with ZWNJ and with a space."""
    urls: dict[str, set[str]] = {}
    n = 0
    for family, spellings in FAMILIES.items():
        for form in spellings:
            n += 1
            url = f"https://www.isna.ir/news/{n}/"
            archive.store(make_article(url, f"گزارش {n}", f"در این گزارش {form} آمده است. " + persian_text(n)))
            urls.setdefault(family, set()).add(url)
    return archive, urls


@pytest.mark.parametrize("family", sorted(FAMILIES))
@pytest.mark.parametrize("form", [0, 1, 2], ids=["joined", "zwnj", "spaced"])
def test_every_spelling_finds_every_spelling(spelled, family, form):
    archive, urls = spelled
    query = FAMILIES[family][form]
    found = {h["url"] for h in archive.search(query, limit=100)}
    assert found == urls[family], f"{family} query {query!r}"


def test_quoted_phrase_finds_joined_text(spelled):
    archive, urls = spelled
    found = {h["url"] for h in archive.search('"کلان شهرها آمده"', limit=100)}
    assert found == urls["compound"]


def test_unrelated_words_are_not_joined_into_false_hits(archive):
    archive.store(make_article("https://www.isna.ir/news/1/", "شهر", "کلان و شهرها جدا نوشته شده. " + persian_text(1)))
    archive.store(make_article("https://www.isna.ir/news/2/", "شهر", "کلانشهرها " + persian_text(2)))
    # both words present (not adjacent): AND semantics still find it; the joined form needs them adjacent
    assert {h["url"] for h in archive.search("کلانشهرها")} == {"https://www.isna.ir/news/2/"}


def test_bayegan_search_cli_finds_every_spelling(spelled, archive_dir, index_url):
    import json

    from click.testing import CliRunner

    from worker.cli import cli

    archive, urls = spelled
    archive.close()
    env = cli_env(archive_dir, index_url)
    for query in FAMILIES["compound"]:
        r = CliRunner().invoke(cli, ["search", query, "--json", "--limit", "100"], env=env, catch_exceptions=False)
        assert r.exit_code == 0
        assert {json.loads(line)["url"] for line in r.output.splitlines() if line} == urls["compound"], query
