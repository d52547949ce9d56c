// The engine: per worker one thread, one CURLM and one epoll instance. libcurl tells us which
// sockets it wants watched (socket callback) and when it next needs a kick (timer callback); the
// loop waits on epoll until the earliest of libcurl's deadline and the targets' own deadlines
// (next open-loop arrival, stage end, tick, drain deadline) with nanosecond resolution, then hands
// ready sockets to curl_multi_socket_action and collects finished transfers.
//
// Nothing in the loop blocks: DNS goes through libcurl's threaded resolver, bodies are prepared
// before a target is added, and recorders only touch memory (or buffered files), so one slow
// target never delays another's schedule on the same worker.
#include "loadgen/engine.h"

#include <curl/curl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "loadgen/schedule.h"

namespace loadgen {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

// OnTick is promised at least every 250 ms; aim below that so loop jitter never breaks it.
constexpr nanoseconds kTickInterval = milliseconds(200);
constexpr int kDefaultMaxInFlight = 10'000;
constexpr int kMaxEvents = 256;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

bool HasHeader(const std::vector<std::string>& headers, std::string_view name) {
  for (const std::string& h : headers) {
    const std::size_t colon = h.find(':');
    if (colon != std::string::npos &&
        EqualsIgnoreCase(Trim(std::string_view(h).substr(0, colon)), name)) {
      return true;
    }
  }
  return false;
}

// Connections a target may hold: what its plan can have in flight at once.
int ConnectionsFor(const LoadPlan& plan, const EngineOptions& options) {
  if (options.max_connections_per_target > 0) return options.max_connections_per_target;
  int most = 1;
  for (const Stage& stage : plan.stages) {
    if (stage.kind == Stage::Kind::kClosed) most = std::max(most, stage.concurrency);
    if (stage.kind == Stage::Kind::kOpen) {
      most = std::max(most, plan.max_in_flight > 0 ? plan.max_in_flight : 1024);
    }
  }
  return most;
}

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

}  // namespace

std::string CheckUrl(std::string_view url) {
  const std::string text(url);
  const std::string quoted = "URL '" + text + "'";
  if (!text.starts_with("http://") && !text.starts_with("https://")) {
    return quoted + " must start with http:// or https://";
  }
  if (text.find_first_of(" \t\r\n") != std::string::npos) return quoted + " contains white space";
  CURLU* parsed = curl_url();
  if (parsed == nullptr) return "out of memory";
  std::string error;
  if (curl_url_set(parsed, CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) {
    error = quoted + " is malformed";
  } else {
    char* host = nullptr;
    if (curl_url_get(parsed, CURLUPART_HOST, &host, 0) != CURLUE_OK || host == nullptr ||
        host[0] == '\0') {
      error = quoted + " has no host";
    }
    curl_free(host);
  }
  curl_url_cleanup(parsed);
  return error;
}

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    // A write to a connection the server closed must become an error code, not kill us.
    std::signal(SIGPIPE, SIG_IGN);
  });
}

namespace {
class Worker;
}  // namespace

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

namespace {

struct Target;

// One easy handle and the state of the request it carries. Reused from request to request so
// that the hot path allocates nothing and libcurl keeps its connection cache warm.
struct Transfer {
  CURL* easy = nullptr;
  Target* target = nullptr;
  RequestRecord record;
  std::string body;  // kept only when the body must be checked
  uint64_t body_bytes = 0;
  bool body_too_large = false;
  bool cold_header = false;
  int64_t billed_ms = -1;
  bool active = false;
};

struct Target {
  TargetId id = 0;
  std::shared_ptr<TargetHandle> handle;
  std::string name;
  RequestSpec request;
  Recorder* recorder = nullptr;
  Schedule schedule;
  int connections = 1;
  int max_in_flight = kDefaultMaxInFlight;

  Clock::time_point start;
  int stage_index = -1;
  Clock::time_point stage_end = Clock::time_point::max();
  bool paused = false;
  bool plan_over = false;  // no more requests will be scheduled
  std::optional<Clock::time_point> next_arrival;
  Clock::time_point next_tick;

