// The files `infercost sweep` writes into --out: report.md (the answer first, then tables, method
// and prices), results.csv (one row per target and step), cold_starts.csv (with --cold-starts),
// SVG charts and index.html (the report with the charts inlined). Thread contract: free functions
// over values; safe on any thread.
#ifndef INFERCOST_SWEEP_REPORT_H_
#define INFERCOST_SWEEP_REPORT_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sweep/analysis.h"

namespace infercost {

// How the sweep was run: what the method section of the report states.
struct SweepMethod {
  std::string fleet;            // "the embedded emulated AWS fleet" or the config file
  bool fleet_emulated = false;  // nothing was charged
  LoadAxis axis = LoadAxis::kConcurrency;
  std::vector<double> levels;  // concurrencies or rates, as asked
  double step_seconds = 0;     // target time
  double warmup_seconds = 0;
  int windows_per_step = 0;
  int bootstrap_samples = 0;
  uint64_t seed = 1;
  double time_scale = 1;
  bool parallel = true;
  SweepCriteria criteria;
  std::vector<double> idle_gaps_seconds;  // --cold-starts
  int burst_concurrency = 0;
  std::string command_line;
  std::string started_utc;  // ISO 8601
  double wall_seconds = 0;  // how long the sweep took
  double spend_usd = 0;     // what it would have cost (or cost) on the real platforms
};

struct SweepReport {
  SweepMethod method;
  Catalog catalog;  // where each price came from
  std::vector<TargetSweep> targets;
  Recommendation recommendation;
  std::vector<ColdStartAnalysis> cold_starts;
};

// Each file's content, built without I/O (tests check them directly).
std::string ReportMarkdown(const SweepReport& report);
std::string ReportHtml(const SweepReport& report);
// The same page with exactly these charts (file name, SVG) inlined, as WriteSweepReport writes it.
std::string ReportHtml(const SweepReport& report,
                       const std::vector<std::pair<std::string, std::string>>& charts);
std::string ResultsCsv(const SweepReport& report);
// One row per serverless target and idle gap of --cold-starts.
std::string ColdStartsCsv(const SweepReport& report);
std::string ThroughputChart(const SweepReport& report);
std::string LatencyChart(const SweepReport& report);
std::string MonthlyCostChart(const SweepReport& report);
std::string ColdStartChart(const SweepReport& report);  // "" without cold-start results

struct WrittenReport {
  std::vector<std::string> files;  // paths written
  std::string error;               // empty on success; else what failed and why
};

// Creates `out_dir` if needed and writes every file into it.
WrittenReport WriteSweepReport(const SweepReport& report, const std::string& out_dir);

}  // namespace infercost

#endif  // INFERCOST_SWEEP_REPORT_H_
