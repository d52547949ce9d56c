#!/usr/bin/env python3
"""deploy/alertmanager/alertmanager.yml's inhibits, in a real Alertmanager (amtool cannot test
inhibits).

Starts Alertmanager on a free loopback port with the repository's config (clustering off), posts
  - InfercostGeneratorDownForTarget for job infercost, target g4dn (the labels the rule gives it),
  - InfercostCostRegressionDayOverDay and InfercostCostAboveBudget for job infercost, target g4dn,
  - the same day-over-day alert for job infercost-staging, target g4dn (another deployment with a
    target of the same name) and for job infercost, target t4g (another target),
  - InfercostLatencySLOBreach for job infercost, target g4dn (not a cost alert),
and checks that exactly the two cost alerts of infercost's g4dn are inhibited, by the per-target
generator-down alert. Every wait is bounded. Usage: alertmanager_inhibit_test.py ALERTMANAGER
CONFIG. Python standard library only.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

DEADLINE_S = 30


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def alert(**labels):
    return {"labels": labels, "annotations": {"summary": "test"}}


ALERTS = [
    alert(alertname="InfercostGeneratorDownForTarget", severity="none", job="infercost",
          instance="gen-1:18090", target="g4dn"),
    alert(alertname="InfercostCostRegressionDayOverDay", severity="warning", job="infercost",
          target="g4dn"),
    alert(alertname="InfercostCostAboveBudget", severity="warning", job="infercost",
          target="g4dn"),
    alert(alertname="InfercostCostRegressionDayOverDay", severity="warning",
          job="infercost-staging", target="g4dn"),
    alert(alertname="InfercostCostRegressionDayOverDay", severity="warning", job="infercost",
          target="t4g"),
    alert(alertname="InfercostLatencySLOBreach", severity="warning", job="infercost",
          target="g4dn"),
]
WANT_INHIBITED = {("InfercostCostRegressionDayOverDay", "infercost", "g4dn"),
                  ("InfercostCostAboveBudget", "infercost", "g4dn")}


def key(a):
    return (a["labels"]["alertname"], a["labels"]["job"], a["labels"]["target"])


def request(url, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method="GET" if body is None else "POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as response:
        return json.loads(response.read() or b"null")


def run(binary, config, workdir):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(os.path.join(workdir, "alertmanager.log"), "wb")
    proc = subprocess.Popen([binary, f"--config.file={config}",
                             f"--storage.path={os.path.join(workdir, 'data')}",
                             f"--web.listen-address=127.0.0.1:{port}",
                             "--cluster.listen-address="],
                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + DEADLINE_S
        state = None
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"alertmanager exited with {proc.returncode}")
            try:
                if state is None:
                    request(base + "/api/v2/alerts", ALERTS)
                    state = {}
                got = request(base + "/api/v2/alerts")
                state = {key(a): a["status"]["inhibitedBy"] for a in got}
                inhibited = {k for k, by in state.items() if by}
                if len(state) == len(ALERTS) and inhibited == WANT_INHIBITED:
                    print("inhibited, as wanted:", sorted(inhibited))
                    print("not inhibited:", sorted(set(state) - inhibited))
                    return 0
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.2)
        seen = {" ".join(k): by for k, by in (state or {}).items()}
        print(f"after {DEADLINE_S} s, inhibited by: {json.dumps(seen)}; want exactly "
              f"{sorted(WANT_INHIBITED)} inhibited", file=sys.stderr)
        return 1
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: alertmanager_inhibit_test.py ALERTMANAGER CONFIG")
    workdir = tempfile.mkdtemp(prefix="infercost-am-")
    try:
        code = run(sys.argv[1], os.path.abspath(sys.argv[2]), workdir)
        if code:
            with open(os.path.join(workdir, "alertmanager.log"), "rb") as f:
                sys.stderr.write(f.read().decode(errors="replace")[-3000:])
        return code
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
