// The engine: per worker one thread, one CURLM and one epoll instance. libcurl tells us which
// sockets it wants watched (socket callback) and when it next needs a kick (timer callback); the
// loop waits on epoll until the earliest of libcurl's deadline and the targets' own deadlines
// (next open-loop arrival, stage end, tick, drain deadline) with nanosecond resolution, then hands
// ready sockets to curl_multi_socket_action and collects finished transfers.
//
// Nothing in the loop blocks: DNS goes through libcurl's threaded resolver, bodies are prepared
// before a target is added, and recorders only touch memory (or buffered files), so one slow
// target never delays another's schedule on the same worker.
#include "worker.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <system_error>

#include "loadgen/descriptors.h"
#include "loadgen/target_state.h"

namespace loadgen::internal {
namespace {

using std::chrono::milliseconds;

// The soonest a recorder's next tick comes after one (a recorder that asks for "now" again
// must not spin the loop).
constexpr nanoseconds kMinTickInterval = milliseconds(1);

// How late a recorder's tick (a window publish, a CSV flush) may be, waiting for a pass that has
// a send or a finished transfer to handle anyway: at a thousand targets, each publishing once a
// tick at its own phase, the publishes ride on the wake-ups the requests cause instead of adding
// a thousand of their own every second. Well under the tick's quarter the updater leaves them.
constexpr nanoseconds kTickSlack = milliseconds(1);
constexpr int kMaxEvents = 256;

}  // namespace

// A target on its worker: its state machine, its request template and the easy handles that
// carry its requests. The state machine's actions start transfers on the worker.
struct Target : TargetState::Actions {
  // What every pass over the target reads, together at the front: at a thousand targets each
  // pass starts on cold memory, and these were spread over 3 KiB (the schedule's random number
  // generator alone is 2.5 KiB).
  TargetId id = 0;
  uint32_t slot = 0;      // its index in Worker::slots_ and key in Worker::timers_
  bool touched = false;   // listed in Worker::touched_
  bool in_batch = false;  // listed in the current pass
  int connections = 1;
  Clock::time_point next_tick;
  Recorder* recorder = nullptr;
  Worker* worker = nullptr;
  std::size_t next_payload = 0;
  std::vector<Transfer*> idle;

  std::shared_ptr<TargetHandle> handle;
  std::string name;
  RequestTemplate request;
  TargetState state;
  ConnectionShare connections_cache;                 // before `transfers`: outlives their handles
  std::vector<std::unique_ptr<Transfer>> transfers;  // all handles ever created
  std::promise<void> removed;                        // set once a removal is complete

  Target(TargetPlan plan, Recorder* r, Worker* w)
      : recorder(r),
        worker(w),
        name(std::move(plan.name)),
        request(std::move(plan.request)),
        state(std::move(plan.load), this) {}

  bool Send(Clock::time_point scheduled_at, Clock::time_point now) override;
  void Drop(Clock::time_point scheduled_at) override { recorder->OnDropped(scheduled_at); }
  void StageChanged(int index, const Stage& stage, bool active) override {
    recorder->OnStage(index, stage, active);
  }
};

bool Target::Send(Clock::time_point scheduled_at, Clock::time_point now) {
  return worker->Start(*this, scheduled_at, now);
}

Worker::Worker(FinishBoard* board, const EngineOptions& options)
    : board_(board), options_(options) {
  // Start-up, not the request path: a worker that cannot exist is an exception with the reason,
  // which main's barrier reports (exit 1), never a loop on an invalid descriptor.
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0)
    throw std::system_error(errno, std::generic_category(), "engine: epoll_create1");
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wake_fd_;
  if (wake_fd_ < 0 || epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev) != 0) {
    const int error = errno;
    if (wake_fd_ >= 0) close(wake_fd_);
    close(epoll_fd_);
    throw std::system_error(error, std::generic_category(), "engine: eventfd");
  }
  multi_ = curl_multi_init();
  if (multi_ == nullptr) {
    close(wake_fd_);
    close(epoll_fd_);
    throw std::runtime_error("engine: curl_multi_init failed (out of memory?)");
  }
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &Worker::OnSocket);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &Worker::OnTimer);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
  thread_ = std::jthread([this](std::stop_token stop) { Run(stop); });
}

