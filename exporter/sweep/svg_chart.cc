#include "sweep/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <utility>

namespace infercost {
namespace {

// Okabe–Ito colours: distinguishable with the common colour-vision deficiencies; shapes differ
// too, so that a grey print still tells the series apart.
constexpr const char* kColors[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                   "#E69F00", "#56B4E9", "#000000"};
constexpr int kColorCount = sizeof kColors / sizeof kColors[0];
constexpr const char* kFont = "DejaVu Sans, Arial, Helvetica, sans-serif";
constexpr double kTickFont = 11;
constexpr double kLegendFont = 12;
constexpr double kLegendLine = 18;
constexpr double kLegendMaxWidth = 250;

const char* Color(int style) {
  return kColors[((style % kColorCount) + kColorCount) % kColorCount];
}

// Width of `text` in pixels at `font_px`: DejaVu Sans averages a little over 0.6 em per
// character; overestimating keeps labels apart.
double TextWidth(const std::string& text, double font_px) {
  std::size_t characters = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++characters;  // count UTF-8 code points, not bytes
  }
  return static_cast<double>(characters) * font_px * 0.62;
}

std::string Num(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", value);
  return buffer;
}

struct Box {
  double left, top, right, bottom;
  bool Overlaps(const Box& other) const {
    return left < other.right && other.left < right && top < other.bottom && other.top < bottom;
  }
};

// Maps data values to pixels along one axis.
class Scale {
 public:
  Scale(AxisScale kind, double lo, double hi, double pixel_lo, double pixel_hi)
      : kind_(kind),
        lo_(Transform(kind, lo)),
        hi_(Transform(kind, hi)),
        pixel_lo_(pixel_lo),
        pixel_hi_(pixel_hi) {}
  bool Valid(double v) const { return kind_ == AxisScale::kLinear || v > 0; }
  double operator()(double v) const {
    const double span = hi_ - lo_;
    const double t = span != 0 ? (Transform(kind_, v) - lo_) / span : 0.5;
    return pixel_lo_ + (pixel_hi_ - pixel_lo_) * t;
  }

 private:
  static double Transform(AxisScale kind, double v) {
    switch (kind) {
      case AxisScale::kLinear:
        return v;
      case AxisScale::kLog10:
        return std::log10(v);
      case AxisScale::kLog2:
        return std::log2(v);
    }
    return v;
  }
  AxisScale kind_;
  double lo_, hi_, pixel_lo_, pixel_hi_;
};

struct Domain {
  double lo = 0;
  double hi = 1;
  std::vector<double> ticks;
};

// The largest 1, 2 or 5 × 10^k at or below `v` (> 0), and the smallest at or above it.
double LadderBelow(double v) {
  const double decade = std::pow(10.0, std::floor(std::log10(v) + 1e-9));
  for (double m : {5.0, 2.0, 1.0}) {
    if (decade * m <= v * (1 + 1e-9)) return decade * m;
  }
  return decade;
}
double LadderAbove(double v) {
  const double decade = std::pow(10.0, std::floor(std::log10(v) - 1e-9));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (decade * m >= v * (1 - 1e-9)) return decade * m;
  }
  return decade * 10;
}

