// Keeps one target's AWS credentials fresh. A background thread fetches them (through any
// Lookup source, typically Resolve(spec, env)) and fetches again well before they expire: at the
// expiry minus the lead, where lead = min(5 minutes, a quarter of the keys' life) so that hour-
// long keys refresh 5 minutes early and one-minute keys 15 s early. A failed fetch keeps the old
// keys (still valid until their expiry), counts a failure and retries after a backoff that
// doubles from 1 s up to 1 minute, never later than the keys' expiry.
//
// The engine asks Current() for every signed request; it never blocks on I/O (a mutex held only
// to copy a shared_ptr) and returns nullptr once the keys have expired, which the engine counts
// as auth_error. Fetched secrets are registered with the log redaction under
// "credentials:<name>".
//
// Threads: one std::jthread per refresher, started by Start(), stopped and joined by Stop() or
// the destructor. Every public method is thread-safe. The clock is injectable: tests construct
// it without Start() and drive RunDue() under a fake clock.
#ifndef INFERCOST_AWS_REFRESHER_H_
#define INFERCOST_AWS_REFRESHER_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "aws/credentials.h"
#include "loadgen/request.h"

namespace infercost::aws {

struct RefreshPolicy {
  std::chrono::seconds max_lead{300};             // refresh at most this long before expiry
  std::chrono::milliseconds min_backoff{1000};    // first retry after a failed fetch
  std::chrono::milliseconds max_backoff{60'000};  // retries never wait longer than this
};

class CredentialsRefresher final : public loadgen::SigningCredentials {
 public:
  using TimePoint = std::chrono::system_clock::time_point;
  using Fetch = std::function<Lookup()>;
  using Now = std::function<TimePoint()>;

  // `name` labels logs and the redaction owner (the target's name).
  CredentialsRefresher(std::string name, Fetch fetch, RefreshPolicy policy = {},
                       Now now = &std::chrono::system_clock::now);
  ~CredentialsRefresher() override;
  CredentialsRefresher(const CredentialsRefresher&) = delete;
  CredentialsRefresher& operator=(const CredentialsRefresher&) = delete;

  // Fetches if an attempt is due (the first call always is) and returns when the next is.
  TimePoint RunDue();
  // Starts the background thread, which calls RunDue() and sleeps until the next attempt.
  void Start();
  void Stop();

  // The keys to sign with now; nullptr before the first success and after expiry.
  std::shared_ptr<const loadgen::SigningKeys> Current() const override;
  // When the current keys expire; nullopt for none or for keys that never expire.
  std::optional<TimePoint> Expiry() const;
  bool HasCredentials() const;
  uint64_t RefreshFailures() const;
  uint64_t Refreshes() const;  // successful fetches
  std::string LastError() const;

 private:
  TimePoint NextAfterSuccess(TimePoint now, std::optional<TimePoint> expiration) const;

  const std::string name_;
  const Fetch fetch_;
  const RefreshPolicy policy_;
  const Now now_;

  mutable std::mutex mu_;
  std::shared_ptr<const loadgen::SigningKeys> keys_;
  std::optional<TimePoint> expiration_;
  std::optional<TimePoint> next_attempt_;  // nullopt: now; TimePoint::max(): never
  std::chrono::milliseconds backoff_{0};
  uint64_t failures_ = 0;
  uint64_t refreshes_ = 0;
  std::string last_error_;

  std::mutex wake_mu_;
  std::condition_variable_any wake_;
  std::jthread thread_;
};

}  // namespace infercost::aws

#endif  // INFERCOST_AWS_REFRESHER_H_
