#!/usr/bin/env python3
"""The landing page in headless Chromium against a running `infercost serve`.

Starts `infercost serve` with its embedded default (the emulated AWS fleet) on 127.0.0.1:0,
waits until the service has figures for every target, then loads `/` in Debian's headless
Chromium twice: `--dump-dom` to check that the live table filled in (one row
`tr[data-target=NAME]` per target of /metrics, with a numeric IPS above zero, a p95 latency and
a $/1M figure), and `--screenshot` for a PNG to look at (written to --out, kept after the run).

The time scale is 5: the fleet's schedule then runs five times faster, which fills the table in
a few seconds, while Lambda's idle stage (after 5 emulated minutes) starts only after 60 s of
wall time, past this test's bound, so every target is still loaded when the page is read.

Usage: page_test.py --binary PATH/infercost --out DIR [--chromium PATH]
Exit 0 when every check passes, 1 with a message that says what was missing.
"""

import argparse
import html.parser
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
import zlib

DEADLINE_SECONDS = 60  # the whole test, start to finish
TIME_SCALE = "5"
# Flags for Chromium as root in a container, with nothing but loopback traffic.
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--hide-scrollbars",
]
# Virtual time lets the page's fetch of /api/v1/targets and its rendering finish before the DOM
# is dumped or the screenshot taken; it is not wall time.
VIRTUAL_TIME_BUDGET_MS = "4000"
SCREEN = (1600, 700)

started = time.monotonic()


class TestFailure(Exception):
    pass


def remaining(cap):
    left = DEADLINE_SECONDS - (time.monotonic() - started)
    if left <= 1:
        raise TestFailure(f"out of time: the test's bound is {DEADLINE_SECONDS} s")
    return min(cap, left)


def fetch(url, timeout=5.0):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode("utf-8")


class Serve:
    """`infercost serve` as a child process in its own session, stderr in a file."""

    def __init__(self, binary, workdir):
        self.log_path = os.path.join(workdir, "serve.log")
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [binary, "serve", "--listen", "127.0.0.1:0", "--time-scale", TIME_SCALE],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.log,
            start_new_session=True)
        self.base = None

    def log_text(self):
        with open(self.log_path, "r", encoding="utf-8", errors="replace") as f:
            return f.read()

    def wait_listening(self):
        pattern = re.compile(r"msg=listening address=127\.0\.0\.1:(\d+)")
        end = time.monotonic() + remaining(20)
        while time.monotonic() < end:
            match = pattern.search(self.log_text())
            if match:
                self.base = f"http://127.0.0.1:{match.group(1)}"
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise TestFailure("infercost serve did not log 'msg=listening address=127.0.0.1:PORT' "
                          f"(exit code {self.process.poll()}); its log:\n{self.log_text()}")

    def stop(self):
        """SIGTERM and the exit code; SIGKILL if it does not stop within 15 s."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()
        return self.process.returncode


def configured_targets(metrics_text):
    """The target names of infercost_target_info: the page must show a row for each."""
    names = re.findall(r'^infercost_target_info\{[^}]*\btarget="([^"]+)"', metrics_text, re.M)
    return sorted(set(names))


def wait_for_figures(serve, names):
    """Waits until /metrics has, for every target, IPS above zero and an observed $/1M."""
    end = time.monotonic() + remaining(30)
    missing = names
    while time.monotonic() < end:
        text = fetch(serve.base + "/metrics")
        missing = []
        for name in names:
            ips = re.search(rf'^infercost_inferences_per_second\{{target="{name}"\}} (\S+)$',
                            text, re.M)
            cost = re.search(r'^infercost_cost_per_million_inferences_usd\{basis="observed",'
                             rf'target="{name}"\}} (\S+)$', text, re.M)
            if not ips or float(ips.group(1)) <= 0 or not cost:
                missing.append(name)
        if not missing:
            return
        time.sleep(0.25)
    raise TestFailure("the service had no IPS or observed $/1M yet for: " + ", ".join(missing))


def run_chromium(chromium, url, extra, workdir, attempt_name):
    """Runs Chromium once in a fresh profile; returns its stdout. Killed as a group on timeout."""
    profile = tempfile.mkdtemp(prefix="chromium-", dir=workdir)
    err_path = os.path.join(workdir, attempt_name + ".stderr")
    with open(err_path, "wb") as err:
        process = subprocess.Popen(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra, url],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, start_new_session=True)
        try:
            out, _ = process.communicate(timeout=remaining(25))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise TestFailure(f"chromium ({attempt_name}) did not finish in time; stderr in "
                              f"{err_path}")
    # The browser's helpers may outlive the main process briefly; nothing of ours remains after.
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    shutil.rmtree(profile, ignore_errors=True)
    if process.returncode != 0:
        with open(err_path, "r", encoding="utf-8", errors="replace") as f:
            tail = "".join(f.readlines()[-15:])
        raise TestFailure(f"chromium ({attempt_name}) exited with {process.returncode}:\n{tail}")
    return out.decode("utf-8", errors="replace")


class TableParser(html.parser.HTMLParser):
    """Collects each `tr[data-target]` of the page: its cells' classes and texts."""

    def __init__(self):
        super().__init__()
        self.rows = {}  # target -> list of (classes, text)
        self.row = None
        self.cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and "data-target" in attrs:
            self.row = self.rows.setdefault(attrs["data-target"], [])
        elif tag == "td" and self.row is not None:
            self.cell = [set((attrs.get("class") or "").split()), ""]

    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            self.row.append((self.cell[0], " ".join(self.cell[1].split())))
            self.cell = None
        elif tag == "tr":
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell[1] += data


