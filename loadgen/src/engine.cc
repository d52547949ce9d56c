// The engine's public face: it starts the workers (worker.cc: the event loop, one per thread),
// assigns each target to the worker with the fewest, and turns calls into commands posted to them.
#include "loadgen/engine.h"

#include <curl/curl.h>

#include <algorithm>
#include <csignal>
#include <future>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "worker.h"

namespace loadgen {

using internal::FinishBoard;
using internal::TargetHandle;
using internal::Worker;
using std::chrono::nanoseconds;

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    // A write to a connection the server closed must become an error code, not kill us.
    std::signal(SIGPIPE, SIG_IGN);
  });
}

class Engine::Impl {
 public:
  explicit Impl(EngineOptions options);
  ~Impl();

  TargetId Add(TargetPlan plan, Recorder* recorder);
  void Remove(TargetId id, nanoseconds drain);
  void SetPaused(TargetId id, bool paused);
  bool Finished(TargetId id) const;
  bool WaitFinished(TargetId id, nanoseconds timeout) const;
  void Stop(nanoseconds drain);

 private:
  std::shared_ptr<TargetHandle> Find(TargetId id) const;

  EngineOptions options_;
  std::vector<std::unique_ptr<Worker>> workers_;
  mutable FinishBoard board_;
  mutable std::mutex mu_;
  std::unordered_map<TargetId, std::shared_ptr<TargetHandle>> targets_;
  std::vector<int> targets_per_worker_;
  TargetId next_id_ = 1;
};

Engine::Impl::Impl(EngineOptions options) : options_(options) {
  GlobalInit();
  const int threads = std::max(options_.threads, 1);
  for (int i = 0; i < threads; ++i) workers_.push_back(std::make_unique<Worker>(&board_, options_));
  targets_per_worker_.assign(workers_.size(), 0);
}

Engine::Impl::~Impl() {
  Stop(nanoseconds(0));
  workers_.clear();
}

std::shared_ptr<TargetHandle> Engine::Impl::Find(TargetId id) const {
  std::lock_guard lock(mu_);
  auto it = targets_.find(id);
  return it == targets_.end() ? nullptr : it->second;
}

TargetId Engine::Impl::Add(TargetPlan plan, Recorder* recorder) {
  auto handle = std::make_shared<TargetHandle>();
  TargetId id = 0;
  {
    std::lock_guard lock(mu_);
    id = next_id_++;
    const auto least = std::min_element(targets_per_worker_.begin(), targets_per_worker_.end());
    handle->worker = static_cast<std::size_t>(least - targets_per_worker_.begin());
    ++*least;
    targets_.emplace(id, handle);
  }
  Worker* worker = workers_[handle->worker].get();
  auto shared_plan = std::make_shared<TargetPlan>(std::move(plan));
  worker->Post([worker, id, handle, shared_plan, recorder] {
    worker->AddTarget(id, handle, std::move(*shared_plan), recorder);
  });
  return id;
}

void Engine::Impl::Remove(TargetId id, nanoseconds drain) {
  std::shared_ptr<TargetHandle> handle = Find(id);
  if (handle == nullptr) return;
  Worker* worker = workers_[handle->worker].get();
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> removed = done->get_future();
  worker->Post([worker, id, drain, done] { worker->RemoveTarget(id, drain, std::move(*done)); });
  removed.wait();
  std::lock_guard lock(mu_);
  if (targets_.erase(id) > 0) --targets_per_worker_[handle->worker];
}

void Engine::Impl::SetPaused(TargetId id, bool paused) {
  std::shared_ptr<TargetHandle> handle = Find(id);
  if (handle == nullptr) return;
  Worker* worker = workers_[handle->worker].get();
  worker->Post([worker, id, paused] { worker->SetPaused(id, paused); });
}

bool Engine::Impl::Finished(TargetId id) const {
  std::shared_ptr<TargetHandle> handle = Find(id);
  return handle == nullptr || handle->finished.load();
}

bool Engine::Impl::WaitFinished(TargetId id, nanoseconds timeout) const {
  std::shared_ptr<TargetHandle> handle = Find(id);
  if (handle == nullptr) return true;
  return board_.Wait(handle, timeout);
}

void Engine::Impl::Stop(nanoseconds drain) {
  std::vector<std::future<void>> waits;
  for (auto& worker : workers_) {
    auto done = std::make_shared<std::promise<void>>();
    waits.push_back(done->get_future());
    Worker* w = worker.get();
    w->Post([w, drain, done] { w->RemoveAll(drain, std::move(*done)); });
  }
  for (auto& wait : waits) wait.wait();
  std::lock_guard lock(mu_);
  targets_.clear();
  std::fill(targets_per_worker_.begin(), targets_per_worker_.end(), 0);
}

Engine::Engine(EngineOptions options) : impl_(std::make_unique<Impl>(options)) {}
Engine::~Engine() = default;
TargetId Engine::Add(TargetPlan plan, Recorder* recorder) {
  return impl_->Add(std::move(plan), recorder);
}
void Engine::Remove(TargetId id, std::chrono::nanoseconds drain) { impl_->Remove(id, drain); }
void Engine::SetPaused(TargetId id, bool paused) { impl_->SetPaused(id, paused); }
bool Engine::Finished(TargetId id) const { return impl_->Finished(id); }
bool Engine::WaitFinished(TargetId id, std::chrono::nanoseconds timeout) const {
  return impl_->WaitFinished(id, timeout);
}
void Engine::Stop(std::chrono::nanoseconds drain) { impl_->Stop(drain); }

}  // namespace loadgen
