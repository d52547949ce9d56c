// The emulator over real HTTP: libcurl against 127.0.0.1:0, at high time scales so that minutes of
// platform behaviour pass in a fraction of a second. Assertions are about counts, headers and
// orderings, never about how fast this machine is.
#include "emulator/emulator.h"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <chrono>
#include <functional>
#include <thread>
#include <vector>

#include "http_client.h"

namespace emulator {
namespace {

using emulator_test::HttpClient;
using emulator_test::Reply;

const bool kCurlReady = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;

constexpr std::string_view kPrediction =
    R"({"label":"tabby cat","class_id":281,"probability":0.43,"model":"mobilenet_v2"})";

std::vector<Profile> Profiles(const std::string& yaml) {
  std::string errors;
  auto profiles = ParseProfiles(yaml, "test.yaml", &errors);
  EXPECT_TRUE(profiles) << errors;
  return profiles.value_or(std::vector<Profile>{});
}

std::unique_ptr<Emulator> StartWith(const std::string& yaml, double time_scale, uint64_t seed = 1) {
  EXPECT_TRUE(kCurlReady);
  Options options;
  options.time_scale = time_scale;
  options.profiles = Profiles(yaml);
  options.seed = seed;
  std::string error;
  auto emulator = Emulator::Start(options, &error);
  EXPECT_NE(emulator, nullptr) << error;
  return emulator;
}

// Sends one request from each of `clients` threads at once (released together by a barrier).
std::vector<Reply> Concurrently(const std::string& url, int clients) {
  std::vector<Reply> replies(static_cast<size_t>(clients));
  std::barrier start(clients);
  std::vector<std::jthread> threads;
  threads.reserve(static_cast<size_t>(clients));
  for (int i = 0; i < clients; ++i) {
    threads.emplace_back([&, i] {
      HttpClient client;
      start.arrive_and_wait();
      replies[static_cast<size_t>(i)] = client.Post(url);
    });
  }
  threads.clear();
  return replies;
}

// Polls `done` (a condition on the emulator's state, not on elapsed time) for at most 20 s.
bool Eventually(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

int Count(const std::vector<Reply>& replies, const std::function<bool(const Reply&)>& pred) {
  return static_cast<int>(std::count_if(replies.begin(), replies.end(), pred));
}

// --- HTTP surface -------------------------------------------------------------------------------

TEST(EmulatorHttpTest, IndexListsTargetsAndMistakesGetJsonErrors) {
  Options options;
  options.time_scale = 1000;
  std::string error;
  auto emulator = Emulator::Start(options, &error);
  ASSERT_NE(emulator, nullptr) << error;
  EXPECT_GT(emulator->port(), 0);
  EXPECT_EQ(emulator->BaseUrl(), "http://127.0.0.1:" + std::to_string(emulator->port()));
  EXPECT_EQ(emulator->Targets(),
            (std::vector<std::string>{"g4dn.xlarge", "t3.medium", "t4g.medium", "lambda"}));

  HttpClient client;
  const Reply index = client.Get(emulator->BaseUrl() + "/");
  EXPECT_EQ(index.status, 200);
  EXPECT_NE(index.body.find(R"({"name":"lambda","platform":"lambda","url":"/lambda/predict"})"),
            std::string::npos)
      << index.body;
  EXPECT_NE(index.body.find(R"("time_scale":1000)"), std::string::npos);

  const Reply unknown = client.Post(emulator->BaseUrl() + "/g5.xlarge/predict");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.body, R"({"error":"unknown target 'g5.xlarge'; GET / lists the targets"})");
  EXPECT_EQ(unknown.Header("x-cold-start"), "false");
  EXPECT_EQ(client.Get(emulator->TargetUrl("lambda")).status, 405);
  EXPECT_EQ(client.Post(emulator->BaseUrl() + "/lambda/train").status, 404);
  EXPECT_EQ(emulator->Stats("lambda")->requests, 0u);
  EXPECT_FALSE(emulator->Stats("g5.xlarge").has_value());
}

TEST(EmulatorHttpTest, EveryTargetAnswersAPredictionAndSaysWhetherItWasCold) {
  Options options;
  options.time_scale = 1000;
  auto emulator = Emulator::Start(options, nullptr);
  ASSERT_NE(emulator, nullptr);
  HttpClient client;
  for (const std::string& target : emulator->Targets()) {
    const Reply reply = client.Post(emulator->TargetUrl(target), std::string(200 << 10, 'j'));
    EXPECT_EQ(reply.status, 200) << target;
    EXPECT_EQ(reply.body, kPrediction);
    EXPECT_EQ(reply.Header("content-type"), "application/json");
    EXPECT_TRUE(reply.HasHeader("x-cold-start")) << target;
    EXPECT_GT(reply.service_ms(), 0) << target;
    EXPECT_EQ(reply.HasHeader("x-billed-duration-ms"), target == "lambda") << target;
    EXPECT_EQ(emulator->Stats(target)->ok, 1u);
  }
}

TEST(EmulatorHttpTest, BodiesAreReadWhateverTheirSizeUpToTheCap) {
  auto emulator = StartWith(R"(targets:
  - { name: box, platform: instance, service: { median_ms: 0 }, max_body_bytes: 1000 }
  - { name: fn, platform: lambda, service: { median_ms: 0 }, max_body_bytes: 10 })",
                            1);
  ASSERT_NE(emulator, nullptr);
  HttpClient client;
  const std::string url = emulator->TargetUrl("box");
  EXPECT_EQ(client.Post(url, "").status, 200);
  EXPECT_EQ(client.Post(url, std::string(1000, 'x')).status, 200);
  EXPECT_EQ(client.Post(url, std::string(1000, 'x'), 60000, /*chunked=*/true).status, 200);
  const Reply too_big = client.Post(url, std::string(1001, 'x'));
  EXPECT_EQ(too_big.status, 413);
  EXPECT_EQ(too_big.body, R"({"error":"request body larger than 1000 bytes"})");
  EXPECT_EQ(client.Post(url, std::string(5000, 'x'), 60000, /*chunked=*/true).status, 413);
  EXPECT_EQ(client.Post(url, "after").status, 200);  // the server is fine afterwards
  const TargetStats stats = *emulator->Stats("box");
  EXPECT_EQ(stats.too_large, 2u);
  EXPECT_EQ(stats.ok, 4u);
  // Lambda: the function never ran, and the answer still says what was billed.
  const Reply lambda = client.Post(emulator->TargetUrl("fn"), std::string(11, 'x'));
  EXPECT_EQ(lambda.status, 413);
  EXPECT_EQ(lambda.Header("x-billed-duration-ms"), "0");
  EXPECT_EQ(lambda.Header("x-cold-start"), "false");
  EXPECT_EQ(emulator->Stats("fn")->instances_alive, 0);
}

TEST(EmulatorHttpTest, InstanceQueueAnswers503WhenFull) {
  // One worker, one queue place, 10 s requests (100 ms at ×100): of six at once, two fit.
  auto emulator = StartWith(R"(targets:
  - { name: box, platform: instance, service: { median_ms: 10000 }, workers: 1, queue_limit: 1 })",
                            100);
  ASSERT_NE(emulator, nullptr);
  const auto replies = Concurrently(emulator->TargetUrl("box"), 6);
  const int full = Count(replies, [](const Reply& r) { return r.status == 503; });
  const int ok = Count(replies, [](const Reply& r) { return r.status == 200; });
  EXPECT_GE(full, 1);
  EXPECT_EQ(full + ok, 6);
  EXPECT_EQ(emulator->Stats("box")->queue_full, static_cast<uint64_t>(full));
  for (const Reply& r : replies) {
    EXPECT_EQ(r.Header("x-cold-start"), "false");
  }
}

