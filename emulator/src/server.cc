// The emulator's HTTP side: CivetWeb stays inside this file.
#include <arpa/inet.h>
#include <civetweb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "aws_api.h"
#include "emulator/emulator.h"
#include "socket_lookup.h"
#include "target.h"
#include "waiting.h"

namespace emulator {
namespace {

constexpr int kExtraThreads = 64;  // connections beyond the profiles' own concurrency
constexpr int kMaxThreadsPerTarget = 128;
constexpr int kMaxThreads = 1024;
constexpr size_t kReadChunkBytes = 64 << 10;
constexpr auto kStopDrainTimeout = std::chrono::seconds(2);
// How often a trickled body writes at most: smaller writes would only burn syscalls.
constexpr double kSlowBodyWriteIntervalSeconds = 0.01;

std::string ErrorBody(std::string_view message) {
  return R"({"error":")" + JsonText(message) + "\"}";
}

// The server-side socket of `conn` (see socket_lookup.h); -1 when not found.
int FindSocket(const mg_request_info* ri) {
  return FindServerSocket(ri->remote_addr, ri->server_port, ri->remote_port);
}

// Resets the connection: connect(AF_UNSPEC) on a TCP socket makes Linux send an RST and drop the
// connection while the descriptor stays open for CivetWeb to close as usual. (SO_LINGER 0 would
// need close(), which belongs to CivetWeb.)
void ResetConnection(mg_connection* conn, int fd) {
  if (fd >= 0) {
    sockaddr unspec{};
    unspec.sa_family = AF_UNSPEC;
    // Fails only when the peer is already gone, which is as good as reset.
    static_cast<void>(connect(fd, &unspec, sizeof unspec));
  }
  mg_disable_keep_alive(conn);
}

struct Response {
  int status = 200;
  std::string_view body;
  bool cold = false;
  int64_t billed_ms = -1;  // Lambda: X-Billed-Duration-Ms
  double service_ms = -1;  // X-Service-Time-Ms when ≥ 0
  bool close = false;
  const char* allow = nullptr;  // 405: the Allow header
  // x-amzn-ErrorType: set on the answers API Gateway makes itself (its throttle, the 500 when
  // Lambda rejects the invocation, 502, 504), so a client can tell them from the function's.
  const char* aws_error_type = nullptr;
};

std::string Head(mg_connection* conn, const Response& r) {
  const mg_request_info* ri = mg_get_request_info(conn);
  std::string head;
  head.reserve(256);
  head += "HTTP/1.1 ";
  head += std::to_string(r.status);
  head += ' ';
  head += mg_get_response_code_text(conn, r.status);
  head += "\r\nContent-Type: application/json\r\nContent-Length: ";
  head += std::to_string(r.body.size());
  head += "\r\nX-Cold-Start: ";
  head += r.cold ? "true" : "false";
  if (r.billed_ms >= 0) {
    head += "\r\nX-Billed-Duration-Ms: ";
    head += std::to_string(r.billed_ms);
  }
  if (r.service_ms >= 0) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.3f", r.service_ms);
    head += "\r\nX-Service-Time-Ms: ";
    head += buffer;
  }
  if (r.allow != nullptr) {
    head += "\r\nAllow: ";
    head += r.allow;
  }
  if (r.aws_error_type != nullptr) {
    head += "\r\nx-amzn-ErrorType: ";
    head += r.aws_error_type;
  }
  if (r.close) {
    head += "\r\nConnection: close";
  } else if (ri->http_version != nullptr && std::strcmp(ri->http_version, "1.0") == 0) {
    // An HTTP/1.0 client keeps the connection only when told so; CivetWeb keeps it open when
    // the client asked for it.
    const char* connection = mg_get_header(conn, "Connection");
    if (connection != nullptr && strcasestr(connection, "keep-alive") != nullptr) {
      head += "\r\nConnection: keep-alive";
    }
  }
  head += "\r\n\r\n";
  return head;
}

// One write for head and body: two small writes would meet Nagle and delayed ACKs.
void Send(mg_connection* conn, const Response& r) {
  if (r.close) {
    mg_disable_keep_alive(conn);
  }
  std::string message = Head(conn, r);
  message += r.body;
  mg_write(conn, message.data(), message.size());
}

}  // namespace

