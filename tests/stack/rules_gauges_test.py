#!/usr/bin/env python3
"""The recording rules against the gauges they mirror, on a real Prometheus.

Starts, all on free loopback ports:
  - one `infercost emulate --time-scale 20` (the emulated targets),
  - one `infercost serve` with one target per pricing shape: instance (g4dn.xlarge), burstable
    t3.medium in unlimited mode at full load and at partial load, t4g.medium at partial load,
    Lambda behind a REST API Gateway, Lambda with provisioned concurrency, per_request, sagemaker,
    sagemaker_serverless and hourly (with count and fixed_usd_per_hour),
  - Debian's Prometheus scraping it every second with the repository's recording rules,
    evaluated every second,
then compares every $/1M, IPS and capacity rule series with the gauge the exporter computes
(docs/deploy.md lists which rule mirrors which gauge), within 1 %.

A partial-load target first runs at its full rate long enough for its capacity to be learned,
then at a fraction of it; capacity stays (a lower offered load is no drop), so its observed and
capacity bases differ and a burstable one pays surplus credits at its utilisation, not at full
load.

The rules' ranges are shortened in a copy of the rule file ([5m] and [1h] become [30s]) so that
they cover the partial-load stage alone within a bounded run; the formulas are the file's. The
gauges' window is 10 s. Both sides are averaged over the same few seconds before they are
compared, so that one window boundary does not decide the result. Bounded: every wait has a
deadline; the run takes under two minutes. Python standard library only.
"""

import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stack_test import (Failure, Process, Prometheus, free_port, http_get,  # noqa: E402
                        http_ok, main, prometheus_config, wait_for)

TIME_SCALE = 20
WINDOW = "10s"
WINDOW_S = 10
# A rule's range holds counters that move once per 1 s tick: one tick more or less between its
# first and last sample (a tick late on a busy machine) is 1/30 of a 30 s range, and averaging
# ten evaluations brings that well under the tolerance, where a 15 s range missed it by 7 %.
RULE_RANGE = "30s"
RULE_RANGE_S = 30
AVERAGE = "10s"
AVERAGE_S = 10
TOLERANCE = 0.01
# The partial-load targets' first stage: four disjoint full windows, of which two must count
# (the median of the top three) on a busy machine. Rates stay low for the same reason: a
# generator that falls behind its schedule makes its windows untrustworthy.
FULL_STAGE_S = 42
FULL_RATE = 50
# Deadlines: series present, and the partial stage settled (its start is seen after FULL_STAGE_S).
SERIES_DEADLINE_S = 60
SETTLE_DEADLINE_S = 120
SETTLE_S = WINDOW_S + RULE_RANGE_S + AVERAGE_S + 2
STEADY_DEADLINE_S = 60
# The Lambda target with provisioned concurrency below capacity: the emulated function bills
# about 0.6 s per request (target time; serve's clock is the wall's), so at 8 requests/s about 5
# environments are busy (covered by 12); its capacity is learned from a closed loop first (any
# valid window counts, without the schedule an open loop must keep on a busy machine), about 30
# IPS at concurrency 1 over ~30 ms, where about 18 are busy (12 cover two thirds).
PC_PARTIAL = 12
PC_PARTIAL_RATE = 8
PC_FULL_CONCURRENCY = 1

# (name, emulator path, load, pricing, extra keys). Every instance-priced shape loads the
# emulated g4dn.xlarge (the emulated t3/t4g run out of CPU credits within seconds at this time
# scale, which would move capacity during the run); Lambda and SageMaker Serverless shapes load
# the emulated function, which reports its billed duration (a duration taken from latency would
# follow the machine's load, and the rule and the gauge average over different seconds).
STEADY = "{stages: [{duration: 1h, rate: 25}]}"


def partial(rate):
    return (f"{{stages: [{{duration: {FULL_STAGE_S}s, rate: {FULL_RATE}}}, "
            f"{{duration: 1h, rate: {rate}}}]}}")


