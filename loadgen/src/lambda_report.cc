#include "loadgen/lambda_report.h"

#include <charconv>
#include <cstdint>
#include <system_error>

#include "loadgen/billed_duration.h"
#include "transfer.h"

namespace loadgen {
namespace {

using std::chrono::nanoseconds;

constexpr std::string_view kReportStart = "REPORT RequestId:";
constexpr int kMaxMemoryMb = 1 << 20;  // 1 TiB: far above Lambda's 10,240 MB limit

// The last line that starts with the REPORT marker, without its line end; empty when none.
std::string_view LastReportLine(std::string_view text) {
  std::size_t at = text.rfind(kReportStart);
  while (at != std::string_view::npos) {
    if (at == 0 || text[at - 1] == '\n') {
      const std::size_t end = text.find('\n', at);
      return text.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
    }
    at = text.rfind(kReportStart, at - 1);
  }
  return {};
}

// "12.34 ms" (the unit required).
std::optional<nanoseconds> ParseMs(std::string_view value) {
  if (!value.ends_with(" ms")) return std::nullopt;
  value.remove_suffix(3);
  return ParseBilledDuration(value);
}

// "1024 MB" (whole megabytes, the unit required).
std::optional<int> ParseMb(std::string_view value) {
  if (!value.ends_with(" MB")) return std::nullopt;
  value = internal::Trim(value.substr(0, value.size() - 3));
  int mb = 0;
  const char* end = value.data() + value.size();
  auto [ptr, ec] = std::from_chars(value.data(), end, mb);
  if (value.empty() || ec != std::errc() || ptr != end || mb < 0 || mb > kMaxMemoryMb) {
    return std::nullopt;
  }
  return mb;
}

// What the REPORT line's fields said; each known field parsed or marked bad.
struct Fields {
  std::optional<nanoseconds> duration, billed, init;
  std::optional<int> memory_size, max_memory_used;
  bool malformed = false;

  template <typename T>
  void Set(std::optional<T>* field, std::optional<T> value) {
    if (!value.has_value()) malformed = true;
    *field = value;
  }
  void Read(std::string_view name, std::string_view value) {
    if (name == "Duration") {
      Set(&duration, ParseMs(value));
    } else if (name == "Billed Duration") {
      Set(&billed, ParseMs(value));
    } else if (name == "Init Duration") {
      Set(&init, ParseMs(value));
    } else if (name == "Memory Size") {
      Set(&memory_size, ParseMb(value));
    } else if (name == "Max Memory Used") {
      Set(&max_memory_used, ParseMb(value));
    }
  }
};

}  // namespace

std::optional<LambdaReport> ParseLambdaReport(std::string_view log_text) {
  std::string_view line = LastReportLine(log_text);
  if (line.empty()) return std::nullopt;
  Fields fields;
  // The first field is the request id; the rest are "<name>: <value>".
  std::size_t tab = line.find('\t');
  line = tab == std::string_view::npos ? std::string_view() : line.substr(tab + 1);
  while (!line.empty()) {
    tab = line.find('\t');
    const std::string_view field = internal::Trim(line.substr(0, tab));
    line = tab == std::string_view::npos ? std::string_view() : line.substr(tab + 1);
    const std::size_t colon = field.find(':');
    if (colon == std::string_view::npos) continue;
    fields.Read(internal::Trim(field.substr(0, colon)), internal::Trim(field.substr(colon + 1)));
  }
  if (fields.malformed || !fields.duration || !fields.billed || !fields.memory_size ||
      !fields.max_memory_used) {
    return std::nullopt;
  }
  return LambdaReport{.duration = *fields.duration,
                      .billed_duration = *fields.billed,
                      .memory_size_mb = *fields.memory_size,
                      .max_memory_used_mb = *fields.max_memory_used,
                      .init_duration = fields.init};
}

}  // namespace loadgen