// --- Lambda -------------------------------------------------------------------------------------

// Durations are long against thread start-up skew (at ×100 a 5 s invocation holds its instance for
// 50 ms of wall time) and cold ones stay well under the 29 s gateway timeout.
std::string LambdaYaml(int concurrency_limit = 100, int provisioned = 0,
                       int throttle_status = 429) {
  return R"(targets:
  - name: fn
    platform: lambda
    service: { median_ms: 5000, sigma: 0.1 }
    cold_start: { median_ms: 8000, sigma: 0.2 }
    idle_timeout_ms: 60000
    gateway_overhead_ms: 15
    concurrency_limit: )" +
         std::to_string(concurrency_limit) +
         "\n    provisioned_concurrency: " + std::to_string(provisioned) +
         "\n    throttle_status: " + std::to_string(throttle_status) + "\n";
}

TEST(EmulatorLambdaTest, ColdOnFirstRequestAndOnScaleOutWarmOtherwiseColdAgainAfterIdle) {
  auto emulator = StartWith(LambdaYaml(), 100);
  ASSERT_NE(emulator, nullptr);
  const std::string url = emulator->TargetUrl("fn");
  HttpClient client;
  const Reply first = client.Post(url);
  EXPECT_EQ(first.status, 200);
  EXPECT_TRUE(first.cold());
  const Reply second = client.Post(url);
  EXPECT_FALSE(second.cold());
  // Cold requests bill the init too.
  EXPECT_GT(std::stoll(first.Header("x-billed-duration-ms")),
            std::stoll(second.Header("x-billed-duration-ms")));

  // Four at once with one warm instance: the others start three new ones.
  const auto burst = Concurrently(url, 4);
  EXPECT_EQ(Count(burst, [](const Reply& r) { return r.status == 200; }), 4);
  const int cold_in_burst = Count(burst, [](const Reply& r) { return r.cold(); });
  EXPECT_GE(cold_in_burst, 2);  // 3 unless a client started a whole invocation late
  EXPECT_LE(cold_in_burst, 3);
  EXPECT_EQ(emulator->Stats("fn")->instances_alive, 1 + cold_in_burst);

  // As many at once as there are warm instances: no cold start at all.
  const auto warm = Concurrently(url, 1 + cold_in_burst);
  EXPECT_EQ(Count(warm, [](const Reply& r) { return r.cold(); }), 0);

  // Idle for the idle timeout (60 s emulated): every instance is reclaimed, the next is cold.
  EXPECT_TRUE(Eventually([&] { return emulator->Stats("fn")->instances_alive == 0; }));
  EXPECT_TRUE(client.Post(url).cold());
  const TargetStats stats = *emulator->Stats("fn");
  EXPECT_EQ(stats.cold_starts, static_cast<uint64_t>(1 + cold_in_burst + 1));
  EXPECT_EQ(stats.ok, stats.requests);
}

