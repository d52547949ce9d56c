"""The soak behind bench/soak.sh: `infercost serve` against the emulator with every fault on.

Run through bench/soak.sh (it finds the binary and checks the tools). Everything is loopback:
two `infercost emulate` processes and one `infercost serve`, each on a free 127.0.0.1 port.

  emulator A  targets errors, resets, hangs, slow, mixed (faults) and steady (none)
  emulator B  target flaky: SIGKILLed and restarted on the same port every minute
  serve       one infercost target per emulator target, each with its own CSV

While it runs: a reload (SIGHUP) every 10 s, a /metrics scrape every second, 20 connections
trickling a request header one byte every 5 s, RSS and descriptors sampled every 5 s. At the end
every target is made idle, and each target's requests are counted three ways: the emulator's own
counters (GET /_emulator/targets/NAME), infercost_requests_total, and the CSV rows.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

RELOAD_EVERY = 10.0
CYCLE = 60.0  # flaky: idle at 20 s, killed, active again (refused) at 30 s, back at 45 s
SAMPLE_EVERY = 5.0
TIMEOUT = "2s"

# name: (faults, load)
TARGETS_A = {
    "errors": ("{ error_ratio: 0.3 }", "{ duration: 1h, rate: 20 }"),
    "resets": ("{ reset_ratio: 0.3 }", "{ duration: 1h, rate: 20 }"),
    "hangs": ("{ hang_ratio: 0.1 }", "{ duration: 1h, rate: 10 }"),
    "slow": ("{ slow_body_ratio: 0.3, slow_body_bytes_per_second: 64 }",
             "{ duration: 1h, concurrency: 4 }"),
    "mixed": ("{ error_ratio: 0.05, reset_ratio: 0.05, hang_ratio: 0.05, slow_body_ratio: 0.05 }",
              "{ duration: 1h, rate: 20, arrival: poisson }"),
    "steady": (None, "{ duration: 1h, rate: 50 }"),
}
FLAKY = "flaky"
FLAKY_LOAD = "{ duration: 1h, rate: 20 }"
# Idle for the hour between two reloads (a load idle in every stage is refused).
IDLE_LOAD = "{ duration: 1h, idle: true }, { duration: 1s, concurrency: 1 }"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=60.0):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode()


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except OSError:
            pass
        time.sleep(0.1)
    sys.exit(f"soak: {what} within {seconds:.0f} s")


class Emulator:
    """One `infercost emulate` on a fixed loopback port; restartable on the same port."""

    def __init__(self, binary, work, name, profiles):
        self.binary, self.name = binary, name
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.profiles = os.path.join(work, f"{name}.yaml")
        self.log = open(os.path.join(work, f"{name}.log"), "ab")
        with open(self.profiles, "w") as f:
            f.write(profiles)
        self.process = None
        self.lives = 0

    def start(self):
        self.process = subprocess.Popen(
            [self.binary, "emulate", "--listen", f"127.0.0.1:{self.port}", "--profiles",
             self.profiles, "--seed", str(self.lives + 1)],
            stdout=self.log, stderr=self.log)
        self.lives += 1
        wait_for(lambda: http_get(self.base + "/", 1.0) != "", 20, f"emulator {self.name} up")

    def invocations(self, target):
        text = http_get(f"{self.base}/_emulator/targets/{target}", 10.0)
        return int(re.search(r'"invocations":(\d+)', text).group(1))

    def kill(self):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None


def profiles_yaml(targets):
    lines = ["targets:"]
    for name, faults in targets.items():
        line = (f"  - {{ name: {name}, platform: instance, service: {{ median_ms: 5 }}, "
                f"workers: 8, queue_limit: 512")
        lines.append(line + (f", faults: {faults} }}" if faults else " }"))
    return "\n".join(lines) + "\n"


def config_yaml(work, a, b, reload_number, flaky_idle=False, all_idle=False):
    lines = ["window: 60s", "targets:"]
    entries = [(n, a, load) for n, (_, load) in TARGETS_A.items()] + [(FLAKY, b, FLAKY_LOAD)]
    for name, emulator, load in entries:
        if all_idle or (flaky_idle and name == FLAKY):
            load = IDLE_LOAD
        lines += [f"  - name: {name}",
                  f"    url: {emulator.base}/{name}/predict",
                  f"    timeout: {TIMEOUT}",
                  "    body: { inline: '{\"soak\": true}', content_type: application/json }",
                  f"    load: {{ stages: [ {load} ]"
                  + (", max_in_flight: 200 }" if "rate:" in load else " }"),
                  "    pricing: { model: per_request, usd_per_request: 0.000001 }",
                  f"    csv: {os.path.join(work, name + '.csv')}"]
        if name == "errors":  # a change on every reload: that target is drained and restarted
            lines.append(f"    headers: {{ X-Soak-Reload: \"{reload_number}\" }}")
    return "\n".join(lines) + "\n"


class Serve:
    def __init__(self, binary, work):
        self.binary, self.work = binary, work
        self.config = os.path.join(work, "serve.yaml")
        self.log_path = os.path.join(work, "serve.log")
        self.process = None
        self.base = None
        self.reloads = 0

    def write_config(self, text):
        tmp = self.config + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, self.config)

    def start(self):
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [self.binary, "serve", "--config", self.config, "--listen", "127.0.0.1:0"],
            stdout=log, stderr=log)

        def listening():
            with open(self.log_path) as f:
                m = re.search(r"msg=listening address=127\.0\.0\.1:(\d+)", f.read())
            if m:
                self.base = f"http://127.0.0.1:{m.group(1)}"
            return m is not None
        try:
            wait_for(listening, 30, "infercost serve listening")
        except SystemExit:
            with open(self.log_path) as f:
                sys.stderr.write(f.read()[-4000:])
            raise

    def reload(self, text):
        self.write_config(text)
        self.process.send_signal(signal.SIGHUP)
        self.reloads += 1

    def reload_and_wait(self, text):
        """A reload, and its success seen on /metrics: SIGHUP is asynchronous, and a reload
        drains changed targets (up to 2 s each) before it takes effect."""
        before = last_reload_success(self.metrics())
        self.reload(text)
        wait_for(lambda: last_reload_success(self.metrics()) > before, 60, "the reload applied")

    def metrics(self):
        return http_get(self.base + "/metrics", 120.0)

    def rss_mib(self):
        with open(f"/proc/{self.process.pid}/status") as f:
            return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1)) / 1024.0

    def stop(self):
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


def series(text, name, target):
    """Samples of metric `name` for `target`: [(labels, value)]."""
    out = []
    for m in re.finditer(r"^" + name + r"\{([^}]*)\} (\S+)$", text, re.M):
        if f'target="{target}"' in m.group(1):
            out.append((m.group(1), float(m.group(2))))
    return out


def by_outcome(text, target):
    result = {}
    for labels, value in series(text, "infercost_requests_total", target):
        outcome = re.search(r'outcome="(\w+)"', labels).group(1)
        result[outcome] = result.get(outcome, 0) + int(value)
    return result


def last_reload_success(text):
    m = re.search(r"^infercost_config_last_reload_success_timestamp_seconds (\S+)$", text, re.M)
    return float(m.group(1)) if m else 0.0


def in_flight(text, target):
    return sum(v for _, v in series(text, "infercost_in_flight_requests", target))


class Background:
    """The scraper, the slow connections and the RSS/descriptor sampler, on threads."""

    def __init__(self, serve, slow_connections):
        self.serve, self.slow_connections = serve, slow_connections
        self.stop = threading.Event()
        self.scrapes, self.scrape_failures, self.samples = [], [], []
        self.slow_held = 0
        self.slow_reopened = 0
        self.threads = [threading.Thread(target=f, daemon=True)
                        for f in (self.scrape_loop, self.slow_loop, self.sample_loop)]

    def start(self):
        for t in self.threads:
            t.start()

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join(30)

    def scrape_loop(self):
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                http_get(self.serve.base + "/metrics", 30.0)
                self.scrapes.append(time.monotonic() - started)
            except OSError as e:
                self.scrape_failures.append(f"{time.monotonic() - started:.1f} s: {e}")
            self.stop.wait(max(0.0, 1.0 - (time.monotonic() - started)))

    def slow_loop(self):
        """Keeps `slow_connections` connections open, each sending a request header one byte
        every 5 s; one the server closes is opened again (counted in slow_reopened)."""
        port = int(self.serve.base.rsplit(":", 1)[1])

        def open_one():
            try:
                s = socket.create_connection(("127.0.0.1", port), timeout=5)
                s.sendall(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                return s
            except OSError:
                return None
        held = [open_one() for _ in range(self.slow_connections)]
        while not self.stop.wait(5.0):
            for i, s in enumerate(held):
                try:
                    if s is None:
                        raise OSError("not connected")
                    s.sendall(b"X")  # one more byte of a header that never ends
                except OSError:
                    if s is not None:
                        s.close()
                        self.slow_reopened += 1
                    held[i] = open_one()
            self.slow_held = sum(1 for s in held if s is not None)
        for s in held:
            if s is not None:
                s.close()

    def sample_loop(self):
        pid = self.serve.process.pid
        while not self.stop.is_set():
            try:
                with open(f"/proc/{pid}/status") as f:
                    rss_kb = int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))
                fds = len(os.listdir(f"/proc/{pid}/fd"))
                self.samples.append((time.monotonic(), rss_kb / 1024.0, fds))
            except (OSError, AttributeError):
                pass
            self.stop.wait(SAMPLE_EVERY)


def lag_quantile(text, target, q):
    """The upper bound of the bucket holding quantile q of the schedule lag (seconds)."""
    buckets = []
    for labels, value in series(text, "infercost_schedule_lag_seconds_bucket", target):
        le = re.search(r'le="([^"]+)"', labels).group(1)
        buckets.append((float("inf") if le == "+Inf" else float(le), value))
    buckets.sort()
    if not buckets or buckets[-1][1] == 0:
        return None
    for le, count in buckets:
        if count >= q * buckets[-1][1]:
            return le
    return float("inf")


def run_load(serve, a, b, work, minutes):
    """The timed part: reloads every 10 s and flaky's kill/restart cycle. Returns (b counted,
    reload failures)."""
    b_counted = 0
    started = time.monotonic()
    tick = 0
    while True:
        tick += 1
        next_at = started + tick * RELOAD_EVERY
        if next_at > started + minutes * 60:
            break
        time.sleep(max(0.0, next_at - time.monotonic()))
        offset = (tick * RELOAD_EVERY) % CYCLE
        if offset == 20:
            serve.reload_and_wait(config_yaml(work, a, b, tick, flaky_idle=True))
            wait_for(lambda: in_flight(serve.metrics(), FLAKY) == 0, 30, "flaky drained")
            b_counted += b.invocations(FLAKY)
            b.kill()
            print(f"  {tick * RELOAD_EVERY:5.0f} s: flaky's emulator killed", flush=True)
            continue
        if offset == 40:
            b.start()
            print(f"  {tick * RELOAD_EVERY:5.0f} s: flaky's emulator back", flush=True)
        serve.reload(config_yaml(work, a, b, tick))
    return b_counted


def settle(serve, a, b, work):
    """Makes every target idle and waits until nothing is in flight and the emulators' counts
    stand still. Returns the final metrics text."""
    serve.reload_and_wait(config_yaml(work, a, b, 0, all_idle=True))
    names = list(TARGETS_A) + [FLAKY]

    def idle():
        text = serve.metrics()
        return all(in_flight(text, n) == 0 for n in names) and (
            "infercost_config_last_reload_successful 1" in text)
    wait_for(idle, 60, "every target idle")

    def counts():
        return [a.invocations(n) for n in TARGETS_A] + [b.invocations(FLAKY)]
    previous = counts()
    for _ in range(30):
        time.sleep(1.0)
        now = counts()
        if now == previous:
            break
        previous = now
    return serve.metrics()


def csv_rows(work, name):
    with open(os.path.join(work, name + ".csv")) as f:
        return max(0, sum(1 for _ in f) - 1)  # less the header


def flat(samples, index, warmup_end):
    """(first third mean, last third mean, max) of the samples after warm-up."""
    after = [s[index] for s in samples if s[0] >= warmup_end]
    if len(after) < 3:
        return None
    third = max(1, len(after) // 3)
    return (sum(after[:third]) / third, sum(after[-third:]) / third, max(after))


def accounting(text, a, b, b_counted, work):
    """One row per target: emulator, infercost, CSV, and the outcomes. Returns (rows, ok)."""
    rows, ok = [], True
    for name in list(TARGETS_A) + [FLAKY]:
        outcomes = by_outcome(text, name)
        counted = sum(outcomes.values())
        rows_csv = csv_rows(work, name)
        if name == FLAKY:
            # Refused while its emulator was down: never reached a server.
            server = b_counted + b.invocations(FLAKY)
            expected_server = counted - outcomes.get("connect_error", 0)
        else:
            server = expected_server = a.invocations(name)
            expected_server = counted
        match = server == expected_server and counted == rows_csv
        ok = ok and match
        detail = ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()) if v)
        rows.append(f"| {name} | {server:,} | {counted:,} | {rows_csv:,} | "
                    f"{'yes' if match else 'NO'} | {detail} |")
    return rows, ok


def report(args, text, rows, counts_ok, background, serve, warmup_end):
    print(f"\n## Soak: {args.minutes} min, {args.slow_connections} slow connections, "
          f"{serve.reloads} reloads\n")
    print("| target | server counted | infercost counted | CSV rows | exact | outcomes |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))
    checks = {"every request counted once": counts_ok}
    rss, fds = flat(background.samples, 1, warmup_end), flat(background.samples, 2, warmup_end)
    with open(os.path.join(args.work, "samples.tsv"), "w") as f:
        f.write("seconds\trss_mib\tdescriptors\n")
        start = background.samples[0][0] if background.samples else 0
        for at, rss_mib, descriptors in background.samples:
            f.write(f"{at - start:.0f}\t{rss_mib:.1f}\t{descriptors}\n")
    print("\n| figure | value |\n|---|---|")
    if rss:
        print(f"| RSS after warm-up (first third, last third, max) | {rss[0]:.1f}, {rss[1]:.1f},"
              f" {rss[2]:.1f} MiB |")
        checks["RSS flat"] = rss[1] <= rss[0] * 1.10 + 4
    if fds:
        print(f"| descriptors after warm-up (first third, last third, max) | {fds[0]:.0f}, "
              f"{fds[1]:.0f}, {fds[2]:.0f} |")
        checks["descriptors flat"] = fds[1] <= fds[0] + 10
    scrapes = sorted(background.scrapes)
    if scrapes:
        p99 = scrapes[min(len(scrapes) - 1, int(0.99 * len(scrapes)))]
        print(f"| scrapes (every 1 s) | {len(scrapes)}, p50 {scrapes[len(scrapes) // 2] * 1000:.1f}"
              f" ms, p99 {p99 * 1000:.1f} ms, max {scrapes[-1] * 1000:.1f} ms |")
    over = sum(1 for s in scrapes if s > 1.0) + len(background.scrape_failures)
    print(f"| scrapes over 1 s or failed | {over} |")
    checks["no scrape over 1 s"] = over == 0
    for name in ("steady", "errors", "resets", "mixed"):
        p99 = lag_quantile(text, name, 0.99)
        dropped = sum(v for _, v in series(text, "infercost_dropped_requests_total", name))
        print(f"| schedule lag p99 (bucket bound), dropped: {name} | "
              f"{'-' if p99 is None else f'{p99 * 1000:g} ms'}, {dropped:.0f} |")
        if name == "steady":
            checks["schedule kept (steady: p99 lag <= 100 ms, nothing dropped)"] = (
                p99 is not None and p99 <= 0.1 and dropped == 0)
    print(f"| slow connections held at the end, closed by serve and reopened | "
          f"{background.slow_held}, {background.slow_reopened} |")
    reload_ok = "infercost_config_last_reload_successful 1" in text
    print(f"| reloads (SIGHUP), last successful | {serve.reloads}, {'yes' if reload_ok else 'no'} |")
    checks["reloads succeed"] = reload_ok
    print()
    for what, good in checks.items():
        print(f"{'PASS' if good else 'FAIL'}: {what}")
    for failure in background.scrape_failures[:5]:
        print(f"  scrape failed after {failure}")
    return all(checks.values())


def http_workers():
    """serve's HTTP worker threads, as exporter/web/http_server.cc sets them."""
    source = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "exporter", "web",
                          "http_server.cc")
    with open(source) as f:
        return int(re.search(r'kNumThreads = "(\d+)"', f.read()).group(1))


