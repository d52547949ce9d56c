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
  // Bodies of every finished request, as the engine counts them: an upper bound of what
  // SageMaker Serverless bills as data processed (throttled requests' bodies are included).
  usage.data_in_bytes = interval.bytes_sent;
  usage.data_out_bytes = interval.bytes_received;
  usage.capacity_ips = capacity_ips;
  return usage;
}

}  // namespace infercost
