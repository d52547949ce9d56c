// The endpoints that hand out temporary keys: STS (Query API, XML), IMDSv2 and the container
// credentials endpoints (JSON).
#include <algorithm>
#include <charconv>
#include <optional>

#include "aws_api.h"
#include "digest.h"

namespace emulator {
namespace {

constexpr std::string_view kStsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/";
constexpr int kMaxImdsTokenTtlS = 21600;

ApiReply StsError(int status, std::string_view code, std::string_view message) {
  ApiReply reply;
  reply.status = status;
  reply.content_type = "text/xml";
  reply.body = "<ErrorResponse xmlns=\"" + std::string(kStsNamespace) +
               "\">\n  <Error>\n    <Type>Sender</Type>\n    <Code>" + std::string(code) +
               "</Code>\n    <Message>" + XmlText(message) +
               "</Message>\n  </Error>\n"
               "  <RequestId>" +
               NewRequestId() + "</RequestId>\n</ErrorResponse>\n";
  return reply;
}

ApiReply Text(int status, std::string body, std::string content_type = "text/plain") {
  return {.status = status,
          .content_type = std::move(content_type),
          .headers = {},
          .body = std::move(body)};
}

std::string Xml(std::string_view tag, std::string_view value) {
  return "<" + std::string(tag) + ">" + XmlText(value) + "</" + std::string(tag) + ">";
}

int ParseInt(std::string_view text, int fallback) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size() ? value : fallback;
}

// The number after the top-level key `"exp"` of a JSON object; nullopt when absent or not a
// number. Enough JSON for a JWT's claims: strings are skipped whole, nesting is counted.
std::optional<double> ExpClaim(std::string_view json) {
  int depth = 0;
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (c == '{' || c == '[') ++depth;
    if (c == '}' || c == ']') --depth;
    if (c != '"') continue;
    const size_t start = i + 1;
    for (++i; i < json.size() && json[i] != '"'; ++i) {
      if (json[i] == '\\') ++i;
    }
    if (depth != 1 || json.substr(start, i - start) != "exp") continue;
    size_t at = json.find_first_not_of(" \t\r\n", i + 1);
    if (at == std::string_view::npos || json[at] != ':') continue;
    at = json.find_first_not_of(" \t\r\n", at + 1);
    if (at == std::string_view::npos) return std::nullopt;
    double value = 0;
    const auto [end, error] = std::from_chars(json.data() + at, json.data() + json.size(), value);
    return error == std::errc() ? std::optional<double>(value) : std::nullopt;
  }
  return std::nullopt;
}

bool IsJsonObject(const std::optional<std::string>& text) {
  if (!text) return false;
  const size_t first = text->find_first_not_of(" \t\r\n");
  const size_t last = text->find_last_not_of(" \t\r\n");
  return first != std::string::npos && (*text)[first] == '{' && (*text)[last] == '}';
}

}  // namespace

std::optional<TokenRefusal> CheckWebIdentityToken(std::string_view token,
                                                  SystemClock::time_point now) {
  const size_t first = token.find('.');
  const size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  const std::optional<std::string> header =
      first == std::string_view::npos ? std::nullopt : Base64UrlDecode(token.substr(0, first));
  const std::optional<std::string> claims =
      second == std::string_view::npos
          ? std::nullopt
          : Base64UrlDecode(token.substr(first + 1, second - first - 1));
  const std::string_view signature =
      second == std::string_view::npos ? std::string_view() : token.substr(second + 1);
  if (!IsJsonObject(header) || !IsJsonObject(claims) || signature.empty() ||
      !Base64UrlDecode(signature)) {
    return TokenRefusal{"InvalidIdentityToken",
                        "The ID Token provided is not a valid JWT. (You may see this error if you "
                        "sent an Access Token)"};
  }
  const std::optional<double> exp = ExpClaim(*claims);
  const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch());
  if (exp && *exp <= static_cast<double>(now_s.count())) {
    return TokenRefusal{"ExpiredTokenException", "Token expired: current date/time " +
                                                     std::to_string(now_s.count()) +
                                                     " must be before the expiration date/time " +
                                                     std::to_string(static_cast<int64_t>(*exp))};
  }
  return std::nullopt;
}

ApiReply AwsApi::Sts(const HttpRequest& request) {
  const std::string action = FormValue(request.body, "Action");
  if (action == "AssumeRoleWithWebIdentity") return AssumeRole(request, true);
  if (auto denied = Authenticate(request, "sts", Protocol::kQueryXml)) return *denied;
  if (action == "AssumeRole") return AssumeRole(request, false);
  return StsError(
      400, "InvalidAction",
      "Could not find operation " + action + " for version " + FormValue(request.body, "Version"));
}

