// The landing page at `/`: links to the endpoints and a live table of every target, filled from
// /api/v1/targets every two seconds. Self-contained (no external scripts or fonts).
namespace infercost {

extern const char kLandingPage[];
const char kLandingPage[] = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>infercost</title>
<style>
  :root { --fg:#1d232b; --muted:#5b6675; --line:#dde2e8; --bg:#f6f8fa; --good:#1a7f37;
          --bad:#b42318; --warn:#9a6700; --accent:#0b5cad; }
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
         margin: 0; background: #fff; }
  header { padding: 18px 28px 10px; border-bottom: 1px solid var(--line); background: var(--bg); }
  h1 { font-size: 20px; margin: 0 0 4px; }
  header p { margin: 0; color: var(--muted); }
  nav a { margin-right: 14px; color: var(--accent); text-decoration: none; }
  nav { margin-top: 8px; }
  main { padding: 18px 28px; }
  table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
  th, td { padding: 7px 10px; border-bottom: 1px solid var(--line); text-align: right;
           white-space: nowrap; }
  th { font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase;
       letter-spacing: .03em; background: var(--bg); }
  td.name, th.name { text-align: left; }
  td.name b { display: block; }
  td.name span { color: var(--muted); font-size: 12px; }
  tr.best td.cost { color: var(--good); font-weight: 700; }
  .ok { color: var(--good); } .bad { color: var(--bad); } .warn { color: var(--warn); }
  .muted { color: var(--muted); }
  .reasons { white-space: normal; text-align: left; font-size: 12px; max-width: 260px; }
  #status { color: var(--muted); margin: 10px 0 0; font-size: 12px; }
  .summary { margin: 0 0 14px; font-size: 15px; }
</style>
</head>
<body>
<header>
  <h1>infercost</h1>
  <p>What each inference target costs per 1M successful inferences, measured live.</p>
  <nav><a href="/metrics">/metrics</a><a href="/api/v1/targets">/api/v1/targets</a><a
    href="/-/healthy">/-/healthy</a><a href="/-/ready">/-/ready</a></nav>
</header>
<main>
  <p class="summary" id="summary">Waiting for the first figures&hellip;</p>
  <table id="targets">
    <thead><tr>
      <th class="name">Target</th><th>Load</th><th>IPS</th><th>p50</th><th>p95</th><th>p99</th>
      <th>Errors</th><th>$/1M observed</th><th>$/1M capacity</th><th>Capacity IPS</th>
      <th>Concurrency eff. / offered</th><th>Cold starts</th><th>Spend</th><th>Window</th>
    </tr></thead>
    <tbody></tbody>
  </table>
  <p id="status"></p>
</main>
<script>
"use strict";
const ms = s => s == null ? "–" : (s * 1000 >= 100 ? (s * 1000).toFixed(0) : (s * 1000).toFixed(1)) + " ms";
const usd = v => v == null ? "–" : "$" + (v >= 0.01 || v === 0 ? v.toFixed(2) : v.toPrecision(2));
const num = (v, d) => v == null ? "–" : v.toFixed(d);
function cell(text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}
function render(doc) {
  const rows = doc.targets.slice();
  const costOf = t => t.cost_per_million_inferences_usd.capacity ?? t.cost_per_million_inferences_usd.observed;
  rows.sort((a, b) => (costOf(a) ?? Infinity) - (costOf(b) ?? Infinity));
  const body = document.querySelector("#targets tbody");
  body.replaceChildren();
  rows.forEach((t, i) => {
    const tr = document.createElement("tr");
    tr.dataset.target = t.name;
    if (i === 0 && costOf(t) != null) tr.className = "best";
    const name = document.createElement("td");
    name.className = "name";
    const b = document.createElement("b"); b.textContent = t.name;
    const sub = document.createElement("span");
    sub.textContent = [t.platform, t.instance_type || t.pricing_model].filter(Boolean).join(" · ");
    name.append(b, sub);
    tr.append(name);
    tr.append(cell(t.load_state, t.load_active ? "ok" : "muted"));
    tr.append(cell(num(t.inferences_per_second, 2), "ips"));
    tr.append(cell(ms(t.latency_seconds.p50), "p50"));
    tr.append(cell(ms(t.latency_seconds.p95), "p95"));
    tr.append(cell(ms(t.latency_seconds.p99), "p99"));
    tr.append(cell((t.error_ratio * 100).toFixed(1) + " %", t.error_ratio > 0.01 ? "bad" : ""));
    const observed = cell(usd(t.cost_per_million_inferences_usd.observed), "cost observed");
    if (t.cost_note) observed.title = t.cost_note;
    tr.append(observed);
    tr.append(cell(usd(t.cost_per_million_inferences_usd.capacity), "cost capacity"));
    tr.append(cell(num(t.capacity_inferences_per_second, 2)));
    const offered = t.offered_rate > 0 ? t.offered_rate.toFixed(1) + "/s" : num(t.offered_concurrency, 0);
    tr.append(cell(num(t.effective_concurrency, 1) + " / " + offered, "eff"));
    tr.append(cell(String(t.cold_starts_total)));
    tr.append(cell(usd(t.spend_usd)));
    const valid = cell(t.measurement_valid ? "valid" : "invalid: " + t.invalid_reasons.join("; "),
                       "reasons " + (t.measurement_valid ? "ok" : "warn"));
    tr.append(valid);
    body.append(tr);
  });
  const best = rows.find(t => costOf(t) != null);
  document.getElementById("summary").textContent = best
    ? `Cheapest now: ${best.name} at ${usd(costOf(best))} per 1M inferences ` +
      `(${best.cost_per_million_inferences_usd.capacity != null ? "at capacity" : "observed"}), ` +
      `${rows.length} targets.`
    : `${rows.length} targets; no cost figure yet (no successful inferences in the window).`;
  document.getElementById("status").textContent = "Updated " + new Date().toLocaleTimeString();
}
async function refresh() {
  try {
    const response = await fetch("/api/v1/targets", {cache: "no-store"});
    if (!response.ok) throw new Error("HTTP " + response.status);
    render(await response.json());
  } catch (e) {
    document.getElementById("status").textContent = "Cannot reach /api/v1/targets: " + e.message;
  }
}
refresh();
setInterval(refresh, 2000);
</script>
</body>
</html>
)html";

}  // namespace infercost
