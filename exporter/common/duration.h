// Durations as users write them: 500ms, 30s, 5m, 1h, 1m30s, 1.5s. Also us/µs and ns.
#ifndef INFERCOST_COMMON_DURATION_H_
#define INFERCOST_COMMON_DURATION_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace infercost {

// Durations are nanoseconds in 64 bits: at most this (about 292 years, 2562047h47m16s).
inline constexpr std::chrono::nanoseconds kMaxDuration = std::chrono::nanoseconds::max();

// Nullopt when `text` is not a duration, or is one longer than kMaxDuration (then `*too_long` is
// set, when given, so that a message can say so rather than "not a duration"); zero and negative
// values are the caller's to refuse.
std::optional<std::chrono::nanoseconds> ParseDuration(std::string_view text,
                                                      bool* too_long = nullptr);
// The shortest exact form: 1h, 5m, 30s, 1m30s, 500ms, 250us.
std::string FormatDuration(std::chrono::nanoseconds d);

}  // namespace infercost

#endif  // INFERCOST_COMMON_DURATION_H_
