#include "loadgen/stats.h"

#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

namespace loadgen {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

const Clock::time_point kT0 = Clock::time_point(seconds(1'000'000));

RequestRecord Request(Outcome outcome, int status, Clock::duration latency,
                      std::optional<Clock::duration> billed = std::nullopt) {
  RequestRecord r;
  r.scheduled_at = kT0;
  r.sent_at = kT0;
  r.done_at = kT0 + latency;
  r.outcome = outcome;
  r.http_status = status;
  r.billing_class = BillingClassOf(outcome, status, AwsError::kNone, /*lambda_invoke=*/false);
  r.billed_duration = billed;
  r.bytes_sent = 100;
  r.bytes_received = 10;
  return r;
}

StatsOptions Options() {
  StatsOptions o;
  o.window = seconds(60);
  o.publish_interval = seconds(1);
  o.duration_bounds_seconds = {0.01, 0.1, 1};
  o.cold_start_bounds_seconds = {1};
  o.lag_bounds_seconds = {0.001};
  o.billed_duration_bounds_seconds = {0.01, 0.1};
  o.init_duration_bounds_seconds = {0.1, 1};
  return o;
}

// A Lambda Invoke response as the engine records it: the REPORT line's billed duration is the
// record's, its Init Duration the cold start.
RequestRecord Invoked(Outcome outcome, Clock::duration latency, int billed_ms, int used_mb,
                      std::optional<Clock::duration> init = std::nullopt) {
  RequestRecord r = Request(outcome, 200, latency, milliseconds(billed_ms));
  r.billing_class = BillingClassOf(outcome, 200, AwsError::kNone, /*lambda_invoke=*/true);
  r.report = LambdaReport{.duration = milliseconds(billed_ms - 1),
                          .billed_duration = milliseconds(billed_ms),
                          .memory_size_mb = 1024,
                          .max_memory_used_mb = used_mb,
                          .init_duration = init};
  r.cold_start = init.has_value();
  return r;
}

TEST(Interval, CountsOutcomesLatenciesAndBytes) {
  Interval in(Options());
  in.Add(Request(Outcome::kOk, 200, milliseconds(5)));
  in.Add(Request(Outcome::kHttp5xx, 500, milliseconds(50)));
  RequestRecord cold = Request(Outcome::kOk, 200, milliseconds(500));
  cold.cold_start = true;
  in.Add(cold);
  EXPECT_EQ(in.Requests(), 3u);
  EXPECT_EQ(in.Ok(), 2u);
  EXPECT_EQ(in.Failed(), 1u);
  EXPECT_EQ(in.requests[static_cast<std::size_t>(Outcome::kHttp5xx)], 1u);
  EXPECT_EQ(in.latency.Count(), 3u);
  EXPECT_EQ(in.ok_latency.Count(), 2u);
  EXPECT_EQ(in.ok_latency.MaxNs(), 500'000'000);
  EXPECT_EQ(in.cold_starts, 1u);
  EXPECT_EQ(in.cold_latency.Count(), 1u);
  EXPECT_EQ(in.cold_start_buckets.counts(), (std::vector<uint64_t>{1, 0}));
  EXPECT_EQ(in.duration_buckets.counts(), (std::vector<uint64_t>{1, 1, 1, 0}));
  EXPECT_EQ(in.bytes_sent, 300u);
  EXPECT_EQ(in.bytes_received, 30u);
  EXPECT_EQ(in.lag.Count(), 3u);
  EXPECT_EQ(in.lag_buckets.counts(), (std::vector<uint64_t>{3, 0}));
}

TEST(Interval, LatencyIsFromTheIntendedSendTimeAndLagIsSeparate) {
  Interval in(Options());
  RequestRecord late = Request(Outcome::kOk, 200, milliseconds(10));
  late.sent_at = kT0 + milliseconds(3);  // sent 3 ms after its intended time
  in.Add(late);
  EXPECT_EQ(in.latency.MaxNs(), 10'000'000);
  EXPECT_EQ(in.lag.MaxNs(), 3'000'000);
  EXPECT_EQ(in.lag_buckets.counts(), (std::vector<uint64_t>{0, 1}));
}

// Each request counts in its billing class with its billed duration: whether AWS bills it is the
// cost model's billability table's call, not the engine's.
TEST(Interval, CountsBilledDurationPerBillingClass) {
  Interval in(Options());
  // From the header: taken as is.
  in.Add(Request(Outcome::kOk, 200, milliseconds(120), microseconds(100'400)));
  // No header: measured service time rounded up to the next millisecond.
  in.Add(Request(Outcome::kOk, 200, microseconds(1'200)));
  in.Add(Request(Outcome::kHttp5xx, 500, microseconds(3'000)));
  in.Add(Request(Outcome::kTimeout, 0, microseconds(29'000'001)));
  in.Add(Request(Outcome::kThrottled, 429, milliseconds(7)));
  in.Add(Request(Outcome::kConnectError, 0, milliseconds(9)));
  in.Add(Request(Outcome::kTlsError, 0, milliseconds(9)));
  auto of = [&](BillingClass c) { return in.by_billing_class[static_cast<std::size_t>(c)]; };
  EXPECT_EQ(of(BillingClass::kOk).requests, 2u);
  EXPECT_EQ(of(BillingClass::kOk).billed_ms, 101u + 2u);
  EXPECT_EQ(of(BillingClass::kOk).billed_by_aws, 1u);
  EXPECT_EQ(of(BillingClass::kOk).bytes_sent, 200u);
  EXPECT_EQ(of(BillingClass::kFunction5xx).billed_ms, 3u);
  EXPECT_EQ(of(BillingClass::kClientTimeout).billed_ms, 29'001u);
  EXPECT_EQ(of(BillingClass::kGatewayThrottled).requests, 1u);
  EXPECT_EQ(of(BillingClass::kConnectionFailed).requests, 2u);
  EXPECT_EQ(in.billed_from_header, 1u);
  Interval merged(Options());
  merged.Merge(in);
  merged.Merge(in);
  EXPECT_EQ(merged.by_billing_class[0].billed_ms, 2 * (101u + 2u));
  merged.Clear();
  EXPECT_EQ(merged.by_billing_class[0].requests, 0u);
}

// AWS's word first: the REPORT line, then the header; what is left is estimated from latency.
TEST(Interval, BilledDurationSaysWhereItCameFrom) {
  Interval in(Options());
  in.Add(Invoked(Outcome::kOk, milliseconds(40), 13, 70, milliseconds(200)));
  in.Add(Invoked(Outcome::kOk, milliseconds(30), 5, 90));
  // A function error ran and is billed, by its REPORT line too.
  in.Add(Invoked(Outcome::kFunctionError, milliseconds(300), 250, 80));
  in.Add(Request(Outcome::kOk, 200, milliseconds(120), microseconds(100'400)));  // header
  in.Add(Request(Outcome::kOk, 200, microseconds(1'200)));                       // latency
  in.Add(Request(Outcome::kThrottled, 429, milliseconds(7)));                    // not billed
  EXPECT_EQ(in.billed_from_report, 3u);
  EXPECT_EQ(in.billed_from_header, 1u);
  EXPECT_EQ(in.BilledByAws(), 4u);
  const auto ok = in.by_billing_class[static_cast<std::size_t>(BillingClass::kOk)];
  EXPECT_EQ(ok.billed_ms, 13u + 5u + 101u + 2u);
  EXPECT_EQ(in.by_billing_class[static_cast<std::size_t>(BillingClass::kFunctionError)].billed_ms,
            250u);
  // The histogram holds AWS's figures only, as billed: 5 and 13 ms, 101 ms, 250 ms.
  EXPECT_EQ(in.billed_duration_buckets.counts(), (std::vector<uint64_t>{1, 1, 2}));
  EXPECT_NEAR(in.billed_duration_buckets.sum_seconds(), 0.369, 1e-12);
  EXPECT_EQ(in.init_duration_buckets.counts(), (std::vector<uint64_t>{0, 1, 0}));
  EXPECT_EQ(in.cold_starts, 1u);
  EXPECT_EQ(in.max_memory_used_mb, 90);
  EXPECT_EQ(in.memory_size_mb, 1024);
  EXPECT_EQ(in.requests[static_cast<std::size_t>(Outcome::kFunctionError)], 1u);
}

TEST(Interval, LambdaFiguresMergeAndClear) {
  Interval a(Options()), b(Options());
  a.Add(Invoked(Outcome::kOk, milliseconds(40), 13, 70, milliseconds(200)));
  b.Add(Invoked(Outcome::kOk, milliseconds(40), 13, 95));
  a.Merge(b);
  EXPECT_EQ(a.billed_from_report, 2u);
  EXPECT_EQ(a.max_memory_used_mb, 95);
  EXPECT_EQ(a.billed_duration_buckets.total(), 2u);
  EXPECT_EQ(a.init_duration_buckets.total(), 1u);
  a.Clear();
  EXPECT_EQ(a.billed_from_report, 0u);
  EXPECT_EQ(a.max_memory_used_mb, 0);
  EXPECT_EQ(a.memory_size_mb, 0);
  EXPECT_EQ(a.billed_duration_buckets.total(), 0u);
  EXPECT_EQ(a.init_duration_buckets.total(), 0u);
}

TEST(Interval, BilledDurationUsesServiceTimeNotScheduleLag) {
  RequestRecord r = Request(Outcome::kOk, 200, milliseconds(10));
  r.sent_at = kT0 + milliseconds(4);  // 4 ms of generator lag are not the function's time
  EXPECT_EQ(BilledMs(r), 6u);
}

TEST(Interval, MergeAndClear) {
  Interval a(Options()), b(Options());
  a.Add(Request(Outcome::kOk, 200, milliseconds(1)));
  b.Add(Request(Outcome::kThrottled, 429, milliseconds(2)));
  ++b.dropped;
  a.Merge(b);
  EXPECT_EQ(a.Requests(), 2u);
  EXPECT_EQ(a.dropped, 1u);
  EXPECT_EQ(a.latency.Count(), 2u);
  EXPECT_EQ(a.duration_buckets.total(), 2u);
  a.Clear();
  EXPECT_EQ(a.Requests(), 0u);
  EXPECT_EQ(a.latency.Count(), 0u);
  EXPECT_EQ(a.duration_buckets.total(), 0u);
  EXPECT_EQ(a.duration_buckets.bounds_seconds().size(), 3u);  // the shape stays
}

TEST(StatsRecorder, PublishesOncePerIntervalOnTicks) {
  TargetStats stats(Options(), kT0);
  StatsRecorder recorder(&stats);
  recorder.OnTick(kT0, 0);
  recorder.OnRequestDone(Request(Outcome::kOk, 200, milliseconds(5)));
  recorder.OnTick(kT0 + milliseconds(250), 3);
  // Not yet published: a tick before publish_interval keeps it private.
  EXPECT_EQ(stats.Snapshot(kT0 + milliseconds(300)).total.Requests(), 0u);
  recorder.OnTick(kT0 + seconds(1), 3);
  const StatsSnapshot s = stats.Snapshot(kT0 + seconds(1));
  EXPECT_EQ(s.total.Requests(), 1u);
  EXPECT_EQ(s.window.Requests(), 1u);
  EXPECT_EQ(s.window_span, seconds(1));
  EXPECT_EQ(s.in_flight, 3);
  recorder.OnDropped(kT0 + milliseconds(1100));
  recorder.Flush(kT0 + milliseconds(1200), 0);
  EXPECT_EQ(stats.Snapshot(kT0 + seconds(2)).total.dropped, 1u);
}

// Publishes on a grid (publish_on_clock_grid): at publish_phase past each multiple of
// publish_interval since the clock's epoch, whenever the recorder started and however late each
// tick comes; a late tick does not shift the publishes after it. Without the grid, a late tick
// moves every later publish (one interval after the previous one).
TEST(StatsRecorder, PublishesOnTheClockGridWithoutDrift) {
  StatsOptions options = Options();
  options.publish_on_clock_grid = true;
  options.publish_phase = milliseconds(300);
  const Clock::time_point start = kT0 + milliseconds(1700);  // kT0 is on the grid
  TargetStats stats(options, start);
  StatsRecorder recorder(&stats);
  recorder.OnTick(start, 0);
  // The first publish is due at the first grid point after the start: kT0 + 2.3 s.
  EXPECT_EQ(recorder.NextTick(start), kT0 + milliseconds(2300));
  recorder.OnRequestDone(Request(Outcome::kOk, 200, milliseconds(5)));
  recorder.OnTick(kT0 + milliseconds(2299), 0);
  EXPECT_EQ(stats.Snapshot(kT0 + milliseconds(2299)).total.Requests(), 0u);
  // Woken 40 ms late: published, and the next one is still due at kT0 + 3.3 s.
  recorder.OnTick(kT0 + milliseconds(2340), 0);
  EXPECT_EQ(stats.Snapshot(kT0 + milliseconds(2340)).total.Requests(), 1u);
  EXPECT_EQ(recorder.NextTick(kT0 + milliseconds(2340)), kT0 + milliseconds(3300));
  // A thousand late ticks later, still on the grid.
  Clock::time_point now = kT0 + milliseconds(2340);
  for (int i = 0; i < 1000; ++i) {
    now = recorder.NextTick(now) + milliseconds(40);
    recorder.OnTick(now, 0);
  }
  EXPECT_EQ(recorder.NextTick(now), kT0 + milliseconds(1003300));
  // Asleep for 2.5 intervals: one publish, then the next grid point after it.
  recorder.OnTick(now + milliseconds(2500), 0);
  EXPECT_EQ(recorder.NextTick(now), kT0 + milliseconds(1005300));

  // Off the grid, the same late ticks drift: each publish is one interval after the previous.
  TargetStats drifting_stats(Options(), start);
  StatsRecorder drifting(&drifting_stats);
  drifting.OnTick(start, 0);
  now = start;
  for (int i = 0; i < 10; ++i) {
    now = drifting.NextTick(now) + milliseconds(40);
    drifting.OnTick(now, 0);
  }
  EXPECT_EQ(drifting.NextTick(now), start + seconds(11) + milliseconds(400));
}

TEST(TargetStats, SlidingWindowKeepsOnlyTheLastWindow) {
  TargetStats stats(Options(), kT0);
  StatsRecorder recorder(&stats);
  recorder.OnTick(kT0, 0);
  // One request per second for 100 s, published every second.
  for (int i = 1; i <= 100; ++i) {
    RequestRecord r = Request(Outcome::kOk, 200, milliseconds(i));
    r.scheduled_at = r.sent_at = kT0 + seconds(i - 1);
    r.done_at = r.sent_at + milliseconds(i);
    recorder.OnRequestDone(r);
    recorder.OnTick(kT0 + seconds(i), 1);
  }
  const StatsSnapshot s = stats.Snapshot(kT0 + seconds(100));
  EXPECT_EQ(s.total.Ok(), 100u);
  EXPECT_EQ(s.window.Ok(), 60u);
  EXPECT_EQ(s.window_span, seconds(60));
  // The window holds requests 41..100, whose latencies were 41..100 ms.
  EXPECT_EQ(s.window.ok_latency.MinNs(), 41'000'000);
  EXPECT_EQ(s.window.ok_latency.MaxNs(), 100'000'000);
  EXPECT_EQ(s.total.ok_latency.MinNs(), 1'000'000);
  // Counters never go backwards; the window moves on.
  const StatsSnapshot later = stats.Snapshot(kT0 + seconds(130));
  EXPECT_EQ(later.total.Ok(), 100u);
  EXPECT_EQ(later.window.Ok(), 30u);
}

// A reader that takes every snapshot into the same StatsSnapshot (serve's updater) sees what a
// fresh one shows, also once the window has emptied and the extremes must not linger.
TEST(TargetStats, SnapshotIntoAReusedOneEqualsAFreshOne) {
  TargetStats stats(Options(), kT0);
  StatsRecorder recorder(&stats);
  recorder.OnTick(kT0, 0);
  for (int i = 1; i <= 70; ++i) {
    RequestRecord r = Request(i % 10 == 0 ? Outcome::kHttp5xx : Outcome::kOk, 200,
                              milliseconds(i % 7 == 0 ? 900 : 20 + i));
    r.scheduled_at = r.sent_at = kT0 + seconds(i - 1);
    r.done_at = r.sent_at + milliseconds(20 + i);
    recorder.OnRequestDone(r);
    recorder.OnTick(kT0 + seconds(i), 2);
  }
  StatsSnapshot reused;
  for (int at : {70, 75, 100, 129, 131, 500}) {
    SCOPED_TRACE("at " + std::to_string(at) + " s");
    const Clock::time_point now = kT0 + seconds(at);
    stats.Snapshot(now, &reused);
    const StatsSnapshot fresh = stats.Snapshot(now);
    EXPECT_EQ(reused.taken_at, now);
    EXPECT_EQ(reused.window_span, fresh.window_span);
    EXPECT_EQ(reused.in_flight, fresh.in_flight);
    EXPECT_EQ(reused.total.requests, fresh.total.requests);
    EXPECT_EQ(reused.window.requests, fresh.window.requests);
    EXPECT_EQ(reused.window.latency.Count(), fresh.window.latency.Count());
    EXPECT_EQ(reused.window.latency.MinNs(), fresh.window.latency.MinNs());
    EXPECT_EQ(reused.window.latency.MaxNs(), fresh.window.latency.MaxNs());
    EXPECT_EQ(reused.window.ok_latency.ValueAtQuantileNs(0.99),
              fresh.window.ok_latency.ValueAtQuantileNs(0.99));
    EXPECT_EQ(reused.window.duration_buckets.counts(), fresh.window.duration_buckets.counts());
  }
  // The last two found the window empty: nothing of the earlier snapshots is left in it.
  EXPECT_EQ(reused.window.Requests(), 0u);
  EXPECT_EQ(reused.window_span, Clock::duration(0));
  EXPECT_EQ(reused.window.latency.MaxNs(), 0);
  EXPECT_EQ(reused.total.Requests(), 70u);
}

// serve's setting: totals keep counters and bucket histograms, quantiles come from the window.
TEST(TargetStats, TotalsWithoutHistogramsKeepEveryCounter) {
  StatsOptions options = Options();
  options.total_histograms = false;
  TargetStats stats(options, kT0);
  StatsRecorder recorder(&stats);
  recorder.OnTick(kT0, 0);
  for (int i = 1; i <= 90; ++i) {
    RequestRecord r = Request(i % 10 == 0 ? Outcome::kHttp5xx : Outcome::kOk, 200, milliseconds(i));
    r.scheduled_at = r.sent_at = kT0 + seconds(i - 1);
    r.done_at = r.sent_at + milliseconds(i);
    recorder.OnRequestDone(r);
    recorder.OnTick(kT0 + seconds(i), 1);
  }
  const StatsSnapshot s = stats.Snapshot(kT0 + seconds(90));
  EXPECT_EQ(s.total.Requests(), 90u);
  EXPECT_EQ(s.total.Ok(), 81u);
  EXPECT_EQ(s.total.duration_buckets.total(), 90u);
  EXPECT_EQ(s.total.bytes_sent, 9'000u);
  EXPECT_EQ(s.total.latency.Count(), 0u);  // not kept
  EXPECT_EQ(s.window.latency.Count(), 60u);
  EXPECT_EQ(s.window.latency.MinNs(), 31'000'000);
  EXPECT_EQ(s.window.lag.Count(), 60u);
  // The window's bucket histograms come back from the slots' sparse form, bucket by bucket.
  EXPECT_EQ(s.window.duration_buckets.total(), 60u);
  EXPECT_NEAR(s.window.duration_buckets.sum_seconds(), (31 + 90) * 60 / 2 * 1e-3, 1e-9);
  EXPECT_EQ(s.window.duration_buckets.counts().size(), s.total.duration_buckets.counts().size());
}

// A reload may change the window: totals stay, a shorter window applies at once, a longer one
// fills up as time passes (what was already dropped does not come back).
// The highest Max Memory Used is the window's: it falls when the window moves on.
TEST(TargetStats, WindowCarriesTheLambdaFigures) {
  TargetStats stats(Options(), kT0);
  StatsRecorder recorder(&stats);
  recorder.OnTick(kT0, 0);
  for (int i = 1; i <= 100; ++i) {
    RequestRecord r =
        Invoked(Outcome::kOk, milliseconds(20), 10, i == 10 ? 300 : 60 + i % 5,
                i == 10 ? std::optional<Clock::duration>(milliseconds(250)) : std::nullopt);
    r.scheduled_at = r.sent_at = kT0 + seconds(i - 1);
    r.done_at = r.sent_at + milliseconds(20);
    recorder.OnRequestDone(r);
    recorder.OnTick(kT0 + seconds(i), 1);
  }
  const StatsSnapshot s = stats.Snapshot(kT0 + seconds(100));
  EXPECT_EQ(s.total.max_memory_used_mb, 300);
  EXPECT_EQ(s.total.init_duration_buckets.total(), 1u);
  EXPECT_EQ(s.total.billed_from_report, 100u);
  EXPECT_EQ(s.window.max_memory_used_mb, 64);
  EXPECT_EQ(s.window.memory_size_mb, 1024);
  EXPECT_EQ(s.window.init_duration_buckets.total(), 0u);
  EXPECT_EQ(s.window.billed_from_report, 60u);
  EXPECT_EQ(s.window.billed_duration_buckets.total(), 60u);
}

TEST(TargetStats, SetWindowKeepsTotals) {
  TargetStats stats(Options(), kT0);
  StatsRecorder recorder(&stats);
  recorder.OnTick(kT0, 0);
  auto second = [&](int i) {
    RequestRecord r = Request(Outcome::kOk, 200, milliseconds(1));
    r.scheduled_at = r.sent_at = kT0 + seconds(i - 1);
    r.done_at = r.sent_at + milliseconds(1);
    recorder.OnRequestDone(r);
    recorder.OnTick(kT0 + seconds(i), 1);
  };
  for (int i = 1; i <= 100; ++i) second(i);
  stats.SetWindow(seconds(30));
  StatsSnapshot s = stats.Snapshot(kT0 + seconds(100));
  EXPECT_EQ(s.total.Ok(), 100u);
  EXPECT_EQ(s.window.Ok(), 30u);
  EXPECT_EQ(s.window_span, seconds(30));
  stats.SetWindow(seconds(90));
  s = stats.Snapshot(kT0 + seconds(100));
  EXPECT_EQ(s.window.Ok(), 60u);  // the ring held 60 s when the window was shortened
  for (int i = 101; i <= 200; ++i) second(i);
  s = stats.Snapshot(kT0 + seconds(200));
  EXPECT_EQ(s.total.Ok(), 200u);
  EXPECT_EQ(s.window.Ok(), 90u);
  EXPECT_EQ(s.window_span, seconds(90));
}

TEST(TargetStats, SeveralRecordersFeedOneTarget) {
  TargetStats stats(Options(), kT0);
  StatsRecorder a(&stats), b(&stats);
  a.OnRequestDone(Request(Outcome::kOk, 200, milliseconds(1)));
  b.OnRequestDone(Request(Outcome::kOk, 200, milliseconds(2)));
  b.OnRequestDone(Request(Outcome::kOk, 200, milliseconds(3)));
  a.Flush(kT0 + seconds(1), 2);
  b.Flush(kT0 + seconds(1), 5);
  const StatsSnapshot s = stats.Snapshot(kT0 + seconds(1));
  EXPECT_EQ(s.total.Ok(), 3u);
  EXPECT_EQ(s.window.Ok(), 3u);
  EXPECT_EQ(s.in_flight, 7);
}

TEST(TargetStats, StageIsReported) {
  TargetStats stats(Options(), kT0);
  StatsRecorder recorder(&stats);
  Stage stage;
  stage.kind = Stage::Kind::kOpen;
  stage.rate = 5;
  recorder.OnStage(2, stage, true);
  const StatsSnapshot s = stats.Snapshot(kT0);
  EXPECT_EQ(s.stage_index, 2);
  EXPECT_EQ(s.stage.rate, 5);
  EXPECT_TRUE(s.load_active);
  EXPECT_EQ(s.window_span, Clock::duration(0));
}

// The window is a running sum (a publish adds its interval, subtracts those that leave): it must
// equal a merge of the intervals inside the window, whatever the order of events. Random
// requests, one recorder or two publishing at their own pace, window changes, snapshots taken a
// little before the last publish, and enough publishes to cross the periodic rebuild of the sum.
// Also the ring of slots (it grows as the window lengthens and refills slots in place) and the
// window's extremes: read off the slots when two recorders' starts interleave, kept as slots
// come and go (SlidingExtreme) when one recorder's are in order.
void CheckRunningWindow(int sources, uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  StatsOptions options = Options();
  options.window = seconds(20);
  options.window_latency_quantiles = {0.5, 0.9, 0.99, 0.999};
  options.window_lag_quantiles = {0.99, 0.5};
  TargetStats stats(options, kT0);
  // The service's setting: the same intervals, summaries read in place, no latency buckets
  // copied, no successful or cold-start latencies kept, no exported buckets in the window.
  StatsOptions in_place_options = options;
  in_place_options.window_histograms_in_snapshot = false;
  in_place_options.window_ok_and_cold_latency = false;
  in_place_options.total_histograms = false;
  in_place_options.window_exported_buckets = false;
  TargetStats in_place(in_place_options, kT0);
  StatsSnapshot in_place_snap;
  struct Published {
    Clock::time_point start, end;
    Interval interval;
  };
  std::vector<Published> kept;  // what the ring should hold, by its rule
  Interval all(options);        // every interval published
  Clock::duration window = options.window;
  Clock::time_point last_end[2] = {kT0, kT0};
  Clock::time_point now = kT0;
  int snapshots = 0;
  StatsSnapshot reused;
  for (int step = 0; step < 4'500; ++step) {
    // Two recorders alternate at random, or the second publishes seldom: its slots then start
    // long before those published just ahead of them, some outside the window.
    const bool seldom = step % 1'000 >= 500;
    const int source = sources == 1 ? 0
                       : seldom     ? static_cast<int>(uniform(0, 40) == 0)
                                    : uniform(0, 1);
    now += milliseconds(uniform(100, 900));
    Interval in(options);
    const int requests = uniform(0, 6) == 0 ? 0 : uniform(1, 8);
    for (int i = 0; i < requests; ++i) {
      const auto outcome = uniform(0, 9) == 0 ? Outcome::kHttp5xx : Outcome::kOk;
      const auto latency =
          microseconds(uniform(0, 3) == 0 ? uniform(1, 5'000'000) : uniform(500, 30'000));
      RequestRecord r =
          uniform(0, 2) == 0
              ? Invoked(outcome, latency, uniform(1, 900), uniform(50, 400),
                        uniform(0, 20) == 0
                            ? std::optional<Clock::duration>(milliseconds(uniform(100, 900)))
                            : std::nullopt)
              : Request(outcome, 200, latency);
      r.scheduled_at = now - latency - microseconds(uniform(0, 2'000));
      r.sent_at = now - latency;
      r.done_at = now;
      in.Add(r);
    }
    in.dropped = static_cast<uint64_t>(uniform(0, 10) == 0);
    stats.Publish(in, now, 0, source);
    in_place.Publish(in, now, 0, source);
    kept.push_back({std::min(last_end[source], now), now, in});
    all.Merge(in);
    last_end[source] = now;
    // The ring drops from its front only (with two recorders, starts are not in order).
    auto first_kept = kept.begin();
    while (first_kept != kept.end() && first_kept->start < now - window) ++first_kept;
    kept.erase(kept.begin(), first_kept);
    if (uniform(0, 400) == 0) {
      window = seconds(uniform(5, 40));
      stats.SetWindow(window);
      in_place.SetWindow(window);
    }
    if (uniform(0, 4) != 0) continue;
    // A reader's clock may be read just before the last publish.
    const Clock::time_point at = now - milliseconds(uniform(0, 3) == 0 ? uniform(1, 600) : 0);
    // Every other snapshot is taken into one kept across the run (a reader reusing its
    // buffers); it must equal a fresh one.
    const StatsSnapshot fresh = stats.Snapshot(at);
    const bool into_reused = (snapshots % 2) == 1;
    if (into_reused) stats.Snapshot(at, &reused);
    const StatsSnapshot& snap = into_reused ? reused : fresh;
    Interval expected(options);
    for (const Published& p : kept) {
      if (p.start < at - window || p.start > at) continue;
      expected.Merge(p.interval);
    }
    const Interval& got = snap.window;
    ++snapshots;
    SCOPED_TRACE("step " + std::to_string(step) + (into_reused ? ", reused snapshot" : ""));
    ASSERT_EQ(snap.window_span, fresh.window_span);
    ASSERT_EQ(snap.total.requests, fresh.total.requests);
    ASSERT_EQ(snap.total.latency.Count(), fresh.total.latency.Count());
    ASSERT_EQ(snap.total.duration_buckets.counts(), fresh.total.duration_buckets.counts());
    ASSERT_EQ(got.requests, expected.requests);
    ASSERT_EQ(got.dropped, expected.dropped);
    ASSERT_EQ(got.cold_starts, expected.cold_starts);
    ASSERT_EQ(got.billed_from_report, expected.billed_from_report);
    ASSERT_EQ(got.billed_from_header, expected.billed_from_header);
    // Every counter of every billing class (the slots pack only the non-zero ones).
    auto same_billed = [](const Interval& a, const Interval& b) {
      for (std::size_t c = 0; c < kBillingClassCount; ++c) {
        const BilledCounts& x = a.by_billing_class[c];
        const BilledCounts& y = b.by_billing_class[c];
        if (std::tie(x.requests, x.billed_ms, x.billed_by_aws, x.bytes_sent, x.bytes_received) !=
            std::tie(y.requests, y.billed_ms, y.billed_by_aws, y.bytes_sent, y.bytes_received)) {
          return false;
        }
      }
      return true;
    };
    ASSERT_TRUE(same_billed(got, expected));
    ASSERT_EQ(got.memory_size_mb, expected.memory_size_mb);
    ASSERT_EQ(got.max_memory_used_mb, expected.max_memory_used_mb);
    ASSERT_EQ(got.bytes_received, expected.bytes_received);
    ASSERT_NEAR(got.billed_by_aws_latency_seconds, expected.billed_by_aws_latency_seconds,
                1e-9 * expected.billed_by_aws_latency_seconds + 1e-12);
    ASSERT_EQ(got.MeanClientOverheadSeconds().has_value(),
              expected.MeanClientOverheadSeconds().has_value());
    if (expected.MeanClientOverheadSeconds()) {
      ASSERT_NEAR(*got.MeanClientOverheadSeconds(), *expected.MeanClientOverheadSeconds(), 1e-9);
    }
    for (auto [g, e] : {std::pair{&got.latency, &expected.latency},
                        std::pair{&got.ok_latency, &expected.ok_latency},
                        std::pair{&got.cold_latency, &expected.cold_latency},
                        std::pair{&got.lag, &expected.lag}}) {
      ASSERT_EQ(g->Count(), e->Count());
      ASSERT_EQ(g->MinNs(), e->MinNs());
      ASSERT_EQ(g->MaxNs(), e->MaxNs());
      ASSERT_NEAR(g->SumNs(), e->SumNs(), 1e-9 * e->SumNs() + 1e-3);
      for (double q : {0.5, 0.9, 0.99}) ASSERT_EQ(g->ValueAtQuantileNs(q), e->ValueAtQuantileNs(q));
    }
    for (auto [g, e] : {std::pair{&got.duration_buckets, &expected.duration_buckets},
                        std::pair{&got.cold_start_buckets, &expected.cold_start_buckets},
                        std::pair{&got.lag_buckets, &expected.lag_buckets},
                        std::pair{&got.billed_duration_buckets, &expected.billed_duration_buckets},
                        std::pair{&got.init_duration_buckets, &expected.init_duration_buckets}}) {
      ASSERT_EQ(g->counts(), e->counts());
      ASSERT_NEAR(g->sum_seconds(), e->sum_seconds(), 1e-9 * e->sum_seconds() + 1e-12);
    }
    // The summaries, from the copies and in place, are those of the expected window.
    in_place.Snapshot(at, &in_place_snap);
    ASSERT_EQ(in_place_snap.window_span, snap.window_span);
    ASSERT_EQ(in_place_snap.window.requests, expected.requests);
    ASSERT_EQ(in_place_snap.window.dropped, expected.dropped);
    ASSERT_EQ(in_place_snap.window.cold_starts, expected.cold_starts);
    ASSERT_EQ(in_place_snap.window.billed_from_header, expected.billed_from_header);
    ASSERT_EQ(in_place_snap.window.billed_from_report, expected.billed_from_report);
    ASSERT_EQ(in_place_snap.window.bytes_sent, expected.bytes_sent);
    ASSERT_EQ(in_place_snap.window.bytes_received, expected.bytes_received);
    ASSERT_TRUE(same_billed(in_place_snap.window, expected));
    ASSERT_EQ(in_place_snap.window.memory_size_mb, expected.memory_size_mb);
    ASSERT_EQ(in_place_snap.window.max_memory_used_mb, expected.max_memory_used_mb);
    // The totals, counters and buckets (no latency histograms in the service's setting).
    ASSERT_EQ(in_place_snap.total.requests, all.requests);
    ASSERT_EQ(in_place_snap.total.dropped, all.dropped);
    ASSERT_EQ(in_place_snap.total.billed_from_report, all.billed_from_report);
    ASSERT_EQ(in_place_snap.total.cold_starts, all.cold_starts);
    ASSERT_TRUE(same_billed(in_place_snap.total, all));
    ASSERT_EQ(in_place_snap.total.bytes_sent, all.bytes_sent);
    ASSERT_EQ(in_place_snap.total.max_memory_used_mb, all.max_memory_used_mb);
    ASSERT_NEAR(in_place_snap.total.billed_by_aws_latency_seconds,
                all.billed_by_aws_latency_seconds, 1e-9 * all.billed_by_aws_latency_seconds);
    ASSERT_EQ(in_place_snap.total.latency.Count(), 0u);
    for (auto [g, e] :
         {std::pair{&in_place_snap.total.duration_buckets, &all.duration_buckets},
          std::pair{&in_place_snap.total.cold_start_buckets, &all.cold_start_buckets},
          std::pair{&in_place_snap.total.lag_buckets, &all.lag_buckets},
          std::pair{&in_place_snap.total.billed_duration_buckets, &all.billed_duration_buckets},
          std::pair{&in_place_snap.total.init_duration_buckets, &all.init_duration_buckets}}) {
      ASSERT_EQ(g->counts(), e->counts());
      ASSERT_NEAR(g->sum_seconds(), e->sum_seconds(), 1e-9 * e->sum_seconds() + 1e-12);
    }
    ASSERT_NEAR(in_place_snap.window.billed_by_aws_latency_seconds,
                expected.billed_by_aws_latency_seconds,
                1e-9 * expected.billed_by_aws_latency_seconds + 1e-12);
    // The window keeps AWS's billed duration (the client overhead), not the exported buckets.
    ASSERT_EQ(in_place_snap.window.billed_duration_buckets.counts(),
              expected.billed_duration_buckets.counts());
    ASSERT_EQ(in_place_snap.window.MeanClientOverheadSeconds().has_value(),
              expected.MeanClientOverheadSeconds().has_value());
    for (const BucketCounts* left_out :
         {&in_place_snap.window.duration_buckets, &in_place_snap.window.cold_start_buckets,
          &in_place_snap.window.lag_buckets, &in_place_snap.window.init_duration_buckets}) {
      ASSERT_EQ(left_out->total(), 0u);
    }
    ASSERT_EQ(in_place_snap.window.latency.Count(), 0u);  // not copied
    ASSERT_EQ(in_place_snap.window.lag.Count(), 0u);
    static const SparseCounts kNothing;
    for (auto [histogram, copied, read_in_place, quantiles] :
         {std::tuple{&expected.latency, &snap.window_latency, &in_place_snap.window_latency,
                     &options.window_latency_quantiles},
          std::tuple{&expected.lag, &snap.window_lag, &in_place_snap.window_lag,
                     &options.window_lag_quantiles}}) {
      QuantileSummary want;
      histogram->Summarize(*quantiles, kNothing, 0, 1, 0, &want);
      ASSERT_EQ(want.count, histogram->Count());
      ASSERT_EQ(want.min_ns, histogram->MinNs());
      ASSERT_EQ(want.max_ns, histogram->MaxNs());
      for (std::size_t k = 0; k < quantiles->size(); ++k) {
        ASSERT_EQ(want.values_ns[k], histogram->ValueAtQuantileNs((*quantiles)[k]));
      }
      for (const QuantileSummary* got_summary :
           {copied, static_cast<const QuantileSummary*>(read_in_place)}) {
        ASSERT_EQ(got_summary->count, want.count);
        ASSERT_EQ(got_summary->min_ns, want.min_ns);
        ASSERT_EQ(got_summary->max_ns, want.max_ns);
        ASSERT_EQ(got_summary->values_ns, want.values_ns);
        ASSERT_NEAR(got_summary->sum_ns, want.sum_ns, 1e-9 * want.sum_ns + 1e-3);
      }
    }
  }
  EXPECT_GT(snapshots, 800);
}

TEST(TargetStats, RunningWindowEqualsAMergeOfItsIntervals) {
  for (uint64_t seed : {20261202u, 20261204u}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    {
      SCOPED_TRACE("one recorder");
      CheckRunningWindow(1, seed);
    }
    {
      SCOPED_TRACE("two recorders");
      CheckRunningWindow(2, seed);
    }
  }
}

}  // namespace
}  // namespace loadgen
