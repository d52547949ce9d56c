#include "loadgen/sliding_extreme.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <random>

namespace loadgen {
namespace {

TEST(SlidingExtreme, EmptyGivesTheFallback) {
  SlidingExtreme<std::less<>> least;
  EXPECT_EQ(least.Since(0, -7), -7);
  least.Push(0, 5);
  least.DropBefore(1);
  EXPECT_EQ(least.Since(0, -7), -7);
  EXPECT_EQ(least.held(), 0u);
}

TEST(SlidingExtreme, HoldsOnlyValuesNoLaterOneBeats) {
  SlidingExtreme<std::greater<>> greatest;
  for (uint64_t i = 0; i < 6; ++i) greatest.Push(i, static_cast<int64_t>(10 - i));  // 10 9 ... 5
  EXPECT_EQ(greatest.held(), 6u);
  EXPECT_EQ(greatest.Since(0, 0), 10);
  EXPECT_EQ(greatest.Since(4, 0), 6);
  greatest.Push(6, 8);  // beats 7, 6 and 5, and ties none
  EXPECT_EQ(greatest.held(), 3u);
  EXPECT_EQ(greatest.Since(2, 0), 8);
  EXPECT_EQ(greatest.Since(1, 0), 9);
  greatest.Push(7, 8);  // a tie: the later one stands for both
  EXPECT_EQ(greatest.held(), 3u);
  EXPECT_EQ(greatest.Since(7, 0), 8);
  EXPECT_EQ(greatest.Since(8, 0), 0);  // nothing that new
}

// Against a plain scan of the values held, over random pushes, drops and queries, with runs of
// rising and falling values (the queue's longest and shortest) and wrap-arounds of its ring.
template <typename Better>
void CheckAgainstScan(uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  SlidingExtreme<Better> queue;
  std::deque<int64_t> held;  // values numbered first, first + 1, ...
  uint64_t first = 0;
  uint64_t next = 0;
  int64_t trend = 0;
  const int64_t none = std::numeric_limits<int64_t>::min() / 2;
  for (int step = 0; step < 20'000; ++step) {
    if (uniform(0, 99) == 0) trend = uniform(-3, 3);
    const int64_t value = trend != 0 && !held.empty() ? held.back() + trend : uniform(-50, 50);
    queue.Push(next++, value);
    held.push_back(value);
    if (held.size() > 70 || uniform(0, 2) == 0) {
      const auto drop = static_cast<uint64_t>(uniform(0, std::min<int64_t>(3, held.size())));
      first += drop;
      held.erase(held.begin(), held.begin() + static_cast<std::ptrdiff_t>(drop));
      queue.DropBefore(first);
    }
    ASSERT_LE(queue.held(), held.size());
    const auto since = static_cast<uint64_t>(uniform(0, static_cast<int64_t>(held.size()) + 1));
    int64_t want = none;
    for (std::size_t i = since; i < held.size(); ++i) {
      want = want == none || Better{}(held[i], want) ? held[i] : want;
    }
    ASSERT_EQ(queue.Since(first + since, none), want) << "step " << step;
  }
}

TEST(SlidingExtreme, LeastEqualsAScan) { CheckAgainstScan<std::less<>>(1); }
TEST(SlidingExtreme, GreatestEqualsAScan) { CheckAgainstScan<std::greater<>>(2); }

}  // namespace
}  // namespace loadgen
