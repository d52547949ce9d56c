// AWS's own record of a Lambda invocation: the REPORT line of the function's log, which Lambda's
// Invoke API hands back (the last 4 KB of the log, base64 in X-Amz-Log-Result) when asked with
// X-Amz-Log-Type: Tail. Pure and thread-safe.
#ifndef LOADGEN_LAMBDA_REPORT_H_
#define LOADGEN_LAMBDA_REPORT_H_

#include <chrono>
#include <optional>
#include <string_view>

namespace loadgen {

struct LambdaReport {
  std::chrono::nanoseconds duration{0};         // Duration: the handler's run, without init
  std::chrono::nanoseconds billed_duration{0};  // Billed Duration: what AWS charges for
  int memory_size_mb = 0;                       // Memory Size: the configured memory
  int max_memory_used_mb = 0;                   // Max Memory Used
  // Init Duration: present only on a cold start (an on-demand environment's initialisation).
  std::optional<std::chrono::nanoseconds> init_duration;

  bool operator==(const LambdaReport&) const = default;
};

// The last line of `log_text` that starts with "REPORT RequestId:", read as AWS writes it:
//   REPORT RequestId: <id>\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 1024 MB\t
//   Max Memory Used: 70 MB\tInit Duration: 200.12 ms\t
// Fields are tab-separated "<name>: <value>", in any order; durations are decimal milliseconds
// with the unit "ms", memory whole "MB". Fields it does not know (Restore Duration, Billed
// Restore Duration, XRAY TraceId, SegmentId, Sampled, ...) are skipped. nullopt when there is no
// REPORT line, when Duration, Billed Duration, Memory Size or Max Memory Used is missing, or when
// a field it knows is malformed (a line cut short): a partial record is not AWS's word. Only the
// text format: a function logging in JSON format (platform.report records) gives nullopt.
std::optional<LambdaReport> ParseLambdaReport(std::string_view log_text);

}  // namespace loadgen

#endif  // LOADGEN_LAMBDA_REPORT_H_
