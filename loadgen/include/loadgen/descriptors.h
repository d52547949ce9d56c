// Open files the engine needs, against the process's RLIMIT_NOFILE. Every connection is a
// descriptor; with the usual soft limit of 1,024 a concurrency of 1,500 would otherwise pin the
// process at the limit, every new connection failing with EMFILE.
#ifndef LOADGEN_DESCRIPTORS_H_
#define LOADGEN_DESCRIPTORS_H_

#include <cstdint>
#include <string>

#include "loadgen/load.h"

namespace loadgen {

// Descriptors an engine worker thread holds besides its connections: its epoll instance, its
// wake-up eventfd, and the socket pairs of libcurl's threaded resolver for lookups in flight.
inline constexpr uint64_t kDescriptorsPerWorker = 8;

// Connections a target may hold at once: `max_connections_per_target` when set (> 0), else the
// highest concurrency of its closed stages or, for rate stages, its max_in_flight (1,024 when the
// plan leaves it at 0: the connections kept alive; more in flight open and close their own).
int ConnectionsFor(const LoadPlan& plan, int max_connections_per_target = 0);

// Makes sure `needed` descriptors can be open at once: raises the soft RLIMIT_NOFILE to the hard
// limit when the soft one is lower than `needed` (as Go's runtime and nginx do). "" when the limit
// covers `needed`; else a message with both numbers and what to do.
std::string EnsureDescriptors(uint64_t needed);

}  // namespace loadgen

#endif  // LOADGEN_DESCRIPTORS_H_
