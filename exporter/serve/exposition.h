// The text exposition /metrics serves: serialized when a scrape asks for it and the figures
// changed since the last serialization (at most once per tick, whatever the number of scrapers),
// and held as an immutable shared string that scrapes send as it is. Thread-safe.
#ifndef INFERCOST_SERVE_EXPOSITION_H_
#define INFERCOST_SERVE_EXPOSITION_H_

#include <prometheus/metric_family.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace infercost {

// The Prometheus text format (0.0.4) of `families`, byte for byte what prometheus-cpp 1.0's
// TextSerializer writes (values with 16 significant digits, "Nan", "+Inf", "-Inf"; a histogram's
// _count, _sum, then its buckets with a final le="+Inf"), appended to `out` without iostreams:
// a thousand targets' 100,000 samples take milliseconds rather than tens of them.
void AppendText(const std::vector<prometheus::MetricFamily>& families, std::string& out);

// When the text is written: a scrape that finds it stale (a change since) serializes it and
// waits; so that scrapes find it ready, the updater also serializes it right after a tick when
// the scrapers' rhythm (the shortest of their last intervals; of those of a tick or more, unless
// most are shorter) says a scrape is due before the next tick. Nobody scraping, nothing is
// serialized; Prometheus every 15 s, or a pair of them scraping together, once per 15 s.
// From the moment the updater decides to serialize after a tick (before the tick's Change) until
// the text is published, and while any serialization is under way, a scrape is given the text it
// replaces if that text is one tick old at most and lacks no reload or other Change marked
// `strict`: a tick's few milliseconds of serialization (tens with a thousand targets, on a niced
// thread) are never a scrape's wait.
class Exposition {
 public:
  using Clock = std::chrono::steady_clock;

  // `write` appends the text of every series as they are now; called with the series lock held
  // (see Change), so that it reads one tick's figures.
  explicit Exposition(std::function<void(std::string&)> write) : write_(std::move(write)) {}

  // Runs `change` (a tick's updates of every target, a reload's new series) while no
  // serialization is collecting, so that one text never mixes two ticks, and marks the text
  // stale. A `strict` change is in every text given out after Change returns; the updater's
  // ticks are not strict (see above).
  template <typename F>
  void Change(F&& change, bool strict) {
    std::lock_guard series(series_mu_);
    std::forward<F>(change)();
    const std::uint64_t generation = generation_.fetch_add(1) + 1;
    if (strict) strict_generation_.store(generation);
  }
  // What a scrape serves: the text as of the last Change (see above for the one exception).
  // Never null. `now` is the scrape's arrival, for the rhythm.
  std::shared_ptr<const std::string> Current(Clock::time_point now);
  // The updater's promise to serialize after its tick, made before the tick's Change: a scrape
  // in between is given the tick-old text rather than serializing on its own. Ends (scrapes
  // serialize again) when Publish takes it or when it is destroyed, a tick that threw.
  class Publication {
   public:
    Publication() = default;
    Publication(Publication&& other) noexcept : owner_(std::exchange(other.owner_, nullptr)) {}
    Publication& operator=(Publication&& other) noexcept {
      if (this != &other) {
        Release();
        owner_ = std::exchange(other.owner_, nullptr);
      }
      return *this;
    }
    Publication(const Publication&) = delete;
    Publication& operator=(const Publication&) = delete;
    ~Publication() { Release(); }
    // Whether a scrape is expected before the next tick (the updater serializes after it).
    explicit operator bool() const { return owner_ != nullptr; }

   private:
    friend class Exposition;
    explicit Publication(Exposition* owner) : owner_(owner) {}
    void Release() {
      if (owner_ != nullptr) owner_->promised_.fetch_sub(1);
      owner_ = nullptr;
    }
    Exposition* owner_ = nullptr;
  };
  // The updater before a tick at `now`: a Publication if a scrape is due before the next tick.
  Publication ExpectScrape(Clock::time_point now, Clock::duration tick);
  // The updater after the tick: serializes the text for the expected scrape (if any).
  void Publish(Publication publication);
  // ExpectScrape and Publish at once (a tick whose Change came earlier; tests).
  void PrepareForScrape(Clock::time_point now, Clock::duration tick) {
    Publish(ExpectScrape(now, tick));
  }

 private:
  static constexpr std::size_t kIntervals = 4;

  // Serializes the families as of now; the caller holds publish_mu_.
  std::shared_ptr<const std::string> SerializeLocked();
  std::shared_ptr<const std::string> Fresh(bool allow_tick_old);

  std::function<void(std::string&)> write_;
  std::mutex series_mu_;  // held by Change and while write_ runs
  std::atomic<std::uint64_t> generation_{1};
  std::atomic<std::uint64_t> strict_generation_{1};
  std::mutex publish_mu_;  // one serialization at a time
  std::atomic<bool> publishing_{false};
  std::atomic<int> promised_{0};  // Publications outstanding
  std::mutex text_mu_;            // guards the text, its generation and the scrape rhythm
  std::uint64_t text_generation_ = 0;
  std::shared_ptr<const std::string> text_;
  Clock::time_point last_scrape_{};
  std::array<Clock::duration, kIntervals> intervals_{};  // zero: not yet seen
  std::size_t next_interval_ = 0;
};

}  // namespace infercost

#endif  // INFERCOST_SERVE_EXPOSITION_H_
