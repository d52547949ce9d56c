// Emulated target profiles: how one platform serving MobileNetV2 behaves, as plain data.
//
// Profiles come from YAML (emulator/profiles.yaml is compiled in as the built-in set; every
// figure there carries its source). All durations are in *emulated* milliseconds: the emulator
// divides them by its time scale before it waits. The Expected*() methods give the figures a
// sweep or a test predicts from a profile; they are closed-form approximations (mean service
// times, no queueing variance), good for rankings and bounds, not for exact equality.
//
// Thread contract: Profile is a value; const methods are safe from any thread.
#ifndef EMULATOR_PROFILE_H_
#define EMULATOR_PROFILE_H_

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace emulator {

// A lognormal duration: half the samples are below `median_ms`; `sigma` is the standard deviation
// of the natural logarithm (0 = always the median). A zero median means "no delay at all".
struct LogNormalMs {
  double median_ms = 0;
  double sigma = 0;
  double MeanMs() const { return median_ms * std::exp(sigma * sigma / 2); }
};

enum class Platform { kInstance, kLambda };

// A GPU stage after the CPU workers: one thread takes every request queued for the GPU (up to
// max_batch) and runs them as one batch lasting base_ms + per_item_ms × n.
struct Batching {
  int max_batch = 1;
  double base_ms = 0;
  double per_item_ms = 0;
  // How long the GPU waits for a fuller batch once one request is queued (0 = run what is there).
  double window_ms = 0;
  double BatchMs(int n) const { return base_ms + per_item_ms * n; }
};

enum class CreditMode { kStandard, kUnlimited };

// Burstable CPU credits (T3/T4g). One credit = one vCPU at 100 % for one minute. Each worker is a
// vCPU; the instance earns baseline × workers × 60 credits per hour. In standard mode a request
// that starts with fewer credits than it costs runs at the baseline: its service time is divided by
// `baseline`. In unlimited mode it never slows; the balance goes negative (surplus credits, which
// AWS charges).
struct CpuCredits {
  CreditMode mode = CreditMode::kUnlimited;
  double initial_credits = 0;
  double max_credits = 576;
  double baseline = 0.2;  // fraction of each vCPU sustainable on earned credits
  double EarnPerHour(int workers) const { return baseline * workers * 60.0; }
};

// Lambda behind API Gateway. Each concurrent request beyond the idle warm instances gets a new
// instance with a cold start; instances idle for idle_timeout_ms are reclaimed.
struct LambdaSettings {
  LogNormalMs cold_start;             // the INIT phase, billed (container images; all runtimes
                                      // since AWS's August 2025 billing change)
  double idle_timeout_ms = 600000;    // not published by AWS: third-party measurements only
  int provisioned_concurrency = 0;    // instances initialised up front, never cold, never reclaimed
  int concurrency_limit = 1000;       // reserved or account concurrency; beyond it: throttle_status
  int throttle_status = 429;          // 429, or 500/502 as a Lambda-proxy API Gateway may answer
  double gateway_timeout_ms = 29000;  // API Gateway integration timeout → 504; 0 = no gateway
  double gateway_overhead_ms = 0;     // added to every response, not billed
  double function_timeout_ms = 90000;  // the function's own timeout → 502, instance discarded
  // The REPORT line's "Memory Size" and "Max Memory Used" (Lambda's Invoke API, emulated).
  int memory_mb = 1024;
  int max_memory_used_mb = 180;
  // How the duration changes with the memory size: Lambda gives CPU in proportion to memory, one
  // full vCPU at 1,769 MB and up to six at 10,240 MB [LAMBDA-MEM]. `service` is the duration at
  // `memory_mb`; `cpu_fraction` of it is CPU work that speeds up with the vCPU share, the rest a
  // fixed part (payload, I/O) that does not; the model runs `threads` threads, so vCPUs beyond
  // them add nothing.
  double cpu_fraction = 0.85;
  int threads = 2;
  // Emulated milliseconds an UpdateFunctionConfiguration stays InProgress.
  double update_ms = 2000;
  // GetFunctionConfiguration's Architectures: "x86_64" or "arm64". The duration model is the
  // same; an arm64 build of the same code is a profile of its own with its own `service` (see
  // docs/emulator.md for how the test profiles calibrate it).
  std::string architecture = "x86_64";
  // Emulated milliseconds a PutProvisionedConcurrencyConfig stays IN_PROGRESS before READY.
  double provisioned_ready_ms = 3000;

  // vCPUs the function gets at `memory` MB: memory / 1,769, at most 6.
  static double VcpuShare(int memory);
  // Duration at `memory` MB over the duration at `memory_mb` (1 at memory_mb).
  double DurationFactor(int memory) const;
};

// Fault injection: each request draws one fault (or none) with these probabilities.
struct Faults {
  double error_ratio = 0;      // served normally, then answered 500
  double reset_ratio = 0;      // connection reset (RST) before any response
  double hang_ratio = 0;       // no response until the client gives up (or hang_max_ms)
  double slow_body_ratio = 0;  // served normally, body trickled at slow_body_bytes_per_second
  double hang_max_ms = 600000;
  double slow_body_bytes_per_second = 64;
};

struct Profile {
  std::string name;  // the URL path segment: POST /<name>/predict
  Platform platform = Platform::kInstance;
  // Instance: the time one worker (a vCPU) is busy with one request (decode, resize, inference;
  // for a batching profile, the CPU part only). Lambda: the function's warm duration.
  LogNormalMs service;
  int workers = 1;        // instance: parallel slots
  int queue_limit = 128;  // instance: requests waiting beyond the busy workers; 503 when full
  std::optional<Batching> batching;       // instance only
  std::optional<CpuCredits> cpu_credits;  // instance only
  LambdaSettings lambda;                  // lambda only
  Faults faults;
  int64_t max_body_bytes = 16 << 20;  // 413 above this

  // Highest sustainable inferences per second: workers / mean service time, capped by the GPU at
  // max_batch; Lambda: concurrency_limit / mean duration. Burstable CPUs at full speed (credits
  // left, or unlimited mode).
  double ExpectedCapacityIps() const;
  // The capacity once a standard-mode burstable instance has spent its credits (equal to
  // ExpectedCapacityIps() for anything else).
  double ExpectedBaselineCapacityIps() const;
  // Throughput of a closed loop of `concurrency` clients without think time, warm: each client
  // waits for its own answer, so low concurrency leaves workers idle and GPU batches small.
  double ExpectedClosedLoopIps(int concurrency) const;
  // Mean latency of a warm, unqueued request (batch of one; plus the gateway overhead).
  double ExpectedWarmLatencyMs() const;
  // Lambda: mean billed milliseconds of a warm request (duration rounded up to 1 ms); 0 otherwise.
  double ExpectedWarmBilledMs() const;
  // How many requests the profile can hold at once (workers + queue, or the concurrency limit).
  int MaxInFlight() const;
};

// Parses a profiles document. `source_name` prefixes error messages ("FILE:LINE:COL: message",
// one per line, all problems found). Returns nullopt on any error.
std::optional<std::vector<Profile>> ParseProfiles(std::string_view yaml_text,
                                                  std::string_view source_name,
                                                  std::string* errors);
// Checks profiles built in code (the YAML reader already checks all it reads): names valid and
// unique, counts and durations in range. Returns "" when usable, else one message per line.
std::string CheckProfiles(const std::vector<Profile>& profiles);
// Reads and parses a file; an unreadable file is an error too.
std::optional<std::vector<Profile>> LoadProfilesFile(const std::string& path, std::string* errors);

// The built-in profiles (emulator/profiles.yaml as compiled in) and their source text.
std::string_view BuiltInProfilesYaml();
const std::vector<Profile>& BuiltInProfiles();

// Finds a profile by name; nullptr when absent.
const Profile* FindProfile(const std::vector<Profile>& profiles, std::string_view name);

}  // namespace emulator

#endif  // EMULATOR_PROFILE_H_
