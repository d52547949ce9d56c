#include "serve/target_load.h"

#include <algorithm>
#include <sstream>

#include "loadgen/descriptors.h"

namespace infercost {

std::string LoadFingerprint(const TargetConfig& t) {
  std::ostringstream out;
  const loadgen::RequestSpec& r = t.request;
  out << Name(t.kind) << ' ' << r.url << '\n' << r.method << '\n';
  for (const std::string& h : r.headers) out << h << '\n';
  out << r.timeout.count() << ' ' << r.expect.status << ' ' << r.expect.body_contains << ' '
      << r.expect.max_body_bytes << ' ' << r.cold_start.header << ' '
      << (r.cold_start.latency_above ? r.cold_start.latency_above->count() : -1) << ' '
      << r.billed_duration_header << ' ' << r.verify_tls << '\n';
  if (r.sigv4) {
    out << r.sigv4->provider << ' ' << r.sigv4->access_key << ' ' << r.sigv4->secret_key << ' '
        << r.sigv4->session_token << ' ' << static_cast<const void*>(r.sigv4->credentials.get())
        << '\n';
  }
  const loadgen::PayloadSpec& b = t.body;
  out << b.file << ' ' << b.image_dir << ' ' << static_cast<int>(b.encoding) << ' ' << b.field
      << ' ' << b.inline_body << ' ' << b.content_type << '\n';
  const loadgen::LoadPlan& l = t.load;
  out << l.repeat << ' ' << (l.max_requests ? static_cast<int64_t>(*l.max_requests) : -1) << ' '
      << l.seed << ' ' << l.max_in_flight << '\n';
  for (const loadgen::Stage& s : l.stages) {
    out << static_cast<int>(s.kind) << ' ' << s.duration.count() << ' ' << s.concurrency << ' '
        << s.rate << ' ' << static_cast<int>(s.arrival) << '\n';
  }
  out << t.csv;
  return out.str();
}

uint64_t DescriptorsNeeded(const Config& config, uint64_t own_descriptors) {
  // The configured threads: a change takes effect only at restart, but the difference is a few
  // descriptors, well within own_descriptors' margin.
  const auto threads = static_cast<uint64_t>(std::max(1, config.threads));
  uint64_t needed = own_descriptors + loadgen::kDescriptorsPerWorker * threads;
  for (const TargetConfig& target : config.targets) {
    needed +=
        static_cast<uint64_t>(loadgen::ConnectionsFor(target.load)) + (target.csv.empty() ? 0 : 1);
  }
  return needed;
}

}  // namespace infercost
