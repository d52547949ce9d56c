#include "serve/service.h"

#include <prometheus/text_serializer.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "common/build_info.h"
#include "common/duration.h"
#include "common/log.h"
#include "cost/cost.h"
#include "loadgen/csv.h"
#include "loadgen/engine.h"
#include "loadgen/payload.h"
#include "loadgen/stats.h"
#include "serve/metrics.h"
#include "serve/process_metrics.h"

namespace infercost {
namespace {

using loadgen::Clock;
using std::chrono::nanoseconds;

// A window is trustworthy only if the generator kept its schedule this well.
constexpr double kMaxP99LagSeconds = 0.010;
// Above this share of a core per engine worker, the generator itself may be the bottleneck.
constexpr double kMaxWorkerCpuShare = 0.90;
// How long a reload waits for a changed or removed target's in-flight requests.
constexpr nanoseconds kReloadDrain = std::chrono::seconds(2);

double Seconds(nanoseconds d) { return std::chrono::duration<double>(d).count(); }

// Everything that decides how a target is loaded; a reload restarts a target's load only when
// this changes, so that stages of targets that stay are not reset.
std::string LoadFingerprint(const TargetConfig& t) {
  std::ostringstream out;
  const loadgen::RequestSpec& r = t.request;
  out << r.url << '\n' << r.method << '\n';
  for (const std::string& h : r.headers) out << h << '\n';
  out << r.timeout.count() << ' ' << r.expect.status << ' ' << r.expect.body_contains << ' '
      << r.expect.max_body_bytes << ' ' << r.cold_start.header << ' '
      << (r.cold_start.latency_above ? r.cold_start.latency_above->count() : -1) << ' '
      << r.billed_duration_header << ' ' << r.verify_tls << '\n';
  if (r.sigv4) {
    out << r.sigv4->provider << ' ' << r.sigv4->access_key << ' ' << r.sigv4->secret_key << ' '
        << r.sigv4->session_token << '\n';
  }
  const loadgen::PayloadSpec& b = t.body;
  out << b.file << ' ' << b.image_dir << ' ' << static_cast<int>(b.encoding) << ' ' << b.field
      << ' ' << b.inline_body << ' ' << b.content_type << '\n';
  const loadgen::LoadPlan& l = t.load;
  out << l.repeat << ' ' << (l.max_requests ? static_cast<int64_t>(*l.max_requests) : -1) << ' '
      << l.seed << ' ' << l.max_in_flight << '\n';
  for (const loadgen::Stage& s : l.stages) {
    out << static_cast<int>(s.kind) << ' ' << s.duration.count() << ' ' << s.concurrency << ' '
        << s.rate << ' ' << static_cast<int>(s.arrival) << '\n';
  }
  out << t.csv;
  return out.str();
}

// With a time scale F the engine measures wall-clock latencies that are F times shorter than the
// emulated ones, so requests are counted against bounds F times lower; the exported buckets keep
// their documented bounds. Schedule lag is the generator's own, real, and is not scaled.
std::vector<double> DividedBy(const std::vector<double>& bounds, double factor) {
  std::vector<double> out;
  for (double b : bounds) out.push_back(b / factor);
  return out;
}

loadgen::StatsOptions MakeStatsOptions(nanoseconds window, nanoseconds tick, double time_scale) {
  loadgen::StatsOptions options;
  options.window = window;
  options.publish_interval = tick;
  options.duration_bounds_seconds = DividedBy(kRequestDurationBounds, time_scale);
  options.cold_start_bounds_seconds = DividedBy(kColdStartBounds, time_scale);
  options.lag_bounds_seconds = kScheduleLagBounds;
  return options;
}

std::vector<double> BucketDelta(const loadgen::BucketCounts& now,
                                const loadgen::BucketCounts& before) {
  std::vector<double> delta(now.counts().size(), 0.0);
  for (std::size_t i = 0; i < delta.size(); ++i) {
    const uint64_t b = i < before.counts().size() ? before.counts()[i] : 0;
    delta[i] = now.counts()[i] > b ? static_cast<double>(now.counts()[i] - b) : 0.0;
  }
  return delta;
}

double CounterDelta(uint64_t now, uint64_t before) {
  return now > before ? static_cast<double>(now - before) : 0.0;
}

}  // namespace

struct TargetState {
  TargetConfig config;
  ResolvedPricing pricing;
  std::string fingerprint;
  std::unique_ptr<loadgen::TargetStats> stats;
  std::unique_ptr<loadgen::StatsRecorder> stats_recorder;
  std::unique_ptr<loadgen::CsvRecorder> csv;
  std::unique_ptr<loadgen::TeeRecorder> tee;
  std::optional<loadgen::TargetId> id;
  std::unique_ptr<TargetSeries> series;
  loadgen::Interval baseline;  // totals already added to the Prometheus counters
  CapacityTracker capacity;
  double spend_usd = 0;
  double test_spend_usd = 0;
  bool spend_limited = false;
  std::string logged_absent_reason;
  Clock::time_point last_tick;
  TargetView view;

