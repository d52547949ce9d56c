#include "cli/flags.h"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace infercost {
namespace {

using std::chrono::nanoseconds;

// Flags of every kind a subcommand has: a value, a repeatable value, a number, a switch and a
// positional.
struct SampleApp {
  CLI::App app{"sample", "infercost sample"};
  std::string config, listen, file;
  std::vector<std::string> headers;
  std::optional<int> concurrency;
  std::optional<double> usd_per_hour;
  bool yes = false;

  SampleApp() {
    app.add_option("--config", config);
    app.add_option("--listen", listen);
    app.add_option("--header", headers);
    app.add_option("--concurrency", concurrency);
    app.add_option("--usd-per-hour", usd_per_hour);
    app.add_flag("--yes", yes);
    app.add_option("FILE", file);
  }
};

TEST(FlagErrorTest, NamesTheFirstUnknownFlagWithTheClosestKnownOne) {
  struct Case {
    std::vector<std::string> args;
    std::string error;
  };
  const std::vector<Case> cases = {
      {{}, ""},
      {{"--config", "a.yaml", "--listen=:0", "--yes", "file.yaml"}, ""},
      {{"-h"}, ""},
      {{"--help"}, ""},
      {{"--bogus"}, "unknown flag --bogus"},
      {{"--bogus=1"}, "unknown flag --bogus"},
      {{"--concurency", "4"}, "unknown flag --concurency; did you mean --concurrency?"},
      {{"--conifg=a.yaml"}, "unknown flag --conifg; did you mean --config?"},
      {{"-config", "a.yaml"}, "unknown flag -config; did you mean --config?"},
      {{"--CONFIG", "a.yaml"}, "unknown flag --CONFIG; did you mean --config?"},
      {{"--usd", "1"}, "unknown flag --usd; did you mean --usd-per-hour?"},
      {{"-x"}, "unknown flag -x"},
      // The first bad flag is named, whatever comes after it.
      {{"--yes", "--lisen", ":0", "--bogus"}, "unknown flag --lisen; did you mean --listen?"},
      // Values of known flags are not flags, even when they start with a dash.
      {{"--usd-per-hour", "-1"}, ""},
      {{"--header", "-x: y", "--header", "--z: w"}, ""},
      {{"file.yaml", "-1", "-.5", "-"}, ""},
      // "--" ends the flags, as CLI11 reads it.
      {{"--", "--bogus"}, ""},
      {{"--listen"}, "--listen needs a value"},
      {{"--yes", "--config"}, "--config needs a value"},
  };
  for (const Case& c : cases) {
    SampleApp sample;
    std::string joined;
    for (const std::string& a : c.args) joined += a + " ";
    EXPECT_EQ(FlagError(sample.app, c.args), c.error) << joined;
  }
}

TEST(ParseDurationFlagTest, AcceptsWhatTheConfigAcceptsAndSaysWhatToWriteOtherwise) {
  using namespace std::chrono_literals;
  struct Case {
    std::string text;
    DurationBound bound;
    std::optional<nanoseconds> want;
    std::string error;  // when want is nullopt
  };
  const std::vector<Case> cases = {
      {"500ms", DurationBound::kPositive, 500ms, ""},
      {"30s", DurationBound::kPositive, 30s, ""},
      {"5m", DurationBound::kPositive, 5min, ""},
      {"1h", DurationBound::kPositive, 1h, ""},
      {"1m30s", DurationBound::kPositive, 90s, ""},
      {"0", DurationBound::kZeroOrMore, 0s, ""},
      {"0s", DurationBound::kZeroOrMore, 0s, ""},
      {"30", DurationBound::kPositive, std::nullopt,
       "--step: '30' has no unit; write 30s (or e.g. 500ms, 5m, 1h)"},
      {"1.5", DurationBound::kPositive, std::nullopt,
       "--step: '1.5' has no unit; write 1.5s (or e.g. 500ms, 5m, 1h)"},
      {"soon", DurationBound::kPositive, std::nullopt,
       "--step: 'soon' is not a duration; write e.g. 500ms, 30s, 5m, 1h or 1m30s"},
      {"", DurationBound::kPositive, std::nullopt,
       "--step: '' is not a duration; write e.g. 500ms, 30s, 5m, 1h or 1m30s"},
      {"5 s", DurationBound::kPositive, std::nullopt,
       "--step: '5 s' is not a duration; write e.g. 500ms, 30s, 5m, 1h or 1m30s"},
      {"0s", DurationBound::kPositive, std::nullopt, "--step: must be greater than 0, got '0s'"},
      {"-5s", DurationBound::kPositive, std::nullopt, "--step: must be greater than 0, got '-5s'"},
      {"-5s", DurationBound::kZeroOrMore, std::nullopt, "--step: must be 0 or more, got '-5s'"},
  };
  for (const Case& c : cases) {
    std::string error;
    const std::optional<nanoseconds> got = ParseDurationFlag("--step", c.text, c.bound, &error);
    EXPECT_EQ(got, c.want) << c.text;
    EXPECT_EQ(error, c.error) << c.text;
  }
}

TEST(NumberCheckTest, SaysWhatANumberFlagMustBe) {
  struct Case {
    CLI::Validator check;
    std::string text;
    std::string error;  // "" when accepted
  };
  const std::vector<Case> cases = {
      {NumberCheck(NumberBound::kPositive), "2.5", ""},
      {NumberCheck(NumberBound::kPositive), "0", "must be greater than 0, got '0'"},
      {NumberCheck(NumberBound::kPositive), "x", "'x' is not a number"},
      {NumberCheck(NumberBound::kPositive), "inf", "'inf' is not a number"},
      {NumberCheck(NumberBound::kZeroOrMore), "0", ""},
      {NumberCheck(NumberBound::kZeroOrMore), "-1", "must be 0 or more, got '-1'"},
      {NumberCheck(1, 10000), "1", ""},
      {NumberCheck(1, 10000), "10000", ""},
      {NumberCheck(1, 10000), "0.5", "must be from 1 to 10000, got '0.5'"},
      {NumberCheck(1, 10000), "1e5", "must be from 1 to 10000, got '1e5'"},
      {NumberCheck(1, 10000), "", "'' is not a number"},
  };
  for (Case c : cases) {
    std::string text = c.text;
    EXPECT_EQ(c.check(text), c.error) << c.text;
  }
}

TEST(SplitListTest, KeepsEmptyItemsForTheCallerToRefuse) {
  EXPECT_EQ(SplitList("1,2,4"), (std::vector<std::string>{"1", "2", "4"}));
  EXPECT_EQ(SplitList("8"), (std::vector<std::string>{"8"}));
  EXPECT_EQ(SplitList(""), (std::vector<std::string>{""}));
  EXPECT_EQ(SplitList("1,,2"), (std::vector<std::string>{"1", "", "2"}));
  EXPECT_EQ(SplitList("1,"), (std::vector<std::string>{"1", ""}));
  EXPECT_EQ(SplitList("50:20", ':'), (std::vector<std::string>{"50", "20"}));
}

TEST(ParsePositiveNumberTest, AFiniteNumberAboveZeroWrittenInFull) {
  struct Case {
    std::string text;
    std::optional<double> want;
  };
  const std::vector<Case> cases = {
      {"1", 1.0},           {"2.5", 2.5},          {"1e3", 1000.0},
      {"0", std::nullopt},  {"-1", std::nullopt},  {"2.5x", std::nullopt},
      {"", std::nullopt},   {"inf", std::nullopt}, {"nan", std::nullopt},
      {" 1", std::nullopt},
  };
  for (const Case& c : cases) EXPECT_EQ(ParsePositiveNumber(c.text), c.want) << c.text;
}

}  // namespace
}  // namespace infercost
