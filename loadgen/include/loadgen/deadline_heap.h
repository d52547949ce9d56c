// The earliest of many deadlines, each owned by a small integer key (a worker's target slot).
#ifndef LOADGEN_DEADLINE_HEAP_H_
#define LOADGEN_DEADLINE_HEAP_H_

#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "loadgen/record.h"

namespace loadgen {

// A binary min-heap of (deadline, key) in one vector, with each key's place in a second one, so
// that setting, moving or clearing a key's deadline costs O(log n) swaps of 16-byte entries and
// never allocates once both vectors have grown: at a thousand keys the whole structure is a few
// tens of KiB, where a std::set of the same entries is a thousand separately allocated tree
// nodes that every reschedule frees, allocates and rebalances. Keys are dense (0, 1, 2, ...,
// reused after Clear): the place table is indexed by them. Not thread-safe.
class DeadlineHeap {
 public:
  using Key = uint32_t;

  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  // The earliest deadline and its key; only when !empty().
  Clock::time_point top_time() const { return heap_.front().at; }
  Key top_key() const { return heap_.front().key; }

  // Sets `key`'s deadline, adding it or moving it; Clock::time_point::max() clears it.
  void Set(Key key, Clock::time_point at) {
    if (at == Clock::time_point::max()) {
      Clear(key);
      return;
    }
    if (key >= place_.size()) place_.resize(static_cast<std::size_t>(key) + 1, kNowhere);
    std::size_t i = place_[key];
    if (i == kNowhere) {
      i = heap_.size();
      heap_.push_back({at, key});
      place_[key] = static_cast<uint32_t>(i);
      Up(i);
      return;
    }
    const Clock::time_point was = heap_[i].at;
    heap_[i].at = at;
    if (at < was) {
      Up(i);
    } else {
      Down(i);
    }
  }

  // Removes `key`'s deadline, if it has one.
  void Clear(Key key) {
    if (key >= place_.size() || place_[key] == kNowhere) return;
    const std::size_t i = place_[key];
    place_[key] = kNowhere;
    const std::size_t last = heap_.size() - 1;
    if (i != last) {
      // The last entry fills the hole; it may belong above or below it.
      const Key moved = heap_[last].key;
      heap_[i] = heap_[last];
      heap_.pop_back();
      Place(i);
      Up(i);
      Down(place_[moved]);
    } else {
      heap_.pop_back();
    }
  }

  // Removes and returns the earliest key; only when !empty().
  Key Pop() {
    const Key key = heap_.front().key;
    Clear(key);
    return key;
  }

  // `key`'s deadline, or Clock::time_point::max() when it has none.
  Clock::time_point At(Key key) const {
    if (key >= place_.size() || place_[key] == kNowhere) return Clock::time_point::max();
    return heap_[place_[key]].at;
  }

 private:
  struct Entry {
    Clock::time_point at;
    Key key;
  };
  static constexpr uint32_t kNowhere = std::numeric_limits<uint32_t>::max();

  void Place(std::size_t i) { place_[heap_[i].key] = static_cast<uint32_t>(i); }

  void Up(std::size_t i) {
    while (i > 0) {
      const std::size_t parent = (i - 1) / 2;
      if (!(heap_[i].at < heap_[parent].at)) break;
      std::swap(heap_[i], heap_[parent]);
      Place(i);
      Place(parent);
      i = parent;
    }
  }

  void Down(std::size_t i) {
    const std::size_t n = heap_.size();
    while (true) {
      const std::size_t left = 2 * i + 1;
      if (left >= n) break;
      std::size_t least = left;
      if (left + 1 < n && heap_[left + 1].at < heap_[left].at) least = left + 1;
      if (!(heap_[least].at < heap_[i].at)) break;
      std::swap(heap_[i], heap_[least]);
      Place(i);
      Place(least);
      i = least;
    }
  }

  std::vector<Entry> heap_;
  std::vector<uint32_t> place_;  // by key: index in heap_, or kNowhere
};

}  // namespace loadgen

#endif  // LOADGEN_DEADLINE_HEAP_H_