  loadgen::Recorder* recorder() {
    if (tee) return tee.get();
    return stats_recorder.get();
  }
};

class Service::Impl {
 public:
  Impl(ServiceOptions options, prometheus::Registry& registry)
      : options_(options), registry_(registry), families_(registry) {
    families_.build_info.Add({{"version", kVersion}, {"revision", kRevision}}).Set(1);
    reload_ok_ = &families_.reload_successful.Add({});
    reload_ts_ = &families_.reload_success_timestamp.Add({});
    Publish();
  }

  ~Impl() { Stop(); }

  std::vector<std::string> Apply(const Config& config);
  void RecordReloadFailure() {
    {
      std::lock_guard lock(mu_);
      reload_ok_->Set(0);
    }
    Publish();
  }
  void Stop();
  void Tick();
  std::vector<TargetView> Views() const {
    std::lock_guard lock(mu_);
    std::vector<TargetView> out;
    for (const auto& [name, state] : targets_) out.push_back(state->view);
    return out;
  }
  bool Ready() const { return ticked_.load(); }
  std::vector<prometheus::MetricFamily> Collect() const {
    std::vector<prometheus::MetricFamily> families = registry_.Collect();
    std::vector<prometheus::MetricFamily> summaries = summaries_.Collect();
    families.insert(families.end(), std::make_move_iterator(summaries.begin()),
                    std::make_move_iterator(summaries.end()));
    return families;
  }
  // Series change only in Tick(), Apply() and RecordReloadFailure(), and each ends with this:
  // the text exposition is serialized here, once per change, instead of on every scrape (a
  // scrape of 50 targets would otherwise spend milliseconds formatting 5,000 samples).
  void Publish() {
    // Serialised, so that a later change's text never loses to an earlier one's.
    std::lock_guard publishing(publish_mu_);
    auto text =
        std::make_shared<const std::string>(prometheus::TextSerializer().Serialize(Collect()));
    std::lock_guard lock(exposition_mu_);
    exposition_ = std::move(text);
  }
  std::shared_ptr<const std::string> Exposition() const {
    std::lock_guard lock(exposition_mu_);
    return exposition_;
  }
  void StartUpdater() {
    updater_ = std::jthread([this](std::stop_token stop) {
      while (!stop.stop_requested()) {
        Tick();
        std::unique_lock lock(sleep_mu_);
        sleep_cv_.wait_for(lock, stop, options_.tick, [] { return false; });
      }
    });
  }

 private:
  void StartLoad(TargetState& state);
  void StopLoad(TargetState& state, nanoseconds drain);
  void UpdateTarget(TargetState& state, Clock::time_point now, double worker_cpu_share);
  void SetPrices(TargetState& state);

