#include "gpu_batcher.h"

#include <algorithm>

namespace emulator {

GpuBatcher::GpuBatcher(const Batching& batching, const TimeScale& scale, StopSignal* stop)
    : batching_(batching), scale_(scale), stop_(stop), thread_([this] { Run(); }) {}

GpuBatcher::~GpuBatcher() {
  Stop();
  thread_.join();
}

void GpuBatcher::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_cv_.notify_all();
}

int GpuBatcher::Infer() {
  Pending pending;
  std::unique_lock lock(mutex_);
  if (stopping_) {
    return 0;
  }
  queue_.push_back(&pending);
  work_cv_.notify_one();
  // Only the GPU thread completes `pending` (it lives on this stack), and it completes every
  // queued request before it exits, so waiting for `done` alone is safe.
  done_cv_.wait(lock, [&] { return pending.done; });
  return pending.batch_size;
}

void GpuBatcher::Complete(std::deque<Pending*>& items, int batch_size) {
  for (Pending* p : items) {
    p->batch_size = batch_size;
    p->done = true;
  }
  items.clear();
  done_cv_.notify_all();
}

void GpuBatcher::Run() {
  std::unique_lock lock(mutex_);
  while (true) {
    work_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (stopping_) {
      break;
    }
    const auto max_batch = static_cast<size_t>(batching_.max_batch);
    if (batching_.window_ms > 0 && queue_.size() < max_batch) {
      const auto deadline = WallClock::now() + scale_.ToWall(FromMs(batching_.window_ms));
      work_cv_.wait_until(lock, deadline, [&] { return stopping_ || queue_.size() >= max_batch; });
      if (stopping_) {
        break;
      }
    }
    const size_t n = std::min(queue_.size(), max_batch);
    std::deque<Pending*> batch(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(n));
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(n));
    const int size = static_cast<int>(n);
    lock.unlock();
    const bool ran =
        stop_->WaitUntil(WallClock::now() + scale_.ToWall(FromMs(batching_.BatchMs(size))));
    lock.lock();
    if (!ran) {
      stopping_ = true;
      Complete(batch, 0);
      break;
    }
    ++counters_.batches;
    counters_.requests += n;
    Complete(batch, size);
  }
  Complete(queue_, 0);
}

GpuBatcher::Counters GpuBatcher::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

}  // namespace emulator
