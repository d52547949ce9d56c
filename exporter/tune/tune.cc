#include "tune/tune.h"

#include <atomic>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "loadgen/billed_duration.h"

namespace infercost {
namespace {

using Clock = std::chrono::steady_clock;

// Waits until the function's last update is done; "" when Successful.
std::string WaitForUpdate(const LambdaClient& client, const TuneOptions& options) {
  const auto deadline = Clock::now() + options.update_timeout;
  for (;;) {
    const FunctionState state = client.GetConfiguration();
    if (!state.error.empty()) return "GetFunctionConfiguration: " + state.error;
    if (state.last_update_status == "Successful") return "";
    if (state.last_update_status == "Failed") {
      return "the update failed: " + state.last_update_reason;
    }
    if (Clock::now() > deadline) {
      return "the update was still " + state.last_update_status + " after " +
             std::to_string(options.update_timeout.count()) + " s";
    }
    std::this_thread::sleep_for(options.poll_interval);
  }
}

// Sets the memory size and waits until the function runs at it; "" when done. An update still
// in progress (ours, or someone else's) is waited for once, then the update is tried again.
std::string SetMemory(const LambdaClient& client, int memory_mb, const TuneOptions& options) {
  FunctionState updated = client.UpdateMemory(memory_mb);
  if (updated.error.starts_with("ResourceConflictException")) {
    if (std::string error = WaitForUpdate(client, options); !error.empty()) return error;
    updated = client.UpdateMemory(memory_mb);
  }
  if (!updated.error.empty()) return "UpdateFunctionConfiguration: " + updated.error;
  return WaitForUpdate(client, options);
}

bool Ran(const Invocation& inv, const std::string& version, int memory_mb) {
  return inv.error.empty() && inv.report && inv.executed_version == version &&
         inv.report->memory_size_mb == memory_mb;
}

std::string WhyNot(const Invocation& inv, const std::string& version, int memory_mb) {
  if (!inv.error.empty()) return inv.error;
  if (!inv.report) return "no REPORT line in the log tail";
  if (inv.executed_version != version) {
    return "ran version '" + inv.executed_version + "', not the published " + version;
  }
  return "ran at " + std::to_string(inv.report->memory_size_mb) + " MB, not " +
         std::to_string(memory_mb) + " MB";
}

// The shared state of one size's invoking threads.
struct Measuring {
  std::mutex mutex;
  SizeRun* size = nullptr;
  std::atomic<int> remaining{0};  // invocations left to claim (count mode)
  std::optional<Clock::time_point> deadline;
  const ResolvedPricing* pricing = nullptr;
  double spent_usd = 0;
  double max_spend_usd = 0;
  bool over_budget = false;
  // Provisioned concurrency accrues by the second while configured.
  double provisioned_usd_per_second = 0;
  Clock::time_point provisioned_since{};

