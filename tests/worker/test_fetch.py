"""Fetcher against real HTTP servers on 127.0.0.1: bodies, limits, retries, redirects, policy."""
from __future__ import annotations

import dataclasses
import gzip
import socket
import threading
import time

import pytest
from worker_testkit import LocalServer, free_port, gz, make_source, send

from worker.http import errors as E
from worker.http.fetcher import Fetcher
from worker.http.politeness import LocalPoliteness

PERSIAN = "<html><body><p>خبرگزاری دانشجویان ایران گزارش داد که پژوهشگران گچ را بررسی کردند.</p></body></html>"


def fetcher(settings, **kw):
    kw.setdefault("retry_backoff", 0.01)
    return Fetcher(settings, **kw)


def test_plain_fetch_carries_raw_exchange_and_decoded_content(server, settings):
    body = gz(PERSIAN)
    server.route("/news/1/a", 200, body, {"Content-Encoding": "gzip", "ETag": '"v1"'})
    src = make_source(server.base)
    result = fetcher(settings).fetch(server.url("/news/1/a"), src)
    assert result.status == 200 and result.final_url == server.url("/news/1/a")
    assert result.exchange.body == body                      # as received, still gzip
    assert result.content.decode("utf-8") == PERSIAN         # content-decoded
    assert result.exchange.header("content-encoding") == "gzip"
    assert result.etag == '"v1"' and result.encoding == "utf-8" and result.text == PERSIAN
    assert any(k.lower() == "user-agent" and "Bayegan" in v for k, v in result.exchange.request_headers)
    assert result.exchange.remote_ip == "127.0.0.1" and len(result.body_hash) == 64


def test_windows_1256_without_charset_and_with_a_wrong_one(server, settings):
    text = PERSIAN.replace("ی", "ي")   # windows-1256 has the Arabic yeh only
    server.route("/news/2", 200, text.encode("cp1256"), content_type="text/html")
    server.route("/news/3", 200, text.encode("cp1256"), content_type="text/html; charset=utf-8")
    src = make_source(server.base)
    f = fetcher(settings)
    for path in ("/news/2", "/news/3"):
        result = f.fetch(server.url(path), src)
        assert result.encoding == "cp1256", path
        assert result.text == text


def test_gzip_bomb_is_stopped_and_the_next_page_still_fetched(server, settings):
    bomb = gzip.compress(b"\0" * 50_000_000, compresslevel=9)
    assert len(bomb) < settings.max_body_bytes
    server.route("/news/4", 200, bomb, {"Content-Encoding": "gzip"})
    server.route("/news/5", 200, PERSIAN)
    src = make_source(server.base)
    f = fetcher(settings)
    with pytest.raises(E.BodyTooLarge) as err:
        f.fetch(server.url("/news/4"), src)
    assert "local" in str(err.value) and "/news/4" in str(err.value)
    assert server.hits("/news/4") == 1                      # a limit is not retried
    assert f.fetch(server.url("/news/5"), src).text == PERSIAN


def test_raw_body_over_the_cap(server, settings):
    server.route("/news/6", 200, b"x" * 3_000_000)
    with pytest.raises(E.BodyTooLarge):
        fetcher(settings).fetch(server.url("/news/6"), make_source(server.base))


def test_conditional_get_and_body_hash(server, settings):
    def conditional(h):
        if h.headers.get("If-None-Match") == '"abc"':
            send(h, 304, b"", {"ETag": '"abc"'})
        else:
            send(h, 200, "<rss/>", {"ETag": '"abc"', "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT"})
    server.routes["/rss"] = conditional
    src = make_source(server.base)
    f = fetcher(settings)
    first = f.fetch(server.url("/rss"), src)
    assert not first.unchanged and first.last_modified
    second = f.fetch(server.url("/rss"), src, etag=first.etag, last_modified=first.last_modified)
    assert second.not_modified and second.unchanged and second.status == 304 and second.content == b""
    _, _, headers = server.log[-1]
    assert headers.get("If-None-Match") == '"abc"' and headers.get("If-Modified-Since")
    # An ETag-less server returning the same bytes: the body hash tells it is unchanged.
    third = f.fetch(server.url("/rss"), src, previous_hash=first.body_hash)
    assert third.unchanged and not third.not_modified


