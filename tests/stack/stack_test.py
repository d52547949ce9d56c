#!/usr/bin/env python3
"""The monitoring stack against a real Prometheus.

Starts, all on free loopback ports:
  - one `infercost emulate --time-scale 20` (the emulated AWS targets),
  - two `infercost serve` generators that load the same targets as shards 0 and 1 of 2,
  - Debian's Prometheus scraping both every second with the repository's rule files, evaluated
    every second,
then checks through Prometheus's HTTP API that
  - every rule loaded and evaluates without error, and every recording rule returns data,
  - every panel query of every dashboard (variables substituted) and every dashboard variable
    returns data,
  - the overview's drill-down to the target detail: with the job and target of a ranking bar
    substituted as its link does, every target-detail query returns data for that target,
  - after a reload of one generator and a restart of the other, the dashboards' reload and restart
    annotations return those events (and no annotation query fails),
  - fleet IPS (the recording rule) equals the sum of the two generators' IPS,
  - fleet $/1M of an instance target equals the single-generator formula
    usd_per_hour / (IPS * 3600) * 1e6 on the combined IPS, with the hourly price counted once.

Bounded: every wait has a deadline and the whole run takes a little over a minute. Python standard library
only. Exit code 0 when every check passes.
"""

import argparse
import glob
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

TIME_SCALE = 20
WINDOW = "10s"
# The substitutions Grafana would make. $__rate_interval is at least four scrape intervals;
# with 1 s scrapes 15 s is what Grafana would pick, rounded up for a quiet machine.
VARIABLES = {
    "${datasource}": "prometheus",
    "$__rate_interval": "15s",
    "$__interval": "1s",
    "$__range": "1m",
    "$target": ".+",
    "$instance": ".+",
    # The job variable's All is the list of infercost jobs (no allValue): here the one job.
    "$job": "infercost",
}
# The load-fingerprint rules (target:infercost_offered_*:avg1h) take their steps on whole minutes
# of the clock, so they have data from the first whole minute after the first scrape: up to a
# minute, plus start-up on a loaded machine.
DATA_DEADLINE_S = 150
# The rules' rate() windows (5m) reach back before Prometheus started, so early on each reads low
# by the share of its window that has samples. That share cancels in the fleet $/1M, except for
# the few seconds by which one generator's first scrape trails the other's: after this long of
# history that difference is under 2 %.
HISTORY_S = 60
INSTANCE_TARGET = "g4dn-xlarge"


class Failure(Exception):
    pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Process:
    """A child process with its output in a log file; stopped with SIGTERM, then SIGKILL."""

    def __init__(self, name, argv, workdir):
        self.name = name
        self.log_path = os.path.join(workdir, name + ".log")
        self.log = open(self.log_path, "wb")
        print(f"start {name}: {' '.join(argv)}", flush=True)
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=workdir)

    def check_running(self):
        if self.proc.poll() is not None:
            raise Failure(f"{self.name} exited with {self.proc.returncode}:\n{self.tail()}")

    def stop(self):
        """Returns the exit code; None when SIGTERM did not stop it within 15 s."""
        code = None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                code = self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        else:
            code = self.proc.returncode
        if not self.log.closed:
            self.log.close()
        return code

    def sanitizer_reports(self):
        with open(self.log_path, "rb") as f:
            text = f.read().decode(errors="replace")
        return [line for line in text.splitlines()
                if "Sanitizer" in line or "runtime error:" in line]

    def tail(self, lines=30):
        with open(self.log_path, "rb") as f:
            return b"\n".join(f.read().splitlines()[-lines:]).decode(errors="replace")


def http_get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read()


def wait_for(what, predicate, deadline_s, processes, interval_s=0.5):
    deadline = time.monotonic() + deadline_s
    last_error = None
    while time.monotonic() < deadline:
        for p in processes:
            p.check_running()
        try:
            if predicate():
                return
        except (OSError, urllib.error.URLError, Failure) as e:
            last_error = e
        time.sleep(interval_s)
    raise Failure(f"timed out after {deadline_s} s waiting for {what} (last error: {last_error})")