class Emulator::Impl {
 public:
  Impl(std::vector<Profile> profiles, const Options& options)
      : profiles_(std::move(profiles)), scale_(options.time_scale, WallClock::now()) {
    for (const Profile& p : profiles_) {
      targets_.push_back(std::make_unique<Target>(p, options.seed, scale_, &stop_));
    }
    aws_ = std::make_unique<AwsApi>(options.aws, profiles_, options.seed, scale_, &stop_);
  }

  ~Impl() {
    stop_.Stop();
    for (auto& target : targets_) {
      target->StopGpu();
    }
    aws_->StopGpus();
    if (context_ == nullptr) {
      return;
    }
    {
      // Woken handlers answer at once; only one stuck reading a slow client's body is left.
      std::unique_lock lock(active_mutex_);
      active_cv_.wait_for(lock, kStopDrainTimeout, [this] { return active_handlers_ == 0; });
    }
    // CivetWeb's accept loop polls with a 2 s timeout and only then sees the stop flag; a
    // connection from here wakes it at once.
    std::atomic<bool> stopped{false};
    std::thread poke([&] {
      while (!stopped.load()) {
        PokeListener();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
    mg_stop(context_);
    stopped.store(true);
    poke.join();
  }

  bool Listen(const Options& options, std::string* error);

  int port() const { return port_; }
  std::string BaseUrl() const {
    std::string host = host_;
    if (host == "0.0.0.0") {
      host = "127.0.0.1";
    }
    if (host == "[::]") {
      host = "[::1]";
    }
    return "http://" + host + ":" + std::to_string(port_);
  }
  const std::vector<Profile>& profiles() const { return profiles_; }
  double time_scale() const { return scale_.factor(); }
  const Target* FindTarget(std::string_view name) const {
    for (const auto& t : targets_) {
      if (t->profile().name == name) {
        return t.get();
      }
    }
    return nullptr;
  }
  const AwsApi& aws() const { return *aws_; }

 private:
  static int OnRequest(mg_connection* conn, void* self) {
    Impl* impl = static_cast<Impl*>(self);
    {
      std::lock_guard lock(impl->active_mutex_);
      ++impl->active_handlers_;
    }
    const int status = impl->Handle(conn);
    {
      std::lock_guard lock(impl->active_mutex_);
      --impl->active_handlers_;
    }
    impl->active_cv_.notify_all();
    return status;
  }
  // Every request, from the first one accepted: CivetWeb calls begin_request before it looks
  // for a handler, and callbacks are set before the server listens. A handler registered after
  // mg_start2 left a window in which a request got CivetWeb's own 404 (an emulator restarted
  // under load answered two of them, uncounted).
  static int OnBeginRequest(mg_connection* conn) {
    const int status = OnRequest(conn, mg_get_user_data(mg_get_context(conn)));
    return status > 0 ? status : 500;  // non-zero: handled, CivetWeb adds nothing
  }
  static int OnLog(const mg_connection*, const char*) { return 1; }  // keep stderr quiet

  int Handle(mg_connection* conn);
  void ServeIndex(mg_connection* conn);
  // GET /_emulator/targets/<name>: a predict target's counters (StatsJson), 404 if none.
  void ServeTargetStats(mg_connection* conn, std::string_view name);
  void ServePredict(mg_connection* conn, Target& target);
  // The AWS APIs: reads the request into an HttpRequest and sends AwsApi's reply.
  void ServeAws(mg_connection* conn, std::string_view raw_path);
  // Reads and drops the body; false (and 413 sent) when it exceeds `max_bytes`, or when the
  // client went away.
  bool DrainBody(mg_connection* conn, Target& target);
  // Returns once the client has closed `fd`, the emulator stops or hang_max_ms has passed.
  void WaitWhileHung(int fd, const Faults& faults);
  void SendSlowly(mg_connection* conn, const Response& r, double bytes_per_second);
  int ThreadCount(const Options& options) const;
  // Opens and closes a connection to our own port, on loopback only.
  void PokeListener() const;

  std::vector<Profile> profiles_;
  TimeScale scale_;
  StopSignal stop_;
  std::vector<std::unique_ptr<Target>> targets_;
  std::unique_ptr<AwsApi> aws_;
  std::string host_;  // URL form: IPv6 in brackets
  mg_context* context_ = nullptr;
  int port_ = 0;
  // Handlers running now. Stopping waits for them: CivetWeb drops writes once its own stop flag
  // is up, and a request woken by the stop deserves its 503.
  std::mutex active_mutex_;
  std::condition_variable active_cv_;
  int active_handlers_ = 0;
};

int Emulator::Impl::ThreadCount(const Options& options) const {
  if (options.threads > 0) {
    return options.threads;
  }
  int threads = kExtraThreads;
  for (const Profile& p : profiles_) {
    threads += std::min(p.MaxInFlight(), kMaxThreadsPerTarget);
  }
  return std::min(threads, kMaxThreads);
}

void Emulator::Impl::PokeListener() const {
  const bool any = host_ == "0.0.0.0" || host_ == "[::]";
  const bool loopback = host_ == "127.0.0.1" || host_ == "[::1]" || host_ == "localhost" || any;
  if (!loopback || port_ <= 0) {
    return;  // never knock on a non-loopback address
  }
  const bool v6 = host_.starts_with('[');
  const int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return;
  }
  if (v6) {
    sockaddr_in6 address{};
    address.sin6_family = AF_INET6;
    address.sin6_port = htons(static_cast<uint16_t>(port_));
    address.sin6_addr = in6addr_loopback;
    // A refused knock is fine: the listener is already closed.
    static_cast<void>(connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address));
  } else {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port_));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    // A refused knock is fine: the listener is already closed.
    static_cast<void>(connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address));
  }
  close(fd);
}

