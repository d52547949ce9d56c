// The /api/v1/targets document: every target's view (serve/service.h) as JSON. The landing page
// and tests/serve read it; its field names are part of the HTTP API.
#ifndef INFERCOST_WEB_TARGETS_JSON_H_
#define INFERCOST_WEB_TARGETS_JSON_H_

#include <string>
#include <vector>

#include "serve/service.h"

namespace infercost {

std::string TargetsJson(const std::vector<TargetView>& views);

}  // namespace infercost

#endif  // INFERCOST_WEB_TARGETS_JSON_H_
