// report.md, index.html and results.csv. Both documents come from one list of blocks, so the
// Markdown a person reads in a terminal and the page in a browser never say different things.
#include "sweep/report.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <utility>

#include "common/duration.h"
#include "sweep/plan.h"
#include "sweep/report_document.h"
#include "sweep/svg_chart.h"

namespace infercost {
namespace {

// --- figures as text -----------------------------------------------------------------------------

std::string WithInterval(const Estimate& e, const std::function<std::string(double)>& format) {
  if (e.low == e.value && e.high == e.value) return format(e.value);
  return format(e.value) + " (" + format(e.low) + "–" + format(e.high) + ")";
}

std::string Ips(const Estimate& e) {
  return WithInterval(e, [](double v) { return FormatNumber(v); });
}
std::string Ms(const Estimate& e) {
  return WithInterval(e, [](double v) { return FormatNumber(v * 1000); });
}
std::string Usd(const std::optional<Estimate>& e) {
  if (!e) return "n/a";
  return WithInterval(*e, [](double v) { return FormatUsd(v); });
}

// A span a person reads: "0.5 s", "30 s", "4m05s", "1h02m".
std::string Seconds(double seconds) {
  char buffer[48];
  if (seconds < 10) {
    std::snprintf(buffer, sizeof buffer, "%.3g s", seconds);
  } else if (seconds < 60) {
    std::snprintf(buffer, sizeof buffer, "%.0f s", seconds);
  } else if (seconds < 3600) {
    const long total = std::lround(seconds);
    std::snprintf(buffer, sizeof buffer, "%ldm%02lds", total / 60, total % 60);
  } else {
    const long minutes = std::lround(seconds / 60);
    std::snprintf(buffer, sizeof buffer, "%ldh%02ldm", minutes / 60, minutes % 60);
  }
  return buffer;
}

std::string Errors(const StepResult& step) {
  if (step.requests == step.ok && step.dropped == 0) return "0";
  return FormatPercent(step.error_ratio) + " (" + DescribeFailures(step) + ")";
}

std::string PricingText(const ResolvedPricing& p) {
  std::string text;
  switch (p.spec.model) {
    case PricingModel::kInstance:
      text = (p.spec.count > 1 ? std::to_string(p.spec.count) + " x " : std::string()) +
             p.spec.instance_type + ", " + FormatPrice(p.usd_per_hour) + "/h";
      if (p.baseline_per_vcpu > 0) {
        text += std::string(", burstable (") +
                (p.spec.cpu_credits == CpuCredits::kUnlimited
                     ? "unlimited: surplus credits at " + FormatUsd(p.surplus_usd_per_vcpu_hour) +
                           " per vCPU-h"
                     : "standard credits") +
                ")";
      }
      break;
    case PricingModel::kHourly:
      text = FormatPrice(p.usd_per_hour) + "/h";
      break;
    case PricingModel::kLambda:
      text = "Lambda " + std::to_string(p.spec.memory_mb) + " MB " + p.architecture + ", " +
             FormatPrice(p.usd_per_request * 1e6) + " per 1M requests";
      if (p.spec.api_gateway != ApiGateway::kNone) {
        text += " (with API Gateway " + std::string(Name(p.spec.api_gateway)) + ")";
      }
      text += ", duration " + FormatPrice(p.usd_per_gb_second) + " per GB-s";
      if (p.spec.provisioned_concurrency > 0) {
        text += " (" + FormatPrice(p.on_demand_usd_per_gb_second) + " beyond the " +
                std::to_string(p.spec.provisioned_concurrency) + " provisioned, which cost " +
                FormatPrice(p.provisioned_usd_per_hour) + "/h)";
      }
      break;
    case PricingModel::kPerRequest:
      text = FormatPrice(p.usd_per_request * 1e6) + " per 1M requests";
      break;
    case PricingModel::kSageMaker:
      text = "SageMaker " + (p.spec.count > 1 ? std::to_string(p.spec.count) + " x " : "") +
             p.spec.instance_type + ", " + FormatPrice(p.usd_per_hour) + "/h";
      break;
    case PricingModel::kSageMakerServerless:
      text = "SageMaker Serverless " + std::to_string(p.spec.memory_mb) + " MB, duration " +
             FormatPrice(p.usd_per_gb_second) + " per GB-s, data " +
             FormatPrice(p.data_in_usd_per_gb) + " per GB in, " +
             FormatPrice(p.data_out_usd_per_gb) + " per GB out";
      break;
  }
  if (p.spec.fixed_usd_per_hour > 0) {
    text += " + fixed " + FormatPrice(p.spec.fixed_usd_per_hour) + "/h";
  }
  if (p.spec.price_basis != PriceBasis::kOnDemand) {
    text += " (" + std::string(Name(p.spec.price_basis)) + ")";
  }
  return text;
}

// Where a target's prices came from: the config, or the catalog entry with its date and source.
// The optional line items the pricing configures, at their prices.
std::string LineItemsText(const ResolvedPricing& p) {
  const PricingSpec& spec = p.spec;
  std::string text;
  auto add = [&text](const std::string& item) { text += "; " + item; };
  if (spec.load_balancer) {
    add("ALB " + FormatPrice(p.load_balancer_usd_per_hour) + "/h + LCUs " +
        FormatPrice(p.load_balancer_lcu_usd_per_request * 1e6) + " per 1M requests (" +
        FormatNumber(spec.load_balancer->bytes_per_request) + " B each)");
  }
  if (spec.public_ipv4 > 0) {
    add(std::to_string(spec.public_ipv4) + " public IPv4 " +
        FormatPrice(p.public_ipv4_usd_per_hour) + "/h");
  }
  if (spec.ebs_gb > 0) {
    add("EBS " + FormatNumber(spec.ebs_gb) + " GB " + spec.ebs_type + " per instance " +
        FormatPrice(p.ebs_usd_per_hour) + "/h");
  }
  if (spec.cloudwatch_logs_bytes_per_request) {
    add("CloudWatch Logs " + FormatPrice(p.logs_usd_per_request * 1e6) + " per 1M requests (" +
        FormatNumber(*spec.cloudwatch_logs_bytes_per_request) + " B each)");
  }
  if (spec.ephemeral_storage_mb > 0) {
    add("ephemeral storage " + std::to_string(spec.ephemeral_storage_mb) + " MB " +
        FormatPrice(p.ephemeral_storage_usd_per_second) + " per billed second");
  }
  return text;
}

// Where the configured line items' prices come from.
std::string LineItemSources(const PricingSpec& spec, const Catalog& catalog) {
  const LineItemPrices& c = catalog.line_items;
  std::string text;
  auto add = [&text](std::string_view what, const PriceProvenance& s) {
    text += "; " + std::string(what) + ": " + s.source + ", taken " + s.taken;
  };
  if (spec.load_balancer) add("ALB", c.alb);
  if (spec.public_ipv4 > 0) add("public IPv4", c.public_ipv4);
  if (spec.ebs_gb > 0) add("EBS", c.ebs);
  if (spec.cloudwatch_logs_bytes_per_request) add("CloudWatch Logs", c.cloudwatch_logs);
  if (spec.ephemeral_storage_mb > 0) add("ephemeral storage", c.lambda_ephemeral);
  return text;
}

std::string PriceSource(const ResolvedPricing& p, const Catalog& catalog) {
  switch (p.spec.model) {
    case PricingModel::kInstance: {
      if (p.spec.usd_per_hour) return "the config (usd_per_hour)";
      const auto it = catalog.instances.find(p.spec.instance_type);
      if (it == catalog.instances.end()) return "the catalog";
      return it->second.source + ", taken " + it->second.taken;
    }
    case PricingModel::kLambda: {
      std::string text = catalog.serverless.source + ", taken " + catalog.serverless.taken;
      if (p.spec.api_gateway != ApiGateway::kNone &&
          !catalog.serverless.api_gateway_source.empty()) {
        text += "; API Gateway: " + catalog.serverless.api_gateway_source + ", taken " +
                catalog.serverless.api_gateway_taken;
      }
      return text;
    }
    case PricingModel::kSageMaker: {
      if (p.spec.usd_per_hour) return "the config (usd_per_hour)";
      const auto it = catalog.sagemaker_instances.find(p.spec.instance_type);
      if (it == catalog.sagemaker_instances.end()) return "the catalog";
      return it->second.source + ", taken " + it->second.taken;
    }
    case PricingModel::kSageMakerServerless:
      return catalog.sagemaker_serverless.source + ", taken " + catalog.sagemaker_serverless.taken;
    case PricingModel::kHourly:
    case PricingModel::kPerRequest:
      return "the config";
  }
  return "the config";
}

std::string LevelsText(const SweepMethod& m) {
  std::string out;
  for (double level : m.levels) {
    if (!out.empty()) out += ", ";
    out += FormatLevel(level);
  }
  return out;
}

std::string ObjectiveText(const SweepMethod& m) {
  return m.criteria.slo_p95_s ? "objective p95 <= " + FormatMs(*m.criteria.slo_p95_s)
                              : std::string("no common latency objective");
}

// Whose word a Lambda step's duration bill is: " (billed by AWS)" when every billed duration was
// AWS's (the REPORT line or a billed-duration header), " (estimated from latency)" otherwise;
// "" for targets not billed by duration.
std::string BilledBy(const TargetSweep& t, const StepResult& s) {
  if (t.pricing.platform != "lambda") return "";
  return s.billed_estimated ? " (estimated from latency)" : " (billed by AWS)";
}

// The answer first: the recommendation, what was swept, and each target at a glance.
void AddSummary(const SweepReport& report, Document& doc) {
  const SweepMethod& m = report.method;
  const Recommendation& rec = report.recommendation;
  const std::string objective = ObjectiveText(m);
  doc.Heading(1, "infercost sweep report");
  doc.Paragraph("**Recommendation:** " + rec.sentence);
  doc.Paragraph(
      "Swept " + m.fleet + " on " + m.started_utc + " in " + Seconds(m.wall_seconds) +
      " of wall time: " + (m.axis == LoadAxis::kConcurrency ? "concurrency " : "rates (req/s) ") +
      LevelsText(m) + ", " + Seconds(m.step_seconds) + " per step after " +
      Seconds(m.warmup_seconds) + " of warm-up, " + objective + "." +
      (m.time_scale != 1
           ? " The emulator ran " + FormatNumber(m.time_scale) +
                 "x faster than real time; every time and rate below is converted back to real "
                 "time. Wall-clock overheads (loopback, the generator) are stretched too: 0.1 ms "
                 "of them reads as " +
                 FormatMs(0.0001 * m.time_scale) +
                 ", so figures of fast targets at a high time scale overstate latency."
           : ""));

  // --- per-target summary
  doc.Heading(2, "Targets at a glance");
  std::vector<std::vector<std::string>> rows;
  for (const TargetSweep& t : report.targets) {
    std::vector<std::string> row = {t.name, PricingText(t.pricing)};
    row.push_back(t.knee ? FormatOffered(t.axis, t.steps[*t.knee].offered) + ", " +
                               FormatNumber(t.steps[*t.knee].ips.value) + " IPS, p95 " +
                               FormatNumber(t.steps[*t.knee].p95_s.value * 1000) + " ms"
                         : "not reached");
    if (t.best) {
      const StepResult& b = t.steps[*t.best];
      row.push_back(FormatOffered(t.axis, b.offered));
      row.push_back(Ips(b.ips));
      row.push_back(Ms(b.p95_s));
      row.push_back(Usd(b.usd_per_million) + BilledBy(t, b));
    } else {
      row.insert(row.end(), {"none", "–", "–", "–"});
    }
    row.push_back(std::string(Name(t.stop.reason)) +
                  (t.stop.detail.empty() ? "" : ": " + t.stop.detail));
    rows.push_back(std::move(row));
  }
  doc.Table({"target", "pricing", "saturation (knee)", "best within objective", "IPS (95 % CI)",
             "p95 ms (95 % CI)", "$ per 1M (95 % CI)", "sweep ended"},
            {false, false, false, false, true, true, true, false}, std::move(rows));
}

void AddTrafficAndCharts(const SweepReport& report, Document& doc) {
  std::vector<std::vector<std::string>> rows;
  const Recommendation& rec = report.recommendation;
  // --- recommendation at the traffic
  if (rec.traffic) {
    const TrafficProfile& tr = *rec.traffic;
    std::string heading = "Cost at " + FormatNumber(tr.average_rps) + " req/s";
    if (tr.peak_rps > tr.average_rps) heading += " (peak " + FormatNumber(tr.peak_rps) + ")";
    doc.Heading(2, heading);
    rows.clear();
    for (std::size_t i = 0; i < rec.options.size(); ++i) {
      const OptionCost& o = rec.options[i];
      std::string units = "–";
      if (o.feasible && !o.serverless) {
        units = std::to_string(o.units);
        if (o.units_low != o.units || o.units_high != o.units) {
          units += " (" + std::to_string(o.units_low) + "–" + std::to_string(o.units_high) + ")";
        }
      }
      const bool cheapest = rec.cheapest && *rec.cheapest == i;
      rows.push_back({o.target + (cheapest ? " **(cheapest)**" : ""),
                      o.serverless ? "per request" : "instances", units,
                      o.feasible && !o.serverless ? FormatPercent(o.utilisation) : "–",
                      o.p95_s ? FormatNumber(*o.p95_s * 1000) + " (" + o.p95_step + ")" : "–",
                      o.feasible ? FormatUsd(o.monthly_usd) : "–",
                      o.feasible ? FormatUsd(o.usd_per_million) : "–",
                      o.feasible ? o.note : o.why_not});
    }
    doc.Table({"option", "scales by", "instances (from the IPS CI)", "use at the average",
               "p95 ms at the peak (from step)", "monthly (730 h)", "$ per 1M", "note"},
              {false, false, true, true, true, true, true, false}, std::move(rows));
  }
  if (!rec.break_evens.empty()) {
    doc.Heading(2, "Break-even traffic");
    rows.clear();
    for (const BreakEven& be : rec.break_evens) {
      std::string at = "never: " + be.serverless_target + " stays cheaper";
      if (be.rps && *be.rps <= 0) at = "0: the instance is cheaper at any traffic";
      if (be.rps && *be.rps > 0) at = FormatNumber(*be.rps) + " req/s";
      std::string always = "–";
      if (be.always_above_rps) always = FormatNumber(*be.always_above_rps) + " req/s";
      rows.push_back({be.instance_target, be.serverless_target, at, always});
    }
    doc.Table({"instance target", "per-request target", "instances cheaper from",
               "instances cheaper at every traffic above"},
              {false, false, true, true}, std::move(rows));
    doc.Paragraph(
        "Below the break-even, per-request pricing is cheaper. Just after each added instance "
        "it can briefly win again; the last column is where that stops.");
  }

  doc.Heading(2, "Charts");
  doc.Figure("throughput.svg", "Throughput vs offered load, one line per target");
  doc.Figure("latency_p95.svg", "p95 latency vs offered load");
  doc.Figure("monthly_cost.svg", "Monthly cost vs traffic, with break-even points");
  if (!report.cold_starts.empty()) {
    doc.Figure("cold_starts.svg", "Cold-start probability and p95 against idle time");
  }
}

void AddWarningsAndSteps(const SweepReport& report, Document& doc) {
  std::vector<std::vector<std::string>> rows;
  const SweepMethod& m = report.method;
  const std::string objective = ObjectiveText(m);
  // --- warnings
  std::vector<std::string> warnings;
  for (const TargetSweep& t : report.targets) {
    for (const std::string& w : t.warnings) warnings.push_back("**" + t.name + "**: " + w);
  }
  if (!warnings.empty()) {
    doc.Heading(2, "Warnings");
    doc.List(std::move(warnings));
  }

  // --- per-step tables
  doc.Heading(2, "Every step");
  for (const TargetSweep& t : report.targets) {
    doc.Heading(3, t.name);
    rows.clear();
    for (std::size_t i = 0; i < t.steps.size(); ++i) {
      const StepResult& s = t.steps[i];
      std::string mark;
      if (t.knee && *t.knee == i) mark += " knee";
      if (t.best && *t.best == i) mark += " best";
      rows.push_back({FormatOffered(t.axis, s.offered) + mark,
                      FormatNumber(s.effective_concurrency), Ips(s.ips),
                      FormatNumber(s.p50_s * 1000), Ms(s.p95_s), Ms(s.p99_s), Errors(s),
                      std::to_string(s.cold_starts), Usd(s.usd_per_million) + BilledBy(t, s),
                      s.within_slo ? "yes" : "no"});
    }
    doc.Table(
        {"offered", "effective concurrency", "IPS (95 % CI)", "p50 ms", "p95 ms (95 % CI)",
         "p99 ms (95 % CI)", "errors", "cold starts", "$ per 1M (95 % CI)", "meets objective"},
        {false, true, true, true, true, true, true, true, true, false}, std::move(rows));
  }
}

// What the cold-start bursts did, from what was measured: how long each held its requests in
// flight (target time; at a high time scale the generator's minimum wall time can stretch it) and
// how many requests that took.
std::string BurstText(const SweepReport& report) {
  double hold_min = 0, hold_max = 0;
  uint64_t requests_min = 0, requests_max = 0;
  bool first = true;
  for (const ColdStartAnalysis& c : report.cold_starts) {
    for (const IdleGapResult& g : c.gaps) {
      hold_min = first ? g.hold_seconds : std::min(hold_min, g.hold_seconds);
      hold_max = first ? g.hold_seconds : std::max(hold_max, g.hold_seconds);
      requests_min = first ? g.requests : std::min(requests_min, g.requests);
      requests_max = first ? g.requests : std::max(requests_max, g.requests);
      first = false;
    }
  }
  const SweepMethod& m = report.method;
  if (first) return "";
  auto range = [](const std::string& low, const std::string& high) {
    return low == high ? low : low + "–" + high;
  };
  std::string text = "Each burst kept " + std::to_string(m.burst_concurrency) +
                     " requests in flight for " + range(Seconds(hold_min), Seconds(hold_max)) +
                     (m.time_scale != 1 ? " of target time" : "") + " and sent " +
                     range(std::to_string(requests_min), std::to_string(requests_max)) +
                     " requests.";
  const double asked = m.warmup_seconds > 0 ? m.warmup_seconds : m.step_seconds;
  if (hold_max > asked * 1.001) {
    text += " That is longer than the " + Seconds(asked) + " asked for: at a time scale of " +
            FormatNumber(m.time_scale) + "x a burst holds its requests for at least " +
            std::to_string(kMinBurstWall.count()) +
            " ms of wall time, so the generator has time to open its connections.";
  }
  return text;
}

void AddColdStarts(const SweepReport& report, Document& doc) {
  std::vector<std::vector<std::string>> rows;
  const SweepMethod& m = report.method;
  const Recommendation& rec = report.recommendation;
  // --- cold starts
  if (!report.cold_starts.empty()) {
    doc.Heading(2, "Cold starts");
    doc.Paragraph(BurstText(report) +
                  " The probability is the share of the burst's first wave (its first " +
                  std::to_string(m.burst_concurrency) + " requests) that met a cold instance.");
    for (const ColdStartAnalysis& c : report.cold_starts) {
      doc.Heading(3, c.target);
      rows.clear();
      for (const IdleGapResult& g : c.gaps) {
        rows.push_back({Seconds(g.idle_seconds), FormatPercent(g.probability),
                        std::to_string(g.cold_starts) + " of " + std::to_string(g.requests),
                        FormatNumber(g.p95_s * 1000),
                        g.cold_starts > 0 ? FormatNumber(g.cold_p95_s * 1000) : "–"});
      }
      doc.Table({"idle time", "cold-start probability", "cold requests in the burst",
                 "burst p95 ms", "cold p95 ms"},
                {false, true, true, true, true}, std::move(rows));
      auto latency_row = [](const std::string& name, const LatencySummary& s) {
        return std::vector<std::string>{name,
                                        std::to_string(s.count),
                                        FormatNumber(s.p50_s * 1000),
                                        FormatNumber(s.p95_s * 1000),
                                        FormatNumber(s.p99_s * 1000),
                                        FormatNumber(s.max_s * 1000)};
      };
      std::vector<std::vector<std::string>> latency_rows = {latency_row("cold", c.cold),
                                                            latency_row("warm", c.warm)};
      if (c.warm_reference_clean) {
        latency_rows.push_back(latency_row("bursts with no cold start", c.warm_reference));
      }
      doc.Table({"requests", "count", "p50 ms", "p95 ms", "p99 ms", "max ms"},
                {false, true, true, true, true, true}, std::move(latency_rows));
      std::vector<std::string> facts;
      if (c.timeout_above_s && c.timeout_below_s) {
        facts.push_back("The idle timeout lies between " + Seconds(*c.timeout_above_s) + " and " +
                        Seconds(*c.timeout_below_s) + ".");
      } else if (c.timeout_below_s) {
        facts.push_back("Cold starts already after " + Seconds(*c.timeout_below_s) +
                        ", the shortest gap tried.");
      } else if (c.timeout_above_s) {
        facts.push_back("No cold start even after " + Seconds(*c.timeout_above_s) +
                        ", the longest gap tried.");
      }
      facts.push_back("A cold start bills " + FormatUsd(c.cold_extra_usd) +
                      " more than a warm request (init time is billed); cold starts carried " +
                      FormatPercent(c.cold_cost_share) + " of the bursts' spend.");
      int provisioned = 0;  // what the target already keeps warm
      for (const TargetSweep& t : report.targets) {
        if (t.name == c.target) provisioned = t.pricing.spec.provisioned_concurrency;
      }
      facts.push_back(
          "Keeping " + std::to_string(c.provisioned_concurrency) +
          (provisioned > 0 ? " more" : "") +
          " instance(s) warm with provisioned concurrency would change the monthly bill by " +
          FormatUsd(c.provisioned_monthly_usd) +
          (rec.traffic ? " at the planned traffic." : " (no traffic given: the burst size)."));
      doc.List(std::move(facts));
    }
  }
}

void AddMethodAndPrices(const SweepReport& report, Document& doc) {
  std::vector<std::vector<std::string>> rows;
  const SweepMethod& m = report.method;
  const std::string objective = ObjectiveText(m);
  // --- method and prices
  doc.Heading(2, "Method");
  std::vector<std::string> method = {
      std::string("Each target was stepped through the levels ") +
          (m.parallel ? "in parallel with the others" : "one target after another") +
          ", every target receiving the same seeded schedule at each step (seed " +
          std::to_string(m.seed) + "). Each step ran " + Seconds(m.warmup_seconds) +
          " of warm-up at the step's load, not measured, then " + Seconds(m.step_seconds) +
          " measured.",
      "A target stops early when its throughput grew less than " +
          FormatPercent(m.criteria.min_growth) + " over its best for " +
          std::to_string(m.criteria.flat_steps) + " steps, when more than " +
          FormatPercent(m.criteria.max_error_ratio) +
          " of requests failed, or when p95 broke the "
          "objective. The knee is the lowest step within " +
          FormatPercent(m.criteria.min_growth) + " of the highest healthy IPS.",
      "IPS counts successful inferences; latency is measured from the intended send time. "
      "Effective concurrency is IPS x mean latency (Little's law).",
      "95 % intervals: " + std::to_string(m.bootstrap_samples) +
          " bootstrap resamples of the step's " + std::to_string(m.windows_per_step) +
          " windows; IPS, p95, p99 and $ per 1M are recomputed from each resample.",
      "$ per 1M uses the spend over the step divided by successful inferences (failures cost "
      "money too). Instances: hourly price over the measured IPS, the seed's formula (1); "
      "burstable types add surplus credits at the step's share of capacity. Lambda: request, "
      "API Gateway and GB-s duration at AWS's billed duration where AWS stated it (Lambda's "
      "REPORT line through the Invoke API, or a billed-duration header): marked \"billed by "
      "AWS\"; otherwise at the measured latency, an upper bound: marked \"estimated from "
      "latency\".",
      "Recommendation: instance targets need ceil(peak / best IPS within the objective) copies, "
      "with no headroom; a month is 730 h. Per-request targets are paid on the average traffic "
      "at the cost per request measured at their best step.",
  };
  if (!m.idle_gaps_seconds.empty()) {
    std::string gaps;
    for (double g : m.idle_gaps_seconds) gaps += (gaps.empty() ? "" : ", ") + Seconds(g);
    method.push_back("Cold starts: a burst to warm " + std::to_string(m.burst_concurrency) +
                     " instances, then idle gaps of " + gaps + ", each followed by a burst. " +
                     BurstText(report));
  }
  doc.List(std::move(method));
  doc.Heading(2, "Prices used");
  rows.clear();
  for (const TargetSweep& t : report.targets) {
    rows.push_back(
        {t.name, PricingText(t.pricing) + LineItemsText(t.pricing),
         std::string(Name(t.pricing.spec.price_basis)), t.pricing.spec.region,
         PriceSource(t.pricing, report.catalog) + LineItemSources(t.pricing.spec, report.catalog),
         ExclusionsLine(t.pricing)});
  }
  doc.Table({"target", "price", "basis", "region", "source", "not included"},
            {false, false, false, false, false, false}, std::move(rows));
  doc.Paragraph("The sweep itself cost about " + FormatUsd(m.spend_usd) + " at these prices" +
                (m.fleet_emulated ? " (emulated: nothing was charged)." : "."));
  doc.Heading(2, "Command");
  doc.Code(m.command_line);
}

Document BuildDocument(const SweepReport& report) {
  Document doc;
  AddSummary(report, doc);
  AddTrafficAndCharts(report, doc);
  AddWarningsAndSteps(report, doc);
  AddColdStarts(report, doc);
  AddMethodAndPrices(report, doc);
  return doc;
}

}  // namespace

std::string ReportMarkdown(const SweepReport& report) { return ToMarkdown(BuildDocument(report)); }

std::string ReportHtml(const SweepReport& report) {
  std::vector<std::pair<std::string, std::string>> svgs = {
      {"throughput.svg", ThroughputChart(report)},
      {"latency_p95.svg", LatencyChart(report)},
      {"monthly_cost.svg", MonthlyCostChart(report)},
      {"cold_starts.svg", ColdStartChart(report)}};
  return ToHtml(BuildDocument(report), svgs);
}

std::string ReportHtml(const SweepReport& report,
                       const std::vector<std::pair<std::string, std::string>>& charts) {
  return ToHtml(BuildDocument(report), charts);
}

}  // namespace infercost
