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
  std::stable_sort(by_length.begin(), by_length.end(),
                   [](std::string_view a, std::string_view b) { return a.size() > b.size(); });
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const std::string_view rest = text.substr(i);
    auto match = std::find_if(by_length.begin(), by_length.end(),
                              [&](std::string_view s) { return rest.starts_with(s); });
    if (match != by_length.end()) {
      out += "<redacted>";
      i += match->size();
    } else {
      out += text[i++];
    }
  }
  return out;
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
