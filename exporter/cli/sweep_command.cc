// `infercost sweep`: steps every target through concurrency levels (or rates), finds where each
// saturates and what it costs there, and writes the report into --out. Without --config it sweeps
// the embedded emulated AWS fleet, started in-process on loopback.
//
// This file is the wiring: flags -> SweepOptions, the fleet's config (starting the emulator for
// the embedded default), then sweep/: PlanSweep -> SweepRunner -> AnalyzeSweep ->
// WriteSweepReport. Threads: the main thread parses, plans and, at the end, analyses and writes.
// SweepRunner runs the targets (see sweep/runner.h); a progress thread redraws the status on a
// terminal; a signal thread turns SIGINT/SIGTERM into a stop request, after which the report
// covers what was measured.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "cli/commands.h"
#include "cli/flags.h"
#include "common/duration.h"
#include "config/config.h"
#include "cost/cost.h"
#include "emulator/emulator.h"
#include "loadgen/engine.h"
#include "serve/aws_targets.h"
#include "sweep/analysis.h"
#include "sweep/plan.h"
#include "sweep/progress.h"
#include "sweep/report.h"
#include "sweep/results.h"
#include "sweep/runner.h"

namespace infercost {
namespace {

using std::chrono::nanoseconds;

constexpr int kMaxConcurrency = 10000;

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

void AddFlags(CLI::App& app, Flags& flags) {
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
      ->capture_default_str()
      ->check(NumberCheck(NumberBound::kZeroOrMore));
}

// "1,2,4": positive numbers in increasing order (the plateau rule reads them as growing load).
std::optional<std::vector<double>> ParseLevels(const std::string& flag, const std::string& text,
                                               bool integers, std::string* error) {
  std::vector<double> levels;
  for (const std::string& part : SplitList(text)) {
    const std::optional<double> value = ParsePositiveNumber(part);
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

std::optional<std::vector<nanoseconds>> ParseIdleGaps(const std::string& text, std::string* error) {
  std::vector<nanoseconds> gaps;
  for (const std::string& part : SplitList(text)) {
    const std::optional<nanoseconds> gap =
        ParseDurationFlag("--idle-gaps", part, DurationBound::kPositive, error);
    if (!gap) return std::nullopt;
    if (!gaps.empty() && *gap <= gaps.back()) {
      *error = "--idle-gaps: gaps must increase (" + part + " after " +
               FormatDuration(gaps.back()) + ")";
      return std::nullopt;
    }
    gaps.push_back(*gap);
  }
  return gaps;
}

// --traffic R or --traffic-profile PEAK:AVERAGE; nullopt without either. Sets `error` when bad.
std::optional<TrafficProfile> ParseTraffic(const Flags& flags, std::string* error) {
  if (flags.traffic) {
    if (!(*flags.traffic > 0) || !std::isfinite(*flags.traffic)) {
      *error = "--traffic must be a positive number of requests/s";
      return std::nullopt;
    }
    return TrafficProfile{*flags.traffic, *flags.traffic};
  }
  if (flags.traffic_profile.empty()) return std::nullopt;
  const std::vector<std::string> parts = SplitList(flags.traffic_profile, ':');
  const std::optional<double> peak =
      parts.size() == 2 ? ParsePositiveNumber(parts[0]) : std::nullopt;
  const std::optional<double> average =
      parts.size() == 2 ? ParsePositiveNumber(parts[1]) : std::nullopt;
  if (!peak || !average || *peak < *average) {
    *error = "--traffic-profile: '" + flags.traffic_profile +
             "' is not PEAK:AVERAGE with 0 < AVERAGE <= PEAK (example: 50:20)";
    return std::nullopt;
  }
  return TrafficProfile{*peak, *average};
}

// The flags that shape the plan -> SweepOptions (all but the fleet). Returns an error or "".
std::string ToOptions(const Flags& flags, SweepOptions* options) {
  std::string error;
  if (flags.time_scale && !flags.config.empty()) {
    return "--time-scale applies to the embedded emulated fleet only; drop it or drop --config";
  }
  if (flags.time_scale && !(*flags.time_scale > 0 && std::isfinite(*flags.time_scale))) {
    return "--time-scale must be a positive number";
  }
  options->time_scale = flags.time_scale.value_or(1.0);
  options->seed = flags.seed;
  options->parallel = !flags.serial;
  options->axis = flags.rates.empty() ? LoadAxis::kConcurrency : LoadAxis::kRate;
  const std::optional<std::vector<double>> levels =
      options->axis == LoadAxis::kConcurrency
          ? ParseLevels("--concurrency", flags.concurrency, true, &error)
          : ParseLevels("--rates", flags.rates, false, &error);
  if (!levels) return error;
  options->levels = *levels;
  const auto step = ParseDurationFlag("--step", flags.step, DurationBound::kPositive, &error);
  if (!step) return error;
  const auto warmup =
      ParseDurationFlag("--warmup", flags.warmup, DurationBound::kZeroOrMore, &error);
  if (!warmup) return error;
  options->step = *step;
  options->warmup = *warmup;
  // A window must hold at least a millisecond of wall time, or its timing means nothing.
  const double step_s = std::chrono::duration<double>(*step).count();
  if (step_s / options->time_scale / kWindowsPerStep < 0.001) {
    return "--step " + flags.step + " is too short at time scale " +
           FormatNumber(options->time_scale) + ": each step needs at least " +
           FormatNumber(0.001 * kWindowsPerStep * options->time_scale) + " s";
  }
  if (!flags.slo_p95.empty()) {
    const auto slo =
        ParseDurationFlag("--slo-p95", flags.slo_p95, DurationBound::kPositive, &error);
    if (!slo) return error;
    options->slo_p95_s = std::chrono::duration<double>(*slo).count();
  }
  if (!(flags.max_spend >= 0) || !std::isfinite(flags.max_spend)) {
    return "--max-spend must be a number of US dollars, 0 or more";
  }
  if (flags.cold_starts) {
    std::optional<std::vector<nanoseconds>> gaps = ParseIdleGaps(flags.idle_gaps, &error);
    if (!gaps) return error;
    options->idle_gaps = std::move(*gaps);
  }
  return "";
}

// "" when the report can be written into `out`: an existing directory this process may write
// into, or one to create under such a directory. Checked before the sweep starts rather than
// found out when its report is written.
std::string OutDirError(const std::string& out) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path existing = fs::absolute(out, ec);
  while (!fs::exists(existing, ec) && existing.has_parent_path() &&
         existing != existing.parent_path()) {
    existing = existing.parent_path();
  }
  if (!fs::is_directory(existing, ec)) {
    return "--out " + out + ": " + existing.string() + " is not a directory";
  }
  if (access(existing.c_str(), W_OK) != 0) {
    return "--out " + out + ": cannot write into " + existing.string() + ": " +
           std::strerror(errno);
  }
  return "";
}

// The fleet's config: --config's file, or the embedded default pointed at an emulator started
// here (kept in `emulator`). Returns kExitOk, or the exit code after saying why on stderr.
int LoadFleet(const Flags& flags, const char* program, Config* config,
              std::unique_ptr<emulator::Emulator>* emulator, SweepOptions* options) {
  ConfigResult parsed;
  if (flags.config.empty()) {
    emulator::Options emulated;
    emulated.time_scale = options->time_scale;
    emulated.seed = flags.seed;
    std::string error;
    emulator::StartFailure failure{};
    *emulator = emulator::Emulator::Start(emulated, &error, &failure);
    if (!*emulator) {
      std::fprintf(stderr, "%s: cannot start the embedded emulator: %s\n", program, error.c_str());
      return failure == emulator::StartFailure::kCannotListen ? kExitFailure : kExitUsage;
    }
    const std::string base = (*emulator)->BaseUrl();
    const EnvLookup process = ProcessEnv();
    const EnvLookup env = [&](const std::string& name) -> std::optional<std::string> {
      if (name == kEmulatorUrlVariable) return base;
      return process(name);
    };
    parsed = ParseConfig(std::string(EmbeddedDefaultConfig()),
                         std::string(kEmbeddedDefaultConfigName), env);
    options->fleet = "the embedded emulated AWS fleet (" + base + ")";
    options->emulated = true;
  } else {
    parsed = LoadConfigFile(flags.config, ProcessEnv());
    options->fleet = flags.config;
  }
  if (!parsed.config) {
    for (const std::string& line : parsed.ErrorLines()) {
      std::fprintf(stderr, "%s: %s\n", program, line.c_str());
    }
    return kExitUsage;
  }
  *config = std::move(*parsed.config);
  return kExitOk;
}

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

// Runs the sweep until it ends or SIGINT/SIGTERM asks it to stop (`stop` then says so). The
// stop signals must be blocked in every thread already.
std::vector<TargetMeasurement> RunWithSignals(SweepRunner& runner, SweepProgress& progress,
                                              bool terminal, const sigset_t& stop_signals,
                                              std::stop_source& stop) {
  loadgen::GlobalInit();
  std::atomic<bool> finished{false};
  std::jthread signals([&] {
    const timespec poll{0, 200'000'000};
    while (!finished.load()) {
      if (sigtimedwait(&stop_signals, nullptr, &poll) > 0) {
        progress.Event("stopping: writing the report of what was measured so far");
        stop.request_stop();
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
  std::vector<TargetMeasurement> measured = runner.Run(stop.get_token());
  finished.store(true);
  if (drawer.joinable()) drawer.join();
  progress.Draw(runner.Live());
  signals.join();
  return measured;
}

}  // namespace

int RunSweep(int argc, char** argv) {
  const char* program = argv[0];
  Flags flags;
  CLI::App app{
      "Step each target through concurrency levels (or rates), find its saturation point and "
      "write a cost report: report.md, results.csv, SVG charts and index.html.",
      argv[0]};
  AddFlags(app, flags);
  if (const std::optional<int> code = ParseFlags(app, argc, argv)) return *code;
  SweepOptions options;
  if (const std::string error = ToOptions(flags, &options); !error.empty()) {
    return UsageError(program, error);
  }
  std::string error;
  const std::optional<TrafficProfile> traffic = ParseTraffic(flags, &error);
  if (!error.empty()) return UsageError(program, error);
  if (const std::string out_error = OutDirError(flags.out); !out_error.empty()) {
    return UsageError(program, out_error);
  }

  // Block the stop signals before any thread starts, so that only the signal thread sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  Config config;
  std::unique_ptr<emulator::Emulator> emulator;
  if (const int code = LoadFleet(flags, program, &config, &emulator, &options); code != kExitOk) {
    return code;
  }
  // AWS kinds get their URLs and signing keys here; the refreshers keep the keys fresh for as
  // long as the sweep runs.
  CredentialsPool credentials(emulator ? EmulatedAwsEnvironment(emulator->BaseUrl())
                                       : aws::ProcessEnvironment());
  for (TargetConfig& target : config.targets) {
    const AwsBinding binding = PrepareAwsTarget(&target, &credentials);
    if (!binding.error.empty()) {
      std::fprintf(stderr, "%s: target %s: %s\n", program, target.name.c_str(),
                   binding.error.c_str());
      return kExitFailure;
    }
  }
  SweepPlanResult planned = PlanSweep(config, options);
  if (!planned.sweep) return UsageError(program, planned.error);
  const PlannedSweep& sweep = *planned.sweep;
  if (flags.cold_starts && !sweep.AnyServerless()) {
    std::fprintf(stderr, "%s: --cold-starts: no serverless target in %s; nothing to idle\n",
                 program, options.fleet.c_str());
  }

  const bool terminal = isatty(STDOUT_FILENO) == 1;
  SweepProgress progress(terminal);
  SweepRunner runner(sweep.plan, sweep.targets,
                     [&progress](const std::string& line) { progress.Event(line); });
  std::fputs(DescribePlan(sweep, options, runner.PlannedWallTime()).c_str(), stdout);
  std::fflush(stdout);
  if (!options.emulated && sweep.SpendUsd() > flags.max_spend && !flags.yes) {
    return UsageError(program, "refusing to start: the estimated cost " +
                                   FormatUsd(sweep.SpendUsd()) + " is above --max-spend " +
                                   FormatUsd(flags.max_spend) +
                                   "; raise --max-spend or pass --yes");
  }

  std::stop_source stop;
  SweepRunFacts facts{.command_line = CommandLine(argc, argv), .started_utc = UtcNow()};
  const auto started = std::chrono::steady_clock::now();
  const std::vector<TargetMeasurement> measured =
      RunWithSignals(runner, progress, terminal, stop_signals, stop);
  facts.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  const SweepReport report = AnalyzeSweep(sweep, options, measured, facts, traffic);
  const WrittenReport written = WriteSweepReport(report, flags.out);
  if (!written.error.empty()) {
    std::fprintf(stderr, "%s: %s\n", program, written.error.c_str());
    return kExitFailure;
  }
  std::printf("\nRecommendation: %s\n", report.recommendation.sentence.c_str());
  std::printf("Report: %s/index.html (with report.md, results.csv and the charts beside it)\n",
              flags.out.c_str());
  if (stop.stop_requested()) {
    std::fprintf(stderr, "%s: interrupted; the report covers the steps that finished\n", program);
    return kExitFailure;
  }
  if (!AnythingAnswered(report)) {
    std::fprintf(stderr, "%s: no target answered a single request; is %s reachable?\n", program,
                 options.fleet.c_str());
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace infercost
