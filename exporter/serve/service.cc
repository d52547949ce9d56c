#include "serve/service.h"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string_view>
#include <thread>
#include <utility>

#include "common/build_info.h"
#include "common/duration.h"
#include "common/log.h"
#include "cost/cost.h"
#include "loadgen/csv.h"
#include "loadgen/engine.h"
#include "loadgen/stats.h"
#include "serve/exposition.h"
#include "serve/metrics.h"
#include "serve/prepare.h"
#include "serve/process_metrics.h"
#include "serve/target_load.h"

namespace infercost {
namespace {

using loadgen::Clock;
using std::chrono::nanoseconds;

// The updater thread's nice value (lowering one's own priority needs no privilege).
constexpr int kUpdaterNice = 10;

// How long a reload waits for a changed or removed target's in-flight requests.
constexpr nanoseconds kReloadDrain = std::chrono::seconds(2);

double Seconds(nanoseconds d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

Clock::time_point NextTick(Clock::time_point now, nanoseconds tick) {
  if (tick <= nanoseconds::zero()) return now;
  const nanoseconds phase = tick * 3 / 4;
  const nanoseconds since = now.time_since_epoch() - phase;
  nanoseconds grid = since / tick * tick;  // toward zero
  if (grid > since) grid -= tick;          // now: before the clock's first such moment
  return Clock::time_point(grid + tick + phase);
}

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
  // The refresher of the AWS keys it signs with; null for static keys and unsigned targets.
  std::shared_ptr<aws::CredentialsRefresher> refresher;
  uint64_t refresh_failures_seen = 0;  // the refresher's count already added to the counter
  uint64_t csv_errors_seen = 0;        // the CSV recorder's count already added to the counter
  bool csv_error_logged = false;       // one log line per target, not one per lost block
  loadgen::Interval baseline;          // totals already added to the Prometheus counters
  // The last tick's snapshot, kept for its buffers: the next one is taken into it.
  loadgen::StatsSnapshot snapshot;
  TargetLedger ledger;
  // Its infercost_request_latency_seconds values (LatencySummaries::Entry); until it is removed.
  LatencySummaries::Values* summary = nullptr;
  std::string logged_absent_reason;
  Clock::time_point last_tick;
  TargetView view;
  // The view's fields from the config and pricing are out of date (a reload, a new secret): the
  // next tick writes them with its figures, so that the view changes in one step.
  bool view_config_stale = true;

  loadgen::Recorder* recorder() {
    if (tee) return tee.get();
    return stats_recorder.get();
  }
};

// A running target that a reload stops: removed, or restarted with a new load definition. It is
// drained outside the service lock; its file closes when the new config drops or replaces it.
struct Retiring {
  TargetState* state;
  std::optional<loadgen::TargetId> id;
  bool removed;
  bool close_csv;
};

class Service::Impl {
 public:
  Impl(ServiceOptions options, prometheus::Registry& registry)
      : options_(options),
        registry_(registry),
        families_(registry),
        pool_(options_.aws_environment ? options_.aws_environment : aws::ProcessEnvironment()) {
    families_.build_info.Add({{"version", kVersion}, {"revision", kRevision}}).Set(1);
    reload_ok_ = &families_.reload_successful.Add({});
    reload_ts_ = &families_.reload_success_timestamp.Add({});
  }

  ~Impl() {
    Stop();
    // The registry goes with the service: dropping the families at once is linear, removing
    // each target's series first would be quadratic in the number of targets.
    std::lock_guard lock(mu_);
    for (auto& [name, state] : targets_) {
      if (state->series) state->series->Abandon();
    }
  }

