// `infercost emulate` as a user runs it: flags, exit codes, the URLs it prints, SIGTERM.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "http_client.h"

extern char** environ;

namespace {

const std::string kTestData = std::string(INFERCOST_SOURCE_DIR) + "/tests/emulator/testdata/";

// The binary with `args`, its stdout and stderr on one pipe.
class Process {
 public:
  explicit Process(std::vector<std::string> args) {
    args.insert(args.begin(), {INFERCOST_BINARY, "emulate"});
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (std::string& a : args) {
      argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    int fds[2];
    EXPECT_EQ(pipe2(fds, O_CLOEXEC), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
    EXPECT_EQ(posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    out_ = fds[0];
  }
  ~Process() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      Wait();
    }
    close(out_);
  }

  // Reads output until it contains `text`, the output ends or 20 s pass; returns all read.
  std::string ReadUntil(const std::string& text) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (output_.find(text) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      if (Read(100) == kEnd) {
        break;
      }
    }
    return output_;
  }
  // Reads to the end of output and returns the exit code (-1 if killed by a signal). A process
  // still running after 30 s is killed.
  int Wait() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (Read(100) != kEnd) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid_, SIGKILL);
      }
    }
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  void Signal(int signal) { kill(pid_, signal); }
  const std::string& output() const { return output_; }

 private:
  enum ReadResult { kData, kQuiet, kEnd };
  ReadResult Read(int timeout_ms) {
    pollfd p{out_, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) {
      return kQuiet;
    }
    char buffer[4096];
    const ssize_t n = read(out_, buffer, sizeof buffer);
    if (n <= 0) {
      return kEnd;
    }
    output_.append(buffer, static_cast<size_t>(n));
    return kData;
  }

  pid_t pid_ = -1;
  int out_ = -1;
  std::string output_;
};

int ExitCode(std::vector<std::string> args, std::string* output) {
  Process p(std::move(args));
  const int code = p.Wait();
  *output = p.output();
  return code;
}

TEST(EmulateCommandTest, BadFlagsExitWithTwo) {
  std::string output;
  // Each with a valid ephemeral --listen, so that a wrongly accepted flag cannot take a fixed port.
  const auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--listen", "127.0.0.1:0"});
    return ExitCode(args, &output);
  };
  EXPECT_EQ(run({"--bogus"}), 2);
  EXPECT_NE(output.find("--bogus"), std::string::npos) << output;
  EXPECT_EQ(run({"--time-scale", "0"}), 2);
  EXPECT_EQ(run({"--time-scale", "fast"}), 2);
  EXPECT_EQ(run({"--seed", "-3"}), 2);
  EXPECT_EQ(run({"--seed", "x"}), 2);
  EXPECT_EQ(run({"--sagemaker-endpoint", "no-profile"}), 2);
  EXPECT_NE(output.find("must be NAME=PROFILE"), std::string::npos) << output;
  EXPECT_EQ(run({"--sagemaker-endpoint", "ep=lambda"}), 2);
  EXPECT_NE(output.find("SageMaker endpoint 'ep': 'lambda' is not an instance profile"),
            std::string::npos)
      << output;
  EXPECT_EQ(run({"--credential-lifetime", "0"}), 2);
  EXPECT_EQ(run({"--function-url-auth", "open"}), 2);
  EXPECT_NE(output.find("--function-url-auth 'open' must be aws_iam, none or FUNCTION="),
            std::string::npos)
      << output;
  EXPECT_EQ(run({"--function-url-auth", "=none"}), 2);
  EXPECT_EQ(run({"--function-url-auth", "t3.medium=none"}), 2);
  EXPECT_NE(output.find("Function URL auth for 't3.medium': no lambda profile of that name"),
            std::string::npos)
      << output;
  EXPECT_EQ(ExitCode({"--listen", "nowhere"}, &output), 2);
  EXPECT_NE(output.find("infercost emulate: --listen 'nowhere' must be HOST:PORT"),
            std::string::npos)
      << output;
}

TEST(EmulateCommandTest, HelpExitsWithZero) {
  std::string output;
  EXPECT_EQ(ExitCode({"--listen", "127.0.0.1:0", "--help"}, &output), 0);
  EXPECT_NE(output.find("--time-scale"), std::string::npos);
  EXPECT_NE(output.find("--profiles"), std::string::npos);
}

TEST(EmulateCommandTest, BadProfilesFileExitsWithTwoAndSaysWhere) {
  std::string output;
  EXPECT_EQ(ExitCode({"--listen", "127.0.0.1:0", "--profiles",
                      kTestData + "invalid-throttle-status.yaml"},
                     &output),
            2);
  EXPECT_NE(output.find(kTestData +
                        "invalid-throttle-status.yaml:5:22: 'throttle_status' must be 429, 500 "
                        "or 502, got 418"),
            std::string::npos)
      << output;
  EXPECT_EQ(
      ExitCode({"--listen", "127.0.0.1:0", "--profiles", kTestData + "missing.yaml"}, &output), 2);
  EXPECT_NE(output.find("missing.yaml: cannot read the profiles file"), std::string::npos);
}

TEST(EmulateCommandTest, PrintsEachTargetsUrlServesAndStopsOnSigterm) {
  Process p({"--listen", "127.0.0.1:0", "--time-scale", "1000", "--seed", "5"});
  const std::string output = p.ReadUntil("/lambda/predict\n");
  ASSERT_NE(output.find("/lambda/predict\n"), std::string::npos) << output;
  EXPECT_NE(output.find("(time scale 1000, seed 5)"), std::string::npos) << output;
  const size_t url_start = output.find("POST http://127.0.0.1:");
  ASSERT_NE(url_start, std::string::npos);
  const std::string first_url =
      output.substr(url_start + 5, output.find('\n', url_start) - url_start - 5);
  EXPECT_NE(first_url.find("/g4dn.xlarge/predict"), std::string::npos) << first_url;
  for (const char* target : {"t3.medium", "t4g.medium", "lambda"}) {
    EXPECT_NE(output.find(std::string("/") + target + "/predict"), std::string::npos) << target;
  }

  curl_global_init(CURL_GLOBAL_DEFAULT);
  emulator_test::HttpClient client;
  const emulator_test::Reply reply = client.Post(first_url);
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.Header("x-cold-start"), "false");

  p.Signal(SIGTERM);
  EXPECT_EQ(p.Wait(), 0);
  EXPECT_NE(p.output().find("SIGTERM, stopping"), std::string::npos);
}

TEST(EmulateCommandTest, APortInUseIsARunTimeFailure) {
  Process first({"--listen", "127.0.0.1:0", "--time-scale", "1000"});
  const std::string output = first.ReadUntil("/lambda/predict\n");
  const size_t at = output.find("http://127.0.0.1:");
  ASSERT_NE(at, std::string::npos) << output;
  const std::string port =
      output.substr(at + 17, output.find_first_not_of("0123456789", at + 17) - at - 17);
  std::string second_output;
  EXPECT_EQ(ExitCode({"--listen", "127.0.0.1:" + port}, &second_output), 1);
  EXPECT_NE(second_output.find("cannot listen on 127.0.0.1:" + port), std::string::npos)
      << second_output;
  first.Signal(SIGINT);
  EXPECT_EQ(first.Wait(), 0);
}

}  // namespace
