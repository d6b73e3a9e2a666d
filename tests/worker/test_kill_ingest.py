"""`bayegan ingest` SIGKILLed at 20 seeded crash points (BAYEGAN_CRASH_AT: the Nth durable write,
storage.crashpoint), each kill followed by another run: in the end every article the mirror
serves is stored exactly once (records = index rows, no (id, version) line twice) and the WARC
files pass `warcio check`.

The runs are children forked from one warm process (imports and parser loaded once), so 20+
kills fit in well under a minute; each child runs the real CLI and dies by a real SIGKILL."""
from __future__ import annotations

import json
import random
import signal
import subprocess
import sys

from archive_checks import assert_consistent, run_env

from worker.testing.mirror import MirrorServer

KILLS = 20
MAX_POINT = 70          # a full run of this mirror passes ~90 crash points; most kills land mid-run

ZYGOTE = r"""
import json, os, sys
from storage import crashpoint
from worker.cli import cli
from worker.pipeline.pages import warm_up_parser
warm_up_parser()
print("ready", flush=True)
for line in sys.stdin:
    at, args = json.loads(line)
    pid = os.fork()
    if pid == 0:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        crashpoint.arm(at)
        code = 1
        try:
            cli.main(args=args, prog_name="bayegan", standalone_mode=False)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException as exc:
            print(f"crashed: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    print(json.dumps(-os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)), flush=True)
"""


class Zygote:
    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", ZYGOTE], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, env=run_env())
        assert self.proc.stdout is not None and self.proc.stdout.readline().strip() == "ready"

    def ingest(self, sources, archive, at: int) -> int:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        args = ["ingest", "--sources", str(sources), "--archive", str(archive), "--no-progress", "--json"]
        self.proc.stdin.write(json.dumps([at, args]) + "\n")
        self.proc.stdin.flush()
        return int(self.proc.stdout.readline())

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)


def test_ingest_killed_at_20_write_points_stores_every_article_exactly_once(tmp_path):
    rng = random.Random(2026_12_02)
    zygote = Zygote()
    try:
        with MirrorServer(agencies=("isna", "yjc"), articles=4, faults=False, seed=21) as mirror:
            sources = mirror.write_sources_toml(tmp_path / "sources.toml")
            kills, archives, runs = 0, 0, 0
            archive = tmp_path / "archive-0"
            while kills < KILLS:
                runs += 1
                assert runs < KILLS * 3, "the crash points never land"
                code = zygote.ingest(sources, archive, rng.randint(1, MAX_POINT))
                if code == -signal.SIGKILL:
                    kills += 1
                    continue
                assert code == 0, f"ingest after a kill exited {code}"
                assert assert_consistent(archive) == len(mirror.articles)   # this archive is complete
                archives += 1
                archive = tmp_path / f"archive-{archives}"
            assert zygote.ingest(sources, archive, 0) == 0
            assert assert_consistent(archive) == len(mirror.articles)
    finally:
        zygote.close()