  ServiceOptions options_;
  prometheus::Registry& registry_;
  MetricFamilies families_;
  LatencySummaries summaries_;
  prometheus::Gauge* reload_ok_;
  prometheus::Gauge* reload_ts_;
  mutable std::mutex mu_;
  std::unique_ptr<loadgen::Engine> engine_;
  int engine_threads_ = 1;
  nanoseconds window_ = std::chrono::seconds(60);
  std::map<std::string, std::unique_ptr<TargetState>> targets_;
  std::vector<std::string> secrets_;
  bool stopped_ = false;
  std::atomic<bool> ticked_{false};
  double last_cpu_seconds_ = -1;
  Clock::time_point last_cpu_at_;
  std::mutex sleep_mu_;
  std::condition_variable_any sleep_cv_;
  std::mutex publish_mu_;
  mutable std::mutex exposition_mu_;
  std::shared_ptr<const std::string> exposition_;
  std::jthread updater_;
};

void Service::Impl::StartLoad(TargetState& state) {
  loadgen::TargetPlan plan{state.config.name, state.config.request, state.config.load};
  state.id = engine_->Add(std::move(plan), state.recorder());
}

void Service::Impl::StopLoad(TargetState& state, nanoseconds drain) {
  if (!state.id) return;
  engine_->Remove(*state.id, drain);
  state.id.reset();
  // The worker no longer calls the recorders: publish what they still hold.
  state.stats_recorder->Flush(Clock::now(), 0);
  if (state.csv) state.csv->Flush();
}

void Service::Impl::SetPrices(TargetState& state) {
  const ResolvedPricing& p = state.pricing;
  TargetSeries& s = *state.series;
  s.price_per_hour->Set(p.usd_per_hour);
  s.price_per_request->Set(p.usd_per_request);
  s.price_per_gb_second->Set(p.usd_per_gb_second);
  s.memory_bytes->Set(p.memory_gb * 1024.0 * 1024.0 * 1024.0);
  s.SetBudget(state.config.budget_usd_per_million);
  s.SetInfo(TargetInfo{
      p.platform, p.spec.model == PricingModel::kInstance ? p.spec.instance_type : std::string(),
      p.spec.region, p.architecture, std::string(Name(p.spec.model)),
      std::string(Name(p.spec.price_basis))});
}

std::vector<std::string> Service::Impl::Apply(const Config& config) {
  // A reload that races with shutdown (POST /-/reload while SIGTERM drains) must not start load
  // on the stopped engine: nothing would stop it again, and it would outlive its recorders.
  const std::vector<std::string> shutting_down = {"the service is shutting down; reload refused"};
  {
    std::lock_guard lock(mu_);
    if (stopped_) return shutting_down;
  }
  // 1. Prepare everything that can fail, without touching the running state.
  std::vector<std::string> errors;
  std::optional<Catalog> overrides;
  if (!config.prices_file.empty()) {
    CatalogResult loaded = LoadCatalogOverrides(config.prices_file);
    if (!loaded.catalog) {
      errors.push_back(loaded.error);
    } else {
      overrides = std::move(loaded.catalog);
    }
  }
  const Catalog& catalog = overrides ? *overrides : BuiltinCatalog();
  struct Prepared {
    const TargetConfig* config;
    ResolvedPricing pricing;
    std::shared_ptr<const std::vector<loadgen::Payload>> payloads;
    std::unique_ptr<loadgen::CsvRecorder> csv;
  };
  std::vector<Prepared> prepared;
  for (const TargetConfig& target : config.targets) {
    Prepared p{&target, {}, nullptr, nullptr};
    ResolveResult resolved = Resolve(target.pricing, catalog);
    if (!resolved.pricing) {
      errors.push_back("target " + target.name + ": " + resolved.error);
    } else {
      p.pricing = *resolved.pricing;
    }
    loadgen::PayloadResult payloads = loadgen::LoadPayloads(target.body);
    if (!payloads.payloads) {
      errors.push_back("target " + target.name + ": " + payloads.error);
    } else {
      p.payloads = payloads.payloads;
    }
    prepared.push_back(std::move(p));
  }
  if (errors.empty()) {
    std::lock_guard lock(mu_);
    for (Prepared& p : prepared) {
      if (p.config->csv.empty()) continue;
      auto it = targets_.find(p.config->name);
      // A kept target keeps appending to its open file, even when its load restarts: opening
      // the path again would truncate it under the running recorder (and before the commit).
      const bool same_file = it != targets_.end() && it->second->config.csv == p.config->csv;
      if (same_file) continue;
      p.csv = std::make_unique<loadgen::CsvRecorder>(p.config->csv, p.config->name);
      if (!p.csv->ok()) errors.push_back("target " + p.config->name + ": " + p.csv->error());
    }
  }
  if (!errors.empty()) {
    RecordReloadFailure();
    return errors;
  }

  // 2. Commit.
  std::lock_guard lock(mu_);
  if (stopped_) return shutting_down;
  if (!engine_) {
    engine_threads_ = std::max(1, config.threads);
    engine_ = std::make_unique<loadgen::Engine>(loadgen::EngineOptions{engine_threads_, 0});
  } else if (config.threads != engine_threads_) {
    Log(LogLevel::kWarn, "a change of threads takes effect at restart",
        {{"running", std::to_string(engine_threads_)},
         {"configured", std::to_string(config.threads)}});
  }
  const bool window_changed = config.window != window_;
  window_ = config.window;
  secrets_ = config.secrets;
  SetLogSecrets(secrets_);

  // Removed targets: their series disappear.
  for (auto it = targets_.begin(); it != targets_.end();) {
    const bool kept = std::any_of(config.targets.begin(), config.targets.end(),
                                  [&](const TargetConfig& t) { return t.name == it->first; });
    if (kept) {
      ++it;
      continue;
    }
    StopLoad(*it->second, kReloadDrain);
    if (it->second->csv) it->second->csv->Close();
    summaries_.Remove(it->first);
    Log(LogLevel::kInfo, "target removed", {{"target", it->first}});
    it = targets_.erase(it);
  }

  const auto now = Clock::now();
  for (Prepared& p : prepared) {
    TargetConfig target = *p.config;
    target.request.payloads = p.payloads;
    const std::string fingerprint = LoadFingerprint(target);
    auto it = targets_.find(target.name);
    if (it == targets_.end()) {
      auto state = std::make_unique<TargetState>();
      state->config = target;
      state->pricing = p.pricing;
      state->fingerprint = fingerprint;
      state->stats = std::make_unique<loadgen::TargetStats>(
          MakeStatsOptions(window_, options_.tick, options_.time_scale));
      state->stats_recorder = std::make_unique<loadgen::StatsRecorder>(state->stats.get());
      state->baseline = loadgen::Interval{};
      state->baseline.duration_buckets = loadgen::BucketCounts(kRequestDurationBounds);
      state->baseline.cold_start_buckets = loadgen::BucketCounts(kColdStartBounds);
      state->baseline.lag_buckets = loadgen::BucketCounts(kScheduleLagBounds);
      state->csv = std::move(p.csv);
      if (state->csv) {
        state->tee =
            std::make_unique<loadgen::TeeRecorder>(state->stats_recorder.get(), state->csv.get());
      }
      state->series = std::make_unique<TargetSeries>(families_, target.name);
      state->last_tick = now;
      state->view.name = target.name;
      SetPrices(*state);
      StartLoad(*state);
      Log(LogLevel::kInfo, "target started",
          {{"target", target.name}, {"url", Redact(target.request.url, secrets_)}});
      targets_.emplace(target.name, std::move(state));
      continue;
    }
    TargetState& state = *it->second;
    const bool restart = fingerprint != state.fingerprint;
    const bool limit_raised =
        !target.spend_limit_usd || *target.spend_limit_usd > state.test_spend_usd;
    // A target stopped by its spend limit is not started again by a restart: started and then
    // paused, its first requests would already be on the wire.
    const bool stay_stopped = state.spend_limited && !limit_raised;
    if (restart) StopLoad(state, kReloadDrain);
    if (p.csv) {
      if (state.csv) state.csv->Close();
      state.csv = std::move(p.csv);
    } else if (target.csv.empty() && state.csv) {
      state.csv->Close();
      state.csv.reset();
    }
    // The store keeps its totals and intervals: nothing recorded since the last tick is lost,
    // and counters and the latency summary's count continue.
    if (window_changed) state.stats->SetWindow(window_);
    if (restart) {
      // The recorder is reused (the engine no longer calls it); only the CSV side may change.
      state.tee.reset();
      if (state.csv) {
        state.tee =
            std::make_unique<loadgen::TeeRecorder>(state.stats_recorder.get(), state.csv.get());
      }
    }
    state.config = target;
    state.pricing = p.pricing;
    state.fingerprint = fingerprint;
    SetPrices(state);
    if (restart && !stay_stopped) {
      StartLoad(state);
      Log(LogLevel::kInfo, "target load restarted with its new definition",
          {{"target", target.name}});
    }
    if (state.spend_limited && limit_raised) {
      state.spend_limited = false;
      if (state.id) {
        engine_->SetPaused(*state.id, false);
      } else {
        StartLoad(state);
      }
      Log(LogLevel::kInfo, "spend limit raised; load resumed", {{"target", target.name}});
    }
  }
  reload_ok_->Set(1);
  reload_ts_->Set(
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
  return {};
}

void Service::Impl::Stop() {
  if (updater_.joinable()) {
    updater_.request_stop();
    sleep_cv_.notify_all();
    updater_.join();
  }
  std::lock_guard lock(mu_);
  if (stopped_) return;
  stopped_ = true;
  if (!engine_) return;
  engine_->Stop(options_.drain);
  const auto now = Clock::now();
  for (auto& [name, state] : targets_) {
    state->id.reset();
    state->stats_recorder->Flush(now, 0);
    if (state->csv) state->csv->Close();
  }
}

void Service::Impl::UpdateTarget(TargetState& state, Clock::time_point now,
                                 double worker_cpu_share) {
  const loadgen::StatsSnapshot snap = state.stats->Snapshot(now);
  // Figures are reported on the target's clock: the emulator's under --time-scale.
  const double scale = options_.time_scale;
  TargetSeries& s = *state.series;
  const loadgen::Interval& total = snap.total;
  loadgen::Interval& base = state.baseline;

  // Counters and histograms: add what happened since the last tick.
  for (std::size_t i = 0; i < loadgen::kOutcomeCount; ++i) {
    s.requests[i]->Increment(CounterDelta(total.requests[i], base.requests[i]));
  }
  s.inferences->Increment(CounterDelta(total.Ok(), base.Ok()));
  s.dropped->Increment(CounterDelta(total.dropped, base.dropped));
  s.cold_starts->Increment(CounterDelta(total.cold_starts, base.cold_starts));
  s.billed_duration->Increment(CounterDelta(total.billed_ms, base.billed_ms) / 1000.0);
  s.request_duration->ObserveMultiple(
      BucketDelta(total.duration_buckets, base.duration_buckets),
      scale * std::max(0.0,
                       total.duration_buckets.sum_seconds() - base.duration_buckets.sum_seconds()));
  s.cold_start_duration->ObserveMultiple(
      BucketDelta(total.cold_start_buckets, base.cold_start_buckets),
      scale * std::max(0.0, total.cold_start_buckets.sum_seconds() -
                                base.cold_start_buckets.sum_seconds()));
  s.schedule_lag->ObserveMultiple(
      BucketDelta(total.lag_buckets, base.lag_buckets),
      std::max(0.0, total.lag_buckets.sum_seconds() - base.lag_buckets.sum_seconds()));

  // The window's figures.
  const loadgen::Interval& w = snap.window;
  const double wall_span = Seconds(snap.window_span);
  const double window = Seconds(window_);
  // The window's resolution is one publish interval (the tick), and the newest interval is
  // still pending when a snapshot is taken: a window covers between `window` and two ticks less.
  // Short windows (a time-scaled demo's 5 s) would never count as full with 90 % alone.
  const double tick = Seconds(options_.tick);
  const bool window_full = wall_span >= std::min(0.9 * window, window - 2 * tick);
  const double span = wall_span * scale;
  TargetView& v = state.view;
  v.url = Redact(state.config.request.url, secrets_);
  v.platform = state.pricing.platform;
  v.pricing_model = std::string(Name(state.pricing.spec.model));
  v.instance_type = state.pricing.spec.instance_type;
  v.window_seconds = span;
  v.window_length_seconds = window * scale;
  v.pricing = state.pricing;
  v.ips = span > 0 ? static_cast<double>(w.Ok()) / span : 0;
  v.requests_per_second = span > 0 ? static_cast<double>(w.Requests()) / span : 0;
  v.error_ratio =
      w.Requests() > 0 ? 1.0 - static_cast<double>(w.Ok()) / static_cast<double>(w.Requests()) : 0;
  v.outcomes.clear();
  for (loadgen::Outcome o : loadgen::kAllOutcomes) {
    const uint64_t n = w.requests[static_cast<std::size_t>(o)];
    if (n > 0) v.outcomes.emplace_back(std::string(OutcomeName(o)), n);
  }
  const bool have_latency = w.latency.Count() > 0;
  auto quantile = [&](double q) -> std::optional<double> {
    if (!have_latency) return std::nullopt;
    return scale * static_cast<double>(w.latency.ValueAtQuantileNs(q)) / 1e9;
  };
  v.p50_seconds = quantile(0.5);
  v.p90_seconds = quantile(0.9);
  v.p95_seconds = quantile(0.95);
  v.p99_seconds = quantile(0.99);
  v.mean_latency_seconds = have_latency ? scale * w.latency.MeanNs() / 1e9 : 0;
  v.effective_concurrency = v.requests_per_second * v.mean_latency_seconds;
  LatencySummaries::Values summary;
  for (std::size_t i = 0; i < kQuantiles.size(); ++i) {
    summary.quantile_seconds[i] = quantile(kQuantiles[i]).value_or(NAN);
  }
  summary.count = total.Requests();
  summary.sum_seconds = scale * total.duration_buckets.sum_seconds();
  summaries_.Set(state.config.name, summary);
  s.inferences_per_second->Set(v.ips);
  s.effective_concurrency->Set(v.effective_concurrency);
  s.in_flight->Set(snap.in_flight);
  v.in_flight = snap.in_flight;

  // Capacity: the best healthy full window so far.
  if (window_full && w.Requests() > 0) {
    using CapSeconds = CapacityTracker::Seconds;
    std::optional<CapSeconds> slo;
    if (state.config.slo_p95) slo = CapSeconds(Seconds(*state.config.slo_p95));
    std::optional<CapSeconds> p95;
    if (v.p95_seconds) p95 = CapSeconds(*v.p95_seconds);
    state.capacity.Observe(v.ips, v.error_ratio, p95, slo);
  }
  v.capacity_ips =
      state.capacity.has_value() ? std::optional<double>(state.capacity.ips()) : std::nullopt;
  s.SetCapacity(v.capacity_ips);

  // Cost over the window (the gauges) and spend since the last tick (the counters).
  Usage window_usage;
  window_usage.elapsed_seconds = span;
  window_usage.ok = w.Ok();
  window_usage.requests = w.Requests();
  window_usage.billable_requests = w.billable;
  window_usage.billed_ms = w.billed_ms;
  window_usage.billed_estimated = w.billed_from_header < w.billable;
  window_usage.capacity_ips = v.capacity_ips.value_or(0);
  const Cost window_cost = ComputeCost(state.pricing, window_usage);
  v.usd_per_million_observed = window_cost.observed_usd_per_million;
  v.usd_per_million_capacity = window_cost.capacity_usd_per_million;
  s.SetCostPerMillion(false, window_cost.observed_usd_per_million);
  s.SetCostPerMillion(true, window_cost.capacity_usd_per_million);
  v.cost_note.clear();
  v.capacity_cost_note = window_cost.capacity_absent_reason;
  v.cost_caveats = window_cost.caveats;
  if (!window_cost.observed_usd_per_million) {
    v.cost_note = window_cost.observed_absent_reason;
    // Logged once per reason, and only when requests were sent (an idle window says nothing).
    if (w.Requests() > 0 && state.logged_absent_reason != v.cost_note) {
      Log(LogLevel::kInfo, "cost per 1M inferences is absent",
          {{"target", state.config.name}, {"reason", v.cost_note}});
      state.logged_absent_reason = v.cost_note;
    }
  } else {
    state.logged_absent_reason.clear();
    if (window_usage.billed_estimated && state.pricing.platform == "lambda") {
      v.cost_note = "billed duration estimated from measured latency (an upper bound)";
    }
  }

  const double dt = scale * std::max(0.0, Seconds(now - state.last_tick));
  state.last_tick = now;
  Usage tick_usage;
  tick_usage.elapsed_seconds = dt;
  tick_usage.ok = total.Ok() - std::min(total.Ok(), base.Ok());
  tick_usage.requests = total.Requests() - std::min(total.Requests(), base.Requests());
  tick_usage.billable_requests = total.billable - std::min(total.billable, base.billable);
  tick_usage.billed_ms = total.billed_ms - std::min(total.billed_ms, base.billed_ms);
  tick_usage.capacity_ips = window_usage.capacity_ips;
  const Cost tick_cost = ComputeCost(state.pricing, tick_usage);
  // Time-based spend accrues with the clock at the list rate, plus burstable surplus credits at
  // the window's utilisation (one tick's utilisation is too noisy for a convex charge).
  const double surplus_rate = span > 0 ? window_cost.surplus_credit_usd / span : 0;
  const double time_inc = tick_cost.time_usd - tick_cost.surplus_credit_usd + surplus_rate * dt;
  const double request_inc = tick_cost.request_usd;
  s.cost_time->Increment(std::max(0.0, time_inc));
  s.cost_request->Increment(std::max(0.0, request_inc));
  state.spend_usd += std::max(0.0, time_inc) + std::max(0.0, request_inc);
  // What the test's own requests cost: instance hours are paid whether or not we send load.
  state.test_spend_usd += std::max(0.0, request_inc);
  v.spend_usd = state.spend_usd;
  v.test_spend_usd = state.test_spend_usd;
  v.spend_limit_usd = state.config.spend_limit_usd;
  v.budget_usd_per_million = state.config.budget_usd_per_million;
  if (state.config.spend_limit_usd && !state.spend_limited &&
      state.test_spend_usd >= *state.config.spend_limit_usd) {
    state.spend_limited = true;
    if (state.id) engine_->SetPaused(*state.id, true);
    Log(LogLevel::kWarn, "spend limit reached; load stopped",
        {{"target", state.config.name},
         {"spend_usd", std::to_string(state.test_spend_usd)},
         {"spend_limit_usd", std::to_string(*state.config.spend_limit_usd)}});
  }

  // The schedule.
  const loadgen::Stage& stage = snap.stage;
  const bool idle = stage.kind == loadgen::Stage::Kind::kIdle || snap.stage_index < 0;
  v.offered_concurrency =
      stage.kind == loadgen::Stage::Kind::kClosed && !idle ? stage.concurrency : 0;
  v.offered_rate = stage.kind == loadgen::Stage::Kind::kOpen && !idle ? stage.rate : 0;
  if (state.spend_limited) {
    v.offered_concurrency = 0;
    v.offered_rate = 0;
  }
  s.offered_concurrency->Set(v.offered_concurrency);
  s.offered_rate->Set(v.offered_rate);
  v.load_active = snap.load_active && !state.spend_limited;
  v.load_state = state.spend_limited ? "spend limit reached"
                 : v.load_active     ? "running"
                 : idle              ? "idle stage"
                                     : "paused";
  s.load_active->Set(v.load_active ? 1 : 0);

  // Whether the window can be trusted.
  v.invalid_reasons.clear();
  if (!window_full) {
    // On the target's clock, as every other figure of the view.
    char buf[96];
    std::snprintf(buf, sizeof buf, "window not full yet (%.0fs of %.0fs)", span, window * scale);
    v.invalid_reasons.push_back(buf);
  }
  if (w.lag.Count() > 0) {
    const double lag_p99 = static_cast<double>(w.lag.ValueAtQuantileNs(0.99)) / 1e9;
    if (lag_p99 > kMaxP99LagSeconds) {
      char buf[128];
      std::snprintf(buf, sizeof buf, "schedule lag p99 %.1f ms is over %.0f ms", lag_p99 * 1e3,
                    kMaxP99LagSeconds * 1e3);
      v.invalid_reasons.push_back(buf);
    }
  }
  if (w.dropped > 0) {
    v.invalid_reasons.push_back(std::to_string(w.dropped) +
                                " arrivals dropped at the in-flight cap");
  }
  if (worker_cpu_share > kMaxWorkerCpuShare) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "generator CPU-bound (%.0f%% of a core per worker)",
                  worker_cpu_share * 100);
    v.invalid_reasons.push_back(buf);
  }
  v.valid = v.invalid_reasons.empty();
  s.measurement_valid->Set(v.valid ? 1 : 0);

