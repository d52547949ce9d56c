// The GPU of a batching profile (g4dn): its own thread runs one batch at a time, made of every
// request queued when the previous batch ended (up to max_batch), lasting base + per_item × n.
#ifndef EMULATOR_SRC_GPU_BATCHER_H_
#define EMULATOR_SRC_GPU_BATCHER_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>

#include "emulator/profile.h"
#include "waiting.h"

namespace emulator {

// Thread contract: Infer() from any number of server threads; Stop() from any thread; the
// destructor stops and joins the GPU thread. `scale` and `stop` must outlive the batcher.
class GpuBatcher {
 public:
  GpuBatcher(const Batching& batching, const TimeScale& scale, StopSignal* stop);
  ~GpuBatcher();
  GpuBatcher(const GpuBatcher&) = delete;
  GpuBatcher& operator=(const GpuBatcher&) = delete;

  // Queues one request and blocks until its batch has run. Returns the batch size, or 0 when
  // the emulator is stopping.
  int Infer();
  // Ends the GPU thread; every queued request returns 0.
  void Stop();

  struct Counters {
    uint64_t batches = 0;
    uint64_t requests = 0;  // summed batch sizes
  };
  Counters counters() const;

 private:
  struct Pending {
    int batch_size = 0;
    bool done = false;
  };
  void Run();
  // Under mutex_: completes `count` requests from the front of the queue.
  void Complete(std::deque<Pending*>& items, int batch_size);

  const Batching batching_;
  const TimeScale& scale_;
  StopSignal* stop_;
  mutable std::mutex mutex_;
  std::condition_variable work_cv_;  // the GPU thread waits for requests
  std::condition_variable done_cv_;  // requests wait for their batch
  std::deque<Pending*> queue_;
  bool stopping_ = false;
  Counters counters_;
  std::thread thread_;
};

}  // namespace emulator

#endif  // EMULATOR_SRC_GPU_BATCHER_H_
