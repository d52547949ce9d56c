// The billed duration of a request: the one parser of the billed-duration header and the one
// rounding to what AWS bills. Pure and thread-safe.
#ifndef LOADGEN_BILLED_DURATION_H_
#define LOADGEN_BILLED_DURATION_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace loadgen {

// The value of a billed-duration header (Lambda's X-Billed-Duration-Ms style): milliseconds as a
// plain decimal, "631" or "630.82", blanks around it ignored. nullopt for anything else: empty,
// negative, NaN or infinite, exponent or hex forms, units ("12ms"), or above 1e12 ms (30 years).
// Not rounded: RoundBilledMs does that.
std::optional<std::chrono::nanoseconds> ParseBilledDuration(std::string_view text);

// What AWS bills for a duration: rounded up to the next whole millisecond, so any invocation
// that ran bills at least 1 ms. A reported 0 stays 0: the function did not run (a throttle, a
// payload refused before the handler), and AWS bills no duration for it. A measured latency (never
// 0) becomes its billed upper bound the same way.
uint64_t RoundBilledMs(std::chrono::nanoseconds duration);

}  // namespace loadgen

#endif  // LOADGEN_BILLED_DURATION_H_
