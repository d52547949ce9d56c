// `infercost bench`: a one-shot load test of one URL and the seed's summary block, a drop-in for
// its performance_test.py (same flags where it had them, same summary lines).
//
// Flow: flags -> RequestSpec + LoadPlan (split into one shard per engine thread) -> Engine ->
// StatsRecorder (+ CsvRecorder) per shard -> one TargetStats -> summary and cost on stdout. A
// progress line goes to stderr when it is a terminal.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cli/bench_aws.h"
#include "cli/bench_pricing.h"
#include "cli/bench_progress.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "common/duration.h"
#include "common/log.h"
#include "config/usage.h"
#include "cost/cost.h"
#include "loadgen/csv.h"
#include "loadgen/descriptors.h"
#include "loadgen/engine.h"
#include "loadgen/payload.h"
#include "loadgen/stats.h"
#include "loadgen/url.h"

namespace infercost {
namespace {

using loadgen::Clock;
using std::chrono::duration;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

constexpr int kMaxThreads = 64;
constexpr int kDefaultMaxInFlight = 10'000;
// In-flight requests left when a --duration run should long be over are aborted after this.
constexpr nanoseconds kOverrunGrace = seconds(5);
// On Ctrl-C, in-flight requests get this long to finish before they are counted as timeouts.
constexpr nanoseconds kInterruptDrain = seconds(2);
constexpr const char* kRule = "==================================================";
constexpr const char* kThinRule = "--------------------------------------------------";

std::atomic<bool> g_interrupted{false};
extern "C" void OnInterrupt(int /*signal*/) { g_interrupted.store(true); }

// Descriptors bench needs besides its connections: stdio, the CSV file, credential fetches.
constexpr uint64_t kBenchOwnDescriptors = 64;

struct Flags {
  std::string url;
  std::string method;
  std::string image_dir;
  std::string body_file;
  std::string encoding = "raw";
  std::string field = "image";
  std::vector<std::string> headers;
  std::optional<int> concurrency;
  std::optional<double> rate;
  std::string arrival;
  std::string duration;
  std::optional<int64_t> requests;
  std::string timeout = "30s";
  std::string csv;
  std::optional<int> expect_status;
  std::string expect_body;
  bool insecure = false;
  uint64_t seed = 1;
  std::optional<int> threads;  // default: see DefaultThreads()
  std::optional<int> max_in_flight;

