// Structured logs: one logfmt line per event on stderr, e.g.
//   ts=2026-11-27T21:04:05.123Z level=info msg="config reloaded" targets=4
// Values are quoted when needed; registered secrets are replaced with <redacted> before a line
// is written. Thread-safe: lines from different threads never interleave.
#ifndef INFERCOST_COMMON_LOG_H_
#define INFERCOST_COMMON_LOG_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace infercost {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

using LogField = std::pair<std::string_view, std::string>;

void Log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields = {});
void SetLogLevel(LogLevel level);
// Secrets to scrub from every line from now on (the expanded ${VAR} values of the config).
void SetLogSecrets(std::vector<std::string> secrets);
// Formats a line without writing it (tests).
std::string FormatLogLine(LogLevel level, std::string_view msg,
                          std::initializer_list<LogField> fields);

}  // namespace infercost

#endif  // INFERCOST_COMMON_LOG_H_