  std::vector<std::unique_ptr<Transfer>> transfers;  // all handles ever created
  std::vector<Transfer*> idle;
  int in_flight = 0;
  uint64_t sent = 0;
  std::size_t next_payload = 0;
  std::vector<curl_slist*> header_lists;  // one per payload, or one for bodiless requests
  bool want_headers = false;
  bool keep_body = false;

  // Removal in progress: no new requests; abort what is left at drain_deadline.
  bool removing = false;
  Clock::time_point drain_deadline;
  std::promise<void> removed;

  explicit Target(LoadPlan plan) : schedule(std::move(plan)) {}
  ~Target() {
    for (auto& t : transfers) curl_easy_cleanup(t->easy);
    for (curl_slist* list : header_lists) curl_slist_free_all(list);
  }
  nanoseconds Offset(Clock::time_point now) const { return now - start; }
  const Stage* CurrentStage() const {
    if (stage_index < 0) return nullptr;
    return &schedule.plan().stages[static_cast<std::size_t>(stage_index)];
  }
  bool Scheduling() const { return !paused && !plan_over && !removing; }
  // How many requests the closed loop wants outstanding now. Nothing once the stage is over,
  // even if the loop has not switched to the next one yet.
  int ClosedLoopWant(Clock::time_point now) const {
    const Stage* stage = CurrentStage();
    if (!Scheduling() || stage == nullptr || stage->kind != Stage::Kind::kClosed) return 0;
    if (now >= stage_end) return 0;
    return std::max(stage->concurrency, 0);
  }
  bool MaxRequestsReached() const {
    const auto& max = schedule.plan().max_requests;
    return max.has_value() && sent >= *max;
  }
};

size_t WriteBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  t->body_bytes += n;
  if (t->body_bytes > t->target->request.expect.max_body_bytes) {
    t->body_too_large = true;
    return 0;  // CURLE_WRITE_ERROR: stop reading a body we would not accept anyway
  }
  if (t->target->keep_body) t->body.append(data, n);
  return n;
}

size_t ReadHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  const std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {
    // A new response (after a 1xx): forget what an earlier one said.
    t->cold_header = false;
    t->billed_ms = -1;
    return n;
  }
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  const std::string_view name = line.substr(0, colon);
  const std::string_view value = Trim(line.substr(colon + 1));
  const RequestSpec& spec = t->target->request;
  if (!spec.cold_start.header.empty() && EqualsIgnoreCase(name, spec.cold_start.header)) {
    t->cold_header = EqualsIgnoreCase(value, "true");
  } else if (!spec.billed_duration_header.empty() &&
             EqualsIgnoreCase(name, spec.billed_duration_header)) {
    // Lambda bills whole milliseconds; a fractional value is rounded up as AWS does.
    char* end = nullptr;
    const std::string copy(value);
    const double ms = std::strtod(copy.c_str(), &end);
    if (end != copy.c_str() && *end == '\0' && std::isfinite(ms) && ms >= 0 && ms < 1e12) {
      t->billed_ms = static_cast<int64_t>(std::ceil(ms));
    }
  }
  return n;
}

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

 private:
  void Run(const std::stop_token& stop);
  void RunCommands();
  void Wait(Clock::time_point deadline);
  void SocketAction(curl_socket_t fd, int events);
  void CollectDone();
  void Finish(Transfer* t, CURLcode code, Clock::time_point now, bool aborted);
  void ServiceTargets(Clock::time_point now);
  void ServiceTarget(Target& target, Clock::time_point now);
  void SendArrivals(Target& target, Clock::time_point now, Clock::time_point until);
  void EnterStage(Target& target, Clock::time_point now);
  void FillClosedLoop(Target& target, Clock::time_point now);
  void Start(Target& target, Clock::time_point scheduled_at, Clock::time_point now);
  Transfer* Acquire(Target& target);
  void CheckFinished(Target& target, Clock::time_point now);
  void BeginRemoval(Target& target, nanoseconds drain, Clock::time_point now);
  void CompleteRemoval(TargetId id);
  void UpdateConnectionCache();
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
  std::optional<Clock::time_point> curl_deadline_;
  // The epoll interest we registered for each fd libcurl watches (0: none). An fd libcurl stops
  // watching stays registered until an event shows up for it, saving an epoll_ctl pair per
  // request on keep-alive connections that go idle between requests.
  std::vector<uint32_t> registered_;
  std::vector<uint32_t> wanted_;
  std::map<TargetId, std::unique_ptr<Target>> targets_;
  std::vector<std::pair<std::vector<TargetId>, std::promise<void>>> remove_all_waiters_;

  std::mutex mu_;
  std::vector<std::function<void()>> commands_;
  std::atomic<bool> has_commands_{false};  // lets the loop skip the lock when nothing is posted
  std::jthread thread_;                    // last: started once everything above exists
};

