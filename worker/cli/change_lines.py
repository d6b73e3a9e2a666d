"""How changes print: one line each (`bayegan changes`, `show --versions`) or one JSON object."""
from __future__ import annotations

import json

import click

from storage.changes import Change, ChangeKind, render_diff


def _at(value: str) -> str:
    """Change times are stored in UTC (`Z`); printed with an explicit offset."""
    return value.replace("Z", "+00:00")


def change_line(c: Change) -> str:
    tail = {ChangeKind.EDITED: f"version {c.version}",
            ChangeKind.REMOVED: f"HTTP {c.http_status}" + (f" -> {c.final_url}" if c.final_url != c.url else ""),
            ChangeKind.RESTORED: f"version {c.version}" if c.version else "unchanged"}[c.kind]
    return f"{_at(c.at)}  {c.kind:<8} {c.source or '-':<12} {c.article_id}  {c.url}  ({tail})"


def change_json(c: Change) -> str:
    return json.dumps({**c.to_dict(), "at": _at(c.at)}, ensure_ascii=False)


def echo_article_changes(found: list[Change]) -> None:
    """The edit/removal/restoration events of one article, for `bayegan show --versions`."""
    for c in found:
        click.echo(f"\n--- {change_line(c)}")
        for name, ops in c.diff.items():
            click.echo(f"{name}: {render_diff(ops)}")