def test_5xx_is_retried_with_backoff_then_succeeds(server, settings):
    calls = []

    def flaky(h):
        calls.append(1)
        send(h, 500 if len(calls) < 3 else 200, "boom" if len(calls) < 3 else PERSIAN)
    server.routes["/news/7"] = flaky
    slept: list[float] = []
    f = fetcher(settings, sleep=slept.append)
    assert f.fetch(server.url("/news/7"), make_source(server.base)).status == 200
    assert len(calls) == 3 and len(slept) == 2 and all(0 <= s <= 0.02 for s in slept)


def test_5xx_gives_up_after_bounded_retries(server, settings):
    server.route("/news/8", 502, "bad gateway")
    with pytest.raises(E.ServerError) as err:
        fetcher(settings).fetch(server.url("/news/8"), make_source(server.base))
    assert err.value.status == 502 and err.value.transient
    assert server.hits("/news/8") == settings.max_retries + 1


def test_503_retry_after_is_honoured(server, settings):
    calls = []

    def busy(h):
        calls.append(time.time())
        if len(calls) == 1:
            send(h, 503, "busy", {"Retry-After": "1"})
        else:
            send(h, 200, PERSIAN)
    server.routes["/news/9"] = busy
    result = fetcher(settings).fetch(server.url("/news/9"), make_source(server.base))
    assert result.status == 200 and len(calls) == 2
    assert calls[1] - calls[0] >= 0.9


def test_429_with_long_retry_after_is_raised_with_retry_at_and_slows_the_host(server, settings):
    server.route("/news/10", 429, "slow down", {"Retry-After": "120"})
    politeness = LocalPoliteness(settings)
    with pytest.raises(E.RateLimited) as err:
        fetcher(settings, politeness=politeness).fetch(server.url("/news/10"), make_source(server.base))
    assert 100 < err.value.retry_at - time.time() <= 121
    assert err.value.exchange is not None and err.value.exchange.status == 429
    assert politeness.reserve(f"127.0.0.1:{server.port}", 0.0) > 100   # everyone waits now
    assert server.hits("/news/10") == 1


def test_404_is_not_retried(server, settings):
    with pytest.raises(E.ClientError) as err:
        fetcher(settings).fetch(server.url("/news/missing"), make_source(server.base))
    assert err.value.status == 404 and not err.value.transient
    assert server.hits("/news/missing") == 1


def test_read_timeout_is_retried_then_raised(server, settings):
    def slow(h):
        time.sleep(1.5)
        send(h, 200, PERSIAN)
    server.routes["/news/11"] = slow
    settings = dataclasses.replace(settings, max_retries=1)
    with pytest.raises(E.FetchTimeout):
        fetcher(settings).fetch(server.url("/news/11"), make_source(server.base))
    assert server.hits("/news/11") == 2


def test_truncated_body_is_retried_and_reported(server, settings):
    def truncated(h):
        h.send_response(200)
        h.send_header("Content-Length", "1000")
        h.end_headers()
        h.wfile.write(b"<html>" + b"x" * 94)
        h.wfile.flush()
        h.close_connection = True
        h.connection.shutdown(socket.SHUT_RDWR)
    server.routes["/news/12"] = truncated
    with pytest.raises(E.TruncatedBody):
        fetcher(settings).fetch(server.url("/news/12"), make_source(server.base))
    assert server.hits("/news/12") == settings.max_retries + 1


def test_connection_reset_without_response_then_good_page(server, settings):
    def reset(h):
        h.close_connection = True
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        h.connection.close()
    server.routes["/news/13"] = reset
    server.route("/news/14", 200, PERSIAN)
    src = make_source(server.base)
    f = fetcher(settings)
    with pytest.raises(E.ConnectFailed):
        f.fetch(server.url("/news/13"), src)
    assert f.fetch(server.url("/news/14"), src).status == 200     # a reset page never marks the host down


