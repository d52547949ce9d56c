// Helpers for tests that run `infercost serve` as a process: start it on 127.0.0.1:0, learn the
// port from its "listening" log line, fetch endpoints with libcurl, parse the text exposition.
#ifndef TESTS_SERVE_SERVE_SUPPORT_H_
#define TESTS_SERVE_SERVE_SUPPORT_H_

#include <curl/curl.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/wait.h"

namespace infercost::test {

inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

struct HttpResponse {
  long status = 0;
  std::string body;
};

inline HttpResponse HttpFetch(const std::string& url, const std::string& method = "GET",
                              long timeout_ms = 10000) {
  HttpResponse r;
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION, +[](char* data, size_t size, size_t n, void* out) -> size_t {
        static_cast<std::string*>(out)->append(data, size * n);
        return size * n;
      });
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r.body);
  if (curl_easy_perform(curl) == CURLE_OK)
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
  curl_easy_cleanup(curl);
  return r;
}

// A scrape as a map from the full series ("name{labels}") to its value.
using Samples = std::map<std::string, double>;

inline Samples ParseExposition(const std::string& text) {
  Samples samples;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const std::size_t space = line.rfind(' ');
    if (space == std::string::npos) continue;
    samples[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return samples;
}

inline std::optional<double> Get(const Samples& s, const std::string& series) {
  auto it = s.find(series);
  if (it == s.end()) return std::nullopt;
  return it->second;
}

// Sum of every series of `name` whose labels contain `label_filter` (e.g. target="a").
inline double SumOf(const Samples& s, const std::string& name, const std::string& label_filter) {
  double sum = 0;
  for (const auto& [series, value] : s) {
    if (series.rfind(name + "{", 0) == 0 && series.find(label_filter) != std::string::npos) {
      sum += value;
    }
  }
  return sum;
}

// The samples of the named series, one "series value" per line: what a failed wait prints.
inline std::string Lines(const Samples& s, std::initializer_list<std::string> names) {
  std::string out;
  for (const auto& [series, value] : s) {
    for (const std::string& name : names) {
      if (series == name || series.rfind(name + "{", 0) == 0) {
        out += series + " " + std::to_string(value) + "\n";
        break;
      }
    }
  }
  if (out.empty()) out = "(none: the scrape was empty or failed)\n";
  return out;
}

// `infercost serve` as a child process with stderr captured in a file. Thread contract: one
// thread uses an object at a time.
class ServeProcess {
 public:
  ServeProcess(const std::filesystem::path& dir, std::vector<std::string> args)
      : log_(dir / "serve.log"), process_(WithServe(std::move(args)), "/dev/null", log_) {
    const std::regex listening(R"(msg=listening address=127\.0\.0\.1:(\d+) )");
    WaitFor(
        [&] {
          std::smatch m;
          const std::string log = ReadFile(log_);
          if (std::regex_search(log, m, listening)) port_ = std::stoi(m[1]);
          return port_ > 0 || Exited();
        },
        std::chrono::seconds(30));
  }

  int port() const { return port_; }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::string Log() const { return ReadFile(log_); }
  Samples Scrape() const { return ParseExposition(HttpFetch(Url("/metrics")).body); }
  void Signal(int sig) const { process_.Signal(sig); }
  bool Exited() { return process_.Exited(); }
  int Wait() { return process_.Wait(); }
  // SIGTERM, then the exit code (bounded: SIGKILL after `timeout`).
  int Stop(std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    return process_.Stop(timeout);
  }

 private:
  static std::vector<std::string> WithServe(std::vector<std::string> args) {
    args.insert(args.begin(), {INFERCOST_BINARY, "serve", "--listen", "127.0.0.1:0"});
    return args;
  }

  std::filesystem::path log_;  // before process_: it names the file process_ writes
  BackgroundProcess process_;  // killed and reaped on destruction if still running
  int port_ = 0;
};

}  // namespace infercost::test

#endif  // TESTS_SERVE_SERVE_SUPPORT_H_
