// What one target's requests look like: plain values, built once by the caller (the exporter's
// config, or `infercost bench`'s flags) and shared read-only by the worker that sends them.
#ifndef LOADGEN_REQUEST_H_
#define LOADGEN_REQUEST_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loadgen {

// One ready-to-send request body.
struct Payload {
  std::string content_type;  // e.g. image/jpeg, application/json; empty for no header
  std::string bytes;         // the encoded body, sent as is
  std::string source;        // where it came from (a file name), for messages and CSV
};

// How bodies are built from input files.
enum class BodyEncoding {
  kRaw,         // the file's bytes, Content-Type from the extension
  kBase64Json,  // {"<field>": "<base64 of the file>"} as application/json
  kMultipart,   // multipart/form-data with the file as part <field>
};
// Every encoding, in the order messages list them; Name() is the config's and the flags' spelling.
inline constexpr BodyEncoding kBodyEncodings[] = {BodyEncoding::kRaw, BodyEncoding::kBase64Json,
                                                  BodyEncoding::kMultipart};
constexpr std::string_view Name(BodyEncoding encoding) {
  switch (encoding) {
    case BodyEncoding::kRaw:
      return "raw";
    case BodyEncoding::kBase64Json:
      return "base64_json";
    case BodyEncoding::kMultipart:
      return "multipart";
  }
  return "raw";
}
// The inverse of Name(); nullopt for anything else.
constexpr std::optional<BodyEncoding> ParseBodyEncoding(std::string_view text) {
  for (BodyEncoding e : kBodyEncodings) {
    if (Name(e) == text) {
      return e;
    }
  }
  return std::nullopt;
}

struct PayloadSpec {
  std::string file;       // one file, or
  std::string image_dir;  // every regular file of a directory (sorted by name), cycled
  BodyEncoding encoding = BodyEncoding::kRaw;
  std::string field = "image";  // JSON field or multipart part name
  std::string inline_body;      // literal body when neither file nor image_dir is given
  std::string content_type;     // overrides the derived Content-Type when set
};

// One set of AWS keys to sign with.
struct SigningKeys {
  std::string access_key;
  std::string secret_key;
  std::string session_token;  // optional, sent as x-amz-security-token
};

// Keys that change while the engine runs (short-lived credentials refreshed elsewhere).
// Thread contract: Current() is called by engine workers for every signed request, from any
// thread, and must not block on I/O.
class SigningCredentials {
 public:
  virtual ~SigningCredentials() = default;
  // The keys to sign the next request with; nullptr when none are valid (not yet fetched, or
  // expired): the request is then not sent and counts as auth_error.
  virtual std::shared_ptr<const SigningKeys> Current() const = 0;
};

// AWS Signature Version 4 through libcurl's CURLOPT_AWS_SIGV4.
struct SigV4 {
  std::string provider;  // "aws:amz:<region>:<service>", e.g. aws:amz:us-east-1:execute-api
  // Static keys, used when `credentials` is null.
  std::string access_key;
  std::string secret_key;
  std::string session_token;  // optional, sent as x-amz-security-token
  // When set, asked for the keys of every request instead of the static ones above.
  std::shared_ptr<const SigningCredentials> credentials;
};

struct Expect {
  int status = 0;                        // required status; 0 accepts any 2xx
  std::string body_contains;             // required substring of the body; empty for none
  std::size_t max_body_bytes = 1 << 20;  // larger bodies are cut and fail as invalid_response
};

// How a cold start is told when AWS does not say: with Protocol::kLambdaInvoke a response with
// a REPORT line is a cold start exactly when that line has an Init Duration, and these are unused.
struct ColdStartDetection {
  std::string header = "X-Cold-Start";  // "true" (case-insensitive) marks a cold start; "" off
  // When set, a successful request slower than this also counts as a cold start.
  std::optional<std::chrono::nanoseconds> latency_above;
};

// What the target speaks, beyond HTTP itself: how its responses are read.
enum class Protocol {
  kHttp,  // any HTTP endpoint (API Gateway, a Function URL, an instance)
  // Lambda's Invoke API: every request asks for the log tail (X-Amz-Log-Type: Tail) synchronously
  // (X-Amz-Invocation-Type: RequestResponse), unless `headers` set those itself; the REPORT line
  // in X-Amz-Log-Result gives the billed duration and cold start (RequestRecord::report), and
  // X-Amz-Function-Error makes the request a function_error.
  kLambdaInvoke,
  // SageMaker's InvokeEndpoint: read as HTTP (a ModelError is a 424, http_4xx; a throttle a 429).
  kSageMakerInvoke,
};

struct RequestSpec {
  std::string url;
  Protocol protocol = Protocol::kHttp;
  std::string method = "POST";
  std::vector<std::string> headers;  // "Name: value"
  // Bodies, cycled in order across requests. Empty: no body.
  std::shared_ptr<const std::vector<Payload>> payloads;
  std::chrono::nanoseconds timeout = std::chrono::seconds(30);
  Expect expect;
  ColdStartDetection cold_start;
  // Response header carrying the billed duration in milliseconds (Lambda); "" to ignore.
  std::string billed_duration_header = "X-Billed-Duration-Ms";
  std::optional<SigV4> sigv4;
  bool verify_tls = true;
};

}  // namespace loadgen

#endif  // LOADGEN_REQUEST_H_
