"""Write registry entries (dicts in the schema of worker/sources.toml) as TOML.

Hand-written because the standard library only reads TOML; the schema is flat (strings,
numbers, booleans, lists of strings), so a tiny writer covers it. Regexes are written as
literal strings so their backslashes stay as they are.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any


def _value(key: str, v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        if key in ("article_patterns",) and "'" not in v and "\n" not in v:
            return f"'{v}'"
        return json.dumps(v, ensure_ascii=False)   # a JSON string is a valid TOML basic string
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(key, x) for x in v) + "]"
    raise TypeError(f"cannot write {key} = {v!r} as TOML")


def dump_sources(entries: Iterable[dict], header: str = "") -> str:
    lines = [f"# {header}", ""] if header else []
    for entry in entries:
        lines.append("[[source]]")
        for key, v in entry.items():
            if v is None:
                continue
            lines.append(f"{key} = {_value(key, v)}")
        lines.append("")
    return "\n".join(lines)