Worker::Worker(FinishBoard* board, const EngineOptions& options)
    : board_(board), options_(options) {
  multi_ = curl_multi_init();
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wake_fd_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
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
  Target& target = *t->target;
  curl_multi_remove_handle(multi_, t->easy);
  RequestRecord& r = t->record;
  r.done_at = now;
  long status = 0;
  curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
  curl_off_t uploaded = 0;
  curl_easy_getinfo(t->easy, CURLINFO_SIZE_UPLOAD_T, &uploaded);
  r.http_status = static_cast<int>(status);
  r.bytes_sent = static_cast<uint64_t>(std::max<curl_off_t>(uploaded, 0));
  r.bytes_received = std::min<uint64_t>(t->body_bytes, target.request.expect.max_body_bytes);
  r.aborted = aborted;
  r.billed_duration_ms = t->billed_ms;
  if (aborted) {
    r.outcome = Outcome::kTimeout;
  } else {
    const Expect& expect = target.request.expect;
    bool checks = !t->body_too_large;
    if (expect.status != 0) {
      checks = checks && status == expect.status;
    } else {
      checks = checks && status >= 200 && status <= 299;
    }
    if (checks && !expect.body_contains.empty()) {
      checks = t->body.find(expect.body_contains) != std::string::npos;
    }
    // An oversized body was cut by us, not by the network: classify it by its status.
    const int effective_code = t->body_too_large ? CURLE_OK : static_cast<int>(code);
    r.outcome = ClassifyOutcome(effective_code, status, checks);
  }
  r.cold_start = t->cold_header;
  if (!r.cold_start && r.outcome == Outcome::kOk && target.request.cold_start.latency_above &&
      r.Latency() > *target.request.cold_start.latency_above) {
    r.cold_start = true;
  }
  t->active = false;
  --target.in_flight;
  target.idle.push_back(t);
  target.recorder->OnRequestDone(r);
  if (!aborted) {
    FillClosedLoop(target, now);
    CheckFinished(target, now);
  }
}

Transfer* Worker::Acquire(Target& target) {
  if (!target.idle.empty()) {
    Transfer* t = target.idle.back();
    target.idle.pop_back();
    return t;
  }
  auto owned = std::make_unique<Transfer>();
  Transfer* t = owned.get();
  t->target = &target;
  t->easy = curl_easy_init();
  if (t->easy == nullptr) return nullptr;
  const RequestSpec& spec = target.request;
  CURL* e = t->easy;
  curl_easy_setopt(e, CURLOPT_URL, spec.url.c_str());
  curl_easy_setopt(e, CURLOPT_PRIVATE, t);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, &Worker::OnCloseSocket);
  curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, this);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &WriteBody);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
  if (target.want_headers) {
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &ReadHeader);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
  }
  const auto timeout_ms = std::max<int64_t>(
      1, std::chrono::duration_cast<milliseconds>(spec.timeout + milliseconds(1) - nanoseconds(1))
             .count());
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms));
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout_ms));
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  if (!spec.verify_tls) {
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  const bool has_body = spec.payloads != nullptr && !spec.payloads->empty();
  if (EqualsIgnoreCase(spec.method, "GET") && !has_body) {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  } else if (EqualsIgnoreCase(spec.method, "HEAD")) {
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(0));
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
    if (!EqualsIgnoreCase(spec.method, "POST")) {
      curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, spec.method.c_str());
    }
  }
  if (spec.sigv4.has_value()) {
    curl_easy_setopt(e, CURLOPT_AWS_SIGV4, spec.sigv4->provider.c_str());
    curl_easy_setopt(e, CURLOPT_USERNAME, spec.sigv4->access_key.c_str());
    curl_easy_setopt(e, CURLOPT_PASSWORD, spec.sigv4->secret_key.c_str());
  }
  if (target.keep_body) t->body.reserve(std::min<std::size_t>(spec.expect.max_body_bytes, 4096));
  target.transfers.push_back(std::move(owned));
  return t;
}