  BenchPricingFlags pricing;
  BenchAwsFlags aws;  // its `region` is also the pricing flags' --region
};

// What the flags turned into.
struct BenchSetup {
  loadgen::RequestSpec request;
  std::size_t payload_count = 0;
  bool open_loop = false;
  int concurrency = 0;
  double rate = 0;
  loadgen::Arrival arrival = loadgen::Arrival::kConstant;
  std::optional<nanoseconds> duration;
  std::optional<uint64_t> requests;
  int threads = 1;
  int max_in_flight = kDefaultMaxInFlight;
  uint64_t seed = 1;
  std::optional<ResolvedPricing> pricing;
  std::optional<double> capacity;  // --capacity
  std::string target;              // what is loaded, for the summary: the URL or the AWS target
};

// A closed loop is bound by the client's CPU at high concurrency (libcurl costs more per request
// than a lean server), so by default it uses every core, as hey and wrk do. An open loop keeps one
// thread: its constant schedule then stays evenly spaced, and one thread keeps 5,000 req/s.
int DefaultThreads(const BenchSetup& setup) {
  if (setup.open_loop) return 1;
  const auto cores = static_cast<int>(std::thread::hardware_concurrency());
  return std::clamp(cores, 1, kMaxThreads);
}

// Validates the flags and builds the run. Returns an error message (exit 2) or "".
std::string Build(const Flags& f, BenchSetup* setup) {
  if (std::string error = CheckBenchAwsFlags(f.aws, f.url); !error.empty()) return error;
  if (f.aws.Any()) {
    // The URL comes with the keys, once the flags are known to be right (PrepareBenchAws).
  } else if (std::string error = loadgen::UrlError(f.url); !error.empty()) {
    std::string message = "URL '";
    message.append(RedactUrl(f.url)).append("' ").append(error);
    return message;
  }
  if (f.concurrency.has_value() == f.rate.has_value()) {
    return "give exactly one of --concurrency N (closed loop) or --rate R (open loop)";
  }
  if (f.duration.empty() == !f.requests.has_value()) {
    return "give exactly one of --duration D or --requests N";
  }
  if (f.concurrency) {
    if (*f.concurrency < 1) return "--concurrency must be at least 1";
    if (!f.arrival.empty()) return "--arrival applies to --rate only";
    if (f.max_in_flight) return "--max-in-flight applies to --rate only";
    setup->concurrency = *f.concurrency;
  } else {
    if (!(*f.rate > 0) || !std::isfinite(*f.rate)) return "--rate must be a positive number";
    if (*f.rate < loadgen::kMinRate) return "--rate must be at least 0.0001 (requests per second)";
    setup->open_loop = true;
    setup->rate = *f.rate;
    if (!f.arrival.empty()) {
      const std::optional<loadgen::Arrival> arrival = loadgen::ParseArrival(f.arrival);
      if (!arrival) return "--arrival must be constant or poisson, got '" + f.arrival + "'";
      setup->arrival = *arrival;
    }
    if (f.max_in_flight) {
      if (*f.max_in_flight < 1) return "--max-in-flight must be at least 1";
      setup->max_in_flight = *f.max_in_flight;
    }
  }
  if (!f.duration.empty()) {
    std::string error;
    const auto d = ParseDurationFlag("--duration", f.duration, DurationBound::kPositive, &error);
    if (!d) return error;
    setup->duration = *d;
  } else {
    if (*f.requests < 1) return "--requests must be at least 1";
    setup->requests = static_cast<uint64_t>(*f.requests);
  }
  std::string timeout_error;
  const auto timeout =
      ParseDurationFlag("--timeout", f.timeout, DurationBound::kPositive, &timeout_error);
  if (!timeout) return timeout_error;
  if (f.threads && (*f.threads < 1 || *f.threads > kMaxThreads)) {
    return "--threads must be between 1 and " + std::to_string(kMaxThreads);
  }
  setup->threads = f.threads.value_or(DefaultThreads(*setup));
  if (!setup->open_loop) setup->threads = std::min(setup->threads, setup->concurrency);
  if (setup->requests) {
    setup->threads = static_cast<int>(std::min<uint64_t>(setup->threads, *setup->requests));
  }
  setup->seed = f.seed;

  loadgen::RequestSpec& r = setup->request;
  r.url = f.url;
  r.timeout = *timeout;
  r.verify_tls = !f.insecure;
  for (const std::string& h : f.headers) {
    const std::size_t colon = h.find(':');
    if (colon == std::string::npos || colon == 0 || h.find_first_of("\r\n") != std::string::npos) {
      return "--header '" + h + "' must look like 'Name: value'";
    }
    r.headers.push_back(h);
  }
  if (f.expect_status) {
    if (*f.expect_status < 100 || *f.expect_status > 599) {
      return "--expect-status must be an HTTP status (100-599)";
    }
    r.expect.status = *f.expect_status;
  }
  r.expect.body_contains = f.expect_body;

  loadgen::PayloadSpec body;
  body.image_dir = f.image_dir;
  body.file = f.body_file;
  body.field = f.field;
  const std::optional<loadgen::BodyEncoding> encoding = loadgen::ParseBodyEncoding(f.encoding);
  if (!encoding) {
    return "--encoding must be raw, base64_json or multipart, got '" + f.encoding + "'";
  }
  body.encoding = *encoding;
  if (!f.image_dir.empty() && !f.body_file.empty()) {
    return "give --image-dir or --body-file, not both";
  }
  const loadgen::PayloadResult payloads = loadgen::LoadPayloads(body);
  if (payloads.payloads == nullptr) return payloads.error;
  r.payloads = payloads.payloads;
  setup->payload_count = payloads.payloads->size();
  // performance_test.py POSTed its images; without a body a GET is the natural probe.
  r.method = !f.method.empty() ? f.method : (setup->payload_count > 0 ? "POST" : "GET");
  for (char& c : r.method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (r.method.empty() ||
      r.method.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos) {
    return "--method '" + f.method + "' is not an HTTP method";
  }
  if (f.aws.Any() && !f.method.empty() && r.method != "POST") {
    return "--method: Lambda's Invoke and SageMaker's InvokeEndpoint take POST only";
  }

  if (HasPricingFlags(f.pricing, f.aws)) {
    ResolveResult resolved = ResolveBenchPricing(f.pricing, f.aws.region);
    if (!resolved.pricing) return resolved.error;
    setup->pricing = std::move(resolved.pricing);
    setup->capacity = f.pricing.capacity;
  }
  return "";
}

// One shard of the run per engine thread: the load is divided, not multiplied.
std::vector<loadgen::TargetPlan> Shards(const BenchSetup& s) {
  loadgen::LoadPlan whole;
  loadgen::Stage stage;
  stage.duration = s.duration.value_or(nanoseconds(0));
  if (s.open_loop) {
    stage.kind = loadgen::Stage::Kind::kOpen;
    stage.rate = s.rate;
    stage.arrival = s.arrival;
    whole.max_in_flight = s.max_in_flight;
  } else {
    stage.kind = loadgen::Stage::Kind::kClosed;
    stage.concurrency = s.concurrency;
  }
  whole.stages = {stage};
  whole.max_requests = s.requests;
  whole.seed = s.seed;
  std::vector<loadgen::TargetPlan> plans;
  for (int i = 0; i < s.threads; ++i) {
    plans.push_back({"bench", s.request, loadgen::SplitPlan(whole, s.threads, i)});
  }
  return plans;
}

double Ms(int64_t ns) { return static_cast<double>(ns) / 1e6; }

void PrintProgress(const loadgen::TargetStats& stats, Clock::time_point start) {
  const Clock::time_point now = Clock::now();
  std::fprintf(stderr, "\r\033[K%s", ProgressLine(stats.Snapshot(now), now - start).c_str());
  std::fflush(stderr);
}

// Whose word Lambda's duration bill is, and what AWS's record adds.
void PrintBilling(const loadgen::Interval& t, uint64_t billable) {
  const uint64_t by_aws = std::min(t.BilledByAws(), billable);
  if (by_aws == billable) {
    std::printf("Billed Duration: billed by AWS (%llu of %llu invocations)\n",
                static_cast<unsigned long long>(by_aws), static_cast<unsigned long long>(billable));
  } else {
    std::printf(
        "Billed Duration: estimated from latency for %llu of %llu invocations (an upper "
        "bound)\n",
        static_cast<unsigned long long>(billable - by_aws),
        static_cast<unsigned long long>(billable));
  }
  if (const std::optional<double> overhead = t.MeanClientOverheadSeconds()) {
    std::printf("Client Overhead: %.3f ms over the billed duration (mean)\n", *overhead * 1e3);
  }
  if (t.max_memory_used_mb > 0) {
    std::printf("Max Memory Used: %d MB of %d MB\n", t.max_memory_used_mb, t.memory_size_mb);
  }
}

bool IsBurstable(const ResolvedPricing& p) {
  return p.baseline_per_vcpu > 0 && p.surplus_usd_per_vcpu_hour > 0;
}

// The capacity that prices burstable surplus credits (utilisation = IPS / capacity): --capacity,
// else a closed loop's own IPS (a closed loop at saturation is the capacity), else unknown (0).
double BenchCapacity(const BenchSetup& setup, const loadgen::Interval& t, double elapsed_s) {
  if (setup.capacity) return *setup.capacity;
  if (setup.open_loop || elapsed_s <= 0) return 0;
  return static_cast<double>(t.Ok()) / elapsed_s;
}

// Says plainly how surplus credits were priced, or why they were not.
void PrintCapacityNote(const BenchSetup& setup) {
  if (!IsBurstable(*setup.pricing)) return;
  if (setup.capacity) {
    std::printf("  note: surplus credits priced at utilisation = IPS / --capacity %.2f\n",
                *setup.capacity);
  } else if (setup.open_loop) {
    std::printf(
        "  note: surplus credits NOT priced: an open loop cannot tell the target's capacity; "
        "give --capacity IPS\n");
  } else {
    std::printf(
        "  note: surplus credits priced at utilisation 1: the closed loop's IPS is taken as the "
        "capacity (the target saturated); give --capacity IPS if it did not\n");
  }
}

void PrintSummary(const Flags& f, const BenchSetup& setup, const loadgen::StatsSnapshot& snap,
                  double elapsed_s) {
  const loadgen::Interval& t = snap.total;
  const uint64_t total = t.Requests();
  const uint64_t ok = t.Ok();
  std::printf("%s\nPerformance Test Summary\n%s\n", kRule, kRule);
  std::printf("Target URL: %s\n", RedactUrl(setup.request.url).c_str());
  if (f.aws.Any()) std::printf("Target: %s\n", setup.target.c_str());
  if (setup.open_loop) {
    std::printf("Rate: %g req/s (%s arrivals, open loop)\n", setup.rate,
                std::string(loadgen::Name(setup.arrival)).c_str());
  } else {
    std::printf("Concurrency: %d\n", setup.concurrency);
  }
  std::printf("Actual Duration: %.2f seconds\n%s\n", elapsed_s, kThinRule);
  std::printf("Total Requests: %llu\n", static_cast<unsigned long long>(total));
  std::printf("Successful: %llu (%.2f%%)\n", static_cast<unsigned long long>(ok),
              total > 0 ? 100.0 * static_cast<double>(ok) / static_cast<double>(total) : 0.0);
  std::printf("Failed: %llu\n", static_cast<unsigned long long>(t.Failed()));
  for (loadgen::Outcome o : loadgen::kAllOutcomes) {
    const uint64_t n = t.requests[static_cast<std::size_t>(o)];
    if (o != loadgen::Outcome::kOk && n > 0) {
      std::printf("  %s: %llu\n", std::string(loadgen::OutcomeName(o)).c_str(),
                  static_cast<unsigned long long>(n));
    }
  }
  if (t.cold_starts > 0) {
    std::printf("Cold Starts: %llu\n", static_cast<unsigned long long>(t.cold_starts));
  }
  std::printf("%s\n", kThinRule);
  const double ips = elapsed_s > 0 ? static_cast<double>(ok) / elapsed_s : 0.0;
  std::printf("Average IPS: %.2f (Inferences Per Second)\n%s\n", ips, kThinRule);
  // Latencies of successful requests, as the seed reported them; of all requests if none was.
  const loadgen::LatencyHistogram& h = ok > 0 ? t.ok_latency : t.latency;
  if (ok == 0 && total > 0) std::printf("(no successful request: latencies of failed ones)\n");
  std::printf("Min Latency: %.3f ms\n", Ms(h.MinNs()));
  std::printf("Avg Latency: %.3f ms\n", h.MeanNs() / 1e6);
  std::printf("Max Latency: %.3f ms\n", Ms(h.MaxNs()));
  std::printf("P50 Latency: %.3f ms\n", Ms(h.ValueAtQuantileNs(0.50)));
  std::printf("P95 Latency: %.3f ms\n", Ms(h.ValueAtQuantileNs(0.95)));
  std::printf("P99 Latency: %.3f ms\n", Ms(h.ValueAtQuantileNs(0.99)));
  if (setup.open_loop) {
    std::printf("%s\n", kThinRule);
    std::printf("Schedule Lag: p50 %.3f ms, p99 %.3f ms, max %.3f ms\n",
                Ms(t.lag.ValueAtQuantileNs(0.50)), Ms(t.lag.ValueAtQuantileNs(0.99)),
                Ms(t.lag.MaxNs()));
    std::printf("Dropped: %llu (arrivals over the in-flight cap of %d)\n",
                static_cast<unsigned long long>(t.dropped), setup.max_in_flight);
    const double achieved = elapsed_s > 0 ? static_cast<double>(total) / elapsed_s : 0.0;
    std::printf("Achieved Rate: %.2f req/s\n", achieved);
    // As MLPerf does: a run that could not keep its schedule is reported, but marked.
    std::string why;
    if (t.lag.ValueAtQuantileNs(0.99) > nanoseconds(milliseconds(10)).count()) {
      why += " p99 schedule lag over 10 ms;";
    }
    if (t.dropped > 0) why += " arrivals dropped;";
    if (why.empty()) {
      std::printf("Measurement: valid\n");
    } else {
      why.pop_back();
      std::printf("Measurement: INVALID (%s)\n", why.c_str() + 1);
    }
  }
  if (setup.pricing) {
    const Usage usage = UsageOf(t, elapsed_s, BenchCapacity(setup, t, elapsed_s));
    const Cost cost = ComputeCost(*setup.pricing, usage);
    std::printf("%s\n", kThinRule);
    if (cost.observed_usd_per_million) {
      std::printf("Cost per 1M inferences: %s\n",
                  FormatUsd(*cost.observed_usd_per_million).c_str());
    } else {
      std::printf("Cost per 1M inferences: n/a (%s)\n", cost.observed_absent_reason.c_str());
    }
    std::printf("Estimated Spend: %s (time %s, requests %s)\n", FormatUsd(cost.TotalUsd()).c_str(),
                FormatUsd(cost.time_usd).c_str(), FormatUsd(cost.request_usd).c_str());
    PrintLineItems(setup.pricing->spec, cost);
    std::printf("Exclusions: %s\n", ExclusionsLine(*setup.pricing).c_str());
    if (setup.pricing->platform == "lambda" && usage.billable_requests > 0) {
      PrintBilling(t, usage.billable_requests);
    }
    PrintCapacityNote(setup);
    // An unknown capacity is said above, with what to do about it.
    const bool said = IsBurstable(*setup.pricing) && setup.open_loop && !setup.capacity;
    for (const std::string& caveat : cost.caveats) {
      if (said && caveat.find("surplus") != std::string::npos) continue;
      std::printf("  note: %s\n", caveat.c_str());
    }
  }
  std::printf("%s\n", kRule);
}

void AddFlags(CLI::App& app, Flags& f) {
  app.add_option("--url", f.url, "URL to load (http:// or https://)");
  app.add_option("--method", f.method, "HTTP method (default: POST with a body, GET without)");
  app.add_option("--image-dir", f.image_dir, "send every file of this directory, cycled");
  app.add_option("--body-file", f.body_file, "send this file as the body");
  app.add_option("--encoding", f.encoding, "raw | base64_json | multipart (default raw)");
  app.add_option("--field", f.field, "JSON field or multipart part name (default image)");
  app.add_option("--header", f.headers, "extra header 'Name: value' (repeatable)");
  app.add_option("--concurrency", f.concurrency, "closed loop: requests kept in flight");
  app.add_option("--rate", f.rate, "open loop: requests per second");
  app.add_option("--arrival", f.arrival, "open loop: constant | poisson (default constant)");
  app.add_option("--duration", f.duration, "run for this long (60s, 5m, 500ms)");
  app.add_option("--requests", f.requests, "send this many requests");
  app.add_option("--timeout", f.timeout, "per-request timeout (default 30s)");
  app.add_option("--csv", f.csv, "write one row per request to this file");
  app.add_option("--expect-status", f.expect_status, "required status (default: any 2xx)");
  app.add_option("--expect-body", f.expect_body, "required substring of the response body");
  app.add_flag("--insecure", f.insecure, "do not verify TLS certificates");
  app.add_option("--seed", f.seed, "seed of Poisson arrivals (default 1)")
      ->check(NumberCheck(NumberBound::kZeroOrMore));
  app.add_option("--threads", f.threads,
                 "engine threads the load is split over (default: one per core, up to the "
                 "concurrency; 1 with --rate)");
  app.add_option("--max-in-flight", f.max_in_flight,
                 "open loop: arrivals beyond this many in flight are dropped (default 10000)");
  AddBenchPricingFlags(app, f.pricing);
  app.add_option("--region", f.aws.region,
                 "price: catalog region (default us-east-1); AWS targets: their region");
  AddBenchAwsFlags(app, f.aws);
}

// What a bench run measured and how it ended.
struct BenchRun {
  loadgen::StatsSnapshot snapshot;
  double elapsed_s = 0;
  bool interrupted = false;  // by SIGINT
  bool overran = false;      // requests still out long after a --duration run; aborted
  bool csv_ok = true;
};

// Runs the load: one shard per engine thread, each recording into the shared stats (and the CSV
// file), a progress line on stderr when it is a terminal, SIGINT ending the run early.
BenchRun RunLoad(const BenchSetup& setup, const std::shared_ptr<loadgen::CsvFile>& csv) {
  BenchRun run;
  loadgen::TargetStats stats(BenchStatsOptions());
  std::vector<std::unique_ptr<loadgen::StatsRecorder>> stat_recorders;
  std::vector<std::unique_ptr<loadgen::CsvRecorder>> csv_recorders;
  std::vector<std::unique_ptr<loadgen::TeeRecorder>> tees;
  std::vector<loadgen::TargetId> ids;

  // SIGTERM (a container stopping, timeout(1)) ends the run like Ctrl-C: the summary is printed
  // and the CSV file flushed, instead of the process dying with its rows in memory.
  struct sigaction action = {};
  struct sigaction previous = {};
  struct sigaction previous_term = {};
  action.sa_handler = OnInterrupt;
  sigemptyset(&action.sa_mask);
  g_interrupted = false;
  sigaction(SIGINT, &action, &previous);
  sigaction(SIGTERM, &action, &previous_term);

  const bool progress = isatty(STDERR_FILENO) != 0;
  Clock::time_point start;
  Clock::time_point end;
  {
    loadgen::Engine engine(loadgen::EngineOptions{
        .threads = setup.threads, .on_warning = [](const std::string& warning) {
          std::fprintf(stderr, "infercost bench: %s\n", warning.c_str());
        }});
    std::vector<loadgen::TargetPlan> shards = Shards(setup);
    start = Clock::now();
    for (loadgen::TargetPlan& plan : shards) {
      stat_recorders.push_back(std::make_unique<loadgen::StatsRecorder>(&stats));
      loadgen::Recorder* recorder = stat_recorders.back().get();
      if (csv != nullptr) {
        csv_recorders.push_back(std::make_unique<loadgen::CsvRecorder>(csv, "bench"));
        tees.push_back(
            std::make_unique<loadgen::TeeRecorder>(recorder, csv_recorders.back().get()));
        recorder = tees.back().get();
      }
      ids.push_back(engine.Add(std::move(plan), recorder));
    }
    // A --duration run ends on time; requests still out then get their timeout, and a little
    // grace, before they are aborted (and reported as timeouts).
    const std::optional<Clock::time_point> hard_stop =
        setup.duration
            ? std::optional(start + *setup.duration + setup.request.timeout + kOverrunGrace)
            : std::nullopt;
    Clock::time_point next_progress = start + kBenchProgressInterval;
    for (loadgen::TargetId id : ids) {
      while (!engine.WaitFinished(id, milliseconds(100))) {
        const Clock::time_point now = Clock::now();
        if (g_interrupted.load()) {
          run.interrupted = true;
          break;
        }
        if (hard_stop && now >= *hard_stop) {
          run.overran = true;
          break;
        }
        if (progress && now >= next_progress) {
          PrintProgress(stats, start);
          next_progress = now + kBenchProgressInterval;
        }
      }
      if (run.interrupted || run.overran) break;
    }
    end = Clock::now();
    // Remove() drains what is left (nothing, on a normal end) and guarantees the workers no
    // longer touch the recorders.
    const nanoseconds drain = run.interrupted ? kInterruptDrain : nanoseconds(0);
    for (loadgen::TargetId id : ids) engine.Remove(id, drain);
    if (run.interrupted || run.overran) end = Clock::now();
  }
  sigaction(SIGINT, &previous, nullptr);
  sigaction(SIGTERM, &previous_term, nullptr);
  if (progress) std::fputs("\r\033[K", stderr);

  for (auto& r : stat_recorders) r->Flush(end, 0);
  for (auto& r : csv_recorders) run.csv_ok = r->Close() && run.csv_ok;
  if (csv != nullptr) run.csv_ok = csv->Close() && run.csv_ok;
  run.snapshot = stats.Snapshot(end);
  run.elapsed_s = duration<double>(end - start).count();
  return run;
}

}  // namespace

int RunBench(int argc, char** argv) {
  CLI::App app{"One-shot load test of one URL, with the seed's summary and cost per 1M.", argv[0]};
  Flags flags;
  AddFlags(app, flags);
  if (const std::optional<int> code = ParseFlags(app, argc, argv)) return *code;
  BenchSetup setup;
  if (std::string error = Build(flags, &setup); !error.empty()) {
    return UsageError(argv[0], error);
  }

  // A --csv that cannot be written is bad usage, said before any key is fetched.
  std::shared_ptr<loadgen::CsvFile> csv;
  if (!flags.csv.empty()) {
    std::string error;
    csv = loadgen::CsvFile::Open(flags.csv, &error);
    if (csv == nullptr) return UsageError(argv[0], error);
  }
  // Connections: the concurrency, or for --rate the --max-in-flight given (1,024 kept alive when
  // not given; beyond the limit, requests fail as connect_error, counted and said once).
  const int connections =
      setup.open_loop ? (flags.max_in_flight ? setup.max_in_flight : 1024) : setup.concurrency;
  if (const std::string error = loadgen::EnsureDescriptors(
          static_cast<uint64_t>(connections) + kBenchOwnDescriptors +
          loadgen::kDescriptorsPerWorker * static_cast<uint64_t>(setup.threads));
      !error.empty()) {
    return UsageError(argv[0], error);
  }
  loadgen::GlobalInit();
  // Holds the refreshers of the AWS keys for as long as the run lasts.
  CredentialsPool credentials;
  if (flags.aws.Any()) {
    if (const std::string error =
            PrepareBenchAws(flags.aws, &credentials, &setup.request, &setup.target);
        !error.empty()) {
      std::fprintf(stderr, "%s: %s\n", argv[0], error.c_str());
      return kExitFailure;
    }
  }

  if (!flags.image_dir.empty()) std::printf("Found %zu images for testing.\n", setup.payload_count);
  if (setup.open_loop) {
    std::printf("Starting test for %s with rate: %g req/s...\n",
                RedactUrl(setup.request.url).c_str(), setup.rate);
  } else {
    std::printf("Starting test for %s with concurrency: %d...\n",
                RedactUrl(setup.request.url).c_str(), setup.concurrency);
  }
  std::fflush(stdout);

  const BenchRun run = RunLoad(setup, csv);
  if (csv != nullptr) {
    if (run.csv_ok) {
      std::printf("Raw data saved to: %s\n", flags.csv.c_str());
    } else {
      std::fprintf(stderr, "%s: %s\n", argv[0], csv->error().c_str());
    }
  }
  const loadgen::StatsSnapshot& snapshot = run.snapshot;
  PrintSummary(flags, setup, snapshot, run.elapsed_s);
  std::fflush(stdout);
  if (run.interrupted) {
    std::fprintf(stderr, "%s: interrupted; the summary covers the requests sent so far\n", argv[0]);
    return kExitFailure;
  }
  if (run.overran) {
    std::fprintf(stderr, "%s: requests were still running long after the end; they were aborted\n",
                 argv[0]);
  }
  if (snapshot.total.Requests() > 0 && snapshot.total.Ok() == 0) {
    std::fprintf(stderr, "%s: no request succeeded\n", argv[0]);
    return kExitFailure;
  }
  return run.csv_ok ? kExitOk : kExitFailure;
}

}  // namespace infercost
