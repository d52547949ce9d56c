// AWS Signature Version 4, the server's side: the keys the emulator knows and the check of a
// request's Authorization header against them (canonical request, string to sign, signing key,
// constant-time comparison), as AWS documents it for every service but S3.
#ifndef EMULATOR_SRC_SIGV4_H_
#define EMULATOR_SRC_SIGV4_H_

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "api_http.h"

namespace emulator {

using SystemClock = std::chrono::system_clock;

struct AwsKey {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;                       // temporary keys only
  std::optional<SystemClock::time_point> expires;  // temporary keys only
};

// The keys the emulator accepts: long-term ones given at start and the temporary ones it issues.
// Thread contract: thread-safe.
class KeyStore {
 public:
  KeyStore();
  void Add(AwsKey key);
  std::optional<AwsKey> Find(std::string_view access_key_id) const;
  // A new temporary key ("ASIA..."), valid until `expires`.
  AwsKey Issue(SystemClock::time_point expires);
  // Drops temporary keys that expired before `cutoff`.
  void ForgetExpiredBefore(SystemClock::time_point cutoff);

 private:
  std::string RandomText(size_t length, std::string_view alphabet);

  mutable std::mutex mutex_;
  std::mt19937_64 rng_;
  std::map<std::string, AwsKey, std::less<>> keys_;
};

enum class SigV4Failure {
  kNone,
  kMissing,       // no Authorization header, or not AWS4-HMAC-SHA256
  kMalformed,     // the header lacks Credential, SignedHeaders or Signature, or X-Amz-Date
  kUnknownKey,    // no such access key id, or a session token that does not match it
  kExpiredToken,  // a temporary key past its expiry
  kWrongRegion,
  kWrongService,
  kSkew,  // X-Amz-Date more than 5 minutes from now
  kBadSignature,
};

struct SigV4Verdict {
  SigV4Failure failure = SigV4Failure::kNone;
  std::string message;  // AWS's wording for the failure
  std::string access_key_id;
};

// Checks `request`'s signature for `region` and `service` at `now`.
SigV4Verdict VerifySigV4(const HttpRequest& request, const KeyStore& keys, std::string_view region,
                         std::string_view service, SystemClock::time_point now);

// The pieces, for tests. `signed_headers` lower-case, sorted, ';'-separated as in the header.
std::string CanonicalRequest(const HttpRequest& request, std::string_view signed_headers);
std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request);
std::string SignatureHex(std::string_view secret, std::string_view date, std::string_view region,
                         std::string_view service, std::string_view string_to_sign);
// 20150830T123600Z for `t`.
std::string AmzDate(SystemClock::time_point t);
// 2015-08-30T12:36:00Z for `t`.
std::string IsoTime(SystemClock::time_point t);

}  // namespace emulator

#endif  // EMULATOR_SRC_SIGV4_H_
