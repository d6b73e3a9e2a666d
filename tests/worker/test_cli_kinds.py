"""Choices the CLI spells out (to keep storage out of `--help`) match the library's enums."""
from __future__ import annotations

from storage.changes import ChangeKind
from worker.cli.changes import changes


def test_changes_kind_choices_are_the_change_kinds() -> None:
    kind = next(p for p in changes.params if p.name == "kind")
    assert list(kind.type.choices) == [k.value for k in ChangeKind]
