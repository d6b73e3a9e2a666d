"""Cost of the guarded transport (pinned connect + deadline-bounded reads) per request. Prints figures.

    .venv/bin/python bench/transport.py [--requests 2000] [--rounds 3]

GETs of one small page from a loopback server through httpx with its own HTTPTransport (the
baseline, measured in the same run) and through worker.http.transport.GuardedTransport, inside a
fetch deadline as the fetcher runs them; keep-alive on (the usual case) and off (a connect, and
so a resolve + check, per request). The ratio guarded / baseline is the figure to watch.
"""
from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]
sys.path.insert(0, os.path.dirname(_HERE))     # this checkout's worker/, not another install's

import httpx  # noqa: E402

from worker.http.deadline import fetch_deadline  # noqa: E402
from worker.http.netguard import private_scope  # noqa: E402
from worker.http.transport import GuardedTransport  # noqa: E402

BODY = b"<html><body>" + "خبر ".encode() * 500 + b"</body></html>"


class _H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        # One write: headers and body in separate segments meet delayed ACK (40 ms per request).
        close = self.headers.get("Connection", "").lower() == "close"
        self.close_connection = close
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n" % (
            len(BODY), b"Connection: close\r\n" if close else b"") + BODY)


def _run(client: httpx.Client, url: str, n: int, keepalive: bool) -> float:
    headers = {} if keepalive else {"Connection": "close"}
    started = time.perf_counter()
    with private_scope(frozenset({("127.0.0.1", int(url.rsplit(":", 1)[1].split("/")[0]))})):
        for _ in range(n):
            with fetch_deadline(30.0):
                client.get(url, headers=headers).raise_for_status()
    return (time.perf_counter() - started) / n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _H)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/news/1"
    limits = httpx.Limits(max_connections=20, max_keepalive_connections=10)
    plain = httpx.Client(transport=httpx.HTTPTransport(limits=limits, trust_env=False), trust_env=False)
    guarded = httpx.Client(transport=GuardedTransport(limits=limits), trust_env=False)
    for keepalive in (True, False):
        best = {"baseline": float("inf"), "guarded": float("inf")}
        for _ in range(args.rounds):      # interleaved rounds: both see the same machine load
            best["baseline"] = min(best["baseline"], _run(plain, url, args.requests, keepalive))
            best["guarded"] = min(best["guarded"], _run(guarded, url, args.requests, keepalive))
        mode = "keep-alive" if keepalive else "new connection each"
        print(f"{mode:>20}: baseline {best['baseline'] * 1e6:8.1f} us/request, guarded "
              f"{best['guarded'] * 1e6:8.1f} us/request, ratio {best['guarded'] / best['baseline']:.3f}")
    httpd.shutdown()


if __name__ == "__main__":
    main()
