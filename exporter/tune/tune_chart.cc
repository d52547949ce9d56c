// The chart AWS Lambda Power Tuning made familiar: memory sizes along the bottom (one slot each,
// as Power Tuning draws them), cost per 1M invocations on the left axis (solid lines) and p50
// billed duration on the right (dashed), the recommended run ringed. One colour per series: a
// function (its architecture) on demand or with provisioned concurrency. The sweep's SvgChart has
// one y axis, so this one is drawn here with the sweep's ticks and escaping.
#include <algorithm>
#include <cstdio>

#include "sweep/svg_chart.h"
#include "tune/tune_report.h"

namespace infercost {
namespace {

constexpr double kWidth = 820, kHeight = 460;
constexpr double kLeft = 90, kRight = 90, kTop = 70, kBottom = 60;
constexpr const char* kCostColour = "#0072B2";      // Okabe-Ito blue
constexpr const char* kDurationColour = "#D55E00";  // Okabe-Ito vermillion
// A single series keeps the two axis colours; more get one Okabe-Ito colour each.
constexpr const char* kSeriesColours[] = {"#0072B2", "#D55E00", "#009E73",
                                          "#CC79A7", "#E69F00", "#56B4E9"};

std::string Num(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", v);
  return buffer;
}

std::string Text(double x, double y, const std::string& anchor, const std::string& text,
                 const std::string& extra = "") {
  return "<text x=\"" + Num(x) + "\" y=\"" + Num(y) + "\" text-anchor=\"" + anchor + "\"" + extra +
         ">" + EscapeXml(text) + "</text>\n";
}

// One y axis's ticks from zero, the last at or above `max`.
std::vector<double> AxisTicks(double max) {
  std::vector<double> ticks = NiceTicks(0, max > 0 ? max : 1, AxisScale::kLinear, 5);
  if (ticks.size() >= 2 && ticks.back() < max) ticks.push_back(ticks.back() + ticks[1] - ticks[0]);
  if (ticks.empty() || ticks.back() < max) ticks.push_back(max);
  return ticks;
}

std::string Line(double x1, double y1, double x2, double y2, const std::string& style) {
  return "<line x1=\"" + Num(x1) + "\" y1=\"" + Num(y1) + "\" x2=\"" + Num(x2) + "\" y2=\"" +
         Num(y2) + "\" " + style + "/>\n";
}

// The legend: one series inside the plot, top left; more below the plot (line styles on the
// left, one colour per series on the right), where no line can hide under it.
std::string Legend(const TuneAnalysis& a, const std::vector<std::pair<std::size_t, int>>& series,
                   double plot_w) {
  const bool many = series.size() > 1;
  const std::size_t count = sizeof kSeriesColours / sizeof kSeriesColours[0];
  std::string svg;
  const double lx = many ? kLeft : kLeft + 12, ly = many ? kHeight + 10 : kTop + 14;
  const std::string first = many ? "#333" : kCostColour;
  const std::string second = many ? "#333" : kDurationColour;
  svg += Line(lx, ly, lx + 26, ly, "stroke=\"" + first + "\" stroke-width=\"2.5\"");
  svg += Text(lx + 32, ly + 4, "start", "cost per 1M (left)");
  svg += Line(lx, ly + 18, lx + 26, ly + 18,
              "stroke=\"" + second + "\" stroke-width=\"2.5\" stroke-dasharray=\"7 4\"");
  svg += Text(lx + 32, ly + 22, "start", "p50 billed duration (right)");
  for (std::size_t k = 0; many && k < series.size(); ++k) {
    const double x = kLeft + plot_w / 2, y = ly + 18 * static_cast<double>(k);
    for (const SizeFigures& s : a.sizes) {
      if (std::pair{s.function, s.provisioned} != series[k]) continue;
      svg += "<rect x=\"" + Num(x) + "\" y=\"" + Num(y - 6) +
             "\" width=\"26\" height=\"10\" fill=\"" + kSeriesColours[k % count] + "\"/>\n";
      svg += Text(x + 32, y + 4, "start", SeriesLabel(a, s));
      break;
    }
  }
  return svg;
}

}  // namespace

std::string PowerTuningChart(const TuneAnalysis& a) {
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  double max_cost = 0, max_ms = 0;
  for (const SizeFigures& s : a.sizes) {
    max_cost = std::max(max_cost, s.usd_per_million);
    max_ms = std::max(max_ms, s.p50_high_ms);
  }
  const std::vector<double> cost_ticks = AxisTicks(max_cost), ms_ticks = AxisTicks(max_ms);
  const double cost_top = cost_ticks.back(), ms_top = ms_ticks.back();
  auto y_cost = [&](double v) { return kTop + plot_h * (1 - v / cost_top); };
  auto y_ms = [&](double v) { return kTop + plot_h * (1 - v / ms_top); };
  // The series, in order of first appearance, and the memory sizes' slots.
  std::vector<std::pair<std::size_t, int>> series;
  std::vector<int> slots;
  for (const SizeFigures& s : a.sizes) {
    if (std::find(series.begin(), series.end(), std::pair{s.function, s.provisioned}) ==
        series.end()) {
      series.emplace_back(s.function, s.provisioned);
    }
    if (std::find(slots.begin(), slots.end(), s.memory_mb) == slots.end()) {
      slots.push_back(s.memory_mb);
    }
  }
  std::sort(slots.begin(), slots.end());
  // With more than one series the colours name the series, so the axes are drawn in grey.
  const bool many = series.size() > 1;
  const std::string cost_axis = many ? "#333" : kCostColour;
  const std::string ms_axis = many ? "#333" : kDurationColour;

  const double height =
      kHeight + (many ? 18 * static_cast<double>(std::max<std::size_t>(series.size(), 2)) + 4 : 0);
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"power-tuning\" width=\"" +
                    Num(kWidth) + "\" height=\"" + Num(height) + "\" viewBox=\"0 0 " + Num(kWidth) +
                    " " + Num(height) +
                    "\" font-family=\"DejaVu Sans, sans-serif\" font-size=\"12\">\n"
                    "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  svg += Text(kWidth / 2, 24, "middle", "Cost and speed against memory (Power Tuning)",
              " font-size=\"16\" font-weight=\"bold\"");
  svg += Text(kWidth / 2, 44, "middle",
              "left: cost per 1M invocations (USD); right: p50 billed duration (ms), with its "
              "95 % interval",
              " fill=\"#555\"");
  for (const double t : cost_ticks) {
    svg += Line(kLeft, y_cost(t), kLeft + plot_w, y_cost(t), "stroke=\"#e4e4e4\"");
    svg += Text(kLeft - 8, y_cost(t) + 4, "end", "$" + CompactNumber(t),
                " fill=\"" + cost_axis + "\"");
  }
  for (const double t : ms_ticks) {
    svg += Text(kLeft + plot_w + 8, y_ms(t) + 4, "start", CompactNumber(t),
                " fill=\"" + ms_axis + "\"");
  }
  svg += Line(kLeft, kTop, kLeft, kTop + plot_h, "stroke=\"#333\"");
  svg += Line(kLeft + plot_w, kTop, kLeft + plot_w, kTop + plot_h, "stroke=\"#333\"");
  svg += Line(kLeft, kTop + plot_h, kLeft + plot_w, kTop + plot_h, "stroke=\"#333\"");
  svg += Text(
      24, kTop + plot_h / 2, "middle", "cost per 1M invocations (USD)",
      " fill=\"" + cost_axis + "\" transform=\"rotate(-90 24 " + Num(kTop + plot_h / 2) + ")\"");
  svg += Text(kWidth - 20, kTop + plot_h / 2, "middle", "p50 billed duration (ms)",
              " fill=\"" + ms_axis + "\" transform=\"rotate(90 " + Num(kWidth - 20) + " " +
                  Num(kTop + plot_h / 2) + ")\"");
  svg += Text(kLeft + plot_w / 2, kHeight - 14, "middle", "memory size (MB)");
  const double n = static_cast<double>(std::max<std::size_t>(slots.size(), 1));
  auto x_of = [&](int memory_mb) {
    const auto i = std::find(slots.begin(), slots.end(), memory_mb) - slots.begin();
    return kLeft + plot_w * (static_cast<double>(i) + 0.5) / n;
  };
  for (const int memory_mb : slots) {
    svg += Text(x_of(memory_mb), kTop + plot_h + 18, "middle", std::to_string(memory_mb));
  }
  const std::size_t count = sizeof kSeriesColours / sizeof kSeriesColours[0];
  for (std::size_t k = 0; k < series.size(); ++k) {
    const std::string cost_colour = series.size() == 1 ? kCostColour : kSeriesColours[k % count];
    const std::string ms_colour = series.size() == 1 ? kDurationColour : kSeriesColours[k % count];
    std::string cost_path, ms_path, marks;
    for (const SizeFigures& s : a.sizes) {
      if (std::pair{s.function, s.provisioned} != series[k]) continue;
      const double x = x_of(s.memory_mb);
      cost_path += (cost_path.empty() ? "M" : " L") + Num(x) + " " + Num(y_cost(s.usd_per_million));
      ms_path += (ms_path.empty() ? "M" : " L") + Num(x) + " " + Num(y_ms(s.p50_ms));
      marks += Line(x, y_ms(s.p50_low_ms), x, y_ms(s.p50_high_ms),
                    "stroke=\"" + ms_colour + "\" stroke-width=\"1.5\"");
      marks += "<circle cx=\"" + Num(x) + "\" cy=\"" + Num(y_cost(s.usd_per_million)) +
               "\" r=\"4.5\" fill=\"" + cost_colour + "\"/>\n";
      marks += "<rect x=\"" + Num(x - 4) + "\" y=\"" + Num(y_ms(s.p50_ms) - 4) +
               "\" width=\"8\" height=\"8\" fill=\"" + ms_colour + "\"/>\n";
    }
    svg += "<path d=\"" + cost_path + "\" fill=\"none\" stroke=\"" + cost_colour +
           "\" stroke-width=\"2.5\"/>\n";
    svg += "<path d=\"" + ms_path + "\" fill=\"none\" stroke=\"" + ms_colour +
           "\" stroke-width=\"2.5\" stroke-dasharray=\"7 4\"/>\n";
    svg += marks;
  }
  const std::optional<std::size_t> best = a.strategy == TuneStrategy::kCost    ? a.best_cost
                                          : a.strategy == TuneStrategy::kSpeed ? a.best_speed
                                                                               : a.best_balanced;
  if (best) {
    const double x = x_of(a.sizes[*best].memory_mb), y = y_cost(a.sizes[*best].usd_per_million);
    svg += "<circle cx=\"" + Num(x) + "\" cy=\"" + Num(y) +
           "\" r=\"10\" fill=\"none\" stroke=\"#000\" stroke-width=\"1.5\"/>\n";
    svg += Text(x, y - 16, "middle", "best (" + std::string(StrategyName(a.strategy)) + ")",
                " font-weight=\"bold\"");
  }
  svg += Legend(a, series, plot_w);
  return svg + "</svg>\n";
}

}  // namespace infercost
