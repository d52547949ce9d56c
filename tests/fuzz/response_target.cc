// The fuzz target of the response path: arbitrary bytes as a server's whole answer, read by
// libcurl (status line, headers, chunked or sized bodies) into the engine's Transfer callbacks
// (billed-duration and cold-start headers, Lambda's X-Amz-Function-Error and X-Amz-Log-Result,
// the body check and size cap), then classified. libcurl connects over loopback to a listener on
// 127.0.0.1:0; once connected (CURLOPT_PREREQFUNCTION, before the request is sent) the server end
// is accepted, given the whole response and shut for writing. It is reset afterwards, so that no
// TIME_WAIT piles up over millions of runs.
#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "loadgen/outcome.h"
#include "loadgen/src/transfer.h"
#include "targets.h"

namespace infercost::fuzz {
namespace {

using loadgen::internal::RequestTemplate;
using loadgen::internal::Transfer;

// The response is written into the socket buffer in one go; larger inputs are cut.
constexpr std::size_t kMaxResponse = 64 * 1024;

struct Listener {
  int fd = -1;
  int port = 0;
};

// Listens on 127.0.0.1:0, once per process.
const Listener& TheListener() {
  static const Listener listener = [] {
    Listener l;
    l.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof a;
    Require(l.fd >= 0 && bind(l.fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
                listen(l.fd, 16) == 0 &&
                getsockname(l.fd, reinterpret_cast<sockaddr*>(&a), &size) == 0,
            "cannot listen on 127.0.0.1:0");
    l.port = ntohs(a.sin_port);
    return l;
  }();
  return listener;
}

// The server's side of one exchange.
struct Server {
  std::string_view response;
  int fd = -1;
};

// libcurl has connected: accept, write the whole response, end it.
int Answer(void* user, char*, char*, int, int) {
  auto* server = static_cast<Server*>(user);
  server->fd = accept4(TheListener().fd, nullptr, nullptr, SOCK_CLOEXEC);
  if (server->fd < 0) return CURL_PREREQFUNC_ABORT;
  const int buffer = 4 * static_cast<int>(kMaxResponse);
  setsockopt(server->fd, SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer);
  fcntl(server->fd, F_SETFL, O_NONBLOCK);
  std::string_view rest = server->response;
  while (!rest.empty()) {
    const ssize_t n = write(server->fd, rest.data(), rest.size());
    if (n <= 0) break;  // the buffer is full: the rest is cut, as a peer that stops writing
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  shutdown(server->fd, SHUT_WR);
  return CURL_PREREQFUNC_OK;
}

// The request as the first byte chooses it: protocol, method, body check, body cap.
loadgen::RequestSpec SpecFor(unsigned char choice) {
  loadgen::RequestSpec spec;
  spec.url = "http://127.0.0.1:" + std::to_string(TheListener().port) + "/invoke";
  spec.timeout = std::chrono::seconds(2);
  spec.protocol = (choice & 1) != 0 ? loadgen::Protocol::kLambdaInvoke : loadgen::Protocol::kHttp;
  spec.method = (choice & 2) != 0 ? "GET" : ((choice & 4) != 0 ? "HEAD" : "POST");
  if ((choice & 8) != 0) spec.expect.body_contains = "ok";
  if ((choice & 16) != 0) spec.expect.max_body_bytes = 16;
  if ((choice & 32) != 0) spec.expect.status = 200;
  if ((choice & 64) != 0) spec.cold_start.latency_above = std::chrono::nanoseconds(1);
  if ((choice & 128) != 0) spec.headers.push_back("Accept: */*");
  return spec;
}

}  // namespace

void FuzzResponse(std::string_view bytes) {
  if (bytes.empty()) return;
  const RequestTemplate request(SpecFor(static_cast<unsigned char>(bytes.front())));
  bytes.remove_prefix(1);
  Server server{.response = bytes.substr(0, kMaxResponse)};

  Transfer t;
  t.request = &request;
  t.easy = request.NewEasy(&t, {}, nullptr);
  Require(t.easy != nullptr, "curl_easy_init failed");
  curl_easy_setopt(t.easy, CURLOPT_PROXY, "");  // loopback only, whatever the environment says
  curl_easy_setopt(t.easy, CURLOPT_PREREQFUNCTION, &Answer);
  curl_easy_setopt(t.easy, CURLOPT_PREREQDATA, &server);
  Require(request.Prepare(&t, 0), "Prepare refused an unsigned request");
  const auto sent = loadgen::Clock::now();
  t.Begin(sent, sent);
  const CURLcode code = curl_easy_perform(t.easy);
  t.Complete(code, loadgen::Clock::now(), false);
  if (server.fd >= 0) {
    const linger reset{.l_onoff = 1, .l_linger = 0};
    setsockopt(server.fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    close(server.fd);
  }

  const loadgen::RequestRecord& r = t.record;
  Require(code != CURLE_COULDNT_CONNECT, "cannot reach the loopback listener");
  Require(r.bytes_received <= request.spec().expect.max_body_bytes, "more bytes than the cap");
  Require(static_cast<std::size_t>(r.outcome) < loadgen::kOutcomeCount, "an outcome out of range");
  if (r.outcome == loadgen::Outcome::kOk) {
    Require(r.http_status >= 200 && r.http_status <= 299, "ok without a 2xx status");
  }
  if (r.billed_duration.has_value()) {
    Require(r.billed_duration->count() >= 0, "a billed duration below zero");
  }
}

}  // namespace infercost::fuzz
