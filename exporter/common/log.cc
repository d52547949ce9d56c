#include "common/log.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <mutex>

namespace infercost {
namespace {

std::mutex log_mu;
std::atomic<LogLevel> min_level{LogLevel::kInfo};
// Never destroyed (logging may happen during static destruction). `log_secrets` is what Log()
// redacts: the config's secrets followed by every owner's runtime secrets.
std::vector<std::string>* log_secrets = new std::vector<std::string>();
std::vector<std::string>* config_secrets = new std::vector<std::string>();
std::map<std::string, std::vector<std::string>, std::less<>>* runtime_secrets =
    new std::map<std::string, std::vector<std::string>, std::less<>>();

// Rebuilds `log_secrets`; log_mu held.
void CombineSecrets() {
  *log_secrets = *config_secrets;
  for (const auto& [owner, secrets] : *runtime_secrets) {
    log_secrets->insert(log_secrets->end(), secrets.begin(), secrets.end());
  }
}

std::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

void AppendValue(std::string& out, std::string_view value) {
  bool quote = value.empty();
  for (char c : value) {
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
      quote = true;
      break;
    }
  }
  if (!quote) {
    out += value;
    return;
  }
  out += '"';
  for (char c : value) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

// Secrets shorter than this are matched as whole tokens only (see Redact in common/log.h).
constexpr std::size_t kShortSecret = 8;

bool IsAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

}  // namespace

// Secrets are redacted in the raw values, before AppendValue escapes them: a secret holding '"'
// or '\\' no longer matches once escaped.
std::string FormatLogLine(LogLevel level, std::string_view msg,
                          std::initializer_list<LogField> fields,
                          const std::vector<std::string>& secrets) {
  const auto now = std::chrono::system_clock::now();
  const std::time_t secs = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[64];
  std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(millis));
  std::string line = "ts=";
  line += stamp;
  line += " level=";
  line += LevelName(level);
  line += " msg=";
  AppendValue(line, Redact(msg, secrets));
  for (const auto& [key, value] : fields) {
    line += ' ';
    line += key;
    line += '=';
    AppendValue(line, Redact(value, secrets));
  }
  return line;
}

std::string Redact(std::string_view text, const std::vector<std::string>& secrets) {
  std::vector<std::string_view> by_length;
  for (const std::string& s : secrets) {
    if (!s.empty()) {
      by_length.push_back(s);
    }
  }
  if (by_length.empty()) {
    return std::string(text);
  }
  // Most text holds no secret at all (every /metrics scrape goes through here): one search per
  // secret settles that before the scan.
  if (std::none_of(by_length.begin(), by_length.end(),
                   [&](std::string_view s) { return text.find(s) != std::string_view::npos; })) {
    return std::string(text);
  }
  std::stable_sort(by_length.begin(), by_length.end(),
                   [](std::string_view a, std::string_view b) { return a.size() > b.size(); });
  const auto starts_secret = [&](std::string_view at) {
    return std::any_of(by_length.begin(), by_length.end(),
                       [&](std::string_view s) { return at.starts_with(s); });
  };
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  bool after_secret = false;  // text[i - 1] ended a redacted secret
  while (i < text.size()) {
    const std::string_view rest = text.substr(i);
    const auto match = std::find_if(by_length.begin(), by_length.end(), [&](std::string_view s) {
      if (!rest.starts_with(s)) return false;
      if (s.size() >= kShortSecret) return true;
      // A short secret inside a longer run of letters and digits is not that secret: "503" in
      // the port 44503. A neighbouring secret is a boundary ("${A}${B}" written together).
      const bool joined_before = i > 0 && !after_secret && IsAlnum(text[i - 1]) && IsAlnum(s[0]);
      const bool joined_after = s.size() < rest.size() && IsAlnum(rest[s.size()]) &&
                                IsAlnum(s.back()) && !starts_secret(rest.substr(s.size()));
      return !joined_before && !joined_after;
    });
    if (match != by_length.end()) {
      out += "<redacted>";
      i += match->size();
      after_secret = true;
    } else {
      out += text[i++];
      after_secret = false;
    }
  }
  return out;
}

bool IsSecretName(std::string_view name) {
  std::string folded;  // lower case, without '-' and '_': "X-Api-Key" -> "xapikey"
  for (char c : name) {
    if (c == '-' || c == '_') continue;
    folded += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  constexpr std::string_view kParts[] = {"auth",    "token",     "secret",    "password",
                                         "passwd",  "pwd",       "key",       "cookie",
                                         "session", "signature", "credential"};
  constexpr std::string_view kWhole[] = {"sig", "pass", "code", "jwt"};
  for (std::string_view part : kParts) {
    if (folded.find(part) != std::string::npos) return true;
  }
  return std::find(std::begin(kWhole), std::end(kWhole), folded) != std::end(kWhole);
}

std::vector<std::string> UrlSecrets(std::string_view url) {
  std::vector<std::string> secrets;
  url = url.substr(0, url.find('#'));
  const std::size_t scheme_end = url.find("://");
  const std::size_t authority_start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  const std::size_t authority_end = url.find_first_of("/?", authority_start);
  const std::string_view authority = url.substr(
      authority_start, authority_end == std::string_view::npos ? std::string_view::npos
                                                               : authority_end - authority_start);
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    const std::size_t colon = userinfo.find(':');
    const std::string_view secret =
        colon == std::string_view::npos ? userinfo : userinfo.substr(colon + 1);
    if (!secret.empty()) secrets.emplace_back(secret);
  }
  const std::size_t question = url.find('?', authority_start);
  std::string_view query =
      question == std::string_view::npos ? std::string_view() : url.substr(question + 1);
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos || eq + 1 == pair.size()) continue;
    if (IsSecretName(pair.substr(0, eq))) secrets.emplace_back(pair.substr(eq + 1));
  }
  return secrets;
}

std::string RedactUrl(std::string_view url) { return Redact(url, UrlSecrets(url)); }

std::string RedactRegistered(std::string_view text) {
  std::vector<std::string> secrets;
  {
    std::lock_guard lock(log_mu);
    secrets = *log_secrets;
  }
  return Redact(text, secrets);
}

void Log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields) {
  if (level < min_level) return;
  std::lock_guard lock(log_mu);
  std::string line = FormatLogLine(level, msg, fields, *log_secrets);
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
}

void SetLogLevel(LogLevel level) {
  std::lock_guard lock(log_mu);
  min_level = level;
}

void SetLogSecrets(std::vector<std::string> secrets) {
  std::lock_guard lock(log_mu);
  *config_secrets = std::move(secrets);
  CombineSecrets();
}

void SetRuntimeLogSecrets(std::string_view owner, std::vector<std::string> secrets) {
  std::lock_guard lock(log_mu);
  if (secrets.empty()) {
    if (const auto it = runtime_secrets->find(owner); it != runtime_secrets->end()) {
      runtime_secrets->erase(it);
    }
  } else {
    (*runtime_secrets)[std::string(owner)] = std::move(secrets);
  }
  CombineSecrets();
}

}  // namespace infercost