TEST(EmulatorLambdaTest, ProvisionedInstancesAreNeverCold) {
  auto emulator = StartWith(LambdaYaml(100, 2), 100);
  ASSERT_NE(emulator, nullptr);
  const std::string url = emulator->TargetUrl("fn");
  HttpClient client;
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(client.Post(url).cold());
  }
  for (int round = 0; round < 3; ++round) {
    for (const Reply& r : Concurrently(url, 2)) {
      EXPECT_EQ(r.status, 200);
      EXPECT_FALSE(r.cold());
    }
  }
  // Long after any idle timeout they are still there, still warm.
  EXPECT_EQ(emulator->Stats("fn")->instances_alive, 2);
  EXPECT_EQ(emulator->Stats("fn")->cold_starts, 0u);
}

TEST(EmulatorLambdaTest, ThrottlesBeyondTheConcurrencyLimit) {
  // 429 as Lambda's Invoke API answers; 500 as API Gateway answers when Lambda throttles.
  for (const int status : {429, 500}) {
    // Two warm instances and a limit of two: of six at once, at least one is throttled.
    auto emulator = StartWith(LambdaYaml(2, 2, status), 100);
    ASSERT_NE(emulator, nullptr);
    const auto replies = Concurrently(emulator->TargetUrl("fn"), 6);
    const int throttled = Count(replies, [&](const Reply& r) { return r.status == status; });
    const int ok = Count(replies, [](const Reply& r) { return r.status == 200; });
    EXPECT_GE(throttled, 1) << status;
    EXPECT_EQ(ok + throttled, 6);
    EXPECT_EQ(emulator->Stats("fn")->throttled, static_cast<uint64_t>(throttled));
    for (const Reply& r : replies) {
      // A throttle is the front door's own answer, with its error type, and never ran: no
      // billed duration.
      EXPECT_EQ(r.HasHeader("x-billed-duration-ms"), r.status != status);
      if (r.status == status) {
        EXPECT_EQ(r.Header("x-amzn-errortype"),
                  status == 429 ? "TooManyRequestsException" : "InternalServerErrorException");
      } else {
        EXPECT_FALSE(r.HasHeader("x-amzn-errortype"));
      }
      EXPECT_FALSE(r.cold());
    }
  }
}

