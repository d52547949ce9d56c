// Child processes for tests that run a binary (usually `infercost`) the way a user does: to
// completion with its output captured, or in the background to be signalled and stopped.
//
// Both forms start the child with posix_spawn rather than fork: the tests that use them run server
// threads of their own, and a forked copy of a multi-threaded process may only call
// async-signal-safe functions before exec. Every wait is bounded, so that a child that hangs fails
// its test instead of holding up the whole suite until ctest gives up.
#ifndef TESTS_SUPPORT_PROCESS_H_
#define TESTS_SUPPORT_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace infercost::test {

// How a child ended. exit_code is the child's own code, 128 + N when signal N ended it (as a shell
// reports it), or -1 when it could not be started (`err` then says why).
struct ProcessResult {
  int exit_code = -1;
  std::string out;  // everything the child wrote to stdout
  std::string err;  // everything it wrote to stderr
  bool timed_out = false;
};

struct RunOptions {
  // The child's whole environment, as NAME=value strings; unset: the test's own environment.
  std::optional<std::vector<std::string>> env;
  // Read as the child's stdin; empty: /dev/null, so that nothing waits on the terminal.
  std::filesystem::path stdin_path;
  // A child still running after this long is killed with SIGKILL; the result then has timed_out
  // set and a note at the end of `err`. Generous: it is a guard against hangs, not a measure.
  std::chrono::milliseconds timeout = std::chrono::minutes(5);
};

// Runs argv[0] with `argv` (argv[0] without a slash is looked up in PATH) to completion, with its
// stdout and stderr captured through pipes, and reaps it. Thread contract: safe to call from any
// thread; each call owns its child.
ProcessResult RunProcess(const std::vector<std::string>& argv, const RunOptions& options = {});

// A child left running while the test talks to it: stdin from /dev/null, stdout and stderr into
// files (/dev/null unless given) that the test can read while it runs. The destructor kills and
// reaps a child that is still running, so none outlives its test. Thread contract: one thread
// uses an object at a time.
class BackgroundProcess {
 public:
  BackgroundProcess(const std::vector<std::string>& argv,
                    const std::filesystem::path& stdout_path = "/dev/null",
                    const std::filesystem::path& stderr_path = "/dev/null");
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  // False when the child could not be started; it then counts as exited with code -1.
  bool started() const { return pid_ > 0; }

  void Signal(int signal) const;
  // Whether the child has ended, without blocking; reaps it when it has.
  bool Exited();
  // Blocks until the child ends and returns its exit code (see ProcessResult::exit_code).
  int Wait();
  // SIGTERM, then the exit code; SIGKILL if it is still running after `timeout`.
  int Stop(std::chrono::milliseconds timeout = std::chrono::seconds(30));

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

}  // namespace infercost::test

#endif  // TESTS_SUPPORT_PROCESS_H_
