// Uses the installed infercost package: $ per 1M inferences of a Lambda function with
// infercost::cost, then a short engine run with infercost::loadgen against a one-shot HTTP
// server on 127.0.0.1:0 (loopback only). Exit 0 when both give the expected answer.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <thread>

#include "cost/cost.h"
#include "loadgen/engine.h"

namespace {

constexpr int kRequests = 3;

// 1M successful requests of 100 ms billed on a 1024 MB x86_64 function, no API Gateway.
bool LambdaCostIsRight() {
  infercost::PricingSpec spec;
  spec.model = infercost::PricingModel::kLambda;
  spec.memory_mb = 1024;
  const infercost::Catalog& catalog = infercost::BuiltinCatalog();
  infercost::ResolveResult resolved = infercost::Resolve(spec, catalog);
  if (!resolved.pricing) {
    std::fprintf(stderr, "Resolve: %s\n", resolved.error.c_str());
    return false;
  }
  infercost::Usage usage;
  usage.elapsed_seconds = 3600;
  usage.ok = usage.requests = usage.billable_requests = usage.gateway_requests = 1'000'000;
  usage.billed_ms = 100'000'000;
  infercost::Cost cost = infercost::ComputeCost(*resolved.pricing, usage);
  const double expected = catalog.serverless.lambda_request_usd * 1e6 +
                          catalog.serverless.lambda_gb_second_x86_64 * 100'000;  // GB-s
  if (!cost.observed_usd_per_million ||
      std::abs(*cost.observed_usd_per_million - expected) > 1e-9 * expected || expected <= 0) {
    std::fprintf(stderr, "Lambda $/1M: got %s, want %.6f\n",
                 cost.observed_usd_per_million
                     ? std::to_string(*cost.observed_usd_per_million).c_str()
                     : cost.observed_absent_reason.c_str(),
                 expected);
    return false;
  }
  std::printf("Lambda 1024 MB, 100 ms: $%.4f per 1M inferences\n", expected);
  return true;
}

// Answers every connection with one "200 ok" and closes it, until the listening socket is shut.
class OneShotServer {
 public:
  OneShotServer() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        listen(fd_, 16) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      std::perror("listen on 127.0.0.1:0");
      return;
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~OneShotServer() {
    shutdown(fd_, SHUT_RDWR);  // wakes accept()
    if (thread_.joinable()) thread_.join();
    close(fd_);
  }
  int port() const { return port_; }

 private:
  void Serve() {
    for (int client; (client = accept(fd_, nullptr, nullptr)) >= 0; close(client)) {
      std::string request;
      char buffer[1024];
      while (request.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = read(client, buffer, sizeof(buffer));
        if (n <= 0) break;
        request.append(buffer, static_cast<size_t>(n));
      }
      const std::string answer =
          "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
      if (write(client, answer.data(), answer.size()) < 0) std::perror("write");
    }
  }

  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

class CountingRecorder : public loadgen::Recorder {
 public:
  void OnRequestDone(const loadgen::RequestRecord& record) override {
    (record.outcome == loadgen::Outcome::kOk ? ok : failed)++;
  }
  void OnDropped(loadgen::Clock::time_point) override {}
  void OnStage(int, const loadgen::Stage&, bool) override {}
  void OnTick(loadgen::Clock::time_point, int) override {}

  std::atomic<int> ok{0};
  std::atomic<int> failed{0};
};

bool EngineRunIsRight() {
  OneShotServer server;
  if (server.port() == 0) return false;
  loadgen::TargetPlan plan;
  plan.name = "loopback";
  plan.request.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/infer";
  plan.request.method = "GET";
  plan.request.timeout = std::chrono::seconds(10);
  plan.load.stages = {loadgen::Stage{}};  // closed loop, concurrency 1
  plan.load.max_requests = kRequests;
  CountingRecorder recorder;
  loadgen::Engine engine;
  const loadgen::TargetId id = engine.Add(plan, &recorder);
  if (!engine.WaitFinished(id, std::chrono::seconds(60))) {
    std::fprintf(stderr, "engine: the run did not finish within 60 s\n");
    return false;
  }
  std::printf("engine: %d ok, %d failed against %s\n", recorder.ok.load(), recorder.failed.load(),
              plan.request.url.c_str());
  return recorder.ok == kRequests && recorder.failed == 0;
}

}  // namespace

int main() {
  loadgen::GlobalInit();
  const bool cost_ok = LambdaCostIsRight();
  const bool engine_ok = EngineRunIsRight();
  return cost_ok && engine_ok ? 0 : 1;
}
