// Internal to the cost module: the optional line items' part of Resolve and ComputeCost
// (cost/line_items.cc). Users see them through cost/cost.h.
#ifndef INFERCOST_COST_LINE_ITEMS_H_
#define INFERCOST_COST_LINE_ITEMS_H_

#include <optional>
#include <string>

#include "cost/cost.h"

namespace infercost::cost_internal {

// Units and formatting shared by cost.cc and line_items.cc: AWS bills data per 2^30 bytes and
// memory as MB / 1024 GB; numbers in messages are written with %g.
inline constexpr double kBytesPerGb = 1024.0 * 1024.0 * 1024.0;
inline constexpr double kMbPerGb = 1024;
std::string Number(double v);

// Prices the spec's line items from the catalog into `r`; the error says what to fix.
std::optional<std::string> ResolveLineItems(const PricingSpec& spec, const Catalog& catalog,
                                            ResolvedPricing& r);
// The hourly line items together ($/h), and the per-request ones ($ per request).
double LineItemsUsdPerHour(const ResolvedPricing& p);
double LineItemsUsdPerRequest(const ResolvedPricing& p);
// The window's spend on each line item into cost.line_item_usd.
void AddLineItemCosts(const ResolvedPricing& p, double hours, double billable,
                      double billed_seconds, Cost& cost);

}  // namespace infercost::cost_internal

#endif  // INFERCOST_COST_LINE_ITEMS_H_
