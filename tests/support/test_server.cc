#include "tests/support/test_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <unordered_map>
#include <vector>

namespace infercost::test {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxStoredRequest = 64 * 1024;
constexpr std::size_t kMaxHeaderBytes = 64 * 1024;

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "TestServer: %s: %s\n", what, std::strerror(errno));
  std::abort();
}

std::string_view QueryValue(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const std::size_t eq = pair.find('=');
    if (pair.substr(0, eq) == key) return eq == std::string_view::npos ? "" : pair.substr(eq + 1);
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

// Every value of a key that may repeat, in order.
std::vector<std::string_view> QueryValues(std::string_view query, std::string_view key) {
  std::vector<std::string_view> values;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const std::size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == key) {
      values.push_back(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return values;
}

int64_t QueryInt(std::string_view query, std::string_view key, int64_t fallback) {
  const std::string_view text = QueryValue(query, key);
  int64_t value = fallback;
  if (text.empty()) return fallback;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() ? value : fallback;
}

// Minimal %XX decoding for body=TEXT.
std::string Unescape(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      int value = 0;
      auto [end, ec] = std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16);
      if (ec == std::errc() && end == text.data() + i + 3) {
        out += static_cast<char>(value);
        i += 2;
        continue;
      }
    }
    out += text[i] == '+' ? ' ' : text[i];
  }
  return out;
}

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

const char* Reason(int code) {
  switch (code) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Status";
  }
}

}  // namespace

