// `infercost serve`: parse, wire, wait for a signal, shut down.
#include <malloc.h>
#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>

#include "cli/commands.h"
#include "cli/flags.h"
#include "common/log.h"
#include "config/config.h"
#include "emulator/emulator.h"
#include "loadgen/engine.h"
#include "serve/process_metrics.h"
#include "serve/service.h"
#include "web/http_server.h"
#include "web/targets_json.h"
#include "web/web_config.h"

namespace infercost {

namespace {

constexpr const char* kProgram = "infercost serve";
constexpr const char* kDefaultListen = "0.0.0.0:18090";
// The smallest window a time-scaled demo gets: below a few publish intervals the windowed
// figures are mostly noise.
constexpr std::chrono::seconds kMinScaledWindow{5};

std::chrono::nanoseconds Scaled(std::chrono::nanoseconds d, double factor) {
  return std::chrono::nanoseconds(
      static_cast<int64_t>(std::llround(static_cast<double>(d.count()) / factor)));
}

// --time-scale for the embedded fleet: the emulator runs F times faster than real time, so the
// schedule does too (stages, rates, timeouts, the cold-start threshold), and the window shrinks
// with it. The service reports figures back on the emulator's clock (ServiceOptions).
void ScaleTime(Config& config, double factor) {
  if (factor == 1.0) return;
  config.window =
      std::max<std::chrono::nanoseconds>(kMinScaledWindow, Scaled(config.window, factor));
  for (TargetConfig& target : config.targets) {
    for (loadgen::Stage& stage : target.load.stages)
      stage.duration = Scaled(stage.duration, factor);
    target.request.timeout = Scaled(target.request.timeout, factor);
    if (target.request.cold_start.latency_above) {
      target.request.cold_start.latency_above =
          Scaled(*target.request.cold_start.latency_above, factor);
    }
    if (target.slo_p95) target.slo_p95 = Scaled(*target.slo_p95, factor);
  }
}

// The secrets of a config about to be applied (or refused) are redacted from every output from
// the moment it is read: its errors, the log lines of applying it, the HTTP reply. They stay
// registered after a refusal (a refused config's errors may be shown again); an applied config's
// secrets are the service's from then on (SetLogSecrets).
constexpr std::string_view kCandidateSecrets = "config:candidate";

void RegisterCandidateSecrets(const ConfigResult& loaded) {
  SetRuntimeLogSecrets(kCandidateSecrets, loaded.secrets);
}

class Server {
 public:
  Server(std::string config_path, std::string emulator_url, double time_scale)
      : config_path_(std::move(config_path)),
        emulator_url_(std::move(emulator_url)),
        time_scale_(time_scale) {}

  ConfigResult LoadConfig() const {
    EnvLookup env = ProcessEnv();
    if (!config_path_.empty()) return LoadConfigFile(config_path_, env);
    const std::string url = emulator_url_;
    EnvLookup embedded_env = [env, url](const std::string& name) -> std::optional<std::string> {
      if (name == kEmulatorUrlVariable) return url;
      return env(name);
    };
    ConfigResult result = ParseConfig(std::string(EmbeddedDefaultConfig()),
                                      std::string(kEmbeddedDefaultConfigName), embedded_env);
    if (result.config) ScaleTime(*result.config, time_scale_);
    return result;
  }

  // Loads the config and applies it; on any error the running config stays. Serialised: SIGHUP
  // and POST /-/reload may race. The errors come back redacted, for the HTTP reply.
  std::vector<std::string> Reload(Service& service, const char* trigger) {
    std::lock_guard lock(mu_);
    ConfigResult loaded = LoadConfig();
    RegisterCandidateSecrets(loaded);
    std::vector<std::string> errors;
    if (!loaded.config) {
      errors = loaded.ErrorLines();
      service.RecordReloadFailure();
    } else {
      errors = service.Apply(*loaded.config);
    }
    if (!errors.empty()) {
      Log(LogLevel::kError, "config reload failed; the previous config keeps running",
          {{"trigger", trigger}, {"errors", std::to_string(errors.size())}});
      for (std::string& e : errors) {
        e = RedactRegistered(e);
        Log(LogLevel::kError, "config error", {{"error", e}});
      }
      return errors;
    }
    Log(LogLevel::kInfo, "config reloaded",
        {{"trigger", trigger}, {"targets", std::to_string(loaded.config->targets.size())}});
    return {};
  }

 private:
  std::mutex mu_;
  std::string config_path_;
  std::string emulator_url_;
  double time_scale_;
};

// The flags of `serve`.
struct ServeFlags {
  std::string config_path;  // empty: the embedded emulated fleet
  std::string listen;       // empty: the config's listen, else kDefaultListen
  std::string web_config_path;
  double time_scale = 1.0;
  std::string log_level = "info";

