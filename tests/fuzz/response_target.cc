// The fuzz target of the response path: arbitrary bytes as a server's whole answer, read by
// libcurl (status line, headers, chunked or sized bodies) into the engine's Transfer callbacks
// (billed-duration and cold-start headers, Lambda's X-Amz-Function-Error and X-Amz-Log-Result,
// the body check and size cap), then classified. No network: libcurl gets one end of a socket
// pair, already connected, whose other end holds the response and is then shut for writing.
#include <curl/curl.h>
#include <fcntl.h>
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

curl_socket_t OpenSocket(void* fd, curlsocktype, curl_sockaddr*) { return *static_cast<int*>(fd); }

int AlreadyConnected(void*, curl_socket_t, curlsocktype) { return CURL_SOCKOPT_ALREADY_CONNECTED; }

// The request as the first byte chooses it: protocol, method, body check, body cap.
loadgen::RequestSpec SpecFor(unsigned char choice) {
  loadgen::RequestSpec spec;
  spec.url = "http://127.0.0.1:9/invoke";
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
  if (bytes.size() > kMaxResponse) bytes = bytes.substr(0, kMaxResponse);

  int fds[2];
  Require(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0, "socketpair failed");
  const int buffer = 4 * static_cast<int>(kMaxResponse);
  setsockopt(fds[1], SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer);
  setsockopt(fds[0], SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
  fcntl(fds[1], F_SETFL, O_NONBLOCK);
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = write(fds[1], bytes.data() + written, bytes.size() - written);
    if (n <= 0) break;  // the buffer is full: the rest is cut, as a peer that stops writing
    written += static_cast<std::size_t>(n);
  }
  shutdown(fds[1], SHUT_WR);

  Transfer t;
  t.request = &request;
  t.easy = request.NewEasy(&t, {});
  Require(t.easy != nullptr, "curl_easy_init failed");
  curl_easy_setopt(t.easy, CURLOPT_OPENSOCKETFUNCTION, &OpenSocket);
  curl_easy_setopt(t.easy, CURLOPT_OPENSOCKETDATA, &fds[0]);
  curl_easy_setopt(t.easy, CURLOPT_SOCKOPTFUNCTION, &AlreadyConnected);
  Require(request.Prepare(&t, 0), "Prepare refused an unsigned request");
  const auto sent = loadgen::Clock::now();
  t.Begin(sent, sent);
  const CURLcode code = curl_easy_perform(t.easy);
  t.Complete(code, loadgen::Clock::now(), false);
  // libcurl closed fds[0] (its socket) in curl_easy_perform or closes it in cleanup.
  close(fds[1]);

  const loadgen::RequestRecord& r = t.record;
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
