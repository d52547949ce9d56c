// Bad usage of every subcommand, the binary run as a user runs it: the exact first line of
// stderr (always "infercost <command>: ..."), exit code 2, and nothing started on the way (no
// emulated fleet, no listening server, no request sent, no report written).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_server.h"

namespace {

namespace fs = std::filesystem;
using infercost::test::ProcessResult;

struct Case {
  std::vector<std::string> args;  // after the binary: the command and its flags
  std::string first_line;         // of stderr, exactly
};

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

std::string Joined(const std::vector<std::string>& args) {
  std::string joined = "infercost";
  for (const std::string& a : args) joined += " " + a;
  return joined;
}

class UsageTest : public ::testing::Test {
 protected:
  // Runs each case and checks what every bad usage has in common. A command that wrongly starts
  // would run until stopped: the timeout turns that into a failure rather than a hang.
  void Check(const std::vector<Case>& cases) {
    for (const Case& c : cases) {
      std::vector<std::string> argv = {INFERCOST_BINARY};
      argv.insert(argv.end(), c.args.begin(), c.args.end());
      infercost::test::RunOptions options;
      options.timeout = std::chrono::seconds(60);
      const ProcessResult run = infercost::test::RunProcess(argv, options);
      const std::string what = Joined(c.args) + "\nstderr: " + run.err + "\nstdout: " + run.out;
      EXPECT_EQ(run.exit_code, 2) << what;
      EXPECT_EQ(FirstLine(run.err), c.first_line) << what;
      EXPECT_EQ(run.out, "") << what;
      EXPECT_EQ(run.err.find("listening"), std::string::npos) << what;
      EXPECT_EQ(run.err.find("started"), std::string::npos) << what;
    }
  }

  fs::path Write(const std::string& name, const std::string& text) {
    const fs::path path = dir_ / name;
    std::ofstream(path) << text;
    return path;
  }

  const infercost::test::TempDir dir_{
      std::string("usage_test_") + ::testing::UnitTest::GetInstance()->current_test_info()->name()};
};

TEST_F(UsageTest, Serve) {
  const std::string bad = Write("bad.yaml", "targets: 5\n").string();
  const std::string missing = (dir_ / "missing.yaml").string();
  Check({
      {{"serve", "--bogus"}, "infercost serve: unknown flag --bogus"},
      {{"serve", "--confg", bad}, "infercost serve: unknown flag --confg; did you mean --config?"},
      {{"serve", "--listen", "foo"},
       "infercost serve: --listen 'foo' must be HOST:PORT, e.g. 0.0.0.0:18090"},
      {{"serve", "--listen", "127.0.0.1:70000"},
       "infercost serve: --listen '127.0.0.1:70000' has a bad port '70000' (0 to 65535)"},
      {{"serve", "--listen"}, "infercost serve: --listen needs a value"},
      {{"serve", "extra"}, "infercost serve: unexpected argument 'extra'"},
      {{"serve", "--time-scale", "0.5"},
       "infercost serve: --time-scale: must be from 1 to 10000, got '0.5'"},
      {{"serve", "--log-level", "loud"},
       "infercost serve: --log-level: loud not in {debug,info,warn,error}"},
      {{"serve", "--config", missing},
       "infercost serve: --config: File does not exist: " + missing},
      {{"serve", "--config", bad},
       "infercost serve: " + bad + ":1:10: targets: expected a list, got '5'"},
      {{"serve", "--config", bad, "--time-scale", "10"},
       "infercost serve: --time-scale applies to the embedded emulated fleet only; remove it "
       "or remove --config"},
  });
}

TEST_F(UsageTest, Sweep) {
  const std::string file = Write("file", "").string();
  const std::string out = (dir_ / "report").string();
  Check({
      {{"sweep", "--bogus", "--out", out}, "infercost sweep: unknown flag --bogus"},
      {{"sweep", "--seed", "-1", "--out", out},
       "infercost sweep: --seed: must be 0 or more, got '-1'"},
      {{"sweep", "--concurency", "1,2", "--out", out},
       "infercost sweep: unknown flag --concurency; did you mean --concurrency?"},
      {{"sweep", "--step", "30", "--out", out},
       "infercost sweep: --step: '30' has no unit; write 30s (or e.g. 500ms, 5m, 1h)"},
      {{"sweep", "--out", file + "/report"},
       "infercost sweep: --out " + file + "/report: " + file + " is not a directory"},
      {{"sweep", "--out", out, "--seed"}, "infercost sweep: --seed needs a value"},
  });
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(UsageTest, Emulate) {
  Check({
      {{"emulate", "--bogus"}, "infercost emulate: unknown flag --bogus"},
      {{"emulate", "--time-scal", "5"},
       "infercost emulate: unknown flag --time-scal; did you mean --time-scale?"},
      {{"emulate", "--seed", "-1"}, "infercost emulate: --seed: must be 0 or more, got '-1'"},
      {{"emulate", "--time-scale", "0"},
       "infercost emulate: --time-scale: must be greater than 0, got '0'"},
      {{"emulate", "--listen", "foo"},
       "infercost emulate: --listen 'foo' must be HOST:PORT, e.g. 0.0.0.0:18090"},
      {{"emulate", "--function-url-auth", "maybe"},
       "infercost emulate: --function-url-auth 'maybe' must be aws_iam, none or "
       "FUNCTION=aws_iam|none"},
  });
}

TEST_F(UsageTest, Bench) {
  const infercost::test::TestServer server;
  const std::string url = server.Url("/ok");
  const std::string csv = (dir_ / "no" / "dir" / "x.csv").string();
  Check({
      // The typo is named, not the --url it hides.
      {{"bench", "--concurency", "4"},
       "infercost bench: unknown flag --concurency; did you mean --concurrency?"},
      {{"bench", "--url", url, "--concurrency", "1", "--requests", "1", "--bogus"},
       "infercost bench: unknown flag --bogus"},
      {{"bench", "--url", url, "--concurrency", "many", "--requests", "1"},
       "infercost bench: --concurrency: 'many' is not a whole number"},
      {{"bench", "--url", url, "--concurrency", "1", "--requests", "1", "--seed", "-1"},
       "infercost bench: --seed: must be 0 or more, got '-1'"},
      {{"bench", "--concurrency", "4", "--requests", "1"},
       "infercost bench: give exactly one of --url, --lambda-function or --sagemaker-endpoint"},
      {{"bench", "--url", url, "--concurrency", "1", "--requests", "1", "--csv", csv},
       "infercost bench: cannot write CSV file " + csv + ": No such file or directory"},
  });
  EXPECT_EQ(server.Requests(), 0u);
}

TEST_F(UsageTest, CheckConfigAndVersion) {
  const std::string bad = Write("bad.yaml", "targets: 5\n").string();
  Check({
      {{"check-config", "--bogus", bad}, "infercost check-config: unknown flag --bogus"},
      {{"check-config", "--latncy", "1s", bad},
       "infercost check-config: unknown flag --latncy; did you mean --latency?"},
      {{"check-config"}, "infercost check-config: FILE is required"},
      {{"version", "--bogus"}, "infercost version: unknown flag --bogus"},
      {{"serv"}, "infercost: unknown command 'serv'; did you mean serve?"},
  });
}

}  // namespace