TEST(EmulatorLambdaTest, GatewayAnswers504At29sWhileTheFunctionKeepsItsInstance) {
  // An 80 s cold start (the seed's image without EFS), one instance allowed. At ×100 the 504
  // comes after 290 ms and the instance stays busy for another ~510 ms.
  auto profiles = Profiles(R"(targets:
  - name: fn
    platform: lambda
    service: { median_ms: 1000 }
    cold_start: { median_ms: 80000 }
    concurrency_limit: 1
    function_timeout_ms: 120000
)");
  Options options;
  options.time_scale = 100;
  options.profiles = profiles;
  auto emulator = Emulator::Start(options, nullptr);
  ASSERT_NE(emulator, nullptr);
  const std::string url = emulator->TargetUrl("fn");
  HttpClient client;
  const Reply timed_out = client.Post(url);
  EXPECT_EQ(timed_out.status, 504);
  EXPECT_EQ(timed_out.body, R"({"message":"Endpoint request timed out"})");
  EXPECT_TRUE(timed_out.cold());
  EXPECT_EQ(timed_out.Header("x-billed-duration-ms"), "81000");  // init + duration, all billed
  EXPECT_EQ(emulator->Stats("fn")->in_flight, 1);                // still running
  EXPECT_EQ(client.Post(url).status, 429);                       // so the one slot is taken
  EXPECT_TRUE(Eventually([&] { return emulator->Stats("fn")->in_flight == 0; }));
  const Reply after = client.Post(url);
  EXPECT_EQ(after.status, 200);
  EXPECT_FALSE(after.cold());  // the instance that timed out at the gateway is warm now
  const TargetStats stats = *emulator->Stats("fn");
  EXPECT_EQ(stats.gateway_timeouts, 1u);
  EXPECT_EQ(stats.throttled, 1u);
  EXPECT_EQ(stats.cold_starts, 1u);
}

TEST(EmulatorLambdaTest, BilledDurationCoversTheServiceTime) {
  auto emulator = StartWith(LambdaYaml(), 1000);
  ASSERT_NE(emulator, nullptr);
  HttpClient client;
  uint64_t billed_sum = 0;
  for (int i = 0; i < 20; ++i) {
    const Reply r = client.Post(emulator->TargetUrl("fn"));
    ASSERT_EQ(r.status, 200);
    const long long billed = std::stoll(r.Header("x-billed-duration-ms"));
    EXPECT_GE(static_cast<double>(billed), r.service_ms());
    EXPECT_LT(static_cast<double>(billed), r.service_ms() + 1);  // rounded up to 1 ms
    billed_sum += static_cast<uint64_t>(billed);
  }
  EXPECT_EQ(emulator->Stats("fn")->billed_ms, billed_sum);
}

// --- GPU batching and CPU credits ---------------------------------------------------------------

