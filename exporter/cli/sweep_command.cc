// `infercost sweep`: steps every target through concurrency levels (or rates), finds where each
// saturates and what it costs there, and writes the report into --out. Without --config it sweeps
// the embedded emulated AWS fleet, started in-process on loopback.
//
// Threads: the main thread parses, plans and, at the end, analyses and writes. SweepRunner runs
// the targets (see sweep_runner.h); a progress thread redraws the status on a terminal; a signal
// thread turns SIGINT/SIGTERM into a stop request, after which the report covers what was
// measured.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "cli/commands.h"
#include "common/duration.h"
#include "config/config.h"
#include "cost/cost.h"
#include "emulator/emulator.h"
#include "loadgen/engine.h"
#include "sweep/analysis.h"
#include "sweep/report.h"
#include "sweep/runner.h"

namespace infercost {
namespace {

using std::chrono::nanoseconds;

constexpr int kWindowsPerStep = 10;
constexpr int kBootstrapSamples = 1000;
constexpr int kBurstConcurrency = 8;
constexpr int kMaxConcurrency = 10000;
// The spend estimate for closed-loop Lambda steps counts requests as if each took this long: a
// floor under MobileNetV2's warm latency, so the estimate is an upper bound.
constexpr double kAssumedMinLatencySeconds = 0.1;
// Open-loop and cold-start requests are priced as if each ran this long (an upper bound for
// MobileNetV2, well above its warm duration; a cold start's init included).
constexpr double kAssumedMaxBilledSeconds = 10.0;

struct Flags {
  std::string config;
  std::string concurrency = "1,2,4,8,16,32,64";
  std::string rates;
  std::string step = "30s";
  // Long enough for a serverless target to finish the cold starts of a step's new instances
  // (the emulated Lambda's init is 3 s at the median, about 8 s at p95).
  std::string warmup = "10s";
  std::string slo_p95;
  std::optional<double> traffic;
  std::string traffic_profile;
  double max_spend = 5.0;
  bool yes = false;
  bool serial = false;
  bool cold_starts = false;
  std::string idle_gaps = "1m,5m,10m,15m,30m";
  std::string out = "sweep-report";
  std::optional<double> time_scale;
  uint64_t seed = 1;
};

std::vector<std::string> Split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return parts;
}

std::optional<double> ParsePositive(const std::string& text) {
  try {
    std::size_t used = 0;
    const double value = std::stod(text, &used);
    if (used != text.size() || !std::isfinite(value) || value <= 0) return std::nullopt;
    return value;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// "1,2,4": positive numbers in increasing order (the plateau rule reads them as growing load).
std::optional<std::vector<double>> ParseLevels(const std::string& flag, const std::string& text,
                                               bool integers, std::string* error) {
  std::vector<double> levels;
  for (const std::string& part : Split(text, ',')) {
    const std::optional<double> value = ParsePositive(part);
    if (!value || (integers && (*value != std::floor(*value) || *value > kMaxConcurrency))) {
      *error = flag + ": '" + part + "' is not " +
               (integers ? "a whole number from 1 to " + std::to_string(kMaxConcurrency)
                         : std::string("a positive number"));
      return std::nullopt;
    }
    if (!levels.empty() && *value <= levels.back()) {
      *error =
          flag + ": levels must increase (" + part + " after " + FormatLevel(levels.back()) + ")";
      return std::nullopt;
    }
    levels.push_back(*value);
  }
  return levels;
}

std::optional<nanoseconds> ParseFlagDuration(const std::string& flag, const std::string& text,
                                             bool allow_zero, std::string* error) {
  const std::optional<nanoseconds> value = ParseDuration(text);
  if (!value || *value < nanoseconds(0) || (!allow_zero && *value == nanoseconds(0))) {
    *error = flag + ": '" + text + "' is not a " + (allow_zero ? "" : "positive ") +
             "duration (examples: 500ms, 30s, 5m)";
    return std::nullopt;
  }
  return value;
}

double Seconds(nanoseconds d) { return static_cast<double>(d.count()) / 1e9; }

std::string CommandLine(int argc, char** argv) {
  std::string line = "infercost sweep";
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.find_first_of(" '\"$") != std::string::npos) arg = "'" + arg + "'";
    line += " " + arg;
  }
  return line;
}

std::string UtcNow() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

// The configured fleet with its prices resolved, or the reason it cannot be swept.
struct Fleet {
  std::unique_ptr<emulator::Emulator> emulator;  // the embedded fleet's, else null
  Config config;
  Catalog catalog;
  std::vector<ResolvedPricing> pricing;  // by target
  std::string description;
};

int LoadFleet(const Flags& flags, const char* program, Fleet* fleet) {
  ConfigResult parsed;
  if (flags.config.empty()) {
    emulator::Options options;
    options.time_scale = flags.time_scale.value_or(1.0);
    options.seed = flags.seed;
    std::string error;
    emulator::StartFailure failure{};
    fleet->emulator = emulator::Emulator::Start(options, &error, &failure);
    if (!fleet->emulator) {
      std::fprintf(stderr, "%s: cannot start the embedded emulator: %s\n", program, error.c_str());
      return failure == emulator::StartFailure::kCannotListen ? kExitFailure : kExitUsage;
    }
    const std::string base = fleet->emulator->BaseUrl();
    const EnvLookup process = ProcessEnv();
    const EnvLookup env = [&](const std::string& name) -> std::optional<std::string> {
      if (name == kEmulatorUrlVariable) return base;
      return process(name);
    };
    parsed = ParseConfig(std::string(EmbeddedDefaultConfig()),
                         std::string(kEmbeddedDefaultConfigName), env);
    fleet->description = "the embedded emulated AWS fleet (" + base + ")";
  } else {
    parsed = LoadConfigFile(flags.config, ProcessEnv());
    fleet->description = flags.config;
  }
  if (!parsed.config) {
    for (const ConfigError& error : parsed.errors) {
      std::fprintf(stderr, "%s\n", error.ToString().c_str());
    }
    return kExitUsage;
  }
  fleet->config = std::move(*parsed.config);
  if (fleet->config.targets.empty()) {
    std::fprintf(stderr, "%s: %s has no targets to sweep\n", program, fleet->description.c_str());
    return kExitUsage;
  }
  if (fleet->config.prices_file.empty()) {
    fleet->catalog = BuiltinCatalog();
  } else {
    CatalogResult catalog = LoadCatalogOverrides(fleet->config.prices_file);
    if (!catalog.catalog) {
      std::fprintf(stderr, "%s\n", catalog.error.c_str());
      return kExitUsage;
    }
    fleet->catalog = std::move(*catalog.catalog);
  }
  for (const TargetConfig& target : fleet->config.targets) {
    ResolveResult resolved = Resolve(target.pricing, fleet->catalog);
    if (!resolved.pricing) {
      std::fprintf(stderr, "%s: target %s: %s\n", program, target.name.c_str(),
                   resolved.error.c_str());
      return kExitUsage;
    }
    fleet->pricing.push_back(std::move(*resolved.pricing));
  }
  return kExitOk;
}

// An upper bound of what one target's part of the sweep costs on the real platform.
double EstimateSpendUsd(const SweepTarget& target, const SweepPlan& plan) {
  const double per_level_s = Seconds(plan.warmup + plan.step);
  const double sweep_s = per_level_s * static_cast<double>(plan.levels.size());
  Usage usage;
  usage.elapsed_seconds = sweep_s;
  if (!IsServerless(target.pricing)) {
    // Flat out the whole time: utilisation 1, so burstable surplus credits are included.
    usage.ok = usage.requests = usage.billable_requests = 1'000'000;
    usage.capacity_ips = static_cast<double>(usage.ok) / sweep_s;
    return ComputeCost(target.pricing, usage).TotalUsd();
  }
  double requests = 0;
  double billed_s = 0;
  for (double level : plan.levels) {
    if (plan.axis == LoadAxis::kConcurrency) {
      requests += level * per_level_s / kAssumedMinLatencySeconds;
      billed_s += level * per_level_s;  // every client's request running all the time
    } else {
      requests += level * per_level_s;
      billed_s += level * per_level_s * kAssumedMaxBilledSeconds;
    }
  }
  if (!plan.idle_gaps.empty()) {
    // A warm-up burst and one per gap, each holding burst_concurrency requests for the warm-up
    // time (see SweepRunner), the first wave of each possibly cold.
    const double bursts = static_cast<double>(plan.idle_gaps.size() + 1);
    const double hold_s = Seconds(plan.warmup > nanoseconds(0) ? plan.warmup : plan.step);
    requests += bursts * plan.burst_concurrency * hold_s / kAssumedMinLatencySeconds;
    billed_s += bursts * plan.burst_concurrency * (hold_s + kAssumedMaxBilledSeconds);
    usage.elapsed_seconds += bursts * hold_s;
    for (nanoseconds gap : plan.idle_gaps) usage.elapsed_seconds += Seconds(gap);
  }
  usage.ok = usage.requests = usage.billable_requests = static_cast<uint64_t>(std::ceil(requests));
  usage.billed_ms = static_cast<uint64_t>(std::ceil(billed_s * 1000));
  return ComputeCost(target.pricing, usage).TotalUsd();
}

// Progress: on a terminal, a status block redrawn in place with finished steps scrolling above
// it; otherwise one plain line per finished step. Thread-safe.
class Progress {
 public:
  explicit Progress(bool terminal) : terminal_(terminal) {}

