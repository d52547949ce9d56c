#include "serve/exposition.h"

#include <algorithm>
#include <array>
#include <limits>

#include "serve/text_format.h"

namespace infercost {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

using text::AppendInteger;
using text::AppendLabelValue;
using text::AppendNumber;
using text::Formatted;

// The sample's name, suffix and labels up to the space before the value; `extra` is the le or
// quantile label, already formatted (empty: none).
void AppendHead(std::string& out, const MetricFamily& family, const ClientMetric& metric,
                std::string_view suffix, std::string_view extra_name = {},
                std::string_view extra_value = {}) {
  out += family.name;
  out += suffix;
  if (!metric.label.empty() || !extra_name.empty()) {
    char separator = '{';
    for (const auto& label : metric.label) {
      out += separator;
      out += label.name;
      out += "=\"";
      AppendLabelValue(out, label.value);
      out += '"';
      separator = ',';
    }
    if (!extra_name.empty()) {
      out += separator;
      out += extra_name;
      out += "=\"";
      out += extra_value;
      out += '"';
    }
    out += '}';
  }
  out += ' ';
}

void AppendTail(std::string& out, const ClientMetric& metric) {
  if (metric.timestamp_ms != 0) {
    out += ' ';
    AppendInteger(out, metric.timestamp_ms);
  }
  out += '\n';
}

void AppendSummary(std::string& out, const MetricFamily& family, const ClientMetric& metric) {
  AppendHead(out, family, metric, "_count");
  AppendInteger(out, metric.summary.sample_count);
  AppendTail(out, metric);
  AppendHead(out, family, metric, "_sum");
  AppendNumber(out, metric.summary.sample_sum);
  AppendTail(out, metric);
  for (const auto& quantile : metric.summary.quantile) {
    AppendHead(out, family, metric, "", "quantile", Formatted(quantile.quantile));
    AppendNumber(out, quantile.value);
    AppendTail(out, metric);
  }
}

// A family's series share their bounds: each `le` is formatted once per family, in `bounds`.
using Bounds = std::vector<std::pair<double, std::string>>;

void AppendHistogram(std::string& out, const MetricFamily& family, const ClientMetric& metric,
                     Bounds& bounds) {
  const auto& histogram = metric.histogram;
  AppendHead(out, family, metric, "_count");
  AppendInteger(out, histogram.sample_count);
  AppendTail(out, metric);
  AppendHead(out, family, metric, "_sum");
  AppendNumber(out, histogram.sample_sum);
  AppendTail(out, metric);
  double last = -std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < histogram.bucket.size(); ++i) {
    const auto& bucket = histogram.bucket[i];
    if (i == bounds.size()) bounds.emplace_back(bucket.upper_bound, Formatted(bucket.upper_bound));
    if (bounds[i].first != bucket.upper_bound) {
      bounds[i] = {bucket.upper_bound, Formatted(bucket.upper_bound)};
    }
    last = bucket.upper_bound;
    AppendHead(out, family, metric, "_bucket", "le", bounds[i].second);
    AppendInteger(out, bucket.cumulative_count);
    AppendTail(out, metric);
  }
  if (last != std::numeric_limits<double>::infinity()) {
    AppendHead(out, family, metric, "_bucket", "le", "+Inf");
    AppendInteger(out, histogram.sample_count);
    AppendTail(out, metric);
  }
}

}  // namespace

void AppendText(const std::vector<MetricFamily>& families, std::string& out) {
  Bounds bounds;
  for (const auto& family : families) {
    text::AppendFamilyHead(out, family.name, family.help, family.type);
    bounds.clear();
    for (const auto& metric : family.metric) {
      switch (family.type) {
        case MetricType::Counter:
        case MetricType::Gauge:
        case MetricType::Untyped:
          AppendHead(out, family, metric, "");
          AppendNumber(out, family.type == MetricType::Counter ? metric.counter.value
                            : family.type == MetricType::Gauge ? metric.gauge.value
                                                               : metric.untyped.value);
          AppendTail(out, metric);
          break;
        case MetricType::Summary:
          AppendSummary(out, family, metric);
          break;
        case MetricType::Histogram:
          AppendHistogram(out, family, metric, bounds);
          break;
      }
    }
  }
}

