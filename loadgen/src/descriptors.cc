#include "loadgen/descriptors.h"

#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace loadgen {

int ConnectionsFor(const LoadPlan& plan, int max_connections_per_target) {
  if (max_connections_per_target > 0) return max_connections_per_target;
  int most = 1;
  for (const Stage& stage : plan.stages) {
    if (stage.kind == Stage::Kind::kClosed) most = std::max(most, stage.concurrency);
    if (stage.kind == Stage::Kind::kOpen) {
      most = std::max(most, plan.max_in_flight > 0 ? plan.max_in_flight : 1024);
    }
  }
  return most;
}

std::string EnsureDescriptors(uint64_t needed) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return std::string("cannot read the open-file limit (RLIMIT_NOFILE): ") + std::strerror(errno);
  }
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < needed) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= needed) return "";
  return "the load needs " + std::to_string(needed) +
         " open files (connections of all targets, plus the process's own), but the open-file "
         "limit is " +
         std::to_string(limit.rlim_cur) + " (hard limit " + std::to_string(limit.rlim_max) +
         "); raise it (ulimit -n, LimitNOFILE= in the systemd unit, --ulimit nofile= in Docker) "
         "or lower concurrency/max_in_flight";
}

}  // namespace loadgen
