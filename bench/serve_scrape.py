"""The measuring half of bench/serve_scrape.sh (which starts nginx and documents the method).

Usage: serve_scrape.py BINARY NGINX_URL WORKDIR SIZES TOTAL_RATE PHASE_SECONDS SCRAPE_EVERY_MS
                       [METRICS [WARMUP [ROUNDS [SCRAPE_SECONDS [REFERENCE_NGINX_URL]]]]]
"""
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

PRICES = [
    "{ model: instance, instance_type: g4dn.xlarge }",
    "{ model: instance, instance_type: t3.medium }",
    "{ model: instance, instance_type: t4g.medium }",
    "{ model: instance, instance_type: c5.2xlarge }",
    "{ model: lambda, memory_mb: 1024, api_gateway: rest }",
]
TICKS = os.sysconf("SC_CLK_TCK")
REFERENCE_TARGETS = 10
TURNS = 3      # turns of each service per alternated phase
# After a service resumes, before its turn is measured: what fell due while it was stopped is
# sent at once, late by up to the pause (or dropped); that lag is published within a second and
# read by the next tick, within another, and must be in the turn's first reading, not its last.
SETTLE_S = 3.5


def write_config(path, url, n, rate, metrics):
    with open(path, "w") as f:
        f.write("window: 60s\n")
        if metrics:
            f.write(f"metrics: {{ {metrics} }}\n")
        f.write("targets:\n")
        for i in range(n):
            f.write(f"  - name: t{i:04d}\n    url: {url}t{i:04d}\n    method: GET\n"
                    f"    load: {{ stages: [ {{ duration: 1h, rate: {rate:.6g} }} ], "
                    f"max_in_flight: 2 }}\n"
                    f"    pricing: {PRICES[i % len(PRICES)]}\n")


class Serve:
    def __init__(self, binary, config, log_path):
        self.log_path = log_path
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen([binary, "serve", "--config", config, "--listen",
                                      "127.0.0.1:0"], stderr=self.log)
        self.base = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.proc.poll() is None:
            with open(log_path) as f:
                m = re.search(r"msg=listening address=127\.0\.0\.1:(\d+)", f.read())
            if m:
                self.base = f"http://127.0.0.1:{m.group(1)}"
                break
            time.sleep(0.1)
        if self.base is None:
            self.stop()
            sys.exit("serve_scrape: infercost serve did not start:\n" + open(log_path).read())

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)  # if paused (alternated)
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def pause(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGSTOP)

    def resume(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)

    def cpu_seconds(self):
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))

    def scrape(self):
        with urllib.request.urlopen(self.base + "/metrics", timeout=30) as response:
            return response.read().decode()


def nginx_requests(url):
    """Requests nginx has served (stub_status), this read included."""
    with urllib.request.urlopen(url + "nginx_status", timeout=10) as response:
        return int(response.read().decode().splitlines()[2].split()[2])


def counters(text):
    """(requests finished, {le: summed schedule-lag bucket count})."""
    requests = sum(float(m.group(1)) for m in re.finditer(
        r"^infercost_requests_total\{[^}]*\} (\S+)$", text, re.M))
    lag = {}
    for m in re.finditer(r'^infercost_schedule_lag_seconds_bucket\{[^}]*le="([^"]+)"[^}]*\} (\S+)$',
                         text, re.M):
        le = float("inf") if m.group(1) == "+Inf" else float(m.group(1))
        lag[le] = lag.get(le, 0.0) + float(m.group(2))
    return requests, lag


def lag_p99_ms(before, after):
    """The p99 schedule lag between two bucket snapshots: the first bound holding 99 %."""
    bounds = sorted(after)
    deltas = [after[b] - before.get(b, 0.0) for b in bounds]
    total = deltas[-1] if deltas else 0
    if total <= 0:
        return float("nan")
    for bound, count in zip(bounds, deltas):
        if count >= 0.99 * total:
            return bound * 1000
    return float("inf")


