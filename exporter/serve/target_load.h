// What a config's target loads mean for the service, pure functions: when a reload must restart
// a target's load, and how many descriptors the loads need.
#ifndef INFERCOST_SERVE_TARGET_LOAD_H_
#define INFERCOST_SERVE_TARGET_LOAD_H_

#include <cstdint>
#include <string>

#include "config/config.h"

namespace infercost {

// What decides how a target is loaded, as one string: a reload restarts a target's load only
// when it changes, so that stages of targets that stay are not reset.
std::string LoadFingerprint(const TargetConfig& t);

// Descriptors the config's loads need at once: every target's connections (loadgen's
// ConnectionsFor; a target split over threads holds the same total in parts) and CSV file, each
// engine thread's own, plus `own_descriptors` for the rest of the process.
uint64_t DescriptorsNeeded(const Config& config, uint64_t own_descriptors);

}  // namespace infercost

#endif  // INFERCOST_SERVE_TARGET_LOAD_H_
