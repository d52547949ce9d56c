// The AWS target emulator: one HTTP server on loopback that behaves like each platform serving
// MobileNetV2 (see profile.h for the models and emulator/profiles.yaml for the figures).
//
//   POST /<target>/predict  any body up to the profile's max_body_bytes (413 above), ignored;
//                           200 {"label":"tabby cat","class_id":281,"probability":0.43,
//                           "model":"mobilenet_v2"} after the emulated service time.
//   GET  /                  JSON list of targets and the time scale.
//   anything else           404 (unknown target) or 405 (wrong method), JSON error body.
//
// The AWS APIs, in AWS's wire formats (see src/aws_api.h), SigV4 checked for `AwsOptions::region`:
//   POST /2015-03-31/functions/<name or ARN>/invocations   Lambda Invoke (service lambda), one
//        function per lambda profile, named as it, without API Gateway: X-Amz-Log-Type: Tail
//        returns the REPORT line, throttles answer 429 TooManyRequestsException;
//        X-Amz-Invocation-Type: Event answers 202 and runs it in the background, DryRun 204.
//   ANY  /lambda-url/<function>[/<path>][?<query>]   the function's Function URL (AWS serves it at
//        https://<url-id>.lambda-url.<region>.on.aws/<path>): the same function, instances and
//        counters as Invoke; AuthType AWS_IAM (SigV4, service lambda) or NONE, see AwsOptions.
//        200 with the function's body and x-amzn-RequestId, nothing about billing or cold starts.
//   GET|PUT /2015-03-31/functions/<name>/configuration, POST .../<name>/versions,
//        DELETE .../<name>?Qualifier=N   Get/UpdateFunctionConfiguration, PublishVersion and
//        DeleteFunction of a version (src/lambda_control.h): MemorySize changes the duration as
//        LambdaSettings::DurationFactor says; Invoke's Qualifier picks a published version, whose
//        number comes back in X-Amz-Executed-Version.
//   POST /endpoints/<endpoint>/invocations   SageMaker InvokeEndpoint (service sagemaker).
//   POST /  (form body)                      STS AssumeRole (signed, service sts) and
//                                            AssumeRoleWithWebIdentity (unsigned; the token must
//                                            be a JWT whose `exp`, if any, is ahead).
//   PUT  /latest/api/token, GET /latest/meta-data/iam/security-credentials/[<role>]   IMDSv2.
//   GET  /v2/credentials/<id>, GET /v1/credentials (Authorization: the container token)   the
//        ECS / EKS Pod Identity container credentials endpoints.
//   GET  /_emulator/functions/<name>, /_emulator/endpoints/<name>   the counters of the above.
// A wrong key, region, service or signature, an expired key or a clock more than 5 minutes off
// answers AWS's 403 for that service. Keys issued by STS, IMDS and ECS live
// `credential_lifetime_s` emulated seconds (so `time_scale` times fewer wall seconds).
//
// Every response carries `X-Cold-Start: true|false`; Lambda responses also carry
// `X-Billed-Duration-Ms` (emulated milliseconds: init + duration rounded up, 0 when the function
// did not run: throttled, 413);
// successful ones carry `X-Service-Time-Ms` (the emulated time the request held its worker or
// function, queueing excluded). Instance targets answer 503 when their queue is full; Lambda
// answers its throttle_status beyond the concurrency limit, 504 at the gateway timeout (the
// function runs on and keeps its instance busy) and 502 when the function times out.
//
// Time: the emulator keeps its own timeline, `time_scale` times faster than the wall clock. All
// figures it reports (headers, stats) are emulated; a client measuring wall-clock latency sees
// them divided by the time scale. A cost model fed by a time-scaled emulator must scale the same
// way: an emulated hour of an instance passes in 3600 / time_scale wall seconds.
//
// Threads: CivetWeb's worker threads (Options::threads) each carry one connection, and a request
// waiting for its emulated service time sleeps on a condition variable, so an idle wait costs a
// thread but no CPU. Each batching profile adds one GPU thread. Everything a request touches in
// a target sits behind that target's mutex.
#ifndef EMULATOR_EMULATOR_H_
#define EMULATOR_EMULATOR_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "emulator/profile.h"

namespace emulator {

// A Function URL's AuthType, as AWS names it: AWS_IAM (SigV4-signed callers only) or NONE.
enum class FunctionUrlAuth { kAwsIam, kNone };

// The AWS side. The secret is the emulator's own test key, never a real one.
struct AwsOptions {
  std::string region = "us-east-1";
  std::string account_id = "123456789012";
  std::string access_key_id = "AKIDEMULATOR00000000";
  std::string secret_access_key = "emulator/secret/key/not/valid/anywhere00";
  // Emulated seconds a key issued by STS, IMDS or ECS lives (STS also caps it at DurationSeconds).
  double credential_lifetime_s = 3600;
  std::string role_name = "infercost-emulator";  // IMDS's instance profile role
  std::string container_authorization_token = "emulator-container-token";
  // AssumeRoleWithWebIdentity accepts only this token; "" = any non-empty token.
  std::string web_identity_token;
  // SageMaker endpoint name → instance profile serving it. Empty: "mobilenet-v2" on the
  // g4dn.xlarge profile when there is one (ml.g4dn.xlarge is the same hardware).
  std::vector<std::pair<std::string, std::string>> sagemaker_endpoints;
  // Every Function URL's AuthType, then per function (the name of a lambda profile).
  FunctionUrlAuth function_url_auth = FunctionUrlAuth::kAwsIam;
  std::vector<std::pair<std::string, FunctionUrlAuth>> function_url_auth_by_function;
  // The account's largest Lambda memory size: 10,240 MB, or 3,008 MB on accounts AWS has not
  // raised yet (UpdateFunctionConfiguration above it: InvalidParameterValueException).
  int lambda_max_memory_mb = 10240;

