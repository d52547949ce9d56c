#include "model.h"

#include <algorithm>
#include <cmath>

namespace emulator {
namespace {

constexpr double kNsPerMs = 1e6;
constexpr double kNsPerHour = 3600e9;
constexpr double kMsPerCreditAtFullSpeed = 60e3;  // one credit = one vCPU-minute at 100 %

}  // namespace

EmuDuration FromMs(double ms) {
  return EmuDuration(static_cast<int64_t>(std::llround(ms * kNsPerMs)));
}

double ToMs(EmuDuration d) { return static_cast<double>(d.count()) / kNsPerMs; }

int64_t CeilMs(EmuDuration d) {
  const int64_t ns = d.count();
  const auto ns_per_ms = static_cast<int64_t>(kNsPerMs);
  return ns <= 0 ? 0 : (ns + ns_per_ms - 1) / ns_per_ms;
}

// --- CreditBucket ------------------------------------------------------------------------------

CreditBucket::CreditBucket(const CpuCredits& settings, int vcpus)
    : settings_(settings),
      earn_per_ns_(settings.EarnPerHour(vcpus) / kNsPerHour),
      balance_(settings.initial_credits) {}

double CreditBucket::AccruedUntil(EmuTime at) const {
  const auto elapsed_ns = static_cast<double>(std::max<int64_t>(0, (at - updated_at_).count()));
  const double earned = balance_ + earn_per_ns_ * elapsed_ns;
  // Accrual stops at the cap; a balance already above it (a generous initial balance) stays.
  return std::max(balance_, std::min(earned, settings_.max_credits));
}

double CreditBucket::StartWork(EmuTime start, EmuDuration work) {
  start = std::max(start, updated_at_);
  balance_ = AccruedUntil(start);
  updated_at_ = start;
  const double cost = ToMs(work) / kMsPerCreditAtFullSpeed;
  // Full speed only when the balance pays for the whole request. Under sustained load a
  // throttled vCPU spends what it earns, the balance stays below one request's cost and the
  // instance keeps running at the baseline, as a standard-mode instance does; idle time lets
  // the balance (and full speed) come back.
  const bool throttled = settings_.mode == CreditMode::kStandard && balance_ < cost;
  // The vCPU does the same work either way; throttled, it spreads it over a longer time.
  balance_ -= cost;
  return throttled ? 1.0 / settings_.baseline : 1.0;
}

double CreditBucket::Balance(EmuTime at) const { return AccruedUntil(at); }

// --- InstanceModel -----------------------------------------------------------------------------

InstanceModel::InstanceModel(int workers, const std::optional<CpuCredits>& credits)
    : free_at_(static_cast<size_t>(std::max(1, workers))) {
  if (credits) {
    credits_.emplace(*credits, workers);
  }
}

InstanceModel::Slot InstanceModel::Assign(EmuTime now, EmuDuration work) {
  auto worker = std::min_element(free_at_.begin(), free_at_.end());
  // Concurrent callers may read the clock in a different order than they take the lock: keep
  // start times monotonic so the queue stays FIFO and the credit bucket moves forward.
  const EmuTime start = std::max({now, *worker, last_start_});
  last_start_ = start;
  double stretch = 1.0;
  if (credits_) {
    stretch = credits_->StartWork(start, work);
  }
  const auto wall =
      EmuDuration(static_cast<int64_t>(std::llround(static_cast<double>(work.count()) * stretch)));
  *worker = start + wall;
  return Slot{start, *worker, stretch > 1.0};
}

std::optional<double> InstanceModel::CreditBalance(EmuTime at) const {
  if (!credits_) {
    return std::nullopt;
  }
  return credits_->Balance(at);
}

// --- LambdaModel -------------------------------------------------------------------------------

LambdaModel::LambdaModel(const LambdaSettings& settings) : settings_(settings) {
  // Provisioned environments are initialised before the first request arrives.
  for (int i = 0; i < settings_.provisioned_concurrency; ++i) {
    instances_.push_back(Instance{EmuTime{}, /*provisioned=*/true, /*discard=*/false});
  }
}

bool LambdaModel::Reclaimable(const Instance& instance, EmuTime now) const {
  if (instance.provisioned) {
    return false;
  }
  if (instance.discard) {
    return instance.busy_until <= now;
  }
  return instance.busy_until + FromMs(settings_.idle_timeout_ms) <= now;
}

LambdaModel::Invocation LambdaModel::Invoke(EmuTime now, EmuDuration duration,
                                            EmuDuration init_if_cold) {
  std::erase_if(instances_, [&](const Instance& i) { return Reclaimable(i, now); });
  Invocation inv;
  if (Busy(now) >= settings_.concurrency_limit) {
    inv.result = Result::kThrottled;
    inv.respond_after = FromMs(settings_.gateway_overhead_ms);
    return inv;
  }
  Instance* chosen = nullptr;
  for (Instance& candidate : instances_) {
    if (candidate.busy_until > now) {
      continue;
    }
    const bool better =
        chosen == nullptr || (candidate.provisioned && !chosen->provisioned) ||
        (candidate.provisioned == chosen->provisioned && candidate.busy_until > chosen->busy_until);
    if (better) {
      chosen = &candidate;
    }
  }
  if (chosen == nullptr) {
    instances_.push_back(Instance{});
    chosen = &instances_.back();
    inv.cold = true;
    inv.init = init_if_cold;
  }
  const EmuDuration function_timeout = FromMs(settings_.function_timeout_ms);
  inv.run = inv.init + duration;
  if (inv.run > function_timeout) {
    inv.run = function_timeout;
    inv.result = Result::kFunctionError;
    inv.function_timed_out = true;
    chosen->discard = true;
  }
  chosen->busy_until = now + inv.run;
  inv.billed_ms = CeilMs(inv.run);
  const EmuDuration gateway_timeout = FromMs(settings_.gateway_timeout_ms);
  if (settings_.gateway_timeout_ms > 0 && inv.run > gateway_timeout) {
    // The gateway gives up; the function runs on, holding its instance and its bill.
    inv.result = Result::kGatewayTimeout;
    inv.respond_after = gateway_timeout;
  } else {
    inv.respond_after = inv.run + FromMs(settings_.gateway_overhead_ms);
  }
  return inv;
}

int LambdaModel::Busy(EmuTime now) const {
  return static_cast<int>(std::count_if(instances_.begin(), instances_.end(),
                                        [&](const Instance& i) { return i.busy_until > now; }));
}

int LambdaModel::Alive(EmuTime now) const {
  return static_cast<int>(std::count_if(instances_.begin(), instances_.end(),
                                        [&](const Instance& i) { return !Reclaimable(i, now); }));
}

}  // namespace emulator
