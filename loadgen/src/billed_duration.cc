#include "loadgen/billed_duration.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <system_error>

#include "transfer.h"

namespace loadgen {
namespace {

constexpr double kMaxMs = 1e12;  // 30 years: anything above is not a billed duration
constexpr int64_t kNsPerMs = 1'000'000;

}  // namespace

std::optional<std::chrono::nanoseconds> ParseBilledDuration(std::string_view text) {
  text = internal::Trim(text);
  if (text.empty()) return std::nullopt;
  double ms = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, ms, std::chars_format::fixed);
  if (ec != std::errc() || ptr != end || !std::isfinite(ms) || ms < 0 || ms > kMaxMs) {
    return std::nullopt;
  }
  return std::chrono::nanoseconds(std::llround(ms * static_cast<double>(kNsPerMs)));
}

uint64_t RoundBilledMs(std::chrono::nanoseconds duration) {
  constexpr uint64_t kMinimumMs = 1;
  const int64_t ns = duration.count();
  if (ns <= 0) return kMinimumMs;
  return std::max(kMinimumMs, static_cast<uint64_t>((ns + kNsPerMs - 1) / kNsPerMs));
}

}  // namespace loadgen
