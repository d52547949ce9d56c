#include "loadgen/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace loadgen {
namespace {

// The nearest-rank quantile of sorted values, the definition the histogram approximates.
int64_t ExactQuantile(const std::vector<int64_t>& sorted, double q) {
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

double RelativeError(int64_t got, int64_t want) {
  return std::abs(static_cast<double>(got - want)) / static_cast<double>(want);
}

TEST(LatencyHistogram, EmptyReportsZeros) {
  LatencyHistogram h;
  EXPECT_EQ(h.Count(), 0u);
  EXPECT_EQ(h.MinNs(), 0);
  EXPECT_EQ(h.MaxNs(), 0);
  EXPECT_EQ(h.MeanNs(), 0.0);
  EXPECT_EQ(h.ValueAtQuantileNs(0.99), 0);
  EXPECT_TRUE(h.ToSparse().empty());
}

TEST(LatencyHistogram, QuantilesWithinOnePercentFromOneMicrosecondToOneHour) {
  std::mt19937_64 rng(42);
  // Log-uniform over the whole range, so every power of two is exercised.
  std::uniform_real_distribution<double> exponent(std::log(1e3), std::log(3.6e12));
  LatencyHistogram h;
  std::vector<int64_t> values;
  for (int i = 0; i < 200'000; ++i) {
    const auto v = static_cast<int64_t>(std::exp(exponent(rng)));
    values.push_back(v);
    h.Record(v);
  }
  std::sort(values.begin(), values.end());
  for (double q : {0.0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 0.9999, 1.0}) {
    EXPECT_LE(RelativeError(h.ValueAtQuantileNs(q), ExactQuantile(values, q)), 0.01) << "q=" << q;
  }
  EXPECT_EQ(h.Count(), values.size());
  EXPECT_EQ(h.MinNs(), values.front());
  EXPECT_EQ(h.MaxNs(), values.back());
}

TEST(LatencyHistogram, EveryValueInRangeIsReportedWithinOnePercent) {
  // The median of {1 µs, v, 1 h} comes from v's bucket (the extremes are exact anyway).
  for (double v = 1e3; v <= 3.6e12; v *= 1.0037) {
    LatencyHistogram h;
    const auto value = static_cast<int64_t>(v);
    h.Record(LatencyHistogram::kMinValueNs);
    h.Record(value);
    h.Record(LatencyHistogram::kMaxValueNs);
    ASSERT_LE(RelativeError(h.ValueAtQuantileNs(0.5), value), 0.01) << value;
  }
}

TEST(LatencyHistogram, MeanIsExact) {
  LatencyHistogram h;
  h.Record(1'000'000);
  h.Record(2'000'000);
  h.Record(4'000'003);
  EXPECT_DOUBLE_EQ(h.MeanNs(), 7'000'003.0 / 3);
  EXPECT_DOUBLE_EQ(h.SumNs(), 7'000'003.0);
}

TEST(LatencyHistogram, ValuesOutsideTheRangeAreClampedButCounted) {
  LatencyHistogram h;
  h.Record(0);
  h.Record(500);
  h.Record(LatencyHistogram::kMaxValueNs * 2);
  EXPECT_EQ(h.Count(), 3u);
  EXPECT_EQ(h.MinNs(), 0);
  EXPECT_EQ(h.MaxNs(), LatencyHistogram::kMaxValueNs * 2);
  EXPECT_EQ(h.ValueAtQuantileNs(1.0), LatencyHistogram::kMaxValueNs * 2);
  // A histogram of only zeros (closed-loop schedule lag) reports zero, not the clamp value.
  LatencyHistogram zeros;
  zeros.RecordN(0, 10);
  EXPECT_EQ(zeros.ValueAtQuantileNs(0.99), 0);
}

TEST(LatencyHistogram, MergeEqualsRecordingEverythingInOne) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> latency(std::log(5e6), 1.0);
  LatencyHistogram a, b, all;
  for (int i = 0; i < 10'000; ++i) {
    const auto v = static_cast<int64_t>(latency(rng));
    (i % 3 == 0 ? a : b).Record(v);
    all.Record(v);
  }
  LatencyHistogram merged;
  merged.Merge(a);
  merged.Merge(b);
  EXPECT_EQ(merged.Count(), all.Count());
  EXPECT_EQ(merged.MinNs(), all.MinNs());
  EXPECT_EQ(merged.MaxNs(), all.MaxNs());
  EXPECT_NEAR(merged.SumNs(), all.SumNs(), 1e-6 * all.SumNs());
  for (double q : {0.5, 0.9, 0.99}) {
    EXPECT_EQ(merged.ValueAtQuantileNs(q), all.ValueAtQuantileNs(q));
  }
  EXPECT_EQ(merged.ToSparse(), all.ToSparse());
}

// A summary read in place, less the sparse forms of some parts merged earlier, is what a copy
// gives once they are subtracted: the same count, extremes and values at every quantile. The
// histogram summarized is built, copied and subtracted from in every way there is, so that the
// totals per power of two its walk passes over are checked against plain walks.
TEST(LatencyHistogram, SummaryInPlaceEqualsACopyLessTheParts) {
  std::mt19937_64 rng(20261204);
  std::lognormal_distribution<double> latency(std::log(2e5), 1.5);
  const std::vector<double> quantiles = {0.999, 0.5, 0.0, 0.9, 1.0, 0.99, 0.25};
  LatencyHistogram wide;  // assigned into: holds a wider range than most sources
  wide.Record(1'500);
  wide.Record(3'000'000'000'000);
  for (int round = 0; round < 300; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const int parts = 1 + static_cast<int>(rng() % 6);
    std::vector<std::vector<int64_t>> values(static_cast<std::size_t>(parts));
    std::vector<LatencyHistogram> part(static_cast<std::size_t>(parts));
    LatencyHistogram built;
    for (int k = 0; k < parts; ++k) {
      const int n = static_cast<int>(rng() % 40);
      for (int i = 0; i < n; ++i) {
        const auto v = static_cast<int64_t>(latency(rng));
        values[static_cast<std::size_t>(k)].push_back(v);
        part[static_cast<std::size_t>(k)].Record(v);
      }
      // Each part reaches the whole a different way: recorded, merged, merged sparse.
      const LatencyHistogram& p = part[static_cast<std::size_t>(k)];
      switch (k % 3) {
        case 0:
          for (int64_t v : values[static_cast<std::size_t>(k)]) built.Record(v);
          break;
        case 1:
          built.Merge(p);
          break;
        default:
          built.MergeSparse(p.ToSparse(), p.MinNs(), p.MaxNs(), p.SumNs());
      }
    }
    LatencyHistogram whole;
    if (round % 3 == 0) {
      whole = LatencyHistogram(built);  // copy construction
    } else if (round % 3 == 1) {
      wide = built;  // assignment into buckets held already
      whole = wide;
    } else {
      whole = built;
    }
    // Take back the first `out` parts: the first of them subtracted from the whole itself, the
    // others as one sparse form added together, as a snapshot does.
    const int out = static_cast<int>(rng() % static_cast<unsigned>(parts + 1));
    LatencyHistogram copy = whole;
    LatencyHistogram rest;
    LatencyHistogram left_out;
    for (int k = 0; k < parts; ++k) {
      const LatencyHistogram& p = part[static_cast<std::size_t>(k)];
      if (k == 0 && out > 0) {
        whole.SubtractSparse(p.ToSparse(), p.SumNs());
        copy.SubtractSparse(p.ToSparse(), p.SumNs());
      } else if (k < out) {
        copy.SubtractSparse(p.ToSparse(), p.SumNs());
        left_out.Merge(p);
      } else {
        rest.Merge(p);
      }
    }
    copy.SetExtremes(rest.MinNs(), rest.MaxNs());
    QuantileSummary s;
    whole.Summarize(quantiles, left_out.ToSparse(), left_out.SumNs(), rest.MinNs(),
                    rest.Count() > 0 ? rest.MaxNs() : rest.MinNs() - 1, &s);
    ASSERT_EQ(s.count, copy.Count());
    ASSERT_EQ(s.count, rest.Count());
    ASSERT_EQ(s.values_ns.size(), quantiles.size());
    if (s.count == 0) {
      EXPECT_EQ(s.sum_ns, 0);
      EXPECT_EQ(s.min_ns, 0);
      for (int64_t v : s.values_ns) EXPECT_EQ(v, 0);
      continue;
    }
    EXPECT_EQ(s.min_ns, copy.MinNs());
    EXPECT_EQ(s.max_ns, copy.MaxNs());
    EXPECT_NEAR(s.sum_ns, copy.SumNs(), 1e-9 * copy.SumNs());
    EXPECT_NEAR(s.MeanNs(), rest.MeanNs(), 1e-9 * rest.MeanNs());
    for (std::size_t k = 0; k < quantiles.size(); ++k) {
      EXPECT_EQ(s.values_ns[k], copy.ValueAtQuantileNs(quantiles[k])) << quantiles[k];
      EXPECT_EQ(s.values_ns[k], rest.ValueAtQuantileNs(quantiles[k])) << quantiles[k];
    }
    // The same summary with nothing taken back, from a copy's walk of every bucket.
    QuantileSummary plain;
    rest.Summarize(quantiles, SparseCounts{}, 0, 1, 0, &plain);
    EXPECT_EQ(plain.values_ns, s.values_ns);
  }
}

TEST(LatencyHistogram, SparseRoundTripKeepsEverything) {
  LatencyHistogram h;
  h.RecordN(1'500, 3);
  h.Record(2'000'000'000);
  h.Record(77'777);
  LatencyHistogram copy;
  copy.MergeSparse(h.ToSparse(), h.MinNs(), h.MaxNs(), h.SumNs());
  EXPECT_EQ(copy.Count(), 5u);
  EXPECT_EQ(copy.MinNs(), 1'500);
  EXPECT_EQ(copy.MaxNs(), 2'000'000'000);
  EXPECT_EQ(copy.SumNs(), h.SumNs());
  EXPECT_EQ(copy.ToSparse(), h.ToSparse());
  // Merging an empty sparse form changes nothing.
  copy.MergeSparse({}, 0, 0, 0);
  EXPECT_EQ(copy.Count(), 5u);
  EXPECT_EQ(copy.MinNs(), 1'500);
}

TEST(LatencyHistogram, ClearEmptiesIt) {
  LatencyHistogram h;
  h.Record(123'456);
  h.Clear();
  EXPECT_EQ(h.Count(), 0u);
  EXPECT_EQ(h.ValueAtQuantileNs(0.5), 0);
  h.Record(5'000);
  EXPECT_EQ(h.MinNs(), 5'000);
}

// The histogram walks only the span of buckets it has seen: clearing one span and recording
// another far away must leave nothing of the first behind, in quantiles, merges or sparse form.
TEST(LatencyHistogram, ReuseAfterClearAndDisjointMergesStayExact) {
  LatencyHistogram h;
  for (int i = 0; i < 100; ++i) h.Record(5'000'000'000);  // 5 s
  h.Clear();
  for (int i = 1; i <= 100; ++i) h.Record(i * 1'000);  // 1..100 µs
  EXPECT_EQ(h.Count(), 100u);
  EXPECT_EQ(h.MaxNs(), 100'000);
  EXPECT_NEAR(static_cast<double>(h.ValueAtQuantileNs(0.5)), 50'000, 500);
  for (const auto& [index, count] : h.ToSparse()) EXPECT_GT(count, 0u) << index;

  LatencyHistogram far;
  far.Record(2'000'000'000);  // 2 s, another part of the range
  LatencyHistogram merged;    // never recorded into: takes both spans
  merged.Merge(far);
  merged.Merge(h);
  EXPECT_EQ(merged.Count(), 101u);
  EXPECT_EQ(merged.ValueAtQuantileNs(1.0), 2'000'000'000);
  EXPECT_NEAR(static_cast<double>(merged.ValueAtQuantileNs(0.99)), 99'000, 990);

  // Copies of an empty histogram are empty and usable.
  const LatencyHistogram empty;
  LatencyHistogram copy = empty;
  EXPECT_EQ(copy.Count(), 0u);
  EXPECT_TRUE(copy.ToSparse().empty());
  copy.Merge(empty);
  copy.Clear();
  copy.RecordN(3'000, 4);
  EXPECT_EQ(copy.ValueAtQuantileNs(0.5), 3'000);
}

// A histogram holds only the buckets around the values it has seen, growing in either direction;
// a copy holds only the non-zero span; an assignment reuses the buckets it holds when they cover
// the source's. None of that may change a figure: every state below is compared with one
// histogram that recorded the same values directly.
TEST(LatencyHistogram, SpanStorageGrowsCopiesAndAssignsWithoutChangingAFigure) {
  std::mt19937_64 rng(16);
  auto expect_same = [](const LatencyHistogram& got, const LatencyHistogram& want) {
    ASSERT_EQ(got.Count(), want.Count());
    EXPECT_EQ(got.MinNs(), want.MinNs());
    EXPECT_EQ(got.MaxNs(), want.MaxNs());
    EXPECT_DOUBLE_EQ(got.SumNs(), want.SumNs());
    EXPECT_EQ(got.ToSparse(), want.ToSparse());
    for (double q : {0.0, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0}) {
      EXPECT_EQ(got.ValueAtQuantileNs(q), want.ValueAtQuantileNs(q)) << q;
    }
  };
  // Values within one order of magnitude, then below, then far above: growth at both ends.
  std::vector<std::pair<int64_t, int64_t>> ranges = {
      {1'000'000, 5'000'000}, {20'000, 60'000}, {3'000'000'000, 9'000'000'000}, {1, 900}};
  LatencyHistogram grown;
  LatencyHistogram reference;
  std::vector<int64_t> values;
  for (const auto& [lo, hi] : ranges) {
    std::uniform_int_distribution<int64_t> pick(lo, hi);
    for (int i = 0; i < 500; ++i) {
      const int64_t v = pick(rng);
      values.push_back(v);
      grown.Record(v);
    }
    reference = LatencyHistogram();
    for (int64_t v : values) reference.Record(v);
    expect_same(grown, reference);
    const LatencyHistogram copy = grown;  // copy construction
    expect_same(copy, reference);
    EXPECT_LE(copy.BucketsHeld(), grown.BucketsHeld());
  }
  // 1 ms .. 5 ms lies in four powers of two (2^19 .. 2^22 ns): 4 x 64 buckets, not 2,112.
  LatencyHistogram narrow;
  narrow.Record(1'000'000);
  narrow.Record(5'000'000);
  EXPECT_EQ(narrow.BucketsHeld(), 4u * 64u);
  // A copy holds the powers of two that hold counts: here the same four.
  EXPECT_EQ(LatencyHistogram(narrow).BucketsHeld(), 4u * 64u);

  // Assignment into a histogram that covers the source (reuses its buckets, zeroes its own
  // counts first) and into one that does not (takes a copy).
  LatencyHistogram wide = grown;
  wide.Merge(grown);  // counts everywhere the source has them, twice
  wide = narrow;
  expect_same(wide, narrow);
  // Nothing of the old counts may remain outside the new span: widen it again and compare.
  wide.Record(8'000'000'000);
  wide.Record(2'000);
  LatencyHistogram narrow_widened = narrow;
  narrow_widened.Record(8'000'000'000);
  narrow_widened.Record(2'000);
  expect_same(wide, narrow_widened);
  LatencyHistogram small;
  small.Record(2'000'000);
  small = grown;
  expect_same(small, reference);
  small = LatencyHistogram();
  EXPECT_EQ(small.Count(), 0u);
  small.Record(7'000);
  EXPECT_EQ(small.ValueAtQuantileNs(0.5), 7'000);

  // Merging sparse forms in any order grows once and adds the same counts.
  auto sparse = reference.ToSparse();
  std::shuffle(sparse.begin(), sparse.end(), rng);
  LatencyHistogram from_sparse;
  from_sparse.Record(100'000);
  from_sparse.MergeSparse(sparse, reference.MinNs(), reference.MaxNs(), reference.SumNs());
  LatencyHistogram want = reference;
  want.Record(100'000);
  EXPECT_EQ(from_sparse.ToSparse(), want.ToSparse());
  EXPECT_EQ(from_sparse.ValueAtQuantileNs(0.5), want.ValueAtQuantileNs(0.5));
}

TEST(BucketCounts, BoundsAreInclusiveUpperAndExact) {
  BucketCounts b({0.1, 0.005, 0.01});  // unsorted on purpose
  ASSERT_EQ(b.bounds_seconds(), (std::vector<double>{0.005, 0.01, 0.1}));
  b.Record(5'000'000);    // exactly 5 ms: le="0.005"
  b.Record(5'000'001);    // just above: le="0.01"
  b.Record(10'000'000);   // le="0.01"
  b.Record(100'000'000);  // le="0.1"
  b.Record(100'000'001);  // +Inf
  b.Record(0);            // le="0.005"
  EXPECT_EQ(b.counts(), (std::vector<uint64_t>{2, 2, 1, 1}));
  EXPECT_EQ(b.total(), 6u);
  EXPECT_NEAR(b.sum_seconds(), 0.220000002, 1e-12);
}

TEST(BucketCounts, MergeAddsBucketByBucket) {
  BucketCounts a({0.001, 1});
  BucketCounts b({0.001, 1});
  a.Record(500'000);
  b.Record(2'000'000'000);
  b.Record(900'000'000);
  a.Merge(b);
  EXPECT_EQ(a.counts(), (std::vector<uint64_t>{1, 1, 1}));
  // An unconfigured, empty instance takes the other's shape.
  BucketCounts empty;
  empty.Merge(a);
  EXPECT_EQ(empty.bounds_seconds(), a.bounds_seconds());
  EXPECT_EQ(empty.counts(), a.counts());
  a.Clear();
  EXPECT_EQ(a.total(), 0u);
  EXPECT_EQ(a.sum_seconds(), 0.0);
}

TEST(BucketCounts, InstancesWithTheSameBoundsShareThem) {
  // Every target's intervals hold the same few bound lists: one copy in the process, whatever
  // the order or repeats they were given in, alive while any instance holds it.
  BucketCounts a({0.001, 0.01, 1});
  BucketCounts b({1, 0.001, 0.01, 0.01});
  EXPECT_EQ(&a.bounds_seconds(), &b.bounds_seconds());
  EXPECT_EQ(a.bounds_seconds(), (std::vector<double>{0.001, 0.01, 1}));
  BucketCounts other({0.001, 0.01, 2});
  EXPECT_NE(&a.bounds_seconds(), &other.bounds_seconds());
  // Instances of the same bounds still add up bucket by bucket.
  a.Record(500'000);
  b.Record(5'000'000);
  b.Record(3'000'000'000);
  a.Merge(b);
  EXPECT_EQ(a.counts(), (std::vector<uint64_t>{1, 1, 0, 1}));
  // Once none holds a list, a new instance with it gets the same values again.
  auto scoped = std::make_unique<BucketCounts>(std::vector<double>{0.25, 0.5});
  scoped.reset();
  BucketCounts again({0.5, 0.25});
  EXPECT_EQ(again.bounds_seconds(), (std::vector<double>{0.25, 0.5}));
  again.Record(300'000'000);
  EXPECT_EQ(again.counts(), (std::vector<uint64_t>{0, 1, 0}));
}

TEST(BucketCounts, NoBoundsMeansOnlyInf) {
  BucketCounts b;
  b.Record(42);
  EXPECT_EQ(b.counts(), (std::vector<uint64_t>{1}));
}

}  // namespace
}  // namespace loadgen
