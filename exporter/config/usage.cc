#include "config/usage.h"

#include <algorithm>
#include <array>

#include "cost/billability.h"

namespace infercost {
namespace {

// The table's row of each engine class, looked up once by name.
const std::array<const Billability*, loadgen::kBillingClassCount>& Rows() {
  static const std::array<const Billability*, loadgen::kBillingClassCount> rows = [] {
    std::array<const Billability*, loadgen::kBillingClassCount> r{};
    for (std::size_t i = 0; i < r.size(); ++i) {
      r[i] = FindBillability(loadgen::BillingClassName(loadgen::kAllBillingClasses[i]));
    }
    return r;
  }();
  return rows;
}

uint64_t Minus(uint64_t a, uint64_t b) { return a - std::min(a, b); }

Usage FromCounts(const std::array<loadgen::BilledCounts, loadgen::kBillingClassCount>& counts,
                 const std::array<loadgen::BilledCounts, loadgen::kBillingClassCount>* base) {
  Usage usage;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const loadgen::BilledCounts& c = counts[i];
    const loadgen::BilledCounts b = base != nullptr ? (*base)[i] : loadgen::BilledCounts{};
    const ClassCounts delta{.requests = Minus(c.requests, b.requests),
                            .billed_ms = Minus(c.billed_ms, b.billed_ms),
                            .billed_by_aws = Minus(c.billed_by_aws, b.billed_by_aws),
                            .bytes_sent = Minus(c.bytes_sent, b.bytes_sent),
                            .bytes_received = Minus(c.bytes_received, b.bytes_received)};
    // Every engine class has a row (a test checks it); a missing one would bill nothing.
    if (const Billability* row = Rows()[i]) AddBilled(*row, delta, &usage);
  }
  return usage;
}

}  // namespace

Usage UsageOf(const loadgen::Interval& interval, double seconds, double capacity_ips) {
  Usage usage = FromCounts(interval.by_billing_class, nullptr);
  usage.elapsed_seconds = seconds;
  usage.ok = interval.Ok();
  usage.capacity_ips = capacity_ips;
  return usage;
}

Usage UsageBetween(const loadgen::Interval& total, const loadgen::Interval& base, double seconds,
                   double capacity_ips) {
  Usage usage = FromCounts(total.by_billing_class, &base.by_billing_class);
  usage.elapsed_seconds = seconds;
  usage.ok = Minus(total.Ok(), base.Ok());
  usage.capacity_ips = capacity_ips;
  return usage;
}

}  // namespace infercost
