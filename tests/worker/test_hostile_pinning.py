"""Hostile network answers (issue 13): DNS rebinding, allow_private scope, headers dripped slowly.

Real loopback servers and the real fetcher. Only the resolver is ours (socket.getaddrinfo answers
a chosen sequence for *.test names), and connections to anything but 127.0.0.1 are refused and
recorded at the socket backend, so no test can reach a public or link-local address.
"""
from __future__ import annotations

import dataclasses
import socket
import subprocess
import threading
import time

import httpcore
import pytest
from worker_testkit import LocalServer, make_source

from worker.http import errors as E
from worker.http import netguard
from worker.http.fetcher import Fetcher

PUBLIC = "93.184.216.34"     # globally routable: passes the guard; the test backend never dials it


@pytest.fixture
def dialled(monkeypatch):
    """Addresses the socket backend is asked to connect to; only 127.0.0.1 is really dialled."""
    seen: list[str] = []
    real = httpcore.SyncBackend.connect_tcp

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        seen.append(host)
        # A name is dialled as given (the socket resolves it again, as httpx alone would), but
        # only where it now points at 127.0.0.1: what a rebinding attacker gets without pinning.
        if {info[4][0] for info in socket.getaddrinfo(host, port)} != {"127.0.0.1"}:
            raise httpcore.ConnectError(f"test network: {host} is not reachable from tests")
        return real(self, host, port, timeout, local_address, socket_options)

    monkeypatch.setattr(httpcore.SyncBackend, "connect_tcp", connect_tcp)
    return seen


@pytest.fixture
def answers(monkeypatch):
    """answers[name] = list of addresses getaddrinfo returns, one per call (the last one repeats)."""
    table: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        if name in table:
            seq = table[name]
            address = seq.pop(0) if len(seq) > 1 else seq[0]
            return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port or 0))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(netguard, "_cache", {})
    return table


def _fetcher(settings) -> Fetcher:
    return Fetcher(dataclasses.replace(settings, respect_robots=False, max_retries=0), sleep=lambda s: None)


def test_rebinding_between_check_and_connect_never_reaches_loopback(server, settings, answers, dialled):
    server.route("/news/1", 200, "secret")
    answers["rebind.test"] = [PUBLIC, "127.0.0.1"]      # checked: public; asked again: loopback
    src = make_source(f"http://rebind.test:{server.port}", hosts=["rebind.test"], allow_private=False)
    with pytest.raises(E.TransportError):
        _fetcher(settings).fetch(f"http://rebind.test:{server.port}/news/1", src)
    assert server.hits("/news/1") == 0
    assert dialled and set(dialled) == {PUBLIC}          # the checked address, never the name


def test_rebinding_after_the_cache_expired_is_checked_again(server, settings, answers, dialled, monkeypatch):
    monkeypatch.setattr(netguard, "_CACHE_SECONDS", 0.0)   # every resolution is fresh
    server.route("/news/2", 200, "secret")
    answers["rebind.test"] = [PUBLIC, "127.0.0.1"]
    src = make_source(f"http://rebind.test:{server.port}", hosts=["rebind.test"], allow_private=False)
    url = f"http://rebind.test:{server.port}/news/2"
    with pytest.raises(E.BlockedAddress, match="non-public") as err:
        _fetcher(settings).fetch(url, src)
    assert url in str(err.value) and server.hits("/news/2") == 0 and dialled == []


def test_redirect_hop_is_pinned_too(server, settings, answers, dialled, monkeypatch):
    monkeypatch.setattr(netguard, "_CACHE_SECONDS", 0.0)
    answers["hop.test"] = [PUBLIC, "127.0.0.1"]
    target = f"http://hop.test:{server.port}/news/3"
    server.route("/go", 302, "", {"Location": target})
    server.route("/news/3", 200, "secret")
    src = make_source(server.base, hosts=["127.0.0.1", "hop.test"])      # allow_private: its own origin only
    with pytest.raises(E.BlockedAddress) as err:
        _fetcher(settings).fetch(server.url("/go"), src)
    assert target in str(err.value) and server.hits("/go") == 1 and server.hits("/news/3") == 0


