// Internal to the engine: one worker thread and the targets it runs (see engine.cc).
#ifndef LOADGEN_WORKER_H_
#define LOADGEN_WORKER_H_

#include <curl/curl.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "loadgen/deadline_heap.h"
#include "loadgen/engine.h"
#include "transfer.h"

namespace loadgen::internal {

using std::chrono::nanoseconds;

// Shared between the caller's threads and the worker that runs the target.
struct TargetHandle {
  std::atomic<bool> finished{false};
  std::size_t worker = 0;
};

// Where workers announce that a target has finished and callers wait for it. Thread-safe.
class FinishBoard {
 public:
  void Mark(const std::shared_ptr<TargetHandle>& handle) {
    {
      std::lock_guard lock(mu_);
      handle->finished = true;
    }
    cv_.notify_all();
  }
  bool Wait(const std::shared_ptr<TargetHandle>& handle, nanoseconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return handle->finished.load(); });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
};

struct Target;

// Runs targets on one thread. Thread contract: Post() is thread-safe; everything else runs on the
// worker's own thread (or before it starts / after it has joined).
class Worker {
 public:
  Worker(FinishBoard* board, const EngineOptions& options);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void Post(std::function<void()> command);

  // Commands, run on the worker thread.
  void AddTarget(TargetId id, std::shared_ptr<TargetHandle> handle, TargetPlan plan,
                 Recorder* recorder);
  void RemoveTarget(TargetId id, nanoseconds drain, std::promise<void> done);
  void RemoveAll(nanoseconds drain, std::promise<void> done);
  void SetPaused(TargetId id, bool paused);

  // The state machine's Send action: starts one transfer of `target`. False when it failed at
  // once (reported as a connect error).
  bool Start(Target& target, Clock::time_point scheduled_at, Clock::time_point now);

 private:
  void Run(const std::stop_token& stop);
  void RunCommands();
  void Wait(Clock::time_point deadline);
  void SocketAction(curl_socket_t fd, int events);
  void CollectDone();
  // Whether a failed transfer failed for want of a descriptor (EMFILE, ENFILE).
  static bool OutOfDescriptors(CURL* easy);
  void Finish(Transfer* t, CURLcode code, Clock::time_point now, bool aborted);
  // Services the targets that are due by `now` or were touched since the last pass.
  void ServiceTargets(Clock::time_point now);
  void ServiceTarget(Target& target, Clock::time_point now);
  // Something happened to `target` outside ServiceTarget (a request finished): it is serviced,
  // and its deadline recomputed, in the next pass.
  void Touch(Target& target);
  // Puts the target's next deadline (tick, arrival, stage end, drain bound) in timers_.
  void Reschedule(Target& target);
  Transfer* Acquire(Target& target);
  void CheckFinished(Target& target, Clock::time_point now);
  void CompleteRemoval(TargetId id);
  void UpdateConnectionCache(long change);
  Clock::time_point NextDeadline() const;

  static int OnSocket(CURL* easy, curl_socket_t fd, int what, void* user, void* socket_user);
  static int OnTimer(CURLM* multi, long timeout_ms, void* user);
  static int OnCloseSocket(void* user, curl_socket_t fd);

  FinishBoard* board_;
  EngineOptions options_;
  CURLM* multi_ = nullptr;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  bool use_pwait2_ = true;
  bool warned_descriptors_ = false;  // EngineOptions::on_warning said so once
  std::optional<Clock::time_point> curl_deadline_;
  // The epoll interest we registered for each fd libcurl watches (0: none). An fd libcurl stops
  // watching stays registered until an event shows up for it, saving an epoll_ctl pair per
  // request on keep-alive connections that go idle between requests.
  std::vector<uint32_t> registered_;
  std::vector<uint32_t> wanted_;
  std::map<TargetId, std::unique_ptr<Target>> targets_;  // by id: the commands' lookups
  // The loop's own lookups go by slot, a small integer each target holds while it is on this
  // worker (reused after it leaves): an index into slots_, not a search of a tree of targets.
  std::vector<Target*> slots_;  // by slot; nullptr when free
  std::vector<uint32_t> free_slots_;
  // Every target's next deadline of its own (a send, a stage, a timeout) by slot, earliest
  // first, so that a pass of the loop costs O(log n) per target that has something to do, not a
  // scan of every target, and a reschedule moves entries in one contiguous array instead of
  // freeing and allocating tree nodes.
  DeadlineHeap timers_;
  // Every target's next recorder tick (Recorder::NextTick), apart from its sends: a pass takes
  // the ticks due by then, and the loop wakes for one only when it is kTickSlack late.
  DeadlineHeap ticks_;
  std::vector<uint32_t> touched_;  // slots of the targets to service in the next pass (Touch)
  std::vector<uint32_t> batch_;    // scratch of ServiceTargets
  long connections_ = 0;           // sum of the targets' connections (the connection cache)
  std::vector<std::pair<std::vector<TargetId>, std::promise<void>>> remove_all_waiters_;

  std::mutex mu_;
  std::vector<std::function<void()>> commands_;
  std::atomic<bool> has_commands_{false};  // lets the loop skip the lock when nothing is posted
  std::jthread thread_;                    // last: started once everything above exists
};

}  // namespace loadgen::internal

#endif  // LOADGEN_WORKER_H_