void Worker::Start(Target& target, Clock::time_point scheduled_at, Clock::time_point now) {
  Transfer* t = Acquire(target);
  if (t == nullptr) {
    // Out of memory for a handle: the request counts as sent and fails, never vanishes.
    RequestRecord failed;
    failed.scheduled_at = scheduled_at;
    failed.sent_at = now;
    failed.done_at = now;
    failed.outcome = Outcome::kConnectError;
    ++target.sent;
    target.recorder->OnRequestDone(failed);
    return;
  }
  RequestRecord& r = t->record;
  const RequestSpec& spec = target.request;
  if (spec.payloads != nullptr && !spec.payloads->empty()) {
    const std::size_t index = target.next_payload++ % spec.payloads->size();
    const Payload& p = (*spec.payloads)[index];
    curl_easy_setopt(t->easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(p.bytes.size()));
    curl_easy_setopt(t->easy, CURLOPT_POSTFIELDS, p.bytes.data());
    curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, target.header_lists[index]);
  } else {
    curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, target.header_lists.front());
  }
  r = RequestRecord{};
  r.scheduled_at = scheduled_at;
  r.sent_at = now;
  t->body.clear();
  t->body_bytes = 0;
  t->body_too_large = false;
  t->cold_header = false;
  t->billed_ms = -1;
  t->active = true;
  ++target.in_flight;
  ++target.sent;
  if (curl_multi_add_handle(multi_, t->easy) != CURLM_OK) {
    t->active = false;
    --target.in_flight;
    target.idle.push_back(t);
    r.done_at = now;
    r.outcome = Outcome::kConnectError;
    target.recorder->OnRequestDone(r);
  }
}

void Worker::FillClosedLoop(Target& target, Clock::time_point now) {
  const int want = target.ClosedLoopWant(now);
  while (target.in_flight < want && !target.MaxRequestsReached()) Start(target, now, now);
}

void Worker::EnterStage(Target& target, Clock::time_point now) {
  const Schedule::Position position = target.schedule.At(target.Offset(now));
  target.stage_index = position.stage_index;
  if (position.stage_index < 0) {
    target.plan_over = true;
    target.stage_end = Clock::time_point::max();
    target.next_arrival.reset();
    target.recorder->OnStage(-1, Stage{}, false);
    return;
  }
  target.stage_end = position.stage_end == nanoseconds::max() ? Clock::time_point::max()
                                                              : target.start + position.stage_end;
  const Stage& stage = *target.CurrentStage();
  target.recorder->OnStage(position.stage_index, stage,
                           !target.paused && stage.kind != Stage::Kind::kIdle);
}

void Worker::ServiceTargets(Clock::time_point now) {
  for (auto it = targets_.begin(); it != targets_.end();) {
    Target& target = *it->second;
    ++it;  // ServiceTarget may complete a removal, which erases the target
    ServiceTarget(target, now);
  }
}