bool Emulator::Impl::Listen(const Options& options, std::string* error) {
  host_ = options.host;
  // CivetWeb takes "HOST:PORT" and "[V6HOST]:PORT": the host is already in that form.
  const std::string ports = host_ + ":" + std::to_string(options.port);
  const std::string threads = std::to_string(ThreadCount(options));
  const char* config[] = {"listening_ports", ports.c_str(), "num_threads", threads.c_str(),
                          "enable_keep_alive", "yes", "keep_alive_timeout_ms", "30000",
                          "tcp_nodelay", "1", "connection_queue", "1024", "listen_backlog", "1024",
                          // SigV4 signs the path as sent: Handle() decodes it where it needs to.
                          "decode_url", "no", nullptr};
  mg_callbacks callbacks{};
  callbacks.log_message = &Impl::OnLog;
  callbacks.begin_request = &Impl::OnBeginRequest;
  mg_init_data init{};
  init.callbacks = &callbacks;
  init.user_data = this;
  init.configuration_options = config;
  char text[256] = "";
  unsigned code = 0;
  mg_error_data error_data{};
  error_data.code = &code;
  error_data.text = text;
  error_data.text_buffer_size = sizeof text;
  context_ = mg_start2(&init, &error_data);
  if (context_ == nullptr) {
    *error = "cannot listen on " + ports + ": " + (text[0] ? text : "CivetWeb failed to start");
    return false;
  }
  mg_server_port server_ports[4]{};
  if (mg_get_server_ports(context_, 4, server_ports) < 1 || server_ports[0].port <= 0) {
    *error = "cannot find the port CivetWeb listens on";
    return false;
  }
  port_ = server_ports[0].port;
  return true;
}

