// credential_process: run a command with no shell and read the credentials it prints.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

#include "aws/credentials.h"
#include "aws/flat_json.h"
#include "aws/profile.h"

extern char** environ;

namespace infercost::aws {
namespace {

// A credential process that has not finished within this is killed (the SDKs set no bound; a
// service must not hang its refresher forever).
constexpr std::chrono::seconds kProcessTimeout{60};
constexpr std::size_t kMaxOutputBytes = 64 * 1024;

// Reads `fd` to its end under the deadline; false when the deadline passed or output overflowed.
bool ReadAll(int fd, std::string* out) {
  const auto deadline = std::chrono::steady_clock::now() + kProcessTimeout;
  char buffer[4096];
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    const int ready = poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return true;
    out->append(buffer, static_cast<std::size_t>(n));
    if (out->size() > kMaxOutputBytes) return false;
  }
}

}  // namespace

Lookup FromProcess(const std::string& command) {
  const std::vector<std::string> args = SplitCommandLine(command);
  if (args.empty()) return Lookup::Error("credential_process is empty");
  const std::string& program = args.front();
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return Lookup::Error("cannot create a pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  if (spawned != 0) {
    close(pipe_fds[0]);
    return Lookup::Error("cannot run credential_process " + program);
  }
  std::string output;
  const bool complete = ReadAll(pipe_fds[0], &output);
  close(pipe_fds[0]);
  if (!complete) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!complete) {
    return Lookup::Error("credential_process " + program + " did not finish within " +
                         std::to_string(kProcessTimeout.count()) + "s or printed too much");
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Lookup::Error("credential_process " + program + " failed (exit status " +
                         std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")");
  }
  std::string error;
  const std::optional<FlatJsonObject> object = ParseFlatJsonObject(output, &error);
  if (!object) {
    return Lookup::Error("credential_process " + program + " printed no JSON object: " + error);
  }
  if (object->Get("Version") != "1") {
    return Lookup::Error("credential_process " + program + " printed no \"Version\": 1");
  }
  return internal::CredentialsFromJson(output, "SessionToken",
                                       "credential_process " + program + "'s output");
}

}  // namespace infercost::aws
