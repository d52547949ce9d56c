// The recorder path: what the worker does per finished request besides libcurl's own work.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>

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