TEST(EmulatorInstanceTest, BatchingRaisesGpuThroughputWithConcurrency) {
  // Wall-clock time scale: a 5 ms batch overhead plus 0.25 ms per image, no CPU stage.
  constexpr const char* kGpu = R"(targets:
  - name: gpu
    platform: instance
    service: { median_ms: 0 }
    workers: 16
    batching: { max_batch: 32, base_ms: 5, per_item_ms: 0.25 }
)";
  auto emulator = StartWith(kGpu, 1);
  ASSERT_NE(emulator, nullptr);
  const std::string url = emulator->TargetUrl("gpu");
  const auto run = [&](int clients, int per_client) {
    const TargetStats before = *emulator->Stats("gpu");
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::jthread> threads;
    threads.reserve(static_cast<size_t>(clients));
    for (int c = 0; c < clients; ++c) {
      threads.emplace_back([&] {
        HttpClient client;
        for (int i = 0; i < per_client; ++i) {
          EXPECT_EQ(client.Post(url).status, 200);
        }
      });
    }
    threads.clear();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const TargetStats after = *emulator->Stats("gpu");
    const auto batches = static_cast<double>(after.gpu_batches - before.gpu_batches);
    const auto requests =
        static_cast<double>(after.gpu_batched_requests - before.gpu_batched_requests);
    EXPECT_EQ(requests, clients * per_client);
    struct Result {
      double mean_batch;
      double model_ips;  // requests per second of GPU time, from the model
      double wall_ips;
    };
    return Result{requests / batches, requests / ((batches * 5 + requests * 0.25) / 1000),
                  requests / seconds};
  };
  const auto one = run(1, 40);
  const auto sixteen = run(16, 20);
  EXPECT_DOUBLE_EQ(one.mean_batch, 1.0);
  EXPECT_GT(sixteen.mean_batch, 2.0);
  EXPECT_GT(sixteen.model_ips, 2 * one.model_ips);
  EXPECT_GT(sixteen.wall_ips, one.wall_ips);  // ~9x expected; only the direction is asserted
}

// Each client's replies, in the order it got them.
std::vector<std::vector<Reply>> ClosedLoop(const std::string& url, int clients, int per_client) {
  std::vector<std::vector<Reply>> replies(static_cast<size_t>(clients));
  std::vector<std::jthread> threads;
  threads.reserve(replies.size());
  for (auto& mine : replies) {
    threads.emplace_back([&] {
      HttpClient client;
      for (int i = 0; i < per_client; ++i) {
        mine.push_back(client.Post(url));
      }
    });
  }
  threads.clear();
  return replies;
}

TEST(EmulatorInstanceTest, StandardCreditsSlowToTheBaselineOnceSpentUnlimitedDoNot) {
  // Two vCPUs, 5 ms per request at full speed, credits for 30 requests (0.0025 credit = 150 ms of
  // one vCPU); the 20 % baseline makes a request take 25 ms. Eight clients keep both vCPUs busy.
  const auto yaml = [](const char* mode) {
    return std::string(R"(targets:
  - name: t3
    platform: instance
    service: { median_ms: 5 }
    workers: 2
    cpu_credits: { mode: )") +
           mode + ", initial_credits: 0.0025, baseline: 0.2 }\n";
  };
  auto standard = StartWith(yaml("standard"), 1);
  ASSERT_NE(standard, nullptr);
  int fast = 0, slow = 0;
  for (const auto& replies : ClosedLoop(standard->TargetUrl("t3"), 8, 15)) {
    for (const Reply& r : replies) {
      const double ms = r.service_ms();
      EXPECT_TRUE(ms == 5.0 || ms == 25.0) << ms;
      fast += ms == 5.0;
      slow += ms == 25.0;
    }
  }
  // The first 30 requests to start are paid for; after that only idle time earns a full-speed
  // request (eight clients on two vCPUs leave little). Expected: about 30 fast, 90 slow.
  EXPECT_GE(fast, 30);
  EXPECT_GE(slow, 40) << "of 120";
  EXPECT_EQ(standard->Stats("t3")->credit_throttled, static_cast<uint64_t>(slow));

  const auto start = std::chrono::steady_clock::now();
  auto unlimited = StartWith(yaml("unlimited"), 1);
  ASSERT_NE(unlimited, nullptr);
  for (const auto& replies : ClosedLoop(unlimited->TargetUrl("t3"), 8, 15)) {
    for (const Reply& r : replies) {
      EXPECT_DOUBLE_EQ(r.service_ms(), 5.0);
    }
  }
  const TargetStats stats = *unlimited->Stats("t3");
  const double elapsed_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(stats.credit_throttled, 0u);
  // Balance = initial + earned - spent, and earning cannot outrun the wall clock: 120 requests
  // of 5 ms spent 600 vCPU-ms, the two vCPUs earned at most 0.4 vCPU-ms per ms.
  ASSERT_TRUE(stats.cpu_credit_balance.has_value());
  EXPECT_LE(*stats.cpu_credit_balance, (150 + 0.4 * elapsed_ms - 600) / 60e3 + 1e-9);
}

// --- faults -------------------------------------------------------------------------------------

std::string WithFaults(const std::string& faults) {
  return "targets:\n  - { name: box, platform: instance, service: { median_ms: 1 }, faults: " +
         faults + " }\n";
}

TEST(EmulatorFaultTest, ErrorRatioAnswers500) {
  auto emulator = StartWith(WithFaults("{ error_ratio: 1 }"), 100);
  ASSERT_NE(emulator, nullptr);
  HttpClient client;
  const Reply r = client.Post(emulator->TargetUrl("box"));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, R"({"error":"injected fault: internal error"})");
  EXPECT_EQ(r.Header("x-cold-start"), "false");
  EXPECT_EQ(emulator->Stats("box")->injected_errors, 1u);
}