int Emulator::Impl::Handle(mg_connection* conn) {
  const mg_request_info* ri = mg_get_request_info(conn);
  // CivetWeb leaves the path encoded ("decode_url" is off): the predict paths want it decoded.
  const std::string decoded = PercentDecode(ri->local_uri != nullptr ? ri->local_uri : "/");
  const std::string_view uri = decoded;
  const std::string_view method = ri->request_method;
  // The path as sent (SigV4 signs it still encoded).
  std::string_view raw_path = ri->request_uri != nullptr ? ri->request_uri : "/";
  raw_path = raw_path.substr(0, raw_path.find('?'));
  constexpr std::string_view kTargetStats = "/_emulator/targets/";
  if (uri.starts_with(kTargetStats)) {
    ServeTargetStats(conn, uri.substr(kTargetStats.size()));
    return 200;
  }
  if (AwsApi::Owns(method, raw_path)) {
    ServeAws(conn, raw_path);
    return 200;
  }
  if (uri == "/") {
    if (method != "GET") {
      Send(conn, {.status = 405, .body = ErrorBody("use GET /"), .allow = "GET"});
      return 405;
    }
    ServeIndex(conn);
    return 200;
  }
  // /<target>/predict
  const std::string_view path = uri.substr(1);
  const size_t slash = path.find('/');
  const std::string_view name = path.substr(0, slash);
  Target* target = nullptr;
  for (auto& t : targets_) {
    if (t->profile().name == name) {
      target = t.get();
    }
  }
  if (target == nullptr || slash == std::string_view::npos || path.substr(slash) != "/predict") {
    const std::string message =
        target == nullptr ? "unknown target '" + std::string(name) + "'; GET / lists the targets"
                          : "no such path; use POST /" + std::string(name) + "/predict";
    Send(conn, {.status = 404, .body = ErrorBody(message)});
    return 404;
  }
  if (method != "POST") {
    Send(conn, {.status = 405, .body = ErrorBody("use POST"), .allow = "POST"});
    return 405;
  }
  ServePredict(conn, *target);
  return 200;
}

void Emulator::Impl::ServeIndex(mg_connection* conn) {
  std::string body = R"({"targets":[)";
  for (size_t i = 0; i < profiles_.size(); ++i) {
    const Profile& p = profiles_[i];
    body += i == 0 ? "" : ",";
    body += R"({"name":")" + JsonText(p.name) + R"(","platform":")" +
            (p.platform == Platform::kLambda ? "lambda" : "instance") + R"(","url":"/)" +
            JsonText(p.name) + R"(/predict"})";
  }
  char scale[64];
  std::snprintf(scale, sizeof scale, R"(],"time_scale":%g})", scale_.factor());
  body += scale;
  Send(conn, {.status = 200, .body = body});
}

void Emulator::Impl::ServeTargetStats(mg_connection* conn, std::string_view name) {
  for (const auto& t : targets_) {
    if (t->profile().name == name) {
      const std::string body = StatsJson(t->Stats());
      Send(conn, {.status = 200, .body = body});
      return;
    }
  }
  Send(conn, {.status = 404, .body = ErrorBody("unknown target '" + std::string(name) + "'")});
}

bool Emulator::Impl::DrainBody(mg_connection* conn, Target& target) {
  const int64_t max_bytes = target.profile().max_body_bytes;
  const auto refuse = [&] {
    target.CountTooLarge();
    const std::string body =
        ErrorBody("request body larger than " + std::to_string(max_bytes) + " bytes");
    Response r{.status = 413, .body = body, .close = true};
    // The function never ran: nothing billed, and Lambda answers still say so.
    if (target.profile().platform == Platform::kLambda) r.billed_ms = 0;
    Send(conn, r);
    return false;
  };
  if (mg_get_request_info(conn)->content_length > max_bytes) {
    return refuse();
  }
  static thread_local std::string buffer(kReadChunkBytes, '\0');
  int64_t total = 0;
  while (true) {
    const int n = mg_read(conn, buffer.data(), buffer.size());
    if (n == 0) {
      return true;
    }
    if (n < 0) {
      return false;  // the client went away: nothing to answer
    }
    total += n;
    if (total > max_bytes) {
      return refuse();  // a chunked body without a length
    }
  }
}

void Emulator::Impl::WaitWhileHung(int fd, const Faults& faults) {
  const WallClock::time_point deadline =
      WallClock::now() + scale_.ToWall(FromMs(faults.hang_max_ms));
  if (fd < 0) {
    stop_.WaitUntil(deadline);
    return;
  }
  // Whichever comes first: the client closing, the emulator stopping, the bound.
  pollfd fds[2] = {{fd, POLLRDHUP, 0}, {stop_.fd(), POLLIN, 0}};
  while (!stop_.stopped()) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - WallClock::now());
    if (left.count() <= 0) {
      break;
    }
    const int timeout_ms = static_cast<int>(std::min<int64_t>(left.count(), 60000));
    if (poll(fds, 2, timeout_ms) > 0 && (fds[0].revents != 0 || fds[1].revents != 0)) {
      break;
    }
  }
}

