// The exposition /metrics serves: its text equals prometheus-cpp's own serializer byte for byte,
// a scrape after any change sees it, and the updater prepares it only for scrapes it expects.
#include "serve/exposition.h"

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <cmath>
#include <limits>
#include <random>
#include <thread>

namespace infercost {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;
using Clock = Exposition::Clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

ClientMetric WithLabels(std::vector<ClientMetric::Label> labels) {
  ClientMetric metric;
  metric.label = std::move(labels);
  return metric;
}

// Every metric type, values that need each formatting rule (16 significant digits, exponents,
// -0, NaN, infinities, huge counts), label values to escape, timestamps, empty help.
std::vector<MetricFamily> EveryShape() {
  const double values[] = {0,
                           -0.0,
                           0.1 + 0.2,
                           1.0 / 3,
                           15000000,
                           1e-7,
                           1e20,
                           123456789012345678.0,
                           0.005,
                           -2.5,
                           std::numeric_limits<double>::quiet_NaN(),
                           std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity(),
                           std::numeric_limits<double>::denorm_min(),
                           std::numeric_limits<double>::max()};
  std::vector<MetricFamily> families;
  MetricFamily gauge{"infercost_g", "a gauge", MetricType::Gauge, {}};
  MetricFamily counter{"infercost_c_total", "", MetricType::Counter, {}};
  MetricFamily untyped{"infercost_u", "untyped", MetricType::Untyped, {}};
  for (const double value : values) {
    ClientMetric metric = WithLabels({{"target", "a\"b\\c\nd"}, {"component", "time"}});
    metric.gauge.value = value;
    metric.counter.value = value;
    metric.untyped.value = value;
    gauge.metric.push_back(metric);
    counter.metric.push_back(metric);
    metric.timestamp_ms = 1700000000123;
    untyped.metric.push_back(metric);
  }
  gauge.metric.push_back(ClientMetric{});  // no labels at all
  MetricFamily histogram{"infercost_h_seconds", "a histogram", MetricType::Histogram, {}};
  for (int i = 0; i < 3; ++i) {
    ClientMetric metric = WithLabels({{"target", "t" + std::to_string(i)}});
    metric.histogram.sample_count = 15000000ULL * static_cast<unsigned>(i);
    metric.histogram.sample_sum = 0.1 * i;
    // The second series has other bounds than the first: formatted bounds are not reused.
    const double scale = i == 1 ? 3.0 : 1.0;
    metric.histogram.bucket = {{1, 0.005 * scale}, {2, 0.25 * scale}, {3, 1e-7 * scale}};
    if (i == 2) metric.histogram.bucket.push_back({4, std::numeric_limits<double>::infinity()});
    histogram.metric.push_back(metric);
  }
  histogram.metric.push_back(ClientMetric{});  // no buckets: only +Inf
  MetricFamily summary{"infercost_s", "a summary", MetricType::Summary, {}};
  ClientMetric quantiles = WithLabels({{"target", "x"}});
  quantiles.summary.sample_count = 7;
  quantiles.summary.sample_sum = 1.5;
  quantiles.summary.quantile = {{0.5, 0.1}, {0.99, std::numeric_limits<double>::quiet_NaN()}};
  summary.metric.push_back(quantiles);
  families.push_back(gauge);
  families.push_back(counter);
  families.push_back(untyped);
  families.push_back(histogram);
  families.push_back(summary);
  families.push_back(MetricFamily{"infercost_empty", "no series", MetricType::Gauge, {}});
  return families;
}

TEST(AppendTextTest, EqualsPrometheusCppByteForByte) {
  const auto families = EveryShape();
  std::string ours;
  AppendText(families, ours);
  EXPECT_EQ(ours, prometheus::TextSerializer().Serialize(families));
}

TEST(AppendTextTest, EqualsPrometheusCppOnRandomValues) {
  std::mt19937_64 random(20261202);
  std::uniform_int_distribution<int> exponent(-30, 30);
  std::uniform_real_distribution<double> mantissa(-10, 10);
  MetricFamily family{"infercost_random", "random", MetricType::Gauge, {}};
  for (int i = 0; i < 20000; ++i) {
    ClientMetric metric = WithLabels({{"i", std::to_string(i)}});
    metric.gauge.value = mantissa(random) * std::pow(10.0, exponent(random));
    family.metric.push_back(metric);
  }
  std::string ours;
  AppendText({family}, ours);
  EXPECT_EQ(ours, prometheus::TextSerializer().Serialize({family}));
}

// A counter behind an Exposition, with how many times it was collected.
struct Fixture {
  double value = 0;
  int collections = 0;
  Exposition exposition{[this](std::string& out) {
    ++collections;
    MetricFamily family{"infercost_x", "x", MetricType::Gauge, {}};
    ClientMetric metric;
    metric.gauge.value = value;
    family.metric.push_back(metric);
    AppendText({family}, out);
  }};
};

TEST(ExpositionTest, AScrapeAfterAChangeSeesIt) {
  Fixture f;
  const auto t0 = Clock::now();
  EXPECT_EQ(*f.exposition.Current(t0),
            "# HELP infercost_x x\n# TYPE infercost_x gauge\ninfercost_x 0\n");
  f.exposition.Change([&] { f.value = 7; }, /*strict=*/false);
  EXPECT_NE(f.exposition.Current(t0 + seconds(1))->find("infercost_x 7\n"), std::string::npos);
  f.exposition.Change([&] { f.value = 8; }, /*strict=*/true);
  EXPECT_NE(f.exposition.Current(t0 + seconds(2))->find("infercost_x 8\n"), std::string::npos);
}

TEST(ExpositionTest, UnchangedFiguresAreSerializedOnce) {
  Fixture f;
  const auto t0 = Clock::now();
  const auto first = f.exposition.Current(t0);
  // Two scrapers (an HA pair of Prometheus servers) within one tick share one text.
  EXPECT_EQ(f.exposition.Current(t0 + milliseconds(10)), first);
  EXPECT_EQ(f.exposition.Current(t0 + milliseconds(20)), first);
  EXPECT_EQ(f.collections, 1);
}

TEST(ExpositionTest, NobodyScrapingNothingIsSerialized) {
  Fixture f;
  const auto t0 = Clock::now();
  for (int tick = 0; tick < 30; ++tick) {
    f.exposition.Change([&] { ++f.value; }, /*strict=*/false);
    f.exposition.PrepareForScrape(t0 + seconds(tick), seconds(1));
  }
  EXPECT_EQ(f.collections, 0);
  // One scrape is not a rhythm yet: still nothing at ticks.
  f.exposition.Current(t0 + seconds(30));
  f.exposition.Change([&] { ++f.value; }, /*strict=*/false);
  f.exposition.PrepareForScrape(t0 + seconds(31), seconds(1));
  EXPECT_EQ(f.collections, 1);
}

TEST(ExpositionTest, TheTickBeforeAnExpectedScrapePreparesIt) {
  Fixture f;
  const auto t0 = Clock::now();
  const auto tick = seconds(1);
  // Prometheus every 15 s: scrapes at 0 and 15 s make the rhythm.
  f.exposition.Current(t0);
  f.exposition.Current(t0 + seconds(15));
  const int after_scrapes = f.collections;
  int prepared_at = -1;
  for (int s = 16; s <= 30; ++s) {
    const int before = f.collections;
    f.exposition.Change([&] { f.value = s; }, /*strict=*/false);
    f.exposition.PrepareForScrape(t0 + seconds(s), tick);
    if (f.collections > before && prepared_at < 0) prepared_at = s;
  }
  // Expected at 30 s: prepared at the last tick before it (29 s), or at 30 s itself.
  EXPECT_GE(prepared_at, 29);
  EXPECT_LE(f.collections - after_scrapes, 2);
  // The scrape at 30 s finds it ready: no new serialization.
  const int before_scrape = f.collections;
  EXPECT_NE(f.exposition.Current(t0 + seconds(30))->find("infercost_x 30\n"), std::string::npos);
  EXPECT_EQ(f.collections, before_scrape);
}

// Two Prometheus servers scraping together every 15 s (an HA pair): the intervals alternate
// 0.1 s and 14.9 s. One text per 15 s serves both; one per tick would be 15 times the work.
TEST(ExpositionTest, AnHaPairIsPreparedForOncePerInterval) {
  Fixture f;
  const auto t0 = Clock::now();
  const auto tick = seconds(1);
  int prepared = 0;
  int scrape_serializations = 0;
  for (int s = 0; s < 90; ++s) {
    const int before = f.collections;
    f.exposition.Change([&] { f.value = s; }, /*strict=*/false);
    f.exposition.PrepareForScrape(t0 + seconds(s), tick);
    prepared += f.collections - before;
    if (s % 15 == 0) {
      const int before_scrapes = f.collections;
      f.exposition.Current(t0 + seconds(s) + milliseconds(1));
      f.exposition.Current(t0 + seconds(s) + milliseconds(100));
      scrape_serializations += f.collections - before_scrapes;
    }
  }
  // Scrapes at 0, 15, ..., 75 s: the rhythm is known from the second pair on, and each later
  // pair's text is prepared at (or just before) its tick; never one per tick.
  EXPECT_LE(prepared, 2 * 5);
  EXPECT_GE(prepared, 4);
  EXPECT_LE(scrape_serializations, 2);
}

// A scraper faster than the tick, with one pause: still a text ready every tick.
TEST(ExpositionTest, AScraperFasterThanTheTickIsPreparedForEveryTick) {
  Fixture f;
  const auto t0 = Clock::now();
  const auto tick = seconds(1);
  f.exposition.Current(t0);
  f.exposition.Current(t0 + seconds(4));  // a pause
  int prepared = 0;
  for (int s = 5; s < 15; ++s) {
    for (int q = 0; q < 4; ++q) f.exposition.Current(t0 + seconds(s) + milliseconds(250 * q));
    const int before = f.collections;
    f.exposition.Change([&] { f.value = s; }, /*strict=*/false);
    f.exposition.PrepareForScrape(t0 + seconds(s) + milliseconds(900), tick);
    prepared += f.collections - before;
  }
  EXPECT_GE(prepared, 9);
}

TEST(ExpositionTest, AScraperThatStoppedIsNotPreparedFor) {
  Fixture f;
  const auto t0 = Clock::now();
  f.exposition.Current(t0);
  f.exposition.Current(t0 + seconds(5));
  const int after_scrapes = f.collections;
  for (int s = 20; s < 60; ++s) {
    f.exposition.Change([&] { f.value = s; }, /*strict=*/false);
    f.exposition.PrepareForScrape(t0 + seconds(s), seconds(1));
  }
  EXPECT_EQ(f.collections, after_scrapes);
}

// The updater promises a text before its tick's Change: a scrape between the Change and the
// serialization is given the tick-old text at once, rather than serializing the new one on the
// HTTP thread (tens of milliseconds with a thousand targets). The promise ends with Publish, or
// with the Publication of a tick that threw; and never stretches to a text two ticks old.
TEST(ExpositionTest, AScrapeBeforeAPromisedTextIsGivenTheTickOldOne) {
  Fixture f;
  const auto t0 = Clock::now();
  const auto tick = seconds(1);
  for (int q = 0; q < 4; ++q) f.exposition.Current(t0 + milliseconds(250 * q));  // 4 per tick
  const int serialized = f.collections;
  {
    Exposition::Publication publication = f.exposition.ExpectScrape(t0 + seconds(1), tick);
    ASSERT_TRUE(publication);
    f.exposition.Change([&] { f.value = 1; }, /*strict=*/false);
    EXPECT_NE(f.exposition.Current(t0 + milliseconds(1010))->find("infercost_x 0\n"),
              std::string::npos);
    EXPECT_EQ(f.collections, serialized);  // nothing serialized on the scrape's thread
    f.exposition.Publish(std::move(publication));
  }
  EXPECT_EQ(f.collections, serialized + 1);
  EXPECT_NE(f.exposition.Current(t0 + milliseconds(1020))->find("infercost_x 1\n"),
            std::string::npos);
  EXPECT_EQ(f.collections, serialized + 1);

  // A tick that threw: its Publication is destroyed unpublished, and a scrape serializes again.
  {
    Exposition::Publication publication = f.exposition.ExpectScrape(t0 + seconds(2), tick);
    ASSERT_TRUE(publication);
    f.exposition.Change([&] { f.value = 2; }, /*strict=*/false);
  }
  EXPECT_NE(f.exposition.Current(t0 + milliseconds(2010))->find("infercost_x 2\n"),
            std::string::npos);

  // Two ticks behind (no promise at the tick before): the scrape waits for a new text.
  f.exposition.Change([&] { f.value = 3; }, /*strict=*/false);
  Exposition::Publication publication = f.exposition.ExpectScrape(t0 + seconds(3), tick);
  ASSERT_TRUE(publication);
  f.exposition.Change([&] { f.value = 4; }, /*strict=*/false);
  EXPECT_NE(f.exposition.Current(t0 + milliseconds(3010))->find("infercost_x 4\n"),
            std::string::npos);

  // Nor one without a strict change (a reload).
  f.exposition.Change([&] { f.value = 5; }, /*strict=*/true);
  EXPECT_NE(f.exposition.Current(t0 + milliseconds(3020))->find("infercost_x 5\n"),
            std::string::npos);
  f.exposition.Publish(std::move(publication));
}

// While a tick's serialization is under way, a scrape may get the text one tick older; never
// one that lacks a strict change (a reload).
TEST(ExpositionTest, DuringASerializationOnlyTickOldTextIsGiven) {
  std::atomic<bool> block{false};
  std::atomic<bool> collecting{false};
  double value = 0;
  Exposition exposition{[&](std::string& out) {
    collecting = true;
    while (block.load()) std::this_thread::yield();
    collecting = false;
    MetricFamily family{"infercost_x", "x", MetricType::Gauge, {}};
    ClientMetric metric;
    metric.gauge.value = value;
    family.metric.push_back(metric);
    AppendText({family}, out);
  }};
  const auto t0 = Clock::now();
  exposition.Current(t0);  // value 0
  exposition.Change([&] { value = 1; }, /*strict=*/false);
  block = true;
  std::thread updater([&] { exposition.Current(t0 + seconds(1)); });
  while (!collecting.load()) std::this_thread::yield();
  // A tick behind: the text with 0 at once, without waiting for the serialization.
  EXPECT_NE(exposition.Current(t0 + seconds(1))->find("infercost_x 0\n"), std::string::npos);
  block = false;
  updater.join();
  EXPECT_NE(exposition.Current(t0 + seconds(2))->find("infercost_x 1\n"), std::string::npos);

  // After a strict change (a reload), a scrape during a serialization waits for a text with it.
  exposition.Change([&] { value = 3; }, /*strict=*/true);
  block = true;
  std::thread second([&] { exposition.Current(t0 + seconds(3)); });
  while (!collecting.load()) std::this_thread::yield();
  std::atomic<bool> scraped{false};
  std::shared_ptr<const std::string> text;
  std::thread scrape([&] {
    text = exposition.Current(t0 + seconds(3));
    scraped = true;
  });
  // It cannot have been given the text with 1: it is still waiting while the collection is held.
  for (int i = 0; i < 1000; ++i) std::this_thread::yield();
  EXPECT_FALSE(scraped.load());
  block = false;
  second.join();
  scrape.join();
  EXPECT_NE(text->find("infercost_x 3\n"), std::string::npos);
}

}  // namespace
}  // namespace infercost
