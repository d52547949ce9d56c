#include "aws/refresher.h"

#include <algorithm>

#include "common/log.h"

namespace infercost::aws {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::seconds;

std::string UnixSeconds(std::chrono::system_clock::time_point t) {
  return std::to_string(duration_cast<seconds>(t.time_since_epoch()).count());
}

}  // namespace

CredentialsRefresher::CredentialsRefresher(std::string name, Fetch fetch, RefreshPolicy policy,
                                           Now now)
    : name_(std::move(name)), fetch_(std::move(fetch)), policy_(policy), now_(std::move(now)) {}

CredentialsRefresher::~CredentialsRefresher() {
  Stop();
  SetRuntimeLogSecrets("credentials:" + name_, {});
}

CredentialsRefresher::TimePoint CredentialsRefresher::NextAfterSuccess(
    TimePoint now, std::optional<TimePoint> expiration) const {
  if (!expiration) return TimePoint::max();  // long-term keys: never refreshed
  const auto life = std::max(*expiration - now, TimePoint::duration::zero());
  const auto lead = std::min<TimePoint::duration>(policy_.max_lead, life / 4);
  return *expiration - lead;
}

CredentialsRefresher::TimePoint CredentialsRefresher::RunDue() {
  const TimePoint now = now_();
  {
    std::lock_guard lock(mu_);
    if (next_attempt_ && now < *next_attempt_) return *next_attempt_;
  }
  Lookup lookup = fetch_();  // blocking, outside the lock: Current() stays free
  const TimePoint after = now_();
  std::lock_guard lock(mu_);
  if (lookup.found()) {
    const Credentials& c = *lookup.credentials;
    // Keep the previous keys redacted too: a request signed with them may still be logged.
    std::vector<std::string> secrets = {c.secret_access_key, c.session_token};
    if (keys_) {
      secrets.push_back(keys_->secret_key);
      secrets.push_back(keys_->session_token);
    }
    SetRuntimeLogSecrets("credentials:" + name_, std::move(secrets));
    keys_ = std::make_shared<const loadgen::SigningKeys>(
        loadgen::SigningKeys{c.access_key_id, c.secret_access_key, c.session_token});
    expiration_ = c.expiration;
    backoff_ = milliseconds(0);
    ++refreshes_;
    last_error_.clear();
    next_attempt_ = NextAfterSuccess(after, expiration_);
    if (refreshes_ > 1) {
      Log(LogLevel::kDebug, "credentials refreshed",
          {{"target", name_}, {"expires", expiration_ ? UnixSeconds(*expiration_) : "never"}});
    }
    return *next_attempt_;
  }
  ++failures_;
  last_error_ = lookup.message;
  backoff_ =
      backoff_.count() == 0 ? policy_.min_backoff : std::min(backoff_ * 2, policy_.max_backoff);
  TimePoint next = after + backoff_;
  // Still-valid keys: retry no later than their expiry (one last chance before auth errors).
  if (expiration_ && *expiration_ > after) next = std::min(next, *expiration_);
  next_attempt_ = next;
  Log(LogLevel::kWarn, "credentials refresh failed",
      {{"target", name_},
       {"error", lookup.message},
       {"retry_in_ms", std::to_string(duration_cast<milliseconds>(next - after).count())}});
  return next;
}

void CredentialsRefresher::Start() {
  if (thread_.joinable()) return;
  thread_ = std::jthread([this](const std::stop_token& stop) {
    while (!stop.stop_requested()) {
      const TimePoint next = RunDue();
      if (next == TimePoint::max()) {
        std::unique_lock lock(wake_mu_);
        wake_.wait(lock, stop, [] { return false; });
        continue;
      }
      // Sleep in real time for the gap the (possibly injected) clock names.
      const auto gap = std::max(next - now_(), TimePoint::duration::zero());
      std::unique_lock lock(wake_mu_);
      wake_.wait_for(lock, stop, gap, [] { return false; });
    }
  });
}

void CredentialsRefresher::Stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  thread_.join();
}

std::shared_ptr<const loadgen::SigningKeys> CredentialsRefresher::Current() const {
  const TimePoint now = now_();
  std::lock_guard lock(mu_);
  if (expiration_ && now >= *expiration_) return nullptr;
  return keys_;
}

std::optional<CredentialsRefresher::TimePoint> CredentialsRefresher::Expiry() const {
  std::lock_guard lock(mu_);
  return keys_ ? expiration_ : std::nullopt;
}

bool CredentialsRefresher::HasCredentials() const { return Current() != nullptr; }

uint64_t CredentialsRefresher::RefreshFailures() const {
  std::lock_guard lock(mu_);
  return failures_;
}

uint64_t CredentialsRefresher::Refreshes() const {
  std::lock_guard lock(mu_);
  return refreshes_;
}

std::string CredentialsRefresher::LastError() const {
  std::lock_guard lock(mu_);
  return last_error_;
}

}  // namespace infercost::aws
