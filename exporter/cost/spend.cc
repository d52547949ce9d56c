#include "cost/spend.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "cost/billability.h"

namespace infercost {

using Seconds = std::chrono::duration<double>;

PlannedLoad ClosedLoopLoad(double concurrency, double seconds, std::chrono::milliseconds latency) {
  PlannedLoad load;
  load.seconds = seconds;
  load.requests = concurrency * seconds / Seconds(latency).count();
  load.billed_each = latency;
  load.requests_from_latency = true;
  return load;
}

PlannedLoad OpenLoopLoad(double rate, double seconds, std::chrono::milliseconds billed_each) {
  PlannedLoad load;
  load.seconds = seconds;
  load.requests = rate * seconds;
  load.billed_each = billed_each;
  return load;
}

double SpendEstimate::PerRequestUsd() const {
  double usd = request_usd;
  for (LineItem item : kLineItems) {
    if (!IsHourly(item)) usd += line_item_usd[static_cast<std::size_t>(item)];
  }
  return usd;
}

double SpendEstimate::TotalUsd() const {
  double usd = time_usd + request_usd + surplus_max_usd;
  for (double item : line_item_usd) usd += item;
  return usd;
}

SpendEstimate& SpendEstimate::operator+=(const SpendEstimate& other) {
  time_usd += other.time_usd;
  request_usd += other.request_usd;
  surplus_max_usd += other.surplus_max_usd;
  for (std::size_t i = 0; i < kLineItemCount; ++i) line_item_usd[i] += other.line_item_usd[i];
  depends_on_latency = depends_on_latency || other.depends_on_latency;
  return *this;
}

SpendEstimate EstimateSpend(const ResolvedPricing& pricing, const PlannedLoad& load) {
  Usage usage;
  usage.elapsed_seconds = load.seconds;
  const auto requests = static_cast<uint64_t>(std::llround(std::max(load.requests, 0.0)));
  usage.ok = requests;
  // Every planned request succeeds: billed as the billability table's `ok` row.
  AddBilled(
      *FindBillability("ok"),
      ClassCounts{.requests = requests,
                  .billed_ms = load.billed_each.count() > 0
                                   ? requests * static_cast<uint64_t>(load.billed_each.count())
                                   : 0,
                  .billed_by_aws = requests},
      &usage);
  const Cost cost = ComputeCost(pricing, usage);
  SpendEstimate estimate;
  estimate.time_usd = cost.time_usd;
  estimate.request_usd = cost.request_usd;
  estimate.line_item_usd = cost.line_item_usd;
  if (usage.ok > 0 && load.seconds > 0) {
    // Capacity equal to the offered rate: utilisation 1, the most surplus this load can buy.
    usage.capacity_ips = static_cast<double>(usage.ok) / load.seconds;
    estimate.surplus_max_usd = ComputeCost(pricing, usage).surplus_credit_usd;
  }
  // Lambda bills each request's duration, which the plan takes from the assumed latency.
  estimate.depends_on_latency =
      cost.request_usd > 0 && (load.requests_from_latency || pricing.memory_gb > 0);
  return estimate;
}

}  // namespace infercost
