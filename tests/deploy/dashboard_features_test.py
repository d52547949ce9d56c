#!/usr/bin/env python3
"""What the dashboards promise, checked on their JSON (dashboard_lint_test.cc checks the rest).

- job and instance variables, chained job -> instance -> target, that every panel and annotation
  query uses;
- the latency objective as a line on every latency panel, at the threshold of the
  InfercostLatencySLOBreach alert;
- the budget as a line on every $ per 1M panel over time;
- annotations of config reloads and generator restarts;
- drill-down links from the overview's targets to the target-detail dashboard, carrying the target
  and its job;
- one JSON for Grafana's import and for provisioning: no __inputs, no dashboard id, every
  datasource the ${datasource} variable.

Usage: dashboard_features_test.py SOURCE_DIR. Python standard library only.
"""

import glob
import json
import os
import re
import sys
import unittest

SOURCE_DIR = None
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
OVERVIEW = "cost-performance-overview.json"
DETAIL = "target-detail.json"


def load_dashboards():
    dashboards = {}
    for path in sorted(glob.glob(os.path.join(SOURCE_DIR, "dashboards", "*.json"))):
        with open(path) as f:
            dashboards[os.path.basename(path)] = json.load(f)
    return dashboards


def query_panels(model):
    panels = []
    for panel in model.get("panels", []):
        if panel.get("type") == "row":
            panels.extend(panel.get("panels", []))
        else:
            panels.append(panel)
    return panels


def variables(model):
    return {v["name"]: v for v in model["templating"]["list"]}


def latency_objective_seconds():
    """The p95 threshold of InfercostLatencySLOBreach, from the alert rule itself."""
    with open(os.path.join(SOURCE_DIR, "deploy/prometheus/rules/infercost-alerts.yml")) as f:
        text = f.read()
    match = re.search(r"- alert: InfercostLatencySLOBreach\n\s+expr: \|\n\s+"
                      r"target:infercost_request_duration_seconds:p95_rate5m > ([0-9.]+)\n", text)
    if not match:
        raise AssertionError("InfercostLatencySLOBreach's threshold not found in the rules")
    return float(match.group(1))


def is_latency_panel(panel):
    unit = panel.get("fieldConfig", {}).get("defaults", {}).get("unit")
    title = panel.get("title", "").lower()
    return (panel.get("type") == "timeseries" and unit == "s"
            and ("latency" in title or "percentile" in title))


def is_cost_per_million_over_time(panel):
    unit = panel.get("fieldConfig", {}).get("defaults", {}).get("unit")
    return (panel.get("type") == "timeseries" and unit == "currencyUSD"
            and "per 1M" in panel.get("title", ""))


def links_of(panel):
    """Every data link of a panel: its defaults' and its overrides'."""
    field_config = panel.get("fieldConfig", {})
    links = list(field_config.get("defaults", {}).get("links", []))
    for override in field_config.get("overrides", []):
        for prop in override.get("properties", []):
            if prop.get("id") == "links":
                links.extend(prop.get("value", []))
    return links