TARGETS = [
    ("g4dn", "g4dn.xlarge", STEADY, "{model: instance, instance_type: g4dn.xlarge}", ""),
    ("t3-full", "g4dn.xlarge", STEADY,
     "{model: instance, instance_type: t3.medium, cpu_credits: unlimited}", ""),
    ("t3-partial", "g4dn.xlarge", partial(20),
     "{model: instance, instance_type: t3.medium, cpu_credits: unlimited}", ""),
    ("t4g-partial", "g4dn.xlarge", partial(15), "{model: instance, instance_type: t4g.medium}",
     ""),
    ("lambda-rest", "lambda", STEADY,
     "{model: lambda, memory_mb: 1024, architecture: x86_64, api_gateway: rest}", ""),
    ("lambda-pc", "lambda", STEADY,
     "{model: lambda, memory_mb: 2048, architecture: arm64, provisioned_concurrency: 1}", ""),
    # Below capacity with provisioned concurrency: PC covers the whole observed load but only
    # part of the load at capacity (PC_PARTIAL < capacity x mean billed duration), so the
    # observed spend's coverage is not the capacity basis's (check_shapes says which it saw).
    ("lambda-pc-partial", "lambda",
     f"{{stages: [{{duration: {FULL_STAGE_S}s, concurrency: {PC_FULL_CONCURRENCY}}}, "
     f"{{duration: 1h, rate: {PC_PARTIAL_RATE}}}]}}",
     "{model: lambda, memory_mb: 2048, architecture: arm64, "
     f"provisioned_concurrency: {PC_PARTIAL}}}", ""),
    ("per-request", "g4dn.xlarge", STEADY, "{model: per_request, usd_per_request: 0.00002}", ""),
    ("sagemaker", "g4dn.xlarge", STEADY, "{model: sagemaker, instance_type: ml.g4dn.xlarge}", ""),
    ("sagemaker-serverless", "lambda", STEADY,
     "{model: sagemaker_serverless, memory_mb: 2048}",
     "body: {inline: '" + "x" * 2048 + "'}"),
    ("hourly", "g4dn.xlarge", STEADY,
     "{model: hourly, usd_per_hour: 1.10, count: 2, fixed_usd_per_hour: 0.05}", ""),
]
PARTIAL = [name for name, _, load, _, _ in TARGETS if load != STEADY]

# (rule, gauge it mirrors). The gauges carry one generator's figures; the rules sum generators,
# and here there is one.
PAIRS = [
    ("target:infercost_cost_per_million_inferences_usd:rate5m",
     'infercost_cost_per_million_inferences_usd{basis="observed"}'),
    ("target:infercost_cost_per_million_inferences_usd:rate1h",
     'infercost_cost_per_million_inferences_usd{basis="observed"}'),
    ("target:infercost_cost_per_million_inferences_usd:capacity_rate5m",
     'infercost_cost_per_million_inferences_usd{basis="capacity"}'),
    ("target:infercost_inferences:rate5m", "infercost_inferences_per_second"),
    ("target:infercost_inferences:rate1h", "infercost_inferences_per_second"),
    ("target:infercost_capacity_inferences_per_second:sum",
     "infercost_capacity_inferences_per_second"),
]


def serve_config(path, listen_port, emulator_port):
    lines = [f"listen: 127.0.0.1:{listen_port}", f"window: {WINDOW}", "targets:"]
    for name, emulated, load, pricing, extra in TARGETS:
        lines += [f"  - name: {name}",
                  f"    url: http://127.0.0.1:{emulator_port}/{emulated}/predict",
                  "    expect: {status: 200}",
                  "    timeout: 10s",
                  f"    load: {load}",
                  f"    pricing: {pricing}"]
        if extra:
            lines.append(f"    {extra}")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


# Environments the emulated function keeps warm: far more than the Lambda-priced targets ever
# have busy at once (about 83 requests/s over ~31 ms of wall time each, a few more in a burst).
WARM_ENVIRONMENTS = 200