  v.requests_total = total.Requests();
  v.inferences_total = total.Ok();
  v.cold_starts_total = total.cold_starts;
  v.dropped_total = total.dropped;

  base = total;
}

void Service::Impl::Tick() {
  {
    std::lock_guard lock(mu_);
    if (stopped_ && targets_.empty()) {
      return;
    }
    const auto now = Clock::now();
    double worker_cpu_share = 0;
    const double cpu_seconds = ProcessCpuSeconds();
    if (last_cpu_seconds_ >= 0) {
      const double wall = Seconds(now - last_cpu_at_);
      if (wall > 0) {
        worker_cpu_share =
            (cpu_seconds - last_cpu_seconds_) / wall / static_cast<double>(engine_threads_);
      }
    }
    last_cpu_seconds_ = cpu_seconds;
    last_cpu_at_ = now;
    for (auto& [name, state] : targets_) {
      UpdateTarget(*state, now, worker_cpu_share);
    }
  }
  Publish();
  ticked_ = true;  // ready once the first figures can be scraped
}

Service::Service(ServiceOptions options)
    : options_(options),
      registry_(std::make_shared<prometheus::Registry>()),
      impl_(std::make_unique<Impl>(options, *registry_)) {}

Service::~Service() { Stop(); }

std::vector<std::string> Service::Apply(const Config& config) {
  std::vector<std::string> errors = impl_->Apply(config);
  if (errors.empty() && !impl_->Ready()) {
    impl_->Tick();
    impl_->StartUpdater();
  } else if (errors.empty()) {
    impl_->Publish();
  }
  return errors;
}

