#include "target.h"

#include <cmath>

namespace emulator {
namespace {

// splitmix64: spreads (seed, name) into independent-looking streams per target.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t StreamSeed(uint64_t seed, const std::string& name) {
  uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a
  for (unsigned char c : name) {
    h = (h ^ c) * 0x100000001b3ULL;
  }
  return Mix(seed ^ Mix(h));
}

}  // namespace

Target::Target(const Profile& profile, uint64_t seed, const TimeScale& scale, StopSignal* stop)
    : profile_(profile), scale_(scale), rng_(StreamSeed(seed, profile.name)) {
  if (profile_.platform == Platform::kLambda) {
    lambda_.emplace(profile_.lambda);
  } else {
    instance_.emplace(profile_.workers, profile_.cpu_credits);
    if (profile_.batching) {
      gpu_ = std::make_unique<GpuBatcher>(*profile_.batching, scale_, stop);
    }
  }
}

EmuDuration Target::Sample(const LogNormalMs& d) {
  if (d.median_ms <= 0) {
    return EmuDuration::zero();
  }
  if (d.sigma <= 0) {
    return FromMs(d.median_ms);
  }
  std::lognormal_distribution<double> distribution(std::log(d.median_ms), d.sigma);
  return FromMs(distribution(rng_));
}

Target::Fault Target::BeginRequest() {
  const Faults& f = profile_.faults;
  std::lock_guard lock(mutex_);
  ++stats_.requests;
  if (f.error_ratio + f.reset_ratio + f.hang_ratio + f.slow_body_ratio <= 0) {
    return Fault::kNone;
  }
  double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
  for (auto [ratio, fault] :
       {std::pair{f.error_ratio, Fault::kError}, std::pair{f.reset_ratio, Fault::kReset},
        std::pair{f.hang_ratio, Fault::kHang}, std::pair{f.slow_body_ratio, Fault::kSlowBody}}) {
    if (u < ratio) {
      return fault;
    }
    u -= ratio;
  }
  return Fault::kNone;
}

void Target::CountTooLarge() {
  std::lock_guard lock(mutex_);
  ++stats_.requests;
  ++stats_.too_large;
}

Target::Ticket Target::Admit(const Run& run) {
  std::lock_guard lock(mutex_);
  // The clock is read under the lock so that arrivals reach the model in time order.
  const EmuTime now = scale_.Now();
  return lambda_ ? AdmitLambda(now, run) : AdmitInstance(now);
}

void Target::ResetEnvironments(const std::string& version) {
  std::lock_guard lock(mutex_);
  if (!lambda_) return;
  if (version == "$LATEST") {
    lambda_.emplace(profile_.lambda);
  } else {
    versions_.erase(version);
  }
}

void Target::SetProvisioned(const std::string& version, int count) {
  std::lock_guard lock(mutex_);
  if (!lambda_) return;
  LambdaSettings settings = profile_.lambda;
  settings.provisioned_concurrency = count;
  versions_.insert_or_assign(version, LambdaModel(settings));
}

Target::Ticket Target::AdmitInstance(EmuTime now) {
  Ticket t;
  if (in_system_ >= profile_.workers + profile_.queue_limit) {
    ++stats_.queue_full;
    t.status = 503;
    t.respond_at = scale_.ToWall(now);
    return t;
  }
  ++in_system_;
  t.holds_slot = true;
  const InstanceModel::Slot slot = instance_->Assign(now, Sample(profile_.service));
  if (slot.throttled) {
    ++stats_.credit_throttled;
  }
  t.respond_at = scale_.ToWall(slot.end);
  t.service_ms = ToMs(slot.end - slot.start);
  t.run_gpu = gpu_ != nullptr;
  return t;
}

