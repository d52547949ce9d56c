// What a tuning run found and the report it writes (the sweep report's format: report.md,
// results.csv, index.html and SVG charts): per memory size the billed duration (p50, p95 with
// 95 % intervals), the cost per invocation and per 1M split into requests, duration and gateway,
// init duration and memory used; the best size per strategy; the Power Tuning chart (cost and
// duration against memory, two axes) and the monthly cost of the tuned Lambda beside the
// config's instance targets.
//
// Thread contract: pure functions over values.
#ifndef INFERCOST_TUNE_TUNE_REPORT_H_
#define INFERCOST_TUNE_TUNE_REPORT_H_

#include <optional>
#include <string>
#include <vector>

#include "cost/cost.h"
#include "tune/tune.h"

namespace infercost {

struct SizeFigures {
  int memory_mb = 0;
  std::string version;
  int measured = 0;
  int failed = 0;
  // Billed duration, ms: order statistics with a distribution-free 95 % interval.
  double p50_ms = 0, p50_low_ms = 0, p50_high_ms = 0;
  double p95_ms = 0, p95_low_ms = 0, p95_high_ms = 0;
  double mean_billed_ms = 0;
  // Per 1M invocations, from the REPORT lines: the function's request fee, the gateway's, and
  // the duration (GB-s) charge; usd_per_invocation is their sum / 1e6.
  double request_usd_per_million = 0;
  double gateway_usd_per_million = 0;
  double duration_usd_per_million = 0;
  double usd_per_million = 0;
  double usd_per_invocation = 0;
  std::optional<double> init_ms;  // the warm-ups' largest Init Duration (cold starts)
  int max_memory_used_mb = 0;
};

// An instance target of the same config, priced for the monthly comparison.
struct InstanceOption {
  std::string name;
  double usd_per_hour = 0;  // the whole target (count × price + fixed)
};

struct TuneAnalysis {
  std::vector<SizeFigures> sizes;  // measured sizes (at least one invocation), by memory
  std::optional<std::size_t> best_cost, best_speed, best_balanced;  // into sizes
  double balanced_weight = 0.5;
  TuneStrategy strategy = TuneStrategy::kBalanced;
  int original_memory_mb = 0;
  std::optional<double> traffic_rps;  // the user's average traffic, for the monthly figures
  std::vector<InstanceOption> instances;
  std::string sentence;  // the recommendation
};

SizeFigures FigureSize(const SizeRun& size, const ResolvedPricing& pricing);
// The best size per strategy: cost = lowest cost per invocation; speed = lowest mean billed
// duration, a tie going to the cheaper size; balanced = lowest weight × cost / max cost +
// (1 - weight) × duration / max duration (Power Tuning's balanced strategy).
TuneAnalysis AnalyzeTune(const TuneRun& run, const ResolvedPricing& pricing, TuneStrategy strategy,
                         double balanced_weight, std::optional<double> traffic_rps,
                         std::vector<InstanceOption> instances);

// Average traffic (requests/s) above which `instance` costs less per month than the Lambda at
// `usd_per_invocation`: the instance's monthly price over the Lambda's price of one request/s
// for a month. Assumes the instance target carries the traffic (the sweep measures whether it
// can).
double BreakEvenRps(double instance_usd_per_hour, double usd_per_invocation);

struct TuneReportFacts {
  std::string command_line;
  std::string target;
  std::string run_note;  // how it ended, restore result
};

std::string TuneMarkdown(const TuneAnalysis& analysis, const TuneReportFacts& facts);
std::string TuneCsv(const TuneAnalysis& analysis);
std::string PowerTuningChart(const TuneAnalysis& analysis);  // two y axes
std::string TuneMonthlyChart(const TuneAnalysis& analysis);  // "" without --traffic
// Writes report.md, results.csv, index.html and the charts into `dir`; "" when written.
std::string WriteTuneReport(const TuneAnalysis& analysis, const TuneReportFacts& facts,
                            const std::string& dir);

}  // namespace infercost

#endif  // INFERCOST_TUNE_TUNE_REPORT_H_