void Service::RecordReloadFailure() { impl_->RecordReloadFailure(); }
void Service::Stop() {
  impl_->Stop();
  impl_->Tick();
}
std::vector<TargetView> Service::Views() const { return impl_->Views(); }
bool Service::Ready() const { return impl_->Ready(); }
void Service::Tick() { impl_->Tick(); }
std::vector<prometheus::MetricFamily> Service::Collect() const { return impl_->Collect(); }
std::shared_ptr<const std::string> Service::Exposition() const { return impl_->Exposition(); }

namespace {

// The prices in force, as the landing page describes a target ("t4g.medium, $0.0336/h").
nlohmann::json PricingJson(const ResolvedPricing& p) {
  const PricingSpec& spec = p.spec;
  nlohmann::json out = {
      {"model", Name(spec.model)},      {"price_basis", Name(spec.price_basis)},
      {"region", spec.region},          {"architecture", p.architecture},
      {"usd_per_hour", p.usd_per_hour}, {"usd_per_request", p.usd_per_request},
  };
  if (spec.model == PricingModel::kInstance) {
    out["instance_type"] = spec.instance_type;
    out["count"] = spec.count;
  }
  if (spec.model == PricingModel::kLambda) {
    out["memory_mb"] = spec.memory_mb;
    out["usd_per_gb_second"] = p.usd_per_gb_second;
    out["provisioned_concurrency"] = spec.provisioned_concurrency;
  }
  out["api_gateway"] = Name(spec.api_gateway);
  return out;
}

}  // namespace