Target::Ticket Target::AdmitLambda(EmuTime now, const Run& run) {
  const int memory_mb = run.memory_mb > 0 ? run.memory_mb : profile_.lambda.memory_mb;
  // Both draws happen on every request so that the random stream does not depend on which
  // requests happen to land on warm instances.
  const EmuDuration duration = std::chrono::duration_cast<EmuDuration>(
      Sample(profile_.service) * profile_.lambda.DurationFactor(memory_mb));
  const EmuDuration init = Sample(profile_.lambda.cold_start);
  LambdaModel* model = &*lambda_;
  if (run.version != "$LATEST") {
    LambdaSettings settings = profile_.lambda;
    settings.provisioned_concurrency = 0;  // provisioned concurrency is configured per version
    model = &versions_.try_emplace(run.version, settings).first->second;
  }
  const LambdaModel::Invocation inv = model->Invoke(now, duration, init);
  Ticket t;
  t.memory_mb = memory_mb;
  t.cold = inv.cold;
  t.billed_ms = inv.billed_ms;
  t.respond_at = scale_.ToWall(now + inv.respond_after);
  t.service_ms = ToMs(inv.run);
  t.init_ms = inv.cold ? ToMs(inv.init) : 0;
  switch (inv.result) {
    case LambdaModel::Result::kOk:
      t.status = 200;
      break;
    case LambdaModel::Result::kThrottled:
      t.status = profile_.lambda.throttle_status;
      ++stats_.throttled;
      break;
    case LambdaModel::Result::kGatewayTimeout:
      t.status = 504;
      ++stats_.gateway_timeouts;
      break;
    case LambdaModel::Result::kFunctionError:
      t.status = 502;
      break;
  }
  if (inv.function_timed_out) {
    ++stats_.function_errors;
  }
  if (inv.cold) {
    ++stats_.cold_starts;
  }
  stats_.billed_ms += static_cast<uint64_t>(inv.billed_ms);
  return t;
}

int Target::RunGpu() { return gpu_ ? gpu_->Infer() : 0; }

void Target::Release() {
  std::lock_guard lock(mutex_);
  --in_system_;
}

void Target::Finish(int status, Fault fault) {
  std::lock_guard lock(mutex_);
  switch (fault) {
    case Fault::kReset:
      ++stats_.resets;
      return;
    case Fault::kHang:
      ++stats_.hangs;
      return;
    case Fault::kError:
      if (status == 500) {
        ++stats_.injected_errors;
      }
      break;
    case Fault::kSlowBody:
      ++stats_.slow_bodies;
      break;
    case Fault::kNone:
      break;
  }
  if (status == 200) {
    ++stats_.ok;
  }
}

void Target::StopGpu() {
  if (gpu_) {
    gpu_->Stop();
  }
}

TargetStats Target::Stats() const {
  std::lock_guard lock(mutex_);
  TargetStats s = stats_;
  const EmuTime now = scale_.Now();
  if (lambda_) {
    s.in_flight = lambda_->Busy(now);
    s.instances_alive = lambda_->Alive(now);
    for (const auto& [version, model] : versions_) {
      s.in_flight += model.Busy(now);
      s.instances_alive += model.Alive(now);
    }
  } else {
    s.in_flight = in_system_;
    s.cpu_credit_balance = instance_->CreditBalance(now);
  }
  if (gpu_) {
    const GpuBatcher::Counters c = gpu_->counters();
    s.gpu_batches = c.batches;
    s.gpu_batched_requests = c.requests;
  }
  return s;
}

Target::Ticket AdmitAndWait(Target& target, StopSignal& stop, bool* served,
                            const Target::Run& run) {
  Target::Ticket ticket = target.Admit(run);
  *served = stop.WaitUntil(ticket.respond_at);
  if (*served && ticket.run_gpu) {
    const int batch = target.RunGpu();
    *served = batch > 0;
    ticket.service_ms += target.profile().batching->BatchMs(batch);
  }
  if (ticket.holds_slot) {
    target.Release();
  }
  return ticket;
}

}  // namespace emulator
