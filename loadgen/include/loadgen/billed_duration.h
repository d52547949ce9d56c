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

// What AWS bills for the duration of an invocation it bills: rounded up to the next whole
// millisecond, and never under 1 ms (AWS's minimum: a reported "0" or a 0.2 ms run bills 1 ms).
// Whether a request is billed at all is not this function's call (the billability table in the
// cost model decides, see docs/cost-model.md). The one copy of the rule: the billed-duration
// header, the REPORT line and a measured latency (an upper bound) all go through it.
uint64_t RoundBilledMs(std::chrono::nanoseconds duration);

}  // namespace loadgen

#endif  // LOADGEN_BILLED_DURATION_H_