std::shared_ptr<const std::string> Exposition::Current(Clock::time_point now) {
  {
    std::lock_guard lock(text_mu_);
    if (last_scrape_ != Clock::time_point{} && now > last_scrape_) {
      intervals_[next_interval_] = now - last_scrape_;
      next_interval_ = (next_interval_ + 1) % kIntervals;
    }
    last_scrape_ = std::max(last_scrape_, now);
  }
  return Fresh(/*allow_tick_old=*/true);
}

Exposition::Publication Exposition::ExpectScrape(Clock::time_point now, Clock::duration tick) {
  std::lock_guard lock(text_mu_);
  // Expected after the shortest recent interval (two scrapers take turns); gone after twice
  // the longest (a scraper that changed its rhythm, a one-off curl, is not "gone"). Intervals
  // under a tick are left out unless they outnumber the longer ones twice: two scrapes within
  // a tick share one text, so a pair of Prometheus servers scraping together every 15 s wants
  // a text every 15 s, not every tick; a scraper faster than the tick gets one per tick.
  Clock::duration shortest = Clock::duration::max();
  Clock::duration shortest_of_tick = Clock::duration::max();  // of those >= tick
  Clock::duration longest = Clock::duration::zero();
  int under_tick = 0;
  int of_tick = 0;
  for (const auto seen : intervals_) {
    if (seen <= Clock::duration::zero()) continue;
    shortest = std::min(shortest, seen);
    longest = std::max(longest, seen);
    if (seen < tick) {
      ++under_tick;
    } else {
      ++of_tick;
      shortest_of_tick = std::min(shortest_of_tick, seen);
    }
  }
  if (longest == Clock::duration::zero()) return {};  // fewer than two scrapes yet
  const auto expected =
      last_scrape_ + (of_tick > 0 && under_tick <= 2 * of_tick ? shortest_of_tick : shortest);
  // Due before the next tick (a quarter tick early for jitter), and the scraper not gone.
  const bool due = expected - tick / 4 <= now + tick;
  const bool gone = now > last_scrape_ + 2 * longest + tick;
  if (!due || gone) return {};
  promised_.fetch_add(1);
  return Publication(this);
}

void Exposition::Publish(Publication publication) {
  if (!publication) return;
  Fresh(/*allow_tick_old=*/false);
}

std::shared_ptr<const std::string> Exposition::Fresh(bool allow_tick_old) {
  {
    std::lock_guard lock(text_mu_);
    const std::uint64_t generation = generation_.load();
    if (text_ && text_generation_ == generation) return text_;
    // A serialization under way or promised will replace a text that is one tick old at most
    // and has every strict change: take that one.
    if (allow_tick_old && text_ && (publishing_.load() || promised_.load() > 0) &&
        generation - text_generation_ <= 1 && text_generation_ >= strict_generation_.load()) {
      return text_;
    }
  }
  std::lock_guard publishing(publish_mu_);
  {
    std::lock_guard lock(text_mu_);
    if (text_ && text_generation_ == generation_.load()) return text_;
  }
  return SerializeLocked();
}

std::shared_ptr<const std::string> Exposition::SerializeLocked() {
  publishing_.store(true);
  auto text = std::make_shared<std::string>();
  std::size_t previous_size = 0;
  {
    std::lock_guard lock(text_mu_);
    if (text_) previous_size = text_->size();
  }
  // The last text's size is a good guess at this one's: one allocation, no regrowth.
  text->reserve(previous_size + previous_size / 8 + 4096);
  std::uint64_t generation = 0;
  {
    std::lock_guard series(series_mu_);
    generation = generation_.load();
    write_(*text);
  }
  std::shared_ptr<const std::string> published = std::move(text);
  {
    std::lock_guard lock(text_mu_);
    text_ = published;
    text_generation_ = generation;
  }
  publishing_.store(false);
  return published;
}

}  // namespace infercost
