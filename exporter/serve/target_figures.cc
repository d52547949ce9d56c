#include "serve/target_figures.h"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "config/usage.h"
#include "loadgen/outcome.h"

namespace infercost {
namespace {

double Seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

// Rates, outcomes and latency over the window, on the target's clock.
void WindowRates(const loadgen::StatsSnapshot& snap, double scale, TargetFigures& f) {
  const loadgen::Interval& w = snap.window;
  const double span = f.window_seconds;
  f.window_requests = w.Requests();
  f.ips = span > 0 ? static_cast<double>(w.Ok()) / span : 0;
  f.requests_per_second = span > 0 ? static_cast<double>(w.Requests()) / span : 0;
  f.error_ratio =
      w.Requests() > 0 ? 1.0 - static_cast<double>(w.Ok()) / static_cast<double>(w.Requests()) : 0;
  for (loadgen::Outcome o : loadgen::kAllOutcomes) {
    const uint64_t n = w.requests[static_cast<std::size_t>(o)];
    if (n > 0) f.outcomes.emplace_back(std::string(OutcomeName(o)), n);
  }
  const loadgen::QuantileSummary& latency = snap.window_latency;
  if (latency.count > 0 && latency.values_ns.size() == kLatencyQuantiles.size()) {
    for (std::size_t i = 0; i < kLatencyQuantiles.size(); ++i) {
      f.latency_quantiles_seconds[i] = scale * static_cast<double>(latency.values_ns[i]) / 1e9;
    }
    f.mean_latency_seconds = scale * latency.MeanNs() / 1e9;
  }
  f.latency_sum_seconds = scale * snap.total.duration_buckets.sum_seconds();
  f.effective_concurrency = f.requests_per_second * f.mean_latency_seconds;
  f.in_flight = snap.in_flight;
}

// What the schedule offers (the caller checked that one stage covered the whole window).
OfferedLoad StageOffer(const loadgen::Stage& stage) {
  if (stage.kind == loadgen::Stage::Kind::kClosed) {
    return {OfferedLoad::Kind::kClosed, static_cast<double>(stage.concurrency)};
  }
  if (stage.kind == loadgen::Stage::Kind::kOpen) return {OfferedLoad::Kind::kOpen, stage.rate};
  return {};
}

// Capacity: fed one full window at a time, each disjoint from the last (overlapping windows
// would count the same requests twice), with what was offered over it.
void Capacity(const loadgen::StatsSnapshot& snap, const FigureSettings& settings, double dt,
              TargetLedger& ledger, TargetFigures& f) {
  ledger.clock_seconds += dt;
  if (!ledger.stage_seen) {
    // The first stage has been in force since the target was added: any window is all its own.
    ledger.stage_seen = true;
    ledger.stage_index = snap.stage_index;
    ledger.stage_since = -std::numeric_limits<double>::infinity();
  } else if (snap.stage_index != ledger.stage_index) {
    ledger.stage_index = snap.stage_index;
    ledger.stage_since = ledger.clock_seconds;
  }
  // A window that straddles a stage change measured a mix of two loads: not fed.
  const bool one_stage = ledger.clock_seconds - ledger.stage_since + 1e-9 >= f.window_seconds;
  if (f.window_full && f.window_requests > 0 && one_stage &&
      ledger.clock_seconds >= ledger.next_capacity_at) {
    CapacityWindow w;
    w.ips = f.ips;
    w.error_ratio = f.error_ratio;
    w.generator_kept_up = f.generator_kept_up;
    w.dropped = snap.window.dropped;
    w.offered = StageOffer(snap.stage);
    if (settings.slo_p95) w.slo_p95 = CapacityWindow::Seconds(Seconds(*settings.slo_p95));
    if (f.p95_seconds()) w.p95 = CapacityWindow::Seconds(*f.p95_seconds());
    ledger.capacity.Observe(w);
    ledger.next_capacity_at = ledger.clock_seconds + f.window_seconds;
  }
  const CapacityTracker& c = ledger.capacity;
  if (c.has_value()) f.capacity_ips = c.ips();
  for (const CapacityTracker::Sample& s : c.top()) f.capacity_top_windows_ips.push_back(s.ips);
  f.capacity_method = c.Method();
  f.capacity_windows_counted = c.windows_counted();
  f.capacity_windows_rejected = c.windows_rejected();
  f.capacity_last_rejected_reason = c.last_rejected_reason();
  f.capacity_relearned_down = c.relearned_down();
}

// AWS's own record of the window: whose word the billed durations are, the client's overhead
// over them, memory.
void AwsRecord(const loadgen::Interval& w, const ResolvedPricing& pricing, double scale,
               TargetFigures& f) {
  // Invocations the function bills (the billability table), against those with AWS's figure.
  const uint64_t billable = UsageOf(w, 0, 0).billable_requests;
  f.billed_by_aws = w.BilledByAws();
  f.billed_estimated = billable - std::min(billable, f.billed_by_aws);
  if (pricing.platform == "lambda" && billable > 0) {
    f.billing = f.billed_estimated == 0 ? "billed by AWS"
                : f.billed_by_aws == 0  ? "estimated from latency"
                                        : "partly billed by AWS";
  }
  f.client_overhead_seconds = w.MeanClientOverheadSeconds(scale);
  if (w.max_memory_used_mb > 0) {
    f.max_memory_used_bytes = static_cast<double>(w.max_memory_used_mb) * 1024.0 * 1024.0;
  }
  f.memory_size_mb = w.memory_size_mb;
}

// The prices with AWS's word on memory: a Lambda function's REPORT line states the Memory Size
// it is billed at, which wins over the config's pricing.memory_mb.
ResolvedPricing WithAwsMemory(const ResolvedPricing& pricing, int memory_size_mb,
                              std::vector<std::string>* caveats) {
  ResolvedPricing p = pricing;
  if (pricing.platform != "lambda" || memory_size_mb <= 0 ||
      memory_size_mb == pricing.spec.memory_mb) {
    return p;
  }
  p.memory_gb = memory_size_mb / 1024.0;
  p.spec.memory_mb = memory_size_mb;
  caveats->push_back("AWS reports Memory Size " + std::to_string(memory_size_mb) +
                     " MB, pricing.memory_mb says " + std::to_string(pricing.spec.memory_mb) +
                     ": billed at AWS's");
  return p;
}

// Cost per 1M inferences over the window, on both bases.
Cost WindowCost(const loadgen::Interval& w, const ResolvedPricing& pricing, TargetFigures& f) {
  const Usage usage = UsageOf(w, f.window_seconds, f.capacity_ips.value_or(0));
  Cost cost = ComputeCost(pricing, usage);
  f.usd_per_million_observed = cost.observed_usd_per_million;
  f.usd_per_million_capacity = cost.capacity_usd_per_million;
  f.capacity_cost_note = cost.capacity_absent_reason;
  f.cost_caveats = cost.caveats;
  if (!cost.observed_usd_per_million) {
    f.cost_note = cost.observed_absent_reason;
  } else if (usage.billed_estimated && pricing.platform == "lambda") {
    f.cost_note = "billed duration estimated from measured latency (an upper bound)";
  }
  return cost;
}

// Spend since the last tick, added to the ledger; reaching the spend limit stops the load.
void Spend(const FigureInputs& in, const Cost& window_cost, TargetLedger& ledger,
           TargetFigures& f) {
  const loadgen::Interval& total = in.snapshot->total;
  const loadgen::Interval& base = *in.previous_total;
  const double dt = in.settings.time_scale * std::max(0.0, in.since_last_tick_seconds);
  const Usage usage = UsageBetween(total, base, dt, f.capacity_ips.value_or(0));
  const Cost tick_cost = ComputeCost(*in.pricing, usage);
  // Time-based spend accrues with the clock at the list rate, plus burstable surplus credits at
  // the window's utilisation (one tick's utilisation is too noisy for a convex charge).
  const double span = f.window_seconds;
  const double surplus_rate = span > 0 ? window_cost.surplus_credit_usd / span : 0;
  f.time_usd_increment =
      std::max(0.0, tick_cost.time_usd - tick_cost.surplus_credit_usd + surplus_rate * dt);
  f.request_usd_increment = std::max(0.0, tick_cost.request_usd);
  ledger.spend_usd += f.time_usd_increment + f.request_usd_increment;
  // What the test's own requests cost: instance hours are paid whether or not we send load.
  ledger.test_spend_usd += f.request_usd_increment;
  for (LineItem item : kLineItems) {
    const auto i = static_cast<std::size_t>(item);
    f.line_item_usd_increment[i] = std::max(0.0, tick_cost.line_item_usd[i]);
    ledger.spend_usd += f.line_item_usd_increment[i];
    if (!IsHourly(item)) ledger.test_spend_usd += f.line_item_usd_increment[i];
  }
  f.spend_usd = ledger.spend_usd;
  f.test_spend_usd = ledger.test_spend_usd;
  const std::optional<double>& limit = in.settings.spend_limit_usd;
  if (limit && !ledger.spend_limited && ledger.test_spend_usd >= *limit) {
    ledger.spend_limited = true;
    f.spend_limit_reached = true;
  }
}

// What the schedule offers now, and whether load is being sent.
void Schedule(const loadgen::StatsSnapshot& snap, bool spend_limited, TargetFigures& f) {
  const loadgen::Stage& stage = snap.stage;
  const bool idle = stage.kind == loadgen::Stage::Kind::kIdle || snap.stage_index < 0;
  if (!idle && !spend_limited) {
    if (stage.kind == loadgen::Stage::Kind::kClosed) f.offered_concurrency = stage.concurrency;
    if (stage.kind == loadgen::Stage::Kind::kOpen) f.offered_rate = stage.rate;
  }
  f.load_active = snap.load_active && !spend_limited;
  f.load_state = spend_limited   ? "spend limit reached"
                 : f.load_active ? "running"
                 : idle          ? "idle stage"
                                 : "paused";
}

// Whether the window can be trusted, and every reason it cannot.
void Validity(const loadgen::StatsSnapshot& snap, double worker_cpu_share, TargetFigures& f) {
  const loadgen::Interval& w = snap.window;
  char buf[128];
  if (!f.window_full) {
    // On the target's clock, as every other figure.
    std::snprintf(buf, sizeof buf, "window not full yet (%.0fs of %.0fs)", f.window_seconds,
                  f.window_length_seconds);
    f.invalid_reasons.push_back(buf);
  }
  const loadgen::QuantileSummary& lag = snap.window_lag;
  if (lag.count > 0 && lag.values_ns.size() == 1) {
    const double lag_p99 = static_cast<double>(lag.values_ns[0]) / 1e9;
    if (lag_p99 > kMaxP99LagSeconds) {
      std::snprintf(buf, sizeof buf, "schedule lag p99 %.1f ms is over %.0f ms", lag_p99 * 1e3,
                    kMaxP99LagSeconds * 1e3);
      f.invalid_reasons.push_back(buf);
      f.generator_kept_up = false;
    }
  }
  if (w.dropped > 0) {
    f.invalid_reasons.push_back(std::to_string(w.dropped) +
                                " arrivals dropped at the in-flight cap");
  }
  if (worker_cpu_share > kMaxWorkerCpuShare) {
    std::snprintf(buf, sizeof buf, "generator CPU-bound (%.0f%% of a core per worker)",
                  worker_cpu_share * 100);
    f.invalid_reasons.push_back(buf);
    f.generator_kept_up = false;
  }
  f.valid = f.invalid_reasons.empty();
}

}  // namespace

TargetFigures ComputeTargetFigures(const FigureInputs& in, TargetLedger* ledger) {
  const loadgen::StatsSnapshot& snap = *in.snapshot;
  const double scale = in.settings.time_scale;
  const double window = Seconds(in.settings.window);
  const double wall_span = Seconds(snap.window_span);
  TargetFigures f;
  // The window's resolution is one publish interval (the tick), and the newest interval is
  // still pending when a snapshot is taken: a window covers between `window` and two ticks less.
  // Short windows (a time-scaled demo's 5 s) would never count as full with 90 % alone.
  f.window_full = wall_span >= std::min(0.9 * window, window - 2 * Seconds(in.settings.tick));
  f.window_seconds = wall_span * scale;
  f.window_length_seconds = window * scale;
  WindowRates(snap, scale, f);
  Validity(snap, in.worker_cpu_share, f);
  Capacity(snap, in.settings, scale * std::max(0.0, in.since_last_tick_seconds), *ledger, f);
  AwsRecord(snap.window, *in.pricing, scale, f);
  std::vector<std::string> memory_caveats;
  const ResolvedPricing pricing = WithAwsMemory(*in.pricing, f.memory_size_mb, &memory_caveats);
  const Cost window_cost = WindowCost(snap.window, pricing, f);
  f.cost_caveats.insert(f.cost_caveats.end(), memory_caveats.begin(), memory_caveats.end());
  FigureInputs priced = in;
  priced.pricing = &pricing;
  Spend(priced, window_cost, *ledger, f);
  Schedule(snap, ledger->spend_limited, f);
  f.requests_total = snap.total.Requests();
  f.inferences_total = snap.total.Ok();
  f.cold_starts_total = snap.total.cold_starts;
  f.dropped_total = snap.total.dropped;
  return f;
}

}  // namespace infercost
