#include "sweep/analysis.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <utility>

#include "config/usage.h"

namespace infercost {
namespace {

using loadgen::Interval;
using loadgen::LatencyHistogram;
using loadgen::Outcome;

constexpr double kNsPerSecond = 1e9;

// The value at quantile q of `sorted` (ascending), interpolated between neighbours.
double SortedQuantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const double position = q * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, sorted.size() - 1);
  const double fraction = position - static_cast<double>(below);
  return sorted[below] + (sorted[above] - sorted[below]) * fraction;
}

Estimate FromSamples(double value, std::vector<double> samples) {
  Estimate estimate{value, value, value};
  if (samples.empty()) return estimate;
  std::sort(samples.begin(), samples.end());
  estimate.low = SortedQuantile(samples, 0.025);
  estimate.high = SortedQuantile(samples, 0.975);
  return estimate;
}

// A window reduced to what one bootstrap draw adds up, with its histogram in sparse form so that
// a resample merges only the buckets it uses.
struct WindowDraw {
  double seconds = 0;
  Interval counters;  // histograms left empty
  std::vector<std::pair<uint32_t, uint64_t>> ok_sparse;
  int64_t ok_min_ns = 0;
  int64_t ok_max_ns = 0;
  double ok_sum_ns = 0;
};

std::vector<WindowDraw> PrepareDraws(const std::vector<SweepWindow>& windows) {
  std::vector<WindowDraw> draws;
  draws.reserve(windows.size());
  for (const SweepWindow& window : windows) {
    WindowDraw draw;
    draw.seconds = window.seconds;
    draw.counters.requests = window.interval.requests;
    draw.counters.billed_from_header = window.interval.billed_from_header;
    draw.counters.billed_from_report = window.interval.billed_from_report;
    draw.counters.by_billing_class = window.interval.by_billing_class;
    draw.ok_sparse = window.interval.ok_latency.ToSparse();
    draw.ok_min_ns = window.interval.ok_latency.MinNs();
    draw.ok_max_ns = window.interval.ok_latency.MaxNs();
    draw.ok_sum_ns = window.interval.ok_latency.SumNs();
    draws.push_back(std::move(draw));
  }
  return draws;
}

std::optional<double> ObservedUsdPerMillion(const ResolvedPricing& pricing, const Usage& usage) {
  return ComputeCost(pricing, usage).observed_usd_per_million;
}

std::string OfferedList(LoadAxis axis, const std::vector<StepResult>& steps,
                        const std::vector<std::size_t>& indices) {
  std::string out;
  for (std::size_t i : indices) {
    if (!out.empty()) out += ", ";
    out += FormatOffered(axis, steps[i].offered);
  }
  return out;
}

}  // namespace

std::string_view Name(StopReason reason) {
  switch (reason) {
    case StopReason::kNone:
      return "none";
    case StopReason::kCompleted:
      return "completed";
    case StopReason::kPlateau:
      return "plateau";
    case StopReason::kSlo:
      return "slo";
    case StopReason::kErrors:
      return "errors";
    case StopReason::kSpendLimit:
      return "spend_limit";
    case StopReason::kFailed:
      return "failed";
    case StopReason::kInterrupted:
      return "interrupted";
  }
  return "none";
}

bool IsServerless(const ResolvedPricing& pricing) {
  return pricing.spec.model == PricingModel::kLambda ||
         pricing.spec.model == PricingModel::kPerRequest ||
         pricing.spec.model == PricingModel::kSageMakerServerless;
}

double QuantileSeconds(const LatencyHistogram& histogram, double q, double time_scale) {
  return static_cast<double>(histogram.ValueAtQuantileNs(q)) / kNsPerSecond * time_scale;
}

