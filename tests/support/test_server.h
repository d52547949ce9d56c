// A small HTTP/1.1 server for integration tests: binds 127.0.0.1 on a free port, serves from its
// own thread (one epoll loop, keep-alive, non-blocking sockets) and misbehaves on request, chosen
// per request by path and query:
//
//   /ok                      200 "ok" (also "/")
//   /delay?ms=N              200 after N milliseconds (never earlier)
//   /status?code=N           status N
//   /reset                   reads the request, then resets the connection (RST)
//   /close                   reads the request, then closes the connection without a response
//   /hang                    reads the request and never answers
//   /slow-body?ms=N          headers and half the body at once, the rest N ms later
//   /garbage                 bytes that are not HTTP
//   /big?bytes=N             a 200 with an N-byte body
//   /echo                    200 with the request line, headers and body as the body
//   anything else            404
//
// Query parameters that apply to every answer: body=TEXT (the response body), cold=true
// (X-Cold-Start: true), billed=N (X-Billed-Duration-Ms: N), close=1 (Connection: close),
// header=NAME%3A%20VALUE (one more response header, %XX-decoded; may be given more than once).
//
// It counts what it received: complete requests, in total and per path, connections accepted,
// and request body bytes. Thread contract: all public methods are thread-safe.
#ifndef TESTS_SUPPORT_TEST_SERVER_H_
#define TESTS_SUPPORT_TEST_SERVER_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace infercost::test {

class TestServer {
 public:
  // Binds and starts serving; aborts the test binary (with a message) if it cannot bind.
  TestServer();
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:<port>" + path_and_query.
  std::string Url(std::string_view path_and_query) const;

  uint64_t Requests() const { return requests_.load(); }
  // Requests received for one path, e.g. Requests("/delay").
  uint64_t Requests(std::string_view path) const;
  uint64_t Connections() const { return connections_.load(); }
  uint64_t BodyBytes() const { return body_bytes_.load(); }
  // The most connections that were open at once.
  int MaxOpenConnections() const { return max_open_.load(); }
  // The last complete request as received (request line, headers, body).
  std::string LastRequest() const;

 private:
  class Loop;
  void CountRequest(const std::string& path, uint64_t body_bytes, std::string raw);

  int port_ = 0;
  std::atomic<uint64_t> requests_{0};
  std::atomic<uint64_t> connections_{0};
  std::atomic<uint64_t> body_bytes_{0};
  std::atomic<int> max_open_{0};
  mutable std::mutex mu_;
  std::map<std::string, uint64_t, std::less<>> by_path_;
  std::string last_request_;
  std::unique_ptr<Loop> loop_;
  std::jthread thread_;
};

}  // namespace infercost::test

#endif  // TESTS_SUPPORT_TEST_SERVER_H_
