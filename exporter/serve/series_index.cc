#include "serve/series_index.h"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <utility>

#include "serve/exposition.h"
#include "serve/text_format.h"

namespace infercost {
namespace {

std::string Rendered(const prometheus::Labels& labels) {
  std::string out;
  for (const auto& [name, value] : labels) {
    if (!out.empty()) out += ',';
    out += name;
    out += "=\"";
    text::AppendLabelValue(out, value);
    out += '"';
  }
  return out;
}

// The sample's name, suffix and labels up to the space before the value; `extra` is the le
// label, already formatted (empty: none).
void AppendHead(std::string& out, const std::string& name, std::string_view suffix,
                const std::string& labels, std::string_view le = {}) {
  out += name;
  out += suffix;
  if (!labels.empty() || !le.empty()) {
    out += '{';
    out += labels;
    if (!le.empty()) {
      if (!labels.empty()) out += ',';
      out += "le=\"";
      out += le;
      out += '"';
    }
    out += '}';
  }
  out += ' ';
}

}  // namespace

void SeriesIndex::AddFamily(const prometheus::Collectable& family, std::string name,
                            std::string help, prometheus::MetricType type, bool per_target) {
  std::lock_guard lock(mu_);
  families_.push_back(Family{&family, std::move(name), std::move(help), type, per_target});
}

std::size_t SeriesIndex::IndexOf(const prometheus::Collectable& family) const {
  for (std::size_t i = 0; i < families_.size(); ++i) {
    if (families_[i].family == &family) {
      if (!families_[i].per_target) break;
      return i;
    }
  }
  throw std::logic_error("a target series of a family the index does not list per target");
}

SeriesIndex::Target::Target(SeriesIndex& index, std::string name)
    : index_(index), name_(std::move(name)) {
  std::lock_guard lock(index_.mu_);
  index_.targets_.emplace(name_, this);
}

SeriesIndex::Target::~Target() {
  std::lock_guard lock(index_.mu_);
  auto [first, last] = index_.targets_.equal_range(name_);
  for (auto it = first; it != last; ++it) {
    if (it->second == this) {
      index_.targets_.erase(it);
      break;
    }
  }
}

void SeriesIndex::Target::Add(const prometheus::Collectable& family,
                              const prometheus::Labels& labels, const prometheus::Counter* metric) {
  Insert(family, labels, Kind::kCounter, metric);
}

void SeriesIndex::Target::Add(const prometheus::Collectable& family,
                              const prometheus::Labels& labels, const prometheus::Gauge* metric) {
  Insert(family, labels, Kind::kGauge, metric);
}

void SeriesIndex::Target::Add(const prometheus::Collectable& family,
                              const prometheus::Labels& labels,
                              const prometheus::Histogram* metric) {
  Insert(family, labels, Kind::kHistogram, metric);
}

void SeriesIndex::Target::Insert(const prometheus::Collectable& family,
                                 const prometheus::Labels& labels, Kind kind, const void* metric) {
  std::string rendered = Rendered(labels);
  std::lock_guard lock(index_.mu_);
  const std::size_t f = index_.IndexOf(family);
  // prometheus-cpp's Add gives the existing series for labels it already has: listed once.
  for (const Series& s : series_) {
    if (s.metric == metric) return;
  }
  // After the family's last series: the order within a family is the order of addition.
  auto at = std::upper_bound(series_.begin(), series_.end(), f,
                             [](std::size_t wanted, const Series& s) { return wanted < s.family; });
  series_.insert(at, Series{f, kind, metric, std::move(rendered)});
}

void SeriesIndex::Target::Remove(const void* metric) {
  std::lock_guard lock(index_.mu_);
  std::erase_if(series_, [metric](const Series& s) { return s.metric == metric; });
}

void SeriesIndex::Write(std::string& out) const {
  std::lock_guard lock(mu_);
  // Each target's series are ordered by family: one cursor per target walks them family by
  // family, so the whole text is one pass over every series.
  std::vector<std::size_t> cursors(targets_.size(), 0);
  for (std::size_t i = 0; i < families_.size(); ++i) {
    const Family& family = families_[i];
    if (family.per_target) {
      WriteFamily(out, family, i, cursors);
    } else {
      AppendText(family.family->Collect(), out);
    }
  }
}

void SeriesIndex::WriteFamily(std::string& out, const Family& family, std::size_t index,
                              std::vector<std::size_t>& cursors) const {
  // A family without series is left out, as prometheus-cpp leaves it out.
  bool any = false;
  std::size_t t = 0;
  for (const auto& [name, target] : targets_) {
    const auto& series = target->series_;
    if (cursors[t] < series.size() && series[cursors[t]].family == index) {
      any = true;
      break;
    }
    ++t;
  }
  if (!any) return;
  text::AppendFamilyHead(out, family.name, family.help, family.type);
  // Histograms of one family share their bounds: each `le` is formatted once.
  std::vector<std::pair<double, std::string>> bounds;
  t = 0;
  for (const auto& [name, target] : targets_) {
    const auto& series = target->series_;
    std::size_t& cursor = cursors[t++];
    for (; cursor < series.size() && series[cursor].family == index; ++cursor) {
      const Target::Series& s = series[cursor];
      switch (s.kind) {
        case Target::Kind::kCounter:
          AppendHead(out, family.name, "", s.labels);
          text::AppendNumber(out, static_cast<const prometheus::Counter*>(s.metric)->Value());
          out += '\n';
          break;
        case Target::Kind::kGauge:
          AppendHead(out, family.name, "", s.labels);
          text::AppendNumber(out, static_cast<const prometheus::Gauge*>(s.metric)->Value());
          out += '\n';
          break;
        case Target::Kind::kHistogram: {
          const prometheus::ClientMetric metric =
              static_cast<const prometheus::Histogram*>(s.metric)->Collect();
          const auto& histogram = metric.histogram;
          AppendHead(out, family.name, "_count", s.labels);
          text::AppendInteger(out, histogram.sample_count);
          out += '\n';
          AppendHead(out, family.name, "_sum", s.labels);
          text::AppendNumber(out, histogram.sample_sum);
          out += '\n';
          double last = -std::numeric_limits<double>::infinity();
          for (std::size_t b = 0; b < histogram.bucket.size(); ++b) {
            const double bound = histogram.bucket[b].upper_bound;
            if (b == bounds.size()) bounds.emplace_back(bound, text::Formatted(bound));
            if (bounds[b].first != bound) bounds[b] = {bound, text::Formatted(bound)};
            last = bound;
            AppendHead(out, family.name, "_bucket", s.labels, bounds[b].second);
            text::AppendInteger(out, histogram.bucket[b].cumulative_count);
            out += '\n';
          }
          if (last != std::numeric_limits<double>::infinity()) {
            AppendHead(out, family.name, "_bucket", s.labels, "+Inf");
            text::AppendInteger(out, histogram.sample_count);
            out += '\n';
          }
          break;
        }
      }
    }
  }
}

}  // namespace infercost
