"""Capture metadata as WARC `metadata` records that replay tools never mistake for the page.

Why this shape (checked against WARC 1.1 and pywb 2.x): WARC 1.1 (section 6.6) names
`application/warc-fields` as the usual content of a `metadata` record, and pywb's CDX indexer
(and warcio's) index a `metadata` record under its `WARC-Target-URI`, so a record carrying the
page's own URL can be served in place of the page. Earlier versions wrote JSON at the page URL
and pywb replayed that JSON for every article. Now the record's target is a URI of our own
scheme (`urn:bayegan:capture:<uuid of the response>`), which no http(s) lookup can match, its body
is `application/warc-fields`, and it points at the response with `WARC-Concurrent-To` (written
with it) or `WARC-Refers-To` (a later annotation). Readers still accept the old JSON records.

Values: a string without line breaks is written as is; anything else (numbers, lists, dicts,
multi-line text) as JSON, which `parse_fields` turns back.
"""
from __future__ import annotations

import json
from typing import Any

WARC_FIELDS = "application/warc-fields"
JSON_TYPE = "application/json"
_JSON_START = ('{', '[', '"')
_JSON_WORDS = {"true", "false", "null"}


def metadata_uri(record_id: str) -> str:
    """`urn:bayegan:capture:<uuid>` for the response `<urn:uuid:...>` the metadata describes."""
    uuid = record_id.strip("<>").rsplit(":", 1)[-1]
    return f"urn:bayegan:capture:{uuid}"


def _value(value: Any) -> str:
    if isinstance(value, str) and "\n" not in value and "\r" not in value and not value.startswith(_JSON_START) \
            and value not in _JSON_WORDS and value.strip() == value:
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def format_fields(metadata: dict[str, Any]) -> bytes:
    lines = [f"{key}: {_value(value)}\r\n" for key, value in sorted(metadata.items()) if value is not None]
    return "".join(lines).encode("utf-8")


def parse_fields(data: bytes) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for line in data.decode("utf-8", "replace").splitlines():
        key, sep, value = line.partition(":")
        if not sep or not key.strip():
            continue
        value = value.strip()
        if value.startswith(_JSON_START) or value in _JSON_WORDS:
            try:
                fields[key.strip()] = json.loads(value)
                continue
            except ValueError:
                pass
        fields[key.strip()] = value
    return fields


def parse_metadata(content_type: str | None, data: bytes) -> dict[str, Any]:
    """Either format: warc-fields (this version) or JSON (archives written before it)."""
    if (content_type or "").split(";", 1)[0].strip().lower() == WARC_FIELDS:
        return parse_fields(data)
    loaded = json.loads(data or b"{}")
    return loaded if isinstance(loaded, dict) else {}