StepResult SummarizeStep(const StepInput& input, const ResolvedPricing& pricing,
                         double capacity_ips, const SummaryOptions& options, uint64_t stream) {
  const double scale = options.time_scale;
  Interval total;
  StepResult step;
  step.offered = input.offered;
  for (const SweepWindow& window : input.windows) {
    total.Merge(window.interval);
    step.seconds += window.seconds;
  }
  step.requests = total.Requests();
  step.ok = total.Ok();
  step.dropped = total.dropped;
  step.cold_starts = total.cold_starts;
  step.by_outcome = total.requests;
  // What AWS bills of it, class by class (the billability table).
  const Usage billed = UsageOf(total, 0, 0);
  step.billable = billed.billable_requests;
  step.gateway_requests = billed.gateway_requests;
  step.billed_ms = billed.billed_ms;
  step.billed_estimated = billed.billed_estimated;
  step.error_ratio = step.requests > 0 ? static_cast<double>(step.requests - step.ok) /
                                             static_cast<double>(step.requests)
                                       : 0.0;
  const double seconds = step.seconds > 0 ? step.seconds : 1.0;
  step.mean_latency_s = total.latency.MeanNs() / kNsPerSecond * scale;
  step.effective_concurrency = static_cast<double>(step.requests) / seconds * step.mean_latency_s;
  const LatencyHistogram& latencies = step.ok > 0 ? total.ok_latency : total.latency;
  step.p50_s = QuantileSeconds(latencies, 0.50, scale);
  const double p95 = QuantileSeconds(latencies, 0.95, scale);
  const double p99 = QuantileSeconds(latencies, 0.99, scale);
  step.max_latency_s = static_cast<double>(latencies.MaxNs()) / kNsPerSecond * scale;
  // Schedule lag is the generator's own delay: it stays in wall time.
  step.lag_p99_s = static_cast<double>(total.lag.ValueAtQuantileNs(0.99)) / kNsPerSecond;

  const double ips = static_cast<double>(step.ok) / seconds;
  const Cost cost = ComputeCost(pricing, UsageOf(total, step.seconds, capacity_ips));
  step.spend_usd = cost.TotalUsd();
  if (!cost.observed_usd_per_million) step.usd_absent_reason = cost.observed_absent_reason;

  // Bootstrap over windows: resample whole windows with replacement, so that the interval
  // reflects how much the target's behaviour moved within the step.
  std::vector<double> ips_samples, p95_samples, p99_samples, usd_samples;
  const std::size_t n = input.windows.size();
  if (n >= 2 && options.bootstrap_samples > 0) {
    const std::vector<WindowDraw> draws = PrepareDraws(input.windows);
    std::mt19937_64 rng(options.seed * 0x9E3779B97F4A7C15ULL + stream);
    std::uniform_int_distribution<std::size_t> pick(0, n - 1);
    LatencyHistogram merged;
    for (int b = 0; b < options.bootstrap_samples; ++b) {
      merged.Clear();
      Interval counters;
      double draw_seconds = 0;
      for (std::size_t i = 0; i < n; ++i) {
        const WindowDraw& draw = draws[pick(rng)];
        draw_seconds += draw.seconds;
        for (std::size_t o = 0; o < loadgen::kOutcomeCount; ++o) {
          counters.requests[o] += draw.counters.requests[o];
        }
        counters.billed_from_header += draw.counters.billed_from_header;
        counters.billed_from_report += draw.counters.billed_from_report;
        for (std::size_t c = 0; c < loadgen::kBillingClassCount; ++c) {
          counters.by_billing_class[c].Merge(draw.counters.by_billing_class[c]);
        }
        merged.MergeSparse(draw.ok_sparse, draw.ok_min_ns, draw.ok_max_ns, draw.ok_sum_ns);
      }
      if (draw_seconds <= 0) continue;
      ips_samples.push_back(static_cast<double>(counters.Ok()) / draw_seconds);
      if (merged.Count() > 0) {
        p95_samples.push_back(QuantileSeconds(merged, 0.95, scale));
        p99_samples.push_back(QuantileSeconds(merged, 0.99, scale));
      }
      if (auto usd =
              ObservedUsdPerMillion(pricing, UsageOf(counters, draw_seconds, capacity_ips))) {
        usd_samples.push_back(*usd);
      }
    }
  }
  step.ips = FromSamples(ips, std::move(ips_samples));
  step.p95_s = FromSamples(p95, std::move(p95_samples));
  step.p99_s = FromSamples(p99, std::move(p99_samples));
  if (cost.observed_usd_per_million) {
    step.usd_per_million = FromSamples(*cost.observed_usd_per_million, std::move(usd_samples));
  }

  const double attempts = static_cast<double>(step.requests + step.dropped);
  const double dropped_ratio = attempts > 0 ? static_cast<double>(step.dropped) / attempts : 0.0;
  step.healthy = step.ok > 0 && step.error_ratio <= options.criteria.max_error_ratio &&
                 dropped_ratio <= options.criteria.max_error_ratio;
  step.within_slo = step.healthy && (!options.criteria.slo_p95_s ||
                                     step.p95_s.value <= *options.criteria.slo_p95_s);
  return step;
}

