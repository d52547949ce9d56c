// Lambda's internal queue for asynchronous invocations (X-Amz-Invocation-Type: Event): Invoke
// answers 202 at once and the function runs later, on one of a few threads of this queue.
//
// Thread contract: Push() is thread-safe. The destructor runs no more jobs, waits for those
// running (they watch the emulator's StopSignal) and joins every thread.
#ifndef EMULATOR_SRC_EVENT_QUEUE_H_
#define EMULATOR_SRC_EVENT_QUEUE_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace emulator {

class EventQueue {
 public:
  // At most `max_threads` jobs run at once; threads start when jobs first need them.
  explicit EventQueue(int max_threads);
  ~EventQueue();
  EventQueue(const EventQueue&) = delete;
  EventQueue& operator=(const EventQueue&) = delete;

  void Push(std::function<void()> job);

 private:
  void Work();

  const int max_threads_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  int idle_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace emulator

#endif  // EMULATOR_SRC_EVENT_QUEUE_H_