ApiReply AwsApi::AssumeRole(const HttpRequest& request, bool web_identity) {
  const std::string role_arn = FormValue(request.body, "RoleArn");
  const std::string session = FormValue(request.body, "RoleSessionName");
  if (role_arn.empty() || session.empty()) {
    return StsError(400, "ValidationError",
                    role_arn.empty() ? "1 validation error detected: Value null at 'roleArn' "
                                       "failed to satisfy constraint: Member must not be null"
                                     : "1 validation error detected: Value null at "
                                       "'roleSessionName' failed to satisfy constraint: Member "
                                       "must not be null");
  }
  const int duration_s = ParseInt(FormValue(request.body, "DurationSeconds"), 3600);
  if (duration_s < 900 || duration_s > 43200) {
    return StsError(400, "ValidationError",
                    "The requested DurationSeconds exceeds the MaxSessionDuration set for this "
                    "role.");
  }
  const std::string token = FormValue(request.body, "WebIdentityToken");
  if (web_identity) {
    if (const auto refusal = CheckWebIdentityToken(token, SystemClock::now())) {
      return StsError(400, refusal->code, refusal->message);
    }
    if (!options_.web_identity_token.empty() && token != options_.web_identity_token) {
      return StsError(400, "InvalidIdentityToken", "Incorrect token audience");
    }
  }
  const AwsKey key = IssueKey();
  const std::string role = role_arn.substr(role_arn.rfind('/') + 1);
  const std::string action = web_identity ? "AssumeRoleWithWebIdentity" : "AssumeRole";
  std::string body = "<" + action + "Response xmlns=\"" + std::string(kStsNamespace) + "\">\n";
  body += "  <" + action + "Result>\n";
  if (web_identity) {
    body += "    " + Xml("SubjectFromWebIdentityToken", "system:serviceaccount:default:infercost") +
            "\n    " + Xml("Audience", "sts.amazonaws.com") + "\n    " +
            Xml("Provider", "oidc.eks." + options_.region + ".amazonaws.com") + "\n";
  }
  body +=
      "    <AssumedRoleUser>\n      " +
      Xml("Arn", "arn:aws:sts::" + options_.account_id + ":assumed-role/" + role + "/" + session) +
      "\n      " + Xml("AssumedRoleId", "AROAEMULATOR00000000:" + session) +
      "\n    </AssumedRoleUser>\n";
  body += "    <Credentials>\n      " + Xml("AccessKeyId", key.access_key_id) + "\n      " +
          Xml("SecretAccessKey", key.secret_access_key) + "\n      " +
          Xml("SessionToken", key.session_token) + "\n      " +
          Xml("Expiration", IsoTime(*key.expires)) + "\n    </Credentials>\n";
  body += "  </" + action + "Result>\n  <ResponseMetadata>\n    " +
          Xml("RequestId", NewRequestId()) + "\n  </ResponseMetadata>\n</" + action + "Response>\n";
  return Text(200, std::move(body), "text/xml");
}

ApiReply AwsApi::Imds(const HttpRequest& request) {
  constexpr std::string_view kCredentials = "/latest/meta-data/iam/security-credentials/";
  const WallClock::time_point now = WallClock::now();
  if (request.path == "/latest/api/token") {
    if (request.method != "PUT") return Text(405, "");
    const int ttl = ParseInt(request.Header("X-aws-ec2-metadata-token-ttl-seconds"), -1);
    if (ttl < 1 || ttl > kMaxImdsTokenTtlS) return Text(400, "");
    const std::string token = Base64(NewRequestId() + NewRequestId());
    std::lock_guard lock(imds_mutex_);
    std::erase_if(imds_tokens_, [&](const auto& entry) { return entry.second <= now; });
    imds_tokens_[token] = now + std::chrono::seconds(ttl);
    return Text(200, token);
  }
  {
    std::lock_guard lock(imds_mutex_);
    const auto it = imds_tokens_.find(std::string(request.Header("X-aws-ec2-metadata-token")));
    if (it == imds_tokens_.end() || it->second <= now) return Text(401, "");
  }
  if (request.method != "GET" || !request.path.starts_with(kCredentials)) return Text(404, "");
  const std::string role = request.path.substr(kCredentials.size());
  if (role.empty()) return Text(200, options_.role_name);
  if (role != options_.role_name) return Text(404, "");
  const AwsKey key = IssueKey();
  return Text(200,
              "{\n  \"Code\" : \"Success\",\n  \"LastUpdated\" : \"" + IsoTime(SystemClock::now()) +
                  "\",\n  \"Type\" : \"AWS-HMAC\",\n  \"AccessKeyId\" : \"" + key.access_key_id +
                  "\",\n  \"SecretAccessKey\" : \"" + JsonText(key.secret_access_key) +
                  "\",\n  \"Token\" : \"" + JsonText(key.session_token) +
                  "\",\n  \"Expiration\" : \"" + IsoTime(*key.expires) + "\"\n}",
              "text/plain");
}

ApiReply AwsApi::ContainerCredentials(const HttpRequest& request) {
  const bool relative = request.path.starts_with("/v2/credentials/") &&
                        request.path.size() > std::string_view("/v2/credentials/").size();
  if (!relative && request.path != "/v1/credentials") {
    return Text(404, R"({"message":"not found"})", "application/json");
  }
  if (request.method != "GET") return Text(405, "");
  if (!relative && request.Header("Authorization") != options_.container_authorization_token) {
    return Text(request.HasHeader("Authorization") ? 403 : 401,
                R"({"message":"invalid authorization token"})", "application/json");
  }
  const AwsKey key = IssueKey();
  return Text(200,
              R"({"RoleArn":"arn:aws:iam::)" + options_.account_id + ":role/" +
                  JsonText(options_.role_name) + R"(","AccessKeyId":")" + key.access_key_id +
                  R"(","SecretAccessKey":")" + JsonText(key.secret_access_key) + R"(","Token":")" +
                  JsonText(key.session_token) + R"(","Expiration":")" + IsoTime(*key.expires) +
                  "\"}",
              "application/json");
}

}  // namespace emulator