StopDecision ShouldStop(const std::vector<StepResult>& steps, const SweepCriteria& criteria,
                        std::size_t levels_left) {
  StopDecision decision;
  if (steps.empty()) return decision;
  const StepResult& last = steps.back();
  if (last.requests == 0) {
    decision.reason = StopReason::kFailed;
    decision.detail = "no request finished during the step";
    return decision;
  }
  if (!last.healthy) {
    decision.reason = StopReason::kErrors;
    const std::string outcomes = DescribeFailures(last);
    decision.detail = "error ratio " + FormatPercent(last.error_ratio) + " above the " +
                      FormatPercent(criteria.max_error_ratio) + " limit";
    if (!outcomes.empty()) decision.detail += " (" + outcomes + ")";
    return decision;
  }
  // Count flat steps at the end: each grew less than min_growth over the best before it.
  int flat = 0;
  for (std::size_t i = steps.size() - 1; i >= 1; --i) {
    double best_before = 0;
    for (std::size_t j = 0; j < i; ++j) best_before = std::max(best_before, steps[j].ips.value);
    if (steps[i].ips.value >= best_before * (1.0 + criteria.min_growth)) break;
    ++flat;
  }
  if (flat >= criteria.flat_steps) {
    decision.reason = StopReason::kPlateau;
    decision.detail = "throughput grew less than " + FormatPercent(criteria.min_growth) + " for " +
                      std::to_string(flat) + " steps";
    return decision;
  }
  if (criteria.slo_p95_s && last.p95_s.value > *criteria.slo_p95_s) {
    decision.reason = StopReason::kSlo;
    decision.detail = "p95 " + FormatMs(last.p95_s.value) + " above the objective of " +
                      FormatMs(*criteria.slo_p95_s);
    return decision;
  }
  if (levels_left == 0) {
    decision.reason = StopReason::kCompleted;
    decision.detail = "every level was run";
  }
  return decision;
}

std::optional<std::size_t> FindKnee(const std::vector<StepResult>& steps,
                                    const SweepCriteria& criteria) {
  if (steps.size() < 2) return std::nullopt;
  double max_ips = 0;
  for (const StepResult& step : steps) {
    if (step.healthy) max_ips = std::max(max_ips, step.ips.value);
  }
  if (max_ips <= 0) return std::nullopt;
  const StepResult& last = steps.back();
  double best_before_last = 0;
  for (std::size_t j = 0; j + 1 < steps.size(); ++j) {
    best_before_last = std::max(best_before_last, steps[j].ips.value);
  }
  const bool saturated =
      !last.healthy || last.ips.value < best_before_last * (1.0 + criteria.min_growth);
  if (!saturated) return std::nullopt;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (steps[i].healthy && steps[i].ips.value >= max_ips * (1.0 - criteria.min_growth)) return i;
  }
  return std::nullopt;
}

std::optional<std::size_t> BestWithinSlo(const std::vector<StepResult>& steps) {
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (!steps[i].within_slo) continue;
    if (!best || steps[i].ips.value > steps[*best].ips.value) best = i;
  }
  return best;
}

