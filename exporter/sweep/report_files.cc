// results.csv, cold_starts.csv and writing every file of the report into --out.
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "sweep/report.h"

namespace infercost {
namespace {

std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string CsvNumber(double value) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.10g", value);
  return buffer;
}

bool WriteFile(const std::filesystem::path& path, const std::string& content, std::string* error) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) {
    *error = "cannot write " + path.string() + ": " + std::strerror(errno);
    return false;
  }
  file << content;
  file.close();
  if (!file) {
    *error = "cannot write " + path.string() + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace

std::string ResultsCsv(const SweepReport& report) {
  std::string out = "target,axis,offered,seconds,requests,ok";
  for (loadgen::Outcome outcome : loadgen::kAllOutcomes) {
    if (outcome != loadgen::Outcome::kOk) out += "," + std::string(loadgen::OutcomeName(outcome));
  }
  out +=
      ",dropped,error_ratio,cold_starts,effective_concurrency,ips,ips_low,ips_high,"
      "mean_latency_ms,p50_ms,p95_ms,p95_low_ms,p95_high_ms,p99_ms,p99_low_ms,p99_high_ms,"
      "max_latency_ms,usd_per_million,usd_per_million_low,usd_per_million_high,spend_usd,healthy,"
      "within_objective,knee,best\n";
  for (const TargetSweep& t : report.targets) {
    for (std::size_t i = 0; i < t.steps.size(); ++i) {
      const StepResult& s = t.steps[i];
      std::string row = CsvField(t.name) + "," +
                        (t.axis == LoadAxis::kConcurrency ? "concurrency" : "rate") + "," +
                        CsvNumber(s.offered) + "," + CsvNumber(s.seconds) + "," +
                        std::to_string(s.requests) + "," + std::to_string(s.ok);
      for (loadgen::Outcome outcome : loadgen::kAllOutcomes) {
        if (outcome == loadgen::Outcome::kOk) continue;
        row += "," + std::to_string(s.by_outcome[static_cast<std::size_t>(outcome)]);
      }
      const auto ms = [](double seconds) { return CsvNumber(seconds * 1000); };
      row += "," + std::to_string(s.dropped) + "," + CsvNumber(s.error_ratio) + "," +
             std::to_string(s.cold_starts) + "," + CsvNumber(s.effective_concurrency) + "," +
             CsvNumber(s.ips.value) + "," + CsvNumber(s.ips.low) + "," + CsvNumber(s.ips.high) +
             "," + ms(s.mean_latency_s) + "," + ms(s.p50_s) + "," + ms(s.p95_s.value) + "," +
             ms(s.p95_s.low) + "," + ms(s.p95_s.high) + "," + ms(s.p99_s.value) + "," +
             ms(s.p99_s.low) + "," + ms(s.p99_s.high) + "," + ms(s.max_latency_s) + ",";
      if (s.usd_per_million) {
        row += CsvNumber(s.usd_per_million->value) + "," + CsvNumber(s.usd_per_million->low) + "," +
               CsvNumber(s.usd_per_million->high);
      } else {
        row += ",,";
      }
      row += "," + CsvNumber(s.spend_usd) + "," + (s.healthy ? "1" : "0") + "," +
             (s.within_slo ? "1" : "0") + "," + (t.knee && *t.knee == i ? "1" : "0") + "," +
             (t.best && *t.best == i ? "1" : "0") + "\n";
      out += row;
    }
  }
  return out;
}

std::string ColdStartsCsv(const SweepReport& report) {
  std::string out =
      "target,idle_seconds,burst_concurrency,requests,cold_starts,probability,p95_ms,"
      "cold_p95_ms,hold_seconds\n";
  for (const ColdStartAnalysis& c : report.cold_starts) {
    for (const IdleGapResult& g : c.gaps) {
      out += CsvField(c.target) + "," + CsvNumber(g.idle_seconds) + "," +
             std::to_string(g.burst_concurrency) + "," + std::to_string(g.requests) + "," +
             std::to_string(g.cold_starts) + "," + CsvNumber(g.probability) + "," +
             CsvNumber(g.p95_s * 1000) + "," +
             (g.cold_starts > 0 ? CsvNumber(g.cold_p95_s * 1000) : std::string()) + "," +
             CsvNumber(g.hold_seconds) + "\n";
    }
  }
  return out;
}

WrittenReport WriteSweepReport(const SweepReport& report, const std::string& out_dir) {
  WrittenReport written;
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) {
    written.error = "cannot create --out directory " + out_dir + ": " + ec.message();
    return written;
  }
  std::vector<std::pair<std::string, std::string>> files = {
      {"report.md", ReportMarkdown(report)},          {"results.csv", ResultsCsv(report)},
      {"throughput.svg", ThroughputChart(report)},    {"latency_p95.svg", LatencyChart(report)},
      {"monthly_cost.svg", MonthlyCostChart(report)},
  };
  const std::string cold = ColdStartChart(report);
  if (!cold.empty()) files.emplace_back("cold_starts.svg", cold);
  std::vector<std::pair<std::string, std::string>> charts(files.begin() + 2, files.end());
  if (!report.cold_starts.empty()) files.emplace_back("cold_starts.csv", ColdStartsCsv(report));
  files.emplace_back("index.html", ReportHtml(report, charts));
  for (const auto& [name, content] : files) {
    const std::filesystem::path path = std::filesystem::path(out_dir) / name;
    if (!WriteFile(path, content, &written.error)) return written;
    written.files.push_back(path.string());
  }
  return written;
}

}  // namespace infercost
