// The fuzz targets of pure functions: durations, URLs, the REPORT line, base64.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/duration.h"
#include "common/listen_address.h"
#include "loadgen/base64.h"
#include "loadgen/billed_duration.h"
#include "loadgen/lambda_report.h"
#include "loadgen/url.h"
#include "targets.h"

namespace infercost::fuzz {

using std::chrono::nanoseconds;

void Require(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
  std::abort();
}

void FuzzDuration(std::string_view text) {
  if (const auto d = ParseDuration(text); d.has_value() && d->count() > 0) {
    // What FormatDuration writes, ParseDuration reads back to the same value.
    const std::string formatted = FormatDuration(*d);
    Require(ParseDuration(formatted) == d, "ParseDuration(FormatDuration(d)) != d");
  }
  if (const auto billed = loadgen::ParseBilledDuration(text); billed.has_value()) {
    Require(billed->count() >= 0, "a billed duration below zero");
    const uint64_t ms = loadgen::RoundBilledMs(*billed);
    Require(static_cast<long double>(ms) * 1e6L >= static_cast<long double>(billed->count()),
            "RoundBilledMs rounded down");
  }
}

void FuzzUrl(std::string_view text) {
  (void)loadgen::UrlError(text);
  (void)loadgen::HostError(text);
  if (const auto port = loadgen::ParsePort(text, 0); port.has_value()) {
    Require(*port >= 0 && *port <= 65535, "ParsePort out of range");
  }
  std::string_view host;
  std::string_view port;
  bool has_port = false;
  if (loadgen::SplitHostPort(text, &host, &port, &has_port)) {
    Require(host.size() + port.size() <= text.size(), "SplitHostPort parts longer than the text");
  }
  std::string error;
  if (const auto listen = ParseListenAddress(text, &error); listen.has_value()) {
    Require(listen->port >= 0 && listen->port <= 65535, "listen port out of range");
    (void)listen->ToString();
  } else {
    Require(!error.empty(), "ParseListenAddress refused without saying why");
  }
}

void FuzzLambdaReport(std::string_view text) {
  const auto report = loadgen::ParseLambdaReport(text);
  if (!report.has_value()) return;
  Require(report->duration.count() >= 0 && report->billed_duration.count() >= 0,
          "a REPORT duration below zero");
  Require(report->memory_size_mb >= 0 && report->max_memory_used_mb >= 0,
          "a REPORT memory size below zero");
  (void)loadgen::RoundBilledMs(report->billed_duration);
}

void FuzzBase64(std::string_view bytes) {
  std::string decoded;
  if (loadgen::Base64Decode(bytes, &decoded)) {
    Require(decoded.size() <= bytes.size() * 3 / 4 + 2, "decoded longer than its text allows");
  }
  // Every byte string survives a round trip.
  const std::string encoded = loadgen::Base64Encode(bytes);
  Require(encoded.size() % 4 == 0, "an encoding not padded to four characters");
  Require(loadgen::Base64Decode(encoded, &decoded) && decoded == bytes,
          "Base64Decode(Base64Encode(b)) != b");
}

}  // namespace infercost::fuzz
