// What every subcommand shares on its command line: parsing with CLI11 and the wording of a bad
// flag ("infercost <command>: what is wrong", exit 2), durations, comma lists and positive
// numbers. Thread contract: free functions; call from the main thread (they print to stderr).
#ifndef INFERCOST_CLI_FLAGS_H_
#define INFERCOST_CLI_FLAGS_H_

#include <CLI/CLI.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace infercost {

// Parses argv into `app`. Nullopt to go on; otherwise the exit code to return: kExitOk after
// --help (printed on stdout), kExitUsage after a bad flag, said on stderr as
// "infercost <command>: <what>" with a pointer to --help. Flags are checked before anything
// else: an unknown flag (with the closest known one) or a flag without its value is reported
// ahead of CLI11's own checks, so that a typo is never hidden behind a later complaint.
std::optional<int> ParseFlags(CLI::App& app, int argc, char** argv);

// What is wrong with the flags of `args` (argv without the program) for `app`, "" when nothing:
// "unknown flag --concurency; did you mean --concurrency?" for the first flag `app` does not
// know (the suggestion only when one is close, by the config reader's rule), or "--listen needs
// a value" for a flag left without its value at the end. Values of known flags are skipped, so
// "--usd-per-hour -1" and "--header '-x: y'" are not taken for flags; "--" ends the flags.
std::string FlagError(const CLI::App& app, const std::vector<std::string>& args);

// Checks of a number flag, in place of CLI11's Range, PositiveNumber and NonNegativeNumber, in
// our words: "--time-scale: must be from 1 to 10000, got '0.5'", "--seed: must be 0 or more,
// got '-1'", "--time-scale: 'x' is not a number".
enum class NumberBound { kPositive, kZeroOrMore };
CLI::Validator NumberCheck(NumberBound bound);
CLI::Validator NumberCheck(double min, double max);

// Says "<program>: <message>" on stderr and returns kExitUsage.
int UsageError(std::string_view program, std::string_view message);

// A duration flag, written as DESIGN.md and the config write them: 500ms, 30s, 5m, 1h, 1m30s (a
// bare 0 too). A bare number is refused as the config refuses it, and the message says what to
// write instead ("write 30s"). Zero is refused unless `allow_zero`; negatives always. On failure
// returns nullopt and sets `error` to "<flag>: ...".
enum class DurationBound { kPositive, kZeroOrMore };
std::optional<std::chrono::nanoseconds> ParseDurationFlag(std::string_view flag,
                                                          std::string_view text,
                                                          DurationBound bound, std::string* error);

// "a,b,c" -> {"a", "b", "c"}; empty items are kept ("1,,2" has an empty second item) so that the
// caller's item check refuses them.
std::vector<std::string> SplitList(std::string_view text, char separator = ',');

// A finite number above 0 written in full ("2.5"; not "2.5x", not "inf").
std::optional<double> ParsePositiveNumber(std::string_view text);

}  // namespace infercost

#endif  // INFERCOST_CLI_FLAGS_H_
