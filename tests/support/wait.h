// Waiting for a condition in tests: poll it under a bound instead of sleeping for a fixed time.
#ifndef TESTS_SUPPORT_WAIT_H_
#define TESTS_SUPPORT_WAIT_H_

#include <chrono>
#include <functional>
#include <thread>

namespace infercost::test {

// Polls `check` every `poll` until it holds or `timeout` passes; returns its last answer.
inline bool WaitFor(const std::function<bool()>& check, std::chrono::milliseconds timeout,
                    std::chrono::milliseconds poll = std::chrono::milliseconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (check()) return true;
    std::this_thread::sleep_for(poll);
  }
  return check();
}

}  // namespace infercost::test

#endif  // TESTS_SUPPORT_WAIT_H_