void Worker::ServiceTarget(Target& target, Clock::time_point now) {
  if (target.removing) {
    if (target.in_flight > 0 && now >= target.drain_deadline) {
      // Past the drain bound: abort what is left, each still reported exactly once.
      for (auto& owned : target.transfers) {
        if (owned->active) Finish(owned.get(), CURLE_OK, now, /*aborted=*/true);
      }
    }
    if (target.in_flight == 0) CompleteRemoval(target.id);
    return;
  }
  // Arrivals of the stage that is ending go out before the switch, even when the loop woke late:
  // switching first would lose them.
  if (!target.plan_over && now >= target.stage_end) {
    SendArrivals(target, now, target.stage_end - nanoseconds(1));
    EnterStage(target, now);
    FillClosedLoop(target, now);
  }
  SendArrivals(target, now, now);
  if (!target.plan_over && target.MaxRequestsReached()) {
    target.plan_over = true;
    target.next_arrival.reset();
  }
  if (now >= target.next_tick) {
    target.recorder->OnTick(now, target.in_flight);
    target.next_tick = now + kTickInterval;
  }
  CheckFinished(target, now);
}

void Worker::SendArrivals(Target& target, Clock::time_point now, Clock::time_point until) {
  // In order; each due arrival is sent or counted as dropped.
  while (target.next_arrival.has_value() && *target.next_arrival <= until && target.Scheduling()) {
    if (target.MaxRequestsReached()) {
      target.next_arrival.reset();
      break;
    }
    const Clock::time_point scheduled = *target.next_arrival;
    if (target.in_flight >= target.max_in_flight) {
      target.recorder->OnDropped(scheduled);
    } else {
      Start(target, scheduled, now);
    }
    const auto next = target.schedule.NextArrival(target.Offset(scheduled));
    if (next.has_value()) {
      target.next_arrival = target.start + *next;
    } else {
      target.next_arrival.reset();
    }
  }
}

void Worker::CheckFinished(Target& target, Clock::time_point now) {
  // The plan's end in time is ServiceTarget's to detect (after the last arrivals went out); a
  // request budget can run out anywhere.
  if (!target.plan_over && target.MaxRequestsReached()) {
    target.plan_over = true;
    target.next_arrival.reset();
  }
  if (target.plan_over && target.in_flight == 0 && !target.handle->finished.load()) {
    target.recorder->OnTick(now, 0);
    board_->Mark(target.handle);
  }
}

Clock::time_point Worker::NextDeadline() const {
  Clock::time_point deadline = Clock::now() + std::chrono::seconds(1);
  if (curl_deadline_.has_value()) deadline = std::min(deadline, *curl_deadline_);
  for (const auto& [id, target] : targets_) {
    deadline = std::min(deadline, target->next_tick);
    if (target->removing) {
      deadline = std::min(deadline, target->drain_deadline);
      continue;
    }
    if (!target->plan_over) deadline = std::min(deadline, target->stage_end);
    if (target->next_arrival.has_value() && target->Scheduling()) {
      deadline = std::min(deadline, *target->next_arrival);
    }
  }
  return deadline;
}

