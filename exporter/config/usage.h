// What the cost model needs from a measured span: the one translation of the engine's counters
// (loadgen::Interval) into cost's Usage, shared by serve's window figures, the sweep's steps and
// bench's summary. It lives in config because that is the lowest module that may see both the
// engine and the cost model (DESIGN.md, Layout). Pure; safe on any thread.
#ifndef INFERCOST_CONFIG_USAGE_H_
#define INFERCOST_CONFIG_USAGE_H_

#include "cost/cost.h"
#include "loadgen/stats.h"

namespace infercost {

// `interval` measured over `seconds` of target time, at `capacity_ips` (0 when unknown). Every
// billed count comes from the billability table (cost/billability.h), class by class: which
// requests API Gateway bills, which the function bills, whose duration, what data.
Usage UsageOf(const loadgen::Interval& interval, double seconds, double capacity_ips);

// The same for what happened between two running totals of one target (`base` taken earlier):
// the counters' differences, never negative.
Usage UsageBetween(const loadgen::Interval& total, const loadgen::Interval& base, double seconds,
                   double capacity_ips);

}  // namespace infercost

#endif  // INFERCOST_CONFIG_USAGE_H_
