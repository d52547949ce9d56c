// What the cost model needs from a measured span: the one translation of the engine's counters
// (loadgen::Interval) into cost's Usage, shared by serve's window figures, the sweep's steps and
// bench's summary. It lives in config because that is the lowest module that may see both the
// engine and the cost model (DESIGN.md, Layout). Pure; safe on any thread.
#ifndef INFERCOST_CONFIG_USAGE_H_
#define INFERCOST_CONFIG_USAGE_H_

#include "cost/cost.h"
#include "loadgen/stats.h"

namespace infercost {

// `interval` measured over `seconds` of target time, at `capacity_ips` (0 when unknown). The
// billed duration is an estimate when any billable request lacked AWS's own billed figure.
Usage UsageOf(const loadgen::Interval& interval, double seconds, double capacity_ips);

}  // namespace infercost

#endif  // INFERCOST_CONFIG_USAGE_H_
