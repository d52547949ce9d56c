#include "config/usage.h"

namespace infercost {

Usage UsageOf(const loadgen::Interval& interval, double seconds, double capacity_ips) {
  Usage usage;
  usage.elapsed_seconds = seconds;
  usage.ok = interval.Ok();
  usage.requests = interval.Requests();
  usage.billable_requests = interval.billable;  // the engine's rule: the request reached it
  usage.billed_ms = interval.billed_ms;
  usage.billed_estimated = interval.BilledByAws() < interval.billable;
  usage.capacity_ips = capacity_ips;
  return usage;
}

}  // namespace infercost