Domain MakeDomain(const AxisSpec& spec, std::vector<double> values) {
  if (spec.scale != AxisScale::kLinear) {
    values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return !(v > 0); }),
                 values.end());
  }
  double lo = values.empty() ? 1 : *std::min_element(values.begin(), values.end());
  double hi = values.empty() ? 10 : *std::max_element(values.begin(), values.end());
  if (spec.scale == AxisScale::kLinear && spec.include_zero) lo = std::min(lo, 0.0);
  if (spec.min) lo = *spec.min;
  if (spec.max) hi = *spec.max;
  if (!(hi > lo)) {
    if (spec.scale == AxisScale::kLinear) {
      hi = lo + (lo == 0 ? 1 : std::fabs(lo) * 0.5);
    } else {
      hi = lo * 10;
    }
  }
  Domain domain;
  switch (spec.scale) {
    case AxisScale::kLinear: {
      domain.ticks = NiceTicks(lo, hi, AxisScale::kLinear);
      const double step = domain.ticks.size() >= 2 ? domain.ticks[1] - domain.ticks[0] : hi - lo;
      // Extend the data range to whole tick steps so the frame ends on a labelled tick.
      domain.lo = spec.min ? lo : std::floor(lo / step + 1e-9) * step;
      domain.hi = spec.max ? hi : std::ceil(hi / step - 1e-9) * step;
      domain.ticks = NiceTicks(domain.lo, domain.hi, AxisScale::kLinear);
      break;
    }
    case AxisScale::kLog10:
      // Bounds on the 1-2-5 ladder rather than whole decades: no empty decade at either end.
      // A little room beyond the data, so that nothing sits on the frame.
      domain.lo = spec.min ? lo : LadderBelow(lo / 1.05);
      domain.hi = spec.max ? hi : LadderAbove(hi * 1.05);
      if (domain.hi <= domain.lo) domain.hi = domain.lo * 10;
      domain.ticks = NiceTicks(domain.lo, domain.hi, AxisScale::kLog10);
      break;
    case AxisScale::kLog2:
      domain.lo = spec.min ? lo : std::exp2(std::floor(std::log2(lo) + 1e-9));
      domain.hi = spec.max ? hi : std::exp2(std::ceil(std::log2(hi) - 1e-9));
      if (domain.hi <= domain.lo) domain.hi = domain.lo * 2;
      domain.ticks = NiceTicks(domain.lo, domain.hi, AxisScale::kLog2);
      break;
  }
  return domain;
}

std::string TickText(const AxisSpec& spec, double value) {
  return spec.format ? spec.format(value) : CompactNumber(value);
}

std::string Marker(int style, double x, double y, const char* color) {
  const double r = 4.5;
  const std::string fill = "fill=\"" + std::string(color) + "\"";
  switch (((style % 5) + 5) % 5) {
    case 0:
      return "<circle cx=\"" + Num(x) + "\" cy=\"" + Num(y) + "\" r=\"" + Num(r) + "\" " + fill +
             "/>";
    case 1:
      return "<rect x=\"" + Num(x - r) + "\" y=\"" + Num(y - r) + "\" width=\"" + Num(2 * r) +
             "\" height=\"" + Num(2 * r) + "\" " + fill + "/>";
    case 2:
      return "<polygon points=\"" + Num(x) + "," + Num(y - r - 1) + " " + Num(x + r + 1) + "," +
             Num(y + r) + " " + Num(x - r - 1) + "," + Num(y + r) + "\" " + fill + "/>";
    case 3:
      return "<polygon points=\"" + Num(x) + "," + Num(y - r - 1) + " " + Num(x + r + 1) + "," +
             Num(y) + " " + Num(x) + "," + Num(y + r + 1) + " " + Num(x - r - 1) + "," + Num(y) +
             "\" " + fill + "/>";
    default:
      return "<polygon points=\"" + Num(x - r - 1) + "," + Num(y - r) + " " + Num(x + r + 1) + "," +
             Num(y - r) + " " + Num(x) + "," + Num(y + r + 1) + "\" " + fill + "/>";
  }
}

std::string Text(double x, double y, const std::string& text, double size,
                 const std::string& anchor, const std::string& extra = "") {
  return "<text x=\"" + Num(x) + "\" y=\"" + Num(y) + "\" font-size=\"" + Num(size) +
         "\" text-anchor=\"" + anchor + "\"" + (extra.empty() ? "" : " " + extra) + ">" +
         EscapeXml(text) + "</text>";
}

// Words of `text` broken into lines no wider than `width` pixels.
std::vector<std::string> Wrap(const std::string& text, double width, double font_px) {
  std::vector<std::string> lines;
  std::string line;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(start, end - start);
    const std::string candidate = line.empty() ? word : line + " " + word;
    if (!line.empty() && TextWidth(candidate, font_px) > width) {
      lines.push_back(line);
      line = word;
    } else {
      line = candidate;
    }
    start = end + 1;
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

std::string DocumentStart(int width, int height) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(width) +
         "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " + std::to_string(width) +
         " " + std::to_string(height) + "\" font-family=\"" + kFont +
         "\">\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
}

}  // namespace

