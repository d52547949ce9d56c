#include "tune/tune_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <tuple>

#include "sweep/analysis.h"
#include "sweep/report_document.h"
#include "sweep/svg_chart.h"

namespace infercost {
namespace {

constexpr double kSecondsPerMonth = kHoursPerMonth * 3600;

double Ms(std::chrono::nanoseconds d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

// The nearest-rank quantile of sorted `x` and its distribution-free 95 % interval (the ranks
// n·q ± 1.96·sqrt(n·q·(1-q)), from the binomial count of samples below the true quantile).
void Quantile(const std::vector<double>& x, double q, double* value, double* low, double* high) {
  const double n = static_cast<double>(x.size());
  auto at = [&](double rank) {
    const auto i = static_cast<std::size_t>(std::clamp(rank, 1.0, n)) - 1;
    return x[i];
  };
  const double spread = 1.96 * std::sqrt(n * q * (1 - q));
  *value = at(std::ceil(n * q));
  *low = at(std::floor(n * q - spread));
  *high = at(std::ceil(n * q + spread) + 1);
}

std::string Usd(double usd) { return "$" + FormatNumber(usd, 3); }

std::string Size(int memory_mb) { return std::to_string(memory_mb) + " MB"; }

// The run of the target's function at its configured size, on demand.
const SizeFigures* Configured(const TuneAnalysis& a) {
  for (const SizeFigures& s : a.sizes) {
    if (s.function == 0 && s.provisioned == 0 && s.memory_mb == a.original_memory_mb) return &s;
  }
  return nullptr;
}

std::optional<std::size_t> BestFor(const TuneAnalysis& a, TuneStrategy strategy) {
  switch (strategy) {
    case TuneStrategy::kCost:
      return a.best_cost;
    case TuneStrategy::kSpeed:
      return a.best_speed;
    case TuneStrategy::kBalanced:
      break;
  }
  return a.best_balanced;
}

std::string RecommendationSentence(const TuneAnalysis& a) {
  const std::optional<std::size_t> best = BestFor(a, a.strategy);
  if (!best) return "No memory size was measured: nothing to recommend.";
  const SizeFigures& s = a.sizes[*best];
  std::string out =
      "**Run " + (a.functions.size() > 1 ? a.functions[s.function].name : "the function") + " at " +
      RunLabel(a, s) + "** (strategy " + std::string(StrategyName(a.strategy)) +
      "): " + Usd(s.usd_per_million) + " per 1M invocations, " + FormatNumber(s.p50_ms, 3) +
      " ms billed at p50 (p95 " + FormatNumber(s.p95_ms, 3) + " ms).";
  const SizeFigures* configured = Configured(a);
  if (configured == nullptr) {
    return out + " The configured size (" + Size(a.original_memory_mb) +
           ") was not among the sizes measured, so there is no saving to state.";
  }
  if (configured == &s) return out + " That is the size it is configured with already.";
  const double saved = configured->usd_per_million - s.usd_per_million;
  const double faster = configured->p50_ms - s.p50_ms;
  out += " Against the configured " + Size(a.original_memory_mb) +
         (a.functions.size() > 1 ? " " + a.functions[0].architecture : "") + " (" +
         Usd(configured->usd_per_million) + " per 1M, " + FormatNumber(configured->p50_ms, 3) +
         " ms) it " + (saved >= 0 ? "saves " : "costs ") + Usd(std::fabs(saved)) + " per 1M (" +
         FormatPercent(std::fabs(saved) / configured->usd_per_million) + ")" +
         (saved >= 0 ? "" : " more") + " and is " + FormatNumber(std::fabs(faster), 3) + " ms " +
         (faster >= 0 ? "faster" : "slower");
  if (a.traffic_rps) {
    const double monthly = saved * *a.traffic_rps * kSecondsPerMonth / 1e6;
    out += "; at " + FormatNumber(*a.traffic_rps, 3) + " req/s that is " + Usd(std::fabs(monthly)) +
           (monthly >= 0 ? " a month saved" : " a month more");
  }
  return out + ".";
}

}  // namespace

std::string RunLabel(const TuneAnalysis& a, const SizeFigures& s) {
  std::string label = Size(s.memory_mb);
  if (a.functions.size() > 1) label += " " + s.architecture;
  if (s.provisioned > 0) label += " provisioned " + std::to_string(s.provisioned);
  return label;
}

std::string SeriesLabel(const TuneAnalysis& a, const SizeFigures& s) {
  std::string label = s.function < a.functions.size()
                          ? a.functions[s.function].name + " (" + s.architecture + ")"
                          : s.architecture;
  return label + (s.provisioned > 0 ? ", provisioned " + std::to_string(s.provisioned) : "");
}

void PriceProvisioned(const SizeFigures& on_demand, const ArchitecturePrices& prices,
                      double traffic_rps, SizeFigures* p) {
  // The environments carry `carried_rps` at most (count / mean billed duration); traffic beyond
  // that runs on demand at the on-demand run's price.
  const double fixed_per_second =
      ProvisionedUsd(prices, p->provisioned, p->memory_mb, kSecondsPerMonth) / kSecondsPerMonth;
  const double carried_rps = p->provisioned / std::max(1e-9, p->mean_billed_ms / 1000);
  const double provisioned_each = p->usd_per_invocation,
               on_demand_each = on_demand.usd_per_invocation;
  if (traffic_rps > 0) {
    const double carried = std::min(traffic_rps, carried_rps);
    p->provisioned_usd_per_million = fixed_per_second / traffic_rps * 1e6;
    p->usd_per_million =
        p->provisioned_usd_per_million +
        (carried * provisioned_each + (traffic_rps - carried) * on_demand_each) / traffic_rps * 1e6;
    p->usd_per_invocation = p->usd_per_million / 1e6;
  }
  // Each carried invocation saves the difference of the two duration prices; the fixed charge
  // is paid back above this traffic, if the environments can carry that much.
  const double saved_each = on_demand_each - provisioned_each;
  if (saved_each > 0 && fixed_per_second / saved_each <= carried_rps) {
    p->pays_off_rps = fixed_per_second / saved_each;
  }
}

SizeFigures FigureSize(const SizeRun& size, const std::string& architecture,
                       const TunePrices& prices) {
  const ArchitecturePrices& arch = prices.For(architecture);
  const ResolvedPricing& pricing = size.provisioned > 0 ? arch.provisioned : arch.on_demand;
  SizeFigures f;
  f.memory_mb = size.memory_mb;
  f.function = size.function;
  f.architecture = architecture;
  f.provisioned = size.provisioned;
  f.provisioned_seconds = size.provisioned_seconds;
  f.provisioned_usd = size.provisioned_usd;
  f.version = size.version;
  f.measured = static_cast<int>(size.warm.size());
  f.failed = size.failed;
  for (const TunedInvocation& inv : size.warmup) {
    if (inv.report.init_duration)
      f.init_ms = std::max(f.init_ms.value_or(0), Ms(*inv.report.init_duration));
  }
  if (size.warm.empty()) return f;
  std::vector<double> billed;
  double duration_usd = 0;
  for (const TunedInvocation& inv : size.warm) {
    billed.push_back(Ms(inv.report.billed_duration));
    duration_usd += InvocationUsd(pricing, inv.report.memory_size_mb, inv.report.billed_duration) -
                    pricing.usd_per_request;
    f.max_memory_used_mb = std::max(f.max_memory_used_mb, inv.report.max_memory_used_mb);
  }
  std::sort(billed.begin(), billed.end());
  Quantile(billed, 0.5, &f.p50_ms, &f.p50_low_ms, &f.p50_high_ms);
  Quantile(billed, 0.95, &f.p95_ms, &f.p95_low_ms, &f.p95_high_ms);
  double sum = 0;
  for (double b : billed) sum += b;
  f.mean_billed_ms = sum / static_cast<double>(billed.size());
  f.request_usd_per_million = pricing.function_usd_per_request * 1e6;
  f.gateway_usd_per_million = pricing.gateway_usd_per_request * 1e6;
  f.duration_usd_per_million = duration_usd / static_cast<double>(size.warm.size()) * 1e6;
  f.usd_per_million =
      f.request_usd_per_million + f.gateway_usd_per_million + f.duration_usd_per_million;
  f.usd_per_invocation = f.usd_per_million / 1e6;
  return f;
}

double BreakEvenRps(double instance_usd_per_hour, double usd_per_invocation) {
  return instance_usd_per_hour * kHoursPerMonth / (usd_per_invocation * kSecondsPerMonth);
}

TuneAnalysis AnalyzeTune(const TuneRun& run, const TunePrices& prices, TuneStrategy strategy,
                         double balanced_weight, std::optional<double> traffic_rps,
                         std::vector<InstanceOption> instances) {
  TuneAnalysis a;
  a.strategy = strategy;
  a.balanced_weight = balanced_weight;
  a.functions = run.functions;
  a.original_memory_mb = run.functions.empty() ? 0 : run.functions.front().original_memory_mb;
  a.traffic_rps = traffic_rps;
  a.instances = std::move(instances);
  for (const SizeRun& size : run.sizes) {
    a.provisioned = a.provisioned || size.provisioned > 0;
    if (size.warm.empty()) continue;
    a.sizes.push_back(FigureSize(size, run.functions[size.function].architecture, prices));
  }
  std::sort(a.sizes.begin(), a.sizes.end(), [](const SizeFigures& x, const SizeFigures& y) {
    return std::tie(x.memory_mb, x.function, x.provisioned) <
           std::tie(y.memory_mb, y.function, y.provisioned);
  });
  for (SizeFigures& p : a.sizes) {
    if (p.provisioned == 0) continue;
    for (const SizeFigures& d : a.sizes) {
      if (d.provisioned == 0 && d.function == p.function && d.memory_mb == p.memory_mb) {
        PriceProvisioned(d, prices.For(p.architecture), traffic_rps.value_or(0), &p);
      }
    }
  }
  double max_cost = 0, max_ms = 0;
  for (const SizeFigures& s : a.sizes) {
    max_cost = std::max(max_cost, s.usd_per_invocation);
    max_ms = std::max(max_ms, s.mean_billed_ms);
  }
  double best_score = 0;
  for (std::size_t i = 0; i < a.sizes.size(); ++i) {
    const SizeFigures& s = a.sizes[i];
    if (!a.best_cost || s.usd_per_invocation < a.sizes[*a.best_cost].usd_per_invocation) {
      a.best_cost = i;
    }
    if (!a.best_speed || s.mean_billed_ms < a.sizes[*a.best_speed].mean_billed_ms ||
        (s.mean_billed_ms == a.sizes[*a.best_speed].mean_billed_ms &&
         s.usd_per_invocation < a.sizes[*a.best_speed].usd_per_invocation)) {
      a.best_speed = i;
    }
    const double score = balanced_weight * s.usd_per_invocation / max_cost +
                         (1 - balanced_weight) * s.mean_billed_ms / max_ms;
    if (!a.best_balanced || score < best_score) {
      a.best_balanced = i;
      best_score = score;
    }
  }
  a.sentence = RecommendationSentence(a);
  return a;
}

namespace {

// When provisioned concurrency pays off, per size, and what the runs' own configured time cost.
void ProvisionedSection(const TuneAnalysis& a, Document& doc) {
  doc.Heading(2, "Provisioned concurrency");
  std::vector<std::vector<std::string>> rows;
  for (const SizeFigures& s : a.sizes) {
    if (s.provisioned == 0) continue;
    rows.push_back({RunLabel(a, s), FormatNumber(s.provisioned_seconds, 4),
                    FormatPrice(s.provisioned_usd), Usd(s.provisioned_usd_per_million),
                    s.pays_off_rps ? FormatNumber(*s.pays_off_rps, 3) + " req/s" : "never"});
  }
  doc.Table(
      {"run", "configured s", "charge during the run", "per 1M at your traffic", "pays off above"},
      {false, true, true, true, true}, rows);
  doc.Paragraph(
      "Per 1M at your traffic: a month of the configured environments at the provisioned "
      "GB-s price, over a month of invocations at " +
      (a.traffic_rps ? FormatNumber(*a.traffic_rps, 3) : std::string("?")) +
      " req/s; the invocations the environments carry (at most their count / mean billed "
      "duration) pay the lower provisioned duration price (the `duration /1M` column), the rest "
      "the on-demand price (in `total /1M` only). It "
      "pays off "
      "above the traffic where the duration it saves covers the fixed charge, as long as the "
      "environments carry all of it (traffic × billed duration at most their count); "
      "'never' when they cannot.");
}

Document TuneDocument(const TuneAnalysis& a, const TuneReportFacts& facts) {
  Document doc;
  doc.Heading(1, "infercost tune: " + facts.target);
  doc.Paragraph(a.sentence);
  if (!facts.run_note.empty()) doc.Paragraph(facts.run_note);
  doc.Heading(2, "Per memory size");
  if (a.functions.size() > 1) {
    std::vector<std::string> functions;
    for (const TunedFunction& f : a.functions) {
      functions.push_back("`" + f.name + "`: " + f.architecture +
                          " (Architectures from GetFunctionConfiguration), configured at " +
                          Size(f.original_memory_mb));
    }
    doc.List(functions);
  }
  std::vector<std::vector<std::string>> rows;
  for (const SizeFigures& s : a.sizes) {
    rows.push_back({RunLabel(a, s), s.version, std::to_string(s.measured), std::to_string(s.failed),
                    FormatNumber(s.p50_ms, 4) + " [" + FormatNumber(s.p50_low_ms, 4) + ", " +
                        FormatNumber(s.p50_high_ms, 4) + "]",
                    FormatNumber(s.p95_ms, 4) + " [" + FormatNumber(s.p95_low_ms, 4) + ", " +
                        FormatNumber(s.p95_high_ms, 4) + "]",
                    Usd(s.request_usd_per_million), Usd(s.duration_usd_per_million),
                    Usd(s.gateway_usd_per_million), "**" + Usd(s.usd_per_million) + "**",
                    FormatPrice(s.usd_per_invocation),
                    s.init_ms ? FormatNumber(*s.init_ms, 4) : "-",
                    std::to_string(s.max_memory_used_mb)});
    if (a.provisioned) {
      rows.back().insert(rows.back().begin() + 9,
                         s.provisioned > 0 ? Usd(s.provisioned_usd_per_million) : "-");
    }
  }
  std::vector<std::string> header = {"run",
                                     "version",
                                     "measured",
                                     "failed",
                                     "p50 billed ms [95 %]",
                                     "p95 billed ms [95 %]",
                                     "requests /1M",
                                     "duration /1M",
                                     "gateway /1M",
                                     "total /1M",
                                     "per invocation",
                                     "init ms",
                                     "max memory used MB"};
  std::vector<bool> right(header.size(), true);
  right[0] = right[1] = false;
  if (a.provisioned) {
    header.insert(header.begin() + 9, "provisioned /1M");
    right.push_back(true);
  }
  doc.Table(header, right, rows);
  if (a.provisioned) ProvisionedSection(a, doc);
  doc.Heading(2, "Best size per strategy");
  std::vector<std::string> best;
  for (TuneStrategy s : {TuneStrategy::kCost, TuneStrategy::kSpeed, TuneStrategy::kBalanced}) {
    const std::optional<std::size_t> i = BestFor(a, s);
    if (!i) continue;
    std::string rule = s == TuneStrategy::kCost ? "lowest cost per invocation"
                       : s == TuneStrategy::kSpeed
                           ? "lowest mean billed duration"
                           : "lowest " + FormatNumber(a.balanced_weight, 2) +
                                 " × cost / max cost + " + FormatNumber(1 - a.balanced_weight, 2) +
                                 " × duration / max duration";
    best.push_back(
        "`" + std::string(StrategyName(s)) + "`: **" + RunLabel(a, a.sizes[*i]) + "**" +
        (a.functions.size() > 1 ? " (" + a.functions[a.sizes[*i].function].name + ")" : "") + " (" +
        rule + ")");
  }
  doc.List(best);
  doc.Figure("power_tuning.svg", "cost per 1M and billed duration against memory");
  if (a.traffic_rps && BestFor(a, a.strategy)) {
    doc.Heading(2, "Against the instances at " + FormatNumber(*a.traffic_rps, 3) + " req/s");
    const SizeFigures& s = a.sizes[*BestFor(a, a.strategy)];
    std::vector<std::vector<std::string>> money = {
        {"lambda at " + Size(s.memory_mb),
         Usd(s.usd_per_invocation * *a.traffic_rps * kSecondsPerMonth), "-"}};
    for (const InstanceOption& i : a.instances) {
      money.push_back(
          {i.name, Usd(i.usd_per_hour * kHoursPerMonth),
           FormatNumber(BreakEvenRps(i.usd_per_hour, s.usd_per_invocation), 3) + " req/s"});
    }
    doc.Table({"option", "per month", "break-even (instance cheaper above)"}, {false, true, true},
              money);
    doc.Paragraph(
        "Instances at their configured count and list price, assumed to carry the "
        "traffic; `infercost sweep` measures how much each can carry.");
    doc.Figure("monthly_cost.svg", "monthly cost against traffic");
  }
  doc.Heading(2, "Method");
  doc.List(
      {"Each size: UpdateFunctionConfiguration, LastUpdateStatus polled until Successful, "
       "PublishVersion; one unmeasured warm-up per client, then the measured invocations "
       "of that version. An invocation counts only when X-Amz-Executed-Version is that "
       "version and its REPORT line's Memory Size is that size.",
       "Cost per invocation from each REPORT line: request fee + gateway fee + duration "
       "price × memory (GB) × Billed Duration.",
       "Intervals: distribution-free 95 % intervals of the order statistics.",
       "Command: `" + facts.command_line + "`"});
  return doc;
}

}  // namespace

std::string TuneMarkdown(const TuneAnalysis& a, const TuneReportFacts& facts) {
  return ToMarkdown(TuneDocument(a, facts));
}

std::string TuneCsv(const TuneAnalysis& a) {
  std::string out =
      "memory_mb,version,measured,failed,p50_billed_ms,p50_low_ms,p50_high_ms,p95_billed_ms,"
      "p95_low_ms,p95_high_ms,mean_billed_ms,request_usd_per_million,duration_usd_per_million,"
      "gateway_usd_per_million,usd_per_million,usd_per_invocation,init_ms,max_memory_used_mb,"
      "function,architecture,provisioned,provisioned_seconds,provisioned_usd,"
      "provisioned_usd_per_million,provisioned_pays_off_rps\n";
  char line[512];
  for (const SizeFigures& s : a.sizes) {
    std::snprintf(
        line, sizeof line,
        "%d,%s,%d,%d,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.3f,%.6f,%.6f,%.6f,%.6f,%.10f,%s,%d\n",
        s.memory_mb, s.version.c_str(), s.measured, s.failed, s.p50_ms, s.p50_low_ms, s.p50_high_ms,
        s.p95_ms, s.p95_low_ms, s.p95_high_ms, s.mean_billed_ms, s.request_usd_per_million,
        s.duration_usd_per_million, s.gateway_usd_per_million, s.usd_per_million,
        s.usd_per_invocation, s.init_ms ? std::to_string(*s.init_ms).c_str() : "",
        s.max_memory_used_mb);
    out += line;
    out.pop_back();  // the newline: the columns of the axes follow
    std::snprintf(line, sizeof line, ",%s,%s,%d,%.6f,%.12f,%.6f,%s\n",
                  s.function < a.functions.size() ? a.functions[s.function].name.c_str() : "",
                  s.architecture.c_str(), s.provisioned, s.provisioned_seconds, s.provisioned_usd,
                  s.provisioned_usd_per_million,
                  s.pays_off_rps ? std::to_string(*s.pays_off_rps).c_str() : "");
    out += line;
  }
  return out;
}

std::string TuneMonthlyChart(const TuneAnalysis& a) {
  const std::optional<std::size_t> best = BestFor(a, a.strategy);
  if (!a.traffic_rps || !best) return "";
  const SizeFigures& s = a.sizes[*best];
  double max_rps = *a.traffic_rps * 2;
  for (const InstanceOption& i : a.instances) {
    max_rps = std::max(max_rps, BreakEvenRps(i.usd_per_hour, s.usd_per_invocation) * 1.25);
  }
  AxisSpec x_axis, y_axis;
  x_axis.title = "average traffic (requests/s)";
  y_axis.title = "cost per month (USD)";
  SvgChart chart("Monthly cost: the tuned Lambda beside the instances", x_axis, y_axis);
  chart.SetId("monthly");
  auto add_line = [&](std::string name, double y0, double y1, int style, bool dashed) {
    ChartSeries series;
    series.name = std::move(name);
    ChartPoint from, to;
    from.y = y0;
    to.x = max_rps;
    to.y = y1;
    series.points = {from, to};
    series.style = style;
    series.markers = false;
    series.dashed = dashed;
    chart.AddSeries(std::move(series));
  };
  auto lambda_line = [&](const SizeFigures& f, int style) {
    const double per_rps = f.usd_per_invocation * kSecondsPerMonth;
    add_line("lambda " + RunLabel(a, f), 0, per_rps * max_rps, style, false);
  };
  lambda_line(s, 0);
  if (const SizeFigures* configured = Configured(a); configured != nullptr && configured != &s) {
    lambda_line(*configured, 1);
  }
  int style = 2;
  for (const InstanceOption& i : a.instances) {
    const double monthly = i.usd_per_hour * kHoursPerMonth;
    add_line(i.name, monthly, monthly, style++, true);
    const double rps = BreakEvenRps(i.usd_per_hour, s.usd_per_invocation);
    chart.Annotate({.x = rps, .y = monthly, .label = FormatNumber(rps, 3) + " req/s"});
  }
  chart.AddLine({.vertical = true, .value = *a.traffic_rps, .label = "your traffic"});
  return chart.Render();
}

std::string WriteTuneReport(const TuneAnalysis& a, const TuneReportFacts& facts,
                            const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return "cannot create " + dir + ": " + ec.message();
  std::vector<std::pair<std::string, std::string>> charts = {
      {"power_tuning.svg", PowerTuningChart(a)}};
  if (std::string monthly = TuneMonthlyChart(a); !monthly.empty()) {
    charts.emplace_back("monthly_cost.svg", std::move(monthly));
  }
  const std::string markdown = TuneMarkdown(a, facts);
  std::vector<std::pair<std::string, std::string>> files = charts;
  files.emplace_back("report.md", markdown);
  files.emplace_back("results.csv", TuneCsv(a));
  files.emplace_back("index.html", ToHtml(TuneDocument(a, facts), charts, "infercost tune report"));
  for (const auto& [name, text] : files) {
    std::ofstream out(std::filesystem::path(dir) / name, std::ios::trunc);
    out << text;
    if (!out) return "cannot write " + dir + "/" + name;
  }
  return "";
}

}  // namespace infercost
