#include "sigv4.h"

#include <algorithm>
#include <cctype>
#include <ctime>

#include "digest.h"

namespace emulator {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr auto kMaxSkew = std::chrono::minutes(5);

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Trims both ends and folds each run of spaces into one, as SigV4's Trimall.
std::string TrimAll(std::string_view value) {
  std::string out;
  bool space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// "key=value, key=value" after the algorithm name.
std::string AuthField(std::string_view header, std::string_view name) {
  size_t at = 0;
  while ((at = header.find(name, at)) != std::string_view::npos) {
    const bool starts = at == 0 || header[at - 1] == ' ' || header[at - 1] == ',';
    if (starts && at + name.size() < header.size() && header[at + name.size()] == '=') {
      const size_t begin = at + name.size() + 1;
      const size_t end = header.find(',', begin);
      return TrimAll(header.substr(begin, end == std::string_view::npos ? end : end - begin));
    }
    at += name.size();
  }
  return {};
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t at = text.find(separator, start);
    parts.push_back(text.substr(start, at == std::string_view::npos ? at : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

std::string CanonicalQuery(std::string_view query) {
  if (query.empty()) return {};
  std::vector<std::pair<std::string, std::string>> pairs;
  for (std::string_view pair : Split(query, '&')) {
    const size_t eq = pair.find('=');
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    pairs.emplace_back(PercentEncode(PercentDecode(pair.substr(0, eq)), false),
                       PercentEncode(PercentDecode(value), false));
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [key, value] : pairs) {
    out += out.empty() ? "" : "&";
    out += key + "=" + value;
  }
  return out;
}

std::optional<SystemClock::time_point> ParseAmzDate(std::string_view text) {
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return std::nullopt;
  std::tm tm{};
  const std::string s(text);
  if (std::sscanf(s.c_str(), "%4d%2d%2dT%2d%2d%2dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return SystemClock::from_time_t(timegm(&tm));
}

std::string FormatTime(SystemClock::time_point t, const char* format) {
  const std::time_t seconds = SystemClock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, format, &tm);
  return buffer;
}

SigV4Verdict Fail(SigV4Failure failure, std::string message) {
  return {.failure = failure, .message = std::move(message), .access_key_id = {}};
}

// The checks before the signature itself: the key, its token and expiry, the scope, the clock.
SigV4Verdict CheckScope(const HttpRequest& request, const std::optional<AwsKey>& key,
                        const std::vector<std::string_view>& scope, std::string_view amz_date,
                        std::string_view region, std::string_view service,
                        SystemClock::time_point now) {
  if (!key || (!key->session_token.empty() &&
               !ConstantTimeEquals(request.Header("X-Amz-Security-Token"), key->session_token))) {
    return Fail(SigV4Failure::kUnknownKey,
                "The security token included in the request is invalid.");
  }
  if (key->expires && now >= *key->expires) {
    return Fail(SigV4Failure::kExpiredToken,
                "The security token included in the request is expired");
  }
  if (scope[2] != region) {
    return Fail(SigV4Failure::kWrongRegion, "Credential should be scoped to a valid region. ");
  }
  if (scope[3] != service) {
    return Fail(SigV4Failure::kWrongService,
                "Credential should be scoped to correct service: '" + std::string(service) + "'. ");
  }
  const std::optional<SystemClock::time_point> signed_at = ParseAmzDate(amz_date);
  if (!signed_at || amz_date.substr(0, 8) != scope[1]) {
    return Fail(SigV4Failure::kMalformed,
                "Date in Credential scope does not match YYYYMMDD from "
                "ISO-8601 version of date from HTTP: '" +
                    std::string(scope[1]) + "' != '" + std::string(amz_date.substr(0, 8)) + "'");
  }
  const std::string now_text = AmzDate(now);
  if (*signed_at < now - kMaxSkew) {
    return Fail(SigV4Failure::kSkew, "Signature expired: " + std::string(amz_date) +
                                         " is now earlier than " + AmzDate(now - kMaxSkew) + " (" +
                                         now_text + " - 5 min.)");
  }
  if (*signed_at > now + kMaxSkew) {
    return Fail(SigV4Failure::kSkew, "Signature not yet current: " + std::string(amz_date) +
                                         " is still later than " + AmzDate(now + kMaxSkew) + " (" +
                                         now_text + " + 5 min.)");
  }
  return {};
}

}  // namespace

KeyStore::KeyStore() : rng_(std::random_device{}()) {}

void KeyStore::Add(AwsKey key) {
  std::lock_guard lock(mutex_);
  std::string id = key.access_key_id;
  keys_[std::move(id)] = std::move(key);
}

std::optional<AwsKey> KeyStore::Find(std::string_view access_key_id) const {
  std::lock_guard lock(mutex_);
  const auto it = keys_.find(access_key_id);
  if (it == keys_.end()) return std::nullopt;
  return it->second;
}

std::string KeyStore::RandomText(size_t length, std::string_view alphabet) {
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  std::string out;
  for (size_t i = 0; i < length; ++i) out += alphabet[pick(rng_)];
  return out;
}

AwsKey KeyStore::Issue(SystemClock::time_point expires) {
  constexpr std::string_view kUpper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  constexpr std::string_view kSecret =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  AwsKey key;
  {
    std::lock_guard lock(mutex_);
    key.access_key_id = "ASIA" + RandomText(16, kUpper);
    key.secret_access_key = RandomText(40, kSecret);
    key.session_token = "IQoJb3JpZ2luX2VjE" + RandomText(200, kSecret);
  }
  key.expires = expires;
  Add(key);
  return key;
}

void KeyStore::ForgetExpiredBefore(SystemClock::time_point cutoff) {
  std::lock_guard lock(mutex_);
  std::erase_if(keys_, [&](const auto& entry) {
    return entry.second.expires && *entry.second.expires < cutoff;
  });
}

std::string CanonicalRequest(const HttpRequest& request, std::string_view signed_headers) {
  std::string out = request.method + "\n";
  // Every service but S3 encodes the path once more over what the client sent.
  out += PercentEncode(request.path.empty() ? "/" : request.path, true) + "\n";
  out += CanonicalQuery(request.query) + "\n";
  for (std::string_view name : Split(signed_headers, ';')) {
    std::string joined;
    for (const auto& [key, value] : request.headers) {
      if (Lower(key) != name) continue;
      joined += joined.empty() ? "" : ",";
      joined += TrimAll(value);
    }
    out += std::string(name) + ":" + joined + "\n";
  }
  out += "\n" + std::string(signed_headers) + "\n";
  const std::string_view declared = request.Header("X-Amz-Content-SHA256");
  out += declared.empty() ? HexLower(AsBytes(Sha256Of(request.body))) : std::string(declared);
  return out;
}

std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request) {
  return std::string(kAlgorithm) + "\n" + std::string(amz_date) + "\n" + std::string(scope) + "\n" +
         HexLower(AsBytes(Sha256Of(canonical_request)));
}

std::string SignatureHex(std::string_view secret, std::string_view date, std::string_view region,
                         std::string_view service, std::string_view string_to_sign) {
  Digest key = HmacSha256("AWS4" + std::string(secret), date);
  key = HmacSha256(AsBytes(key), region);
  key = HmacSha256(AsBytes(key), service);
  key = HmacSha256(AsBytes(key), "aws4_request");
  return HexLower(AsBytes(HmacSha256(AsBytes(key), string_to_sign)));
}

std::string AmzDate(SystemClock::time_point t) { return FormatTime(t, "%Y%m%dT%H%M%SZ"); }
std::string IsoTime(SystemClock::time_point t) { return FormatTime(t, "%Y-%m-%dT%H:%M:%SZ"); }

SigV4Verdict VerifySigV4(const HttpRequest& request, const KeyStore& keys, std::string_view region,
                         std::string_view service, SystemClock::time_point now) {
  const std::string_view header = request.Header("Authorization");
  if (!header.starts_with(kAlgorithm) || header.size() == kAlgorithm.size() ||
      header[kAlgorithm.size()] != ' ') {
    return Fail(SigV4Failure::kMissing, "Missing Authentication Token");
  }
  const std::string credential = AuthField(header, "Credential");
  const std::string signed_headers = AuthField(header, "SignedHeaders");
  const std::string signature = AuthField(header, "Signature");
  const std::vector<std::string_view> scope = Split(credential, '/');
  const std::string_view amz_date = request.Header("X-Amz-Date");
  if (scope.size() != 5 || scope[4] != "aws4_request" || signed_headers.empty() ||
      signature.empty() || amz_date.empty()) {
    return Fail(SigV4Failure::kMalformed,
                "Authorization header requires 'Credential', 'Signature', 'SignedHeaders' "
                "parameters and an X-Amz-Date header.");
  }
  const std::optional<AwsKey> key = keys.Find(scope[0]);
  SigV4Verdict verdict = CheckScope(request, key, scope, amz_date, region, service, now);
  verdict.access_key_id = std::string(scope[0]);
  if (verdict.failure != SigV4Failure::kNone) return verdict;
  const std::string canonical = CanonicalRequest(request, signed_headers);
  const std::string scope_text = credential.substr(credential.find('/') + 1);
  const std::string to_sign = StringToSign(amz_date, scope_text, canonical);
  const std::string expected =
      SignatureHex(key->secret_access_key, scope[1], scope[2], scope[3], to_sign);
  if (!ConstantTimeEquals(expected, signature)) {
    verdict.failure = SigV4Failure::kBadSignature;
    verdict.message =
        "The request signature we calculated does not match the signature you provided. Check "
        "your AWS Secret Access Key and signing method. Consult the service documentation for "
        "details.";
  }
  return verdict;
}

}  // namespace emulator