TEST(EmulatorFaultTest, ResetRatioClosesTheConnectionWithoutAResponse) {
  auto emulator = StartWith(WithFaults("{ reset_ratio: 1 }"), 100);
  ASSERT_NE(emulator, nullptr);
  HttpClient client;
  for (int i = 0; i < 3; ++i) {
    const Reply r = client.Post(emulator->TargetUrl("box"));
    // "Connection reset by peer": an RST, not an orderly close (CURLE_GOT_NOTHING).
    EXPECT_EQ(r.code, CURLE_RECV_ERROR) << curl_easy_strerror(r.code);
    EXPECT_EQ(r.status, 0);
  }
  EXPECT_EQ(emulator->Stats("box")->resets, 3u);
}

TEST(EmulatorFaultTest, HangLastsUntilTheClientGivesUpOrTheBound) {
  auto emulator = StartWith(WithFaults("{ hang_ratio: 1, hang_max_ms: 3600000 }"), 1);
  ASSERT_NE(emulator, nullptr);
  HttpClient client;
  const Reply r = client.Post(emulator->TargetUrl("box"), "x", /*timeout_ms=*/200);
  EXPECT_EQ(r.code, CURLE_OPERATION_TIMEDOUT);
  // The server notices the client leaving and frees its thread.
  EXPECT_TRUE(Eventually([&] { return emulator->Stats("box")->hangs == 1; }));

  auto bounded = StartWith(WithFaults("{ hang_ratio: 1, hang_max_ms: 100 }"), 1);
  ASSERT_NE(bounded, nullptr);
  const Reply cut = client.Post(bounded->TargetUrl("box"), "x", /*timeout_ms=*/30000);
  EXPECT_NE(cut.code, CURLE_OPERATION_TIMEDOUT) << "the bound should end the hang first";
  EXPECT_EQ(cut.status, 0);
  EXPECT_EQ(bounded->Stats("box")->hangs, 1u);
}

TEST(EmulatorFaultTest, SlowBodyTricklesTheWholeBody) {
  auto emulator =
      StartWith(WithFaults("{ slow_body_ratio: 1, slow_body_bytes_per_second: 2000 }"), 1);
  ASSERT_NE(emulator, nullptr);
  HttpClient client;
  const Reply r = client.Post(emulator->TargetUrl("box"));
  EXPECT_EQ(r.code, CURLE_OK);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, kPrediction);
  EXPECT_EQ(client.Post(emulator->TargetUrl("box")).body, kPrediction);  // connection reusable
  EXPECT_EQ(emulator->Stats("box")->slow_bodies, 2u);
}