def warm_http_workers(serve):
    """Every HTTP worker of serve through both paths the run uses, before the run.

    CivetWeb serves each connection on one worker and wakes its idle workers in turn, so new
    connections go round all 1,100 of them: a worker's first scrape, and its first request
    header that times out, each touch more of its stack and request buffer (about 27 KiB and
    4 KiB of RSS per worker, measured). At the run's 3 connections a second that takes six
    minutes and looks like growth; it is the server's steady state, so it is reached here, with
    a tenth more connections than workers of each kind, and the RSS check measures what follows.
    """
    workers = http_workers()
    port = int(serve.base.rsplit(":", 1)[1])
    before = serve.rss_mib()
    for _ in range(workers + workers // 10):
        http_get(serve.base + "/metrics", 30.0)
    scraped = serve.rss_mib()

    def slow_header():
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            try:
                while s.recv(4096):  # until serve's request timeout closes it
                    pass
            except OSError:
                pass
    remaining = workers + workers // 10
    while remaining > 0:
        batch = [threading.Thread(target=slow_header) for _ in range(min(100, remaining))]
        for t in batch:
            t.start()
        for t in batch:
            t.join(30)
        remaining -= len(batch)
    print(f"soak: HTTP workers warmed ({workers + workers // 10} scrapes, as many timed-out "
          f"headers): RSS {before:.1f} -> {scraped:.1f} -> {serve.rss_mib():.1f} MiB", flush=True)


def main():
    import argparse
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--slow-connections", type=int, default=20)
    args = parser.parse_args()
    a = Emulator(args.binary, args.work, "emulator-a",
                 profiles_yaml({n: f for n, (f, _) in TARGETS_A.items()}))
    b = Emulator(args.binary, args.work, "emulator-b", profiles_yaml({FLAKY: None}))
    serve = Serve(args.binary, args.work)
    background = None
    good = False
    try:
        a.start()
        b.start()
        serve.write_config(config_yaml(args.work, a, b, 0))
        serve.start()
        print(f"soak: serve at {serve.base}, emulators at {a.base} and {b.base}; work dir "
              f"{args.work}", flush=True)
        warm_http_workers(serve)
        background = Background(serve, args.slow_connections)
        background.start()
        warmup_end = time.monotonic() + max(30.0, args.minutes * 60 / 5)
        b_counted = run_load(serve, a, b, args.work, args.minutes)
        text = settle(serve, a, b, args.work)
        background.finish()
        serve.stop()  # the CSV files are flushed on exit: count their rows after it
        rows, counts_ok = accounting(text, a, b, b_counted, args.work)
        good = report(args, text, rows, counts_ok, background, serve, warmup_end)
    finally:
        if background is not None:
            background.stop.set()
        serve.stop()
        a.kill()
        b.kill()
    sys.exit(0 if good else 1)


if __name__ == "__main__":
    main()