def phase(serve, url, seconds, scrape_every_s, first_scrape_s=None):
    """CPU per 1,000 requests, counted by nginx (the service's counters move per publish interval:
    they would blur the phase's edges), and the p99 schedule lag; with the raw CPU and request
    figures, for sums over several phases. With scrape_every_s, a scrape every that many seconds
    inside the phase, the first after first_scrape_s (default: scrape_every_s)."""
    _, lag0 = counters(serve.scrape())
    requests0 = nginx_requests(url)
    cpu0, wall0 = serve.cpu_seconds(), time.monotonic()
    end = wall0 + seconds
    next_scrape = None if scrape_every_s is None else wall0 + (
        scrape_every_s if first_scrape_s is None else first_scrape_s)
    while time.monotonic() < end:
        until = end if next_scrape is None else min(next_scrape, end)
        time.sleep(max(0.0, until - time.monotonic()))
        if next_scrape is not None and time.monotonic() < end:
            serve.scrape()
            next_scrape += scrape_every_s
    cpu1, wall1 = serve.cpu_seconds(), time.monotonic()
    requests = nginx_requests(url) - requests0 - 1
    text = serve.scrape()
    _, lag1 = counters(text)
    return {"rate": requests / (wall1 - wall0),
            "cpu_per_k_ms": (cpu1 - cpu0) / requests * 1e6 if requests else float("nan"),
            "lag_p99_ms": lag_p99_ms(lag0, lag1), "text": text,
            "cpu": cpu1 - cpu0, "requests": requests, "wall": wall1 - wall0}


def alternated(subject, reference, seconds, scrape_every_s):
    """phase() for `subject` and `reference` ((Serve, nginx URL) pairs) in turns of
    seconds / TURNS each, the other one stopped (SIGSTOP) meanwhile, each turn after SETTLE_S
    seconds for the resumed service to send what fell due while it was stopped (the arrivals
    past its in-flight cap are dropped) and settle: the two CPU figures come from the same
    minutes of the shared machine, each service alone on it. Returns the two CPU figures summed
    over turns; no lag: each turn's edges are scrapes (the readings), so with or without
    scrape_every_s the turns are scraped every few seconds (run_size reads the lag apart)."""
    sums = [{"cpu": 0.0, "requests": 0, "wall": 0.0} for _ in range(2)]
    # Scraped: one scrape per scrape_every_s of the turns' time, the first halfway through the
    # first interval, inside the CPU reading.
    turn = seconds / TURNS
    first_scrape = None if scrape_every_s is None else min(scrape_every_s, turn) / 2
    try:
        for _ in range(TURNS):
            for k, ((serve, url), (other, _)) in enumerate(((subject, reference),
                                                            (reference, subject))):
                other.pause()
                serve.resume()
                time.sleep(SETTLE_S)
                r = phase(serve, url, turn, scrape_every_s, first_scrape)
                for key in sums[k]:
                    sums[k][key] += r[key]
    finally:
        subject[0].resume()
        reference[0].resume()
    return [{"rate": t["requests"] / t["wall"],
             "cpu_per_k_ms": t["cpu"] / t["requests"] * 1e6 if t["requests"] else float("nan")}
            for t in sums]


def scrape_times(url, peer_url, seconds, every_ms, work):
    """Times a GET of `url` every `every_ms` ms for `seconds`, and between each two a GET of
    `peer_url` (the same bytes from nginx), each on its own keep-alive connection, all from one
    curl: both see the same moments of the machine. Sorted times to the last byte and, apart, to
    the first byte, in ms, for `url`; then the times to the last byte for `peer_url`."""
    count = max(1, int(seconds * 1000 / every_ms))
    config = os.path.join(work, "scrapes.curl")
    with open(config, "w") as f:
        for i in range(count):
            f.write(f'url = "{url}?{i}"\noutput = "/dev/null"\n'
                    f'url = "{peer_url}?{i}"\noutput = "/dev/null"\n')
    result = subprocess.run(
        ["curl", "-s", "--fail", "--rate", f"{max(1, round(2000 / every_ms))}/s", "-K", config,
         "-w", "%{http_code} %{time_total} %{time_starttransfer} %{url}\\n"],
        capture_output=True, text=True, timeout=seconds * 3 + 60)
    rows = [line.split() for line in result.stdout.splitlines() if line.startswith("200 ")]
    ours = [row for row in rows if row[3].startswith(url + "?")]
    peer = [row for row in rows if row[3].startswith(peer_url + "?")]
    if result.returncode != 0 or len(ours) != count or len(peer) != count:
        sys.exit(f"serve_scrape: curl failed ({result.returncode}) after {len(ours)} + "
                 f"{len(peer)} of {count} + {count} requests for {url} and {peer_url}: "
                 f"{result.stderr.strip()}")
    return (sorted(float(row[1]) * 1000 for row in ours),
            sorted(float(row[2]) * 1000 for row in ours),
            sorted(float(row[1]) * 1000 for row in peer))