void Emulator::Impl::SendSlowly(mg_connection* conn, const Response& r, double bytes_per_second) {
  const std::string head = Head(conn, r);
  mg_write(conn, head.data(), head.size());
  const double wall_rate = bytes_per_second * scale_.factor();
  const auto chunk =
      static_cast<size_t>(std::max(1.0, std::floor(wall_rate * kSlowBodyWriteIntervalSeconds)));
  const auto interval = std::chrono::duration<double>(static_cast<double>(chunk) / wall_rate);
  WallClock::time_point next = WallClock::now();
  for (size_t sent = 0; sent < r.body.size(); sent += chunk) {
    next += std::chrono::duration_cast<WallClock::duration>(interval);
    if (!stop_.WaitUntil(next)) {
      mg_disable_keep_alive(conn);  // the body is incomplete: the connection cannot be reused
      return;
    }
    const size_t n = std::min(chunk, r.body.size() - sent);
    if (mg_write(conn, r.body.data() + sent, n) <= 0) {
      return;
    }
  }
}

void Emulator::Impl::ServePredict(mg_connection* conn, Target& target) {
  if (!DrainBody(conn, target)) {
    return;
  }
  const Profile& profile = target.profile();
  const Target::Fault fault = target.BeginRequest();
  // Counters move before the client can see the outcome, so a client that has its answer also
  // finds it counted.
  if (fault == Target::Fault::kReset) {
    target.Finish(0, fault);
    ResetConnection(conn, FindSocket(mg_get_request_info(conn)));
    return;
  }
  if (fault == Target::Fault::kHang) {
    const int fd = FindSocket(mg_get_request_info(conn));
    WaitWhileHung(fd, profile.faults);
    target.Finish(0, fault);
    ResetConnection(conn, fd);
    return;
  }
  bool served = false;
  const Target::Ticket ticket = AdmitAndWait(target, stop_, &served);

  Response r;
  r.status = ticket.status;
  r.cold = ticket.cold;
  r.billed_ms = ticket.billed_ms;
  std::string body;
  if (!served) {
    r.status = 503;
    r.close = true;
    body = ErrorBody("the emulator is stopping");
  } else if (ticket.status == 200 && fault == Target::Fault::kError) {
    r.status = 500;
    body = ErrorBody("injected fault: internal error");
  } else if (ticket.status == 200) {
    body = kPredictionBody;
    r.service_ms = ticket.service_ms;
  } else if (profile.platform == Platform::kLambda) {
    // API Gateway's own bodies and error types for these answers. A throttled invocation never
    // ran: no billed duration.
    body = ticket.status == 504   ? R"({"message":"Endpoint request timed out"})"
           : ticket.status == 429 ? R"({"message":"Too Many Requests"})"
                                  : R"({"message":"Internal server error"})";
    r.aws_error_type =
        ticket.status == 429 ? "TooManyRequestsException" : "InternalServerErrorException";
    if (ticket.billed_ms <= 0) r.billed_ms = -1;
  } else {
    body = ErrorBody("queue full");
  }
  r.body = body;
  target.Finish(r.status, fault);
  if (fault == Target::Fault::kSlowBody && served) {
    SendSlowly(conn, r, profile.faults.slow_body_bytes_per_second);
  } else {
    Send(conn, r);
  }
}