  bool embedded() const { return config_path.empty(); }
};

// Parses the flags into `flags` and sets the log level; an exit code when the command should
// stop here (help, a usage error).
std::optional<int> ParseServeFlags(int argc, char** argv, ServeFlags& flags) {
  CLI::App app{
      "Run the long-running service: load every configured target, export metrics.\n"
      "Without --config it starts the emulated AWS fleet in-process on loopback and\n"
      "loads it with examples/emulated-aws.yaml.",
      kProgram};
  app.add_option("--config", flags.config_path,
                 "YAML config file (default: the embedded emulated fleet)")
      ->check(CLI::ExistingFile);
  app.add_option("--listen", flags.listen,
                 "HOST:PORT of the HTTP server (default: the config's listen, "
                 "else 0.0.0.0:18090)");
  app.add_option("--web-config", flags.web_config_path,
                 "exporter-toolkit web config (basic_auth_users)")
      ->check(CLI::ExistingFile);
  app.add_option("--time-scale", flags.time_scale,
                 "run the embedded emulated fleet F times faster than real time")
      ->check(NumberCheck(1.0, 10000.0));
  app.add_option("--log-level", flags.log_level, "debug, info, warn or error")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
  if (const std::optional<int> code = ParseFlags(app, argc, argv)) return code;
  if (!flags.embedded() && flags.time_scale != 1.0) {
    return UsageError(kProgram,
                      "--time-scale applies to the embedded emulated fleet only; remove it or "
                      "remove --config");
  }
  // Checked here, before the fleet or any target starts, not when the HTTP server binds.
  if (const std::string error = ListenAddressError(flags.listen);
      !flags.listen.empty() && !error.empty()) {
    return UsageError(kProgram, "--listen '" + flags.listen + "' " + error);
  }
  SetLogLevel(flags.log_level == "debug"   ? LogLevel::kDebug
              : flags.log_level == "warn"  ? LogLevel::kWarn
              : flags.log_level == "error" ? LogLevel::kError
                                           : LogLevel::kInfo);
  return std::nullopt;
}

// Config and web-config errors, one a line, each after the command's name, redacted.
void PrintErrors(const std::vector<std::string>& errors) {
  for (const std::string& e : errors) {
    std::fprintf(stderr, "%s: %s\n", kProgram, RedactRegistered(e).c_str());
  }
}

// The --web-config file, when given, into `web_config`; false (errors printed) when it is bad.
bool LoadWebConfig(const std::string& path, std::optional<WebConfig>& web_config) {
  if (path.empty()) return true;
  std::vector<std::string> errors;
  web_config = WebConfig::Load(path, &errors);
  if (web_config) return true;
  PrintErrors(errors);
  return false;
}

// Blocks SIGHUP, SIGINT and SIGTERM in the calling thread (and so in every thread it starts) so
// that WaitForShutdown takes them synchronously.
sigset_t BlockServeSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

// Everything `serve` runs, in start-up order. Owned by RunServe's thread; the HTTP handlers
// refer to `server`, `service` and `process`, so a Running never moves once started.
struct Running {
  std::unique_ptr<emulator::Emulator> fleet;  // without --config only
  std::unique_ptr<Server> server;
  std::unique_ptr<Service> service;
  ProcessCollector process;
  std::unique_ptr<HttpServer> http;
};

// The embedded emulated fleet on loopback; nullptr (logged) when it cannot start.
std::unique_ptr<emulator::Emulator> StartFleet(double time_scale) {
  emulator::Options options;
  options.time_scale = time_scale;
  std::string error;
  std::unique_ptr<emulator::Emulator> fleet = emulator::Emulator::Start(options, &error);
  if (!fleet) {
    Log(LogLevel::kError, "cannot start the embedded emulator", {{"error", error}});
    return nullptr;
  }
  Log(LogLevel::kInfo, "embedded emulated AWS fleet started",
      {{"url", fleet->BaseUrl()}, {"time_scale", std::to_string(time_scale)}});
  return fleet;
}

// A new service with `config` applied; an exit code (errors printed) when it does not apply.
std::optional<int> StartService(const ServeFlags& flags, const Config& config, Running& run) {
  ServiceOptions service_options;
  if (flags.embedded()) {
    service_options.time_scale = flags.time_scale;
    service_options.aws_environment = EmulatedAwsEnvironment(run.fleet->BaseUrl());
  }
  run.service = std::make_unique<Service>(service_options);
  const std::vector<std::string> apply_errors = run.service->Apply(config);
  if (!apply_errors.empty()) {
    PrintErrors(apply_errors);
    return kExitUsage;
  }
  return std::nullopt;
}

// The HTTP server on `listen`, serving the service; false (logged) when it cannot start.
bool StartHttp(const std::string& listen, std::optional<WebConfig> web_config, Running& run) {
  HttpHandlers handlers;
  // The service's families come pre-serialized (see Service::Exposition); the process_* figures
  // are read at scrape time, as Prometheus expects of them.
  handlers.metrics = [&service = *run.service, &process = run.process] {
    return MetricsText(service.Exposition(), process);
  };
  handlers.targets_json = [&service = *run.service] { return TargetsJson(service.Views()); };
  handlers.ready = [&service = *run.service] { return service.Ready(); };
  handlers.reload = [&server = *run.server, &service = *run.service] {
    return server.Reload(service, "http");
  };
  std::string error;
  run.http = HttpServer::Start(listen, std::move(handlers), std::move(web_config), &error);
  if (!run.http) {
    Log(LogLevel::kError, "cannot start the HTTP server", {{"error", error}});
    return false;
  }
  return true;
}

// Logs where the server listens and, for the embedded fleet, tells the user where to look.
void AnnounceListening(const ServeFlags& flags, const Running& run, std::size_t targets) {
  Log(LogLevel::kInfo, "listening",
      {{"address", run.http->address()},
       {"targets", std::to_string(targets)},
       {"config", flags.embedded() ? std::string(kEmbeddedDefaultConfigName) + " (embedded)"
                                   : flags.config_path}});
  if (flags.embedded()) {
    std::fprintf(stderr,
                 "\n  infercost is loading the emulated AWS fleet. Open http://localhost:%d/ for "
                 "the live comparison,\n  http://localhost:%d/metrics for the metrics. Ctrl-C "
                 "stops.\n\n",
                 run.http->port(), run.http->port());
  }
}

// Starts the fleet (without --config), the service with the first config and the HTTP server;
// an exit code when any of them fails.
std::optional<int> StartUp(const ServeFlags& flags, std::optional<WebConfig> web_config,
                           Running& run) {
  if (flags.embedded()) {
    run.fleet = StartFleet(flags.time_scale);
    if (!run.fleet) return kExitFailure;
  }
  const std::string emulator_url = run.fleet ? run.fleet->BaseUrl() : std::string();
  run.server = std::make_unique<Server>(flags.config_path, emulator_url, flags.time_scale);
  const ConfigResult first = run.server->LoadConfig();
  RegisterCandidateSecrets(first);
  if (!first.config) {
    PrintErrors(first.ErrorLines());
    return kExitUsage;
  }
  if (const std::optional<int> code = StartService(flags, *first.config, run)) return code;
  std::string listen = flags.listen;
  if (listen.empty()) listen = first.config->listen.empty() ? kDefaultListen : first.config->listen;
  if (!StartHttp(listen, std::move(web_config), run)) {
    run.service->Stop();
    return kExitFailure;
  }
  AnnounceListening(flags, run, first.config->targets.size());
  return std::nullopt;
}

// Reloads on SIGHUP until SIGINT or SIGTERM, then stops the load, the HTTP server and the fleet,
// in that order.
void WaitAndShutDown(const sigset_t& signals, Running& run) {
  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      run.server->Reload(*run.service, "SIGHUP");
      continue;
    }
    Log(LogLevel::kInfo, "shutting down: draining in-flight requests",
        {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
    break;
  }
  run.service->Stop();
  run.http.reset();
  run.fleet.reset();
  Log(LogLevel::kInfo, "stopped");
}

}  // namespace

int RunServe(int argc, char** argv) {
  ServeFlags flags;
  if (const std::optional<int> code = ParseServeFlags(argc, argv, flags)) return *code;
  std::optional<WebConfig> web_config;
  if (!LoadWebConfig(flags.web_config_path, web_config)) return kExitUsage;
  // Signals are taken synchronously by this thread; every thread started below inherits the mask.
  const sigset_t signals = BlockServeSignals();
  // For glibc's malloc (the sanitizer builds, or INFERCOST_TCMALLOC=OFF); tcmalloc, the default,
  // ignores mallopt: its thread caches hand freed memory back to one central heap.
  // glibc gives each thread that allocates its own arena (up to 8 per core) and keeps what is
  // freed in it: /metrics is written by whichever of the HTTP server's threads scrapes first
  // after a tick, and a thousand targets' text and families (tens of MB, freed at once) then
  // stayed in up to 16 arenas, 130 KiB per target of RSS. Two arenas hold it once; the engine
  // allocates little per request, so contention stays low (bench/serve_scrape.sh).
  mallopt(M_ARENA_MAX, 2);
  // And glibc returns the top of an arena to the kernel once 128 KiB are free there: with a
  // thousand targets the engine's per-request and per-publish allocations crossed that line
  // over and over, ~290 page faults a second at 2,000 req/s (bench/serve_scrape.sh), against 16
  // with the top kept up to 16 MiB. Fixing the trim threshold also fixes the mmap threshold at
  // its 128 KiB default; at 16 MiB a large /metrics text is taken from, and given back to, an
  // arena instead of being mapped and faulted in anew at each serialization.
  mallopt(M_TRIM_THRESHOLD, 16 << 20);
  mallopt(M_MMAP_THRESHOLD, 16 << 20);
  loadgen::GlobalInit();
  Running run;
  if (const std::optional<int> code = StartUp(flags, std::move(web_config), run)) return *code;
  WaitAndShutDown(signals, run);
  return kExitOk;
}

}  // namespace infercost