def quantile(sorted_values, q):
    return sorted_values[min(len(sorted_values) - 1, max(0, int(q * len(sorted_values) + 0.5) - 1))]


def warm_up(pairs, total_rate, settle):
    """5 s, then until one second carries 95 % of the offered rate at each (serve, nginx URL)
    pair (a thousand targets take a few seconds to start), at most 30 s more; then until `settle`
    seconds have passed since the start, so that the 60 s window is full and what is measured is
    the steady state (a window still filling holds fewer slots per target, and costs less to keep
    and to snapshot)."""
    started = time.monotonic()
    time.sleep(5)
    deadline = time.monotonic() + 30
    before = [nginx_requests(url) for _, url in pairs]
    while time.monotonic() < deadline:
        time.sleep(1)
        now = [nginx_requests(url) for _, url in pairs]
        if all(b - a >= 0.95 * total_rate for a, b in zip(before, now)):
            break
        before = now
    time.sleep(max(0.0, started + settle - time.monotonic()))


def run_size(binary, url, work, n, total_rate, seconds, every_ms, metrics, settle,
             scrape_seconds, reference_url):
    config = os.path.join(work, f"serve-{n}.yaml")
    write_config(config, url, n, total_rate / n, metrics)
    # The reference: 10 targets at the same total rate on their own nginx, started with this
    # size's service and measured in turns with it (alternated), so that the CPU ratio compares
    # two services measured over the same minutes of the shared machine; one after the other,
    # minutes apart, the machine's speed drifts by more than the effect measured.
    ref_config = os.path.join(work, "reference.yaml")
    write_config(ref_config, reference_url, REFERENCE_TARGETS, total_rate / REFERENCE_TARGETS,
                 metrics)
    reference = Serve(binary, ref_config, os.path.join(work, f"reference-{n}.log"))
    serve = None
    try:
        serve = Serve(binary, config, os.path.join(work, f"serve-{n}.log"))
        pairs = ((serve, url), (reference, reference_url))
        warm_up(pairs, total_rate, settle)
        load = alternated(*pairs, seconds, None)
        prometheus = alternated(*pairs, seconds, 5.0)
        reference.stop()  # what follows sees this service alone
        # The schedule lag without scrapes (but the two readings, S seconds apart) and with one
        # every 5 s, over S seconds each: the turns' edges are scraped every few seconds.
        time.sleep(SETTLE_S)
        lag_load = phase(serve, url, seconds, None)["lag_p99_ms"]
        lag_scraping = phase(serve, url, seconds, 5.0)["lag_p99_ms"]
        # The peer: nginx (the targets' server, under the same load) sending the same bytes, a
        # static file, in the same way, each of its GETs right after one of ours: the floor the
        # machine sets for moving this many bytes to curl over loopback at that moment.
        text = serve.scrape()
        name = f"metrics-{n}.txt"
        with open(os.path.join(work, "nginx", "static", name), "w") as static:
            static.write(text)
        timings, first_bytes, peer = scrape_times(f"{serve.base}/metrics",
                                                  f"{url}static/{name}", scrape_seconds,
                                                  every_ms, work)
        rss = serve.rss_kib()
    finally:
        if serve:
            serve.stop()
        reference.stop()
    samples = sum(1 for line in text.splitlines() if line and not line.startswith("#"))
    return {"n": n, "rate": load[0]["rate"], "cpu": load[0]["cpu_per_k_ms"],
            "cpu_scraped": prometheus[0]["cpu_per_k_ms"],
            "ratio": load[0]["cpu_per_k_ms"] / load[1]["cpu_per_k_ms"],
            "ratio_scraped": prometheus[0]["cpu_per_k_ms"] / prometheus[1]["cpu_per_k_ms"],
            "lag_load": lag_load, "lag_scraping": lag_scraping,
            "kib": len(text.encode()) / 1024, "samples": samples,
            "p50": quantile(timings, 0.5), "p99": quantile(timings, 0.99), "max": timings[-1],
            "first_p99": quantile(first_bytes, 0.99),
            "peer_p50": quantile(peer, 0.5), "peer_p99": quantile(peer, 0.99),
            "rss": rss}