void Emulator::Impl::ServeAws(mg_connection* conn, std::string_view raw_path) {
  const mg_request_info* ri = mg_get_request_info(conn);
  HttpRequest request;
  request.method = ri->request_method;
  request.path = std::string(raw_path);
  request.query = ri->query_string != nullptr ? ri->query_string : "";
  for (int i = 0; i < ri->num_headers; ++i) {
    request.headers.emplace_back(ri->http_headers[i].name, ri->http_headers[i].value);
  }
  bool too_large = ri->content_length > AwsApi::kMaxBodyBytes;
  static thread_local std::string buffer(kReadChunkBytes, '\0');
  while (!too_large) {
    const int n = mg_read(conn, buffer.data(), buffer.size());
    if (n < 0) return;  // the client went away
    if (n == 0) break;
    request.body.append(buffer.data(), static_cast<size_t>(n));
    too_large = static_cast<int64_t>(request.body.size()) > AwsApi::kMaxBodyBytes;
  }
  if (too_large) request.body.clear();
  const ApiReply reply = aws_->Handle(request, too_large);
  std::string message = "HTTP/1.1 " + std::to_string(reply.status) + " " +
                        mg_get_response_code_text(conn, reply.status) + "\r\n";
  if (!reply.content_type.empty()) message += "Content-Type: " + reply.content_type + "\r\n";
  message += "Content-Length: " + std::to_string(reply.body.size()) + "\r\n";
  for (const auto& [name, value] : reply.headers) message += name + ": " + value + "\r\n";
  if (too_large) {
    message += "Connection: close\r\n";
    mg_disable_keep_alive(conn);
  }
  message += "\r\n" + reply.body;
  mg_write(conn, message.data(), message.size());
}

// --- Emulator ----------------------------------------------------------------------------------

Emulator::Emulator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Emulator::~Emulator() = default;

std::unique_ptr<Emulator> Emulator::Start(const Options& options, std::string* error,
                                          StartFailure* failure) {
  std::string ignored_error;
  StartFailure ignored_failure;
  if (error == nullptr) {
    error = &ignored_error;
  }
  if (failure == nullptr) {
    failure = &ignored_failure;
  }
  *failure = StartFailure::kBadOptions;
  if (!(options.time_scale > 0) || !std::isfinite(options.time_scale)) {
    *error = "the time scale must be a positive number";
    return nullptr;
  }
  *failure = StartFailure::kBadProfiles;
  std::vector<Profile> profiles;
  if (!options.profiles.empty()) {
    *error = CheckProfiles(options.profiles);
    if (!error->empty()) {
      return nullptr;
    }
    profiles = options.profiles;
  } else if (!options.profiles_file.empty()) {
    auto loaded = LoadProfilesFile(options.profiles_file, error);
    if (!loaded) {
      return nullptr;
    }
    profiles = std::move(*loaded);
  } else {
    profiles = BuiltInProfiles();
  }
  *error = AwsApi::CheckOptions(options.aws, profiles);
  if (!error->empty()) {
    return nullptr;
  }
  *failure = StartFailure::kCannotListen;
  auto impl = std::make_unique<Impl>(std::move(profiles), options);
  if (!impl->Listen(options, error)) {
    return nullptr;
  }
  return std::unique_ptr<Emulator>(new Emulator(std::move(impl)));
}

int Emulator::port() const { return impl_->port(); }
std::string Emulator::BaseUrl() const { return impl_->BaseUrl(); }
std::string Emulator::TargetUrl(std::string_view target) const {
  return BaseUrl() + "/" + std::string(target) + "/predict";
}
std::string Emulator::FunctionUrl(std::string_view function) const {
  return BaseUrl() + "/lambda-url/" + std::string(function) + "/";
}
std::vector<std::string> Emulator::Targets() const {
  std::vector<std::string> names;
  for (const Profile& p : impl_->profiles()) {
    names.push_back(p.name);
  }
  return names;
}
const std::vector<Profile>& Emulator::profiles() const { return impl_->profiles(); }
const Profile* Emulator::FindProfile(std::string_view target) const {
  return emulator::FindProfile(impl_->profiles(), target);
}
double Emulator::time_scale() const { return impl_->time_scale(); }
std::optional<TargetStats> Emulator::FunctionStats(std::string_view function) const {
  const Target* t = impl_->aws().Function(function);
  return t == nullptr ? std::nullopt : std::optional<TargetStats>(t->Stats());
}
std::optional<TargetStats> Emulator::EndpointStats(std::string_view endpoint) const {
  const Target* t = impl_->aws().Endpoint(endpoint);
  return t == nullptr ? std::nullopt : std::optional<TargetStats>(t->Stats());
}
std::optional<TargetStats> Emulator::Stats(std::string_view target) const {
  const Target* t = impl_->FindTarget(target);
  if (t == nullptr) {
    return std::nullopt;
  }
  return t->Stats();
}

}  // namespace emulator
