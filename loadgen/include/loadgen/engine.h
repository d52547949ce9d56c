// The load engine: worker threads, each with one libcurl multi handle driven by an epoll loop,
// running the targets assigned to it.
//
// Threads: Engine owns `threads` workers (std::jthread). Each worker owns its CURLM, its easy
// handles, its connection cache and the per-target state of the targets it runs; it calls those
// targets' Recorders. Public methods of Engine are thread-safe: they post commands to the worker
// through a queue and wake it with curl_multi_wakeup.
#ifndef LOADGEN_ENGINE_H_
#define LOADGEN_ENGINE_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "loadgen/load.h"
#include "loadgen/record.h"
#include "loadgen/request.h"

namespace loadgen {

struct EngineOptions {
  int threads = 1;  // worker threads; targets are spread over them
  // Connections each target may keep open; 0 picks the highest concurrency of its plan (closed
  // loop) or its max_in_flight (open loop).
  int max_connections_per_target = 0;
};

struct TargetPlan {
  std::string name;
  RequestSpec request;
  LoadPlan load;
};

using TargetId = uint64_t;

// Call once, before any thread starts (curl_global_init), and ignore SIGPIPE.
void GlobalInit();

class Engine {
 public:
  explicit Engine(EngineOptions options = {});
  ~Engine();  // Stop() with no drain time, then joins the workers
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Starts loading a target now. `recorder` must stay valid until Remove() returns or the
  // engine is destroyed.
  TargetId Add(TargetPlan plan, Recorder* recorder);
  // Stops scheduling a target, waits up to `drain` for its in-flight requests (still reported),
  // aborts the rest (reported as timeout, aborted = true) and forgets the target. Blocks.
  void Remove(TargetId id, std::chrono::nanoseconds drain);
  // Pauses or resumes a target's schedule (spend limit); in-flight requests finish normally.
  void SetPaused(TargetId id, bool paused);
  // True once a target's plan has ended (duration or max_requests reached) and nothing is in
  // flight any more: every request it sent has been reported.
  bool Finished(TargetId id) const;
  // Blocks until Finished(id) or `timeout` passes; returns Finished(id).
  bool WaitFinished(TargetId id, std::chrono::nanoseconds timeout) const;
  // Stops scheduling every target and drains as Remove() does. Blocks.
  void Stop(std::chrono::nanoseconds drain);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace loadgen

#endif  // LOADGEN_ENGINE_H_
