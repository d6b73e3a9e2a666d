"""Exceptions of the fetching layer: one base (`FetchError`), specific leaves (httpx style).

Every error names the URL and the source. `retry_at` (epoch seconds) on the ones a caller should
retry later (host down, rate limited), so a queue can wait instead of spinning.

    FetchError
    ├── DisallowedURL            never fetched: policy says no
    │   ├── BadURL               not an absolute http(s) URL
    │   ├── ForeignHost          host (or a redirect's host) outside the source's allow-list
    │   ├── BlockedAddress       private / loopback / link-local address
    │   └── RobotsDisallowed     robots.txt forbids it
    ├── TooManyRedirects         redirect loop or chain longer than the cap
    ├── BodyTooLarge             decompressed body over the cap (gzip bombs)
    ├── ContentDecodingError     broken gzip/deflate/br stream
    ├── HTTPStatusError          (.status)
    │   ├── ClientError          4xx other than 429: do not retry
    │   ├── ServerError          5xx after the bounded retries
    │   └── RateLimited          429/503 with a Retry-After longer than we wait in-process (.retry_at)
    ├── TransportError
    │   ├── FetchTimeout         connect/read/total timeout after the bounded retries
    │   ├── ConnectFailed        connection refused / reset / DNS failure after the retries
    │   └── TruncatedBody        the body ended before Content-Length (or mid gzip stream)
    └── HostDown                 the host failed repeatedly; try again at .retry_at
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.capture import Exchange


class FetchError(Exception):
    retryable: bool = False

    def __init__(self, message: str, *, url: str, source: str | None = None,
                 retry_at: float | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.source = source
        self.retry_at = retry_at

    @property
    def transient(self) -> bool:
        """Read by worker.errors.is_transient: worth a retry later (the page itself may be fine)."""
        return self.retryable

    def __str__(self) -> str:
        where = f"[{self.source}] " if self.source else ""
        return f"{where}{self.url}: {super().__str__()}"


class DisallowedURL(FetchError):
    pass


class BadURL(DisallowedURL):
    pass


class ForeignHost(DisallowedURL):
    pass


class BlockedAddress(DisallowedURL):
    pass


class RobotsDisallowed(DisallowedURL):
    pass


class TooManyRedirects(FetchError):
    pass


class BodyTooLarge(FetchError):
    pass


class ContentDecodingError(FetchError):
    pass


class HTTPStatusError(FetchError):
    def __init__(self, message: str, *, url: str, status: int, source: str | None = None,
                 retry_at: float | None = None) -> None:
        super().__init__(message, url=url, source=source, retry_at=retry_at)
        self.status = status
        self.exchange: Exchange | None = None   # the error response as received (storage.capture.Exchange), evidence


class ClientError(HTTPStatusError):
    pass


class ServerError(HTTPStatusError):
    retryable = True


class RateLimited(HTTPStatusError):
    retryable = True


class TransportError(FetchError):
    retryable = True


class FetchTimeout(TransportError):
    pass


class ConnectFailed(TransportError):
    pass


class TruncatedBody(TransportError):
    pass


class HostDown(FetchError):
    retryable = True
