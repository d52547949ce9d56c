// The child-process helpers themselves, on /bin/sh: what the command tests rely on (separate
// stdout and stderr, exit codes, the environment, stdin) and the paths they only take when
// something goes wrong (a hang killed at the timeout, a binary that cannot start).
#include "tests/support/process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/temp_dir.h"

namespace infercost::test {
namespace {

std::string Read(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(RunProcess, CapturesStdoutAndStderrApartWithTheExitCode) {
  const ProcessResult run = RunProcess({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_EQ(run.out, "out\n");
  EXPECT_EQ(run.err, "err\n");
  EXPECT_FALSE(run.timed_out);
}

TEST(RunProcess, CapturesMoreThanAPipeHoldsOnBothStreams) {
  // 256 KiB on each stream: a reader that waited on one pipe only would deadlock here.
  const ProcessResult run = RunProcess(
      {"/bin/sh", "-c", "head -c 262144 /dev/zero; head -c 262144 /dev/zero >&2; exit 0"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.out.size(), 262144u);
  EXPECT_EQ(run.err.size(), 262144u);
}

TEST(RunProcess, GivesExactlyTheEnvironmentAndStdinAskedFor) {
  ASSERT_EQ(setenv("INFERCOST_PROCESS_TEST", "inherited", 1), 0);
  const std::string script = "echo \"${ONLY-unset} ${INFERCOST_PROCESS_TEST-unset}\"; cat";
  EXPECT_EQ(RunProcess({"/bin/sh", "-c", script}).out, "unset inherited\n");

  const TempDir dir("process_test_stdin");
  std::ofstream(dir / "in") << "from the file\n";
  RunOptions options;
  options.env = std::vector<std::string>{"ONLY=this"};
  options.stdin_path = dir / "in";
  const ProcessResult run = RunProcess({"/bin/sh", "-c", script}, options);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "this unset\nfrom the file\n");
  unsetenv("INFERCOST_PROCESS_TEST");
}

TEST(RunProcess, KillsAChildThatOutlivesTheTimeout) {
  RunOptions options;
  options.timeout = std::chrono::milliseconds(200);
  const ProcessResult run = RunProcess({"/bin/sh", "-c", "echo started; exec sleep 60"}, options);
  EXPECT_TRUE(run.timed_out);
  EXPECT_EQ(run.exit_code, 128 + SIGKILL);
  EXPECT_EQ(run.out, "started\n");
  EXPECT_NE(run.err.find("killed after 200 ms"), std::string::npos) << run.err;
}

TEST(RunProcess, ReportsABinaryThatCannotStart) {
  const ProcessResult run = RunProcess({"/no/such/binary"});
  EXPECT_EQ(run.exit_code, -1);
  EXPECT_NE(run.err.find("cannot start /no/such/binary"), std::string::npos) << run.err;
}

TEST(BackgroundProcess, WritesItsFilesAndStopsOnSigterm) {
  const TempDir dir("process_test_background");
  // The shell traps SIGTERM and exits 7, so the code shows the signal arrived and was handled.
  BackgroundProcess child({"/bin/sh", "-c",
                           "trap 'exit 7' TERM; echo up; echo log >&2; "
                           "while :; do sleep 0.05; done"},
                          dir / "out", dir / "err");
  ASSERT_TRUE(child.started());
  // "up" comes after the trap is set: only then does SIGTERM reach the handler.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (Read(dir / "out") != "up\n" && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(Read(dir / "out"), "up\n");
  EXPECT_FALSE(child.Exited());
  EXPECT_EQ(child.Stop(), 7);
  EXPECT_TRUE(child.Exited());
  EXPECT_EQ(child.Wait(), 7);  // reaped once, remembered after
  EXPECT_EQ(Read(dir / "err"), "log\n");
}

TEST(BackgroundProcess, ReportsTheSignalThatEndedIt) {
  BackgroundProcess child({"/bin/sh", "-c", "exec sleep 60"});
  ASSERT_TRUE(child.started());
  child.Signal(SIGKILL);
  EXPECT_EQ(child.Wait(), 128 + SIGKILL);
}

}  // namespace
}  // namespace infercost::test
