#include "common/duration.h"

#include <charconv>
#include <cmath>
#include <cstdint>

namespace infercost {
namespace {

struct Unit {
  std::string_view suffix;
  double ns;
};
// Longest suffixes first so that "ms" is not read as "m" followed by "s".
constexpr Unit kUnits[] = {{"ms", 1e6},   {"us", 1e3}, {"\xC2\xB5s", 1e3}, {"ns", 1.0},
                           {"h", 3.6e12}, {"m", 6e10}, {"s", 1e9}};

}  // namespace

std::optional<std::chrono::nanoseconds> ParseDuration(std::string_view text, bool* too_long) {
  if (too_long != nullptr) *too_long = false;
  if (text.empty()) return std::nullopt;
  bool negative = false;
  if (text.front() == '-') {
    negative = true;
    text.remove_prefix(1);
  }
  if (text == "0") return std::chrono::nanoseconds(0);
  double total_ns = 0;
  while (!text.empty()) {
    double value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end == text.data()) return std::nullopt;
    // A sign belongs at the start only: "--5s" or "1s-5s" is not a duration (and a negative part
    // could take the total below what an int64_t holds).
    if (!(value >= 0) || std::isinf(value)) return std::nullopt;
    text.remove_prefix(static_cast<std::size_t>(end - text.data()));
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (text.starts_with(u.suffix)) {
        unit = &u;
        break;
      }
    }
    if (unit == nullptr) return std::nullopt;
    text.remove_prefix(unit->suffix.size());
    total_ns += value * unit->ns;
  }
  // 9.2e18 is the largest round figure below kMaxDuration (9.22e18 ns).
  if (std::isnan(total_ns)) return std::nullopt;
  if (!(total_ns <= 9.2e18)) {
    if (too_long != nullptr) *too_long = true;
    return std::nullopt;
  }
  auto ns = static_cast<int64_t>(std::llround(total_ns));
  return std::chrono::nanoseconds(negative ? -ns : ns);
}

std::string FormatDuration(std::chrono::nanoseconds d) {
  int64_t ns = d.count();
  if (ns == 0) return "0s";
  std::string out;
  if (ns < 0) {
    out = "-";
    ns = -ns;
  }
  if (ns % 1'000'000'000 == 0) {
    int64_t s = ns / 1'000'000'000;
    if (s >= 3600) {
      out += std::to_string(s / 3600) + "h";
      s %= 3600;
    }
    if (s >= 60) {
      out += std::to_string(s / 60) + "m";
      s %= 60;
    }
    if (s > 0) out += std::to_string(s) + "s";
    return out;
  }
  if (ns % 1'000'000 == 0) return out + std::to_string(ns / 1'000'000) + "ms";
  if (ns % 1'000 == 0) return out + std::to_string(ns / 1'000) + "us";
  return out + std::to_string(ns) + "ns";
}

}  // namespace infercost
