#include "cli/flags.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "cli/commands.h"
#include "common/duration.h"

namespace infercost {

std::optional<int> ParseFlags(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
      app.exit(e);  // --help: the help text on stdout
      return kExitOk;
    }
    const std::string program = app.get_name();
    std::fprintf(stderr, "%s: %s\nRun '%s --help' for the flags.\n", program.c_str(), e.what(),
                 program.c_str());
    return kExitUsage;
  }
  return std::nullopt;
}

int UsageError(std::string_view program, std::string_view message) {
  std::fprintf(stderr, "%.*s: %.*s\n", static_cast<int>(program.size()), program.data(),
               static_cast<int>(message.size()), message.data());
  return kExitUsage;
}

std::optional<std::chrono::nanoseconds> ParseDurationFlag(std::string_view flag,
                                                          std::string_view text,
                                                          DurationBound bound, std::string* error) {
  const std::string quoted = "'" + std::string(text) + "'";
  const std::optional<std::chrono::nanoseconds> value = ParseDuration(text);
  if (!value) {
    double number = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (ec == std::errc() && end == text.data() + text.size() && !text.empty()) {
      *error = std::string(flag) + ": " + quoted + " has no unit; write " + std::string(text) +
               "s (or e.g. 500ms, 5m, 1h)";
    } else {
      *error = std::string(flag) + ": " + quoted +
               " is not a duration; write e.g. 500ms, 30s, 5m, 1h or 1m30s";
    }
    return std::nullopt;
  }
  if (value->count() < 0 || (bound == DurationBound::kPositive && value->count() == 0)) {
    *error = std::string(flag) + ": must be " +
             (bound == DurationBound::kPositive ? "greater than 0" : "0 or more") + ", got " +
             quoted;
    return std::nullopt;
  }
  return value;
}

std::vector<std::string> SplitList(std::string_view text, char separator) {
  std::vector<std::string> parts;
  while (true) {
    const std::size_t end = text.find(separator);
    parts.emplace_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return parts;
}

std::optional<double> ParsePositiveNumber(std::string_view text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() ||
      !std::isfinite(value) || value <= 0) {
    return std::nullopt;
  }
  return value;
}

}  // namespace infercost
