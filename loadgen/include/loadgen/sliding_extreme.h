// The least or greatest of a sliding sequence of values, from any of them to the newest.
#ifndef LOADGEN_SLIDING_EXTREME_H_
#define LOADGEN_SLIDING_EXTREME_H_

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace loadgen {

// Values arrive numbered (0, 1, 2, ...) at the back and leave at the front; Since(n) is the best
// of those numbered n or later, by `Better` (std::less<> keeps the least, std::greater<> the
// greatest). A monotonic queue: it holds only the values that no later one beats, so each
// value is pushed and removed once, and Since() reads the first held value numbered n or later:
// every value between n and that one was beaten by it or by a value after it. A window of
// sixty values typically holds a handful. Grows as needed, never allocates once grown. Not
// thread-safe.
template <typename Better>
class SlidingExtreme {
 public:
  // Appends value number `seq`; numbers increase by one from push to push.
  void Push(uint64_t seq, int64_t value) {
    while (size_ > 0 && !Better{}(At(size_ - 1).value, value)) --size_;
    if (size_ == ring_.size()) Grow();
    At(size_) = Entry{seq, value};
    ++size_;
  }
  // Forgets the values numbered below `seq`.
  void DropBefore(uint64_t seq) {
    while (size_ > 0 && At(0).seq < seq) {
      head_ = (head_ + 1) & (ring_.size() - 1);
      --size_;
    }
  }
  // The best value numbered `seq` or later; `none` when there is none.
  int64_t Since(uint64_t seq, int64_t none) const {
    for (std::size_t i = 0; i < size_; ++i) {
      if (At(i).seq >= seq) return At(i).value;
    }
    return none;
  }
  std::size_t held() const { return size_; }

 private:
  struct Entry {
    uint64_t seq;
    int64_t value;
  };
  Entry& At(std::size_t i) { return ring_[(head_ + i) & (ring_.size() - 1)]; }
  const Entry& At(std::size_t i) const { return ring_[(head_ + i) & (ring_.size() - 1)]; }
  void Grow() {
    std::vector<Entry> bigger(ring_.empty() ? 4 : 2 * ring_.size());
    for (std::size_t i = 0; i < size_; ++i) bigger[i] = At(i);
    ring_ = std::move(bigger);
    head_ = 0;
  }

  std::vector<Entry> ring_;  // a power of two long, or empty
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace loadgen

#endif  // LOADGEN_SLIDING_EXTREME_H_
