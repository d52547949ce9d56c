// What AWS bills for a finished request, by its billing class: the one table of the cost model.
// Each row says, for one class of outcome, whether the request pays each part of a price (the
// API Gateway fee of a REST or HTTP API; the function's request fee of Lambda or `per_request`;
// the duration of Lambda or SageMaker Serverless, and whose duration; SageMaker Serverless's data
// processed), with AWS's rule in words and a public AWS source. Instance and hourly prices accrue
// with the clock and do not depend on the table. docs/cost-model.md shows the table
// (BillabilityMarkdown; a test keeps the two equal).
//
// The classes are the engine's (loadgen::BillingClass, joined by name: this module may not see the
// engine); config/usage.h adds a measured span's counts up through AddBilled. Pure; immutable
// data; safe anywhere.
#ifndef INFERCOST_COST_BILLABILITY_H_
#define INFERCOST_COST_BILLABILITY_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "cost/cost.h"

namespace infercost {

// Whose duration AWS bills for a request of the class.
enum class BilledDuration {
  kNone,  // none: the function never ran
  // The run AWS reports: the REPORT line's Billed Duration or the billed-duration header; without
  // one the measured latency, an upper bound (it includes the network and the gateway).
  kReported,
  // The function's whole run, which went on after the client or the gateway stopped waiting (to
  // its own timeout at most). Neither the REPORT line nor a header arrives; the measured latency is
  // a lower bound of what AWS bills.
  kFullRun,
};

struct Billability {
  std::string_view billing_class;  // loadgen::BillingClassName
  std::string_view seen_as;        // the outcome label and how the engine tells the class apart
  bool gateway_fee = false;        // API Gateway (REST or HTTP API) bills the request
  bool request_fee = false;        // Lambda's request price, or `per_request`'s price
  BilledDuration duration = BilledDuration::kNone;  // Lambda, SageMaker Serverless
  bool data_processed = false;              // SageMaker Serverless: the request's bodies in and out
  std::string_view rule;                    // AWS's rule, in words
  std::array<std::string_view, 3> sources;  // public AWS pages that state it; unused ones empty
};

// Every row, in loadgen::BillingClass order.
std::span<const Billability> BillabilityTable();

// The row of a class by its name; nullptr for a name the table does not have.
const Billability* FindBillability(std::string_view billing_class);

// What one billing class of a measured span counted (loadgen::BilledCounts).
struct ClassCounts {
  uint64_t requests = 0;
  uint64_t billed_ms = 0;      // summed billed duration of these requests
  uint64_t billed_by_aws = 0;  // of them, durations that were AWS's word
  uint64_t bytes_sent = 0;
  uint64_t bytes_received = 0;
};

// Adds `counts` of the class `row` describes to `usage`: requests (all of them), the gateway's and
// the function's billed requests, the billed duration and its caveats, and the data processed.
// Leaves elapsed_seconds, ok and capacity_ips alone.
void AddBilled(const Billability& row, const ClassCounts& counts, Usage* usage);

// The table as docs/cost-model.md shows it (a Markdown table with a header row).
std::string BillabilityMarkdown();

}  // namespace infercost

#endif  // INFERCOST_COST_BILLABILITY_H_
