// Structured logs: one logfmt line per event on stderr, e.g.
//   ts=2026-11-27T21:04:05.123Z level=info msg="config reloaded" targets=4
// Registered secrets are replaced with <redacted> in the message and every value before they are
// quoted and escaped, so a secret holding '"' or '\\' is caught as the config wrote it.
// Thread-safe: lines from different threads never interleave.
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
// Secrets learnt at run time (fetched credentials), scrubbed too, per `owner` (e.g.
// "credentials:<target>"): each call replaces that owner's list; an empty list forgets it.
// Independent of SetLogSecrets(), so a config reload does not unregister fetched keys.
void SetRuntimeLogSecrets(std::string_view owner, std::vector<std::string> secrets);
// Replaces every occurrence of a secret in `text` with "<redacted>", scanning left to right and
// trying the longest secret first at each position (so "abc123" is not left half-shown as
// "<redacted>123" when "abc" is a secret too); empty secrets are ignored. A secret shorter than
// 8 characters is replaced only where it is a whole token, not inside a longer run of letters
// and digits: `?code=503` makes "503" a secret, and the port 44503 in a log line stays whole
// (a credential that short is guessable anyway; adjacent secrets still count as boundaries).
// The one redaction of infercost: logs, the targets JSON and the landing page all go through it.
std::string Redact(std::string_view text, const std::vector<std::string>& secrets);
// True for a header or query-parameter name that carries a credential (Authorization,
// X-Api-Key, X-Amz-Security-Token, token, api_key, sig, ...): its value is a secret even when the
// config writes it out literally.
bool IsSecretName(std::string_view name);
// The credentials written into a URL: the userinfo's password (or the whole userinfo when it has
// no ':', a token used as the user name) and the values of query parameters whose name
// IsSecretName(), as written (percent-encoded).
std::vector<std::string> UrlSecrets(std::string_view url);
// The URL with its UrlSecrets() redacted: how a URL is shown where no config lists the secrets
// (bench's --url).
std::string RedactUrl(std::string_view url);
// Redact() with every secret registered now (SetLogSecrets and SetRuntimeLogSecrets): the one
// redaction step of every output that is not a log line (HTTP bodies, start-up errors).
std::string RedactRegistered(std::string_view text);
// Formats a line as Log() writes it with `secrets` registered, without writing it (tests).
std::string FormatLogLine(LogLevel level, std::string_view msg,
                          std::initializer_list<LogField> fields,
                          const std::vector<std::string>& secrets = {});

}  // namespace infercost

#endif  // INFERCOST_COMMON_LOG_H_
