// `infercost serve`: parse, wire, wait for a signal, shut down.
#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <mutex>

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
  // and POST /-/reload may race.
  std::vector<std::string> Reload(Service& service, const char* trigger) {
    std::lock_guard lock(mu_);
    ConfigResult loaded = LoadConfig();
    std::vector<std::string> errors;
    if (!loaded.config) {
      for (const ConfigError& e : loaded.errors) errors.push_back(e.ToString());
      service.RecordReloadFailure();
    } else {
      errors = service.Apply(*loaded.config);
    }
    if (!errors.empty()) {
      Log(LogLevel::kError, "config reload failed; the previous config keeps running",
          {{"trigger", trigger}, {"errors", std::to_string(errors.size())}});
      for (const std::string& e : errors) Log(LogLevel::kError, "config error", {{"error", e}});
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

}  // namespace

int RunServe(int argc, char** argv) {
  CLI::App app{
      "Run the long-running service: load every configured target, export metrics.\n"
      "Without --config it starts the emulated AWS fleet in-process on loopback and\n"
      "loads it with examples/emulated-aws.yaml.",
      "infercost serve"};
  std::string config_path;
  std::string listen;
  std::string web_config_path;
  double time_scale = 1.0;
  std::string log_level = "info";
  app.add_option("--config", config_path, "YAML config file (default: the embedded emulated fleet)")
      ->check(CLI::ExistingFile);
  app.add_option("--listen", listen,
                 "HOST:PORT of the HTTP server (default: the config's listen, "
                 "else 0.0.0.0:18090)");
  app.add_option("--web-config", web_config_path, "exporter-toolkit web config (basic_auth_users)")
      ->check(CLI::ExistingFile);
  app.add_option("--time-scale", time_scale,
                 "run the embedded emulated fleet F times faster than real time")
      ->check(CLI::Range(1.0, 10000.0));
  app.add_option("--log-level", log_level, "debug, info, warn or error")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
  if (const std::optional<int> code = ParseFlags(app, argc, argv)) return *code;
  if (!config_path.empty() && time_scale != 1.0) {
    std::fprintf(stderr,
                 "infercost serve: --time-scale applies to the embedded emulated fleet only; "
                 "remove it or remove --config\n");
    return kExitUsage;
  }
  SetLogLevel(log_level == "debug"   ? LogLevel::kDebug
              : log_level == "warn"  ? LogLevel::kWarn
              : log_level == "error" ? LogLevel::kError
                                     : LogLevel::kInfo);

  std::optional<WebConfig> web_config;
  if (!web_config_path.empty()) {
    std::vector<std::string> errors;
    web_config = WebConfig::Load(web_config_path, &errors);
    if (!web_config) {
      for (const std::string& e : errors) std::fprintf(stderr, "%s\n", e.c_str());
      return kExitUsage;
    }
  }

  // Signals are taken synchronously by this thread; every thread started below inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  loadgen::GlobalInit();

  std::unique_ptr<emulator::Emulator> fleet;
  std::string emulator_url;
  if (config_path.empty()) {
    emulator::Options options;
    options.time_scale = time_scale;
    std::string error;
    fleet = emulator::Emulator::Start(options, &error);
    if (!fleet) {
      Log(LogLevel::kError, "cannot start the embedded emulator", {{"error", error}});
      return kExitFailure;
    }
    emulator_url = fleet->BaseUrl();
    Log(LogLevel::kInfo, "embedded emulated AWS fleet started",
        {{"url", emulator_url}, {"time_scale", std::to_string(time_scale)}});
  }

  Server server(config_path, emulator_url, time_scale);
  ConfigResult first = server.LoadConfig();
  if (!first.config) {
    for (const ConfigError& e : first.errors) std::fprintf(stderr, "%s\n", e.ToString().c_str());
    return kExitUsage;
  }
  if (listen.empty()) listen = first.config->listen.empty() ? kDefaultListen : first.config->listen;

  ServiceOptions service_options;
  if (config_path.empty()) service_options.time_scale = time_scale;
  Service service(service_options);
  const std::vector<std::string> apply_errors = service.Apply(*first.config);
  if (!apply_errors.empty()) {
    for (const std::string& e : apply_errors) std::fprintf(stderr, "%s\n", e.c_str());
    return kExitUsage;
  }

  ProcessCollector process;
  HttpHandlers handlers;
  // The service's families come pre-serialized (see Service::Exposition); the process_* figures
  // are read at scrape time, as Prometheus expects of them.
  handlers.metrics = [&] { return MetricsText(*service.Exposition(), process); };
  handlers.targets_json = [&] { return TargetsJson(service.Views()); };
  handlers.ready = [&] { return service.Ready(); };
  handlers.reload = [&] { return server.Reload(service, "http"); };
  std::string error;
  std::unique_ptr<HttpServer> http =
      HttpServer::Start(listen, std::move(handlers), std::move(web_config), &error);
  if (!http) {
    Log(LogLevel::kError, "cannot start the HTTP server", {{"error", error}});
    service.Stop();
    return kExitFailure;
  }
  Log(LogLevel::kInfo, "listening",
      {{"address", http->address()},
       {"targets", std::to_string(first.config->targets.size())},
       {"config", config_path.empty() ? std::string(kEmbeddedDefaultConfigName) + " (embedded)"
                                      : config_path}});
  if (config_path.empty()) {
    std::fprintf(stderr,
                 "\n  infercost is loading the emulated AWS fleet. Open http://localhost:%d/ for "
                 "the live comparison,\n  http://localhost:%d/metrics for the metrics. Ctrl-C "
                 "stops.\n\n",
                 http->port(), http->port());
  }

  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      server.Reload(service, "SIGHUP");
      continue;
    }
    Log(LogLevel::kInfo, "shutting down: draining in-flight requests",
        {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
    break;
  }
  service.Stop();
  http.reset();
  fleet.reset();
  Log(LogLevel::kInfo, "stopped");
  return kExitOk;
}

}  // namespace infercost