TEST(EmulatorFaultTest, MixedRatiosFollowTheSeededDraws) {
  auto emulator = StartWith(WithFaults("{ error_ratio: 0.3, reset_ratio: 0.3 }"), 1000);
  ASSERT_NE(emulator, nullptr);
  HttpClient client;
  int ok = 0, errors = 0, resets = 0;
  for (int i = 0; i < 200; ++i) {
    const Reply r = client.Post(emulator->TargetUrl("box"));
    ok += r.status == 200;
    errors += r.status == 500;
    resets += r.code != CURLE_OK;
  }
  EXPECT_EQ(ok + errors + resets, 200);
  // 60 expected of each fault; far outside [30, 90] would mean broken draws.
  EXPECT_GE(errors, 30);
  EXPECT_LE(errors, 90);
  EXPECT_GE(resets, 30);
  EXPECT_LE(resets, 90);
  const TargetStats stats = *emulator->Stats("box");
  EXPECT_EQ(stats.ok, static_cast<uint64_t>(ok));
  EXPECT_EQ(stats.injected_errors, static_cast<uint64_t>(errors));
  EXPECT_EQ(stats.resets, static_cast<uint64_t>(resets));
}

TEST(EmulatorFaultTest, TargetCountersAreServedOverHttp) {
  auto emulator = StartWith(WithFaults("{ error_ratio: 0.5, reset_ratio: 0.5 }"), 1000);
  ASSERT_NE(emulator, nullptr);
  HttpClient client;
  for (int i = 0; i < 20; ++i) client.Post(emulator->TargetUrl("box"));
  const TargetStats stats = *emulator->Stats("box");
  const std::string base = emulator->BaseUrl();
  const Reply r = client.Get(base + "/_emulator/targets/box");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find(R"("invocations":20,)"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("injected_errors":)" + std::to_string(stats.injected_errors) + ","),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find(R"("resets":)" + std::to_string(stats.resets) + ","), std::string::npos)
      << r.body;
  EXPECT_EQ(client.Get(base + "/_emulator/targets/nope").status, 404);
}

// --- determinism and shutdown -------------------------------------------------------------------

std::vector<std::string> ServiceTimes(uint64_t seed) {
  auto emulator = StartWith(R"(targets:
  - { name: box, platform: instance, service: { median_ms: 10, sigma: 0.5 } })",
                            1000, seed);
  HttpClient client;
  std::vector<std::string> times;
  times.reserve(10);
  for (int i = 0; i < 10; ++i) {
    times.push_back(client.Post(emulator->TargetUrl("box")).Header("x-service-time-ms"));
  }
  return times;
}

TEST(EmulatorTest, TheSameSeedGivesTheSameDraws) {
  EXPECT_EQ(ServiceTimes(7), ServiceTimes(7));
  EXPECT_NE(ServiceTimes(7), ServiceTimes(8));
}

TEST(EmulatorTest, StopsPromptlyWithRequestsInFlight) {
  auto emulator = StartWith(LambdaYaml() + R"(  - name: hang
    platform: instance
    service: { median_ms: 0 }
    faults: { hang_ratio: 1 }
  - name: gpu
    platform: instance
    service: { median_ms: 0 }
    batching: { max_batch: 4, base_ms: 3600000 }
)",
                            1);
  ASSERT_NE(emulator, nullptr);
  std::vector<Reply> replies(3);
  std::vector<std::jthread> clients;
  int i = 0;
  for (const char* target : {"fn", "hang", "gpu"}) {
    clients.emplace_back([&, url = emulator->TargetUrl(target), i] {
      HttpClient client;
      replies[static_cast<size_t>(i)] = client.Post(url);
    });
    ++i;
  }
  EXPECT_TRUE(Eventually([&] {
    return emulator->Stats("fn")->in_flight == 1 && emulator->Stats("hang")->requests == 1 &&
           emulator->Stats("gpu")->in_flight == 1;
  }));
  emulator.reset();  // an hour-long GPU batch, a 5 s invocation and a hang: none waited for
  clients.clear();
  EXPECT_EQ(replies[0].status, 503);
  EXPECT_EQ(replies[1].status, 0);
  EXPECT_EQ(replies[2].status, 503);
}