void Worker::AddTarget(TargetId id, std::shared_ptr<TargetHandle> handle, TargetPlan plan,
                       Recorder* recorder) {
  auto target = std::make_unique<Target>(std::move(plan.load));
  Target& t = *target;
  t.id = id;
  t.handle = std::move(handle);
  t.name = std::move(plan.name);
  t.request = std::move(plan.request);
  t.recorder = recorder;
  t.max_in_flight =
      t.schedule.plan().max_in_flight > 0 ? t.schedule.plan().max_in_flight : kDefaultMaxInFlight;
  t.connections = ConnectionsFor(t.schedule.plan(), options_);
  const RequestSpec& spec = t.request;
  t.want_headers = !spec.cold_start.header.empty() || !spec.billed_duration_header.empty();
  t.keep_body = !spec.expect.body_contains.empty();

  // Header lists are built once per payload; the request path only points at them.
  auto make_list = [&spec](const std::string& content_type) {
    curl_slist* list = nullptr;
    for (const std::string& h : spec.headers) list = curl_slist_append(list, h.c_str());
    if (!content_type.empty() && !HasHeader(spec.headers, "Content-Type")) {
      list = curl_slist_append(list, ("Content-Type: " + content_type).c_str());
    }
    // No "Expect: 100-continue" round trip before large bodies: it adds latency (up to a
    // second with servers that ignore it) that the target never caused.
    if (!HasHeader(spec.headers, "Expect")) list = curl_slist_append(list, "Expect:");
    if (spec.sigv4.has_value() && !spec.sigv4->session_token.empty()) {
      list =
          curl_slist_append(list, ("x-amz-security-token: " + spec.sigv4->session_token).c_str());
    }
    return list;
  };
  if (spec.payloads != nullptr && !spec.payloads->empty()) {
    for (const Payload& p : *spec.payloads) t.header_lists.push_back(make_list(p.content_type));
  } else {
    t.header_lists.push_back(make_list(""));
  }

  const Clock::time_point now = Clock::now();
  t.start = now;
  t.next_tick = now;
  targets_.emplace(id, std::move(target));
  UpdateConnectionCache();
  EnterStage(t, now);
  if (const auto first = t.schedule.NextArrival(nanoseconds(0)); first.has_value()) {
    t.next_arrival = t.start + *first;
  }
  FillClosedLoop(t, now);
  ServiceTarget(t, now);
}

void Worker::UpdateConnectionCache() {
  long total = 0;
  for (const auto& [id, target] : targets_) total += target->connections;
  // Enough room that every target's connections stay cached between requests (keep-alive).
  curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, std::max(total, 8L));
}

void Worker::BeginRemoval(Target& target, nanoseconds drain, Clock::time_point now) {
  target.removing = true;
  target.next_arrival.reset();
  target.drain_deadline = now + std::max(drain, nanoseconds(0));
}

void Worker::CompleteRemoval(TargetId id) {
  auto it = targets_.find(id);
  if (it == targets_.end()) return;
  std::unique_ptr<Target> target = std::move(it->second);
  targets_.erase(it);
  target->recorder->OnTick(Clock::now(), 0);
  board_->Mark(target->handle);
  target->removed.set_value();
  UpdateConnectionCache();
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
  if (target.removing) {
    // A second Remove of the same target: wait for the first one's end through its own promise.
    std::vector<TargetId> ids{id};
    remove_all_waiters_.emplace_back(std::move(ids), std::move(done));
    return;
  }
  target.removed = std::move(done);
  BeginRemoval(target, drain, Clock::now());
  ServiceTarget(target, Clock::now());
}

void Worker::RemoveAll(nanoseconds drain, std::promise<void> done) {
  std::vector<TargetId> ids;
  for (auto& [id, target] : targets_) {
    ids.push_back(id);
    if (!target->removing) BeginRemoval(*target, drain, Clock::now());
  }
  if (ids.empty()) {
    done.set_value();
    return;
  }
  remove_all_waiters_.emplace_back(std::move(ids), std::move(done));
  ServiceTargets(Clock::now());
}

void Worker::SetPaused(TargetId id, bool paused) {
  auto it = targets_.find(id);
  if (it == targets_.end()) return;
  Target& target = *it->second;
  if (target.paused == paused || target.removing) return;
  const Clock::time_point now = Clock::now();
  target.paused = paused;
  if (paused) {
    target.next_arrival.reset();
  } else if (!target.plan_over) {
    // Arrivals missed while paused were never due: resume the schedule from now.
    if (const auto next = target.schedule.NextArrival(target.Offset(now)); next.has_value()) {
      target.next_arrival = target.start + *next;
    }
  }
  if (const Stage* stage = target.CurrentStage(); stage != nullptr) {
    target.recorder->OnStage(target.stage_index, *stage,
                             !paused && stage->kind != Stage::Kind::kIdle);
  }
  FillClosedLoop(target, now);
  ServiceTarget(target, now);
}

}  // namespace

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
