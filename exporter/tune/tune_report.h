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
  std::size_t function = 0;  // into TuneAnalysis::functions
  std::string architecture;
  int provisioned = 0;  // provisioned concurrency during the run (0: on demand)
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
  // Provisioned runs: the run's own charge for the time it was configured, and per 1M at the
  // user's traffic the share of a month of provisioned concurrency (in usd_per_million), and
  // the traffic above which it costs less than the same size on demand (nullopt: never).
  double provisioned_seconds = 0;
  double provisioned_usd = 0;
  double provisioned_usd_per_million = 0;
  std::optional<double> pays_off_rps;
};

// An instance target of the same config, priced for the monthly comparison.
struct InstanceOption {
  std::string name;
  double usd_per_hour = 0;  // the whole target (count × price + fixed)
};

struct TuneAnalysis {
  std::vector<TunedFunction> functions;
  bool provisioned = false;        // runs with provisioned concurrency were asked for
  std::vector<SizeFigures> sizes;  // measured runs (at least one invocation), by memory,
                                   // function, then on demand before provisioned
  std::optional<std::size_t> best_cost, best_speed, best_balanced;  // into sizes
  double balanced_weight = 0.5;
  TuneStrategy strategy = TuneStrategy::kBalanced;
  int original_memory_mb = 0;
  std::optional<double> traffic_rps;  // the user's average traffic, for the monthly figures
  std::vector<InstanceOption> instances;
  std::string sentence;  // the recommendation
};

// One run's figures, priced at its architecture (and, provisioned, at `traffic_rps`: required).
SizeFigures FigureSize(const SizeRun& size, const std::string& architecture,
                       const TunePrices& prices, std::optional<double> traffic_rps);
// Provisioned concurrency's monthly share per 1M invocations and its break-even against the
// on-demand run of the same size (filled into `provisioned`).
void PriceProvisioned(const SizeFigures& on_demand, const ArchitecturePrices& prices,
                      double traffic_rps, SizeFigures* provisioned);
// The best run per strategy, across functions and provisioned concurrency: cost = lowest cost
// per invocation; speed = lowest mean billed duration, a tie going to the cheaper run;
// balanced = lowest weight × cost / max cost + (1 - weight) × duration / max duration (Power
// Tuning's balanced strategy).
TuneAnalysis AnalyzeTune(const TuneRun& run, const TunePrices& prices, TuneStrategy strategy,
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
std::string PowerTuningChart(const TuneAnalysis& analysis);  // two y axes, one series per
                                                             // function and provisioning
// How a run is named in the report: "1024 MB", with the function and architecture when two
// functions were tuned, and "provisioned N" for a provisioned run.
std::string RunLabel(const TuneAnalysis& analysis, const SizeFigures& size);
std::string SeriesLabel(const TuneAnalysis& analysis, const SizeFigures& size);
std::string TuneMonthlyChart(const TuneAnalysis& analysis);  // "" without --traffic
// Writes report.md, results.csv, index.html and the charts into `dir`; "" when written.
std::string WriteTuneReport(const TuneAnalysis& analysis, const TuneReportFacts& facts,
                            const std::string& dir);

}  // namespace infercost

#endif  // INFERCOST_TUNE_TUNE_REPORT_H_
