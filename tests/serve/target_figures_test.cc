// The per-target figures (serve/target_figures.h), table-driven: snapshots built by hand, no
// engine, no threads, no clock. Expected values are worked out in the comments.
#include "serve/target_figures.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace infercost {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// A window: `ok` successes and `failed` 5xx, each taking `latency` and sent `lag` late.
loadgen::Interval Window(uint64_t ok, uint64_t failed, milliseconds latency,
                         milliseconds lag = milliseconds(0), uint64_t dropped = 0) {
  loadgen::Interval w;
  const loadgen::Clock::time_point t0{};
  for (uint64_t i = 0; i < ok + failed; ++i) {
    loadgen::RequestRecord r;
    r.scheduled_at = t0;
    r.sent_at = t0 + lag;
    r.done_at = t0 + latency;
    r.outcome = i < ok ? loadgen::Outcome::kOk : loadgen::Outcome::kHttp5xx;
    r.http_status = i < ok ? 200 : 500;
    w.Add(r);
  }
  w.dropped = dropped;
  return w;
}

// What TargetStats::Snapshot reads off the window for the service (MakeStatsOptions): its
// latency at kLatencyQuantiles and schedule lag at kLagQuantile.
const loadgen::StatsSnapshot& Summarized(loadgen::StatsSnapshot& snap) {
  static const loadgen::SparseCounts kNothing;
  snap.window.latency.Summarize(kLatencyQuantiles, kNothing, 0, 1, 0, &snap.window_latency);
  const std::array<double, 1> lag_quantile = {kLagQuantile};
  snap.window.lag.Summarize(lag_quantile, kNothing, 0, 1, 0, &snap.window_lag);
  return snap;
}

ResolvedPricing Priced(PricingSpec spec) {
  ResolveResult resolved = Resolve(spec, BuiltinCatalog());
  EXPECT_TRUE(resolved.pricing.has_value()) << resolved.error;
  return *resolved.pricing;
}

// $3.60 an hour: $0.001 a second.
ResolvedPricing Hourly() {
  PricingSpec spec;
  spec.model = PricingModel::kHourly;
  spec.usd_per_hour = 3.6;
  return Priced(spec);
}

// $0.001 a request, nothing by the hour.
ResolvedPricing PerRequest() {
  PricingSpec spec;
  spec.model = PricingModel::kPerRequest;
  spec.usd_per_request = 0.001;
  return Priced(spec);
}

loadgen::Stage Closed(int concurrency) {
  loadgen::Stage s;
  s.kind = loadgen::Stage::Kind::kClosed;
  s.concurrency = concurrency;
  return s;
}

struct Case {
  std::string name;
  loadgen::Interval window;
  std::chrono::nanoseconds span;  // what the window covers, wall clock
  loadgen::Stage stage;
  bool load_active = true;
  ResolvedPricing pricing;
  FigureSettings settings;
  double worker_cpu_share = 0.1;
  TargetLedger ledger;  // before the tick
  // Expected.
  double ips = 0;
  double error_ratio = 0;
  std::optional<double> p95_seconds;
  std::optional<double> capacity_ips;
  std::optional<double> observed_usd_per_million;
  std::optional<double> capacity_usd_per_million;
  double time_usd_increment = 0;
  double request_usd_increment = 0;
  bool spend_limit_reached = false;
  std::string load_state;
  double offered_concurrency = 0;
  std::vector<std::string> invalid_reasons;
};

