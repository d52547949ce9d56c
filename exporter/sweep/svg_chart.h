// Line charts written as SVG by hand, for the sweep report: axes with 1-2-5 ticks (linear, log10
// or log2), units in the axis titles, one colour and marker shape per series, 95 % interval
// whiskers, reference lines, labelled points placed so that their labels do not overlap, and the
// legend outside the plot area. Thread contract: a value; build and render on one thread.
#ifndef INFERCOST_SWEEP_SVG_CHART_H_
#define INFERCOST_SWEEP_SVG_CHART_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace infercost {

enum class AxisScale { kLinear, kLog10, kLog2 };

struct AxisSpec {
  std::string title;  // with its unit, e.g. "throughput (inferences/s)"
  AxisScale scale = AxisScale::kLinear;
  // Domain; unset ends come from the data (linear axes start at zero unless told otherwise).
  std::optional<double> min;
  std::optional<double> max;
  bool include_zero = true;  // linear only
  // Tick label text; the default prints the number compactly (1, 2.5, 10k).
  std::function<std::string(double)> format;
};

struct ChartPoint {
  double x = 0;
  double y = 0;
  std::optional<double> y_low;  // whisker, when known
  std::optional<double> y_high;
};

struct ChartSeries {
  std::string name;  // legend entry
  std::vector<ChartPoint> points;
  int style = 0;        // picks colour and marker shape; keep it per target across charts
  bool markers = true;  // draw a marker at each point
  bool dashed = false;
  std::optional<std::size_t> highlight;  // index of a point to ring (the knee)
};

// A labelled point such as a break-even: drawn as a black diamond with its label nearby.
struct ChartAnnotation {
  double x = 0;
  double y = 0;
  std::string label;
};

struct ReferenceLine {
  bool vertical = false;  // vertical at x = value, else horizontal at y = value
  double value = 0;
  std::string label;
};

class SvgChart {
 public:
  SvgChart(std::string title, AxisSpec x, AxisSpec y);

  void AddSeries(ChartSeries series) { series_.push_back(std::move(series)); }
  void Annotate(ChartAnnotation annotation) { annotations_.push_back(std::move(annotation)); }
  void AddLine(ReferenceLine line) { lines_.push_back(std::move(line)); }
  // A line of small print under the title (method, profile).
  void SetSubtitle(std::string subtitle) { subtitle_ = std::move(subtitle); }
  // Legend entries without a line (e.g. "lambda: no step met the SLO").
  void AddNote(std::string note) { notes_.push_back(std::move(note)); }
  // Prefix of the element ids in the document: unique per chart when several share a page.
  void SetId(std::string id) { id_ = std::move(id); }

  // The whole document, `width` × `height` pixels.
  std::string Render(int width = 820, int height = 460) const;
  // The chart drawn into the box (left, top, width, height) of a larger document; `legend`
  // false leaves the legend to the caller (stacked panels share one).
  std::string RenderPanel(double left, double top, double width, double height, bool legend) const;
  // The legend alone, from (left, top), at most `width` wide.
  std::string RenderLegend(double left, double top, double width) const;
  double LegendWidth() const;

  const std::vector<ChartSeries>& series() const { return series_; }

 private:
  std::string title_;
  std::string subtitle_;
  std::string id_ = "chart";
  AxisSpec x_;
  AxisSpec y_;
  std::vector<ChartSeries> series_;
  std::vector<ChartAnnotation> annotations_;
  std::vector<ReferenceLine> lines_;
  std::vector<std::string> notes_;
};

// Several charts stacked vertically in one document, sharing the legend of the first.
std::string RenderStacked(const std::string& title, const std::vector<const SvgChart*>& panels,
                          int width, int panel_height);

// Tick positions for [min, max]. Linear: multiples of 1, 2 or 5 × 10^k, about `target` of them.
// Log10: decades, with 2 and 5 between them when the range spans few decades. Log2: powers of
// two. Exposed for tests.
std::vector<double> NiceTicks(double min, double max, AxisScale scale, int target = 6);
// "1", "2.5", "10k", "1.5M": tick text.
std::string CompactNumber(double value);
std::string EscapeXml(const std::string& text);

}  // namespace infercost

#endif  // INFERCOST_SWEEP_SVG_CHART_H_
