#include "cli/flags.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "cli/commands.h"
#include "common/duration.h"
#include "common/yaml.h"

namespace infercost {
namespace {

// The option `name` names as written on the command line ("--config", "-h"); nullptr when none.
const CLI::Option* FindFlag(const CLI::App& app, std::string_view name) {
  for (const CLI::Option* option : app.get_options()) {
    for (const std::string& l : option->get_lnames()) {
      if (name == "--" + l) return option;
    }
    for (const std::string& s : option->get_snames()) {
      if (name == "-" + s) return option;
    }
  }
  return nullptr;
}

// Whether CLI11 reads `arg` as a flag: "--name", "--name=value", "-x"; not "-1", "-.5" or "-".
bool LooksLikeFlag(std::string_view arg) {
  if (arg.size() < 2 || arg[0] != '-') return false;
  if (arg[1] == '-') return arg.size() > 2;
  return std::isalpha(static_cast<unsigned char>(arg[1])) != 0;
}

std::string UnknownFlagMessage(const CLI::App& app, std::string_view flag) {
  std::vector<std::string> names;
  for (const CLI::Option* option : app.get_options()) {
    for (const std::string& l : option->get_lnames()) names.push_back(l);
  }
  const std::vector<std::string_view> candidates(names.begin(), names.end());
  std::string_view word = flag;
  while (!word.empty() && word.front() == '-') word.remove_prefix(1);
  std::string message = "unknown flag " + std::string(flag);
  if (const std::optional<std::string_view> close = yaml::Closest(word, candidates)) {
    message.append("; did you mean --").append(*close).append("?");
  }
  return message;
}

// "--concurrency: 'many' is not a whole number" for CLI11's "Could not convert: --concurrency =
// many"; "" when the message is not that.
std::string ConversionMessage(const CLI::App& app, std::string_view what) {
  constexpr std::string_view kPrefix = "Could not convert: ";
  const std::size_t equals = what.find(" = ");
  if (what.substr(0, kPrefix.size()) != kPrefix || equals == std::string_view::npos) return "";
  const std::string name(what.substr(kPrefix.size(), equals - kPrefix.size()));
  const std::string value(what.substr(equals + 3));
  const CLI::Option* option = FindFlag(app, name);
  const std::string type = option != nullptr ? option->get_type_name() : "";
  const char* kind = type == "INT" || type == "UINT" ? "a whole number"
                     : type == "FLOAT"               ? "a number"
                     : type == "BOOLEAN"             ? "true or false"
                                                     : "a valid value";
  return name + ": '" + value + "' is not " + kind;
}

// CLI11's complaint in our words where we have them; its own text otherwise.
std::string ParseErrorMessage(const CLI::App& app, const CLI::ParseError& e) {
  if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    const std::vector<std::string> extras = app.remaining();
    if (!extras.empty()) return "unexpected argument '" + extras.front() + "'";
  }
  if (dynamic_cast<const CLI::ConversionError*>(&e) != nullptr) {
    if (std::string message = ConversionMessage(app, e.what()); !message.empty()) return message;
  }
  return e.what();
}

std::optional<double> ParseNumber(std::string_view text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() ||
      !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

}  // namespace

CLI::Validator NumberCheck(NumberBound bound) {
  return CLI::Validator(
      [bound](std::string& text) -> std::string {
        const std::optional<double> value = ParseNumber(text);
        if (!value) return "'" + text + "' is not a number";
        if (bound == NumberBound::kPositive && *value <= 0) {
          return "must be greater than 0, got '" + text + "'";
        }
        if (*value < 0) return "must be 0 or more, got '" + text + "'";
        return "";
      },
      bound == NumberBound::kPositive ? "POSITIVE" : "NONNEGATIVE");
}

CLI::Validator NumberCheck(double min, double max) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        const std::optional<double> value = ParseNumber(text);
        if (!value) return "'" + text + "' is not a number";
        if (*value < min || *value > max) {
          return "must be from " + Number(min) + " to " + Number(max) + ", got '" + text + "'";
        }
        return "";
      },
      "FLOAT in [" + Number(min) + " - " + Number(max) + "]");
}

std::string FlagError(const CLI::App& app, const std::vector<std::string>& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (arg == "--") break;
    if (!LooksLikeFlag(arg)) continue;
    const std::size_t equals = arg.find('=');
    const std::string_view name = arg.substr(0, equals);
    const CLI::Option* option = FindFlag(app, name);
    if (option == nullptr) return UnknownFlagMessage(app, name);
    if (equals != std::string_view::npos) continue;
    const auto values = static_cast<std::size_t>(std::max(0, option->get_items_expected_min()));
    if (values > args.size() - i - 1) return std::string(name) + " needs a value";
    i += values;
  }
  return "";
}

std::optional<int> ParseFlags(CLI::App& app, int argc, char** argv) {
  const std::string program = app.get_name();
  std::string message = FlagError(app, std::vector<std::string>(argv + 1, argv + argc));
  if (message.empty()) {
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
        app.exit(e);  // --help: the help text on stdout
        return kExitOk;
      }
      message = ParseErrorMessage(app, e);
    }
  }
  if (message.empty()) return std::nullopt;
  std::fprintf(stderr, "%s: %s\nRun '%s --help' for the flags.\n", program.c_str(), message.c_str(),
               program.c_str());
  return kExitUsage;
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
  bool too_long = false;
  const std::optional<std::chrono::nanoseconds> value = ParseDuration(text, &too_long);
  if (!value && too_long) {
    *error = std::string(flag) + ": " + quoted + " is too long; durations go up to " +
             FormatDuration(std::chrono::hours(2'562'047)) + " (about 292 years)";
    return std::nullopt;
  }
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
  const std::optional<double> value = ParseNumber(text);
  return value && *value > 0 ? value : std::nullopt;
}

}  // namespace infercost
