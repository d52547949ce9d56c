#!/usr/bin/env python3
"""Short-lived AWS credentials over a long run, and what a broken refresh looks like.

Everything on free loopback ports: `infercost emulate` (AWS APIs, keys that live 60 s), Debian's
Prometheus scraping each `infercost serve` every 5 s with the repository's rules and alerts.

Phase 1 (--soak, default 5 min): a Lambda Invoke target and a SageMaker target signed with keys
from IMDSv2 that expire every 60 s. Passes when no request failed on auth (auth_error == 0, no
4xx), the keys were renewed at least soak/60 - 1 times (the expiry gauge moved on), and no
credentials alert fired.

Phase 2: the same targets with keys from a credential_process whose keys say they expire in 60 s;
after 20 s the process starts failing. Passes when refresh failures are counted,
InfercostCredentialsExpiring fires before the expiry, and after it requests are counted as
auth_error, the expiry gauge lies in the past and InfercostCredentialsExpired fires.

Prints the figures it measured. Exit code 0 when every check passes. Needs a built infercost
(--binary) and prometheus (deploy/install-deps.sh --all). Takes soak + about 3.5 minutes.
"""

import argparse
import datetime
import os
import shutil
import sys
import tempfile
import textwrap
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "stack"))
from stack_test import Failure, Process, Prometheus, free_port, http_ok, wait_for  # noqa: E402

EMULATOR_KEY = "AKIDEMULATOR00000000"
EMULATOR_SECRET = "emulator/secret/key/not/valid/anywhere00"


