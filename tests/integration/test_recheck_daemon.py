"""Re-checks in the daemon: real Redis, a real `celery worker` (with the recheck queue) and
`celery beat`, the mirror editing and deleting stories. No manual command: beat schedules the
re-checks (compressed schedule) and the archive notices the edit and the removal."""
from __future__ import annotations

import time

from storage import open_archive
from tests.integration.harness import Fleet, redis_db_url, stored_count, wait_for, write_sources
from worker.testing.mirror import MirrorServer

POLL = 3


def _changes(archive_dir) -> list:
    with open_archive(archive_dir, worker_name="test-reader") as arc:
        return arc.changes()


def test_beat_rechecks_turn_an_edit_into_version_2_and_a_deletion_into_a_removal(tmp_path):
    with MirrorServer(agencies=("isna",), articles=4, faults=False, seed=31) as mirror:
        sources = write_sources(mirror, tmp_path / "sources.toml", poll_interval=POLL, min_poll=POLL, max_poll=60)
        fleet = Fleet(tmp_path, sources, redis_db_url(db=6), BAYEGAN_RECHECK_SCHEDULE="5s,10s,20s,40s",
                      BAYEGAN_RECHECK_EVERY="1")
        edited, deleted = mirror.articles[0].url, mirror.articles[1].url
        with fleet.running():
            fleet.worker("w1", concurrency=2,
                         queues=("discover", "fetch", "parse", "store", "reingest", "recheck"))
            fleet.beat("beat1")
            wait_for(lambda: stored_count(fleet.archive_dir) >= 4, 90, what="every article stored", fleet=fleet)
            mirror.edit(edited)
            mirror.remove(deleted, "404")
            started = time.time()

            def noticed() -> bool:
                kinds = {(c.kind, c.url) for c in _changes(fleet.archive_dir)}
                return ("edited", edited) in kinds and ("removed", deleted) in kinds
            wait_for(noticed, 90, what="the edit and the removal noticed by re-checks", fleet=fleet)
            time.sleep(3)                  # more re-check ticks: nothing is reported twice
            changes = _changes(fleet.archive_dir)
        assert [c.kind for c in changes if c.url == deleted] == ["removed"]
        edit = next(c for c in changes if c.url == edited)
        assert edit.version == 2 and "text" in edit.diff
        with open_archive(fleet.archive_dir, worker_name="test-reader") as arc:
            assert [v.version for v in arc.versions(edit.article_id)] == [1, 2]
        assert time.time() - started < 90
        rechecks = [r for r in mirror.requests("isna") if r.path.startswith("/news/")]
        assert len(rechecks) > 4, "the articles were fetched again by re-checks"