TargetSweep AnalyzeTarget(const std::string& name, const ResolvedPricing& pricing, LoadAxis axis,
                          const std::vector<StepInput>& inputs, StopDecision stop,
                          const SummaryOptions& options, uint64_t stream) {
  TargetSweep target;
  target.name = name;
  target.pricing = pricing;
  target.serverless = IsServerless(pricing);
  target.axis = axis;
  target.stop = std::move(stop);

  // The burstable-credit estimate needs the capacity, which only the whole sweep shows: a first
  // pass without the bootstrap finds it, the second computes every figure with it.
  SummaryOptions quick = options;
  quick.bootstrap_samples = 0;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const StepResult step = SummarizeStep(inputs[i], pricing, 0, quick, 0);
    if (step.healthy) target.capacity_ips = std::max(target.capacity_ips, step.ips.value);
  }
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    target.steps.push_back(
        SummarizeStep(inputs[i], pricing, target.capacity_ips, options, stream * 1000 + i));
  }
  target.knee = FindKnee(target.steps, options.criteria);
  target.best = BestWithinSlo(target.steps);

  const std::vector<StepResult>& steps = target.steps;
  if (steps.empty()) {
    target.warnings.push_back("no step was measured");
    return target;
  }
  if (!target.best) {
    target.warnings.push_back(options.criteria.slo_p95_s
                                  ? "no step met p95 <= " + FormatMs(*options.criteria.slo_p95_s) +
                                        " without errors: this target is ruled out"
                                  : "no step ran without errors: this target is ruled out");
  }
  if (!target.knee && target.stop.reason != StopReason::kSlo &&
      target.stop.reason != StopReason::kFailed) {
    target.warnings.push_back("throughput was still growing at " +
                              FormatOffered(axis, steps.back().offered) + ": capacity is above " +
                              FormatNumber(steps.back().ips.value) +
                              " IPS; add higher levels to find the saturation point");
  }
  if (axis == LoadAxis::kConcurrency && steps.front().offered <= 1 && steps.front().ips.value > 0) {
    double max_ips = 0;
    double max_offered = 0;
    for (const StepResult& step : steps) {
      if (!step.healthy) continue;
      max_ips = std::max(max_ips, step.ips.value);
      max_offered = std::max(max_offered, step.offered);
    }
    const double speedup = max_ips / steps.front().ips.value;
    if (max_offered >= 4 && speedup < 1.5) {
      target.warnings.push_back("effective concurrency stayed near 1 (throughput at most " +
                                FormatNumber(speedup, 2) + "x the single-request rate up to C=" +
                                FormatNumber(max_offered) + ") — the target serialises requests");
    }
  }
  std::vector<std::size_t> starved, late, cold;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const StepResult& step = steps[i];
    if (axis == LoadAxis::kConcurrency && step.effective_concurrency < 0.8 * step.offered) {
      starved.push_back(i);
    }
    // A schedule kept more than 10 ms late means the generator, not the target, set the pace.
    if (axis == LoadAxis::kRate && step.lag_p99_s > 0.010) late.push_back(i);
    if (step.cold_starts > 0) cold.push_back(i);
  }
  if (!starved.empty()) {
    target.warnings.push_back("the generator held less than 80 % of the offered concurrency at " +
                              OfferedList(axis, steps, starved) +
                              ": the client, not the target, limited these steps");
  }
  if (!late.empty()) {
    target.warnings.push_back("schedule lag p99 above 10 ms at " + OfferedList(axis, steps, late) +
                              ": the generator could not keep the arrival schedule");
  }
  if (!cold.empty()) {
    uint64_t total = 0;
    for (std::size_t i : cold) total += steps[i].cold_starts;
    target.warnings.push_back(std::to_string(total) + " cold start(s) after warm-up at " +
                              OfferedList(axis, steps, cold) + ": they raise p95 and p99 there");
  }
  if (target.best) {
    const StepResult& best = steps[*target.best];
    const double spread =
        best.ips.value > 0 ? (best.ips.high - best.ips.low) / best.ips.value : 0.0;
    if (spread > 0.2) {
      target.warnings.push_back("IPS at the best step varies by " + FormatPercent(spread) +
                                " across windows (95 % interval): use a longer --step");
    }
    if (best.ok < 200) {
      target.warnings.push_back("p99 at the best step rests on " + std::to_string(best.ok) +
                                " requests: use a longer --step for a firmer tail");
    }
  }
  return target;
}