std::vector<Case> Cases() {
  std::vector<Case> cases;
  {
    // A full 60 s window: 600 successes of 100 ms, one request outstanding.
    // ips = 600 / 60 s = 10; p95 = 0.100 s; healthy, so capacity = 10 IPS.
    // observed: $0.001/s x 60 s = $0.06 over 600 inferences = $100 per 1M;
    // capacity: $3.60/h / (10 IPS x 3600 s) = $0.0001 an inference = $100 per 1M.
    // Spend over the 1 s tick: $0.001 of time, nothing per request.
    Case c;
    c.name = "full_window";
    c.window = Window(600, 0, milliseconds(100));
    c.span = seconds(60);
    c.stage = Closed(1);
    c.pricing = Hourly();
    c.ips = 10;
    c.p95_seconds = 0.1;
    c.capacity_ips = 10;
    c.observed_usd_per_million = 100;
    c.capacity_usd_per_million = 100;
    c.time_usd_increment = 0.001;
    c.load_state = "running";
    c.offered_concurrency = 1;
    cases.push_back(c);
  }
  {
    // Half a window (30 s of 60 s; full needs min(0.9 x 60, 60 - 2 x 1) = 54 s): 270 successes
    // and 30 failures, sent 20 ms late, 5 arrivals dropped, a worker at 95 % of a core.
    // ips = 270 / 30 = 9; error ratio = 30 / 300 = 0.1; no capacity (the window is not full).
    // observed: $0.001 x 30 s = $0.03 over 270 = $111.11 per 1M. Every rule says why invalid.
    Case c;
    c.name = "untrusted_window";
    c.window = Window(270, 30, milliseconds(100), milliseconds(20), 5);
    c.span = seconds(30);
    c.stage = Closed(4);
    c.pricing = Hourly();
    c.worker_cpu_share = 0.95;
    c.ips = 9;
    c.error_ratio = 0.1;
    c.p95_seconds = 0.1;
    c.observed_usd_per_million = 0.03 / 270 * 1e6;
    c.time_usd_increment = 0.001;
    c.load_state = "running";
    c.offered_concurrency = 4;
    c.invalid_reasons = {"window not full yet (30s of 60s)",
                         "schedule lag p99 20.0 ms is over 10 ms",
                         "5 arrivals dropped at the in-flight cap",
                         "generator CPU-bound (95% of a core per worker)"};
    cases.push_back(c);
  }
  {
    // Time scale 10 (the emulated fleet under --time-scale 10): a 6 s wall window is 60 s on
    // the target's clock, a 10 ms wall latency is 100 ms. 600 successes: ips = 600 / 60 = 10.
    // The 1 s wall tick is 10 s of target time: $0.001 x 10 = $0.01.
    Case c;
    c.name = "time_scaled";
    c.window = Window(600, 0, milliseconds(10));
    c.span = seconds(6);
    c.stage = Closed(1);
    c.pricing = Hourly();
    c.settings.window = seconds(6);
    c.settings.tick = milliseconds(100);
    c.settings.time_scale = 10;
    c.ips = 10;
    c.p95_seconds = 0.1;
    c.capacity_ips = 10;
    c.observed_usd_per_million = 100;
    c.capacity_usd_per_million = 100;
    c.time_usd_increment = 0.01;
    c.load_state = "running";
    c.offered_concurrency = 1;
    cases.push_back(c);
  }
  {
    // $0.001 a request, a $0.05 limit, $0.00 spent so far: this tick's 60 requests cost $0.06,
    // which reaches the limit; the load stops (offered 0) and the state says so.
    // observed: $0.06 over 60 = $1000 per 1M; capacity 60 / 60 s = 1 IPS, $1000 per 1M too.
    Case c;
    c.name = "spend_limit";
    c.window = Window(60, 0, milliseconds(100));
    c.span = seconds(60);
    c.stage = Closed(1);
    c.pricing = PerRequest();
    c.settings.spend_limit_usd = 0.05;
    c.ips = 1;
    c.p95_seconds = 0.1;
    c.capacity_ips = 1;
    c.observed_usd_per_million = 1000;
    c.capacity_usd_per_million = 1000;
    c.request_usd_increment = 0.06;
    c.spend_limit_reached = true;
    c.load_state = "spend limit reached";
    cases.push_back(c);
  }
  {
    // SageMaker Serverless, 1024 MB: 60 requests of 100 ms (billed from latency) that sent 1 GB
    // (2^30 bytes) of bodies. Duration 60 x 0.1 s x 1 GB x $0.00002 = $0.00012, data in
    // 1 GB x $0.016: the tick's request spend is $0.01612, as the window's figure counts it
    // ($0.01612 / 60 = $268.667 per 1M), so that the spend counter's rate agrees with the gauge.
    Case c;
    c.name = "sagemaker_serverless_data_processed";
    c.window = Window(60, 0, milliseconds(100));
    // As the engine counts it: in total and per billing class (the cost model bills data
    // processed by class, the ok requests here).
    c.window.bytes_sent = 1ULL << 30;
    c.window.by_billing_class[static_cast<std::size_t>(loadgen::BillingClass::kOk)].bytes_sent =
        1ULL << 30;
    c.span = seconds(60);
    c.stage = Closed(1);
    PricingSpec spec;
    spec.model = PricingModel::kSageMakerServerless;
    spec.memory_mb = 1024;
    c.pricing = Priced(spec);
    c.ips = 1;
    c.p95_seconds = 0.1;
    c.capacity_ips = 1;
    c.observed_usd_per_million = 268.667;
    c.capacity_usd_per_million = 268.667;
    c.request_usd_increment = 0.01612;
    c.load_state = "running";
    c.offered_concurrency = 1;
    cases.push_back(c);
  }
  {
    // An idle stage with nothing in the window: no rates, no latency, no cost per inference
    // (there is none to divide by), but the hour still costs $0.001 a second.
    Case c;
    c.name = "idle";
    c.window = Window(0, 0, milliseconds(0));
    c.span = seconds(60);
    c.stage.kind = loadgen::Stage::Kind::kIdle;
    c.load_active = false;
    c.pricing = Hourly();
    c.time_usd_increment = 0.001;
    c.load_state = "idle stage";
    cases.push_back(c);
  }
  return cases;
}

