"""Shared fixtures. Per-area fixtures live in tests/<area>/conftest.py."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def corpus_dir() -> Path:
    return Path(os.environ.get("BAYEGAN_CORPUS", REPO.parent / "shared" / "corpus")).resolve()


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The real agency pages. In CI they must be there: a missing corpus fails, never skips."""
    path = corpus_dir()
    if not (path / "truth").is_dir():
        pytest.fail(f"corpus not found at {path} (set BAYEGAN_CORPUS)")
    return path


@pytest.fixture(scope="session")
def seed_dir() -> Path:
    path = corpus_dir().parent / "seed"
    if not path.is_dir():
        pytest.fail(f"seed not found at {path}")
    return path
