// The config's rules that need no YAML: URL and listen-address checks, and how a load plan is
// shared among generators. Also used for command-line flags.
#include <optional>
#include <string>
#include <string_view>

#include "common/listen_address.h"
#include "config/config.h"
#include "loadgen/url.h"

namespace infercost {

loadgen::LoadPlan ShardPlan(const loadgen::LoadPlan& plan, const Shard& shard,
                            std::size_t target_position) {
  return loadgen::SplitPlan(plan, shard.count, shard.index, target_position);
}

std::string ListenAddressError(std::string_view address) {
  std::string error;
  const std::optional<ListenAddress> listen = ParseListenAddress(address, &error);
  if (!listen) {
    return error;
  }
  // ":PORT" is every interface; a named host must be one a URL could name.
  return listen->host.empty() ? "" : loadgen::HostError(listen->host);
}

std::string UrlError(std::string_view url) { return loadgen::UrlError(url); }

}  // namespace infercost
