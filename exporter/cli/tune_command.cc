// `infercost tune`: one Lambda target of a config, run at several memory sizes (see
// tune/tune.h). SIGINT and SIGTERM stop the invocations; the function is then restored and the
// report written for what was measured. A state file (<out>/tune.state) lives while the
// function is changed; if a run dies without restoring, the next one refuses to start and
// offers --restore.
#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "cli/commands.h"
#include "cli/flags.h"
#include "config/config.h"
#include "cost/cost.h"
#include "loadgen/engine.h"
#include "serve/aws_targets.h"
#include "tune/tune.h"
#include "tune/tune_report.h"

namespace infercost {
namespace {

struct Flags {
  std::string config;
  std::string target;
  std::string memory;
  int invocations = 100;
  std::string duration;
  int concurrency = 1;
  std::string strategy = "balanced";
  double balanced_weight = 0.5;
  std::string out = "infercost-tune";
  double max_spend = 1.0;
  double traffic = 0;
  bool yes = false;
  bool restore = false;
  std::string compare_function;
  int provisioned_concurrency = 0;
};

void AddFlags(CLI::App& app, Flags& f) {
  app.add_option("--config", f.config, "the config file naming the target")->required();
  app.add_option("--target", f.target, "the target to tune (kind lambda)")->required();
  app.add_option("--memory", f.memory, "memory sizes in MB, e.g. 512,1024,1536,2048,3008");
  app.add_option("--invocations", f.invocations, "measured invocations per size")
      ->capture_default_str()
      ->check(NumberCheck(1, 1e6));
  app.add_option("--duration", f.duration, "measured time per size instead of --invocations");
  app.add_option("--concurrency", f.concurrency, "invocations in flight at once")
      ->capture_default_str()
      ->check(NumberCheck(1, 1000));
  app.add_option("--strategy", f.strategy, "cost, speed or balanced")->capture_default_str();
  app.add_option("--balanced-weight", f.balanced_weight,
                 "balanced: the weight on cost (the rest on speed)")
      ->capture_default_str()
      ->check(NumberCheck(0, 1));
  app.add_option("--out", f.out, "directory for the report and the state file")
      ->capture_default_str();
  app.add_option("--max-spend", f.max_spend,
                 "refuse a plan estimated above this (USD); stop and restore once spent")
      ->capture_default_str()
      ->check(NumberCheck(NumberBound::kZeroOrMore));
  app.add_option("--traffic", f.traffic,
                 "your average traffic (requests/s): monthly cost beside the instances")
      ->check(NumberCheck(NumberBound::kZeroOrMore));
  app.add_option("--compare-function", f.compare_function,
                 "a second function (e.g. the arm64 build) run at every size beside the target's; "
                 "same endpoint and credentials");
  app.add_option("--provisioned-concurrency", f.provisioned_concurrency,
                 "also run each size with this provisioned concurrency (needs --traffic)")
      ->check(NumberCheck(1, 100000));
  app.add_flag("--yes", f.yes, "start even when the estimate is above --max-spend");
  app.add_flag("--restore", f.restore,
               "restore the function from the state file a crashed run left, then exit");
}

// Fills `options` from the flags; "" or what is wrong.
std::string ToOptions(const Flags& f, TuneOptions* options) {
  for (const std::string& item :
       f.memory.empty() ? std::vector<std::string>{} : SplitList(f.memory)) {
    const std::optional<double> mb = ParsePositiveNumber(item);
    if (!mb || *mb != static_cast<int>(*mb) || *mb < 128 || *mb > 10240) {
      return "--memory: '" + item +
             "' is not a Lambda memory size (a whole number of MB from "
             "128 to 10240)";
    }
    options->memory_mb.push_back(static_cast<int>(*mb));
  }
  if (options->memory_mb.empty() && !f.restore) return "--memory: give the sizes to try";
  const std::optional<TuneStrategy> strategy = ParseStrategy(f.strategy);
  if (!strategy) return "--strategy: '" + f.strategy + "' must be cost, speed or balanced";
  options->strategy = *strategy;
  options->balanced_weight = f.balanced_weight;
  options->invocations = f.invocations;
  options->concurrency = f.concurrency;
  options->max_spend_usd = f.max_spend;
  if (!f.duration.empty()) {
    std::string error;
    options->duration =
        ParseDurationFlag("--duration", f.duration, DurationBound::kPositive, &error);
    if (!options->duration) return error;
  }
  options->state_file = (std::filesystem::path(f.out) / "tune.state").string();
  options->provisioned_concurrency = f.provisioned_concurrency;
  if (f.provisioned_concurrency > 0 && f.traffic <= 0) {
    return "--provisioned-concurrency: give --traffic too (requests/s): whether provisioned "
           "concurrency pays off depends on it";
  }
  if (f.provisioned_concurrency > 0 && f.provisioned_concurrency < f.concurrency) {
    return "--provisioned-concurrency " + std::to_string(f.provisioned_concurrency) +
           " is below --concurrency " + std::to_string(f.concurrency) +
           ": raise it so that every measured invocation lands on a provisioned environment";
  }
  return "";
}

std::string CommandLine(int argc, char** argv) {
  std::string line = "infercost tune";
  for (int i = 1; i < argc; ++i) line += std::string(" ") + argv[i];
  return line;
}

// The target to tune, made ready to sign (its refresher lives in `pool`); nullopt after saying why.
std::optional<TargetConfig> PrepareTarget(const char* program, const Flags& f, Config* config,
                                          CredentialsPool* pool, int* code) {
  ConfigResult parsed = LoadConfigFile(f.config, ProcessEnv());
  *code = kExitUsage;
  if (!parsed.config) {
    for (const ConfigError& e : parsed.errors) {
      std::fprintf(stderr, "%s: %s\n", program, e.ToString().c_str());
    }
    return std::nullopt;
  }
  *config = std::move(*parsed.config);
  for (TargetConfig& t : config->targets) {
    if (t.name != f.target) continue;
    if (t.kind != TargetKind::kLambda) {
      UsageError(program, "--target " + f.target +
                              ": tune needs a target of kind lambda (the Invoke API), the only "
                              "kind whose memory size it can change");
      return std::nullopt;
    }
    const AwsBinding binding = PrepareAwsTarget(&t, pool);
    if (!binding.error.empty()) {
      std::fprintf(stderr, "%s: target %s: %s\n", program, t.name.c_str(), binding.error.c_str());
      *code = kExitFailure;
      return std::nullopt;
    }
    return t;
  }
  UsageError(program, "--target " + f.target + ": no such target in " + f.config);
  return std::nullopt;
}

LambdaClient MakeClient(const TargetConfig& target) {
  std::string payload, content_type;
  if (target.request.payloads && !target.request.payloads->empty()) {
    payload = target.request.payloads->front().bytes;
    content_type = target.request.payloads->front().content_type;
  }
  return LambdaClient(
      target.request.url, *target.request.sigv4, payload, content_type,
      std::chrono::duration_cast<std::chrono::milliseconds>(target.request.timeout));
}

std::vector<InstanceOption> Instances(const Config& config, const Catalog& catalog) {
  std::vector<InstanceOption> out;
  for (const TargetConfig& t : config.targets) {
    if (t.pricing.model != PricingModel::kInstance && t.pricing.model != PricingModel::kHourly) {
      continue;
    }
    const ResolveResult r = Resolve(t.pricing, catalog);
    if (r.pricing) out.push_back({.name = t.name, .usd_per_hour = r.pricing->usd_per_hour});
  }
  return out;
}

// A state file left by a run that did not restore: refuse to start (or restore with --restore).
// Nullopt to go on tuning; else the exit code.
std::optional<int> HandleStateFile(const char* program, const Flags& flags,
                                   const LambdaClient& client, const TuneOptions& options) {
  std::string error;
  if (std::filesystem::exists(options.state_file)) {
    const std::optional<TuneState> state = ReadTuneState(options.state_file, &error);
    if (!state) return UsageError(program, error);
    std::string functions;
    for (const TuneStateFunction& f : state->functions) {
      functions += (functions.empty() ? "" : ", ") + f.function_url + " (it was at " +
                   std::to_string(f.original_memory_mb) + " MB)";
    }
    if (!flags.restore) {
      return UsageError(program, "a previous run did not restore " + functions + " (" +
                                     options.state_file +
                                     "): run again with --restore to put it back");
    }
    error = RestoreFromState(client, *state, options.state_file, options);
    if (!error.empty()) {
      std::fprintf(stderr, "%s: %s\n", program, error.c_str());
      return kExitFailure;
    }
    std::printf("restored %s and deleted the versions and provisioned concurrency it published\n",
                functions.c_str());
    return kExitOk;
  }
  if (flags.restore) return UsageError(program, "--restore: no state file " + options.state_file);
  return std::nullopt;
}

// How the run ended and what was restored, for the report.
std::string RunNote(const TuneRun& run) {
  std::string note = run.ended_early.empty() ? "" : "The run ended early: " + run.ended_early + ".";
  std::string restored;
  for (const TunedFunction& f : run.functions) {
    restored += std::string(restored.empty() ? "" : ", ") + f.name + " to " +
                std::to_string(f.original_memory_mb) + " MB";
  }
  return note + (note.empty() ? "" : " ") +
         (run.restored ? "Restored " + restored +
                             "; the versions published (and any provisioned concurrency) were "
                             "deleted."
                       : "RESTORE FAILED: " + run.restore_error);
}

}  // namespace

int RunTune(int argc, char** argv) {
  const char* program = argv[0];
  Flags flags;
  CLI::App app{
      "Run a Lambda target at several memory sizes and find the size with the best "
      "cost, speed or balance; restores the function afterwards.",
      argv[0]};
  AddFlags(app, flags);
  if (const std::optional<int> code = ParseFlags(app, argc, argv)) return *code;
  TuneOptions options;
  if (std::string error = ToOptions(flags, &options); !error.empty()) {
    return UsageError(program, error);
  }
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  loadgen::GlobalInit();

  Config config;
  CredentialsPool pool;
  int code = kExitOk;
  const std::optional<TargetConfig> target = PrepareTarget(program, flags, &config, &pool, &code);
  if (!target) return code;
  const LambdaClient client = MakeClient(*target);
  if (const std::optional<int> done = HandleStateFile(program, flags, client, options)) {
    return *done;
  }

  std::optional<Catalog> catalog;
  if (config.prices_file.empty()) {
    catalog = BuiltinCatalog();
  } else {
    CatalogResult loaded = LoadCatalogOverrides(config.prices_file);
    if (!loaded.catalog) return UsageError(program, loaded.error);
    catalog = std::move(loaded.catalog);
  }
  std::string error;
  const std::optional<TunePrices> prices = ResolveTunePrices(target->pricing, *catalog, &error);
  if (!prices) return UsageError(program, "target " + target->name + ": " + error);
  std::vector<LambdaClient> clients = {client};
  if (!flags.compare_function.empty()) {
    clients.push_back(client.ForFunction(flags.compare_function));
  }
  const double estimate =
      EstimateTuneUsd(options, *prices, target->request.timeout, static_cast<int>(clients.size()));
  std::printf(
      "infercost tune: %s%s at %zu memory size(s)%s; at most %s (every invocation billed "
      "its %s timeout)\n",
      target->name.c_str(),
      flags.compare_function.empty() ? "" : (" and " + flags.compare_function).c_str(),
      options.memory_mb.size(),
      options.provisioned_concurrency > 0 ? ", on demand and provisioned" : "",
      FormatUsd(estimate).c_str(),
      std::to_string(
          std::chrono::duration_cast<std::chrono::seconds>(target->request.timeout).count())
          .append(" s")
          .c_str());
  std::fflush(stdout);
  if (estimate > options.max_spend_usd && !flags.yes) {
    return UsageError(program, "refusing to start: the estimated cost " + FormatUsd(estimate) +
                                   " is above --max-spend " + FormatUsd(options.max_spend_usd) +
                                   "; raise --max-spend or pass --yes");
  }
  std::filesystem::create_directories(flags.out);

  std::stop_source stop;
  std::atomic<bool> finished{false};
  std::jthread signals([&] {
    const timespec poll{0, 100'000'000};
    while (!finished.load()) {
      if (sigtimedwait(&stop_signals, nullptr, &poll) > 0) {
        std::printf("stopping: restoring the function\n");
        std::fflush(stdout);
        stop.request_stop();
        return;
      }
    }
  });
  const TuneRun run =
      TuneMemory(clients, options, *prices, stop.get_token(), [](const std::string& line) {
        std::printf("%s\n", line.c_str());
        std::fflush(stdout);
      });
  finished.store(true);
  signals.join();
  if (!run.ended_early.empty()) {
    std::fprintf(stderr, "%s: ended early: %s\n", program, run.ended_early.c_str());
  }

  const TuneAnalysis analysis =
      AnalyzeTune(run, *prices, options.strategy, options.balanced_weight,
                  flags.traffic > 0 ? std::optional<double>(flags.traffic) : std::nullopt,
                  Instances(config, *catalog));
  TuneReportFacts facts;
  facts.command_line = CommandLine(argc, argv);
  facts.target = target->name;
  facts.run_note = RunNote(run);
  if (const std::string written = WriteTuneReport(analysis, facts, flags.out); !written.empty()) {
    std::fprintf(stderr, "%s: %s\n", program, written.c_str());
    return kExitFailure;
  }
  std::printf("%s\nreport: %s/report.md (index.html, results.csv, power_tuning.svg)\n",
              analysis.sentence.c_str(), flags.out.c_str());
  if (!run.restored) {
    std::fprintf(stderr, "%s: %s; the state file %s is kept: run again with --restore\n", program,
                 run.restore_error.c_str(), options.state_file.c_str());
    return kExitFailure;
  }
  return run.ended_early.empty() || run.ended_early == "stopped" ? kExitOk : kExitFailure;
}

}  // namespace infercost
