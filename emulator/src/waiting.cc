#include "waiting.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>

namespace emulator {

EmuTime TimeScale::ToEmu(WallClock::time_point wall) const {
  const auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(wall - origin_);
  return EmuTime(EmuDuration(std::llround(static_cast<double>(elapsed.count()) * factor_)));
}

WallClock::duration TimeScale::ToWall(EmuDuration d) const {
  // Rounded up, so that ToEmu(ToWall(t)) >= t: a thread woken at ToWall(t) must see the model
  // at t or later (a Lambda instance busy until t is idle again when its client comes back).
  const double ns = std::ceil(static_cast<double>(d.count()) / factor_);
  return std::chrono::duration_cast<WallClock::duration>(
      std::chrono::nanoseconds(static_cast<int64_t>(ns)));
}

WallClock::time_point TimeScale::ToWall(EmuTime t) const {
  return origin_ + ToWall(t.time_since_epoch());
}

StopSignal::StopSignal() : event_fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

StopSignal::~StopSignal() {
  if (event_fd_ >= 0) {
    close(event_fd_);
  }
}

bool StopSignal::WaitUntil(WallClock::time_point deadline) {
  // Zero-delay profiles come through here at tens of thousands of requests per second.
  if (deadline <= WallClock::now()) {
    return !stopped();
  }
  std::unique_lock lock(mutex_);
  return !cv_.wait_until(lock, deadline, [this] { return stopped(); });
}

void StopSignal::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopped_.store(true, std::memory_order_release);
  }
  cv_.notify_all();
  if (event_fd_ >= 0) {
    const uint64_t one = 1;
    // A full counter still leaves the fd readable, which is all poll() needs.
    [[maybe_unused]] const ssize_t written = write(event_fd_, &one, sizeof one);
  }
}

}  // namespace emulator