void ExpectNear(const std::optional<double>& actual, const std::optional<double>& expected,
                const std::string& what) {
  ASSERT_EQ(actual.has_value(), expected.has_value()) << what;
  if (expected) {
    EXPECT_NEAR(*actual, *expected, 1e-3 * *expected) << what;
  }
}

TEST(TargetFigures, Table) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    loadgen::StatsSnapshot snap;
    snap.window = c.window;
    snap.total = c.window;  // everything happened since the last tick
    snap.window_span = c.span;
    snap.stage_index = 0;
    snap.stage = c.stage;
    snap.load_active = c.load_active;
    const loadgen::Interval before;
    FigureInputs in;
    in.snapshot = &Summarized(snap);
    in.previous_total = &before;
    in.pricing = &c.pricing;
    in.settings = c.settings;
    in.since_last_tick_seconds = 1;
    in.worker_cpu_share = c.worker_cpu_share;
    TargetLedger ledger = c.ledger;
    const TargetFigures f = ComputeTargetFigures(in, &ledger);
    EXPECT_NEAR(f.ips, c.ips, 1e-9);
    EXPECT_NEAR(f.error_ratio, c.error_ratio, 1e-9);
    ExpectNear(f.p95_seconds(), c.p95_seconds, "p95");
    ExpectNear(f.capacity_ips, c.capacity_ips, "capacity");
    ExpectNear(f.usd_per_million_observed, c.observed_usd_per_million, "observed");
    ExpectNear(f.usd_per_million_capacity, c.capacity_usd_per_million, "capacity cost");
    EXPECT_NEAR(f.time_usd_increment, c.time_usd_increment, 1e-12);
    EXPECT_NEAR(f.request_usd_increment, c.request_usd_increment, 1e-12);
    EXPECT_NEAR(f.spend_usd, c.time_usd_increment + c.request_usd_increment, 1e-12);
    EXPECT_NEAR(ledger.spend_usd, f.spend_usd, 1e-12);
    EXPECT_NEAR(ledger.test_spend_usd, c.request_usd_increment, 1e-12);
    EXPECT_EQ(f.spend_limit_reached, c.spend_limit_reached);
    EXPECT_EQ(ledger.spend_limited, c.spend_limit_reached);
    EXPECT_EQ(f.load_state, c.load_state);
    EXPECT_EQ(f.offered_concurrency, c.offered_concurrency);
    EXPECT_EQ(f.invalid_reasons, c.invalid_reasons);
    EXPECT_EQ(f.valid, c.invalid_reasons.empty());
    EXPECT_EQ(f.requests_total, c.window.Requests());
  }
}

// A loaded closed loop whose 60 s window (and total) holds 600 successes of 100 ms.
loadgen::StatsSnapshot SixHundredOk() {
  loadgen::StatsSnapshot snap;
  snap.window = Window(600, 0, milliseconds(100));
  snap.total = snap.window;
  snap.window_span = seconds(60);
  snap.stage_index = 0;
  snap.stage = Closed(1);
  snap.load_active = true;
  return snap;
}

// The ledger carries capacity and spend across ticks: a later unhealthy window does not lower
// the capacity, and a limit already reached is not reported again.
TEST(TargetFigures, LedgerCarriesAcrossTicks) {
  loadgen::StatsSnapshot snap = SixHundredOk();
  const loadgen::Interval before;
  const ResolvedPricing pricing = PerRequest();
  FigureInputs in;
  in.snapshot = &Summarized(snap);
  in.previous_total = &before;
  in.pricing = &pricing;
  in.since_last_tick_seconds = 1;
  in.settings.spend_limit_usd = 0.5;
  TargetLedger ledger;
  // Tick 1: 600 requests x $0.001 = $0.60 >= $0.50: reached now. Capacity 10 IPS.
  EXPECT_TRUE(ComputeTargetFigures(in, &ledger).spend_limit_reached);
  EXPECT_NEAR(ledger.test_spend_usd, 0.6, 1e-12);
  // Tick 2: the same totals again (no new requests), but a window of 50 % errors: not healthy.
  const loadgen::Interval after = snap.total;
  in.previous_total = &after;
  snap.window = Window(300, 300, milliseconds(100));
  Summarized(snap);
  const TargetFigures f = ComputeTargetFigures(in, &ledger);
  EXPECT_FALSE(f.spend_limit_reached);
  EXPECT_EQ(f.load_state, "spend limit reached");
  EXPECT_FALSE(f.load_active);
  EXPECT_NEAR(f.request_usd_increment, 0, 1e-12);
  ASSERT_TRUE(f.capacity_ips.has_value());
  EXPECT_NEAR(*f.capacity_ips, 10, 1e-9);
}