ColdStartAnalysis AnalyzeColdStarts(const TargetSweep& target, const Catalog& catalog,
                                    const std::vector<IdleGapInput>& gaps,
                                    std::optional<TrafficProfile> traffic, double time_scale) {
  ColdStartAnalysis analysis;
  analysis.target = target.name;
  LatencyHistogram cold_all, warm_all, clean_bursts;
  Interval cold_total, warm_total;
  for (const IdleGapInput& gap : gaps) {
    IdleGapResult result;
    result.idle_seconds = gap.idle_seconds;
    result.burst_concurrency = gap.burst_concurrency;
    result.hold_seconds = gap.hold_seconds;
    result.requests = gap.cold.Requests() + gap.warm.Requests();
    result.cold_starts = gap.cold.Requests();
    result.probability =
        gap.burst_concurrency > 0
            ? std::min(1.0, static_cast<double>(result.cold_starts) / gap.burst_concurrency)
            : 0.0;
    LatencyHistogram burst = gap.warm.ok_latency;
    burst.Merge(gap.cold.ok_latency);
    result.p95_s = QuantileSeconds(burst, 0.95, time_scale);
    result.cold_p95_s = QuantileSeconds(gap.cold.ok_latency, 0.95, time_scale);
    cold_all.Merge(gap.cold.ok_latency);
    warm_all.Merge(gap.warm.ok_latency);
    if (result.cold_starts == 0) clean_bursts.Merge(burst);
    cold_total.Merge(gap.cold);
    warm_total.Merge(gap.warm);
    analysis.gaps.push_back(result);
  }
  std::sort(analysis.gaps.begin(), analysis.gaps.end(),
            [](const IdleGapResult& a, const IdleGapResult& b) {
              return a.idle_seconds < b.idle_seconds;
            });
  auto summarize = [time_scale](const LatencyHistogram& histogram) {
    LatencySummary summary;
    summary.count = histogram.Count();
    summary.p50_s = QuantileSeconds(histogram, 0.50, time_scale);
    summary.p95_s = QuantileSeconds(histogram, 0.95, time_scale);
    summary.p99_s = QuantileSeconds(histogram, 0.99, time_scale);
    summary.max_s = static_cast<double>(histogram.MaxNs()) / kNsPerSecond * time_scale;
    return summary;
  };
  analysis.cold = summarize(cold_all);
  analysis.warm = summarize(warm_all);
  analysis.warm_reference_clean = clean_bursts.Count() > 0;
  analysis.warm_reference = analysis.warm_reference_clean ? summarize(clean_bursts) : analysis.warm;

  for (const IdleGapResult& gap : analysis.gaps) {
    if (gap.cold_starts > 0) {
      analysis.timeout_below_s = gap.idle_seconds;
      break;
    }
    analysis.timeout_above_s = gap.idle_seconds;
  }

  // Init time is billed: a cold request costs its extra billed milliseconds at the duration price.
  const ResolvedPricing& pricing = target.pricing;
  auto mean_billed_ms = [](const Interval& interval) {
    const Usage billed = UsageOf(interval, 0, 0);
    return billed.billable_requests > 0 ? static_cast<double>(billed.billed_ms) /
                                              static_cast<double>(billed.billable_requests)
                                        : 0.0;
  };
  const double extra_ms = std::max(0.0, mean_billed_ms(cold_total) - mean_billed_ms(warm_total));
  analysis.cold_extra_usd = extra_ms / 1000.0 * pricing.memory_gb * pricing.usd_per_gb_second;
  Interval all = cold_total;
  all.Merge(warm_total);
  const double burst_spend = ComputeCost(pricing, UsageOf(all, 0, 0)).request_usd;
  if (burst_spend > 0) {
    analysis.cold_cost_share = analysis.cold_extra_usd *
                               static_cast<double>(UsageOf(cold_total, 0, 0).billable_requests) /
                               burst_spend;
  }

  // Provisioned concurrency sized by Little's law: the peak arrival rate times the warm time each
  // request holds an instance; without a traffic figure, the burst size.
  int burst = 0;
  for (const IdleGapInput& gap : gaps) burst = std::max(burst, gap.burst_concurrency);
  const double warm_mean_s = warm_all.MeanNs() / kNsPerSecond * time_scale;
  analysis.provisioned_concurrency =
      traffic ? std::max(1, static_cast<int>(std::ceil(traffic->peak_rps * warm_mean_s)))
              : std::max(1, burst);
  PricingSpec spec = pricing.spec;
  spec.provisioned_concurrency += analysis.provisioned_concurrency;
  const ResolveResult with_pc = Resolve(spec, catalog);
  if (with_pc.pricing) {
    if (traffic && target.best) {
      TargetSweep provisioned = target;
      provisioned.pricing = *with_pc.pricing;
      analysis.provisioned_monthly_usd = ServerlessMonthlyUsd(provisioned, traffic->average_rps) -
                                         ServerlessMonthlyUsd(target, traffic->average_rps);
    } else {
      analysis.provisioned_monthly_usd =
          (with_pc.pricing->provisioned_usd_per_hour - pricing.provisioned_usd_per_hour) *
          kHoursPerMonth;
    }
  }
  return analysis;
}

