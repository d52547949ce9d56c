// `infercost tune`: runs one Lambda function at several memory sizes and finds the size that gives
// the best cost, speed or balance of the two (what AWS Lambda Power Tuning does, with the
// request and gateway fees and the instances of the same config beside it).
//
// For each size: UpdateFunctionConfiguration, wait until LastUpdateStatus is Successful,
// PublishVersion, warm the version (one unmeasured call per client), then invoke that version
// and bill each invocation from its REPORT line. An invocation counts only when
// X-Amz-Executed-Version is the version published for that size and the REPORT line's Memory
// Size is that size. In every ending (done, a stop request, an error, the spend limit) the
// function's original memory size is restored and the versions published are deleted; a state
// file written before the first change lets the next run restore after a crash.
//
// Two more axes, both optional: a second function (the same code built for the other
// architecture), run at every size beside the first, each priced at the GB-s price of the
// architecture GetFunctionConfiguration reports; and provisioned concurrency: after each size's
// on-demand run, PutProvisionedConcurrencyConfig on the same version, wait for READY, measure
// again, DeleteProvisionedConcurrencyConfig. Both functions, and every provisioned-concurrency
// config, are undone in every ending and covered by the state file.
//
// Thread contract: TuneMemory runs on the caller's thread and starts `concurrency` invoking
// threads per size, joined before it moves on; `stop` may be requested from any thread.
#ifndef INFERCOST_TUNE_TUNE_H_
#define INFERCOST_TUNE_TUNE_H_

#include <chrono>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "cost/cost.h"
#include "loadgen/lambda_report.h"
#include "tune/lambda_client.h"

namespace infercost {

enum class TuneStrategy { kCost, kSpeed, kBalanced };
std::optional<TuneStrategy> ParseStrategy(std::string_view text);
std::string_view StrategyName(TuneStrategy strategy);

struct TuneOptions {
  std::vector<int> memory_mb;  // the sizes to try, in the order given
  int invocations = 100;       // measured invocations per size (when no duration)
  std::optional<std::chrono::nanoseconds> duration;  // measured time per size instead
  int concurrency = 1;
  TuneStrategy strategy = TuneStrategy::kBalanced;
  // The balanced strategy's weight on cost (1 - weight on speed), as Power Tuning's
  // balancedWeight: each size scores weight × cost / max cost + (1 - weight) × duration / max.
  double balanced_weight = 0.5;
  double max_spend_usd = 1.0;  // stop (and restore) once the invocations have cost this much
  std::string state_file;      // where the original configuration is kept while tuning
  std::chrono::milliseconds poll_interval{200};  // between LastUpdateStatus checks
  std::chrono::seconds update_timeout{300};      // a size whose update takes longer fails
  // Provisioned concurrency for the second run of each size (0: none). At least `concurrency`,
  // so that every measured invocation lands on a provisioned environment.
  int provisioned_concurrency = 0;
  // A provisioned-concurrency config not READY by then fails the run (AWS takes a few minutes).
  std::chrono::seconds provisioned_timeout{900};
};

// One architecture's Lambda prices from the catalog: `on_demand` without provisioned
// concurrency; `provisioned` is the same with it (its usd_per_gb_second is the lower duration
// price) and `provisioned_usd_per_gb_second` is the time-based price of the concurrency itself.
struct ArchitecturePrices {
  ResolvedPricing on_demand;
  ResolvedPricing provisioned;
  double provisioned_usd_per_gb_second = 0;
};
struct TunePrices {
  ArchitecturePrices x86_64, arm64;
  const ArchitecturePrices& For(std::string_view architecture) const;
};
// The target's pricing spec resolved for both architectures (its own architecture and
// provisioned concurrency set aside: the run reads them from the function). nullopt on error.
std::optional<TunePrices> ResolveTunePrices(const PricingSpec& spec, const Catalog& catalog,
                                            std::string* error);

// One measured invocation at one size.
struct TunedInvocation {
  loadgen::LambdaReport report;
  std::string executed_version;
};

struct SizeRun {
  int memory_mb = 0;
  std::size_t function = 0;                // into TuneRun::functions
  int provisioned = 0;                     // provisioned concurrency during this run (0: on demand)
  double provisioned_seconds = 0;          // how long it was configured (Put to Delete)
  double provisioned_usd = 0;              // what that time cost
  std::string version;                     // published for this size ("" when it never was)
  std::vector<TunedInvocation> warm = {};  // measured
  std::vector<TunedInvocation> warmup = {};  // the unmeasured first calls (cold starts)
  int failed = 0;                            // invocations that failed or ran elsewhere
  std::string first_failure = {};
};

// A function as the run found it.
struct TunedFunction {
  std::string url;           // its URL base (<endpoint>/2015-03-31/functions/<name>)
  std::string name;          // the last part of url, for the report
  std::string architecture;  // from GetFunctionConfiguration's Architectures
  int original_memory_mb = 0;
};

struct TuneRun {
  std::vector<TunedFunction> functions;  // the target's first, then --compare-function's
  std::vector<SizeRun> sizes;            // in the order measured
  double spent_usd = 0;  // the invocations' bill (warm-ups included) + provisioned concurrency
  // Why the run ended early ("" when every size was measured): "stopped", "spend limit ...",
  // or the error.
  std::string ended_early;
  std::string restore_error;  // "" when the original memory was restored and versions deleted
  bool restored = false;
};

// The bill of one invocation from its REPORT line: request + gateway + the duration price in
// force (usd_per_gb_second: lower with provisioned concurrency) × the size in GB (MB / 1024) ×
// billed seconds. The one rule the run, the report and the spend guard share.
double InvocationUsd(const ResolvedPricing& pricing, int memory_mb,
                     std::chrono::nanoseconds billed);
// Provisioned concurrency's time-based charge: count × GB × seconds configured × price.
double ProvisionedUsd(const ArchitecturePrices& prices, int count, int memory_mb, double seconds);

// The most the plan can cost, for `functions` functions at the dearer architecture's prices:
// every invocation (warm-ups included) billed `billed_each` (the client timeout: what AWS bills
// at most before infercost gives up on a call), and with provisioned concurrency its charge for
// the longest it can stay configured (provisioned_timeout + every call one after the other).
double EstimateTuneUsd(const TuneOptions& options, const TunePrices& prices,
                       std::chrono::nanoseconds billed_each, int functions);

using TuneLog = std::function<void(const std::string&)>;

// `clients`: the target's function first, then the one to compare it with (if any).
TuneRun TuneMemory(const std::vector<LambdaClient>& clients, const TuneOptions& options,
                   const TunePrices& prices, std::stop_token stop, const TuneLog& log);

// The state file: what a run changed, so that a later run can undo it after a crash.
struct TuneStateFunction {
  std::string function_url;
  int original_memory_mb = 0;
  std::vector<std::string> versions = {};
  std::vector<std::string> provisioned = {};  // versions with a provisioned-concurrency config
};
struct TuneState {
  std::vector<TuneStateFunction> functions;
};
std::string WriteTuneState(const std::string& path, const TuneState& state);  // "" when written
std::optional<TuneState> ReadTuneState(const std::string& path, std::string* error);
// Deletes the provisioned-concurrency configs, restores each function's memory size and deletes
// the versions (`client` reaches each function through ForFunction); "" when done (the state
// file is removed).
std::string RestoreFromState(const LambdaClient& client, const TuneState& state,
                             const std::string& path, const TuneOptions& options);

}  // namespace infercost

#endif  // INFERCOST_TUNE_TUNE_H_