  void Event(const std::string& line) {
    std::lock_guard<std::mutex> lock(mu_);
    if (terminal_) {
      pending_.push_back(line);
    } else {
      std::printf("%s\n", line.c_str());
      std::fflush(stdout);
    }
  }

  // Redraws the block (terminal only): erase the last one, print new events, draw the status.
  void Draw(const std::vector<LiveStatus>& live) {
    if (!terminal_) return;
    std::lock_guard<std::mutex> lock(mu_);
    std::string out;
    if (drawn_lines_ > 0) out += "\x1b[" + std::to_string(drawn_lines_) + "F\x1b[J";
    for (const std::string& line : pending_) out += line + "\n";
    pending_.clear();
    drawn_lines_ = 0;
    for (const LiveStatus& s : live) {
      char line[256];
      std::string clock = FormatNumber(s.phase_elapsed_s, 2) + "s";
      if (s.phase_length_s > 0) clock += "/" + FormatNumber(s.phase_length_s, 2) + "s";
      std::snprintf(line, sizeof line, "  %-20.20s %-44.44s %-14s %s\n", s.target.c_str(),
                    s.phase.c_str(), s.done ? "" : clock.c_str(),
                    s.ips > 0 ? (FormatNumber(s.ips) + " IPS").c_str() : "");
      out += line;
      ++drawn_lines_;
    }
    std::fputs(out.c_str(), stdout);
    std::fflush(stdout);
  }

