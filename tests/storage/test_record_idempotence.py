"""One record line per (article id, version): a kill before the index commit does not double it."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from storage_helpers import make_article, persian_text

from storage import open_archive


def _record_lines(root: Path) -> list[dict]:
    return [json.loads(line) for f in sorted((root / "records").rglob("*.jsonl"))
            for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_store_after_a_kill_before_the_index_commit_writes_no_second_line(tmp_path):
    root = tmp_path / "archive"
    first = make_article("https://www.isna.ir/news/1/a", "عنوان", persian_text(1))
    with open_archive(root, worker_name="w1") as arch:
        arch.store(first)
    saved = tmp_path / "index-before.sqlite3"
    shutil.copy(root / "index.sqlite3", saved)
    second = make_article("https://www.isna.ir/news/2/b", "عنوان دو", persian_text(2))
    with open_archive(root, worker_name="w1") as arch:
        arch.store(second)          # the record line is fsynced ...
    shutil.copy(saved, root / "index.sqlite3")    # ... and the index commit is "lost" (the kill)
    for extra in root.glob("index.sqlite3-*"):
        extra.unlink()
    with open_archive(root, worker_name="w1") as arch:    # the restart stores the same article again
        assert arch.store(second).status == "new"
        ids = [line["article_id"] for line in _record_lines(root)]
        assert len(ids) == 2 and len(set(ids)) == 2, "one line per (article id, version)"
        assert len(arch.versions(ids[1])) == 1
        assert [a.title for a in arch.iter_articles()] == ["عنوان", "عنوان دو"]


def test_rebuild_folds_a_repeated_record_line(tmp_path):
    root = tmp_path / "archive"
    art = make_article("https://www.isna.ir/news/3/c", "عنوان", persian_text(3))
    with open_archive(root, worker_name="w1") as arch:
        arch.store(art)
    record_file = next((root / "records").rglob("*.jsonl"))
    line = record_file.read_text(encoding="utf-8").splitlines()[0]
    with open(record_file, "a", encoding="utf-8") as fh:     # the same (id, version) written twice
        fh.write(line + "\n")
    with open_archive(root, worker_name="w2") as arch:
        arch.rebuild_index()
        article_id = json.loads(line)["article_id"]
        assert len(arch.versions(article_id)) == 1
        assert len(list(arch.iter_articles())) == 1
        assert sum(row.get("articles", 0) for row in arch.stats()) == 1
