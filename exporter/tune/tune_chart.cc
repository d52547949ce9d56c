// The chart AWS Lambda Power Tuning made familiar: memory sizes along the bottom (one slot each,
// as Power Tuning draws them), cost per 1M invocations on the left axis and p50 billed duration
// on the right, the recommended size ringed. The sweep's SvgChart has one y axis, so this one is
// drawn here with the sweep's ticks and escaping.
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
  const double n = static_cast<double>(std::max<std::size_t>(a.sizes.size(), 1));
  auto x_at = [&](std::size_t i) { return kLeft + plot_w * (static_cast<double>(i) + 0.5) / n; };
  auto y_cost = [&](double v) { return kTop + plot_h * (1 - v / cost_top); };
  auto y_ms = [&](double v) { return kTop + plot_h * (1 - v / ms_top); };

  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"power-tuning\" width=\"" +
                    Num(kWidth) + "\" height=\"" + Num(kHeight) + "\" viewBox=\"0 0 " +
                    Num(kWidth) + " " + Num(kHeight) +
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
                std::string(" fill=\"") + kCostColour + "\"");
  }
  for (const double t : ms_ticks) {
    svg += Text(kLeft + plot_w + 8, y_ms(t) + 4, "start", CompactNumber(t),
                std::string(" fill=\"") + kDurationColour + "\"");
  }
  svg += Line(kLeft, kTop, kLeft, kTop + plot_h, std::string("stroke=\"") + kCostColour + "\"");
  svg += Line(kLeft + plot_w, kTop, kLeft + plot_w, kTop + plot_h,
              std::string("stroke=\"") + kDurationColour + "\"");
  svg += Line(kLeft, kTop + plot_h, kLeft + plot_w, kTop + plot_h, "stroke=\"#333\"");
  svg += Text(24, kTop + plot_h / 2, "middle", "cost per 1M invocations (USD)",
              std::string(" fill=\"") + kCostColour + "\" transform=\"rotate(-90 24 " +
                  Num(kTop + plot_h / 2) + ")\"");
  svg += Text(kWidth - 20, kTop + plot_h / 2, "middle", "p50 billed duration (ms)",
              std::string(" fill=\"") + kDurationColour + "\" transform=\"rotate(90 " +
                  Num(kWidth - 20) + " " + Num(kTop + plot_h / 2) + ")\"");
  svg += Text(kLeft + plot_w / 2, kHeight - 14, "middle", "memory size (MB)");
  std::string cost_path, ms_path;
  for (std::size_t i = 0; i < a.sizes.size(); ++i) {
    const SizeFigures& s = a.sizes[i];
    const double x = x_at(i);
    svg += Text(x, kTop + plot_h + 18, "middle", std::to_string(s.memory_mb));
    cost_path += (i == 0 ? "M" : " L") + Num(x) + " " + Num(y_cost(s.usd_per_million));
    ms_path += (i == 0 ? "M" : " L") + Num(x) + " " + Num(y_ms(s.p50_ms));
    svg += Line(x, y_ms(s.p50_low_ms), x, y_ms(s.p50_high_ms),
                std::string("stroke=\"") + kDurationColour + "\" stroke-width=\"1.5\"");
  }
  svg += "<path d=\"" + cost_path + "\" fill=\"none\" stroke=\"" + kCostColour +
         "\" stroke-width=\"2.5\"/>\n";
  svg += "<path d=\"" + ms_path + "\" fill=\"none\" stroke=\"" + kDurationColour +
         "\" stroke-width=\"2.5\" stroke-dasharray=\"7 4\"/>\n";
  for (std::size_t i = 0; i < a.sizes.size(); ++i) {
    const SizeFigures& s = a.sizes[i];
    svg += "<circle cx=\"" + Num(x_at(i)) + "\" cy=\"" + Num(y_cost(s.usd_per_million)) +
           "\" r=\"4.5\" fill=\"" + kCostColour + "\"/>\n";
    svg += "<rect x=\"" + Num(x_at(i) - 4) + "\" y=\"" + Num(y_ms(s.p50_ms) - 4) +
           "\" width=\"8\" height=\"8\" fill=\"" + kDurationColour + "\"/>\n";
  }
  const std::optional<std::size_t> best = a.strategy == TuneStrategy::kCost    ? a.best_cost
                                          : a.strategy == TuneStrategy::kSpeed ? a.best_speed
                                                                               : a.best_balanced;
  if (best) {
    const double x = x_at(*best), y = y_cost(a.sizes[*best].usd_per_million);
    svg += "<circle cx=\"" + Num(x) + "\" cy=\"" + Num(y) +
           "\" r=\"10\" fill=\"none\" stroke=\"#000\" stroke-width=\"1.5\"/>\n";
    svg += Text(x, y - 16, "middle", "best (" + std::string(StrategyName(a.strategy)) + ")",
                " font-weight=\"bold\"");
  }
  // Legend, top left inside the plot.
  const double lx = kLeft + 12, ly = kTop + 14;
  svg +=
      Line(lx, ly, lx + 26, ly, std::string("stroke=\"") + kCostColour + "\" stroke-width=\"2.5\"");
  svg += Text(lx + 32, ly + 4, "start", "cost per 1M (left)");
  svg += Line(lx, ly + 18, lx + 26, ly + 18,
              std::string("stroke=\"") + kDurationColour +
                  "\" stroke-width=\"2.5\" stroke-dasharray=\"7 4\"");
  svg += Text(lx + 32, ly + 22, "start", "p50 billed duration (right)");
  return svg + "</svg>\n";
}

}  // namespace infercost
