#include "tests/support/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

extern char** environ;

namespace infercost::test {
namespace {

using Clock = std::chrono::steady_clock;

// After SIGKILL the pipes close as soon as the kernel has torn the child down; this bound only
// matters if something the child started still holds them open.
constexpr std::chrono::seconds kDrainAfterKill(10);

// The NULL-terminated array exec wants, pointing into `strings` (which must outlive it).
std::vector<char*> CArray(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

int ExitCodeOf(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Blocks until `pid` ends; its exit code, or -1 if it cannot be waited for.
int Reap(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return ExitCodeOf(status);
}

// posix_spawnp with `actions`, the given environment or our own; 0 or an errno value.
int Spawn(pid_t* pid, std::vector<std::string> argv, const posix_spawn_file_actions_t& actions,
          std::optional<std::vector<std::string>> env) {
  if (argv.empty()) return EINVAL;
  std::vector<char*> c_argv = CArray(argv);
  std::vector<char*> c_env;
  if (env) c_env = CArray(*env);
  return posix_spawnp(pid, c_argv[0], &actions, nullptr, c_argv.data(),
                      env ? c_env.data() : environ);
}

// Reads the child's stdout and stderr pipes until both close (the child has exited, or at least
// closed them), killing the child if that takes longer than `timeout`. Reading both at once keeps
// a child that fills one pipe from blocking while we wait on the other.
void Drain(pid_t pid, int out_fd, int err_fd, std::chrono::milliseconds timeout,
           ProcessResult* result) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  std::string* into[2] = {&result->out, &result->err};
  Clock::time_point deadline = Clock::now() + timeout;
  while (fds[0].fd >= 0 || fds[1].fd >= 0) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      if (result->timed_out) break;  // killed, and the pipes are still open: give up on them
      kill(pid, SIGKILL);
      result->timed_out = true;
      deadline = Clock::now() + kDrainAfterKill;
      continue;
    }
    const int ready = poll(fds, 2, static_cast<int>(left.count()));
    if (ready < 0 && errno != EINTR) break;
    for (int i = 0; ready > 0 && i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buffer[4096];
      const ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        into[i]->append(buffer, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;  // poll ignores negative descriptors
      }
    }
  }
  for (const pollfd& p : fds) {
    if (p.fd >= 0) close(p.fd);
  }
}

}  // namespace

ProcessResult RunProcess(const std::vector<std::string>& argv, const RunOptions& options) {
  ProcessResult result;
  int out_pipe[2];
  int err_pipe[2];
  // O_CLOEXEC: neither this child nor one that another thread starts meanwhile may inherit the
  // ends it should not hold, or the pipes would never report end of file.
  if (pipe2(out_pipe, O_CLOEXEC) != 0) {
    result.err = std::string("pipe: ") + std::strerror(errno);
    return result;
  }
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    result.err = std::string("pipe: ") + std::strerror(errno);
    close(out_pipe[0]);
    close(out_pipe[1]);
    return result;
  }
  const std::string stdin_path =
      options.stdin_path.empty() ? "/dev/null" : options.stdin_path.string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, stdin_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
  pid_t pid = -1;
  const int error = Spawn(&pid, argv, actions, options.env);
  posix_spawn_file_actions_destroy(&actions);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (error != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    result.err = "cannot start " + (argv.empty() ? std::string("(no argv)") : argv[0]) + ": " +
                 std::strerror(error);
    return result;
  }
  Drain(pid, out_pipe[0], err_pipe[0], options.timeout, &result);
  result.exit_code = Reap(pid);
  if (result.timed_out) {
    result.err += "\n[test support: killed after " + std::to_string(options.timeout.count()) +
                  " ms still running]\n";
  }
  return result;
}

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv,
                                     const std::filesystem::path& stdout_path,
                                     const std::filesystem::path& stderr_path) {
  constexpr int kWriteFlags = O_WRONLY | O_CREAT | O_TRUNC;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, stdout_path.c_str(), kWriteFlags, 0600);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_path.c_str(), kWriteFlags, 0600);
  if (Spawn(&pid_, argv, actions, std::nullopt) != 0) {
    pid_ = -1;
    exit_code_ = -1;
  }
  posix_spawn_file_actions_destroy(&actions);
}

BackgroundProcess::~BackgroundProcess() {
  if (!exit_code_) {
    Signal(SIGKILL);
    Wait();
  }
}

void BackgroundProcess::Signal(int signal) const {
  // Once reaped, the pid may already belong to some other process.
  if (!exit_code_) kill(pid_, signal);
}

bool BackgroundProcess::Exited() {
  if (exit_code_) return true;
  int status = 0;
  const pid_t done = waitpid(pid_, &status, WNOHANG);
  if (done == pid_) {
    exit_code_ = ExitCodeOf(status);
  } else if (done < 0 && errno != EINTR) {
    exit_code_ = -1;  // not our child any more: nothing left to wait for
  }
  return exit_code_.has_value();
}

int BackgroundProcess::Wait() {
  if (!exit_code_) exit_code_ = Reap(pid_);
  return *exit_code_;
}

int BackgroundProcess::Stop(std::chrono::milliseconds timeout) {
  Signal(SIGTERM);
  const Clock::time_point deadline = Clock::now() + timeout;
  while (!Exited() && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  Signal(SIGKILL);  // a no-op when it has exited
  return Wait();
}

}  // namespace infercost::test