Worker::~Worker() {
  thread_.request_stop();
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof one);
  if (thread_.joinable()) thread_.join();
  targets_.clear();  // easy handles are cleaned up before the multi handle
  curl_multi_cleanup(multi_);
  close(wake_fd_);
  close(epoll_fd_);
}

void Worker::Post(std::function<void()> command) {
  {
    std::lock_guard lock(mu_);
    commands_.push_back(std::move(command));
    has_commands_.store(true, std::memory_order_release);
  }
  // libcurl's own curl_multi_wakeup only interrupts curl_multi_poll(); this loop waits in epoll,
  // so it has its own eventfd.
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof one);
}

void Worker::Run(const std::stop_token& stop) {
  // The kernel may otherwise fire our timers up to 50 µs late (the default timer slack), and
  // every microsecond of that is schedule lag and, in open loop, latency.
  prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  // Named for `top -H`, `ps -L` and perf (at most 15 characters).
  prctl(PR_SET_NAME, "engine", 0UL, 0UL, 0UL);
  while (!stop.stop_requested()) {
    RunCommands();
    Clock::time_point now = Clock::now();
    if (curl_deadline_.has_value() && *curl_deadline_ <= now) {
      curl_deadline_.reset();
      SocketAction(CURL_SOCKET_TIMEOUT, 0);
      now = Clock::now();
    }
    ServiceTargets(now);
    // Requests just added set libcurl's timer to "now": start them before sleeping.
    if (curl_deadline_.has_value() && *curl_deadline_ <= now) {
      curl_deadline_.reset();
      SocketAction(CURL_SOCKET_TIMEOUT, 0);
    }
    Wait(NextDeadline());
  }
}

void Worker::RunCommands() {
  if (!has_commands_.load(std::memory_order_acquire)) return;
  std::vector<std::function<void()>> commands;
  {
    has_commands_.store(false, std::memory_order_relaxed);
    std::lock_guard lock(mu_);
    commands.swap(commands_);
  }
  for (auto& command : commands) command();
}

