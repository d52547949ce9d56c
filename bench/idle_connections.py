#!/usr/bin/env python3
"""How long an authenticated scrape takes while idle or slow connections are held open.

Starts `infercost serve` (the embedded emulated fleet, loading as usual) with a basic-auth web
config, opens N connections to it on loopback that never finish a request (a third send nothing,
a third half a request header, a third one complete request and then sit on the kept-alive
connection), and times authenticated GET /metrics scrapes while they are held. Also times failed
logins of a known user (wrong password) against an unknown user, and reports the server's
threads and resident memory.

    bench/idle_connections.py --binary build/release/exporter/cli/infercost [--idle 1000]

Loopback only. The figure to compare with is Prometheus's scrape timeout and issue 15's bound:
every scrape within 1 s while 1,000 connections are held.
"""
import argparse
import base64
import ctypes
import ctypes.util
import os
import re
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

BCRYPT_COST = 10


def bcrypt(password: str, cost: int) -> str:
    lib = ctypes.CDLL(ctypes.util.find_library("crypt"))
    lib.crypt_gensalt.restype = ctypes.c_char_p
    lib.crypt_gensalt.argtypes = [ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p, ctypes.c_int]
    lib.crypt.restype = ctypes.c_char_p
    lib.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    salt = lib.crypt_gensalt(b"$2y$", cost, None, 0)
    return lib.crypt(password.encode(), salt).decode()


TIMEOUT_S = 10.0


def fetch(port: int, path: str, user: str, password: str, timeout: float = 0):
    """(status, seconds) of one GET with basic auth on a new connection; status 0 on timeout."""
    timeout = timeout or TIMEOUT_S
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    request.add_header("Authorization", f"Basic {token}")
    start = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as e:
        status = e.code
    except OSError:
        status = 0
    return status, time.monotonic() - start


def hold(port: int, count: int):
    held = []
    for i in range(count):
        s = socket.create_connection(("127.0.0.1", port))
        if i % 3 == 1:
            s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
        elif i % 3 == 2:
            s.sendall(b"GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n")
        held.append(s)
    return held


def proc_status(pid: int) -> dict:
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            out[key] = value.strip()
    return out


def main() -> int:
    global TIMEOUT_S
    sys.stdout.reconfigure(line_buffering=True)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", required=True)
    ap.add_argument("--idle", type=int, default=1000)
    ap.add_argument("--scrapes", type=int, default=20)
    ap.add_argument("--timeout", type=float, default=10.0,
                    help="give up on a request after this many seconds (status 0)")
    args = ap.parse_args()
    TIMEOUT_S = args.timeout
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    with tempfile.TemporaryDirectory() as tmp:
        web = os.path.join(tmp, "web.yml")
        with open(web, "w") as f:
            f.write(f"basic_auth_users:\n  prometheus: {bcrypt('s3cret', BCRYPT_COST)}\n")
        log = open(os.path.join(tmp, "serve.log"), "w+")
        serve = subprocess.Popen([args.binary, "serve", "--listen", "127.0.0.1:0",
                                  "--web-config", web], stderr=log, stdout=subprocess.DEVNULL)
        try:
            port = 0
            deadline = time.monotonic() + 60
            while not port and time.monotonic() < deadline:
                log.seek(0)
                m = re.search(r"msg=listening address=127\.0\.0\.1:(\d+)", log.read())
                port = int(m.group(1)) if m else 0
                time.sleep(0.1)
            if not port:
                print("serve did not start", file=sys.stderr)
                return 1
            before = proc_status(serve.pid)
            fetch(port, "/metrics", "prometheus", "s3cret")  # the bcrypt, then cached
            quiet = [fetch(port, "/metrics", "prometheus", "s3cret")[1] for _ in range(5)]

            start = time.monotonic()
            held = hold(port, args.idle)
            opened = time.monotonic() - start
            results = [fetch(port, "/metrics", "prometheus", "s3cret")
                       for _ in range(args.scrapes)]
            during = proc_status(serve.pid)
            statuses = {status for status, _ in results}
            times = [seconds for _, seconds in results]
            wrong = [fetch(port, "/metrics", "prometheus", f"wrong{i}")[1] for i in range(3)]
            unknown = [fetch(port, "/metrics", f"nobody{i}", "wrong")[1] for i in range(3)]
            for s in held:
                s.close()

            print(f"idle connections held: {len(held)} (opened in {opened:.2f} s)")
            print(f"scrape without them: median {statistics.median(quiet) * 1e3:.1f} ms, "
                  f"max {max(quiet) * 1e3:.1f} ms")
            print(f"scrapes while held: {len(results)}, statuses {sorted(statuses)}, "
                  f"median {statistics.median(times) * 1e3:.1f} ms, "
                  f"max {max(times) * 1e3:.1f} ms")
            print(f"failed login (bcrypt cost {BCRYPT_COST}): known user "
                  f"{statistics.median(wrong) * 1e3:.0f} ms, unknown user "
                  f"{statistics.median(unknown) * 1e3:.0f} ms (medians of 3)")
            print(f"server threads {before['Threads']} -> {during['Threads']}, "
                  f"RSS {before['VmRSS']} -> {during['VmRSS']}")
            ok = statuses == {200} and max(times) < 1.0
            print("PASS: every scrape within 1 s" if ok else "FAIL: a scrape failed or took 1 s+")
            return 0 if ok else 1
        finally:
            serve.terminate()
            serve.wait(timeout=60)


if __name__ == "__main__":
    sys.exit(main())