  std::vector<std::string> Apply(const Config& config);
  void RecordReloadFailure() {
    std::lock_guard lock(mu_);
    exposition_.Change([this] { reload_ok_->Set(0); }, /*strict=*/true);
  }
  void Stop();
  // One update of every target's figures and series. `strict`: in every exposition given out
  // after it returns (a test's or the first tick); the updater's ticks may be a tick late (see
  // serve/exposition.h).
  void Tick(bool strict = true);
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
  // What /metrics serves: the same series as Collect(), written from the series index
  // (tests/serve/series_index_test.cc compares the two).
  void WriteText(std::string& out) const {
    families_.index.Write(out);
    AppendText(summaries_.Collect(), out);
  }
  // Series change only in Tick(), Apply() and RecordReloadFailure(): the text goes stale.
  void SeriesChanged() {
    exposition_.Change([] {}, /*strict=*/true);
  }
  std::shared_ptr<const std::string> Exposition() {
    return exposition_.Current(infercost::Exposition::Clock::now());
  }
  void StartUpdater() {
    updater_ = std::jthread([this](std::stop_token stop) {
      // Below the engine's workers and the HTTP server's threads: a tick's figures and the
      // exposition it prepares can wait a few milliseconds; a send or a scrape should not.
      setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kUpdaterNice);
      // Named for `top -H`, `ps -L` and perf (at most 15 characters).
      pthread_setname_np(pthread_self(), "updater");
      // The first tick at once; then on a schedule (NextTick), not a pause after each one: a
      // tick's own work and a late wake-up would otherwise stretch every period and drift
      // across the engine's publishes and the scrapers' rhythm.
      while (!stop.stop_requested()) {
        // A barrier: an exception escaping a thread ends the process (std::terminate). A tick
        // that throws is logged, and the next one tries again.
        try {
          if (options_.before_tick) options_.before_tick();
          // Decided before the tick's Change, so that a scrape in between is given the tick-old
          // text instead of serializing the new one itself (Exposition::ExpectScrape).
          infercost::Exposition::Publication publication =
              exposition_.ExpectScrape(infercost::Exposition::Clock::now(), options_.tick);
          Tick(/*strict=*/false);
          exposition_.Publish(std::move(publication));
        } catch (const std::exception& e) {
          Log(LogLevel::kError, "metrics update failed", {{"error", e.what()}});
        } catch (...) {
          Log(LogLevel::kError, "metrics update failed", {{"error", "an unknown exception"}});
        }
        const Clock::time_point next_tick = NextTick(Clock::now(), options_.tick);
        std::unique_lock lock(sleep_mu_);
        sleep_cv_.wait_until(lock, stop, next_tick, [] { return false; });
      }
    });
  }

 private:
  void StartLoad(TargetState& state);
  // Reload reconciliation (Apply): what can fail is prepared first (PrepareTargets), the targets
  // it stops are drained next, outside mu_, then the new state is committed under mu_.
  std::vector<Retiring> BeginRetiring(const std::vector<PreparedTarget>& prepared);
  void Drain(const std::vector<Retiring>& retiring);
  void Commit(const Config& config, std::vector<PreparedTarget>& prepared,
              const std::vector<Retiring>& retiring,
              std::vector<std::unique_ptr<TargetState>>* removed);
  void AddTarget(TargetConfig target, PreparedTarget& prepared, Clock::time_point now);
  void ReconfigureTarget(TargetState& state, TargetConfig target, PreparedTarget& prepared,
                         bool window_changed);
  // One tick of one target: snapshot -> figures -> metrics -> engine control.
  void UpdateTarget(TargetState& state, Clock::time_point now, double worker_cpu_share);
  void WriteFigures(TargetState& state, const TargetFigures& figures);
  void LogAbsentCost(TargetState& state, const TargetFigures& figures);
  void StopAtSpendLimit(TargetState& state);
  // The target's price gauges and info from its pricing and config (added or reconfigured);
  // its view takes them at the next tick.
  void SetPrices(TargetState& state);
  void WriteCredentials(TargetState& state);
  // Lost CSV rows: counted (infercost_csv_write_errors_total) and logged once per target.
  void WriteCsvErrors(TargetState& state);
  // Closes the target's CSV file (the engine no longer writes to it), counting and logging a
  // failure of its last rows; the next file starts a fresh count.
  void CloseCsv(TargetState& state) {
    if (!state.csv) return;
    state.csv->Close();
    CountClosedCsv(state);
  }
  // The counting half of CloseCsv, under mu_, for a file closed outside it (a reload's drain).
  void CountClosedCsv(TargetState& state) {
    WriteCsvErrors(state);
    state.csv_errors_seen = 0;
    state.csv_error_logged = false;
  }
  // Lets refreshers go that no target uses any more (after a reload dropped or changed them).
  void ReleaseCredentials() { pool_.Release(); }

