// What a run will cost before it runs: the one place that turns planned load (how long, how many
// requests, how long each is billed) into dollars with the cost model. `check-config` prices a
// config's stages with it, `sweep` its levels and bursts before it starts. Every request is
// assumed to succeed and be billed, so an estimate is what the plan costs at most for the given
// latency. Thread contract: pure functions over values; safe on any thread.
#ifndef INFERCOST_COST_SPEND_H_
#define INFERCOST_COST_SPEND_H_

#include <array>
#include <chrono>

#include "cost/cost.h"

namespace infercost {

// A stretch of planned load, in the bill's terms.
struct PlannedLoad {
  double seconds = 0;   // how long it lasts (instance hours accrue over it)
  double requests = 0;  // requests sent over it, rounded to whole requests when priced
  // What each request is billed (Lambda duration) in whole milliseconds, as AWS bills it: the
  // caller rounds a duration with loadgen::RoundBilledMs, the one copy of that rule.
  std::chrono::milliseconds billed_each{0};
  bool requests_from_latency = false;  // the request count follows from an assumed latency
};

// `concurrency` clients that each wait `latency` (whole ms, as billed) for every answer:
// concurrency / latency requests per second, each billed its latency.
PlannedLoad ClosedLoopLoad(double concurrency, double seconds, std::chrono::milliseconds latency);
// `rate` arrivals per second, each billed `billed_each`.
PlannedLoad OpenLoopLoad(double rate, double seconds, std::chrono::milliseconds billed_each);

struct SpendEstimate {
  double time_usd = 0;     // accrues with the clock (instances, provisioned concurrency)
  double request_usd = 0;  // accrues per request (Lambda, API Gateway, per_request prices)
  // Burstable instances in unlimited mode: the surplus credits the load buys at full CPU (0 when
  // the plan sends nothing, or the pricing has no surplus).
  double surplus_max_usd = 0;
  // Whether the figure moves with the assumed latency: requests priced per request whose count
  // (closed loop) or billed duration (Lambda) follows from it.
  bool depends_on_latency = false;
  // The optional line items, by LineItem (cost.h): hourly ones accrue with the clock, the others
  // per request.
  std::array<double, kLineItemCount> line_item_usd{};

  // What the requests themselves cost: request_usd and the per-request line items (what a
  // spend limit counts).
  double PerRequestUsd() const;
  double TotalUsd() const;
  SpendEstimate& operator+=(const SpendEstimate& other);
};

// The cost model over one stretch: its requests rounded to whole ones, each billed billed_each.
SpendEstimate EstimateSpend(const ResolvedPricing& pricing, const PlannedLoad& load);

}  // namespace infercost

#endif  // INFERCOST_COST_SPEND_H_