def datasources(node, path):
    """(JSON path, value) of every "datasource" object anywhere in the model."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "datasource" and isinstance(value, dict):
                yield path, value
            yield from datasources(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from datasources(value, f"{path}/{i}")


class DashboardFeatures(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dashboards = load_dashboards()

    def test_three_dashboards(self):
        self.assertGreaterEqual(set(self.dashboards),
                                {OVERVIEW, DETAIL, "load-generator-health.json"})

    def test_job_instance_and_target_variables_chain(self):
        for name, model in self.dashboards.items():
            with self.subTest(dashboard=name):
                v = variables(model)
                self.assertEqual([x["name"] for x in model["templating"]["list"]],
                                 ["datasource", "job", "instance", "target"])
                for var in ("job", "instance", "target"):
                    self.assertEqual(v[var]["type"], "query")
                    self.assertEqual(v[var]["datasource"], DATASOURCE)
                    self.assertTrue(v[var]["multi"] and v[var]["includeAll"])
                    self.assertEqual(v[var]["query"]["query"], v[var]["definition"])
                self.assertEqual(v["job"]["definition"], "label_values(infercost_build_info, job)")
                # All must mean the listed jobs, not every job Prometheus scrapes (up and
                # scrape_duration_seconds exist for every job).
                self.assertNotIn("allValue", v["job"])
                self.assertIn('job=~"$job"', v["instance"]["definition"])
                self.assertIn('job=~"$job"', v["target"]["definition"])
                self.assertIn('instance=~"$instance"', v["target"]["definition"])

    def test_every_query_uses_job_and_instance(self):
        count = 0
        for name, model in self.dashboards.items():
            exprs = [(p.get("title"), t["expr"]) for p in query_panels(model)
                     for t in p.get("targets", [])]
            exprs += [("annotation " + a["name"], a["expr"])
                      for a in model["annotations"]["list"]]
            for title, expr in exprs:
                with self.subTest(dashboard=name, panel=title):
                    self.assertIn('job=~"$job"', expr)
                    self.assertIn('instance=~"$instance"', expr)
                    self.assertNotRegex(expr, r'job="[^"]*"', "a hard-coded job")
                    for selector in re.findall(r"\{[^}]*\}", expr):
                        if selector.startswith("{{"):
                            continue
                        self.assertIn('job=~"$job"', selector, f"a selector without job in {expr}")
                count += 1
        self.assertGreaterEqual(count, 60)

    def test_latency_panels_draw_the_objective(self):
        objective = latency_objective_seconds()
        found = 0
        for name, model in self.dashboards.items():
            for panel in filter(is_latency_panel, query_panels(model)):
                with self.subTest(dashboard=name, panel=panel["title"]):
                    defaults = panel["fieldConfig"]["defaults"]
                    steps = defaults["thresholds"]["steps"]
                    self.assertIn(objective, [s["value"] for s in steps])
                    self.assertIn(defaults["custom"]["thresholdsStyle"]["mode"],
                                  {"line", "dashed", "line+area", "dashed+area"})
                    self.assertIn(f"{objective:g} s", panel["description"])
                    found += 1
        self.assertGreaterEqual(found, 4)

    def test_cost_per_million_panels_draw_the_budget(self):
        found = 0
        for name, model in self.dashboards.items():
            for panel in filter(is_cost_per_million_over_time, query_panels(model)):
                with self.subTest(dashboard=name, panel=panel["title"]):
                    budget = [t for t in panel["targets"]
                              if "infercost_cost_budget_per_million_inferences_usd" in t["expr"]]
                    self.assertEqual(len(budget), 1)
                    self.assertTrue(budget[0]["legendFormat"].endswith(" budget"))
                    styled = [o for o in panel["fieldConfig"]["overrides"]
                              if o["matcher"] == {"id": "byRegexp", "options": ".* budget"}]
                    self.assertEqual(len(styled), 1)
                    props = {p["id"]: p["value"] for p in styled[0]["properties"]}
                    self.assertEqual(props["custom.lineStyle"]["fill"], "dash")
                    found += 1
        self.assertGreaterEqual(found, 3)
        table = next(p for p in query_panels(self.dashboards[OVERVIEW])
                     if p["title"] == "Cost-performance table")
        self.assertTrue(any("infercost_cost_budget_per_million_inferences_usd" in t["expr"]
                            for t in table["targets"]))

    def test_reload_and_restart_annotations(self):
        for name, model in self.dashboards.items():
            with self.subTest(dashboard=name):
                annotations = {a["name"]: a for a in model["annotations"]["list"]}
                reload = annotations["Config reloads"]
                restart = annotations["Restarts"]
                self.assertIn("changes(infercost_config_last_reload_success_timestamp_seconds",
                              reload["expr"])
                # A restart loads the config too: it is marked once, as a restart.
                self.assertIn("unless", reload["expr"])
                self.assertIn("changes(process_start_time_seconds", restart["expr"])
                for a in (reload, restart):
                    self.assertTrue(a["enable"])
                    self.assertEqual(a["datasource"], DATASOURCE)

    def test_overview_targets_link_to_the_target_detail(self):
        detail = self.dashboards[DETAIL]
        prefix = f"/d/{detail['uid']}/"
        detail_vars = variables(detail)
        want = {"Ranking: $ per 1M inferences now": "__field.labels",
                "Cost-performance table": "__data.fields",
                "$ per 1M inferences over time (observed)": "__field.labels",
                "$ per 1M inferences over time (capacity basis)": "__field.labels"}
        panels = {p["title"]: p for p in query_panels(self.dashboards[OVERVIEW])}
        for title, source in want.items():
            with self.subTest(panel=title):
                links = links_of(panels[title])
                self.assertEqual(len(links), 1)
                url = links[0]["url"]
                self.assertTrue(url.startswith(prefix), url)
                self.assertIn(f"var-target=${{{source}.target}}", url)
                self.assertIn(f"var-job=${{{source}.job}}", url)
                self.assertIn("${instance:queryparam}", url)
                self.assertIn("${datasource:queryparam}", url)
                self.assertIn("${__url_time_range}", url)
                for var in re.findall(r"var-([a-z_]+)=", url):
                    self.assertIn(var, detail_vars)

    def test_one_json_for_import_and_provisioning(self):
        for name, model in self.dashboards.items():
            with self.subTest(dashboard=name):
                with open(os.path.join(SOURCE_DIR, "dashboards", name)) as f:
                    text = f.read()
                self.assertNotIn("__inputs", model)
                self.assertNotIn("${DS_", text)
                self.assertIsNone(model.get("id"))
                self.assertTrue(model["uid"])
                ds = variables(model)["datasource"]
                self.assertEqual((ds["type"], ds["query"]), ("datasource", "prometheus"))
                self.assertEqual(ds.get("current", {}), {})
                for path, found in datasources(model, ""):
                    self.assertEqual(found, DATASOURCE, path)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: dashboard_features_test.py SOURCE_DIR")
    SOURCE_DIR = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
