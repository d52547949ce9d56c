#include "loadgen/deadline_heap.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <utility>

namespace loadgen {
namespace {

using std::chrono::milliseconds;

Clock::time_point At(int64_t ms) { return Clock::time_point(milliseconds(ms)); }

TEST(DeadlineHeapTest, PopsInDeadlineOrderAndMovesAKeyItAlreadyHolds) {
  DeadlineHeap heap;
  EXPECT_TRUE(heap.empty());
  heap.Set(3, At(30));
  heap.Set(0, At(10));
  heap.Set(7, At(20));  // a key beyond the others: the place table grows
  heap.Set(3, At(5));   // moved earlier
  heap.Set(0, At(40));  // moved later
  EXPECT_EQ(heap.size(), 3u);
  EXPECT_EQ(heap.At(0), At(40));
  EXPECT_EQ(heap.At(5), Clock::time_point::max());  // never set
  EXPECT_EQ(heap.top_time(), At(5));
  EXPECT_EQ(heap.Pop(), 3u);
  EXPECT_EQ(heap.Pop(), 7u);
  EXPECT_EQ(heap.Pop(), 0u);
  EXPECT_TRUE(heap.empty());
  EXPECT_EQ(heap.At(3), Clock::time_point::max());  // popped: no deadline
}

TEST(DeadlineHeapTest, MaxOrClearRemovesAKeyAndTheOthersKeepTheirOrder) {
  DeadlineHeap heap;
  for (uint32_t key = 0; key < 8; ++key) heap.Set(key, At(100 - 10 * key));
  heap.Set(7, Clock::time_point::max());  // the earliest leaves
  heap.Clear(2);
  heap.Clear(2);   // twice: nothing
  heap.Clear(99);  // never held: nothing
  EXPECT_EQ(heap.size(), 6u);
  std::vector<uint32_t> order;
  while (!heap.empty()) order.push_back(heap.Pop());
  EXPECT_EQ(order, (std::vector<uint32_t>{6, 5, 4, 3, 1, 0}));
}

// Against a std::set of (deadline, key), the structure the engine used before: random sets,
// moves, clears and pops over a thousand keys, the top and every key's deadline compared after
// each step.
TEST(DeadlineHeapTest, AgreesWithAnOrderedSetUnderRandomOperations) {
  std::mt19937_64 rng(20261204);
  DeadlineHeap heap;
  std::set<std::pair<Clock::time_point, uint32_t>> reference;
  std::map<uint32_t, Clock::time_point> deadline;
  constexpr uint32_t kKeys = 1000;
  for (int step = 0; step < 200'000; ++step) {
    const uint32_t key = static_cast<uint32_t>(rng() % kKeys);
    const int op = static_cast<int>(rng() % 10);
    if (op < 7) {
      // Coarse times so that ties are common: any key among equal deadlines may come first.
      const Clock::time_point at = At(static_cast<int64_t>(rng() % 500));
      if (auto it = deadline.find(key); it != deadline.end()) reference.erase({it->second, key});
      deadline[key] = at;
      reference.emplace(at, key);
      heap.Set(key, at);
    } else if (op < 9) {
      if (auto it = deadline.find(key); it != deadline.end()) {
        reference.erase({it->second, key});
        deadline.erase(it);
      }
      heap.Clear(key);
    } else if (!reference.empty()) {
      const Clock::time_point earliest = reference.begin()->first;
      ASSERT_EQ(heap.top_time(), earliest);
      const uint32_t popped = heap.Pop();
      ASSERT_EQ(deadline.at(popped), earliest) << "popped a key that was not due first";
      reference.erase({earliest, popped});
      deadline.erase(popped);
    }
    ASSERT_EQ(heap.size(), reference.size());
    if (!reference.empty()) {
      ASSERT_EQ(heap.top_time(), reference.begin()->first);
    }
    ASSERT_EQ(heap.At(key), deadline.count(key) ? deadline[key] : Clock::time_point::max());
  }
  for (uint32_t key = 0; key < kKeys; ++key) {
    ASSERT_EQ(heap.At(key), deadline.count(key) ? deadline[key] : Clock::time_point::max());
  }
}

}  // namespace
}  // namespace loadgen
