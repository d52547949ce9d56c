// The landing page at `/`: links to the endpoints and a live table of every target, filled from
// /api/v1/targets every two seconds. Self-contained (no external scripts, styles or fonts), so it
// works behind a proxy and offline. Every absent figure says why in a numbered note under the
// table, and every invalid window lists its reasons in its row: a figure is never silently blank.
// tests/serve/page_test.py reads the row of each target (tr[data-target]) and its cells td.ips,
// td.p95 and td.cost.observed: keep those names.
namespace infercost {

extern const char kLandingPage[];
const char kLandingPage[] = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>infercost</title>
<style>
  :root { --fg:#1d232b; --muted:#5b6675; --line:#e3e7ec; --bg:#f6f8fa; --good:#1a7f37;
          --good-bg:#e6f4ea; --bad:#b42318; --warn:#8a5a00; --warn-bg:#fff4d6; --accent:#0b5cad; }
  * { box-sizing: border-box; }
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
         margin: 0; background: #fff; }
  header { display: flex; align-items: baseline; gap: 24px; flex-wrap: wrap;
           padding: 14px 28px; border-bottom: 1px solid var(--line); background: var(--bg); }
  h1 { font-size: 20px; margin: 0; }
  header p { margin: 0; color: var(--muted); flex: 1; }
  nav a { margin-left: 16px; color: var(--accent); text-decoration: none; }
  nav a:hover { text-decoration: underline; }
  main { padding: 16px 28px 28px; }
  .headline { display: flex; gap: 36px; align-items: baseline; flex-wrap: wrap; margin: 0 0 14px; }
  .headline .figure { font-size: 22px; font-weight: 650; }
  .headline .label { color: var(--muted); font-size: 12px; text-transform: uppercase;
                     letter-spacing: .04em; display: block; }
  .headline .what { color: var(--muted); }
  .headline .alert { color: var(--warn); }
  table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
  th, td { padding: 6px 8px; text-align: right; vertical-align: top; white-space: nowrap; }
  td { border-bottom: 1px solid var(--line); }
  thead th { font-weight: 600; color: var(--muted); font-size: 12px; background: var(--bg);
             vertical-align: bottom; }
  thead tr.groups th { border-bottom: 1px solid var(--line); text-align: center; }
  thead tr.groups th[rowspan] { text-align: right; }
  thead tr.groups th.name, thead tr.groups th.left, thead tr.groups th.window {
    text-align: left; }
  thead tr:last-child th { border-bottom: 2px solid var(--line); }
  th.sep, td.sep { border-left: 1px solid var(--line); }
  td.name, td.window, td.load { text-align: left; }
  td.name b { display: block; font-size: 14.5px; }
  small, .sub { display: block; color: var(--muted); font-size: 11.5px; font-weight: normal; }
  td small { white-space: normal; max-width: 160px; margin-left: auto; }
  td.window small { margin-left: 0; }
  tbody tr { border-left: 4px solid transparent; }
  tbody tr.valid { border-left-color: #9bd3a9; }
  tbody tr.invalid { border-left-color: #f0c44c; }
  td.best { color: var(--good); font-weight: 700; }
  td.best .v::after { content: " ★"; font-size: 11px; }
  .absent { color: var(--muted); }
  sup.ref { color: var(--accent); font-size: 10px; margin-left: 2px; font-weight: normal; }
  .bad { color: var(--bad); }
  .over { color: var(--bad); font-weight: 600; }
  .badge { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 11.5px;
           font-weight: 600; }
  .badge.ok { background: var(--good-bg); color: var(--good); }
  .badge.warn { background: var(--warn-bg); color: var(--warn); }
  .dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%; margin-right: 5px; }
  .dot.on { background: var(--good); } .dot.off { background: #aab2bd; }
  .dot.stop { background: var(--bad); }
  td.window ul { margin: 2px 0 0; padding: 0 0 0 14px; white-space: normal; font-size: 11.5px;
                 color: var(--warn); min-width: 190px; }
  tr.placeholder td { text-align: left; color: var(--muted); padding: 14px 9px; }
  #notes { margin: 12px 0 0; padding-left: 22px; font-size: 12.5px; color: var(--fg); }
  #notes li { margin: 2px 0; }
  #notes li b { font-weight: 600; }
  #notes li .who { color: var(--muted); }
  .legend { display: grid; grid-template-columns: repeat(auto-fit, minmax(330px, 1fr));
            gap: 4px 28px; margin: 16px 0 0; padding: 12px 0 0; border-top: 1px solid var(--line);
            color: var(--muted); font-size: 12px; }
  .legend b { color: var(--fg); font-weight: 600; }
  #status { color: var(--muted); margin: 12px 0 0; font-size: 12px; }
  #status.error { color: var(--bad); }
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
  <div class="headline" id="summary"><span class="what">Waiting for the first figures&hellip;</span></div>
  <table id="targets">
    <thead>
      <tr class="groups">
        <th class="name" rowspan="2">Target</th><th class="left" rowspan="2">Load</th>
        <th class="sep" colspan="2">Inferences / s</th>
        <th class="sep" colspan="3">Latency</th>
        <th class="sep" rowspan="2">Errors</th>
        <th class="sep" colspan="2">$ per 1M inferences</th>
        <th class="sep" rowspan="2">Concurrency<small>effective / offered</small></th>
        <th rowspan="2">Cold<br>starts</th><th rowspan="2">Spend<small>since start</small></th>
        <th class="sep window" rowspan="2">Window</th>
      </tr>
      <tr>
        <th class="sep">now</th><th>capacity</th>
        <th class="sep">p50</th><th>p95</th><th>p99</th>
        <th class="sep">observed</th><th>at capacity</th>
      </tr>
    </thead>
    <tbody><tr class="placeholder"><td colspan="14">Waiting for /api/v1/targets&hellip;</td></tr></tbody>
  </table>
  <ol id="notes"></ol>
  <div class="legend">
    <div><b>Inferences / s</b>: successful inferences per second over the window; <b>capacity</b>
      is the highest seen over a full window with under 1 % errors (and p95 within the SLO when
      one is set).</div>
    <div><b>$ per 1M observed</b>: the window's estimated spend over its successful inferences, at
      the load offered now. <b>At capacity</b>: the same at the capacity IPS, the best case and the
      figure to compare targets by (&#9733; marks the cheapest of each).</div>
    <div><b>Concurrency</b>: requests the target really held at once (IPS &times; mean latency,
      Little's law) against what the schedule offers (clients, or a rate per second).</div>
    <div><b>Window</b>: invalid when it is not full yet, the generator sent late (p99 schedule
      lag over 10 ms), dropped open-loop arrivals, or was CPU-bound; its figures are shown but
      not to be trusted.</div>
  </div>
  <p id="status"></p>
</main>
<script>
"use strict";
const DASH = "\u2013";
// Presentation only; the JSON carries unrounded values.
function ms(s) {
  if (s == null) return null;
  const v = s * 1000;
  if (v >= 10000) return (v / 1000).toFixed(1) + " s";
  if (v >= 100) return v.toFixed(0) + " ms";
  if (v >= 1) return v.toFixed(1) + " ms";
  return v.toFixed(2) + " ms";
}
// $/1M: two decimals, two significant digits below one cent (as the bench summary prints).
const usd = v => v == null ? null : "$" + (v >= 0.01 || v === 0 ? v.toFixed(2) : v.toPrecision(2));
// Spend: small sums keep three significant digits, so that they visibly grow.
const spend = v => v >= 1 || v === 0 ? "$" + v.toFixed(2) : "$" + v.toPrecision(3);
function rate(v) {
  if (v == null) return null;
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}
function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text != null) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

// Notes under the table: one per distinct reason, listing the figures and targets it covers.
class Notes {
  constructor() { this.byText = new Map(); }
  ref(text, figure, target, kind = "absent") {
    const key = kind + "\n" + text;
    let n = this.byText.get(key);
    if (!n) {
      n = {number: this.byText.size + 1, text, kind, figures: new Set(), targets: new Set()};
      this.byText.set(key, n);
    }
    n.figures.add(figure);
    n.targets.add(target);
    return n.number;
  }
  render(list, total) {
    list.replaceChildren();
    for (const n of this.byText.values()) {
      const li = el("li");
      li.value = n.number;
      const who = n.targets.size === total && total > 1 ? "all targets"
                                                        : [...n.targets].join(", ");
      const figures = [...n.figures].join(" and ");
      li.append(el("b", figures.charAt(0).toUpperCase() + figures.slice(1) + " " + n.kind),
                el("span", " (" + who + "): ", "who"), el("span", n.text));
      list.append(li);
    }
  }
}

// A figure cell: the value, or a dash with a note number that says why it is absent.
function figure(cls, value, absentWhy, notes, name, label) {
  const td = el("td", null, cls);
  if (value != null) {
    td.append(el("span", value, "v"));
  } else {
    td.classList.add("absent");
    td.append(el("span", DASH, "v"));
    if (absentWhy) {
      td.title = absentWhy;
      td.append(el("sup", String(notes.ref(absentWhy, label, name)), "ref"));
    }
  }
  return td;
}

function describePricing(p) {
  if (!p) return "";
  const parts = [];
  const perHour = v => "$" + (v >= 0.1 ? v.toFixed(3) : v.toPrecision(3)) + "/h";
  if (p.model === "instance") {
    parts.push((p.count > 1 ? p.count + " \u00d7 " : "") + p.instance_type, perHour(p.usd_per_hour));
  } else if (p.model === "lambda") {
    parts.push("Lambda " + p.memory_mb + " MB " + p.architecture);
    if (p.provisioned_concurrency > 0) parts.push(p.provisioned_concurrency + " provisioned");
  } else if (p.model === "hourly") {
    parts.push(perHour(p.usd_per_hour));
  } else {
    parts.push("$" + (p.usd_per_request * 1e6).toPrecision(3) + " per 1M requests");
  }
  if (p.api_gateway && p.api_gateway !== "none") parts.push(p.api_gateway.toUpperCase() + " API");
  if (p.price_basis && p.price_basis !== "on_demand") parts.push(p.price_basis.replace("_", " "));
  return parts.join(" \u00b7 ");
}

function render(doc) {
  const rows = doc.targets.slice();
  const capacityCost = t => t.cost_per_million_inferences_usd.capacity;
  const observedCost = t => t.cost_per_million_inferences_usd.observed;
  // Rank on one basis at a time: capacity first (comparable across targets), then observed.
  rows.sort((a, b) => (capacityCost(a) ?? Infinity) - (capacityCost(b) ?? Infinity) ||
                      (observedCost(a) ?? Infinity) - (observedCost(b) ?? Infinity) ||
                      a.name.localeCompare(b.name));
  const cheapest = f => rows.filter(t => f(t) != null).sort((a, b) => f(a) - f(b))[0];
  const bestCapacity = cheapest(capacityCost), bestObserved = cheapest(observedCost);
  const notes = new Notes();
  const body = document.querySelector("#targets tbody");
  body.replaceChildren();
  if (rows.length === 0) {
    const tr = el("tr", null, "placeholder");
    const td = el("td", "No targets are configured.");
    td.colSpan = 14;
    tr.append(td);
    body.append(tr);
  }
  for (const t of rows) {
    const tr = el("tr", null, t.measurement_valid ? "valid" : "invalid");
    tr.dataset.target = t.name;
    const name = el("td", null, "name");
    name.append(el("b", t.name), el("span", describePricing(t.pricing), "sub"));
    name.title = t.url;
    tr.append(name);

    const load = el("td", null, "load");
    load.append(el("span", null, "dot " + (t.load_active ? "on" : t.load_state === "spend limit reached" ? "stop" : "off")),
                el("span", t.load_state));
    tr.append(load);

    const noRequests = "no finished requests in the window";
    tr.append(figure("ips sep", rate(t.inferences_per_second), null, notes, t.name, "IPS"));
    tr.append(figure("capacity-ips", rate(t.capacity_inferences_per_second),
                     t.capacity_cost_note || "capacity not known yet", notes, t.name,
                     "capacity IPS"));
    const lat = t.latency_seconds;
    tr.append(figure("p50 sep", ms(lat.p50), noRequests, notes, t.name, "latency"));
    tr.append(figure("p95", ms(lat.p95), noRequests, notes, t.name, "latency"));
    tr.append(figure("p99", ms(lat.p99), noRequests, notes, t.name, "latency"));

    const errors = el("td", null, "errors sep");
    errors.append(el("span", (t.error_ratio * 100).toFixed(1) + " %", "v"));
    const failed = Object.entries(t.window_outcomes || {}).filter(([k]) => k !== "ok")
                         .sort((a, b) => b[1] - a[1]);
    if (failed.length > 0) {
      errors.classList.toggle("bad", t.error_ratio > 0.01);
      errors.append(el("small", failed.slice(0, 2).map(([k, n]) => k + " " + n).join(" \u00b7 ")));
      errors.title = failed.map(([k, n]) => k + ": " + n).join("\n");
    }
    tr.append(errors);

    const observed = figure("cost observed sep", usd(observedCost(t)),
                            t.cost_note || "no figure in this window", notes, t.name,
                            "$/1M observed");
    if (observedCost(t) != null) {
      for (const caveat of t.cost_caveats || []) {
        observed.append(el("sup", String(notes.ref(caveat, "$/1M observed", t.name, "approximate")),
                           "ref"));
      }
      if (t === bestObserved && rows.length > 1) observed.classList.add("best");
    }
    if (t.budget_usd_per_million != null) {
      const over = observedCost(t) != null && observedCost(t) > t.budget_usd_per_million;
      observed.append(el("small", (over ? "over budget " : "budget ") + usd(t.budget_usd_per_million),
                         over ? "over" : null));
    }
    tr.append(observed);
    const capacity = figure("cost capacity", usd(capacityCost(t)),
                            t.capacity_cost_note || "capacity not known yet", notes, t.name,
                            "$/1M at capacity");
    if (t === bestCapacity && rows.length > 1) capacity.classList.add("best");
    tr.append(capacity);

    const offered = t.offered_rate > 0 ? rate(t.offered_rate) + "/s"
                  : t.offered_concurrency > 0 ? t.offered_concurrency.toFixed(0) : DASH;
    tr.append(el("td", t.effective_concurrency.toFixed(1) + " / " + offered, "eff sep"));
    tr.append(el("td", String(t.cold_starts_total), "cold"));

    const spent = el("td", null, "spend");
    spent.append(el("span", spend(t.spend_usd), "v"));
    if (t.spend_limit_usd != null) {
      spent.append(el("small", "limit " + usd(t.spend_limit_usd) + ", used " +
                               spend(t.test_spend_usd)));
    }
    tr.append(spent);

    const win = el("td", null, "window sep");
    win.append(el("span", t.measurement_valid ? "valid" : "invalid",
                  "badge " + (t.measurement_valid ? "ok" : "warn")));
    if (t.measurement_valid) {
      win.append(el("small", Math.round(t.window_length_seconds) + " s window"));
    } else {
      const reasons = el("ul");
      for (const r of t.invalid_reasons) reasons.append(el("li", r));
      win.append(reasons);
    }
    tr.append(win);
    body.append(tr);
  }
  notes.render(document.getElementById("notes"), rows.length);

  const summary = document.getElementById("summary");
  summary.replaceChildren();
  const block = (label, t, f, basis) => {
    const d = el("div");
    d.append(el("span", label, "label"));
    if (t) {
      d.append(el("span", t.name + "  " + usd(f(t)), "figure"),
               el("span", " per 1M inferences, " + basis, "what"));
      if (!t.measurement_valid) d.append(el("span", " (from an invalid window)", "alert"));
    } else {
      d.append(el("span", DASH, "figure"), el("span", " none yet (see the notes below)", "what"));
    }
    return d;
  };
  if (rows.length > 0) {
    summary.append(block("Cheapest at capacity", bestCapacity, capacityCost, "at its capacity IPS"),
                   block("Cheapest at the offered load", bestObserved, observedCost, "observed"));
    const invalid = rows.filter(t => !t.measurement_valid).length;
    const d = el("div");
    d.append(el("span", "Windows", "label"));
    d.append(invalid === 0 ? el("span", "all " + rows.length + " valid", "what")
                           : el("span", invalid + " of " + rows.length + " invalid: figures flagged, see Window", "alert"));
    summary.append(d);
  } else {
    summary.append(el("span", "No targets are configured.", "what"));
  }
  const status = document.getElementById("status");
  status.className = "";
  status.textContent = "Updated " + new Date().toLocaleTimeString() + "; refreshes every 2 s.";
}

let lastUpdate = null;
async function refresh() {
  try {
    const response = await fetch("/api/v1/targets", {cache: "no-store"});
    if (!response.ok) throw new Error("HTTP " + response.status);
    render(await response.json());
    lastUpdate = new Date();
  } catch (e) {
    const status = document.getElementById("status");
    status.className = "error";
    status.textContent = "Cannot reach /api/v1/targets (" + e.message + "); " +
        (lastUpdate ? "the figures are from " + lastUpdate.toLocaleTimeString() + "."
                    : "no figures yet.");
  }
}
refresh();
setInterval(refresh, 2000);
</script>
</body>
</html>
)html";

}  // namespace infercost