// The serving thread's state. Thread contract: used only by the server thread, except wake_fd_
// (written by the destructor to stop it).
class TestServer::Loop {
 public:
  explicit Loop(TestServer* owner) : owner_(owner) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) Die("socket");
    const int one = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) Die("bind");
    if (listen(listen_fd_, 4096) != 0) Die("listen");
    socklen_t len = sizeof addr;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (epoll_fd_ < 0 || wake_fd_ < 0) Die("epoll/eventfd");
    Watch(listen_fd_, EPOLLIN);
    Watch(wake_fd_, EPOLLIN);
  }

  ~Loop() {
    for (auto& [fd, conn] : conns_) close(fd);
    close(listen_fd_);
    close(epoll_fd_);
    close(wake_fd_);
  }

  int port() const { return port_; }
  void Wake() {
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof one);
  }

  void Run(const std::stop_token& stop) {
    epoll_event events[64];
    while (!stop.stop_requested()) {
      int timeout_ms = -1;
      if (!timers_.empty()) {
        const auto wait = timers_.begin()->first - Clock::now();
        // Round up: a delayed answer must never leave early.
        timeout_ms = static_cast<int>(std::max<int64_t>(
            0, (std::chrono::duration_cast<std::chrono::microseconds>(wait).count() + 999) / 1000));
      }
      const int n = epoll_wait(epoll_fd_, events, 64, timeout_ms);
      for (int i = 0; i < n; ++i) {
        const int fd = events[i].data.fd;
        if (fd == wake_fd_) continue;
        if (fd == listen_fd_) {
          Accept();
          continue;
        }
        auto it = conns_.find(fd);
        if (it == conns_.end()) continue;
        if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
          if (!Read(fd)) continue;  // closed
        }
        if (events[i].events & EPOLLOUT) Flush(fd);
      }
      RunTimers();
    }
  }

 private:
  struct Conn {
    uint64_t id = 0;
    std::string in;
    std::string out;
    bool busy = false;  // a response is pending (delayed, hanging): do not parse further
    bool close_after_write = false;
    bool want_out = false;
    bool continue_sent = false;  // "100 Continue" already sent for the request being read
  };
  struct Timer {
    int fd;
    uint64_t conn_id;
    std::string data;  // bytes to send when it fires
    bool close_after = false;
  };

  void Watch(int fd, uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
  }

  void Accept() {
    while (true) {
      const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;
      const int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      Conn& conn = conns_[fd];
      conn = Conn{};
      conn.id = ++next_conn_id_;
      Watch(fd, EPOLLIN);
      owner_->connections_.fetch_add(1);
      const int open = static_cast<int>(conns_.size());
      if (open > owner_->max_open_.load()) owner_->max_open_.store(open);
    }
  }

  void Close(int fd, bool reset) {
    if (reset) {
      linger hard{1, 0};
      setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    }
    epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
    close(fd);
    conns_.erase(fd);
  }

  // Returns false when the connection was closed.
  bool Read(int fd) {
    char buf[64 * 1024];
    while (true) {
      const ssize_t n = read(fd, buf, sizeof buf);
      if (n > 0) {
        conns_[fd].in.append(buf, static_cast<std::size_t>(n));
        continue;
      }
      if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        Close(fd, false);
        return false;
      }
      if (errno == EAGAIN) break;
    }
    return Parse(fd);
  }

  // Handles every complete request in the buffer; false when the connection was closed.
  bool Parse(int fd) {
    while (true) {
      auto it = conns_.find(fd);
      if (it == conns_.end()) return false;
      Conn& conn = it->second;
      if (conn.busy) return true;
      if (!conn.in.empty() && (conn.in[0] < 'A' || conn.in[0] > 'Z')) {
        // Not an HTTP request line (a TLS ClientHello starts with 0x16): hang up, count nothing.
        Close(fd, false);
        return false;
      }
      const std::size_t header_end = conn.in.find("\r\n\r\n");
      if (header_end == std::string::npos) {
        if (conn.in.size() > kMaxHeaderBytes) {
          Close(fd, false);
          return false;
        }
        return true;
      }
      const std::string_view head(conn.in.data(), header_end);
      const std::size_t line_end = head.find("\r\n");
      const std::string_view request_line = head.substr(0, line_end);
      const std::size_t sp1 = request_line.find(' ');
      const std::size_t sp2 = request_line.rfind(' ');
      if (sp1 == std::string_view::npos || sp2 <= sp1 ||
          !request_line.substr(sp2 + 1).starts_with("HTTP/1.")) {
        // Not HTTP (for example a TLS ClientHello): not a request, so not counted.
        Close(fd, false);
        return false;
      }
      const std::string_view target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
      std::size_t content_length = 0;
      bool expect_continue = false;
      bool client_close = false;
      std::size_t pos = line_end == std::string_view::npos ? head.size() : line_end + 2;
      while (pos < head.size()) {
        std::size_t end = head.find("\r\n", pos);
        if (end == std::string_view::npos) end = head.size();
        const std::string_view line = head.substr(pos, end - pos);
        const std::size_t colon = line.find(':');
        if (colon != std::string_view::npos) {
          const std::string_view name = line.substr(0, colon);
          std::string_view value = line.substr(colon + 1);
          while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
          if (IEquals(name, "Content-Length")) {
            std::from_chars(value.data(), value.data() + value.size(), content_length);
          } else if (IEquals(name, "Expect") && IEquals(value, "100-continue")) {
            expect_continue = true;
          } else if (IEquals(name, "Connection") && IEquals(value, "close")) {
            client_close = true;
          }
        }
        pos = end + 2;
      }
      const std::size_t total = header_end + 4 + content_length;
      if (conn.in.size() < total) {
        if (expect_continue && !conn.continue_sent) {
          conn.continue_sent = true;
          Send(fd, "HTTP/1.1 100 Continue\r\n\r\n");
        }
        return true;
      }
      std::string raw = conn.in.substr(0, std::min(total, kMaxStoredRequest));
      const std::string target_copy(target);
      conn.in.erase(0, total);
      conn.continue_sent = false;
      conn.close_after_write = client_close;
      const std::size_t q = target_copy.find('?');
      const std::string path = target_copy.substr(0, q);
      const std::string query = q == std::string::npos ? "" : target_copy.substr(q + 1);
      owner_->CountRequest(path, content_length, raw);
      if (!Respond(fd, path, query, raw)) return false;
    }
  }

  // Acts on one request; false when the connection was closed.
  bool Respond(int fd, const std::string& path, const std::string& query, const std::string& raw) {
    Conn& conn = conns_[fd];
    if (path == "/reset") {
      Close(fd, true);
      return false;
    }
    if (path == "/close") {
      Close(fd, false);
      return false;
    }
    if (path == "/hang") {
      conn.busy = true;
      return true;
    }
    if (path == "/garbage") {
      Send(fd, "THIS IS NOT HTTP AT ALL\r\n\r\n");
      conn.close_after_write = true;
      Flush(fd);
      return conns_.count(fd) > 0;
    }
    int code = 200;
    std::string body = "ok";
    if (path == "/status") code = static_cast<int>(QueryInt(query, "code", 200));
    if (path == "/big") body.assign(static_cast<std::size_t>(QueryInt(query, "bytes", 0)), 'x');
    if (path == "/echo") body = raw;
    if (path != "/" && path != "/ok" && path != "/delay" && path != "/status" && path != "/big" &&
        path != "/echo" && path != "/slow-body") {
      code = 404;
      body = "not found";
    }
    if (const std::string_view text = QueryValue(query, "body"); !text.empty()) {
      body = Unescape(text);
    }
    std::string head = "HTTP/1.1 " + std::to_string(code) + " " + Reason(code) + "\r\n";
    head += "Content-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    if (QueryValue(query, "cold") == "true") head += "X-Cold-Start: true\r\n";
    if (const std::string_view billed = QueryValue(query, "billed"); !billed.empty()) {
      head += "X-Billed-Duration-Ms: " + std::string(billed) + "\r\n";
    }
    for (const std::string_view line : QueryValues(query, "header"))
      head += Unescape(line) + "\r\n";
    const bool close_after = QueryValue(query, "close") == "1" || conn.close_after_write;
    if (close_after) head += "Connection: close\r\n";
    head += "\r\n";
    const int64_t ms = QueryInt(query, "ms", 0);
    if (path == "/delay" && ms > 0) {
      conn.busy = true;
      AddTimer(fd, conn.id, ms, head + body, close_after);
      return true;
    }
    if (path == "/slow-body" && ms > 0) {
      const std::size_t half = body.size() / 2;
      Send(fd, head + body.substr(0, half));
      if (conns_.count(fd) == 0) return false;
      conns_[fd].busy = true;
      AddTimer(fd, conns_[fd].id, ms, body.substr(half), close_after);
      return true;
    }
    conn.close_after_write = close_after;
    Send(fd, head + body);
    return conns_.count(fd) > 0;
  }

  void AddTimer(int fd, uint64_t conn_id, int64_t ms, std::string data, bool close_after) {
    timers_.emplace(Clock::now() + std::chrono::milliseconds(ms),
                    Timer{fd, conn_id, std::move(data), close_after});
  }

  void RunTimers() {
    const Clock::time_point now = Clock::now();
    while (!timers_.empty() && timers_.begin()->first <= now) {
      Timer timer = std::move(timers_.begin()->second);
      timers_.erase(timers_.begin());
      auto it = conns_.find(timer.fd);
      if (it == conns_.end() || it->second.id != timer.conn_id) continue;  // client went away
      it->second.busy = false;
      it->second.close_after_write = timer.close_after;
      Send(timer.fd, timer.data);
      if (conns_.count(timer.fd) > 0) Parse(timer.fd);  // a request may be waiting behind it
    }
  }

  void Send(int fd, std::string_view data) {
    conns_[fd].out.append(data);
    Flush(fd);
  }

  void Flush(int fd) {
    auto it = conns_.find(fd);
    if (it == conns_.end()) return;
    Conn& conn = it->second;
    while (!conn.out.empty()) {
      const ssize_t n = write(fd, conn.out.data(), conn.out.size());
      if (n > 0) {
        conn.out.erase(0, static_cast<std::size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) break;
      Close(fd, false);
      return;
    }
    const bool want_out = !conn.out.empty();
    if (want_out != conn.want_out) {
      epoll_event ev{};
      ev.events = EPOLLIN | (want_out ? EPOLLOUT : 0u);
      ev.data.fd = fd;
      epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev);
      conn.want_out = want_out;
    }
    if (!want_out && conn.close_after_write && !conn.busy) Close(fd, false);
  }

  TestServer* owner_;
  int listen_fd_ = -1;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  int port_ = 0;
  uint64_t next_conn_id_ = 0;
  std::unordered_map<int, Conn> conns_;
  std::multimap<Clock::time_point, Timer> timers_;
};

TestServer::TestServer() : loop_(std::make_unique<Loop>(this)) {
  port_ = loop_->port();
  thread_ = std::jthread([this](std::stop_token stop) { loop_->Run(stop); });
}

TestServer::~TestServer() {
  thread_.request_stop();
  loop_->Wake();
  thread_.join();
}

std::string TestServer::Url(std::string_view path_and_query) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path_and_query);
}

uint64_t TestServer::Requests(std::string_view path) const {
  std::lock_guard lock(mu_);
  auto it = by_path_.find(path);
  return it == by_path_.end() ? 0 : it->second;
}

std::string TestServer::LastRequest() const {
  std::lock_guard lock(mu_);
  return last_request_;
}

void TestServer::CountRequest(const std::string& path, uint64_t body_bytes, std::string raw) {
  {
    std::lock_guard lock(mu_);
    ++by_path_[path];
    last_request_ = std::move(raw);
  }
  body_bytes_.fetch_add(body_bytes);
  requests_.fetch_add(1);
}

}  // namespace infercost::test
