// A reload's first step: everything of a new config that can fail (AWS credentials and signing,
// prices, payload files, the open-file limit, new CSV files), done before the running targets are
// touched, so that a config with any error changes nothing.
#ifndef INFERCOST_SERVE_PREPARE_H_
#define INFERCOST_SERVE_PREPARE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "cost/cost.h"
#include "loadgen/csv.h"
#include "loadgen/payload.h"
#include "serve/aws_targets.h"

namespace infercost {

// A target of a new config with everything that can fail already done.
struct PreparedTarget {
  TargetConfig config;  // a copy, its AWS request completed (PrepareAwsTarget)
  std::shared_ptr<aws::CredentialsRefresher> refresher;
  ResolvedPricing pricing;
  std::shared_ptr<const std::vector<loadgen::Payload>> payloads;
  std::unique_ptr<loadgen::CsvRecorder> csv;  // a new file only (a kept file stays open)
};

// Prepares every target of `config` into `*prepared`; returns every error ("target NAME: ...").
// The open-file limit (RLIMIT_NOFILE) is raised to its hard limit if `config`'s connections and
// files with `own_descriptors` need it, or refused. `file_is_open(target)` tells whether a
// running target of that name already writes its CSV path: that file stays open and is not
// opened (truncated) again. Blocks on first credential fetches and file I/O; call it without
// the service's lock.
std::vector<std::string> PrepareTargets(
    const Config& config, CredentialsPool& pool, uint64_t own_descriptors,
    const std::function<bool(const TargetConfig&)>& file_is_open,
    std::vector<PreparedTarget>* prepared);

}  // namespace infercost

#endif  // INFERCOST_SERVE_PREPARE_H_
