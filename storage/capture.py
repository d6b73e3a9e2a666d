"""One HTTP exchange as captured on the wire: what the fetcher produces and the WARC writer stores."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Exchange:
    url: str                                   # the URL finally requested (after redirects)
    status: int
    body: bytes                                # payload as received (still content-encoded if it was)
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    method: str = "GET"
    reason: str = ""
    http_version: str = "HTTP/1.1"
    fetched_at: str = ""                       # ISO 8601 UTC
    remote_ip: str | None = None
    requested_url: str | None = None           # the URL before redirects, when different
    capture: object | None = None              # where an exchange sink archived it (storage.warc.Capture)

    def header(self, name: str) -> str | None:
        lname = name.lower()
        for k, v in self.response_headers:
            if k.lower() == lname:
                return v
        return None
