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
};

// One measured invocation at one size.
struct TunedInvocation {
  loadgen::LambdaReport report;
  std::string executed_version;
};

struct SizeRun {
  int memory_mb = 0;
  std::string version;                  // published for this size ("" when it never was)
  std::vector<TunedInvocation> warm;    // measured
  std::vector<TunedInvocation> warmup;  // the unmeasured first calls (cold starts)
  int failed = 0;                       // invocations that failed or ran elsewhere
  std::string first_failure;
};

struct TuneRun {
  std::string function;  // the function's URL base, for the report
  int original_memory_mb = 0;
  std::vector<SizeRun> sizes;  // in the order measured
  double spent_usd = 0;        // the invocations' bill (warm-ups included)
  // Why the run ended early ("" when every size was measured): "stopped", "spend limit ...",
  // or the error.
  std::string ended_early;
  std::string restore_error;  // "" when the original memory was restored and versions deleted
  bool restored = false;
};

// The bill of one invocation from its REPORT line: request + gateway + GB-s price × the size in
// GB (MB / 1024) × billed seconds. The one rule the run, the report and the spend guard share.
double InvocationUsd(const ResolvedPricing& pricing, int memory_mb,
                     std::chrono::nanoseconds billed);

// The most the plan can cost: every invocation (warm-ups included) billed `billed_each` (the
// client timeout: what AWS bills at most before infercost gives up on a call).
double EstimateTuneUsd(const TuneOptions& options, const ResolvedPricing& pricing,
                       std::chrono::nanoseconds billed_each);

using TuneLog = std::function<void(const std::string&)>;

TuneRun TuneMemory(const LambdaClient& client, const TuneOptions& options,
                   const ResolvedPricing& pricing, std::stop_token stop, const TuneLog& log);

// The state file: what a run changed, so that a later run can undo it after a crash.
struct TuneState {
  std::string function_url;
  int original_memory_mb = 0;
  std::vector<std::string> versions;
};
std::string WriteTuneState(const std::string& path, const TuneState& state);  // "" when written
std::optional<TuneState> ReadTuneState(const std::string& path, std::string* error);
// Restores the memory size and deletes the versions; "" when done (the state file is removed).
std::string RestoreFromState(const LambdaClient& client, const TuneState& state,
                             const std::string& path, const TuneOptions& options);

}  // namespace infercost

#endif  // INFERCOST_TUNE_TUNE_H_