def steady_profiles(source, destination):
    """The built-in emulator profiles with the Lambda function's billed duration made constant.

    A Lambda shape's spend follows the mean billed duration, which the gauge takes over its
    window and a rule over its range: with the built-in spread (sigma 0.15, ~80 requests per
    window) the two means differ by 1-2 % at random, and provisioned concurrency's
    max(mean - PC / capacity, 0) amplifies that about twofold. A cold start does the same: its
    INIT (3 s median, up to ~12 s) is billed with the request, so one in the gauge's last window
    and diluted over a rule's range moved the two apart by 1.8 % (CI, lambda-pc and
    sagemaker-serverless; the four Lambda-priced targets share the emulated function, and an
    environment started by a burst is reclaimed after 30 s of wall time at this time scale).
    A constant duration and every environment kept warm make both sides see the same input, so
    what is compared is the formula alone."""
    with open(source) as f:
        text = f.read()
    lambda_service = r"(- name: lambda\n(?:.*\n)*?\s+service: \{ median_ms: \d+), sigma: [0-9.]+"
    text, count = re.subn(lambda_service, r"\1, sigma: 0", text)
    if count != 1:
        raise Failure(f"{source}: no service spread found for the lambda profile: update this test")
    lambda_warm = r"(- name: lambda\n(?:.*\n)*?\s+provisioned_concurrency: )\d+"
    text, count = re.subn(lambda_warm, rf"\g<1>{WARM_ENVIRONMENTS}", text)
    if count != 1:
        raise Failure(f"{source}: no provisioned_concurrency for the lambda profile: "
                      "update this test")
    with open(destination, "w") as f:
        f.write(text)


def short_range_rules(source, destination):
    """The recording rules with their ranges shortened; every formula as in the file."""
    with open(source) as f:
        text = f.read()
    replacements = [(r"\[5m\]", f"[{RULE_RANGE}]"), (r"\[1h\]", f"[{RULE_RANGE}]"),
                    (r"\[1h:1m\]", f"[{RULE_RANGE}:1s]")]
    for pattern, replacement in replacements:
        text, count = re.subn(pattern, replacement, text)
        if count == 0:
            raise Failure(f"{source} has no {pattern} range: update this test")
    with open(destination, "w") as f:
        f.write(text)


def by_target(result):
    return {r["metric"]["target"]: float(r["value"][1]) for r in result}


def missing_series(prom):
    """The (rule or gauge, target) pairs without a value yet."""
    names = [t[0] for t in TARGETS]
    missing = []
    for rule, gauge in PAIRS:
        for expr in (rule, gauge):
            have = by_target(prom.vector(expr))
            missing += [f"{expr} for {n}" for n in names if n not in have]
    return missing


def compare(prom, at):
    """Every rule against its gauge, both averaged over AVERAGE up to `at`; returns failures."""
    failures = []
    rows = []
    for rule, gauge in PAIRS:
        rules = by_target(prom.vector(f"avg_over_time({rule}[{AVERAGE}])", at=at))
        gauges = by_target(prom.vector(f"avg_over_time({gauge}[{AVERAGE}])", at=at))
        for name, *_ in TARGETS:
            if name not in rules or name not in gauges:
                failures.append(f"{rule} / {gauge}: no value for {name}")
                continue
            r, g = rules[name], gauges[name]
            error = abs(r - g) / abs(g) if g else abs(r)
            rows.append(f"  {name:22} {rule.split(':', 1)[1]:54} rule {r:12.6g}  gauge {g:12.6g}"
                        f"  {error:6.2%}")
            if error > TOLERANCE:
                failures.append(f"{name}: {rule} = {r:.6g}, {gauge} = {g:.6g} ({error:.2%})")
    print("\n".join(rows), flush=True)
    return failures


def check_shapes(prom, at):
    """The partial-load targets really are at partial load, and the burstable ones pay surplus
    credits at full load on the capacity basis (else the comparison proves little)."""
    ips = by_target(prom.vector(f"avg_over_time(infercost_inferences_per_second[{AVERAGE}])",
                                at=at))
    capacity = by_target(prom.vector("infercost_capacity_inferences_per_second", at=at))
    surplus = by_target(prom.vector("infercost_price_full_load_surplus_usd_per_hour", at=at))
    for name in PARTIAL:
        utilisation = ips[name] / capacity[name]
        print(f"{name}: {ips[name]:.1f} of {capacity[name]:.1f} IPS (utilisation "
              f"{utilisation:.2f}), surplus at full load ${surplus[name]:.4f}/h", flush=True)
        if not 0.1 < utilisation < 0.6:
            # On a machine too busy for the generator to keep its schedule, the full-rate windows
            # are untrustworthy and capacity is learned at the lower rate: the rule and the gauge
            # must still agree, but partial load is not exercised (recording.test.yml's t4g case
            # works it by hand).
            print(f"NOTE: {name} is not at partial load ({ips[name]:.1f} of "
                  f"{capacity[name]:.1f} IPS): too few trustworthy windows at the full rate",
                  flush=True)
    check_provisioned_concurrency(prom, at, capacity)
    for name in ("t3-full", "t3-partial", "t4g-partial"):
        if surplus[name] <= 0:
            raise Failure(f"{name}: no surplus-credit price at full load ({surplus[name]})")
    if surplus["g4dn"] != 0:
        raise Failure(f"g4dn is not burstable but has a surplus price {surplus['g4dn']}")


