// The histogram is on every request's path: Record() must stay far below the cost of a request
// (a few microseconds on loopback). Goal: under 20 ns.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "loadgen/histogram.h"

namespace loadgen {
namespace {

// Latencies spread over five decades, precomputed so the benchmark times only Record().
std::vector<int64_t> Values() {
  std::mt19937_64 rng(1);
  std::lognormal_distribution<double> d(13.0, 2.0);  // median ~440 µs
  std::vector<int64_t> v(4096);
  for (auto& x : v) x = static_cast<int64_t>(d(rng));
  return v;
}

void BM_HistogramRecord(benchmark::State& state) {
  const std::vector<int64_t> values = Values();
  LatencyHistogram h;
  std::size_t i = 0;
  for (auto _ : state) {
    h.Record(values[i++ & 4095]);
  }
  benchmark::DoNotOptimize(h.Count());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HistogramRecord);

void BM_BucketCountsRecord(benchmark::State& state) {
  const std::vector<int64_t> values = Values();
  // A typical exported layout: 20 bounds from 1 ms to 60 s.
  BucketCounts b({0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5,
                  0.75,  1,      1.5,   2,    3,     5,    10,  20,  30,  60});
  std::size_t i = 0;
  for (auto _ : state) {
    b.Record(values[i++ & 4095]);
  }
  benchmark::DoNotOptimize(b.total());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BucketCountsRecord);

void BM_HistogramQuantile(benchmark::State& state) {
  LatencyHistogram h;
  for (int64_t v : Values()) h.Record(v);
  for (auto _ : state) {
    benchmark::DoNotOptimize(h.ValueAtQuantileNs(0.99));
  }
}
BENCHMARK(BM_HistogramQuantile);

void BM_HistogramMerge(benchmark::State& state) {
  LatencyHistogram a, b;
  for (int64_t v : Values()) b.Record(v);
  for (auto _ : state) {
    a.Merge(b);
  }
  benchmark::DoNotOptimize(a.Count());
}
BENCHMARK(BM_HistogramMerge);

void BM_HistogramSparseRoundTrip(benchmark::State& state) {
  LatencyHistogram h;
  for (int64_t v : Values()) h.Record(v);
  for (auto _ : state) {
    LatencyHistogram copy;
    copy.MergeSparse(h.ToSparse(), h.MinNs(), h.MaxNs(), h.SumNs());
    benchmark::DoNotOptimize(copy.Count());
  }
}
BENCHMARK(BM_HistogramSparseRoundTrip);

}  // namespace
}  // namespace loadgen
BENCHMARK_MAIN();