std::string FormatNumber(double value, int significant) {
  if (!std::isfinite(value)) return "n/a";
  if (value == 0) return "0";
  const double magnitude = std::floor(std::log10(std::fabs(value)));
  const int decimals = std::max(0, significant - 1 - static_cast<int>(magnitude));
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  std::string text = buffer;
  if (decimals == 0 && std::fabs(value) >= 10000) {
    // Thousands separators for large round figures.
    std::string digits = text;
    const bool negative = digits.front() == '-';
    if (negative) digits.erase(0, 1);
    std::string grouped;
    for (std::size_t i = 0; i < digits.size(); ++i) {
      if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
      grouped += digits[i];
    }
    text = (negative ? "-" : "") + grouped;
  }
  return text;
}

std::string FormatPercent(double ratio) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f %%", ratio * 100.0);
  return buffer;
}

std::string DescribeFailures(const StepResult& step) {
  std::string text;
  for (Outcome outcome : loadgen::kAllOutcomes) {
    const uint64_t count = step.by_outcome[static_cast<std::size_t>(outcome)];
    if (outcome == Outcome::kOk || count == 0) continue;
    if (!text.empty()) text += ", ";
    text += std::string(loadgen::OutcomeName(outcome)) + " " + std::to_string(count);
  }
  if (step.dropped > 0)
    text += (text.empty() ? "" : ", ") + std::string("dropped ") + std::to_string(step.dropped);
  return text;
}

std::string FormatMs(double seconds) {
  if (seconds >= 1.0) return FormatNumber(seconds, 3) + " s";
  return FormatNumber(seconds * 1000.0, 3) + " ms";
}

std::string FormatLevel(double level) {
  if (level == std::round(level) && std::fabs(level) < 1e15) {
    return std::to_string(static_cast<long long>(level));
  }
  return FormatNumber(level);
}

std::string FormatPrice(double usd) {
  if (usd == 0 || !std::isfinite(usd)) return usd == 0 ? "$0" : "n/a";
  // Five significant digits in fixed notation: per-GB-second prices stay readable.
  const int decimals = std::max(0, 4 - static_cast<int>(std::floor(std::log10(std::fabs(usd)))));
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, usd);
  std::string text = buffer;
  if (text.find('.') != std::string::npos) {
    text.erase(text.find_last_not_of('0') + 1);
    if (text.back() == '.') text.pop_back();
  }
  return "$" + text;
}

std::string FormatOffered(LoadAxis axis, double offered) {
  if (axis == LoadAxis::kConcurrency) return "C=" + FormatLevel(offered);
  return FormatLevel(offered) + " req/s";
}

}  // namespace infercost