TEST(EmulatorTest, StartRejectsBadOptions) {
  std::string error;
  StartFailure failure{};
  Options options;
  options.time_scale = 0;
  EXPECT_EQ(Emulator::Start(options, &error, &failure), nullptr);
  EXPECT_EQ(failure, StartFailure::kBadOptions);
  EXPECT_EQ(error, "the time scale must be a positive number");

  options = Options{};
  options.profiles_file =
      std::string(INFERCOST_SOURCE_DIR) + "/tests/emulator/testdata/invalid-platform.yaml";
  EXPECT_EQ(Emulator::Start(options, &error, &failure), nullptr);
  EXPECT_EQ(failure, StartFailure::kBadProfiles);
  EXPECT_NE(error.find("invalid-platform.yaml:3:15: 'platform' must be one of"), std::string::npos);

  // A port already taken.
  auto first = Emulator::Start(Options{}, &error);
  ASSERT_NE(first, nullptr);
  options = Options{};
  options.host = "127.0.0.1";
  options.port = first->port();
  EXPECT_EQ(Emulator::Start(options, &error, &failure), nullptr);
  EXPECT_EQ(failure, StartFailure::kCannotListen);
  EXPECT_NE(error.find("cannot listen on 127.0.0.1:"), std::string::npos) << error;
}

TEST(EmulatorTest, FunctionUrlsShareTheInvokeApisFunction) {
  EXPECT_TRUE(kCurlReady);
  Options options;
  options.time_scale = 1000;
  options.profiles = Profiles(R"(targets:
  - { name: fn, platform: lambda, service: { median_ms: 100 }, cold_start: { median_ms: 50 } })");
  options.aws.function_url_auth = FunctionUrlAuth::kNone;
  std::string error;
  auto emulator = Emulator::Start(options, &error);
  ASSERT_NE(emulator, nullptr) << error;
  EXPECT_EQ(emulator->FunctionUrl("fn"), emulator->BaseUrl() + "/lambda-url/fn/");
  HttpClient client;
  const Reply reply = client.Post(emulator->FunctionUrl("fn") + "any/path?q=1");
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.body, kPrediction);
  EXPECT_EQ(reply.Header("x-amzn-requestid").size(), 36u);
  EXPECT_FALSE(reply.HasHeader("x-billed-duration-ms"));
  EXPECT_FALSE(reply.HasHeader("x-cold-start"));
  EXPECT_EQ(client.Get(emulator->FunctionUrl("fn")).status, 200);  // any method
  EXPECT_EQ(emulator->FunctionStats("fn")->ok, 2u);
  EXPECT_EQ(emulator->FunctionStats("fn")->cold_starts, 1u);
  EXPECT_EQ(emulator->Stats("fn")->requests, 0u);  // the predict path keeps its own function

  options.aws.function_url_auth = FunctionUrlAuth::kAwsIam;
  emulator = Emulator::Start(options, &error);
  ASSERT_NE(emulator, nullptr) << error;
  const Reply refused = client.Post(emulator->FunctionUrl("fn"));
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.Header("x-amzn-errortype"), "AccessDeniedException");
}

TEST(EmulatorTest, ZeroDelayProfileServesManyRequestsOnOneConnection) {
  auto emulator = StartWith(R"(targets:
  - { name: zero, platform: instance, service: { median_ms: 0 }, workers: 64 })",
                            1);
  ASSERT_NE(emulator, nullptr);
  HttpClient client;
  int ok = 0;
  for (int i = 0; i < 2000; ++i) {
    ok += client.Post(emulator->TargetUrl("zero")).status == 200;
  }
  EXPECT_EQ(ok, 2000);
  EXPECT_EQ(emulator->Stats("zero")->in_flight, 0);
}

}  // namespace
}  // namespace emulator
