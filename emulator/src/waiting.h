// How the server maps emulated time onto the wall clock, and how its threads wait.
#ifndef EMULATOR_SRC_WAITING_H_
#define EMULATOR_SRC_WAITING_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "model.h"

namespace emulator {

using WallClock = std::chrono::steady_clock;

// Emulated time runs `factor` times faster than the steady clock from `origin` on.
// Thread contract: immutable after construction; safe from any thread.
class TimeScale {
 public:
  TimeScale(double factor, WallClock::time_point origin) : factor_(factor), origin_(origin) {}

  double factor() const { return factor_; }
  EmuTime Now() const { return ToEmu(WallClock::now()); }
  EmuTime ToEmu(WallClock::time_point wall) const;
  WallClock::time_point ToWall(EmuTime t) const;
  WallClock::duration ToWall(EmuDuration d) const;

 private:
  double factor_;
  WallClock::time_point origin_;
};

// The one stop flag every waiting thread watches. Waiters sleep on a condition variable (a
// thread per waiting request costs a futex, not CPU); Stop() wakes them all at once. The
// eventfd lets poll()-based waits (hung connections) see the stop too.
// Thread contract: all methods are thread-safe.
class StopSignal {
 public:
  StopSignal();
  ~StopSignal();
  StopSignal(const StopSignal&) = delete;
  StopSignal& operator=(const StopSignal&) = delete;

  // Sleeps until `deadline`; false if Stop() came first.
  bool WaitUntil(WallClock::time_point deadline);
  void Stop();
  bool stopped() const { return stopped_.load(std::memory_order_acquire); }
  // Readable once stopped.
  int fd() const { return event_fd_; }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::atomic<bool> stopped_{false};
  int event_fd_ = -1;
};

}  // namespace emulator

#endif  // EMULATOR_SRC_WAITING_H_
