// Checks the kube-prometheus-stack overlay as rendered (stdin) for what no schema says, and writes
// the PrometheusRule's groups as a Prometheus rule file for promtool. Exits 1 with every failure.
//   kubectl kustomize OVERLAY | node overlay.mjs DASHBOARDS_DIR RULES_OUT
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments, stringify } from "yaml";

const [dashboardsDir, rulesOut] = process.argv.slice(2);
const objects = parseAllDocuments(readFileSync(0, "utf8"))
  .map((doc) => doc.toJS())
  .filter((object) => object !== null);
const failures = [];
const check = (ok, what) => (ok ? console.log(`ok: ${what}`) : failures.push(what));
const find = (kind, name) =>
  objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));

// One namespace and one release label on everything the chart's Prometheus must select.
const namespaces = new Set(objects.map((o) => o.metadata.namespace));
check(namespaces.size === 1 && !namespaces.has(undefined), `one namespace (${[...namespaces]})`);
const release = find("PodMonitor").metadata.labels?.release;
check(release !== undefined, `PodMonitor has a release label (${release})`);
check(find("PrometheusRule").metadata.labels?.release === release, "PrometheusRule: same release");

// Every dashboard JSON is a ConfigMap for Grafana's sidecar, byte for byte.
for (const file of readdirSync(dashboardsDir).filter((f) => f.endsWith(".json"))) {
  const map = objects.find((o) => o.kind === "ConfigMap" && o.data?.[file] !== undefined);
  check(map?.metadata.labels?.grafana_dashboard === "1", `${file}: ConfigMap grafana_dashboard "1"`);
  check(map?.data[file] === readFileSync(join(dashboardsDir, file), "utf8"), `${file}: same JSON`);
}

// The shard count reaches the pods from the replicas, and nothing else sets it.
const sts = find("StatefulSet", "infercost");
const container = sts.spec.template.spec.containers.find((c) => c.name === "infercost");
const count = container.env.find((e) => e.name === "INFERCOST_SHARD_COUNT")?.value;
check(count === String(sts.spec.replicas), `INFERCOST_SHARD_COUNT ${count} = replicas`);
const config = find("ConfigMap", "infercost-config").data["infercost.yaml"];
check(config.includes('count: "${INFERCOST_SHARD_COUNT}"'), "shard.count reads the variable");
check(!container.image.startsWith("localhost/"), `image from a registry (${container.image})`);

const rules = objects.filter((o) => o.kind === "PrometheusRule").flatMap((o) => o.spec.groups);
check(rules.length > 0, `${rules.length} rule groups`);
writeFileSync(rulesOut, stringify({ groups: rules }, { lineWidth: 0 }));

if (failures.length > 0) {
  for (const failure of failures) console.error(`FAILED: ${failure}`);
  process.exit(1);
}