std::string EscapeXml(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string CompactNumber(double value) {
  if (value == 0) return "0";
  const double magnitude = std::fabs(value);
  const char* suffix = "";
  double shown = value;
  if (magnitude >= 1e6) {
    shown = value / 1e6;
    suffix = "M";
  } else if (magnitude >= 1e4) {
    shown = value / 1e3;
    suffix = "k";
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", shown);
  // Round away representation noise such as 0.30000000000000004.
  std::snprintf(buffer, sizeof buffer, "%.4g", std::stod(buffer));
  return std::string(buffer) + suffix;
}

std::vector<double> NiceTicks(double min, double max, AxisScale scale, int target) {
  std::vector<double> ticks;
  if (!(max > min)) return {min};
  switch (scale) {
    case AxisScale::kLinear: {
      const double raw = (max - min) / std::max(1, target - 1);
      const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
      const double normalised = raw / magnitude;
      const double step = (normalised < 1.5 ? 1
                           : normalised < 3 ? 2
                           : normalised < 7 ? 5
                                            : 10) *
                          magnitude;
      for (double t = std::ceil(min / step - 1e-9) * step; t <= max + step * 1e-9; t += step) {
        ticks.push_back(std::fabs(t) < step * 1e-9 ? 0.0 : t);
      }
      break;
    }
    case AxisScale::kLog10: {
      if (!(min > 0)) return ticks;
      const int first = static_cast<int>(std::floor(std::log10(min) + 1e-9));
      const int last = static_cast<int>(std::ceil(std::log10(max) - 1e-9));
      const int decades = last - first;
      // With few decades, 2 and 5 between them; with many, every decade or every other one.
      const int stride = decades > 2 * target ? 2 : 1;
      for (int d = first; d <= last; ++d) {
        const double base = std::pow(10.0, d);
        if ((d - first) % stride == 0 && base >= min * (1 - 1e-9) && base <= max * (1 + 1e-9)) {
          ticks.push_back(base);
        }
        if (decades <= 3) {
          for (double m : {2.0, 5.0}) {
            const double t = base * m;
            if (t >= min * (1 - 1e-9) && t <= max * (1 + 1e-9)) ticks.push_back(t);
          }
        }
      }
      std::sort(ticks.begin(), ticks.end());
      break;
    }
    case AxisScale::kLog2: {
      if (!(min > 0)) return ticks;
      const int first = static_cast<int>(std::ceil(std::log2(min) - 1e-9));
      const int last = static_cast<int>(std::floor(std::log2(max) + 1e-9));
      const int stride = std::max(1, (last - first) / std::max(1, 2 * target) + 1);
      for (int p = first; p <= last; p += stride) ticks.push_back(std::exp2(p));
      break;
    }
  }
  return ticks;
}

SvgChart::SvgChart(std::string title, AxisSpec x, AxisSpec y)
    : title_(std::move(title)), x_(std::move(x)), y_(std::move(y)) {}

double SvgChart::LegendWidth() const {
  double width = 0;
  for (const ChartSeries& series : series_) {
    width = std::max(width, 34 + TextWidth(series.name, kLegendFont));
  }
  for (const std::string& note : notes_) {
    width = std::max(width, std::min(kLegendMaxWidth, TextWidth(note, kLegendFont - 1)));
  }
  return std::min(width, kLegendMaxWidth);
}

std::string SvgChart::RenderLegend(double left, double top, double width) const {
  std::string out = "<g class=\"legend\">\n";
  double y = top;
  for (const ChartSeries& series : series_) {
    const char* color = Color(series.style);
    out += "<line x1=\"" + Num(left) + "\" y1=\"" + Num(y) + "\" x2=\"" + Num(left + 24) +
           "\" y2=\"" + Num(y) + "\" stroke=\"" + color + "\" stroke-width=\"2\"" +
           (series.dashed ? " stroke-dasharray=\"6 4\"" : "") + "/>";
    if (series.markers) out += Marker(series.style, left + 12, y, color);
    const std::vector<std::string> lines = Wrap(series.name, width - 34, kLegendFont);
    for (std::size_t i = 0; i < lines.size(); ++i) {
      out += Text(left + 32, y + 4 + static_cast<double>(i) * kLegendLine, lines[i], kLegendFont,
                  "start");
    }
    out += "\n";
    y += kLegendLine * static_cast<double>(std::max<std::size_t>(1, lines.size())) + 4;
  }
  for (const std::string& note : notes_) {
    for (const std::string& line : Wrap(note, width, kLegendFont - 1)) {
      out += Text(left, y + 4, line, kLegendFont - 1, "start", "fill=\"#555555\"") + "\n";
      y += kLegendLine - 2;
    }
    y += 4;
  }
  return out + "</g>\n";
}

namespace {

// The plot area of one panel in pixels, with the data domains and the scales that map into it.
struct PlotFrame {
  double left, top, right, bottom;
  Domain x_domain, y_domain;
  Scale sx, sy;

  bool InsideX(double v) const {
    return v >= x_domain.lo * (1 - 1e-9) - 1e-12 && v <= x_domain.hi * (1 + 1e-9) + 1e-12;
  }
  bool InsideY(double v) const {
    return v >= y_domain.lo * (1 - 1e-9) - 1e-12 && v <= y_domain.hi * (1 + 1e-9) + 1e-12;
  }
  // Both coordinates can be mapped (positive on a log axis).
  bool Valid(double x, double y) const { return sx.Valid(x) && sy.Valid(y); }
};

// Every x and every y the panel shows, so that the domains cover them all.
PlotFrame MakeFrame(const AxisSpec& x, const AxisSpec& y, const std::vector<ChartSeries>& series,
                    const std::vector<ChartAnnotation>& annotations,
                    const std::vector<ReferenceLine>& lines, const Box& plot) {
  std::vector<double> xs, ys;
  for (const ChartSeries& s : series) {
    for (const ChartPoint& p : s.points) {
      xs.push_back(p.x);
      ys.push_back(p.y);
      if (p.y_low) ys.push_back(*p.y_low);
      if (p.y_high) ys.push_back(*p.y_high);
    }
  }
  for (const ChartAnnotation& a : annotations) {
    xs.push_back(a.x);
    ys.push_back(a.y);
  }
  for (const ReferenceLine& line : lines) (line.vertical ? xs : ys).push_back(line.value);
  Domain x_domain = MakeDomain(x, xs);
  Domain y_domain = MakeDomain(y, ys);
  const Scale sx(x.scale, x_domain.lo, x_domain.hi, plot.left, plot.right);
  const Scale sy(y.scale, y_domain.lo, y_domain.hi, plot.bottom, plot.top);
  return {plot.left,           plot.top, plot.right, plot.bottom, std::move(x_domain),
          std::move(y_domain), sx,       sy};
}

// What the panel has drawn so far that a later label should keep clear of: the labels placed
// (reference lines, annotations), which it must not overlap, and points along every drawn line,
// which it should cross as little as it can.
struct LabelSpace {
  std::vector<Box> placed;
  std::vector<std::pair<double, double>> ink;

  void AddInk(double x1, double y1, double x2, double y2) {
    const double length = std::hypot(x2 - x1, y2 - y1);
    const int steps = std::max(1, static_cast<int>(length / 3));
    for (int i = 0; i <= steps; ++i) {
      const double t = static_cast<double>(i) / steps;
      ink.emplace_back(x1 + (x2 - x1) * t, y1 + (y2 - y1) * t);
    }
  }
  bool OverlapsPlaced(const Box& box) const {
    return std::any_of(placed.begin(), placed.end(),
                       [&](const Box& other) { return other.Overlaps(box); });
  }
  // Ink points within 2 px of `box`.
  std::ptrdiff_t Crossings(const Box& box) const {
    return std::count_if(ink.begin(), ink.end(), [&](const auto& point) {
      return point.first >= box.left - 2 && point.first <= box.right + 2 &&
             point.second >= box.top - 2 && point.second <= box.bottom + 2;
    });
  }
};

// Grid lines at every tick.
std::string RenderGrid(const PlotFrame& f) {
  std::string out = "<g class=\"grid\" stroke=\"#e3e3e3\" stroke-width=\"1\">\n";
  for (double t : f.x_domain.ticks) {
    out += "<line x1=\"" + Num(f.sx(t)) + "\" y1=\"" + Num(f.top) + "\" x2=\"" + Num(f.sx(t)) +
           "\" y2=\"" + Num(f.bottom) + "\"/>";
  }
  for (double t : f.y_domain.ticks) {
    out += "<line x1=\"" + Num(f.left) + "\" y1=\"" + Num(f.sy(t)) + "\" x2=\"" + Num(f.right) +
           "\" y2=\"" + Num(f.sy(t)) + "\"/>";
  }
  return out + "\n</g>\n";
}

// Tick labels; a label that would collide with the previous one is skipped (its grid line stays).
std::string RenderTickLabels(const PlotFrame& f, const AxisSpec& x, const AxisSpec& y) {
  std::string out = "<g class=\"ticks\" fill=\"#333333\">\n";
  double last_label_right = -std::numeric_limits<double>::infinity();
  for (double t : f.x_domain.ticks) {
    const std::string text = TickText(x, t);
    const double half = TextWidth(text, kTickFont) / 2;
    if (f.sx(t) - half < last_label_right + 6) continue;
    last_label_right = f.sx(t) + half;
    out += Text(f.sx(t), f.bottom + 17, text, kTickFont, "middle");
  }
  double last_label_top = std::numeric_limits<double>::infinity();
  for (double t : f.y_domain.ticks) {
    if (f.sy(t) + kTickFont / 2 > last_label_top - 2) continue;
    last_label_top = f.sy(t) - kTickFont / 2;
    out += Text(f.left - 7, f.sy(t) + 4, TickText(y, t), kTickFont, "end");
  }
  return out + "\n</g>\n";
}

// The frame around the plot and the axis titles; the y title is rotated beside `panel_left`.
std::string RenderFrame(const PlotFrame& f, const AxisSpec& x, const AxisSpec& y,
                        double panel_left) {
  std::string out = "<rect x=\"" + Num(f.left) + "\" y=\"" + Num(f.top) + "\" width=\"" +
                    Num(f.right - f.left) + "\" height=\"" + Num(f.bottom - f.top) +
                    "\" fill=\"none\" stroke=\"#333333\" stroke-width=\"1\"/>\n";
  out += Text((f.left + f.right) / 2, f.bottom + 38, x.title, 12, "middle") + "\n";
  out += Text(0, 0, y.title, 12, "middle",
              "transform=\"translate(" + Num(panel_left + 18) + "," + Num((f.top + f.bottom) / 2) +
                  ") rotate(-90)\"") +
         "\n";
  return out;
}

// Dashed lines across the plot, each with its label, for the lines inside the domain.
std::string RenderReferenceLines(const std::vector<ReferenceLine>& lines, const PlotFrame& f,
                                 LabelSpace& space) {
  std::string out;
  for (const ReferenceLine& line : lines) {
    if (line.vertical ? !f.InsideX(line.value) : !f.InsideY(line.value)) continue;
    const double w = TextWidth(line.label, 11);
    if (line.vertical) {
      const double x = f.sx(line.value);
      space.AddInk(x, f.top, x, f.bottom);
      out += "<line x1=\"" + Num(x) + "\" y1=\"" + Num(f.top) + "\" x2=\"" + Num(x) + "\" y2=\"" +
             Num(f.bottom) +
             "\" stroke=\"#555555\" stroke-width=\"1.2\" stroke-dasharray=\"5 4\"/>\n";
      // Right of the line when it fits, else left of it.
      const bool right = x + 4 + w <= f.right;
      const double tx = right ? x + 4 : x - 4;
      out +=
          Text(tx, f.top + 13, line.label, 11, right ? "start" : "end", "fill=\"#333333\"") + "\n";
      space.placed.push_back({right ? tx : tx - w, f.top + 2, right ? tx + w : tx, f.top + 16});
    } else {
      const double y = f.sy(line.value);
      space.AddInk(f.left, y, f.right, y);
      out += "<line x1=\"" + Num(f.left) + "\" y1=\"" + Num(y) + "\" x2=\"" + Num(f.right) +
             "\" y2=\"" + Num(y) +
             "\" stroke=\"#555555\" stroke-width=\"1.2\" stroke-dasharray=\"5 4\"/>\n";
      const double ty = y - 5 - 11 < f.top ? y + 14 : y - 5;
      out += Text(f.right - 4, ty, line.label, 11, "end", "fill=\"#333333\"") + "\n";
      space.placed.push_back({f.right - 4 - w, ty - 11, f.right - 4, ty + 3});
    }
  }
  return out;
}

// The 95 % interval whiskers of a series; those shorter than the marker are left out.
std::string RenderWhiskers(const ChartSeries& series, const PlotFrame& f, const char* color) {
  std::string out;
  for (const ChartPoint& p : series.points) {
    if (!p.y_low || !p.y_high || !f.sx.Valid(p.x) || !f.sy.Valid(*p.y_low)) continue;
    const double x = f.sx(p.x), y1 = f.sy(*p.y_low), y2 = f.sy(*p.y_high);
    if (std::fabs(y1 - y2) < 3) continue;  // shorter than the marker: nothing to show
    out += "<path d=\"M" + Num(x) + " " + Num(y1) + "V" + Num(y2) + "M" + Num(x - 3) + " " +
           Num(y1) + "h6M" + Num(x - 3) + " " + Num(y2) + "h6\" stroke=\"" + color +
           "\" stroke-width=\"1\" stroke-opacity=\"0.7\" fill=\"none\"/>";
  }
  return out;
}

// The line through a series, broken where a point cannot be shown.
std::string RenderSeriesLine(const ChartSeries& series, const PlotFrame& f, const char* color,
                             LabelSpace& space) {
  std::string path;
  bool pen_down = false;
  double last_x = 0, last_y = 0;
  for (const ChartPoint& p : series.points) {
    if (!f.Valid(p.x, p.y)) {
      pen_down = false;
      continue;
    }
    const double x = f.sx(p.x), y = f.sy(p.y);
    if (pen_down) space.AddInk(last_x, last_y, x, y);
    path += (pen_down ? "L" : "M") + Num(x) + " " + Num(y);
    pen_down = true;
    last_x = x;
    last_y = y;
  }
  if (path.empty()) return "";
  return "<path d=\"" + path + "\" fill=\"none\" stroke=\"" + color +
         "\" stroke-width=\"2\" stroke-linejoin=\"round\"" +
         (series.dashed ? " stroke-dasharray=\"6 4\"" : "") + "/>";
}

// One series: whiskers, the line, markers, the ring; clipped to a little beyond the plot.
std::string RenderSeries(const ChartSeries& series, const PlotFrame& f, const std::string& clip_id,
                         LabelSpace& space) {
  const char* color = Color(series.style);
  std::string out = "<g class=\"series\" data-series=\"" + EscapeXml(series.name) +
                    "\" clip-path=\"url(#" + clip_id + ")\">\n";
  out += RenderWhiskers(series, f, color);
  out += RenderSeriesLine(series, f, color, space);
  if (series.markers) {
    for (const ChartPoint& p : series.points) {
      if (f.Valid(p.x, p.y)) out += Marker(series.style, f.sx(p.x), f.sy(p.y), color);
    }
  }
  if (series.highlight && *series.highlight < series.points.size()) {
    const ChartPoint& p = series.points[*series.highlight];
    if (f.Valid(p.x, p.y)) {
      out += "<circle cx=\"" + Num(f.sx(p.x)) + "\" cy=\"" + Num(f.sy(p.y)) +
             "\" r=\"9\" fill=\"none\" stroke=\"" + color + "\" stroke-width=\"2\"/>";
    }
  }
  return out + "\n</g>\n";
}

// Where the label of an annotation at pixel (x, y) goes, `w` wide.
struct LabelSpot {
  double dx, dy;  // from the point to the text anchor
  bool right;     // right of the point (text anchored at its start), else left
};

// The spot, among candidates from near to far, right then left of the point, inside the plot
// and over no placed label, that covers the least ink; distance breaks ties, since a label next
// to its point reads best. Records the chosen box as placed.
LabelSpot PlaceLabel(double x, double y, double w, const PlotFrame& f, LabelSpace& space) {
  constexpr double kOffsets[] = {-9, 17, -25, 33, -41, 49, -57, 65};
  std::optional<Box> chosen;
  LabelSpot spot{9, -9, true};
  double best_score = std::numeric_limits<double>::infinity();
  for (double dy : kOffsets) {
    for (const bool right : {true, false}) {
      const double tx = x + (right ? 9 : -9);
      const double ty = y + dy;
      const Box box{right ? tx : tx - w, ty - 11, right ? tx + w : tx, ty + 3};
      if (box.left < f.left || box.right > f.right || box.top < f.top || box.bottom > f.bottom) {
        continue;
      }
      if (space.OverlapsPlaced(box)) continue;
      const double score = static_cast<double>(space.Crossings(box)) * 100 + std::fabs(dy);
      if (score < best_score) {
        best_score = score;
        chosen = box;
        spot = {right ? 9.0 : -9.0, dy, right};
      }
    }
  }
  if (!chosen) {
    const double tx = x + spot.dx;
    chosen = Box{tx, y + spot.dy - 11, tx + w, y + spot.dy + 3};
  }
  space.placed.push_back(*chosen);
  return spot;
}

// Annotations as black diamonds, each label where it covers no other label and the least ink
// (lines and the other diamonds).
std::string RenderAnnotations(const std::vector<ChartAnnotation>& annotations, const PlotFrame& f,
                              LabelSpace& space) {
  for (const ChartAnnotation& a : annotations) {
    if (f.Valid(a.x, a.y)) space.AddInk(f.sx(a.x) - 6, f.sy(a.y), f.sx(a.x) + 6, f.sy(a.y));
  }
  std::string out;
  for (const ChartAnnotation& a : annotations) {
    if (!f.Valid(a.x, a.y) || !f.InsideX(a.x) || !f.InsideY(a.y)) continue;
    const double x = f.sx(a.x), y = f.sy(a.y);
    out += "<polygon points=\"" + Num(x) + "," + Num(y - 6) + " " + Num(x + 6) + "," + Num(y) +
           " " + Num(x) + "," + Num(y + 6) + " " + Num(x - 6) + "," + Num(y) +
           "\" fill=\"#111111\" stroke=\"#ffffff\" stroke-width=\"1\"/>";
    const LabelSpot spot = PlaceLabel(x, y, TextWidth(a.label, 11), f, space);
    // A white halo keeps the label readable where it crosses a line.
    out += Text(x + spot.dx, y + spot.dy, a.label, 11, spot.right ? "start" : "end",
                "fill=\"#111111\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\"") +
           "\n";
  }
  return out;
}

}  // namespace

std::string SvgChart::RenderPanel(double left, double top, double width, double height,
                                  bool legend) const {
  const double legend_width = legend ? LegendWidth() : 0;
  const Box plot{left + 74, top + (subtitle_.empty() ? 36 : 52),
                 left + width - 16 - (legend ? legend_width + 20 : 0), top + height - 50};
  const PlotFrame f = MakeFrame(x_, y_, series_, annotations_, lines_, plot);

  std::string out = "<g class=\"panel\">\n";
  out += Text(left + 12, top + 20, title_, 15, "start", "font-weight=\"bold\"") + "\n";
  if (!subtitle_.empty()) {
    out += Text(left + 12, top + 38, subtitle_, 11, "start", "fill=\"#555555\"") + "\n";
  }
  out += RenderGrid(f) + RenderTickLabels(f, x_, y_) + RenderFrame(f, x_, y_, left);

  LabelSpace space;
  out += RenderReferenceLines(lines_, f, space);
  // Ids must be unique in a page that inlines several charts.
  const std::string clip_id = id_ + "-plot" + std::to_string(static_cast<int>(top));
  out += "<defs><clipPath id=\"" + clip_id + "\"><rect x=\"" + Num(f.left - 6) + "\" y=\"" +
         Num(f.top - 6) + "\" width=\"" + Num(f.right - f.left + 12) + "\" height=\"" +
         Num(f.bottom - f.top + 12) + "\"/></clipPath></defs>\n";
  for (const ChartSeries& series : series_) out += RenderSeries(series, f, clip_id, space);
  out += RenderAnnotations(annotations_, f, space);

  if (legend) out += RenderLegend(f.right + 20, f.top + 8, legend_width);
  return out + "</g>\n";
}

std::string SvgChart::Render(int width, int height) const {
  return DocumentStart(width, height) + RenderPanel(0, 0, width, height, true) + "</svg>\n";
}

std::string RenderStacked(const std::string& title, const std::vector<const SvgChart*>& panels,
                          int width, int panel_height) {
  constexpr int kTitleHeight = 34;
  const int height = kTitleHeight + panel_height * static_cast<int>(panels.size());
  std::string out = DocumentStart(width, height);
  out += Text(12, 22, title, 16, "start", "font-weight=\"bold\"") + "\n";
  if (panels.empty()) return out + "</svg>\n";
  const double legend_width = panels.front()->LegendWidth();
  const double panel_width = width - legend_width - 20;
  for (std::size_t i = 0; i < panels.size(); ++i) {
    out += panels[i]->RenderPanel(0, kTitleHeight + static_cast<double>(i * panel_height),
                                  panel_width, panel_height, false);
  }
  out += panels.front()->RenderLegend(panel_width + 4, kTitleHeight + 60, legend_width);
  return out + "</svg>\n";
}

}  // namespace infercost