def check_warm(prom, at):
    """No cold start in what is compared: its billed INIT would weigh differently in a gauge's
    window and a rule's range (steady_profiles keeps every environment warm)."""
    span = f"{WINDOW_S + RULE_RANGE_S + AVERAGE_S}s"
    cold = by_target(prom.vector(f"increase(infercost_cold_starts_total[{span}])", at=at))
    started = {name: n for name, n in cold.items() if n > 0}
    if started:
        raise Failure(f"cold starts within the compared {span}: {started}; the emulated function "
                      f"should keep {WARM_ENVIRONMENTS} environments warm")


def check_provisioned_concurrency(prom, at, capacity):
    """Says whether lambda-pc-partial is in the shape it is there for: provisioned concurrency
    covering every busy environment at the observed load, part of them at capacity."""
    name = "lambda-pc-partial"
    sel = f'{{target="{name}"}}'
    busy = by_target(prom.vector(
        f"rate(infercost_billed_duration_seconds_total{sel}[{AVERAGE}])", at=at))
    billable = by_target(prom.vector(
        f"rate(infercost_billable_requests_total{sel}[{AVERAGE}])", at=at))
    if name not in busy or not billable.get(name):
        raise Failure(f"{name}: no billed duration or billable requests")
    at_capacity = capacity[name] * busy[name] / billable[name]
    print(f"{name}: {busy[name]:.1f} environments busy at the observed load, "
          f"{at_capacity:.1f} at capacity, {PC_PARTIAL} provisioned", flush=True)
    if not busy[name] < PC_PARTIAL < at_capacity:
        print(f"NOTE: {name}: provisioned concurrency does not split the two loads", flush=True)


# A capacity that moves by less than this over the range (a new window entering the top three at
# 24.99 instead of 25.00) moves a capacity-basis rule by as little against its gauge.
CAPACITY_STEADY = TOLERANCE / 10


def unsteady_capacities(prom):
    """Targets whose capacity moved by more than CAPACITY_STEADY over the rules' range and the
    average (or that have no capacity yet), each with its spread."""
    span = f"{RULE_RANGE_S + AVERAGE_S + 2}s"
    capacity = "infercost_capacity_inferences_per_second"
    highest = by_target(prom.vector(f"max_over_time({capacity}[{span}])"))
    lowest = by_target(prom.vector(f"min_over_time({capacity}[{span}])"))
    unsteady = []
    for name in (t[0] for t in TARGETS):
        high, low = highest.get(name), lowest.get(name)
        if high is None or low is None or high <= 0:
            unsteady.append(f"{name}: no capacity over {span}")
        elif (high - low) / high > CAPACITY_STEADY:
            unsteady.append(f"{name}: {low:.4g}..{high:.4g} over {span}")
    return unsteady


def partial_stage_started(prom):
    """Wall time at which Prometheus first saw every partial-load target at its lower rate."""
    offered = by_target(prom.vector(f"infercost_offered_rate{{target=~\"{'|'.join(PARTIAL)}\"}}"))
    if len(offered) == len(PARTIAL) and all(0 < v < FULL_RATE for v in offered.values()):
        return time.time()
    return None


