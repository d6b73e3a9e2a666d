"""Fixtures of the parsers tests."""
from __future__ import annotations

import json
from pathlib import Path

import pytest


def truth_files(corpus: Path) -> list[Path]:
    return sorted((corpus / "truth").glob("*/*.json"))


@pytest.fixture(scope="session")
def seed_lines(seed_dir: Path) -> list[str]:
    files = sorted(seed_dir.glob("*.txt"))
    if not files:
        pytest.fail(f"no seed text in {seed_dir}")
    lines = [line.strip() for line in files[0].read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line]


def load_truth(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))