  // The AuthType of that function's URL: its own entry (the last one given), else the default.
  FunctionUrlAuth UrlAuthOf(std::string_view function) const;
};

struct Options {
  // Where to listen, already parsed by the caller (a --listen flag goes through the exporter's
  // one listen-address parser): a host in URL form ("127.0.0.1", "localhost", "[::1]",
  // "0.0.0.0" for every interface) and a port; port 0 picks a free one (see Emulator::port()).
  std::string host = "127.0.0.1";
  int port = 0;
  // Emulated seconds per wall-clock second (> 0). 60 shows an hour of behaviour in a minute.
  double time_scale = 1.0;
  // Profiles YAML file; "" = the built-in profiles. Ignored when `profiles` is non-empty.
  std::string profiles_file;
  // Profiles given directly (tests, the embedded default); they are validated like a file.
  std::vector<Profile> profiles;
  // Seed of every random draw (service times, cold starts, faults); each target derives its own
  // stream from it and its name.
  uint64_t seed = 1;
  // Server threads = concurrent connections served; 0 = 64 + the sum over targets of
  // MaxInFlight(), each capped at 128, the total capped at 1024. Connections beyond it wait to be
  // accepted.
  int threads = 0;
  AwsOptions aws;
};

// What one target has done so far. Counts are of predict requests whose body was read.
struct TargetStats {
  uint64_t requests = 0;
  uint64_t ok = 0;                           // answered 200
  uint64_t cold_starts = 0;                  // Lambda: requests that started a new instance
  uint64_t throttled = 0;                    // Lambda: beyond the concurrency limit
  uint64_t queue_full = 0;                   // instance: answered 503
  uint64_t gateway_timeouts = 0;             // Lambda: answered 504
  uint64_t function_errors = 0;              // Lambda: the function timed out (502, or 504 first)
  uint64_t injected_errors = 0;              // fault: answered 500
  uint64_t resets = 0;                       // fault: connection reset without a response
  uint64_t hangs = 0;                        // fault: no response until the client left
  uint64_t slow_bodies = 0;                  // fault: body trickled
  uint64_t too_large = 0;                    // answered 413
  uint64_t credit_throttled = 0;             // burstable: requests run at the baseline
  uint64_t gpu_batches = 0;                  // batching: batches run
  uint64_t gpu_batched_requests = 0;         // batching: summed batch sizes
  uint64_t billed_ms = 0;                    // Lambda: summed X-Billed-Duration-Ms
  int in_flight = 0;                         // instance: requests admitted and not yet answered;
                                             // Lambda: instances busy (including runs past a 504)
  int instances_alive = 0;                   // Lambda: instances not reclaimed (busy or warm)
  std::optional<double> cpu_credit_balance;  // burstable: credits now (negative = surplus)
};

// Why Start() failed: the first two are the caller's input (exit code 2 in a command), the last
// is the machine's (port taken, no permission).
enum class StartFailure { kBadOptions, kBadProfiles, kCannotListen };

// Thread contract: all const methods are thread-safe. Destruction stops the server: requests in
// flight are answered 503 (or dropped) promptly, then every thread is joined.
class Emulator {
 public:
  // Loads and validates the profiles, then listens. Nullptr and a message in *error (profile
  // errors as "FILE:LINE:COL: message" lines) when it cannot.
  static std::unique_ptr<Emulator> Start(const Options& options, std::string* error,
                                         StartFailure* failure = nullptr);
  ~Emulator();
  Emulator(const Emulator&) = delete;
  Emulator& operator=(const Emulator&) = delete;

  int port() const;
  // http://HOST:PORT, with a wildcard listen address shown as 127.0.0.1.
  std::string BaseUrl() const;
  // BaseUrl() + "/<target>/predict".
  std::string TargetUrl(std::string_view target) const;
  // BaseUrl() + "/lambda-url/<function>/": the Function URL of a lambda profile.
  std::string FunctionUrl(std::string_view function) const;
  // Profile names, in profile order.
  std::vector<std::string> Targets() const;
  const std::vector<Profile>& profiles() const;
  const Profile* FindProfile(std::string_view target) const;
  double time_scale() const;
  // Nullopt for an unknown target.
  std::optional<TargetStats> Stats(std::string_view target) const;
  // The Lambda Invoke API's function / SageMaker endpoint of that name; nullopt when unknown.
  std::optional<TargetStats> FunctionStats(std::string_view function) const;
  std::optional<TargetStats> EndpointStats(std::string_view endpoint) const;

 private:
  class Impl;
  explicit Emulator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace emulator

#endif  // EMULATOR_EMULATOR_H_
