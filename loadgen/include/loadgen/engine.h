// The load engine: worker threads, each with one libcurl multi handle driven by an epoll loop,
// running the targets assigned to it.
//
// Threads: Engine owns `threads` workers (std::jthread). Each worker owns its CURLM, its easy
// handles, its connection cache and the per-target state of the targets it runs; it calls those
// targets' Recorders. Public methods of Engine are thread-safe: they post commands to the worker
// through a mutex-protected queue and wake it. The worker waits in epoll (libcurl's socket and
// timer callbacks tell it what to watch), so the wake-up is an eventfd in that epoll set rather
// than curl_multi_wakeup, which only interrupts curl_multi_poll. Never call Remove, Stop or the
// destructor from inside a Recorder callback: they wait for the worker that is calling it.
//
// Every request sent is reported exactly once: completed, timed out, or aborted by Remove/Stop.
// Connections: targets on one worker share its keep-alive cache (targets on the same host and
// port reuse each other's idle connections). libcurl retries a request once, on a new
// connection, when a reused keep-alive connection turns out closed before any byte of the answer
// arrived; the target may then have seen the first attempt too, while infercost reports one
// request. Requests are HTTP/1.1, or HTTP/2 when a TLS server offers it by ALPN (multiplexed).
#ifndef LOADGEN_ENGINE_H_
#define LOADGEN_ENGINE_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "loadgen/load.h"
#include "loadgen/record.h"
#include "loadgen/request.h"

namespace loadgen {

struct EngineOptions {
  int threads = 1;  // worker threads; each target runs on the one with the fewest targets
  // Connections each target may keep open; 0 picks the highest concurrency of its plan (closed
  // loop) or its max_in_flight (open loop).
  int max_connections_per_target = 0;
  // Told once per worker of a condition that fails requests for a reason of the generator's own
  // (the process ran out of descriptors); the requests themselves are counted as usual. Called on
  // a worker thread; may be empty.
  std::function<void(const std::string&)> on_warning = nullptr;
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

  // Starts loading a target now (its plan's offset 0 is when the worker picks it up). `recorder`
  // must stay valid until Remove() returns or the engine is destroyed, and is called only from
  // that target's worker.
  TargetId Add(TargetPlan plan, Recorder* recorder);
  // Stops scheduling a target, waits up to `drain` for its in-flight requests (still reported),
  // aborts the rest (reported as timeout, aborted = true) and forgets the target. Blocks.
  void Remove(TargetId id, std::chrono::nanoseconds drain);
  // Pauses or resumes a target's schedule (spend limit); in-flight requests finish normally.
  void SetPaused(TargetId id, bool paused);
  // True once a target's plan has ended (duration or max_requests reached) and nothing is in
  // flight any more: every request it sent has been reported. True for an unknown or removed id.
  bool Finished(TargetId id) const;
  // Blocks until Finished(id) or `timeout` passes; returns Finished(id).
  bool WaitFinished(TargetId id, std::chrono::nanoseconds timeout) const;
  // Stops scheduling every target and drains as Remove() does; the targets are forgotten. The
  // engine stays usable (Add works again). Blocks.
  void Stop(std::chrono::nanoseconds drain);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace loadgen

#endif  // LOADGEN_ENGINE_H_