// A server that slows to a third after 60 s ("credits exhausted"), closed loop at concurrency 2,
// on an injected clock: 1 s ticks, a 10 s window. Each tick's window holds the successes of the
// last 10 s: 30 per second before the slowdown, 10 after. Capacity windows are disjoint (at
// 10, 20, ... s): the one ending at 60 s is 30 IPS; those ending at 70 and 80 s are 10 IPS, under
// 80 % of 30 at the same concurrency: the second re-learns capacity to 10, within two windows.
TEST(TargetFigures, CapacityFollowsASlowdownWithinTwoWindows) {
  PricingSpec spec;
  spec.model = PricingModel::kInstance;
  spec.instance_type = "t3.medium";
  const ResolvedPricing pricing = Priced(spec);
  const loadgen::Interval nothing;
  TargetLedger ledger;
  auto per_second = [](int t) { return t <= 60 ? 30 : 10; };
  std::optional<double> at_60, at_80;
  for (int t = 1; t <= 80; ++t) {
    uint64_t ok = 0;
    for (int s = std::max(1, t - 9); s <= t; ++s) ok += per_second(s);
    loadgen::StatsSnapshot snap;
    // Latency = concurrency / rate: 2 / 30 s, then 2 / 10 s (Little's law).
    snap.window = Window(ok, 0, milliseconds(per_second(t) == 30 ? 67 : 200));
    snap.total = snap.window;
    snap.window_span = seconds(std::min(t, 10));
    snap.stage_index = 0;
    snap.stage = Closed(2);
    snap.load_active = true;
    FigureInputs in;
    in.snapshot = &Summarized(snap);
    in.previous_total = &nothing;
    in.pricing = &pricing;
    in.settings.window = seconds(10);
    in.since_last_tick_seconds = 1;
    const TargetFigures f = ComputeTargetFigures(in, &ledger);
    if (t == 60) at_60 = f.capacity_ips;
    if (t == 80) at_80 = f.capacity_ips;
    if (t == 80) {
      EXPECT_EQ(f.capacity_relearned_down, 1u);
      EXPECT_NE(f.capacity_method.find("re-learned downward"), std::string::npos);
    }
  }
  ASSERT_TRUE(at_60.has_value());
  EXPECT_NEAR(*at_60, 30, 0.3);  // within 1 %
  ASSERT_TRUE(at_80.has_value());
  EXPECT_NEAR(*at_80, 10, 0.1);  // within 1 %, two windows after the slowdown
}

// The line items' spend goes to the ledger tick by tick, and the per-request ones count against
// the spend limit: $3.60/h with 1 public IPv4 address ($0.005/h) and 1000 B of CloudWatch Logs
// per request, one 10 s tick of 600 requests:
//   public_ipv4 = 0.005 x 10 / 3600 = $0.0000138889; logs = 600 x 1000 / 2^30 x $0.50 =
//   $0.000279397; time = 3.6 x 10 / 3600 = $0.01; the test's own spend = logs only.
TEST(TargetFigures, LineItemsReachTheLedger) {
  loadgen::StatsSnapshot snap = SixHundredOk();
  const loadgen::Interval before;
  PricingSpec spec;
  spec.model = PricingModel::kHourly;
  spec.usd_per_hour = 3.6;
  spec.public_ipv4 = 1;
  spec.cloudwatch_logs_bytes_per_request = 1000;
  const ResolvedPricing pricing = Priced(spec);
  FigureInputs in;
  in.snapshot = &Summarized(snap);
  in.previous_total = &before;
  in.pricing = &pricing;
  in.since_last_tick_seconds = 10;
  TargetLedger ledger;
  const TargetFigures f = ComputeTargetFigures(in, &ledger);
  const double ipv4 = 0.005 * 10 / 3600;
  const double logs = 600 * 1000 / 1073741824.0 * 0.5;
  EXPECT_NEAR(f.line_item_usd_increment[static_cast<std::size_t>(LineItem::kPublicIpv4)], ipv4,
              1e-15);
  EXPECT_NEAR(f.line_item_usd_increment[static_cast<std::size_t>(LineItem::kLogs)], logs, 1e-15);
  EXPECT_NEAR(ledger.spend_usd, 0.01 + ipv4 + logs, 1e-12);
  EXPECT_NEAR(ledger.test_spend_usd, logs, 1e-15);
}

}  // namespace
}  // namespace infercost
