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
  double spent_usd = 0;
  double max_spend_usd = 0;
  bool over_budget = false;

  bool Claim() {
    if (deadline) return Clock::now() < *deadline;
    return remaining.fetch_sub(1) > 0;
  }
  // Records one invocation; false once the spend limit is reached.
  bool Record(const Invocation& inv, const ResolvedPricing& pricing, bool measured) {
    std::lock_guard lock(mutex);
    if (inv.report) {
      spent_usd += InvocationUsd(pricing, inv.report->memory_size_mb, inv.report->billed_duration);
    }
    if (Ran(inv, size->version, size->memory_mb)) {
      (measured ? size->warm : size->warmup)
          .push_back({.report = *inv.report, .executed_version = inv.executed_version});
    } else if (measured) {
      if (size->failed++ == 0) size->first_failure = WhyNot(inv, size->version, size->memory_mb);
    }
    if (spent_usd >= max_spend_usd) over_budget = true;
    return !over_budget;
  }
};

void MeasureSize(const LambdaClient& client, const TuneOptions& options,
                 const ResolvedPricing& pricing, std::stop_token stop, Measuring& m) {
  std::vector<std::jthread> threads;
  // Warm-ups first, all at once, so that `concurrency` environments exist before measuring.
  for (int i = 0; i < options.concurrency; ++i) {
    threads.emplace_back([&] { m.Record(client.Invoke(m.size->version), pricing, false); });
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
        if (!m.Record(client.Invoke(m.size->version), pricing, true)) return;
      }
    });
  }
}

// Undoes what the run did: the original memory, then the versions. "" when all of it is done.
std::string Restore(const LambdaClient& client, const TuneState& state,
                    const TuneOptions& options) {
  std::string errors;
  if (std::string error = SetMemory(client, state.original_memory_mb, options); !error.empty()) {
    errors = "restoring " + std::to_string(state.original_memory_mb) + " MB: " + error;
  }
  for (const std::string& version : state.versions) {
    if (std::string error = client.DeleteVersion(version); !error.empty()) {
      if (error.starts_with("ResourceNotFoundException")) continue;  // already gone
      errors += (errors.empty() ? "" : "; ") + ("deleting version " + version + ": " + error);
    }
  }
  return errors;
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

double InvocationUsd(const ResolvedPricing& pricing, int memory_mb,
                     std::chrono::nanoseconds billed) {
  const double billed_s = static_cast<double>(loadgen::RoundBilledMs(billed)) / 1000.0;
  return pricing.usd_per_request +
         pricing.on_demand_usd_per_gb_second * (memory_mb / 1024.0) * billed_s;
}

double EstimateTuneUsd(const TuneOptions& options, const ResolvedPricing& pricing,
                       std::chrono::nanoseconds billed_each) {
  double usd = 0;
  for (const int memory_mb : options.memory_mb) {
    // A duration-bound size sends at most one call per client per billed_each.
    double calls = options.invocations;
    if (options.duration) {
      calls = options.concurrency *
              std::ceil(std::chrono::duration<double>(*options.duration).count() /
                        std::max(1e-3, std::chrono::duration<double>(billed_each).count()));
    }
    usd += (calls + options.concurrency) * InvocationUsd(pricing, memory_mb, billed_each);
  }
  return usd;
}

TuneRun TuneMemory(const LambdaClient& client, const TuneOptions& options,
                   const ResolvedPricing& pricing, std::stop_token stop, const TuneLog& log) {
  TuneRun run;
  run.function = client.function_url();
  if (std::string error = WaitForUpdate(client, options); !error.empty()) {
    run.ended_early = error;
    return run;
  }
  const FunctionState original = client.GetConfiguration();
  if (!original.error.empty()) {
    run.ended_early = "GetFunctionConfiguration: " + original.error;
    return run;
  }
  run.original_memory_mb = original.memory_mb;
  TuneState state{client.function_url(), original.memory_mb, {}};
  if (std::string error = WriteTuneState(options.state_file, state); !error.empty()) {
    run.ended_early = error;
    return run;
  }
  log("original memory size " + std::to_string(original.memory_mb) + " MB, kept in " +
      options.state_file);
  for (const int memory_mb : options.memory_mb) {
    if (stop.stop_requested()) {
      run.ended_early = "stopped";
      break;
    }
    if (std::string error = SetMemory(client, memory_mb, options); !error.empty()) {
      run.ended_early = std::to_string(memory_mb) + " MB: " + error;
      break;
    }
    const FunctionState published = client.PublishVersion();
    if (!published.error.empty()) {
      run.ended_early = std::to_string(memory_mb) + " MB: PublishVersion: " + published.error;
      break;
    }
    state.versions.push_back(published.version);
    WriteTuneState(options.state_file, state);
    SizeRun size;
    size.memory_mb = memory_mb;
    size.version = published.version;
    run.sizes.push_back(std::move(size));
    Measuring m;
    m.size = &run.sizes.back();
    m.spent_usd = run.spent_usd;
    m.max_spend_usd = options.max_spend_usd;
    log(std::to_string(memory_mb) + " MB: version " + published.version + ", invoking");
    MeasureSize(client, options, pricing, stop, m);
    run.spent_usd = m.spent_usd;
    log(std::to_string(memory_mb) + " MB: " + std::to_string(m.size->warm.size()) + " measured, " +
        std::to_string(m.size->failed) + " failed");
    if (m.over_budget) {
      run.ended_early = "spend limit reached (" + FormatUsd(run.spent_usd) + " of --max-spend " +
                        FormatUsd(options.max_spend_usd) + ")";
      break;
    }
    if (stop.stop_requested()) run.ended_early = "stopped";
  }
  log("restoring " + std::to_string(original.memory_mb) + " MB and deleting " +
      std::to_string(state.versions.size()) + " version(s)");
  run.restore_error = Restore(client, state, options);
  run.restored = run.restore_error.empty();
  if (run.restored) std::remove(options.state_file.c_str());
  return run;
}

std::string WriteTuneState(const std::string& path, const TuneState& state) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << "# infercost tune: the function's configuration before tuning; `infercost tune "
           "--restore` puts it back\n";
    out << "function_url=" << state.function_url << "\n";
    out << "original_memory_mb=" << state.original_memory_mb << "\n";
    for (const std::string& v : state.versions) out << "version=" << v << "\n";
    if (!out) return "cannot write the state file " + path;
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    return "cannot write the state file " + path;
  }
  return "";
}

std::optional<TuneState> ReadTuneState(const std::string& path, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = "no state file " + path;
    return std::nullopt;
  }
  TuneState state;
  std::string line;
  while (std::getline(in, line)) {
    const size_t eq = line.find('=');
    if (line.empty() || line[0] == '#' || eq == std::string::npos) continue;
    const std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    if (key == "function_url") state.function_url = value;
    if (key == "original_memory_mb") state.original_memory_mb = std::atoi(value.c_str());
    if (key == "version") state.versions.push_back(value);
  }
  if (state.function_url.empty() || state.original_memory_mb < 128) {
    *error = path + ": not a tune state file (function_url and original_memory_mb expected)";
    return std::nullopt;
  }
  return state;
}

std::string RestoreFromState(const LambdaClient& client, const TuneState& state,
                             const std::string& path, const TuneOptions& options) {
  const std::string error = Restore(client, state, options);
  if (error.empty()) std::remove(path.c_str());
  return error;
}

}  // namespace infercost
