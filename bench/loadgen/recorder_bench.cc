// The recorder path: what the worker does per finished request besides libcurl's own work.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <vector>

#include "loadgen/csv.h"
#include "loadgen/stats.h"

namespace loadgen {
namespace {

StatsOptions Options() {
  StatsOptions o;
  o.duration_bounds_seconds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5,
                               0.75,  1,      1.5,   2,    3,     5,    10,  20,  30,  60};
  o.cold_start_bounds_seconds = o.duration_bounds_seconds;
  o.lag_bounds_seconds = {0.0001, 0.001, 0.01, 0.1, 1};
  return o;
}

RequestRecord Record(int i) {
  RequestRecord r;
  r.scheduled_at = Clock::time_point(std::chrono::seconds(100));
  r.sent_at = r.scheduled_at + std::chrono::microseconds(i % 50);
  r.done_at = r.sent_at + std::chrono::microseconds(300 + (i * 7919) % 20000);
  r.http_status = 200;
  r.bytes_received = 200;
  r.bytes_sent = 4000;
  return r;
}

void BM_StatsRecorderOnRequestDone(benchmark::State& state) {
  TargetStats stats(Options());
  StatsRecorder recorder(&stats);
  std::vector<RequestRecord> records;
  for (int i = 0; i < 1024; ++i) records.push_back(Record(i));
  std::size_t i = 0;
  for (auto _ : state) {
    recorder.OnRequestDone(records[i++ & 1023]);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_StatsRecorderOnRequestDone);

// A publish per second per worker: merge into the totals plus a sparse slot in the window ring.
void BM_StatsPublish(benchmark::State& state) {
  TargetStats stats(Options());
  StatsRecorder recorder(&stats);
  Clock::time_point now = Clock::time_point(std::chrono::seconds(1000));
  for (auto _ : state) {
    for (int i = 0; i < 1000; ++i) recorder.OnRequestDone(Record(i));
    now += std::chrono::seconds(1);
    recorder.Flush(now, 64);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_StatsPublish);

void BM_Snapshot60sWindow(benchmark::State& state) {
  TargetStats stats(Options());
  StatsRecorder recorder(&stats);
  Clock::time_point now = Clock::time_point(std::chrono::seconds(1000));
  for (int s = 0; s < 60; ++s) {
    for (int i = 0; i < 1000; ++i) recorder.OnRequestDone(Record(i));
    now += std::chrono::seconds(1);
    recorder.Flush(now, 64);
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(stats.Snapshot(now).window.Requests());
  }
}
BENCHMARK(BM_Snapshot60sWindow);

// A service's second at a thousand targets of 2 requests per second each, 60 s windows full:
// every target publishes its interval and is snapshotted once, its memory cold by then as in
// the service. Argument: whether snapshots copy the window's latency histograms (1) or read the
// service's quantiles in place (0).
void BM_ThousandTargetsPublishAndSnapshot(benchmark::State& state) {
  constexpr int kTargets = 1000;
  StatsOptions options = Options();
  options.total_histograms = false;
  options.window_ok_and_cold_latency = false;
  options.window_latency_quantiles = {0.5, 0.9, 0.95, 0.99, 0.999};
  options.window_lag_quantiles = {0.99};
  options.window_histograms_in_snapshot = state.range(0) != 0;
  std::vector<std::unique_ptr<TargetStats>> stats;
  std::vector<std::unique_ptr<StatsRecorder>> recorders;
  std::vector<StatsSnapshot> snapshots(kTargets);
  Clock::time_point now = Clock::time_point(std::chrono::seconds(1000));
  for (int t = 0; t < kTargets; ++t) {
    stats.push_back(std::make_unique<TargetStats>(options, now));
    recorders.push_back(std::make_unique<StatsRecorder>(stats.back().get()));
  }
  int request = 0;
  auto second = [&] {
    now += std::chrono::seconds(1);
    for (int t = 0; t < kTargets; ++t) {
      for (int i = 0; i < 2; ++i) {
        RequestRecord r = Record(request++);
        // Lag from none to tens of milliseconds, as a loaded generator's.
        r.scheduled_at = r.sent_at - std::chrono::microseconds((request * 7877) % 30000);
        recorders[static_cast<std::size_t>(t)]->OnRequestDone(r);
      }
      recorders[static_cast<std::size_t>(t)]->Flush(now, 1);
    }
    for (int t = 0; t < kTargets; ++t) {
      stats[static_cast<std::size_t>(t)]->Snapshot(now + std::chrono::milliseconds(500),
                                                   &snapshots[static_cast<std::size_t>(t)]);
    }
  };
  for (int s = 0; s < 61; ++s) second();
  for (auto _ : state) second();
  state.SetItemsProcessed(state.iterations() * kTargets);
}
BENCHMARK(BM_ThousandTargetsPublishAndSnapshot)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond);

void BM_CsvRecorderOnRequestDone(benchmark::State& state) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("infercost_csv_bench_" + std::to_string(getpid()) + ".csv"))
                               .string();
  {
    CsvRecorder csv(path, "bench");
    std::vector<RequestRecord> records;
    for (int i = 0; i < 1024; ++i) records.push_back(Record(i));
    std::size_t i = 0;
    for (auto _ : state) {
      csv.OnRequestDone(records[i++ & 1023]);
    }
    csv.Close();
  }
  std::filesystem::remove(path);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CsvRecorderOnRequestDone);

}  // namespace
}  // namespace loadgen