def run(args, workdir):
    processes = []
    try:
        emulator_port = free_port()
        profiles = os.path.join(workdir, "profiles.yaml")
        steady_profiles(os.path.join(args.source_dir, "emulator/profiles.yaml"), profiles)
        processes.append(Process("emulate", [
            args.infercost, "emulate", "--listen", f"127.0.0.1:{emulator_port}", "--time-scale",
            str(TIME_SCALE), "--profiles", profiles], workdir))
        serve_port = free_port()
        config = os.path.join(workdir, "serve.yaml")
        serve_config(config, serve_port, emulator_port)
        check = subprocess.run([args.infercost, "check-config", config], capture_output=True,
                               text=True, timeout=30)
        if check.returncode != 0:
            raise Failure(f"check-config {config}: exit {check.returncode}\n{check.stderr}")
        processes.append(Process("serve", [args.infercost, "serve", "--config", config],
                                 workdir))

        rule_dir = os.path.join(workdir, "rules")
        os.mkdir(rule_dir)
        short_range_rules(
            os.path.join(args.source_dir, "deploy/prometheus/rules/infercost-recording.yml"),
            os.path.join(rule_dir, "infercost-recording.yml"))
        prom_port = free_port()
        prom_config = os.path.join(workdir, "prometheus.yml")
        prometheus_config(prom_config, os.path.join(rule_dir, "*.yml"), [serve_port])
        processes.append(Process("prometheus", [
            args.prometheus, f"--config.file={prom_config}",
            f"--storage.tsdb.path={os.path.join(workdir, 'tsdb')}",
            f"--web.listen-address=127.0.0.1:{prom_port}"], workdir))
        prom = Prometheus(f"http://127.0.0.1:{prom_port}")

        wait_for("serve", lambda: http_ok(f"http://127.0.0.1:{serve_port}/-/healthy"), 30,
                 processes)
        wait_for("Prometheus ready", lambda: http_ok(prom.base + "/-/ready"), 30, processes)

        missing = []

        def every_series_present():
            nonlocal missing
            missing = missing_series(prom)
            return not missing

        try:
            wait_for("every rule and gauge series", every_series_present, SERIES_DEADLINE_S,
                     processes, interval_s=1)
        except Failure as e:
            raise Failure(f"{e}\nstill without data:\n  " + "\n  ".join(missing))
        print("every rule and gauge series has a value for every target", flush=True)

        started = []
        wait_for("the partial-load stage", lambda: started.append(partial_stage_started(prom))
                 or started[-1] is not None, SETTLE_DEADLINE_S, processes, interval_s=1)
        settled_at = started[-1] + SETTLE_S
        print(f"partial-load stage seen; comparing once its first {SETTLE_S} s have passed "
              f"(gauge window, rule range and average within it)", flush=True)
        wait_for("the partial-load stage to fill the windows", lambda: time.time() >= settled_at,
                 SETTLE_S + 5, processes, interval_s=1)
        # On a busy machine capacity may be learned (or re-learned) late, at the lower rate: the
        # spend a rule's range averages then mixes two capacities (surplus credits at two
        # utilisations) where the gauge has one. Compare once no capacity changed over a range.
        unsteady = []

        def capacities_steady():
            nonlocal unsteady
            unsteady = unsteady_capacities(prom)
            return not unsteady

        try:
            wait_for("every capacity steady over the rules' range", capacities_steady,
                     STEADY_DEADLINE_S, processes, interval_s=1)
        except Failure as e:
            raise Failure(f"{e}\nstill moving:\n  " + "\n  ".join(unsteady))

        at = time.time() - 1
        check_warm(prom, at)
        check_shapes(prom, at)
        failures = compare(prom, at)
        if failures:
            raise Failure("rules differ from their gauges by more than "
                          f"{TOLERANCE:.0%}:\n  " + "\n  ".join(failures))
        for p in processes:
            p.check_running()
        print(f"rules vs gauges: every pair within {TOLERANCE:.0%} for {len(TARGETS)} targets",
              flush=True)
    except Failure:
        try:
            _, body = http_get(f"http://127.0.0.1:{serve_port}/api/v1/targets")
            print(f"--- /api/v1/targets ---\n{body.decode(errors='replace')}", file=sys.stderr)
        except (OSError, NameError):
            pass
        for p in processes:
            print(f"--- {p.name} log (tail) ---\n{p.tail()}", file=sys.stderr)
        raise
    finally:
        for p in reversed(processes):
            p.stop()


if __name__ == "__main__":
    sys.exit(main(run, __doc__, "infercost-rules-gauges-"))
