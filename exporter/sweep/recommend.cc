// Costs at a traffic figure, break-even traffic and the recommendation (see analysis.h).
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>

#include "sweep/analysis.h"

namespace infercost {
namespace {

constexpr double kSecondsPerMonth = kHoursPerMonth * 3600.0;

// Instance targets are planned in copies of the target as configured (a target with `count: 2`
// behind a load balancer is one unit of two instances).
ResolvedPricing ScaledToUnits(const ResolvedPricing& pricing, int units) {
  ResolvedPricing scaled = pricing;
  const double fixed = pricing.spec.fixed_usd_per_hour;
  scaled.usd_per_hour = (pricing.usd_per_hour - fixed) * units + fixed;
  scaled.vcpus = pricing.vcpus * units;
  scaled.spec.count = pricing.spec.count * units;
  // Each copy has its own volumes and addresses; one load balancer fronts them all.
  scaled.ebs_usd_per_hour = pricing.ebs_usd_per_hour * units;
  scaled.public_ipv4_usd_per_hour = pricing.public_ipv4_usd_per_hour * units;
  return scaled;
}

// The step's traffic mix (failures, billed time per success) scaled to a month at `average_rps`.
Usage MonthOfTraffic(const StepResult& step, double average_rps, double capacity_ips) {
  Usage usage;
  usage.elapsed_seconds = kSecondsPerMonth;
  const double ok = average_rps * kSecondsPerMonth;
  usage.ok = static_cast<uint64_t>(std::llround(ok));
  const double per_ok = step.ok > 0 ? 1.0 / static_cast<double>(step.ok) : 0.0;
  usage.requests =
      static_cast<uint64_t>(std::llround(ok * static_cast<double>(step.requests) * per_ok));
  usage.billable_requests =
      static_cast<uint64_t>(std::llround(ok * static_cast<double>(step.billable) * per_ok));
  usage.gateway_requests =
      static_cast<uint64_t>(std::llround(ok * static_cast<double>(step.gateway_requests) * per_ok));
  usage.billed_ms =
      static_cast<uint64_t>(std::llround(ok * static_cast<double>(step.billed_ms) * per_ok));
  usage.billed_estimated = step.billed_estimated;
  usage.capacity_ips = capacity_ips;
  return usage;
}

Cost InstanceMonth(const TargetSweep& target, int units, double average_rps) {
  const StepResult& best = target.steps[*target.best];
  const double capacity = target.capacity_ips * units;
  return ComputeCost(ScaledToUnits(target.pricing, units),
                     MonthOfTraffic(best, average_rps, capacity));
}

double InstanceMonthlyUsd(const TargetSweep& target, int units, double average_rps) {
  return InstanceMonth(target, units, average_rps).TotalUsd();
}

// The step whose latency a copy of an instance target would show at `ips_per_unit`: the lowest
// healthy step that carried at least that much (the best step when none did).
std::size_t StepForLoad(const TargetSweep& target, double ips_per_unit) {
  std::optional<std::size_t> chosen;
  for (std::size_t i = 0; i < target.steps.size(); ++i) {
    const StepResult& s = target.steps[i];
    if (!s.healthy || s.ips.value < ips_per_unit) continue;
    if (!chosen || s.ips.value < target.steps[*chosen].ips.value) chosen = i;
  }
  return chosen ? *chosen : *target.best;
}

// The note of an instance option: why its cost per 1M differs from its best step's, and what the
// planned utilisation means for burstable CPU credits.
std::string InstanceNote(const TargetSweep& target, const OptionCost& option) {
  const StepResult& best = target.steps[*target.best];
  std::string note;
  if (best.usd_per_million) {
    note = "best step " + FormatUsd(best.usd_per_million->value) + " per 1M at " +
           FormatPercent(target.capacity_ips > 0 ? best.ips.value / target.capacity_ips : 1.0) +
           " use; the hourly price is paid for idle capacity too";
  }
  const ResolvedPricing& p = target.pricing;
  if (p.baseline_per_vcpu > 0) {
    const std::string baseline = FormatPercent(p.baseline_per_vcpu) + " baseline";
    if (option.utilisation <= p.baseline_per_vcpu) {
      note += "; below the " + baseline + ": credits accrue, none is bought";
    } else if (p.spec.cpu_credits == CpuCredits::kUnlimited) {
      note += "; above the " + baseline + ": surplus credits " +
              FormatUsd(option.surplus_monthly_usd) + " a month";
    } else {
      note += "; above the " + baseline +
              " in standard mode: once the credits run out the CPU is held at the baseline and "
              "this fleet cannot carry the traffic";
    }
  }
  return note;
}

int UnitsFor(double peak_rps, double ips) {
  if (ips <= 0) return 0;
  return std::max(1, static_cast<int>(std::ceil(peak_rps / ips - 1e-9)));
}

}  // namespace

double ServerlessMonthlyUsd(const TargetSweep& target, double average_rps) {
  const StepResult& best = target.steps[*target.best];
  return ComputeCost(target.pricing, MonthOfTraffic(best, average_rps, 0)).TotalUsd();
}

OptionCost CostAtTraffic(const TargetSweep& target, const TrafficProfile& traffic) {
  OptionCost option;
  option.target = target.name;
  option.serverless = target.serverless;
  if (!target.best) {
    option.why_not = "no step met the objective";
    return option;
  }
  const StepResult& best = target.steps[*target.best];
  if (target.serverless) {
    // A serverless target scales by itself, up to the limit the sweep may have run into.
    const bool limit_seen = target.knee.has_value() || target.stop.reason == StopReason::kErrors;
    if (limit_seen && traffic.peak_rps > best.ips.value) {
      option.why_not = "peak " + FormatNumber(traffic.peak_rps) + " req/s is above the " +
                       FormatNumber(best.ips.value) +
                       " IPS it sustained within the objective (its concurrency limit)";
      return option;
    }
    option.monthly_usd = ServerlessMonthlyUsd(target, traffic.average_rps);
    option.p95_s = best.p95_s.value;
    option.p95_step = FormatOffered(target.axis, best.offered);
    option.note =
        std::string("its best step's cost per request; ") +
        (best.billed_estimated ? "duration estimated from latency" : "duration billed by AWS");
  } else {
    option.units = UnitsFor(traffic.peak_rps, best.ips.value);
    option.units_low = best.ips.high > 0 ? UnitsFor(traffic.peak_rps, best.ips.high) : option.units;
    option.units_high = best.ips.low > 0 ? UnitsFor(traffic.peak_rps, best.ips.low) : option.units;
    const double capacity = target.capacity_ips * option.units;
    const Cost month = InstanceMonth(target, option.units, traffic.average_rps);
    option.monthly_usd = month.TotalUsd();
    option.surplus_monthly_usd = month.surplus_credit_usd;
    option.utilisation = capacity > 0 ? traffic.average_rps / capacity : 0.0;
    const StepResult& at_peak = target.steps[StepForLoad(target, traffic.peak_rps / option.units)];
    option.p95_s = at_peak.p95_s.value;
    option.p95_step = FormatOffered(target.axis, at_peak.offered);
    option.note = InstanceNote(target, option);
  }
  option.feasible = true;
  const double inferences = traffic.average_rps * kSecondsPerMonth;
  option.usd_per_million = inferences > 0 ? option.monthly_usd / inferences * 1e6 : 0.0;
  return option;
}

BreakEven FindBreakEven(const TargetSweep& instance, const TargetSweep& serverless,
                        double peak_to_average, int max_units) {
  BreakEven result;
  result.instance_target = instance.name;
  result.serverless_target = serverless.name;
  if (!instance.best || !serverless.best || peak_to_average <= 0) return result;
  const double ips = instance.steps[*instance.best].ips.value;
  if (ips <= 0) return result;
  // Within segment k (k instances, average traffic in [(k-1)·ips, k·ips] / ratio) both costs are
  // continuous; the instance cost jumps up at each boundary. Per-request pricing is linear and
  // the burstable surplus is convex, so the difference is convex within a segment: sampling it
  // finds where it changes sign, and bisection places each crossing.
  auto diff = [&](int units, double average_rps) {
    return InstanceMonthlyUsd(instance, units, average_rps) -
           ServerlessMonthlyUsd(serverless, average_rps);
  };
  auto bisect = [&](int units, double positive_x, double negative_x) {
    for (int iteration = 0; iteration < 60; ++iteration) {
      const double mid = 0.5 * (positive_x + negative_x);
      (diff(units, mid) > 0 ? positive_x : negative_x) = mid;
    }
    return negative_x;
  };
  constexpr int kSamples = 16;
  bool pending = false;  // the instance fleet was dearer at the end of the last segment
  int settled_segments = 0;
  double previous_start = std::numeric_limits<double>::infinity();
  for (int units = 1; units <= max_units; ++units) {
    const double lo = (units - 1) * ips / peak_to_average;
    const double hi = units * ips / peak_to_average;
    std::array<double, kSamples + 1> xs{}, values{};
    for (int s = 0; s <= kSamples; ++s) {
      xs[s] = lo + (hi - lo) * s / kSamples;
      values[s] = diff(units, xs[s]);
    }
    if (!result.rps) {
      int first = -1;
      for (int s = 0; s <= kSamples && first < 0; ++s) {
        if (values[s] <= 0) first = s;
      }
      if (first < 0) continue;
      result.rps = first == 0 ? xs[0] : bisect(units, xs[first - 1], xs[first]);
    }
    int last_positive = -1;
    for (int s = 0; s <= kSamples; ++s) {
      if (values[s] > 0) last_positive = s;
    }
    if (last_positive == kSamples) {
      pending = true;
      settled_segments = 0;
    } else if (last_positive >= 0) {
      result.always_above_rps = bisect(units, xs[last_positive], xs[last_positive + 1]);
      pending = false;
      settled_segments = 0;
    } else {
      if (!result.always_above_rps) result.always_above_rps = result.rps;
      pending = false;
      // Both costs grow about linearly with the number of instances: once the gap at the start
      // of a segment has been negative and widening for a few segments, it stays negative.
      settled_segments = values[0] <= previous_start ? settled_segments + 1 : 0;
      if (settled_segments >= 3) break;
    }
    previous_start = values[0];
  }
  if (pending) result.always_above_rps.reset();
  return result;
}

namespace {

// Each target's option and the cheapest of them: by monthly cost for `traffic`, else (without a
// traffic figure) by $ per 1M at each target's own best point within the objective.
void CompareOptions(const std::vector<TargetSweep>& targets, std::optional<TrafficProfile> traffic,
                    Recommendation* recommendation) {
  for (const TargetSweep& target : targets) {
    if (traffic) {
      recommendation->options.push_back(CostAtTraffic(target, *traffic));
      continue;
    }
    OptionCost option;
    option.target = target.name;
    option.serverless = target.serverless;
    if (target.best && target.steps[*target.best].usd_per_million) {
      option.feasible = true;
      option.usd_per_million = target.steps[*target.best].usd_per_million->value;
      option.units = target.serverless ? 0 : 1;
    } else {
      option.why_not = target.best ? "no cost at its best step" : "no step met the objective";
    }
    recommendation->options.push_back(option);
  }
  auto figure = [&](const OptionCost& option) {
    return traffic ? option.monthly_usd : option.usd_per_million;
  };
  for (std::size_t i = 0; i < recommendation->options.size(); ++i) {
    const OptionCost& option = recommendation->options[i];
    if (!option.feasible) continue;
    if (!recommendation->cheapest ||
        figure(option) < figure(recommendation->options[*recommendation->cheapest])) {
      recommendation->cheapest = i;
    }
  }
}

// The comparison that matters most: the best option of the other pricing shape.
const OptionCost* FindRival(const Recommendation& recommendation, const OptionCost& pick,
                            bool by_month) {
  const OptionCost* rival = nullptr;
  for (const OptionCost& option : recommendation.options) {
    if (!option.feasible || option.serverless == pick.serverless) continue;
    const bool better = by_month
                            ? (rival == nullptr || option.monthly_usd < rival->monthly_usd)
                            : (rival == nullptr || option.usd_per_million < rival->usd_per_million);
    if (better) rival = &option;
  }
  return rival;
}

const BreakEven* BreakEvenOf(const Recommendation& recommendation, const OptionCost& pick,
                             const OptionCost& rival) {
  const BreakEven* break_even = nullptr;
  const std::string& instance_name = pick.serverless ? rival.target : pick.target;
  const std::string& serverless_name = pick.serverless ? pick.target : rival.target;
  for (const BreakEven& candidate : recommendation.break_evens) {
    if (candidate.instance_target == instance_name &&
        candidate.serverless_target == serverless_name) {
      break_even = &candidate;
    }
  }
  return break_even;
}

// "For 20 req/s (peak 50) at p95 <= 200 ms, run 2 x box at $X/month ($Y per 1M); fn would cost ..."
std::string TrafficSentence(const TrafficProfile& traffic, const std::string& objective,
                            const OptionCost& pick, const OptionCost* rival) {
  std::string sentence = "For " + FormatNumber(traffic.average_rps) + " req/s";
  if (traffic.peak_rps > traffic.average_rps) {
    sentence += " (peak " + FormatNumber(traffic.peak_rps) + ")";
  }
  sentence += objective.empty() ? ", " : " at " + objective + ", ";
  if (pick.serverless) {
    sentence += "use " + pick.target + " at " + FormatUsd(pick.monthly_usd) + "/month (" +
                FormatUsd(pick.usd_per_million) + " per 1M)";
  } else {
    sentence += "run " + std::to_string(pick.units) + " x " + pick.target + " at " +
                FormatUsd(pick.monthly_usd) + "/month (" + FormatUsd(pick.usd_per_million) +
                " per 1M)";
  }
  if (rival != nullptr) {
    sentence +=
        "; " +
        (rival->serverless ? rival->target : std::to_string(rival->units) + " x " + rival->target) +
        " would cost " + FormatUsd(rival->monthly_usd) + "/month";
  }
  return sentence;
}

// The rival is the subject: when per-request pricing wins, and up to which traffic.
std::string BreakEvenClause(const BreakEven& break_even, const OptionCost& pick) {
  if (!break_even.rps) return pick.serverless ? " and is never cheaper" : "";
  if (*break_even.rps <= 0) return pick.serverless ? "" : " and is never cheaper";
  return (pick.serverless ? " and becomes cheaper above " : " and is cheaper below ") +
         FormatNumber(*break_even.rps) + " req/s";
}

}  // namespace

Recommendation Recommend(const std::vector<TargetSweep>& targets,
                         std::optional<TrafficProfile> traffic, std::optional<double> slo_p95_s) {
  Recommendation recommendation;
  recommendation.traffic = traffic;
  const double ratio = traffic ? traffic->PeakToAverage() : 1.0;
  for (const TargetSweep& instance : targets) {
    if (instance.serverless) continue;
    for (const TargetSweep& serverless : targets) {
      // A target ruled out by the objective has no cost to break even with.
      if (!serverless.serverless || !instance.best || !serverless.best) continue;
      recommendation.break_evens.push_back(FindBreakEven(instance, serverless, ratio));
    }
  }
  // Without one common objective (none, or one per target in the config) the sentence names none.
  const std::string objective = slo_p95_s ? "p95 <= " + FormatMs(*slo_p95_s) : std::string();
  CompareOptions(targets, traffic, &recommendation);
  if (!recommendation.cheapest) {
    recommendation.sentence = "No target met " + (objective.empty() ? "its objective" : objective) +
                              " without errors at any step: relax the objective or add capacity.";
    return recommendation;
  }
  const OptionCost& pick = recommendation.options[*recommendation.cheapest];
  const TargetSweep& picked = targets[*recommendation.cheapest];
  const StepResult& best = picked.steps[*picked.best];
  const OptionCost* rival = FindRival(recommendation, pick, traffic.has_value());
  std::string sentence;
  if (traffic) {
    sentence = TrafficSentence(*traffic, objective, pick, rival);
  } else {
    sentence = "At its best point" + (objective.empty() ? "" : " within " + objective) + ", " +
               pick.target + " is the cheapest: " + FormatUsd(pick.usd_per_million) +
               " per 1M at " + FormatNumber(best.ips.value) + " IPS (" +
               FormatOffered(picked.axis, best.offered) + ")";
    if (rival != nullptr) {
      sentence += "; " + rival->target + " costs " + FormatUsd(rival->usd_per_million) + " per 1M";
    }
  }
  if (rival != nullptr) {
    if (const BreakEven* break_even = BreakEvenOf(recommendation, pick, *rival)) {
      sentence += BreakEvenClause(*break_even, pick);
    }
  } else {
    // No option of the other pricing shape could be priced: say why, so its absence is not
    // mistaken for a loss on cost.
    for (const OptionCost& option : recommendation.options) {
      if (option.feasible || option.serverless == pick.serverless) continue;
      sentence += "; " + option.target + " is ruled out (" + option.why_not + ")";
      break;
    }
  }
  recommendation.sentence = sentence + ".";
  return recommendation;
}

}  // namespace infercost