  ServiceOptions options_;
  prometheus::Registry& registry_;
  MetricFamilies families_;
  LatencySummaries summaries_;
  prometheus::Gauge* reload_ok_;
  prometheus::Gauge* reload_ts_;
  // Locks: apply_mu_ (held by Apply and Stop throughout) before mu_ (held briefly: ticks, views,
  // the state swaps of Apply and Stop). targets_ (the map), each target's config, fingerprint,
  // id and csv pointer, and engine_ are written only with both held, so Apply and Stop read them
  // under apply_mu_ alone while they drain targets or open and close files.
  std::mutex apply_mu_;
  mutable std::mutex mu_;
  std::unique_ptr<loadgen::Engine> engine_;
  int engine_threads_ = 1;
  std::optional<MetricsConfig> metrics_;  // the first Apply's; a reload may not change it
  nanoseconds window_ = std::chrono::seconds(60);
  std::map<std::string, std::unique_ptr<TargetState>> targets_;
  std::vector<std::string> secrets_;
  CredentialsPool pool_;  // used by Apply only, under apply_mu_
  bool stopped_ = false;
  std::atomic<bool> ticked_{false};
  double last_cpu_seconds_ = -1;
  Clock::time_point last_cpu_at_;
  std::mutex sleep_mu_;
  std::condition_variable_any sleep_cv_;
  infercost::Exposition exposition_{[this](std::string& out) { WriteText(out); }};
  std::jthread updater_;
};

void Service::Impl::StartLoad(TargetState& state) {
  loadgen::TargetPlan plan{state.config.name, state.config.request, state.config.load};
  state.id = engine_->Add(std::move(plan), state.recorder());
}

void Service::Impl::SetPrices(TargetState& state) {
  state.view_config_stale = true;
  const ResolvedPricing& p = state.pricing;
  TargetSeries& s = *state.series;
  s.price_per_hour->Set(p.usd_per_hour);
  s.price_per_request->Set(p.usd_per_request);
  s.price_per_gb_second->Set(p.usd_per_gb_second);
  s.price_full_load_surplus->Set(FullLoadSurplusUsdPerHour(p));
  s.price_on_demand_per_gb_second->Set(p.on_demand_usd_per_gb_second);
  s.provisioned_concurrency->Set(p.spec.provisioned_concurrency);
  s.memory_bytes->Set(p.memory_gb * 1024.0 * 1024.0 * 1024.0);
  s.SetBudget(state.config.budget_usd_per_million);
  s.SetAwsRecord(p.platform == "lambda", state.config.kind == TargetKind::kLambda);
  s.SetInfo(TargetInfo{p.platform, p.spec.instance_type, p.spec.region, p.architecture,
                       std::string(Name(p.spec.model)), std::string(Name(p.spec.price_basis))});
}

std::vector<std::string> Service::Impl::Apply(const Config& config) {
  // Reloads are serialised with each other and with Stop() by apply_mu_; mu_ is taken only to
  // check and to swap state, so that views, ticks (and with them /metrics) go on while a reload
  // prepares files and drains the targets it stops.
  std::lock_guard apply_lock(apply_mu_);
  std::vector<std::string> refused;
  {
    std::lock_guard lock(mu_);
    // A reload after shutdown began (POST /-/reload while SIGTERM drains) must not start load on
    // the stopped engine: nothing would stop it again, and it would outlive its recorders. Stop()
    // waits for apply_mu_, so stopped_ cannot change before this reload ends.
    if (stopped_) return {"the service is shutting down; reload refused"};
    refused = MetricsChangeErrors(metrics_, config.metrics);
  }
  // 1. Prepare everything that can fail, without touching the running state.
  std::vector<PreparedTarget> prepared;
  std::vector<std::string> errors = refused;
  if (errors.empty()) {
    // targets_ and their files as they are: only Apply changes them, and apply_mu_ is held.
    auto file_is_open = [this](const TargetConfig& target) {
      auto it = targets_.find(target.name);
      return it != targets_.end() && it->second->config.csv == target.csv;
    };
    errors = PrepareTargets(config, pool_, options_.own_descriptors, file_is_open, &prepared);
  }
  if (!errors.empty()) {
    prepared.clear();
    ReleaseCredentials();
    RecordReloadFailure();
    return errors;
  }
  // 2. Drain the targets the new config removes or restarts (up to kReloadDrain each).
  const std::vector<Retiring> retiring = BeginRetiring(prepared);
  Drain(retiring);
  // 3. Commit. Removed targets' states (their series) go after the lock is released.
  std::vector<std::unique_ptr<TargetState>> removed;
  Commit(config, prepared, retiring, &removed);
  removed.clear();
  prepared.clear();
  ReleaseCredentials();
  return {};
}

std::vector<Retiring> Service::Impl::BeginRetiring(const std::vector<PreparedTarget>& prepared) {
  std::map<std::string_view, const PreparedTarget*> next;
  for (const PreparedTarget& p : prepared) next.emplace(p.config.name, &p);
  std::vector<Retiring> retiring;
  std::lock_guard lock(mu_);
  for (auto& [name, state] : targets_) {
    auto it = next.find(name);
    const PreparedTarget* p = it == next.end() ? nullptr : it->second;
    if (p != nullptr && LoadFingerprint(p->config) == state->fingerprint) continue;
    // A changed file name changes the fingerprint: only removed and restarted targets close one.
    const bool close_csv = p == nullptr || p->csv != nullptr || p->config.csv.empty();
    // The id leaves the state now: a tick no longer pauses a target that is being removed.
    retiring.push_back(Retiring{state.get(), std::exchange(state->id, std::nullopt), p == nullptr,
                                close_csv && state->csv != nullptr});
  }
  return retiring;
}

void Service::Impl::Drain(const std::vector<Retiring>& retiring) {
  for (const Retiring& r : retiring) {
    TargetState& state = *r.state;
    if (r.id) {
      Log(LogLevel::kInfo, "draining target for the reload",
          {{"target", state.config.name}, {"drain", FormatDuration(kReloadDrain)}});
      engine_->Remove(*r.id, kReloadDrain);
      // The worker no longer calls the recorders: publish what they still hold.
      state.stats_recorder->Flush(Clock::now(), 0);
    }
    if (r.close_csv) {
      state.csv->Close();
    } else if (state.csv) {
      state.csv->Flush();
    }
  }
}

void Service::Impl::Commit(const Config& config, std::vector<PreparedTarget>& prepared,
                           const std::vector<Retiring>& retiring,
                           std::vector<std::unique_ptr<TargetState>>* removed) {
  std::lock_guard lock(mu_);
  if (!metrics_) metrics_ = config.metrics;
  families_.latency_buckets = metrics_->latency_buckets;
  summaries_.SetEnabled(metrics_->quantiles);
  if (!engine_) {
    engine_threads_ = std::max(1, config.threads);
    engine_ = std::make_unique<loadgen::Engine>(loadgen::EngineOptions{
        .threads = engine_threads_,
        .on_warning = [](const std::string& warning) { Log(LogLevel::kError, warning); }});
  } else if (config.threads != engine_threads_) {
    Log(LogLevel::kWarn, "a change of threads takes effect at restart",
        {{"running", std::to_string(engine_threads_)},
         {"configured", std::to_string(config.threads)}});
  }
  const bool window_changed = config.window != window_;
  window_ = config.window;
  if (config.secrets != secrets_) {
    for (auto& [name, state] : targets_) state->view_config_stale = true;  // the redacted URL
  }
  secrets_ = config.secrets;
  SetLogSecrets(secrets_);
  for (const Retiring& r : retiring) {
    if (r.close_csv) CountClosedCsv(*r.state);
    if (!r.removed) continue;
    const std::string name = r.state->config.name;
    summaries_.Remove(name);
    Log(LogLevel::kInfo, "target removed", {{"target", name}});
    auto it = targets_.find(name);
    removed->push_back(std::move(it->second));
    targets_.erase(it);
  }
  const auto now = Clock::now();
  for (PreparedTarget& p : prepared) {
    TargetConfig target = p.config;
    target.request.payloads = p.payloads;
    auto it = targets_.find(target.name);
    if (it == targets_.end()) {
      AddTarget(std::move(target), p, now);
    } else {
      ReconfigureTarget(*it->second, std::move(target), p, window_changed);
    }
  }
  reload_ok_->Set(1);
  reload_ts_->Set(
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
}

void Service::Impl::AddTarget(TargetConfig target, PreparedTarget& p, Clock::time_point now) {
  auto state = std::make_unique<TargetState>();
  state->fingerprint = LoadFingerprint(target);
  state->pricing = p.pricing;
  const HistogramBounds& bounds = BoundsFor(families_.latency_buckets);
  state->stats = std::make_unique<loadgen::TargetStats>(
      MakeStatsOptions(target.name, window_, options_.tick, options_.time_scale, bounds));
  state->stats_recorder = std::make_unique<loadgen::StatsRecorder>(state->stats.get());
  state->baseline = EmptyInterval(bounds);
  state->csv = std::move(p.csv);
  if (state->csv) {
    state->tee =
        std::make_unique<loadgen::TeeRecorder>(state->stats_recorder.get(), state->csv.get());
  }
  state->series = std::make_unique<TargetSeries>(families_, target.name);
  state->last_tick = now;
  state->view.name = target.name;
  state->config = std::move(target);
  state->refresher = std::move(p.refresher);
  state->refresh_failures_seen = state->refresher ? state->refresher->RefreshFailures() : 0;
  SetPrices(*state);
  StartLoad(*state);
  Log(LogLevel::kInfo, "target started",
      {{"target", state->config.name}, {"url", Redact(state->config.request.url, secrets_)}});
  std::string name = state->config.name;
  targets_.emplace(std::move(name), std::move(state));
}

void Service::Impl::ReconfigureTarget(TargetState& state, TargetConfig target, PreparedTarget& p,
                                      bool window_changed) {
  const std::string fingerprint = LoadFingerprint(target);
  const bool restart = fingerprint != state.fingerprint;
  const bool limit_raised =
      !target.spend_limit_usd || *target.spend_limit_usd > state.ledger.test_spend_usd;
  // A target stopped by its spend limit is not started again by a restart: started and then
  // paused, its first requests would already be on the wire.
  const bool stay_stopped = state.ledger.spend_limited && !limit_raised;
  // A restart was drained (Drain), and a file it replaces or drops closed and counted (Commit).
  if (p.csv) {
    state.csv = std::move(p.csv);
  } else if (target.csv.empty()) {
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
  state.config = std::move(target);
  state.pricing = p.pricing;
  state.fingerprint = fingerprint;
  if (state.refresher != p.refresher) {
    state.refresher = std::move(p.refresher);
    state.refresh_failures_seen = state.refresher ? state.refresher->RefreshFailures() : 0;
  }
  SetPrices(state);
  const std::string& name = state.config.name;
  if (restart && !stay_stopped) {
    StartLoad(state);
    Log(LogLevel::kInfo, "target load restarted with its new definition", {{"target", name}});
  }
  if (state.ledger.spend_limited && limit_raised) {
    state.ledger.spend_limited = false;
    if (state.id) {
      engine_->SetPaused(*state.id, false);
    } else {
      StartLoad(state);
    }
    Log(LogLevel::kInfo, "spend limit raised; load resumed", {{"target", name}});
  }
}

void Service::Impl::Stop() {
  if (updater_.joinable()) {
    updater_.request_stop();
    sleep_cv_.notify_all();
    updater_.join();
  }
  // After a reload in progress: it ends with its targets running, and this stops them.
  std::lock_guard apply_lock(apply_mu_);
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    if (!engine_) return;
    for (auto& [name, state] : targets_) state->id.reset();
  }
  // The drain (up to options_.drain) without mu_: the page and the API answer meanwhile.
  engine_->Stop(options_.drain);
  std::lock_guard lock(mu_);
  const auto now = Clock::now();
  for (auto& [name, state] : targets_) {
    state->stats_recorder->Flush(now, 0);
    CloseCsv(*state);
  }
}

void Service::Impl::WriteCsvErrors(TargetState& state) {
  if (!state.csv) return;
  const uint64_t errors = state.csv->write_errors();
  state.series->csv_write_errors->Increment(CounterDelta(errors, state.csv_errors_seen));
  state.csv_errors_seen = std::max(errors, state.csv_errors_seen);
  if (errors > 0 && !state.csv_error_logged) {
    state.csv_error_logged = true;
    Log(LogLevel::kError, "CSV rows lost: the file cannot be written",
        {{"target", state.config.name}, {"error", state.csv->file_error()}});
  }
}

void Service::Impl::WriteCredentials(TargetState& state) {
  TargetSeries& s = *state.series;
  if (!state.refresher) {
    s.SetCredentialsExpiry(std::nullopt);
    return;
  }
  const uint64_t failures = state.refresher->RefreshFailures();
  s.credentials_refresh_failures->Increment(CounterDelta(failures, state.refresh_failures_seen));
  state.refresh_failures_seen = std::max(failures, state.refresh_failures_seen);
  const std::optional<aws::CredentialsRefresher::TimePoint> expiry = state.refresher->Expiry();
  s.SetCredentialsExpiry(
      expiry
          ? std::optional<double>(std::chrono::duration<double>(expiry->time_since_epoch()).count())
          : std::nullopt);
}

void Service::Impl::UpdateTarget(TargetState& state, Clock::time_point now,
                                 double worker_cpu_share) {
  loadgen::StatsSnapshot& snap = state.snapshot;
  state.stats->Snapshot(now, &snap);
  FigureInputs in;
  in.snapshot = &snap;
  in.previous_total = &state.baseline;
  in.pricing = &state.pricing;
  in.settings = FigureSettings{window_, options_.tick, options_.time_scale, state.config.slo_p95,
                               state.config.spend_limit_usd};
  in.since_last_tick_seconds = Seconds(now - state.last_tick);
  in.worker_cpu_share = worker_cpu_share;
  state.last_tick = now;
  TargetFigures figures = ComputeTargetFigures(in, &state.ledger);
  state.series->AddCounts(snap.total, state.baseline, options_.time_scale);
  WriteFigures(state, figures);
  WriteCredentials(state);
  WriteCsvErrors(state);
  LogAbsentCost(state, figures);
  if (figures.spend_limit_reached) StopAtSpendLimit(state);
  if (state.view_config_stale) {
    state.view.url = Redact(state.config.request.url, secrets_);
    state.view.kind = std::string(Name(state.config.kind));
    state.view.platform = state.pricing.platform;
    state.view.pricing_model = std::string(Name(state.pricing.spec.model));
    state.view.instance_type = state.pricing.spec.instance_type;
    state.view.pricing = state.pricing;
    state.view.budget_usd_per_million = state.config.budget_usd_per_million;
    state.view.spend_limit_usd = state.config.spend_limit_usd;
    state.view_config_stale = false;
  }
  state.view.figures = std::move(figures);
  // The totals become the baseline; the old baseline's buffers take the next snapshot's totals.
  std::swap(state.baseline, snap.total);
}

void Service::Impl::WriteFigures(TargetState& state, const TargetFigures& f) {
  LatencySummaries::Values summary;
  for (std::size_t i = 0; i < kQuantiles.size(); ++i) {
    summary.quantile_seconds[i] = f.latency_quantiles_seconds[i].value_or(NAN);
  }
  summary.count = f.requests_total;
  summary.sum_seconds = f.latency_sum_seconds;
  if (state.summary == nullptr) state.summary = summaries_.Entry(state.config.name);
  summaries_.Set(state.summary, summary);
  state.series->SetFigures(f, state.pricing.spec);
}

void Service::Impl::LogAbsentCost(TargetState& state, const TargetFigures& f) {
  if (f.usd_per_million_observed) {
    state.logged_absent_reason.clear();
    return;
  }
  // Logged once per reason, and only when requests were sent (an idle window says nothing).
  if (f.window_requests > 0 && state.logged_absent_reason != f.cost_note) {
    Log(LogLevel::kInfo, "cost per 1M inferences is absent",
        {{"target", state.config.name}, {"reason", f.cost_note}});
    state.logged_absent_reason = f.cost_note;
  }
}

void Service::Impl::StopAtSpendLimit(TargetState& state) {
  if (state.id) engine_->SetPaused(*state.id, true);
  Log(LogLevel::kWarn, "spend limit reached; load stopped",
      {{"target", state.config.name},
       {"spend_usd", std::to_string(state.ledger.test_spend_usd)},
       {"spend_limit_usd", std::to_string(state.config.spend_limit_usd.value_or(0))}});
}

void Service::Impl::Tick(bool strict) {
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
    // One tick's figures reach a scrape whole: the serialization waits for the last target.
    exposition_.Change(
        [&] {
          for (auto& [name, state] : targets_) {
            UpdateTarget(*state, now, worker_cpu_share);
          }
        },
        strict);
  }
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
    impl_->SeriesChanged();
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

}  // namespace infercost