def test_pinned_connection_keeps_the_host_name_in_the_host_header(server, settings, answers, dialled):
    answers["pinned.test"] = ["127.0.0.1"]
    server.route("/news/4", 200, "ok")
    base = f"http://pinned.test:{server.port}"
    result = _fetcher(settings).fetch(base + "/news/4", make_source(base, hosts=["pinned.test"]))
    assert result.status == 200 and dialled == ["127.0.0.1"]
    assert [h.get("Host") for _, p, h in server.log if p == "/news/4"] == [f"pinned.test:{server.port}"]


def test_allow_private_reaches_only_the_sources_own_origins(server, settings, dialled):
    other = LocalServer()
    try:
        other.route("/news/5", 200, "internal service")
        server.route("/to-other", 302, "", {"Location": other.url("/news/5")})
        server.route("/to-metadata", 302, "", {"Location": "http://169.254.169.254/latest/meta-data/"})
        server.route("/news/6", 200, "fine")
        src = make_source(server.base, hosts=["127.0.0.1", "169.254.169.254"])
        f = _fetcher(settings)
        assert f.fetch(server.url("/news/6"), src).status == 200
        with pytest.raises(E.BlockedAddress, match="allow_private covers only") as err:
            f.fetch(server.url("/to-other"), src)
        assert other.url("/news/5") in str(err.value) and other.hits("/news/5") == 0
        with pytest.raises(E.BlockedAddress) as err:
            f.fetch(server.url("/to-metadata"), src)
        assert "169.254.169.254" in str(err.value)
        with pytest.raises(E.BlockedAddress):      # asked directly, not only through a redirect
            f.fetch(other.url("/news/5"), make_source(server.base))
        assert other.hits("/news/5") == 0 and "169.254.169.254" not in dialled
    finally:
        other.close()


class DripServer:
    """Answers every connection with response headers one byte per `pause` seconds, up to `limit`."""

    def __init__(self, pause: float, limit: int) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.pause, self.limit = pause, limit
        self.sent = 0
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn: socket.socket) -> None:
        head = b"HTTP/1.1 200 OK\r\nX-Drip: " + b"a" * self.limit
        with conn:
            conn.recv(65536)
            for i in range(self.limit):
                try:
                    conn.sendall(head[i:i + 1])
                except OSError:
                    return           # the client hung up: what the deadline should cause
                self.sent += 1
                time.sleep(self.pause)

    def close(self) -> None:
        self.sock.close()


def test_dripped_headers_end_at_the_total_deadline(settings):
    # 1 byte / 0.3 s never trips the 1 s read timeout; only the 2 s total deadline can stop it.
    drip = DripServer(pause=0.3, limit=400)
    settings = dataclasses.replace(settings, total_timeout=2.0, max_retries=3, respect_robots=False)
    base = f"http://127.0.0.1:{drip.port}"
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            Fetcher(settings, retry_backoff=0.01).fetch(base + "/news/7", make_source(base))
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(60)       # unbounded, each of the 4 attempts would drip for 400 x 0.3 s
    drip.close()
    assert not worker.is_alive(), "the fetch outlived its total deadline"
    assert len(outcome) == 1 and isinstance(outcome[0], E.FetchTimeout), outcome
    assert base + "/news/7" in str(outcome[0])
    assert drip.sent < 100       # the client hung up long before the drip ended


def test_pinned_tls_keeps_the_host_name_for_sni_and_the_certificate_check(settings, answers, dialled, tmp_path):
    import shutil
    import ssl

    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a throwaway certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=pinned.test", "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    names: list[str | None] = []
    context.sni_callback = lambda sock, name, ctx: names.append(name)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        try:
            conn, _ = listener.accept()
            with context.wrap_socket(conn, server_side=True):
                pass
        except (OSError, ssl.SSLError):
            pass       # the client refuses our self-signed certificate: expected

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    answers["pinned.test"] = ["127.0.0.1"]
    base = f"https://pinned.test:{port}"
    try:
        with pytest.raises(E.TransportError, match=r"CERTIFICATE_VERIFY_FAILED|certificate"):
            _fetcher(settings).fetch(base + "/news/8", make_source(base, hosts=["pinned.test"]))
    finally:
        thread.join(10)
        listener.close()
    assert dialled == ["127.0.0.1"] and names == ["pinned.test"]