def test_redirects_followed_checked_and_capped(server, settings):
    server.route("/old", 301, "", {"Location": "/news/15/slug"})
    server.route("/news/15/slug", 200, PERSIAN)
    server.route("/loop-a", 302, "", {"Location": "/loop-b"})
    server.route("/loop-b", 302, "", {"Location": "/loop-a"})
    for i in range(10):
        server.route(f"/chain{i}", 302, "", {"Location": f"/chain{i + 1}"})
    server.route("/away", 302, "", {"Location": "http://evil.example.com/x"})
    src = make_source(server.base)
    f = fetcher(settings)
    result = f.fetch(server.url("/old"), src)
    assert result.final_url == server.url("/news/15/slug") and result.exchange.requested_url == server.url("/old")
    assert [x.status for x in result.history] == [301]
    with pytest.raises(E.TooManyRedirects, match="redirect loop back to"):
        f.fetch(server.url("/loop-a"), src)
    with pytest.raises(E.TooManyRedirects, match="more than 4"):
        f.fetch(server.url("/chain0"), src)
    with pytest.raises(E.ForeignHost, match="evil.example.com"):
        f.fetch(server.url("/away"), src)


def test_allow_list_and_private_addresses(server, settings):
    f = fetcher(settings)
    with pytest.raises(E.ForeignHost):
        f.fetch("http://other.example.org/news/1", make_source(server.base))
    with pytest.raises(E.BlockedAddress, match="allow_private"):
        f.fetch(server.url("/news/1"), make_source(server.base, allow_private=False))
    with pytest.raises(E.BlockedAddress):
        f.fetch("http://169.254.169.254/latest/meta-data/", None)
    with pytest.raises(E.BadURL):
        f.fetch("ftp://127.0.0.1/x", None)
    assert server.hits("/news/1") == 0


def test_host_marked_down_after_repeated_connect_failures(settings):
    port = free_port()
    src = make_source(f"http://127.0.0.1:{port}")
    f = fetcher(settings)
    with pytest.raises(E.HostDown) as err:   # 1 try + 2 retries = the 3rd failure marks it down
        f.fetch(f"http://127.0.0.1:{port}/news/1", src)
    assert err.value.retry_at - time.time() > 25
    started = time.monotonic()
    with pytest.raises(E.HostDown):           # callers are told to wait: no more connection attempts
        f.fetch(f"http://127.0.0.1:{port}/news/2", src)
    assert time.monotonic() - started < 0.5


def test_http_proxy_from_settings(settings):
    proxy = LocalServer()   # a forward proxy sees absolute-form request targets
    try:
        proxy.route("http://news.example/robots.txt", 404, "")
        proxy.route("http://news.example/news/1", 200, PERSIAN)
        settings = dataclasses.replace(settings, proxy=proxy.base)
        src = make_source("http://news.example", hosts=["news.example"], allow_private=False)
        from worker.http.fetcher import Fetcher as F
        result = F(settings).fetch("http://news.example/news/1", src)
        assert result.text == PERSIAN and proxy.hits("http://news.example/news/1") == 1
    finally:
        proxy.close()


def test_fetcher_is_thread_safe_and_pools_one_client(server, settings):
    server.route("/news/20", 200, PERSIAN)
    src = make_source(server.base)
    f1, f2 = fetcher(settings), fetcher(settings)
    assert f1.client is f2.client
    errors: list[BaseException] = []

    def work():
        try:
            for _ in range(5):
                assert f1.fetch(server.url("/news/20"), src).status == 200
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and server.hits("/news/20") == 20


def test_socks_proxy_from_settings_is_used(server, settings):
    """With a SOCKS proxy configured the fetcher goes through it: a dead proxy means no page,
    although the page itself is reachable directly."""
    server.route("/news/30", 200, PERSIAN)
    settings = dataclasses.replace(settings, proxy=f"socks5://127.0.0.1:{free_port()}", max_retries=0)
    with pytest.raises((E.ConnectFailed, E.HostDown)):
        Fetcher(settings).fetch(server.url("/news/30"), make_source(server.base))
    assert server.hits("/news/30") == 0


def test_brotli_and_deflate_bodies(server, settings):
    import zlib

    import brotli
    server.route("/news/31", 200, brotli.compress(PERSIAN.encode()), {"Content-Encoding": "br"})
    server.route("/news/32", 200, zlib.compress(PERSIAN.encode()), {"Content-Encoding": "deflate"})
    server.route("/news/33", 200, gz(PERSIAN)[:-12], {"Content-Encoding": "gzip"})
    f = fetcher(dataclasses.replace(settings, max_retries=0))
    src = make_source(server.base)
    assert f.fetch(server.url("/news/31"), src).text == PERSIAN
    assert f.fetch(server.url("/news/32"), src).text == PERSIAN
    with pytest.raises(E.TruncatedBody):      # a gzip stream cut short is a truncated body
        f.fetch(server.url("/news/33"), src)