std::string TargetsJson(const std::vector<TargetView>& views) {
  using nlohmann::json;
  auto opt = [](const std::optional<double>& v) -> json { return v ? json(*v) : json(nullptr); };
  json targets = json::array();
  for (const TargetView& v : views) {
    json outcomes = json::object();
    for (const auto& [name, n] : v.outcomes) outcomes[name] = n;
    targets.push_back({
        {"name", v.name},
        {"url", v.url},
        {"platform", v.platform},
        {"pricing_model", v.pricing_model},
        {"instance_type", v.instance_type},
        {"window_seconds", v.window_seconds},
        {"window_length_seconds", v.window_length_seconds},
        {"inferences_per_second", v.ips},
        {"requests_per_second", v.requests_per_second},
        {"error_ratio", v.error_ratio},
        {"window_outcomes", outcomes},
        {"latency_seconds",
         {{"p50", opt(v.p50_seconds)},
          {"p90", opt(v.p90_seconds)},
          {"p95", opt(v.p95_seconds)},
          {"p99", opt(v.p99_seconds)},
          {"mean", v.mean_latency_seconds}}},
        {"effective_concurrency", v.effective_concurrency},
        {"offered_concurrency", v.offered_concurrency},
        {"offered_rate", v.offered_rate},
        {"in_flight", v.in_flight},
        {"cost_per_million_inferences_usd",
         {{"observed", opt(v.usd_per_million_observed)},
          {"capacity", opt(v.usd_per_million_capacity)}}},
        {"cost_note", v.cost_note},
        {"capacity_cost_note", v.capacity_cost_note},
        {"cost_caveats", v.cost_caveats},
        {"pricing", PricingJson(v.pricing)},
        {"capacity_inferences_per_second", opt(v.capacity_ips)},
        {"budget_usd_per_million", opt(v.budget_usd_per_million)},
        {"spend_usd", v.spend_usd},
        {"test_spend_usd", v.test_spend_usd},
        {"spend_limit_usd", opt(v.spend_limit_usd)},
        {"load_active", v.load_active},
        {"load_state", v.load_state},
        {"measurement_valid", v.valid},
        {"invalid_reasons", v.invalid_reasons},
        {"requests_total", v.requests_total},
        {"inferences_total", v.inferences_total},
        {"cold_starts_total", v.cold_starts_total},
        {"dropped_total", v.dropped_total},
    });
  }
  return json{{"targets", targets}}.dump(2);
}

}  // namespace infercost
