// The sweep's charts: throughput and p95 against offered load (the seed's Figure 2 and its
// latency twin), monthly cost against traffic with the break-even points, and cold starts
// against idle time.
#include <algorithm>
#include <cmath>
#include <limits>

#include "sweep/report.h"
#include "sweep/svg_chart.h"

namespace infercost {
namespace {

constexpr double kMsPerSecond = 1000.0;

AxisSpec LoadAxisSpec(const SweepReport& report) {
  AxisSpec axis;
  if (report.method.axis == LoadAxis::kConcurrency) {
    // Concurrency doubles from step to step: a log2 axis spaces the steps evenly.
    axis.title = "offered concurrency (requests in flight)";
    axis.scale = AxisScale::kLog2;
    return axis;
  }
  axis.title = "offered rate (requests/s)";
  double lo = std::numeric_limits<double>::infinity(), hi = 0;
  for (double level : report.method.levels) {
    lo = std::min(lo, level);
    hi = std::max(hi, level);
  }
  axis.scale = lo > 0 && hi / lo >= 8 ? AxisScale::kLog10 : AxisScale::kLinear;
  return axis;
}

// Log scale when the series differ by more than `ratio` (a GPU beside a t3 otherwise flattens
// the t3 onto the axis); linear from zero otherwise, as the seed plots it.
AxisScale ScaleFor(const std::vector<double>& values, double ratio) {
  double lo = std::numeric_limits<double>::infinity(), hi = 0;
  for (double v : values) {
    if (v <= 0) continue;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  return hi > 0 && hi / lo > ratio ? AxisScale::kLog10 : AxisScale::kLinear;
}

std::string Subtitle(const SweepReport& report) {
  return "95 % intervals: bootstrap over " + std::to_string(report.method.windows_per_step) +
         " windows per step; ringed point: saturation (knee)";
}

std::string KneeText(const TargetSweep& target) {
  if (target.knee) {
    return " (knee " + FormatOffered(target.axis, target.steps[*target.knee].offered) + ")";
  }
  if (target.steps.empty()) return "";
  const std::string last = FormatOffered(target.axis, target.steps.back().offered);
  switch (target.stop.reason) {
    case StopReason::kSlo:
      return " (stopped at " + last + ": p95 objective)";
    case StopReason::kErrors:
      return " (stopped at " + last + ": errors)";
    case StopReason::kSpendLimit:
      return " (stopped at " + last + ": spend limit)";
    default:
      return " (no knee up to " + last + ")";
  }
}

std::string Dollars(double usd) {
  if (usd >= 1) return "$" + CompactNumber(usd);
  return "$" + FormatNumber(usd, 2);
}

}  // namespace

std::string ThroughputChart(const SweepReport& report) {
  std::vector<double> peaks;
  for (const TargetSweep& target : report.targets) peaks.push_back(target.capacity_ips);
  AxisSpec y;
  y.title = "throughput (inferences/s)";
  y.scale = ScaleFor(peaks, 20);
  SvgChart chart("Throughput vs offered load", LoadAxisSpec(report), y);
  chart.SetId("throughput");
  chart.SetSubtitle(Subtitle(report));
  for (std::size_t i = 0; i < report.targets.size(); ++i) {
    const TargetSweep& target = report.targets[i];
    ChartSeries series;
    series.name = target.name + KneeText(target);
    series.style = static_cast<int>(i);
    series.highlight = target.knee;
    for (const StepResult& step : target.steps) {
      series.points.push_back({step.offered, step.ips.value, step.ips.low, step.ips.high});
    }
    if (series.points.empty()) {
      chart.AddNote(target.name + ": no step measured");
      continue;
    }
    chart.AddSeries(std::move(series));
  }
  return chart.Render();
}

std::string LatencyChart(const SweepReport& report) {
  std::vector<double> values;
  for (const TargetSweep& target : report.targets) {
    for (const StepResult& step : target.steps) values.push_back(step.p95_s.value);
  }
  AxisSpec y;
  y.title = "p95 latency (ms)";
  y.scale = ScaleFor(values, 10);
  SvgChart chart("p95 latency vs offered load", LoadAxisSpec(report), y);
  chart.SetId("latency");
  chart.SetSubtitle("successful requests, measured from the intended send time; " +
                    std::string("95 % intervals from the bootstrap"));
  if (report.method.criteria.slo_p95_s) {
    chart.AddLine({false, *report.method.criteria.slo_p95_s * kMsPerSecond,
                   "objective p95 " + FormatMs(*report.method.criteria.slo_p95_s)});
  }
  for (std::size_t i = 0; i < report.targets.size(); ++i) {
    const TargetSweep& target = report.targets[i];
    ChartSeries series;
    series.name = target.name;
    series.style = static_cast<int>(i);
    for (const StepResult& step : target.steps) {
      if (step.ok == 0) continue;
      series.points.push_back({step.offered, step.p95_s.value * kMsPerSecond,
                               step.p95_s.low * kMsPerSecond, step.p95_s.high * kMsPerSecond});
    }
    if (!series.points.empty()) chart.AddSeries(std::move(series));
  }
  return chart.Render();
}

std::string MonthlyCostChart(const SweepReport& report) {
  const std::optional<TrafficProfile>& traffic = report.recommendation.traffic;
  const double ratio = traffic ? traffic->PeakToAverage() : 1.0;

  // The traffic range worth showing: around the break-evens, the planned traffic and what one
  // instance of each type carries.
  std::vector<double> anchors;
  for (const BreakEven& be : report.recommendation.break_evens) {
    if (be.rps && *be.rps > 0) anchors.push_back(*be.rps);
    if (be.always_above_rps && *be.always_above_rps > 0) anchors.push_back(*be.always_above_rps);
  }
  if (traffic && traffic->average_rps > 0) anchors.push_back(traffic->average_rps);
  for (const TargetSweep& target : report.targets) {
    if (!target.serverless && target.best) {
      anchors.push_back(target.steps[*target.best].ips.value / ratio);
    }
  }
  double lo = 0.01, hi = 100;
  if (!anchors.empty()) {
    lo = *std::min_element(anchors.begin(), anchors.end()) / 10;
    hi = *std::max_element(anchors.begin(), anchors.end()) * 10;
  }
  lo = std::pow(10.0, std::floor(std::log10(lo)));
  hi = std::pow(10.0, std::ceil(std::log10(hi)));
  hi = std::min(hi, lo * 1e6);  // six decades at most

  AxisSpec x;
  x.title = ratio > 1 ? "average traffic (requests/s); peak = " + FormatNumber(ratio) + " x average"
                      : "traffic (requests/s)";
  x.scale = AxisScale::kLog10;
  x.min = lo;
  x.max = hi;
  AxisSpec y;
  y.title = "monthly cost (USD, 730 h)";
  y.scale = AxisScale::kLog10;
  y.format = [](double v) { return Dollars(v); };
  SvgChart chart("Monthly cost vs traffic", x, y);
  chart.SetId("cost");
  chart.SetSubtitle(
      "instances sized for the peak at their best IPS within the objective; black diamonds: "
      "break-even with per-request pricing");

  constexpr int kGrid = 240;
  std::vector<double> grid;
  for (int i = 0; i <= kGrid; ++i) {
    grid.push_back(lo * std::pow(hi / lo, static_cast<double>(i) / kGrid));
  }
  for (std::size_t i = 0; i < report.targets.size(); ++i) {
    const TargetSweep& target = report.targets[i];
    if (!target.best) {
      chart.AddNote(target.name + ": no step met the objective");
      continue;
    }
    std::vector<double> xs = grid;
    if (!target.serverless) {
      // Each added instance is a vertical step: put points on both sides of every boundary
      // that is visible at this scale.
      const double ips = target.steps[*target.best].ips.value;
      const double first = std::ceil(lo * ratio / ips);
      const double last = std::floor(hi * ratio / ips);
      if (ips > 0 && last - first < 400) {
        for (double k = std::max(1.0, first); k <= last; ++k) {
          const double boundary = k * ips / ratio;
          xs.push_back(boundary);
          xs.push_back(boundary * (1 + 1e-7));
        }
      }
      std::sort(xs.begin(), xs.end());
    }
    ChartSeries series;
    series.name = target.name + (target.serverless ? " (per request)" : " (instances)");
    series.style = static_cast<int>(i);
    series.markers = false;
    for (double rps : xs) {
      const OptionCost option = CostAtTraffic(target, TrafficProfile{rps * ratio, rps});
      if (!option.feasible) continue;  // beyond a serverless limit: the line ends there
      series.points.push_back({rps, option.monthly_usd, std::nullopt, std::nullopt});
    }
    if (series.points.empty()) {
      chart.AddNote(target.name + ": cannot carry this traffic");
      continue;
    }
    chart.AddSeries(std::move(series));
  }
  int serverless_count = 0;
  for (const TargetSweep& target : report.targets) serverless_count += target.serverless ? 1 : 0;
  for (const BreakEven& be : report.recommendation.break_evens) {
    if (!be.rps || *be.rps <= 0) continue;
    for (const TargetSweep& target : report.targets) {
      if (target.name != be.serverless_target) continue;
      const OptionCost at = CostAtTraffic(target, TrafficProfile{*be.rps * ratio, *be.rps});
      if (!at.feasible) continue;
      const std::string pair = serverless_count > 1
                                   ? be.instance_target + " = " + be.serverless_target
                                   : be.instance_target;
      chart.Annotate({*be.rps, at.monthly_usd, pair + " at " + FormatNumber(*be.rps) + " req/s"});
    }
  }
  if (traffic) {
    chart.AddLine(
        {true, traffic->average_rps, "planned " + FormatNumber(traffic->average_rps) + " req/s"});
  }
  return chart.Render(860, 500);
}

std::string ColdStartChart(const SweepReport& report) {
  if (report.cold_starts.empty()) return "";
  std::vector<double> minutes;
  for (const ColdStartAnalysis& analysis : report.cold_starts) {
    for (const IdleGapResult& gap : analysis.gaps) minutes.push_back(gap.idle_seconds / 60);
  }
  AxisSpec x;
  x.title = "idle time before the burst (minutes)";
  x.scale = ScaleFor(minutes, 8);
  x.include_zero = false;
  AxisSpec probability;
  probability.title = "cold-start probability";
  probability.min = 0;
  probability.max = 1;
  probability.format = [](double v) { return CompactNumber(v * 100) + " %"; };
  AxisSpec latency;
  latency.title = "p95 of the burst (ms)";
  latency.scale = AxisScale::kLog10;

  SvgChart top("Chance that a request after the idle time meets a cold instance", x, probability);
  top.SetId("cold-probability");
  SvgChart bottom("p95 latency of the burst after the idle time", x, latency);
  bottom.SetId("cold-latency");
  for (const ColdStartAnalysis& analysis : report.cold_starts) {
    int style = 0;
    for (std::size_t i = 0; i < report.targets.size(); ++i) {
      if (report.targets[i].name == analysis.target) style = static_cast<int>(i);
    }
    ChartSeries chance;
    chance.name = analysis.target;
    chance.style = style;
    ChartSeries p95 = chance;
    ChartSeries warm = chance;
    warm.name =
        analysis.target + (analysis.warm_reference_clean ? " warm p95" : " p95 of warm requests");
    warm.dashed = true;
    warm.markers = false;
    for (const IdleGapResult& gap : analysis.gaps) {
      const double m = gap.idle_seconds / 60;
      chance.points.push_back({m, gap.probability, std::nullopt, std::nullopt});
      if (gap.p95_s > 0) {
        p95.points.push_back({m, gap.p95_s * kMsPerSecond, std::nullopt, std::nullopt});
      }
      warm.points.push_back(
          {m, analysis.warm_reference.p95_s * kMsPerSecond, std::nullopt, std::nullopt});
    }
    top.AddSeries(std::move(chance));
    bottom.AddSeries(std::move(p95));
    if (analysis.warm_reference.count > 0) bottom.AddSeries(std::move(warm));
  }
  top.AddNote("dashed (lower panel): warm p95, from the bursts that met no cold instance");
  return RenderStacked("Cold starts against idle time", {&top, &bottom}, 860, 330);
}

}  // namespace infercost