void Worker::Wait(Clock::time_point deadline) {
  epoll_event events[kMaxEvents];
  const Clock::time_point now = Clock::now();
  const nanoseconds wait = deadline <= now ? nanoseconds(0) : deadline - now;
  int n = -1;
  if (use_pwait2_) {
    timespec ts{};
    ts.tv_sec = static_cast<time_t>(wait.count() / 1'000'000'000);
    ts.tv_nsec = static_cast<long>(wait.count() % 1'000'000'000);
    n = epoll_pwait2(epoll_fd_, events, kMaxEvents, &ts, nullptr);
    if (n < 0 && errno == ENOSYS) use_pwait2_ = false;  // kernels before 5.11
  }
  if (!use_pwait2_) {
    // Millisecond resolution only: round up so that we never spin before the deadline.
    const int64_t ms = (wait.count() + 999'999) / 1'000'000;
    n = epoll_wait(epoll_fd_, events, kMaxEvents, static_cast<int>(std::min<int64_t>(ms, 60'000)));
  }
  for (int i = 0; i < n; ++i) {
    const int fd = events[i].data.fd;
    if (fd == wake_fd_) {
      uint64_t value = 0;
      [[maybe_unused]] ssize_t r = read(wake_fd_, &value, sizeof value);
      continue;
    }
    const auto index = static_cast<std::size_t>(fd);
    if (index >= wanted_.size() || wanted_[index] == 0) {
      // libcurl no longer watches this fd: drop it from epoll now that it has something to say.
      epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
      if (index < registered_.size()) registered_[index] = 0;
      continue;
    }
    int action = 0;
    if (events[i].events & EPOLLIN) action |= CURL_CSELECT_IN;
    if (events[i].events & EPOLLOUT) action |= CURL_CSELECT_OUT;
    if (events[i].events & (EPOLLERR | EPOLLHUP)) action |= CURL_CSELECT_ERR;
    SocketAction(fd, action);
  }
}

void Worker::SocketAction(curl_socket_t fd, int events) {
  int running = 0;
  curl_multi_socket_action(multi_, fd, events, &running);
  // Collect after every action so that done_at is taken as soon as libcurl has finished a
  // transfer, not after the rest of the batch.
  CollectDone();
}

int Worker::OnSocket(CURL* /*easy*/, curl_socket_t fd, int what, void* user,
                     void* /*socket_user*/) {
  auto* self = static_cast<Worker*>(user);
  const auto index = static_cast<std::size_t>(fd);
  if (index >= self->wanted_.size()) {
    self->wanted_.resize(index + 1, 0);
    self->registered_.resize(index + 1, 0);
  }
  uint32_t want = 0;
  if (what == CURL_POLL_IN || what == CURL_POLL_INOUT) want |= EPOLLIN;
  if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT) want |= EPOLLOUT;
  self->wanted_[index] = want;
  if (want == 0 || self->registered_[index] == want) return 0;
  epoll_event ev{};
  ev.events = want;
  ev.data.fd = fd;
  const int op = self->registered_[index] == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
  epoll_ctl(self->epoll_fd_, op, fd, &ev);
  self->registered_[index] = want;
  return 0;
}

int Worker::OnCloseSocket(void* user, curl_socket_t fd) {
  // libcurl closes its sockets through us so that the lazy registrations stay exact: an fd number
  // we still hold in epoll is always the same socket.
  auto* self = static_cast<Worker*>(user);
  const auto index = static_cast<std::size_t>(fd);
  if (index < self->registered_.size() && self->registered_[index] != 0) {
    epoll_ctl(self->epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
    self->registered_[index] = 0;
    self->wanted_[index] = 0;
  }
  return close(fd);
}

int Worker::OnTimer(CURLM* /*multi*/, long timeout_ms, void* user) {
  auto* self = static_cast<Worker*>(user);
  if (timeout_ms < 0) {
    self->curl_deadline_.reset();
  } else if (timeout_ms == 0) {
    // "As soon as possible": the loop runs it before it next waits.
    self->curl_deadline_ = Clock::time_point::min();
  } else {
    self->curl_deadline_ = Clock::now() + milliseconds(timeout_ms);
  }
  return 0;
}

void Worker::CollectDone() {
  int pending = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &pending)) {
    if (msg->msg != CURLMSG_DONE) continue;
    const Clock::time_point now = Clock::now();
    Transfer* t = nullptr;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
    const CURLcode code = msg->data.result;
    // `msg` is invalid once the handle is removed, which Finish does.
    Finish(t, code, now, /*aborted=*/false);
  }
}
void Worker::Finish(Transfer* t, CURLcode code, Clock::time_point now, bool aborted) {
  auto& target = *static_cast<Target*>(t->owner);
  if (code != CURLE_OK && OutOfDescriptors(t->easy)) {
    // Counted like any failed connection (connect_error), logged once, and the closed loop holds
    // off instead of retrying at once into the same limit.
    target.state.HoldRefill(now + TargetState::kRefillBackoff);
    if (!warned_descriptors_ && options_.on_warning) {
      warned_descriptors_ = true;
      options_.on_warning(
          "out of open files (EMFILE): requests fail as connect_error until descriptors are "
          "free; raise the open-file limit or lower concurrency");
    }
  }
  curl_multi_remove_handle(multi_, t->easy);
  t->Complete(code, now, aborted);
  target.idle.push_back(t);
  target.recorder->OnRequestDone(t->record);
  target.state.RequestDone(now);
  if (!aborted) CheckFinished(target, now);
  Touch(target);
}

bool Worker::OutOfDescriptors(CURL* easy) {
  long os_errno = 0;
  curl_easy_getinfo(easy, CURLINFO_OS_ERRNO, &os_errno);
  return os_errno == EMFILE || os_errno == ENFILE;
}

Transfer* Worker::Acquire(Target& target) {
  if (!target.idle.empty()) {
    Transfer* t = target.idle.back();
    target.idle.pop_back();
    return t;
  }
  auto owned = std::make_unique<Transfer>();
  Transfer* t = owned.get();
  t->owner = &target;
  t->request = &target.request;
  t->easy =
      target.request.NewEasy(t, {&Worker::OnCloseSocket, this}, target.connections_cache.get());
  if (t->easy == nullptr) return nullptr;
  if (target.request.keep_body()) {
    t->body.reserve(std::min<std::size_t>(target.request.spec().expect.max_body_bytes, 4096));
  }
  target.transfers.push_back(std::move(owned));
  return t;
}

bool Worker::Start(Target& target, Clock::time_point scheduled_at, Clock::time_point now) {
  Transfer* t = Acquire(target);
  if (t == nullptr) {
    // Out of memory for a handle: the request counts as sent and fails, never vanishes.
    RequestRecord failed;
    failed.scheduled_at = scheduled_at;
    failed.sent_at = now;
    failed.done_at = now;
    failed.outcome = Outcome::kConnectError;
    target.recorder->OnRequestDone(failed);
    return false;
  }
  const bool ready = target.request.Prepare(t, target.next_payload++);
  t->Begin(scheduled_at, now);
  // A request that cannot go out still finishes, once, with its outcome; the handle is idle again.
  auto fail = [&](Outcome outcome) {
    t->active = false;
    target.idle.push_back(t);
    t->record.done_at = now;
    t->record.outcome = outcome;
    target.recorder->OnRequestDone(t->record);
    return false;
  };
  // No valid AWS keys (expired, refresh failing): not sent, counted as auth_error.
  if (!ready) return fail(Outcome::kAuthError);
  if (curl_multi_add_handle(multi_, t->easy) != CURLM_OK) return fail(Outcome::kConnectError);
  return true;
}

void Worker::ServiceTargets(Clock::time_point now) {
  batch_.clear();
  const auto add = [this](uint32_t slot) {
    Target* target = slots_[slot];
    if (target->in_batch) return;
    target->in_batch = true;
    batch_.push_back(slot);
  };
  while (!timers_.empty() && timers_.top_time() <= now) add(timers_.Pop());
  // Every tick due by now, whether or not its slack is spent (see kTickSlack).
  while (!ticks_.empty() && ticks_.top_time() <= now) add(ticks_.Pop());
  for (const uint32_t slot : touched_) {
    if (slots_[slot] == nullptr) continue;
    slots_[slot]->touched = false;
    add(slot);
  }
  touched_.clear();
  // Servicing one target may complete its removal, which frees its slot (no target is added
  // during a pass, so a freed slot stays empty until the pass ends).
  for (const uint32_t slot : batch_) {
    Target* target = slots_[slot];
    if (target == nullptr) continue;
    target->in_batch = false;
    ServiceTarget(*target, now);
  }
}

void Worker::Touch(Target& target) {
  if (target.touched) return;
  target.touched = true;
  touched_.push_back(target.slot);
}

void Worker::Reschedule(Target& target) {
  // Unchanged: nothing moves; max: cleared. A draining target publishes no more ticks.
  timers_.Set(target.slot, target.state.NextDeadline());
  ticks_.Set(target.slot, target.state.draining() ? Clock::time_point::max() : target.next_tick);
}

void Worker::ServiceTarget(Target& target, Clock::time_point now) {
  if (target.state.draining()) {
    if (target.state.DrainExpired(now)) {
      // Past the drain bound: abort what is left, each still reported exactly once.
      for (auto& owned : target.transfers) {
        if (owned->active) Finish(owned.get(), CURLE_OK, now, /*aborted=*/true);
      }
    }
    if (target.state.Drained()) {
      CompleteRemoval(target.id);  // `target` is gone
      return;
    }
    Reschedule(target);
    return;
  }
  target.state.Update(now);
  if (now >= target.next_tick) {
    target.recorder->OnTick(now, target.state.in_flight());
    target.next_tick = std::max(target.recorder->NextTick(now), now + kMinTickInterval);
  }
  CheckFinished(target, now);
  Reschedule(target);
}

void Worker::CheckFinished(Target& target, Clock::time_point now) {
  if (target.state.Finished() && !target.handle->finished.load()) {
    target.recorder->OnTick(now, 0);
    board_->Mark(target.handle);
  }
}

Clock::time_point Worker::NextDeadline() const {
  Clock::time_point deadline = Clock::now() + std::chrono::seconds(1);
  if (curl_deadline_.has_value()) deadline = std::min(deadline, *curl_deadline_);
  // A target touched after the last pass (a transfer finished as it was started) is serviced
  // before the loop sleeps.
  if (!touched_.empty()) return Clock::time_point::min();
  if (!timers_.empty()) deadline = std::min(deadline, timers_.top_time());
  if (!ticks_.empty()) deadline = std::min(deadline, ticks_.top_time() + kTickSlack);
  return deadline;
}

void Worker::AddTarget(TargetId id, std::shared_ptr<TargetHandle> handle, TargetPlan plan,
                       Recorder* recorder) {
  const int connections = ConnectionsFor(plan.load, options_.max_connections_per_target);
  auto target = std::make_unique<Target>(std::move(plan), recorder, this);
  Target& t = *target;
  t.id = id;
  t.handle = std::move(handle);
  t.connections = connections;
  const Clock::time_point now = Clock::now();
  t.next_tick = now;
  if (free_slots_.empty()) {
    t.slot = static_cast<uint32_t>(slots_.size());
    slots_.push_back(&t);
  } else {
    t.slot = free_slots_.back();
    free_slots_.pop_back();
    slots_[t.slot] = &t;
  }
  targets_.emplace(id, std::move(target));
  UpdateConnectionCache(connections);
  t.state.Start(now);
  ServiceTarget(t, now);
}

void Worker::UpdateConnectionCache(long change) {
  connections_ += change;
  // Enough room that every target's connections stay cached between requests (keep-alive).
  curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, std::max(connections_, 8L));
}

void Worker::CompleteRemoval(TargetId id) {
  auto it = targets_.find(id);
  if (it == targets_.end()) return;
  std::unique_ptr<Target> target = std::move(it->second);
  targets_.erase(it);
  timers_.Clear(target->slot);
  ticks_.Clear(target->slot);
  slots_[target->slot] = nullptr;
  std::erase(touched_, target->slot);
  free_slots_.push_back(target->slot);
  target->recorder->OnTick(Clock::now(), 0);
  board_->Mark(target->handle);
  target->removed.set_value();
  UpdateConnectionCache(-target->connections);
  for (auto w = remove_all_waiters_.begin(); w != remove_all_waiters_.end();) {
    auto& ids = w->first;
    ids.erase(std::remove(ids.begin(), ids.end(), id), ids.end());
    if (ids.empty()) {
      w->second.set_value();
      w = remove_all_waiters_.erase(w);
    } else {
      ++w;
    }
  }
}

void Worker::RemoveTarget(TargetId id, nanoseconds drain, std::promise<void> done) {
  auto it = targets_.find(id);
  if (it == targets_.end()) {
    done.set_value();
    return;
  }
  Target& target = *it->second;
  if (target.state.draining()) {
    // A second Remove of the same target: wait for the first one's end through its own promise.
    std::vector<TargetId> ids{id};
    remove_all_waiters_.emplace_back(std::move(ids), std::move(done));
    return;
  }
  target.removed = std::move(done);
  target.state.BeginDrain(Clock::now(), drain);
  ServiceTarget(target, Clock::now());
}

void Worker::RemoveAll(nanoseconds drain, std::promise<void> done) {
  std::vector<TargetId> ids;
  for (auto& [id, target] : targets_) {
    ids.push_back(id);
    if (!target->state.draining()) target->state.BeginDrain(Clock::now(), drain);
  }
  if (ids.empty()) {
    done.set_value();
    return;
  }
  for (auto& [id, target] : targets_) Touch(*target);
  remove_all_waiters_.emplace_back(std::move(ids), std::move(done));
  ServiceTargets(Clock::now());
}

void Worker::SetPaused(TargetId id, bool paused) {
  auto it = targets_.find(id);
  if (it == targets_.end()) return;
  Target& target = *it->second;
  const Clock::time_point now = Clock::now();
  target.state.SetPaused(paused, now);
  ServiceTarget(target, now);
}

}  // namespace loadgen::internal