def http_ok(url):
    try:
        status, _ = http_get(url, timeout=2)
        return status == 200
    except (OSError, urllib.error.URLError):
        return False


class Prometheus:
    def __init__(self, base):
        self.base = base

    def api(self, path, params):
        data = urllib.parse.urlencode(params, doseq=True).encode()
        request = urllib.request.Request(self.base + path, data=data, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                body = json.load(response)
        except urllib.error.HTTPError as e:
            raise Failure(f"{path} {params}: HTTP {e.code}: {e.read().decode(errors='replace')}")
        if body.get("status") != "success":
            raise Failure(f"{path} {params}: {body}")
        return body["data"]

    def query(self, expr, at=None):
        params = {"query": expr}
        if at is not None:
            params["time"] = f"{at:.3f}"
        data = self.api("/api/v1/query", params)
        return data["resultType"], data["result"]

    def vector(self, expr, at=None):
        kind, result = self.query(expr, at)
        if kind != "vector":
            raise Failure(f"{expr}: a {kind}, not a vector")
        return result

    def get(self, path):
        status, body = http_get(self.base + path, timeout=10)
        body = json.loads(body)
        if body.get("status") != "success":
            raise Failure(f"{path}: {body}")
        return body["data"]


# (target name, emulator platform, total open-loop rate per second, extra target keys). Rates are
# well within what the emulated targets serve at this time scale, so that the generators are never
# the bottleneck on a busy 2-core machine.
TARGETS = [
    (INSTANCE_TARGET, "g4dn.xlarge", 20,
     "pricing: {model: instance, instance_type: g4dn.xlarge, count: 1}\n"
     "budget_usd_per_million: 50"),
    ("t4g-medium", "t4g.medium", 10,
     "pricing: {model: instance, instance_type: t4g.medium, count: 1}"),
    ("lambda-1024", "lambda", 10,
     "pricing: {model: lambda, memory_mb: 1024, architecture: x86_64, api_gateway: rest}\n"
     "cold_start: {header: X-Cold-Start}"),
]


def generator_config(path, listen_port, emulator_port, shard_index):
    lines = [f"listen: 127.0.0.1:{listen_port}", f"window: {WINDOW}",
             f"shard: {{index: {shard_index}, count: 2}}", "targets:"]
    for name, platform, rate, extra in TARGETS:
        lines += [f"  - name: {name}",
                  f"    url: http://127.0.0.1:{emulator_port}/{platform}/predict",
                  "    expect: {status: 200}",
                  "    timeout: 10s",
                  f"    load: {{stages: [{{duration: 1h, rate: {rate}}}]}}"]
        lines += ["    " + line for line in extra.splitlines()]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def prometheus_config(path, rule_glob, generator_ports):
    targets = ", ".join(f'"127.0.0.1:{p}"' for p in generator_ports)
    text = f"""\
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - {rule_glob}
scrape_configs:
  - job_name: infercost
    static_configs:
      - targets: [{targets}]
"""
    with open(path, "w") as f:
        f.write(text)


def dashboard_queries(dashboard_dir):
    """(dashboard file, panel title, expr) for every panel query, with variables substituted."""
    queries = []
    variables = []
    for path in sorted(glob.glob(os.path.join(dashboard_dir, "*.json"))):
        with open(path) as f:
            model = json.load(f)
        name = os.path.basename(path)
        panels = []
        for panel in model.get("panels", []):
            panels.extend(panel.get("panels", []) if panel.get("type") == "row" else [panel])
        for panel in panels:
            for target in panel.get("targets", []):
                queries.append((name, panel.get("title", "?"), substitute(target["expr"])))
        for variable in model.get("templating", {}).get("list", []):
            if variable.get("type") == "query":
                variables.append((name, variable["name"], substitute(variable["definition"])))
    return queries, variables


def substitute(expr, overrides=None):
    values = dict(VARIABLES, **(overrides or {}))
    for name in sorted(values, key=len, reverse=True):
        expr = expr.replace(name, values[name])
    if "$" in expr:
        raise Failure(f"unsubstituted variable in {expr}")
    return expr


def load_dashboard(dashboard_dir, name):
    with open(os.path.join(dashboard_dir, name)) as f:
        return json.load(f)


def panel_targets(model):
    for panel in model.get("panels", []):
        for p in panel.get("panels", []) if panel.get("type") == "row" else [panel]:
            for target in p.get("targets", []):
                yield p.get("title", "?"), target["expr"]


def check_drill_down(prom, dashboard_dir):
    """The ranking's link carries the bar's job and target to the target detail, whose every
    query then returns data for that one target."""
    overview = load_dashboard(dashboard_dir, "cost-performance-overview.json")
    ranking = next(p for p in overview["panels"] if p.get("title", "").startswith("Ranking"))
    link = ranking["fieldConfig"]["defaults"]["links"][0]["url"]
    # The instance target: it has a budget, so every target-detail query has data for it.
    bars = [bar for bar in prom.vector(substitute(ranking["targets"][0]["expr"]))
            if bar["metric"]["target"] == INSTANCE_TARGET]
    if not bars:
        raise Failure(f"the ranking has no bar for {INSTANCE_TARGET}")
    labels = bars[0]["metric"]
    url = link.replace("${__field.labels.job}", labels["job"]).replace(
        "${__field.labels.target}", labels["target"])
    params = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    carried = {"$job": params["var-job"][0], "$target": params["var-target"][0]}
    if carried != {"$job": labels["job"], "$target": labels["target"]}:
        raise Failure(f"the ranking's link {link} does not carry the job and target: {url}")
    detail = load_dashboard(dashboard_dir, "target-detail.json")
    empty = []
    checked = 0
    for title, expr in panel_targets(detail):
        expr = substitute(expr, carried)
        _, result = prom.query(expr)
        checked += 1
        if not result:
            empty.append(f"{title}: {expr}")
        elif any(r["metric"].get("target", labels["target"]) != labels["target"] for r in result):
            raise Failure(f"{title}: other targets than {labels['target']}: {expr}")
    if empty:
        raise Failure("target detail queries without data after the drill-down:\n  "
                      + "\n  ".join(empty))
    print(f"drill-down to {labels['target']} (job {labels['job']}): {checked} target-detail "
          f"queries returned data for it alone", flush=True)


def annotation_queries(dashboard_dir):
    """(dashboard file, annotation name, expr) of every Prometheus annotation."""
    queries = []
    for path in sorted(glob.glob(os.path.join(dashboard_dir, "*.json"))):
        model = load_dashboard(dashboard_dir, os.path.basename(path))
        for annotation in model.get("annotations", {}).get("list", []):
            if "expr" in annotation:
                queries.append((os.path.basename(path), annotation["name"],
                                substitute(annotation["expr"])))
    return queries


def annotations_without_events(prom, queries, since):
    """The reload and restart annotations that show no event since `since`, as Grafana would
    query them (a range query at the annotation's step). Every annotation query must evaluate."""
    missing = []
    for name, title, expr in queries:
        data = prom.api("/api/v1/query_range", {"query": expr, "start": f"{since:.3f}",
                                                 "end": f"{time.time():.3f}", "step": "1"})
        if title in ("Config reloads", "Restarts") and not data["result"]:
            missing.append(f"{name} / {title}: {expr}")
    return missing


def label_values_query(definition):
    match = re.fullmatch(r"\s*label_values\((.*),\s*([a-zA-Z_]+)\s*\)\s*", definition)
    if not match:
        raise Failure(f"not a label_values query: {definition}")
    return match.group(1), match.group(2)


def missing_data(prom, queries, variables, records):
    """The queries that return no data yet."""
    missing = []
    for record in records:
        if not prom.vector(record):
            missing.append(f"recording rule {record}")
    for name, title, expr in queries:
        _, result = prom.query(expr)
        if not result:
            missing.append(f"{name} / {title}: {expr}")
    for name, variable, definition in variables:
        selector, label = label_values_query(definition)
        values = prom.get(f"/api/v1/label/{label}/values?"
                          + urllib.parse.urlencode({"match[]": selector}))
        if not values:
            missing.append(f"{name} variable {variable}: {definition}")
    return missing


def by_labels(result, *labels):
    return {tuple(r["metric"].get(l, "") for l in labels): float(r["value"][1]) for r in result}


def slope(samples):
    """Increase per second between the first and last raw sample: no extrapolation."""
    (t0, v0), (t1, v1) = samples[0], samples[-1]
    return (float(v1) - float(v0)) / (float(t1) - float(t0))


def check_fleet_ips(prom):
    """The fleet IPS rule equals the sum of the generators' IPS, evaluated at the same instants."""
    now = time.time()
    _, history = prom.query("target:infercost_inferences:rate5m[20s]", at=now - 3)
    checked = exact = 0
    worst = 0.0
    for series in history:
        target = series["metric"]["target"]
        for t, value in series["values"]:
            fleet = float(value)
            per_generator = by_labels(prom.vector(
                f'sum by (instance) (rate(infercost_inferences_total{{target="{target}"}}[5m]))',
                at=float(t)), "instance")
            if len(per_generator) != 2:
                raise Failure(f"{target}: expected two generators, got {per_generator}")
            if min(per_generator.values()) <= 0:
                raise Failure(f"{target}: a shard served nothing: {per_generator}")
            total = sum(per_generator.values())
            error = abs(fleet - total) / total
            worst = max(worst, error)
            checked += 1
            exact += error < 1e-9
    if checked < 10:
        raise Failure(f"only {checked} fleet IPS samples to check")
    # A scrape that was in flight while a rule evaluated is visible to the later query but was not
    # to the rule, so a few instants may differ by the weight of one sample; most must be exact.
    print(f"fleet IPS: {exact} of {checked} rule samples equal the sum of the two generators "
          f"exactly, worst difference {worst:.2%}", flush=True)
    if exact * 2 < checked or worst > 0.05:
        raise Failure(f"fleet IPS differs from the sum of the generators: {exact}/{checked} exact, "
                      f"worst {worst:.2%}")


def check_fleet_cost(prom):
    """Fleet $/1M of an instance target is the seed's formula on the combined IPS, price once."""
    stamps = prom.vector(
        f'timestamp(target:infercost_cost_per_million_inferences_usd:rate5m{{target="{INSTANCE_TARGET}"}})')
    if not stamps:
        raise Failure(f"no fleet $/1M for {INSTANCE_TARGET}")
    at = float(stamps[0]["value"][1])
    rule = float(prom.vector(
        f'target:infercost_cost_per_million_inferences_usd:rate5m{{target="{INSTANCE_TARGET}"}}',
        at=at)[0]["value"][1])
    prices = by_labels(prom.vector(f'infercost_price_usd_per_hour{{target="{INSTANCE_TARGET}"}}', at=at),
                       "instance")
    if len(prices) != 2 or len(set(prices.values())) != 1:
        raise Failure(f"the two generators should report one hourly price: {prices}")
    usd_per_hour = next(iter(prices.values()))
    # The rule's rate() windows reach back before Prometheus started, so they read low by the same
    # factor in numerator and denominator; the formula takes the IPS from raw sample slopes instead.
    _, raw = prom.query(f'infercost_inferences_total{{target="{INSTANCE_TARGET}"}}[5m]', at=at)
    ips = {r["metric"]["instance"]: slope(r["values"]) for r in raw}
    _, raw_time = prom.query(
        f'infercost_cost_usd_total{{target="{INSTANCE_TARGET}", component="time"}}[5m]', at=at)
    accrual = {r["metric"]["instance"]: slope(r["values"]) * 3600 for r in raw_time}
    combined_ips = sum(ips.values())
    formula = usd_per_hour / (combined_ips * 3600) * 1e6
    print(f"{INSTANCE_TARGET}: ${usd_per_hour}/h, IPS per generator "
          f"{ {k: round(v, 2) for k, v in ips.items()} }, time spend per generator "
          f"{ {k: round(v, 4) for k, v in accrual.items()} } $/h; fleet rule ${rule:.4f} per 1M, "
          f"formula on the combined IPS ${formula:.4f}, price counted twice would be "
          f"${2 * formula:.4f}", flush=True)
    for instance, per_hour in accrual.items():
        if abs(per_hour - usd_per_hour) / usd_per_hour > 0.05:
            raise Failure(f"{instance} accrues ${per_hour:.4f}/h of time cost, not the price "
                          f"${usd_per_hour}/h")
    if abs(rule - formula) / formula > 0.05:
        raise Failure(f"fleet $/1M {rule} is not usd_per_hour / (IPS * 3600) * 1e6 = {formula}")


def check_rules_healthy(prom, rule_files):
    expected = {"recording": set(), "alerting": set()}
    for path in rule_files:
        with open(path) as f:
            text = f.read()
        expected["recording"].update(re.findall(r"^\s*- record: (\S+)", text, re.M))
        expected["alerting"].update(re.findall(r"^\s*- alert: (\S+)", text, re.M))
    loaded = {"recording": set(), "alerting": set()}
    for group in prom.get("/api/v1/rules")["groups"]:
        for rule in group["rules"]:
            loaded[rule["type"]].add(rule["name"])
            if rule.get("health") != "ok":
                raise Failure(f"rule {rule['name']}: health {rule.get('health')}: "
                              f"{rule.get('lastError')}")
    for kind in expected:
        if loaded[kind] != expected[kind]:
            raise Failure(f"{kind} rules loaded {sorted(loaded[kind])}, files have "
                          f"{sorted(expected[kind])}")
    print(f"rules: {len(loaded['recording'])} recording and {len(loaded['alerting'])} alerting "
          f"rules loaded and healthy", flush=True)
    return sorted(expected["recording"])


def reload_and_restart(args, workdir, processes, generator_ports, prom):
    """POST /-/reload to shard 0; stop shard 1 and start it again on the same port (so the same
    instance label, with a new process_start_time_seconds). The new process replaces the old one
    in `processes`, so that it is stopped and checked with the others."""
    request = urllib.request.Request(f"http://127.0.0.1:{generator_ports[0]}/-/reload",
                                     data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        if response.status != 200:
            raise Failure(f"POST /-/reload answered {response.status}")
    old = next(p for p in processes if p.name == "serve-1")
    code = old.stop()
    if code != 0 or old.sanitizer_reports():
        raise Failure(f"serve-1 ended with exit code {code} after SIGTERM:\n"
                      + "\n".join(old.sanitizer_reports()[:10]))
    config = os.path.join(workdir, "shard-1.yaml")
    new = Process("serve-1-restarted", [args.infercost, "serve", "--config", config], workdir)
    processes[processes.index(old)] = new
    url = f"http://127.0.0.1:{generator_ports[1]}/-/healthy"
    wait_for("the restarted generator", lambda: http_ok(url), 30, processes)
    wait_for("the restarted generator scraped", lambda: len(by_labels(
        prom.vector('up{job="infercost"} == 1'), "instance")) == 2, 30, processes)
    print("reloaded serve-0 and restarted serve-1", flush=True)


def run(args, workdir):
    processes = []
    try:
        emulator_port = free_port()
        emulator = Process("emulate", [args.infercost, "emulate", "--listen",
                                       f"127.0.0.1:{emulator_port}", "--time-scale",
                                       str(TIME_SCALE)], workdir)
        processes.append(emulator)

        generator_ports = []
        for shard in (0, 1):
            port = free_port()
            generator_ports.append(port)
            config = os.path.join(workdir, f"shard-{shard}.yaml")
            generator_config(config, port, emulator_port, shard)
            check = subprocess.run([args.infercost, "check-config", config], capture_output=True,
                                   text=True, timeout=30)
            if check.returncode != 0:
                raise Failure(f"check-config {config}: exit {check.returncode}\n{check.stderr}")
            processes.append(Process(f"serve-{shard}", [args.infercost, "serve", "--config",
                                                         config], workdir))

        rule_glob = os.path.join(args.source_dir, "deploy/prometheus/rules/*.yml")
        rule_files = sorted(glob.glob(rule_glob))
        prom_port = free_port()
        prom_config = os.path.join(workdir, "prometheus.yml")
        prometheus_config(prom_config, rule_glob, generator_ports)
        processes.append(Process("prometheus", [
            args.prometheus, f"--config.file={prom_config}",
            f"--storage.tsdb.path={os.path.join(workdir, 'tsdb')}",
            f"--web.listen-address=127.0.0.1:{prom_port}"], workdir))
        prom = Prometheus(f"http://127.0.0.1:{prom_port}")

        for port in generator_ports:
            wait_for(f"generator on {port}", lambda p=port: http_ok(
                f"http://127.0.0.1:{p}/-/healthy"), 30, processes)
        wait_for("Prometheus ready", lambda: http_ok(prom.base + "/-/ready"), 30, processes)
        wait_for("both generators scraped", lambda: len(by_labels(
            prom.vector('up{job="infercost"} == 1'), "instance")) == 2, 30, processes)
        scraped_since = time.monotonic()

        records = check_rules_healthy(prom, rule_files)
        queries, variables = dashboard_queries(os.path.join(args.source_dir, "dashboards"))
        print(f"dashboards: {len(queries)} panel queries, {len(variables)} variables", flush=True)

        missing = []

        def everything_has_data():
            nonlocal missing
            missing = missing_data(prom, queries, variables, records)
            return not missing

        started = time.monotonic()
        try:
            wait_for("data from every rule and panel", everything_has_data, DATA_DEADLINE_S,
                     processes, interval_s=2)
        except Failure as e:
            raise Failure(f"{e}\nstill without data:\n  " + "\n  ".join(missing))
        print(f"every recording rule, panel query and variable returned data after "
              f"{time.monotonic() - started:.0f} s", flush=True)
        remaining = HISTORY_S - (time.monotonic() - scraped_since)
        if remaining > 0:
            print(f"waiting {remaining:.0f} s more for {HISTORY_S} s of history", flush=True)
            time.sleep(remaining)
        check_rules_healthy(prom, rule_files)
        check_fleet_ips(prom)
        check_fleet_cost(prom)
        dashboard_dir = os.path.join(args.source_dir, "dashboards")
        check_drill_down(prom, dashboard_dir)
        reload_and_restart(args, workdir, processes, generator_ports, prom)
        annotations = annotation_queries(dashboard_dir)
        events_since = time.time() - 30
        missing = []

        def every_annotation_has_events():
            nonlocal missing
            missing = annotations_without_events(prom, annotations, events_since)
            return not missing

        try:
            wait_for("reload and restart annotations", every_annotation_has_events, 30,
                     processes, interval_s=1)
        except Failure as e:
            raise Failure(f"{e}\nstill without events:\n  " + "\n  ".join(missing))
        print(f"{len(annotations)} annotation queries evaluate; the reload and restart "
              f"annotations show the events", flush=True)
        for p in processes:
            p.check_running()
        # SIGTERM drains and exits 0 (docs/commands.md, serve at run time); under ASan/UBSan this is also
        # where leaks and late errors would show.
        for p in processes:
            if p.name == "prometheus":
                continue
            code = p.stop()
            if code != 0 or p.sanitizer_reports():
                raise Failure(f"{p.name} ended with exit code {code} after SIGTERM:\n"
                              + "\n".join(p.sanitizer_reports()[:10]))
        print("stack test: all checks passed", flush=True)
    except Failure:
        for p in processes:
            print(f"--- {p.name} log (tail) ---\n{p.tail()}", file=sys.stderr)
        raise
    finally:
        for p in reversed(processes):
            p.stop()


def main(run=run, doc=__doc__, prefix="infercost-stack-"):
    """Parses the flags every stack test takes and calls run(args, workdir) in a scratch dir."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--infercost", required=True)
    parser.add_argument("--prometheus", default=shutil.which("prometheus") or "/usr/bin/prometheus")
    parser.add_argument("--source-dir", required=True)
    args = parser.parse_args()
    # The processes run in a scratch directory: resolve relative paths first.
    args.infercost = os.path.abspath(args.infercost)
    args.prometheus = os.path.abspath(args.prometheus)
    args.source_dir = os.path.abspath(args.source_dir)
    workdir = tempfile.mkdtemp(prefix=prefix)
    try:
        run(args, workdir)
    except Failure as e:
        print(f"FAILED: {e}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
