"""What one fetch returns (the fetcher's result type, apart so readers need not import httpx)."""
from __future__ import annotations

from dataclasses import dataclass, field

from storage.capture import Exchange
from worker.http.bodies import detect_encoding


@dataclass(slots=True)
class FetchResult:
    exchange: Exchange
    content: bytes                      # content-decoded body (gzip etc. undone); b"" for 304
    final_url: str
    status: int
    not_modified: bool = False
    content_type: str | None = None
    encoding: str | None = None         # Python codec of a textual body (header, meta, detection)
    body_hash: str = ""                 # sha256 of `content`: unchanged feeds despite bad ETags
    unchanged: bool = False             # 304, or the same body hash as `previous_hash`
    history: list[Exchange] = field(default_factory=list)   # redirect hops before the final one

    @property
    def etag(self) -> str | None:
        return self.exchange.header("etag")

    @property
    def last_modified(self) -> str | None:
        return self.exchange.header("last-modified")

    @property
    def text(self) -> str:
        return self.content.decode(self.encoding or detect_encoding(self.content, self.content_type), "replace")
