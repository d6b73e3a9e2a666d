"""The compose stack is valid (Debian's docker-compose validates without an engine) and has the right shape."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _config(*args: str) -> str:
    done = subprocess.run(["docker-compose", "-f", str(REPO / "docker-compose.yml"), *args, "config"],
                          capture_output=True, text=True, cwd=REPO, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose not installed")
def test_compose_config_is_valid_and_complete():
    import yaml
    stack = yaml.safe_load(_config())
    services = stack["services"]
    assert {"redis", "worker", "beat", "flower"} <= set(services)
    assert services["postgres"]["profiles"] == ["postgres"], "postgres only under its profile"
    assert "redis-cli" in " ".join(services["redis"]["healthcheck"]["test"])
    assert "--appendonly" in services["redis"]["command"]
    assert "-Q discover,fetch,parse,store,reingest" in services["worker"]["command"]
    assert "--concurrency" in services["worker"]["command"]
    assert services["beat"]["command"].split()[:4] == ["celery", "-A", "worker.daemon.app", "beat"]
    assert "replicas" not in services["beat"].get("deploy", {}) or services["beat"]["deploy"]["replicas"] == 1
    for name in ("worker", "beat", "flower"):
        assert services[name]["depends_on"]["redis"]["condition"] == "service_healthy"
        assert any(v.startswith("archive:") for v in services[name]["volumes"]) or name == "flower"
    assert "archive" in stack["volumes"]
    assert "postgres" in yaml.safe_load(_config("--profile", "postgres"))["services"]


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose not installed")
def test_unauthenticated_ports_are_published_on_loopback_only():
    import yaml
    services = yaml.safe_load(_config())["services"]
    for name in ("worker", "flower"):
        ports = [str(p) for p in services[name]["ports"]]
        assert ports and all(p.startswith("127.0.0.1:") for p in ports), (name, ports)
    assert services["worker"]["environment"]["BAYEGAN_METRICS_HOST"] == "0.0.0.0"


def test_image_and_setup_install_what_the_docs_use():
    dockerfile = (REPO / "Dockerfile").read_text()
    assert "parquet" in dockerfile and "flower" in dockerfile
    makefile = (REPO / "Makefile").read_text()
    assert "flower" in makefile, "README documents `celery flower`: setup must install it"
    readme = (REPO / "README.md").read_text()
    assert "bench/out/" not in readme, "bench/out/ is gitignored"
    for line in readme.splitlines():
        if "--profile postgres" in line and "up" in line:
            assert "BAYEGAN_INDEX_URL" in line, line