def median_row(rows):
    """Each figure's median over the rounds (the middle one, or the mean of the middle two)."""
    out = {}
    for key in rows[0]:
        values = sorted(r[key] for r in rows)
        mid = len(values) // 2
        if len(values) % 2:
            out[key] = values[mid]
        else:
            out[key] = (values[mid - 1] + values[mid]) / 2
            if isinstance(values[mid], int) and out[key] == int(out[key]):
                out[key] = int(out[key])  # counts (targets, samples) print as counts
    return out


def main():
    binary, url, work, sizes, total_rate, seconds, every_ms = sys.argv[1:8]
    metrics = sys.argv[8] if len(sys.argv) > 8 else ""
    settle = float(sys.argv[9]) if len(sys.argv) > 9 else 65.0
    rounds = int(sys.argv[10]) if len(sys.argv) > 10 else 1
    scrape_seconds = float(sys.argv[11]) if len(sys.argv) > 11 else 30.0
    reference_url = sys.argv[12]
    sizes = [int(s) for s in sizes.split(",")]
    # Rounds run the sizes in turn (10, 1000, 10, 1000, ...), so that a slow spell of the
    # machine falls on every size alike; each figure is the median over the rounds.
    runs = {n: [] for n in sizes}
    for r in range(rounds):
        for n in sizes:
            row = run_size(binary, url, work, n, float(total_rate), float(seconds),
                           float(every_ms), metrics, settle, scrape_seconds, reference_url)
            runs[n].append(row)
            if rounds > 1:
                print(f"round {r + 1}/{rounds}, {n} targets: {row['cpu']:.1f} ms per 1,000 req, "
                      f"{row['ratio']:.2f}x the 10-target reference in turns with it "
                      f"({row['ratio_scraped']:.2f}x scraped), "
                      f"{row['cpu_scraped']:.1f} ms scraped, scrape p99 {row['p99']:.2f} ms "
                      f"(nginx, same bytes: {row['peer_p99']:.2f} ms), "
                      f"lag p99 {row['lag_load']:g} / {row['lag_scraping']:g} ms", flush=True)
    rows = [median_row(runs[n]) for n in sizes]
    by_n = {r["n"]: r for r in rows}
    print()
    if rounds > 1:
        print(f"medians of {rounds} rounds:")
    print("| targets | load | CPU per 1,000 req | vs 10 targets, in turns "
          "| same, scraped every 5 s | /metrics "
          "| scrape p50 / p99 / max (first byte p99) | nginx, same bytes: p50 / p99 | lag p99 load / scraping every 5 s | RSS | per target above 1 |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        ratio = f"{r['ratio']:.2f}x"
        scraped_ratio = f" ({r['ratio_scraped']:.2f}x)"
        per_target = (f"{(r['rss'] - by_n[1]['rss']) / max(1, r['n'] - 1):.0f} KiB"
                      if 1 in by_n and r["n"] > 1 else "-")
        print(f"| {r['n']:,} | {r['rate']:,.0f} req/s | {r['cpu']:.1f} ms | {ratio} | "
              f"{r['cpu_scraped']:.1f} ms{scraped_ratio} | "
              f"{r['kib']:,.0f} KiB, {r['samples']:,} samples | "
              f"{r['p50']:.2f} / {r['p99']:.2f} / {r['max']:.2f} ms ({r['first_p99']:.2f}) | "
              f"{r['peer_p50']:.2f} / {r['peer_p99']:.2f} ms | "
              f"{r['lag_load']:g} / {r['lag_scraping']:g} ms | {r['rss'] / 1024:.0f} MiB | "
              f"{per_target} |")


if __name__ == "__main__":
    main()
