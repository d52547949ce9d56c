// The fuzz targets: one function per input the outside world hands infercost. Each runs the
// parser (and what depends on its result) on arbitrary bytes and aborts on a broken invariant;
// sanitizers catch the rest. Linked into a libFuzzer binary each (fuzz_main.cc, the `fuzz`
// preset) and into fuzz_replay_test, which replays the seed corpora and every crash reproducer
// under the ordinary build.
#ifndef INFERCOST_TESTS_FUZZ_TARGETS_H_
#define INFERCOST_TESTS_FUZZ_TARGETS_H_

#include <string_view>

namespace infercost::fuzz {

void FuzzConfig(std::string_view text);        // config YAML: strict reader + validation
void FuzzWebConfig(std::string_view text);     // web-config YAML, then a login against it
void FuzzResponse(std::string_view bytes);     // a raw HTTP response through libcurl + Transfer
void FuzzDuration(std::string_view text);      // ParseDuration/FormatDuration, billed duration
void FuzzUrl(std::string_view text);           // URL, host, port and listen-address checks
void FuzzLambdaReport(std::string_view text);  // Lambda's REPORT line
void FuzzBase64(std::string_view bytes);       // the decoder, and encode/decode round trips

// Aborts with `what` when `condition` is false (a finding, like a sanitizer report).
void Require(bool condition, const char* what);

}  // namespace infercost::fuzz

#endif  // INFERCOST_TESTS_FUZZ_TARGETS_H_