  bool Claim() {
    if (deadline) return Clock::now() < *deadline;
    return remaining.fetch_sub(1) > 0;
  }
  // Records one invocation; false once the spend limit is reached.
  bool Record(const Invocation& inv, bool measured) {
    std::lock_guard lock(mutex);
    if (inv.report) {
      spent_usd += InvocationUsd(*pricing, inv.report->memory_size_mb, inv.report->billed_duration);
    }
    if (Ran(inv, size->version, size->memory_mb)) {
      (measured ? size->warm : size->warmup)
          .push_back({.report = *inv.report, .executed_version = inv.executed_version});
    } else if (measured) {
      if (size->failed++ == 0) size->first_failure = WhyNot(inv, size->version, size->memory_mb);
    }
    const double accrued = provisioned_usd_per_second *
                           std::chrono::duration<double>(Clock::now() - provisioned_since).count();
    if (spent_usd + accrued >= max_spend_usd) over_budget = true;
    return !over_budget;
  }
};

void MeasureSize(const LambdaClient& client, const TuneOptions& options, std::stop_token stop,
                 Measuring& m) {
  std::vector<std::jthread> threads;
  // Warm-ups first, all at once, so that `concurrency` environments exist before measuring.
  for (int i = 0; i < options.concurrency; ++i) {
    threads.emplace_back([&] { m.Record(client.Invoke(m.size->version), false); });
  }
  threads.clear();
  if (m.over_budget) return;
  if (options.duration) {
    m.deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(*options.duration);
  }
  m.remaining = options.invocations;
  for (int i = 0; i < options.concurrency; ++i) {
    threads.emplace_back([&] {
      while (!stop.stop_requested() && m.Claim()) {
        if (!m.Record(client.Invoke(m.size->version), true)) return;
      }
    });
  }
}

// Undoes what the run did to one function: its provisioned-concurrency configs, the original
// memory, then the versions. "" when all of it is done.
std::string Restore(const LambdaClient& client, const TuneStateFunction& state,
                    const TuneOptions& options) {
  std::string errors;
  auto add = [&](const std::string& what) { errors += (errors.empty() ? "" : "; ") + what; };
  for (const std::string& version : state.provisioned) {
    if (std::string error = client.DeleteProvisioned(version); !error.empty()) {
      if (error.starts_with("ResourceNotFoundException")) continue;  // already gone
      add("deleting the provisioned concurrency of version " + version + ": " + error);
    }
  }
  if (std::string error = SetMemory(client, state.original_memory_mb, options); !error.empty()) {
    add("restoring " + std::to_string(state.original_memory_mb) + " MB: " + error);
  }
  for (const std::string& version : state.versions) {
    if (std::string error = client.DeleteVersion(version); !error.empty()) {
      if (error.starts_with("ResourceNotFoundException")) continue;  // already gone
      add("deleting version " + version + ": " + error);
    }
  }
  return errors.empty() ? "" : client.function_url() + ": " + errors;
}

std::string RestoreAll(const LambdaClient& client, const TuneState& state,
                       const TuneOptions& options) {
  std::string errors;
  for (const TuneStateFunction& f : state.functions) {
    const std::string error = Restore(client.ForFunction(f.function_url), f, options);
    if (!error.empty()) errors += (errors.empty() ? "" : "; ") + error;
  }
  return errors;
}

// Waits until the version's provisioned concurrency is READY; "" when it is.
std::string WaitForProvisioned(const LambdaClient& client, const std::string& version,
                               const TuneOptions& options, std::stop_token stop) {
  const auto deadline = Clock::now() + options.provisioned_timeout;
  for (;;) {
    const ProvisionedState state = client.GetProvisioned(version);
    if (!state.error.empty()) return "GetProvisionedConcurrencyConfig: " + state.error;
    if (state.status == "READY") return "";
    if (state.status == "FAILED") return "provisioned concurrency FAILED: " + state.reason;
    if (stop.stop_requested()) return "stopped";
    if (Clock::now() > deadline) {
      return "provisioned concurrency was still " + state.status + " after " +
             std::to_string(options.provisioned_timeout.count()) + " s";
    }
    std::this_thread::sleep_for(options.poll_interval);
  }
}

}  // namespace

std::optional<TuneStrategy> ParseStrategy(std::string_view text) {
  if (text == "cost") return TuneStrategy::kCost;
  if (text == "speed") return TuneStrategy::kSpeed;
  if (text == "balanced") return TuneStrategy::kBalanced;
  return std::nullopt;
}

std::string_view StrategyName(TuneStrategy strategy) {
  switch (strategy) {
    case TuneStrategy::kCost:
      return "cost";
    case TuneStrategy::kSpeed:
      return "speed";
    case TuneStrategy::kBalanced:
      break;
  }
  return "balanced";
}

const ArchitecturePrices& TunePrices::For(std::string_view architecture) const {
  return architecture == "arm64" ? arm64 : x86_64;
}

std::optional<TunePrices> ResolveTunePrices(const PricingSpec& spec, const Catalog& catalog,
                                            std::string* error) {
  TunePrices prices;
  for (const Architecture arch : kArchitectures) {
    PricingSpec one = spec;
    one.architecture = arch;
    one.provisioned_concurrency = 0;
    ResolveResult on_demand = Resolve(one, catalog);
    // With one provisioned environment of 1 GB, the hourly charge is the price of one GB-s × 3600.
    one.provisioned_concurrency = 1;
    one.memory_mb = 1024;
    ResolveResult provisioned = Resolve(one, catalog);
    if (!on_demand.pricing || !provisioned.pricing) {
      *error = on_demand.pricing ? provisioned.error : on_demand.error;
      return std::nullopt;
    }
    ArchitecturePrices& p = arch == Architecture::kArm64 ? prices.arm64 : prices.x86_64;
    p.on_demand = *on_demand.pricing;
    p.provisioned = *provisioned.pricing;
    p.provisioned_usd_per_gb_second = provisioned.pricing->provisioned_usd_per_hour / 3600;
  }
  return prices;
}

double InvocationUsd(const ResolvedPricing& pricing, int memory_mb,
                     std::chrono::nanoseconds billed) {
  const double billed_s = static_cast<double>(loadgen::RoundBilledMs(billed)) / 1000.0;
  return pricing.usd_per_request + pricing.usd_per_gb_second * (memory_mb / 1024.0) * billed_s;
}

double ProvisionedUsd(const ArchitecturePrices& prices, int count, int memory_mb, double seconds) {
  return count * (memory_mb / 1024.0) * seconds * prices.provisioned_usd_per_gb_second;
}

double EstimateTuneUsd(const TuneOptions& options, const TunePrices& prices,
                       std::chrono::nanoseconds billed_each, int functions) {
  // x86_64's prices are the dearer ones; the architecture is not known before the first call.
  const ArchitecturePrices& dearer =
      prices.x86_64.on_demand.usd_per_gb_second >= prices.arm64.on_demand.usd_per_gb_second
          ? prices.x86_64
          : prices.arm64;
  const double each_s = std::max(1e-3, std::chrono::duration<double>(billed_each).count());
  double usd = 0;
  for (const int memory_mb : options.memory_mb) {
    // A duration-bound size sends at most one call per client per billed_each.
    double calls = options.invocations;
    if (options.duration) {
      calls = options.concurrency *
              std::ceil(std::chrono::duration<double>(*options.duration).count() / each_s);
    }
    calls += options.concurrency;  // the warm-ups
    usd += calls * InvocationUsd(dearer.on_demand, memory_mb, billed_each);
    if (options.provisioned_concurrency > 0) {
      usd += calls * InvocationUsd(dearer.provisioned, memory_mb, billed_each);
      const double configured_s = static_cast<double>(options.provisioned_timeout.count()) +
                                  calls / options.concurrency * each_s;
      usd += ProvisionedUsd(dearer, options.provisioned_concurrency, memory_mb, configured_s);
    }
  }
  return usd * functions;
}

namespace {

// Reads each function's memory size and architecture and records them; "" when done.
std::string ReadFunctions(const std::vector<LambdaClient>& clients, const TuneOptions& options,
                          TuneRun* run, TuneState* state) {
  for (const LambdaClient& client : clients) {
    if (std::string error = WaitForUpdate(client, options); !error.empty()) {
      return client.function_url() + ": " + error;
    }
    const FunctionState original = client.GetConfiguration();
    if (!original.error.empty()) {
      return client.function_url() + ": GetFunctionConfiguration: " + original.error;
    }
    if (original.architecture != "x86_64" && original.architecture != "arm64") {
      return client.function_url() + ": unknown architecture '" + original.architecture + "'";
    }
    const std::string& url = client.function_url();
    run->functions.push_back({.url = url,
                              .name = url.substr(url.rfind('/') + 1),
                              .architecture = original.architecture,
                              .original_memory_mb = original.memory_mb});
    state->functions.push_back({.function_url = url, .original_memory_mb = original.memory_mb});
  }
  return "";
}

// What one run (a function at a size, on demand or provisioned) needs besides the client.
struct OneRun {
  TuneRun& run;
  TuneState& state;
  const TuneOptions& options;
  const TunePrices& prices;
  std::stop_token stop;
  const TuneLog& log;
};

// Measures `size` (already published) and adds its bill; "" or why the run must end.
std::string Measure(const LambdaClient& client, OneRun& o, SizeRun size,
                    const ArchitecturePrices& prices, Clock::time_point provisioned_since) {
  o.run.sizes.push_back(std::move(size));
  Measuring m;
  m.size = &o.run.sizes.back();
  m.pricing = m.size->provisioned > 0 ? &prices.provisioned : &prices.on_demand;
  m.spent_usd = o.run.spent_usd;
  m.max_spend_usd = o.options.max_spend_usd;
  if (m.size->provisioned > 0) {
    m.provisioned_usd_per_second =
        ProvisionedUsd(prices, m.size->provisioned, m.size->memory_mb, 1);
    m.provisioned_since = provisioned_since;
  }
  const std::string what = o.run.functions[m.size->function].name + " at " +
                           std::to_string(m.size->memory_mb) + " MB" +
                           (m.size->provisioned > 0 ? " provisioned" : "");
  o.log(what + ": version " + m.size->version + ", invoking");
  MeasureSize(client, o.options, o.stop, m);
  o.run.spent_usd = m.spent_usd;
  o.log(what + ": " + std::to_string(m.size->warm.size()) + " measured, " +
        std::to_string(m.size->failed) + " failed");
  if (m.over_budget) return "spend limit reached";
  return o.stop.stop_requested() ? "stopped" : "";
}

// The provisioned run of a published version: Put, wait for READY, measure, Delete, and bill
// the time it was configured. "" or why the run must end.
std::string MeasureProvisioned(const LambdaClient& client, OneRun& o, std::size_t function,
                               int memory_mb, const std::string& version) {
  const ArchitecturePrices& prices = o.prices.For(o.run.functions[function].architecture);
  const int count = o.options.provisioned_concurrency;
  const auto since = Clock::now();
  const ProvisionedState put = client.PutProvisioned(version, count);
  if (!put.error.empty()) return "PutProvisionedConcurrencyConfig: " + put.error;
  o.state.functions[function].provisioned.push_back(version);
  WriteTuneState(o.options.state_file, o.state);
  std::string ended = WaitForProvisioned(client, version, o.options, o.stop);
  if (ended.empty()) {
    ended = Measure(
        client, o,
        {.memory_mb = memory_mb, .function = function, .provisioned = count, .version = version},
        prices, since);
  }
  const std::string deleted = client.DeleteProvisioned(version);
  const double seconds = std::chrono::duration<double>(Clock::now() - since).count();
  const double usd = ProvisionedUsd(prices, count, memory_mb, seconds);
  o.run.spent_usd += usd;
  if (!o.run.sizes.empty() && o.run.sizes.back().version == version &&
      o.run.sizes.back().provisioned > 0) {
    o.run.sizes.back().provisioned_seconds = seconds;
    o.run.sizes.back().provisioned_usd = usd;
  }
  if (!deleted.empty()) return "DeleteProvisionedConcurrencyConfig: " + deleted;
  std::erase(o.state.functions[function].provisioned, version);
  WriteTuneState(o.options.state_file, o.state);
  if (ended.empty() && o.run.spent_usd >= o.options.max_spend_usd) return "spend limit reached";
  return ended;
}

// One function at one size: set, publish, measure on demand (and provisioned). "" or why the run
// must end.
std::string TuneSize(const LambdaClient& client, OneRun& o, std::size_t function, int memory_mb) {
  if (std::string error = SetMemory(client, memory_mb, o.options); !error.empty()) return error;
  const FunctionState published = client.PublishVersion();
  if (!published.error.empty()) return "PublishVersion: " + published.error;
  o.state.functions[function].versions.push_back(published.version);
  WriteTuneState(o.options.state_file, o.state);
  const ArchitecturePrices& prices = o.prices.For(o.run.functions[function].architecture);
  if (std::string ended = Measure(
          client, o, {.memory_mb = memory_mb, .function = function, .version = published.version},
          prices, {});
      !ended.empty() || o.options.provisioned_concurrency == 0) {
    return ended;
  }
  return MeasureProvisioned(client, o, function, memory_mb, published.version);
}

}  // namespace

TuneRun TuneMemory(const std::vector<LambdaClient>& clients, const TuneOptions& options,
                   const TunePrices& prices, std::stop_token stop, const TuneLog& log) {
  TuneRun run;
  TuneState state;
  if (std::string error = ReadFunctions(clients, options, &run, &state); !error.empty()) {
    run.ended_early = error;
    return run;
  }
  if (std::string error = WriteTuneState(options.state_file, state); !error.empty()) {
    run.ended_early = error;
    return run;
  }
  for (const TunedFunction& f : run.functions) {
    log(f.name + " (" + f.architecture + "): original memory size " +
        std::to_string(f.original_memory_mb) + " MB, kept in " + options.state_file);
  }
  OneRun o{run, state, options, prices, stop, log};
  for (const int memory_mb : options.memory_mb) {
    for (std::size_t i = 0; i < clients.size() && run.ended_early.empty(); ++i) {
      if (stop.stop_requested()) {
        run.ended_early = "stopped";
        break;
      }
      std::string ended = TuneSize(clients[i], o, i, memory_mb);
      if (ended == "spend limit reached") {
        ended += " (" + FormatUsd(run.spent_usd) + " of --max-spend " +
                 FormatUsd(options.max_spend_usd) + ")";
      } else if (!ended.empty() && ended != "stopped") {
        ended = (clients.size() > 1 ? run.functions[i].name + " at " : "") +
                std::to_string(memory_mb) + " MB: " + ended;
      }
      run.ended_early = ended;
    }
    if (!run.ended_early.empty()) break;
  }
  for (const TunedFunction& f : run.functions) {
    log("restoring " + std::to_string(f.original_memory_mb) + " MB on " + f.name +
        " and deleting its versions");
  }
  run.restore_error = RestoreAll(clients.front(), state, options);
  run.restored = run.restore_error.empty();
  if (run.restored) std::remove(options.state_file.c_str());
  return run;
}

std::string RestoreFromState(const LambdaClient& client, const TuneState& state,
                             const std::string& path, const TuneOptions& options) {
  const std::string error = RestoreAll(client, state, options);
  if (error.empty()) std::remove(path.c_str());
  return error;
}

}  // namespace infercost
