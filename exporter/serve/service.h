// The long-running service behind `infercost serve`: it runs every configured target on the load
// engine, turns the engine's snapshots into metrics and cost once per tick, and applies reloads.
//
// Threads: the engine's workers (they only touch loadgen recorders); one updater thread owned by
// Service (std::jthread) that reads snapshots, writes prometheus-cpp series and the target
// views; the HTTP server's threads, which read Exposition() and Views(); and the caller of
// Apply()/Stop() (the command's main thread). A mutex serialises the updater with Apply(); views
// are copied out under it. The exposition is serialized by the first scrape after a change,
// outside that mutex (serve/exposition.h), and handed out as an immutable shared string.
#ifndef INFERCOST_SERVE_SERVICE_H_
#define INFERCOST_SERVE_SERVICE_H_

#include <prometheus/metric_family.h>
#include <prometheus/registry.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aws/credentials.h"
#include "config/config.h"
#include "serve/aws_targets.h"
#include "serve/target_figures.h"

namespace infercost {

// One target as the landing page and /api/v1/targets show it: who it is, the prices in force and
// its latest figures. A plain value: the web module renders it.
struct TargetView {
  std::string name;
  std::string kind;  // http, lambda, lambda_url, sagemaker
  std::string url;   // secrets redacted
  std::string platform;
  std::string pricing_model;
  std::string instance_type;
  ResolvedPricing pricing;  // the prices in force
  std::optional<double> budget_usd_per_million;
  std::optional<double> spend_limit_usd;
  TargetFigures figures;
};

// When the updater's next tick is due: the first moment after `now` that is three quarters of a
// tick past a multiple of `tick` since the clock's epoch. The engine publishes each target's
// figures in the first half of each tick on the same grid (MakeStatsOptions), so a tick reads
// exactly one new publish from every target, and ticks keep their period whatever each one
// takes: a scraper on a steady interval sees the counters move by one step per scrape, not by
// none and then two. A tick that overran skips the moments it missed.
std::chrono::steady_clock::time_point NextTick(std::chrono::steady_clock::time_point now,
                                               std::chrono::nanoseconds tick);

struct ServiceOptions {
  std::chrono::nanoseconds tick = std::chrono::seconds(1);
  std::chrono::nanoseconds drain = std::chrono::seconds(10);  // shutdown bound for in-flight
  // Target seconds per wall-clock second: F for the embedded emulated fleet under
  // `--time-scale F`, whose clock runs F times faster. Latencies, IPS, the window's length and
  // spend are then reported on the emulator's clock, so that the figures (and $/1M) are those
  // of the platform being emulated; schedule lag, the generator's own, stays real.
  double time_scale = 1.0;
  // Where AWS credential sources and endpoints read the environment; empty: the process's.
  aws::Environment aws_environment;
  // Descriptors the process needs besides the targets' connections, counted with them against
  // RLIMIT_NOFILE at every Apply: the HTTP server's connections and listening socket, CSV files,
  // credential fetches, stdio. Set it to the HTTP server's connection limit plus a margin.
  uint64_t own_descriptors = 256;
  // Tests only: called by the updater thread before each of its ticks; what it throws is what a
  // failing tick throws.
  std::function<void()> before_tick;
};

class Service {
 public:
  explicit Service(ServiceOptions options = {});
  ~Service();  // Stop()
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Applies a validated config: the first call starts the targets, later calls reload. Targets
  // that stay keep their counters and histograms (their load restarts only if its definition
  // changed), removed targets' series disappear, added ones start at zero. Everything that can
  // fail (payload files, prices, CSV files) is prepared first: on any error nothing changes and
  // the errors are returned, as is a config whose connections (with the process's own
  // descriptors) exceed the open-file limit even once its soft limit is raised to the hard one.
  // Also sets the reload gauges. Refused with an error once Stop() has
  // begun (a reload racing with shutdown).
  std::vector<std::string> Apply(const Config& config);
  // Records a reload that failed before Apply (a config that did not parse).
  void RecordReloadFailure();

  // Stops scheduling, drains in-flight requests (bounded), publishes the last figures and
  // flushes CSV files. Idempotent.
  void Stop();

  // Every infercost_* family: the registry's and the windowed latency summaries.
  std::vector<prometheus::MetricFamily> Collect() const;
  // Collect() in the Prometheus text format as of the last change (tick, apply, failed reload):
  // what /metrics serves. The first caller after a change serializes it (never during a tick's
  // updates); later callers share that text until the next change. Never null.
  std::shared_ptr<const std::string> Exposition() const;
  std::vector<TargetView> Views() const;
  // True once the first tick has computed figures (what /-/ready reports).
  bool Ready() const;

  // One update, normally from the updater thread; public for tests that drive it.
  void Tick();

 private:
  class Impl;
  ServiceOptions options_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace infercost

#endif  // INFERCOST_SERVE_SERVICE_H_