 private:
  const bool terminal_;
  std::mutex mu_;
  std::vector<std::string> pending_;
  int drawn_lines_ = 0;
};

}  // namespace

int RunSweep(int argc, char** argv) {
  const char* program = argv[0];
  Flags flags;
  CLI::App app{
      "Step each target through concurrency levels (or rates), find its saturation point and "
      "write a cost report: report.md, results.csv, SVG charts and index.html.",
      argv[0]};
  app.add_option("--config", flags.config,
                 "config file (default: the embedded emulated AWS fleet, started in-process)");
  auto* concurrency = app.add_option("--concurrency", flags.concurrency,
                                     "closed-loop levels, increasing, comma-separated")
                          ->capture_default_str();
  app.add_option("--rates", flags.rates,
                 "open-loop levels instead (requests/s, Poisson arrivals), comma-separated")
      ->excludes(concurrency);
  app.add_option("--step", flags.step, "measured time per level (after the warm-up)")
      ->capture_default_str();
  app.add_option("--warmup", flags.warmup, "unmeasured time at each level before the step")
      ->capture_default_str();
  app.add_option("--slo-p95", flags.slo_p95,
                 "latency objective: p95 of successful requests (default: each target's slo_p95)");
  auto* traffic_flag =
      app.add_option("--traffic", flags.traffic,
                     "requests/s to plan for: instances, monthly cost, cheapest option");
  app.add_option("--traffic-profile", flags.traffic_profile,
                 "PEAK:AVERAGE requests/s: instances sized for the peak, per-request prices paid "
                 "on the average")
      ->excludes(traffic_flag);
  app.add_option("--max-spend", flags.max_spend,
                 "refuse to start when the estimated cost on the real platforms is above this "
                 "(USD)")
      ->capture_default_str();
  app.add_flag("--yes", flags.yes, "start even above --max-spend");
  app.add_flag("--serial", flags.serial, "one target after another (default: all in parallel)");
  app.add_flag("--cold-starts", flags.cold_starts,
               "on serverless targets: idle gaps, each followed by a burst holding " +
                   std::to_string(kBurstConcurrency) + " requests in flight for the warm-up time");
  app.add_option("--idle-gaps", flags.idle_gaps, "idle gaps of --cold-starts, increasing")
      ->capture_default_str();
  app.add_option("--out", flags.out, "directory for the report")->capture_default_str();
  app.add_option("--time-scale", flags.time_scale,
                 "embedded fleet only: emulated seconds per wall second; durations are in "
                 "emulated time");
  app.add_option("--seed", flags.seed, "seed of the arrival schedules and the bootstrap")
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }

  // --- flags ------------------------------------------------------------------------------------
  auto usage_error = [&](const std::string& message) {
    std::fprintf(stderr, "%s: %s\n", program, message.c_str());
    return kExitUsage;
  };
  std::string error;
  if (flags.time_scale && !flags.config.empty()) {
    return usage_error(
        "--time-scale applies to the embedded emulated fleet only; drop it or drop --config");
  }
  if (flags.time_scale && !(*flags.time_scale > 0 && std::isfinite(*flags.time_scale))) {
    return usage_error("--time-scale must be a positive number");
  }
  SweepPlan plan;
  plan.time_scale = flags.time_scale.value_or(1.0);
  plan.seed = flags.seed;
  plan.parallel = !flags.serial;
  plan.windows_per_step = kWindowsPerStep;
  plan.burst_concurrency = kBurstConcurrency;
  plan.axis = flags.rates.empty() ? LoadAxis::kConcurrency : LoadAxis::kRate;
  const std::optional<std::vector<double>> levels =
      plan.axis == LoadAxis::kConcurrency
          ? ParseLevels("--concurrency", flags.concurrency, true, &error)
          : ParseLevels("--rates", flags.rates, false, &error);
  if (!levels) return usage_error(error);
  plan.levels = *levels;
  const std::optional<nanoseconds> step_length =
      ParseFlagDuration("--step", flags.step, false, &error);
  if (!step_length) return usage_error(error);
  const std::optional<nanoseconds> warmup =
      ParseFlagDuration("--warmup", flags.warmup, true, &error);
  if (!warmup) return usage_error(error);
  plan.step = *step_length;
  plan.warmup = *warmup;
  // A window must hold at least a millisecond of wall time, or its timing means nothing.
  if (Seconds(plan.step) / plan.time_scale / kWindowsPerStep < 0.001) {
    return usage_error("--step " + flags.step + " is too short at time scale " +
                       FormatNumber(plan.time_scale) + ": each step needs at least " +
                       FormatNumber(0.001 * kWindowsPerStep * plan.time_scale) + " s");
  }
  std::optional<double> slo_s;
  if (!flags.slo_p95.empty()) {
    const std::optional<nanoseconds> slo =
        ParseFlagDuration("--slo-p95", flags.slo_p95, false, &error);
    if (!slo) return usage_error(error);
    slo_s = Seconds(*slo);
  }
  std::optional<TrafficProfile> traffic;
  if (flags.traffic) {
    if (!(*flags.traffic > 0) || !std::isfinite(*flags.traffic)) {
      return usage_error("--traffic must be a positive number of requests/s");
    }
    traffic = TrafficProfile{*flags.traffic, *flags.traffic};
  }
  if (!flags.traffic_profile.empty()) {
    const std::vector<std::string> parts = Split(flags.traffic_profile, ':');
    const std::optional<double> peak = parts.size() == 2 ? ParsePositive(parts[0]) : std::nullopt;
    const std::optional<double> average =
        parts.size() == 2 ? ParsePositive(parts[1]) : std::nullopt;
    if (!peak || !average || *peak < *average) {
      return usage_error("--traffic-profile: '" + flags.traffic_profile +
                         "' is not PEAK:AVERAGE with 0 < AVERAGE <= PEAK (example: 50:20)");
    }
    traffic = TrafficProfile{*peak, *average};
  }
  if (!(flags.max_spend >= 0) || !std::isfinite(flags.max_spend)) {
    return usage_error("--max-spend must be a number of US dollars, 0 or more");
  }
  if (flags.cold_starts) {
    for (const std::string& part : Split(flags.idle_gaps, ',')) {
      const std::optional<nanoseconds> gap = ParseFlagDuration("--idle-gaps", part, false, &error);
      if (!gap) return usage_error(error);
      if (!plan.idle_gaps.empty() && *gap <= plan.idle_gaps.back()) {
        return usage_error("--idle-gaps must increase (" + part + " after " +
                           FormatDuration(plan.idle_gaps.back()) + ")");
      }
      plan.idle_gaps.push_back(*gap);
    }
  }

  // Block the stop signals before any thread starts, so that only the signal thread sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  // --- fleet ------------------------------------------------------------------------------------
  Fleet fleet;
  if (const int code = LoadFleet(flags, program, &fleet); code != kExitOk) return code;
  const bool emulated = fleet.emulator != nullptr;
  plan.engine_threads = emulated ? 2 : std::max(1, fleet.config.threads);
  std::vector<SweepTarget> targets;
  std::optional<double> common_slo = slo_s;
  bool slo_differs = false;
  for (std::size_t i = 0; i < fleet.config.targets.size(); ++i) {
    const TargetConfig& config = fleet.config.targets[i];
    SweepTarget target;
    target.name = config.name;
    target.request = config.request;
    if (emulated && target.request.cold_start.latency_above) {
      // The heuristic is stated in real time; the emulator answers time_scale times faster.
      target.request.cold_start.latency_above = nanoseconds(static_cast<int64_t>(
          static_cast<double>(target.request.cold_start.latency_above->count()) / plan.time_scale));
    }
    target.pricing = fleet.pricing[i];
    target.spend_limit_usd = emulated ? std::nullopt : config.spend_limit_usd;
    target.max_in_flight = config.load.max_in_flight;
    target.criteria.slo_p95_s =
        slo_s ? slo_s
              : (config.slo_p95 ? std::optional<double>(Seconds(*config.slo_p95)) : std::nullopt);
    if (!slo_s && i > 0 && target.criteria.slo_p95_s != targets.front().criteria.slo_p95_s) {
      slo_differs = true;
    }
    targets.push_back(std::move(target));
  }
  if (!slo_s && !slo_differs) common_slo = targets.front().criteria.slo_p95_s;
  if (flags.cold_starts && std::none_of(targets.begin(), targets.end(), [](const SweepTarget& t) {
        return IsServerless(t.pricing);
      })) {
    std::fprintf(stderr, "%s: --cold-starts: no serverless target in %s; nothing to idle\n",
                 program, fleet.description.c_str());
  }

  // --- plan, time and spend ---------------------------------------------------------------------
  const bool terminal = isatty(STDOUT_FILENO) == 1;
  Progress progress(terminal);
  SweepRunner runner(plan, targets, [&progress](const std::string& line) { progress.Event(line); });
  double estimate = 0;
  std::string breakdown;
  for (const SweepTarget& target : targets) {
    const double usd = EstimateSpendUsd(target, plan);
    estimate += usd;
    breakdown += (breakdown.empty() ? "" : ", ") + target.name + " " + FormatUsd(usd);
  }
  std::string levels_text;
  for (double level : plan.levels) {
    levels_text += (levels_text.empty() ? "" : ",") + FormatLevel(level);
  }
  std::printf("infercost sweep: %zu targets of %s\n", targets.size(), fleet.description.c_str());
  std::printf("  %s %s, %s per step after %s warm-up, %s%s\n",
              plan.axis == LoadAxis::kConcurrency ? "concurrency" : "rates (req/s)",
              levels_text.c_str(), FormatDuration(plan.step).c_str(),
              FormatDuration(plan.warmup).c_str(),
              plan.parallel ? "targets in parallel" : "one target after another",
              plan.idle_gaps.empty() ? "" : ", then idle gaps on serverless targets");
  const nanoseconds wall = runner.PlannedWallTime();
  std::printf("  time: at most %s%s\n",
              FormatDuration(std::chrono::ceil<std::chrono::seconds>(wall)).c_str(),
              plan.time_scale != 1
                  ? (" of wall time at time scale " + FormatNumber(plan.time_scale)).c_str()
                  : "");
  std::printf("  estimated cost on the real platforms: at most %s (%s)%s\n",
              FormatUsd(estimate).c_str(), breakdown.c_str(),
              emulated ? "; emulated, so nothing is charged" : "");
  std::fflush(stdout);
  if (!emulated && estimate > flags.max_spend && !flags.yes) {
    std::fprintf(stderr,
                 "%s: refusing to start: the estimated cost %s is above --max-spend %s; raise "
                 "--max-spend or pass --yes\n",
                 program, FormatUsd(estimate).c_str(), FormatUsd(flags.max_spend).c_str());
    return kExitUsage;
  }

  // --- run
  // ----------------------------------------------------------------------------------------
  loadgen::GlobalInit();
  std::stop_source stop_source;
  std::atomic<bool> finished{false};
  std::jthread signals([&] {
    const timespec poll{0, 200'000'000};
    while (!finished.load()) {
      if (sigtimedwait(&stop_signals, nullptr, &poll) > 0) {
        progress.Event("stopping: writing the report of what was measured so far");
        stop_source.request_stop();
        return;
      }
    }
  });
  std::jthread drawer;
  if (terminal) {
    drawer = std::jthread([&] {
      while (!finished.load()) {
        progress.Draw(runner.Live());
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
      }
    });
  }
  const auto started = std::chrono::steady_clock::now();
  const std::string started_utc = UtcNow();
  std::vector<TargetMeasurement> measured = runner.Run(stop_source.get_token());
  finished.store(true);
  if (drawer.joinable()) drawer.join();
  progress.Draw(runner.Live());
  signals.join();
  const double wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  // --- analysis and report ----------------------------------------------------------------------
  SweepReport report;
  report.catalog = fleet.catalog;
  SweepMethod& method = report.method;
  method.fleet = fleet.description;
  method.fleet_emulated = emulated;
  method.axis = plan.axis;
  method.levels = plan.levels;
  method.step_seconds = Seconds(plan.step);
  method.warmup_seconds = Seconds(plan.warmup);
  method.windows_per_step = kWindowsPerStep;
  method.bootstrap_samples = kBootstrapSamples;
  method.seed = plan.seed;
  method.time_scale = plan.time_scale;
  method.parallel = plan.parallel;
  method.criteria.slo_p95_s = common_slo;
  for (nanoseconds gap : plan.idle_gaps) method.idle_gaps_seconds.push_back(Seconds(gap));
  method.burst_concurrency = plan.burst_concurrency;
  method.command_line = CommandLine(argc, argv);
  method.started_utc = started_utc;
  method.wall_seconds = wall_seconds;
  bool anything_answered = false;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    SummaryOptions options;
    options.time_scale = plan.time_scale;
    options.bootstrap_samples = kBootstrapSamples;
    options.seed = plan.seed;
    options.criteria = targets[i].criteria;
    report.targets.push_back(AnalyzeTarget(targets[i].name, targets[i].pricing, plan.axis,
                                           measured[i].steps, measured[i].stop, options, i + 1));
    for (const StepResult& step : report.targets.back().steps) {
      method.spend_usd += step.spend_usd * (1.0 + method.warmup_seconds / method.step_seconds);
      anything_answered = anything_answered || step.requests > 0;
    }
  }
  report.recommendation = Recommend(report.targets, traffic, common_slo);
  for (std::size_t i = 0; i < targets.size(); ++i) {
    if (measured[i].idle_gaps.empty()) continue;
    report.cold_starts.push_back(AnalyzeColdStarts(
        report.targets[i], fleet.catalog, measured[i].idle_gaps, traffic, plan.time_scale));
  }
  const WrittenReport written = WriteSweepReport(report, flags.out);
  if (!written.error.empty()) {
    std::fprintf(stderr, "%s: %s\n", program, written.error.c_str());
    return kExitFailure;
  }
  std::printf("\nRecommendation: %s\n", report.recommendation.sentence.c_str());
  std::printf("Report: %s/index.html (with report.md, results.csv and the charts beside it)\n",
              flags.out.c_str());
  if (stop_source.stop_requested()) {
    std::fprintf(stderr, "%s: interrupted; the report covers the steps that finished\n", program);
    return kExitFailure;
  }
  if (!anything_answered) {
    std::fprintf(stderr, "%s: no target answered a single request; is %s reachable?\n", program,
                 fleet.description.c_str());
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace infercost