def scrape(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        text = r.read().decode()
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            series, _, value = line.rpartition(" ")
            samples[series] = float(value)
    return samples


def total(samples, name, *filters):
    return sum(v for s, v in samples.items()
               if s.startswith(name + "{") and all(f in s for f in filters))


def serve_config(path, emulator_port, credentials):
    url = f"http://127.0.0.1:{emulator_port}"
    with open(path, "w") as f:
        f.write(textwrap.dedent(f"""\
            window: 30s
            credentials: {credentials}
            targets:
              - name: invoke
                kind: lambda
                function: lambda
                endpoint_url: {url}
                load: {{ stages: [ {{ duration: 1h, rate: 4, arrival: poisson }} ] }}
                pricing: {{ model: lambda, memory_mb: 1024 }}
              - name: endpoint
                kind: sagemaker
                endpoint: mobilenet-v2
                endpoint_url: {url}
                load: {{ stages: [ {{ duration: 1h, rate: 4, arrival: poisson }} ] }}
                pricing: {{ model: hourly, usd_per_hour: 0.7364 }}
            """))


def prometheus_config(path, serve_port):
    rules = os.path.join(ROOT, "deploy", "prometheus", "rules", "*.yml")
    with open(path, "w") as f:
        f.write(textwrap.dedent(f"""\
            global: {{ scrape_interval: 5s, evaluation_interval: 5s }}
            rule_files: ["{rules}"]
            scrape_configs:
              - job_name: infercost
                static_configs: [ {{ targets: ["127.0.0.1:{serve_port}"] }} ]
            """))


def firing(prom, alert):
    return [a["metric"] for a in prom.vector(f'ALERTS{{alertname="{alert}",alertstate="firing"}}')]


def start_stack(args, workdir, name, credentials, env):
    serve_port, prom_port = free_port(), free_port()
    config = os.path.join(workdir, name + ".yaml")
    serve_config(config, args.emulator_port, credentials)
    os.environ.update(env)
    serve = Process(name, [args.binary, "serve", "--config", config,
                           "--listen", f"127.0.0.1:{serve_port}"], workdir)
    prom_yml = os.path.join(workdir, name + "-prometheus.yml")
    prometheus_config(prom_yml, serve_port)
    prom = Process(name + "-prometheus", [
        args.prometheus, f"--config.file={prom_yml}",
        f"--storage.tsdb.path={os.path.join(workdir, name + '-tsdb')}",
        f"--web.listen-address=127.0.0.1:{prom_port}"], workdir)
    wait_for("serve and prometheus", lambda: http_ok(f"http://127.0.0.1:{serve_port}/-/ready")
             and http_ok(f"http://127.0.0.1:{prom_port}/-/ready"), 60, [serve, prom])
    return serve, serve_port, prom, Prometheus(f"http://127.0.0.1:{prom_port}")


def phase_soak(args, workdir, processes):
    serve, port, prom_proc, prom = start_stack(
        args, workdir, "soak", "{ source: instance }",
        {"AWS_EC2_METADATA_SERVICE_ENDPOINT": f"http://127.0.0.1:{args.emulator_port}"})
    processes += [serve, prom_proc]
    expiries = set()
    alerts = set()
    end = time.monotonic() + args.soak
    while time.monotonic() < end:
        for p in processes:
            p.check_running()
        s = scrape(port)
        expiries.add(total(s, "infercost_credentials_expiry_timestamp_seconds", 'target="invoke"'))
        for alert in ("InfercostCredentialsExpiring", "InfercostCredentialsExpired"):
            if firing(prom, alert):
                alerts.add(alert)
        time.sleep(5)
    s = scrape(port)
    figures = {
        "invoke ok": total(s, "infercost_requests_total", 'target="invoke"', 'outcome="ok"'),
        "endpoint ok": total(s, "infercost_requests_total", 'target="endpoint"', 'outcome="ok"'),
        "auth_error": total(s, "infercost_requests_total", 'outcome="auth_error"'),
        "http_4xx": total(s, "infercost_requests_total", 'outcome="http_4xx"'),
        "refresh failures": total(s, "infercost_credentials_refresh_failures_total"),
        "distinct expiries seen": len(expiries),
    }
    print(f"phase 1, {args.soak:.0f} s with 60-s keys: {figures}; credentials alerts: "
          f"{sorted(alerts) or 'none'}", flush=True)
    if figures["auth_error"] or figures["http_4xx"]:
        raise Failure("requests failed on auth during the soak")
    if figures["invoke ok"] == 0 or figures["endpoint ok"] == 0:
        raise Failure("a target served nothing")
    if len(expiries) < args.soak / 60 - 1:
        raise Failure(f"keys renewed {len(expiries)} times in {args.soak} s")
    if alerts:
        raise Failure(f"alerts fired on healthy credentials: {alerts}")
    for p in (serve, prom_proc):
        p.stop()
        processes.remove(p)


def phase_broken(args, workdir, processes):
    keys = os.path.join(workdir, "keys.json")
    expiry = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=60)
    with open(keys, "w") as f:
        f.write('{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s", "Expiration": "%s"}'
                % (EMULATOR_KEY, EMULATOR_SECRET, expiry.strftime("%Y-%m-%dT%H:%M:%SZ")))
    script = os.path.join(workdir, "creds.sh")
    with open(script, "w") as f:
        f.write(f"#!/bin/sh\nexec cat '{keys}'\n")
    os.chmod(script, 0o755)
    serve, port, prom_proc, prom = start_stack(
        args, workdir, "broken", f"{{ source: process, command: '{script}' }}", {})
    processes += [serve, prom_proc]
    time.sleep(20)
    os.remove(keys)
    print("phase 2: credential_process broken 20 s in; keys expire at "
          f"{expiry.isoformat(timespec='seconds')}", flush=True)
    wait_for("InfercostCredentialsExpiring", lambda: firing(prom, "InfercostCredentialsExpiring"),
             90, processes, interval_s=2)
    expiring_at = time.time()
    wait_for("InfercostCredentialsExpired", lambda: firing(prom, "InfercostCredentialsExpired"),
             180, processes, interval_s=2)
    s = scrape(port)
    figures = {
        "expiring fired s before expiry": round(expiry.timestamp() - expiring_at),
        "auth_error": total(s, "infercost_requests_total", 'outcome="auth_error"'),
        "refresh failures": total(s, "infercost_credentials_refresh_failures_total",
                                  'target="invoke"'),
        "expiry gauge - now (s)": round(total(s, "infercost_credentials_expiry_timestamp_seconds",
                                              'target="invoke"') - time.time()),
    }
    print(f"phase 2: {figures}", flush=True)
    if figures["auth_error"] == 0 or figures["refresh failures"] == 0:
        raise Failure("a broken refresh was not counted")
    if figures["expiry gauge - now (s)"] >= 0:
        raise Failure("the expiry gauge does not show the keys expired")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=os.path.join(ROOT, "build/release/exporter/infercost"))
    parser.add_argument("--prometheus", default=shutil.which("prometheus") or "/usr/bin/prometheus")
    parser.add_argument("--soak", type=float, default=300, help="phase 1 length in seconds")
    args = parser.parse_args()
    args.binary = os.path.abspath(args.binary)
    for var in list(os.environ):
        if var.startswith("AWS_"):
            del os.environ[var]
    os.environ["AWS_EC2_METADATA_DISABLED"] = "false"
    processes = []
    with tempfile.TemporaryDirectory(prefix="infercost-creds-soak-") as workdir:
        try:
            args.emulator_port = free_port()
            emu = Process("emulator", [args.binary, "emulate", "--listen",
                                       f"127.0.0.1:{args.emulator_port}",
                                       "--credential-lifetime", "60"], workdir)
            processes.append(emu)
            wait_for("emulator", lambda: http_ok(f"http://127.0.0.1:{args.emulator_port}/"), 30,
                     processes)
            phase_soak(args, workdir, processes)
            phase_broken(args, workdir, processes)
            print("PASS")
            return 0
        except Failure as e:
            print(f"FAIL: {e}", file=sys.stderr)
            for p in processes:
                print(f"--- {p.name}:\n{p.tail()}", file=sys.stderr)
            return 1
        finally:
            for p in processes:
                p.stop()


if __name__ == "__main__":
    sys.exit(main())
