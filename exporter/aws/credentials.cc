#include "aws/credentials.h"

#include <cstdlib>
#include <utility>

#include "aws/flat_json.h"

namespace infercost::aws {
namespace {

using std::chrono::system_clock;

constexpr std::pair<Source, std::string_view> kSourceNames[] = {
    {Source::kDefault, "default"},     {Source::kStatic, "static"},
    {Source::kProfile, "profile"},     {Source::kWebIdentity, "web_identity"},
    {Source::kContainer, "container"}, {Source::kInstance, "instance"},
    {Source::kProcess, "process"},
};

bool ReadDigits(std::string_view text, std::size_t* pos, std::size_t count, int* value) {
  if (text.size() - *pos < count) return false;
  *value = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const char c = text[(*pos)++];
    if (c < '0' || c > '9') return false;
    *value = *value * 10 + (c - '0');
  }
  return true;
}

bool Expect(std::string_view text, std::size_t* pos, char c) {
  if (*pos >= text.size() || text[*pos] != c) return false;
  ++*pos;
  return true;
}

}  // namespace

Environment ProcessEnvironment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Lookup Lookup::Found(Credentials credentials) {
  Lookup l;
  l.status = Status::kFound;
  l.credentials = std::move(credentials);
  return l;
}

Lookup Lookup::NotConfigured(std::string why) {
  Lookup l;
  l.status = Status::kNotConfigured;
  l.message = std::move(why);
  return l;
}

Lookup Lookup::Error(std::string why) {
  Lookup l;
  l.status = Status::kError;
  l.message = std::move(why);
  return l;
}

std::string_view SourceName(Source source) {
  for (const auto& [s, name] : kSourceNames) {
    if (s == source) return name;
  }
  return "default";
}

std::optional<Source> ParseSource(std::string_view text) {
  for (const auto& [s, name] : kSourceNames) {
    if (name == text) return s;
  }
  return std::nullopt;
}

Lookup FromEnvironment(const Environment& env) {
  const std::optional<std::string> key = env("AWS_ACCESS_KEY_ID");
  const std::optional<std::string> secret = env("AWS_SECRET_ACCESS_KEY");
  const bool has_key = key.has_value() && !key->empty();
  const bool has_secret = secret.has_value() && !secret->empty();
  if (!has_key && !has_secret) {
    return Lookup::NotConfigured("AWS_ACCESS_KEY_ID is not set");
  }
  if (!has_key || !has_secret) {
    return Lookup::Error(std::string(has_key ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID") +
                         " is not set while " +
                         (has_key ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY") + " is");
  }
  Credentials c;
  c.access_key_id = *key;
  c.secret_access_key = *secret;
  c.session_token = env("AWS_SESSION_TOKEN").value_or("");
  return Lookup::Found(std::move(c));
}

Lookup FromDefaultChain(const Environment& env) {
  struct Step {
    std::string_view name;
    std::function<Lookup()> run;
  };
  const Step steps[] = {
      {"environment", [&] { return FromEnvironment(env); }},
      {"web identity", [&] { return FromWebIdentity(env, "", "", ""); }},
      {"profile", [&] { return FromProfile(env, "", false); }},
      {"container", [&] { return FromContainer(env); }},
      {"instance metadata", [&] { return FromInstanceMetadata(env); }},
  };
  std::string skipped;
  for (const Step& step : steps) {
    Lookup l = step.run();
    if (l.status != Lookup::Status::kNotConfigured) {
      if (l.status == Lookup::Status::kError) {
        l.message = std::string(step.name) + ": " + l.message;
      }
      return l;
    }
    skipped += (skipped.empty() ? "" : "; ") + std::string(step.name) + ": " + l.message;
  }
  return Lookup::Error("no AWS credentials found (" + skipped + ")");
}

Lookup Resolve(const CredentialsSpec& spec, const Environment& env) {
  switch (spec.source) {
    case Source::kDefault:
      return FromDefaultChain(env);
    case Source::kStatic:
      return Lookup::Found(spec.static_keys);
    case Source::kProfile:
      return FromProfile(env, spec.profile, !spec.profile.empty());
    case Source::kWebIdentity:
      return FromWebIdentity(env, spec.role_arn, spec.token_file, spec.role_session_name);
    case Source::kContainer:
      return FromContainer(env);
    case Source::kInstance:
      return FromInstanceMetadata(env);
    case Source::kProcess:
      if (!spec.command.empty()) return FromProcess(spec.command);
      return FromProfile(env, spec.profile, !spec.profile.empty());
  }
  return Lookup::Error("unknown credentials source");
}

std::optional<system_clock::time_point> ParseTimestamp(std::string_view text) {
  std::size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!ReadDigits(text, &pos, 4, &year) || !Expect(text, &pos, '-') ||
      !ReadDigits(text, &pos, 2, &month) || !Expect(text, &pos, '-') ||
      !ReadDigits(text, &pos, 2, &day) || !(Expect(text, &pos, 'T') || Expect(text, &pos, 't')) ||
      !ReadDigits(text, &pos, 2, &hour) || !Expect(text, &pos, ':') ||
      !ReadDigits(text, &pos, 2, &minute) || !Expect(text, &pos, ':') ||
      !ReadDigits(text, &pos, 2, &second)) {
    return std::nullopt;
  }
  std::chrono::nanoseconds fraction{0};
  if (Expect(text, &pos, '.')) {
    std::int64_t scale = 100'000'000;
    const std::size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      fraction += std::chrono::nanoseconds(scale * (text[pos] - '0'));
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  std::chrono::minutes offset{0};
  if (!(Expect(text, &pos, 'Z') || Expect(text, &pos, 'z'))) {
    if (pos >= text.size() || (text[pos] != '+' && text[pos] != '-')) return std::nullopt;
    const int sign = text[pos++] == '-' ? -1 : 1;
    int oh = 0, om = 0;
    if (!ReadDigits(text, &pos, 2, &oh) || !Expect(text, &pos, ':') ||
        !ReadDigits(text, &pos, 2, &om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset = std::chrono::minutes(sign * (oh * 60 + om));
  }
  if (pos != text.size() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year(year),
                                         std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok()) return std::nullopt;
  const auto at = std::chrono::sys_days(date) + std::chrono::hours(hour) +
                  std::chrono::minutes(minute) + std::chrono::seconds(second) + fraction - offset;
  return std::chrono::time_point_cast<system_clock::duration>(at);
}

namespace internal {

Lookup CredentialsFromJson(std::string_view json, std::string_view token_key,
                           std::string_view what) {
  std::string error;
  const std::optional<FlatJsonObject> object = ParseFlatJsonObject(json, &error);
  if (!object) return Lookup::Error(std::string(what) + " is not a JSON object: " + error);
  Credentials c;
  c.access_key_id = object->Get("AccessKeyId").value_or("");
  c.secret_access_key = object->Get("SecretAccessKey").value_or("");
  c.session_token = object->Get(token_key).value_or("");
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    return Lookup::Error(std::string(what) + " has no AccessKeyId or SecretAccessKey");
  }
  if (const std::optional<std::string> expiration = object->Get("Expiration")) {
    c.expiration = ParseTimestamp(*expiration);
    if (!c.expiration) {
      return Lookup::Error(std::string(what) + " has an Expiration that is not an ISO 8601 time");
    }
  }
  return Lookup::Found(std::move(c));
}

}  // namespace internal
}  // namespace infercost::aws
