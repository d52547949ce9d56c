// The pieces of the Prometheus text format (0.0.4) that serve writes itself: sample values as
// prometheus-cpp 1.0's TextSerializer writes them (16 significant digits, "Nan", "+Inf",
// "-Inf") and escaped label values, appended to a string without iostreams.
#ifndef INFERCOST_SERVE_TEXT_FORMAT_H_
#define INFERCOST_SERVE_TEXT_FORMAT_H_

#include <prometheus/metric_type.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

namespace infercost::text {

inline void AppendNumber(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "Nan";
  } else if (std::isinf(value)) {
    out += value < 0 ? "-Inf" : "+Inf";
  } else {
    // %.16g, as prometheus-cpp's stream with precision max_digits10 - 1 writes it.
    std::array<char, 32> buffer;
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value,
                                      std::chars_format::general, 16);
    out.append(buffer.data(), result.ptr);
  }
}

template <typename Integer>
void AppendInteger(std::string& out, Integer value) {
  std::array<char, 24> buffer;
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  out.append(buffer.data(), result.ptr);
}

inline std::string Formatted(double value) {
  std::string text;
  AppendNumber(text, value);
  return text;
}

// A label value between its quotes: backslash, double quote and newline escaped.
inline void AppendLabelValue(std::string& out, std::string_view value) {
  for (const char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

// A family's "# HELP" (when it has a help text) and "# TYPE" lines.
inline void AppendFamilyHead(std::string& out, std::string_view name, std::string_view help,
                             prometheus::MetricType type) {
  if (!help.empty()) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += '\n';
  }
  out += "# TYPE ";
  out += name;
  out += ' ';
  switch (type) {
    case prometheus::MetricType::Counter:
      out += "counter";
      break;
    case prometheus::MetricType::Gauge:
      out += "gauge";
      break;
    case prometheus::MetricType::Summary:
      out += "summary";
      break;
    case prometheus::MetricType::Histogram:
      out += "histogram";
      break;
    case prometheus::MetricType::Untyped:
      out += "untyped";
      break;
  }
  out += '\n';
}

}  // namespace infercost::text

#endif  // INFERCOST_SERVE_TEXT_FORMAT_H_