def cell_text(cells, *classes):
    for cell_classes, text in cells:
        if all(c in cell_classes for c in classes):
            return text
    return None


def check_dom(dom, names):
    """Every target has a row with a numeric IPS, a p95 and a $/1M figure."""
    parser = TableParser()
    parser.feed(dom)
    problems = []
    for name in names:
        cells = parser.rows.get(name)
        if cells is None:
            problems.append(f"{name}: no row tr[data-target={name}]")
            continue
        ips = cell_text(cells, "ips")
        if ips is None or not re.fullmatch(r"[0-9][0-9,]*(\.[0-9]+)?", ips) or \
                float(ips.replace(",", "")) <= 0:
            problems.append(f"{name}: td.ips is {ips!r}, want a number above zero")
        p95 = cell_text(cells, "p95")
        if p95 is None or not re.fullmatch(r"[0-9.]+ (µs|ms|s)", p95):
            problems.append(f"{name}: td.p95 is {p95!r}, want a latency such as '46.2 ms'")
        cost = cell_text(cells, "cost", "observed")
        # The figure comes first; note numbers, whose word the bill is or a budget may follow.
        billing = r"billed by AWS|estimated from latency|partly billed by AWS"
        if cost is None or not re.match(r"\$[0-9][0-9,]*(\.[0-9]+)?(\s|$|" + billing + ")", cost):
            problems.append(f"{name}: td.cost.observed is {cost!r}, want a $/1M figure such "
                            "as '$0.42'")
        elif name.startswith("lambda") and not re.search(billing, cost):
            problems.append(f"{name}: td.cost.observed is {cost!r}, want it to say whether the "
                            "duration bill is AWS's or estimated from latency")
    extra = sorted(set(parser.rows) - set(names))
    if extra:
        problems.append("rows for targets that are not configured: " + ", ".join(extra))
    return problems


def check_png(path):
    """A PNG of the window's size that is not blank (many distinct byte values)."""
    with open(path, "rb") as f:
        data = f.read()
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise TestFailure(f"{path} is not a PNG")
    width, height = struct.unpack(">II", data[16:24])
    if (width, height) != SCREEN:
        raise TestFailure(f"{path} is {width}x{height}, want {SCREEN[0]}x{SCREEN[1]}")
    idat = b""
    pos = 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    if len(set(zlib.decompress(idat))) < 32:
        raise TestFailure(f"{path} looks blank")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--out", required=True, help="where the DOM and the PNG are kept")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args()
    if not os.access(args.chromium, os.X_OK):
        print(f"page_test: FAIL: no chromium at {args.chromium}; run deploy/install-deps.sh",
              file=sys.stderr)
        return 1
    os.makedirs(args.out, exist_ok=True)
    workdir = tempfile.mkdtemp(prefix="infercost-page-")
    serve = Serve(args.binary, workdir)
    failure = None
    try:
        serve.wait_listening()
        names = configured_targets(fetch(serve.base + "/metrics"))
        if not names:
            raise TestFailure("/metrics has no infercost_target_info series")
        wait_for_figures(serve, names)
        page = serve.base + "/"

        dom = run_chromium(args.chromium, page,
                           [f"--virtual-time-budget={VIRTUAL_TIME_BUDGET_MS}", "--dump-dom"],
                           workdir, "dump-dom")
        dom_path = os.path.join(args.out, "landing-page.html")
        with open(dom_path, "w", encoding="utf-8") as f:
            f.write(dom)
        problems = check_dom(dom, names)
        if problems:
            raise TestFailure("the live table did not fill in (DOM in " + dom_path + "):\n  " +
                              "\n  ".join(problems))

        png = os.path.join(args.out, "landing-page.png")
        if os.path.exists(png):
            os.remove(png)
        run_chromium(args.chromium, page,
                     [f"--virtual-time-budget={VIRTUAL_TIME_BUDGET_MS}",
                      f"--window-size={SCREEN[0]},{SCREEN[1]}", f"--screenshot={png}"],
                     workdir, "screenshot")
        if not os.path.exists(png):
            raise TestFailure(f"chromium wrote no screenshot to {png}")
        check_png(png)
        print(f"page_test: {len(names)} targets in the live table ({', '.join(names)}); "
              f"screenshot {png}")
    except TestFailure as e:
        failure = str(e)
    except OSError as e:  # an endpoint that did not answer, a file that could not be written
        failure = f"{type(e).__name__}: {e}"
    finally:
        code = serve.stop()
        if failure is None and code != 0:
            failure = f"infercost serve exited with {code} on SIGTERM; its log:\n" + \
                serve.log_text()[-3000:]
        if failure is not None:
            print("serve log (tail):\n" + serve.log_text()[-2000:], file=sys.stderr)
        shutil.rmtree(workdir, ignore_errors=True)
    if failure is not None:
        print(f"page_test: FAIL: {failure}", file=sys.stderr)
        return 1
    print(f"page_test: ok in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
