// What the engine reports: one RequestRecord per finished request, to a Recorder.
#ifndef LOADGEN_RECORD_H_
#define LOADGEN_RECORD_H_

#include <chrono>
#include <cstdint>
#include <optional>

#include "loadgen/lambda_report.h"
#include "loadgen/load.h"
#include "loadgen/outcome.h"

namespace loadgen {

using Clock = std::chrono::steady_clock;

struct RequestRecord {
  Clock::time_point scheduled_at;  // intended send time (open loop); = sent_at in closed loop
  Clock::time_point sent_at;       // when the transfer was handed to libcurl
  Clock::time_point done_at;       // when it finished, whatever the outcome
  Outcome outcome = Outcome::kOk;
  int http_status = 0;  // 0 when no response arrived
  // x-amzn-ErrorType of the response: an error AWS's front door answered itself.
  AwsError aws_error = AwsError::kNone;
  // What AWS bills the request by (BillingClassOf); the cost model's billability table says how.
  BillingClass billing_class = BillingClass::kOk;
  uint64_t bytes_sent = 0;
  uint64_t bytes_received = 0;  // body bytes
  // From AWS's word where there is one: the REPORT line's Init Duration (present or not), else
  // the cold-start header or the latency rule (ColdStartDetection).
  bool cold_start = false;
  // AWS's word, not rounded: the REPORT line's Billed Duration, else the billed-duration header
  // (ParseBilledDuration); empty when the response carried neither.
  std::optional<std::chrono::nanoseconds> billed_duration;
  // The REPORT line of Lambda's Invoke API (Protocol::kLambdaInvoke), when the response had one.
  std::optional<LambdaReport> report;
  bool aborted = false;  // cut short by shutdown (reported as kTimeout)

  // Latency as reported: from the intended send time, so queueing in the generator or the
  // target is never hidden (no coordinated omission).
  std::chrono::nanoseconds Latency() const { return done_at - scheduled_at; }
  // How late the generator sent compared with the schedule.
  std::chrono::nanoseconds ScheduleLag() const { return sent_at - scheduled_at; }
};

// Receives the engine's events for one target. Thread contract: every call for a target comes
// from the one worker thread that runs it, so implementations need no locking for their own
// per-worker state; anything they share with other threads is theirs to protect.
class Recorder {
 public:
  virtual ~Recorder() = default;
  // Exactly once per request that was sent.
  virtual void OnRequestDone(const RequestRecord& record) = 0;
  // An open-loop arrival that was not sent because max_in_flight requests were outstanding.
  virtual void OnDropped(Clock::time_point scheduled_at) = 0;
  // The schedule entered a stage (index into LoadPlan::stages), or paused/resumed.
  virtual void OnStage(int stage_index, const Stage& stage, bool active) = 0;
  // Called by the worker by NextTick (and whenever the target has other work), even when no
  // request finishes: a chance to publish per-worker state. `in_flight` is the target's
  // outstanding request count.
  virtual void OnTick(Clock::time_point now, int in_flight) = 0;
  // When this recorder next needs OnTick, asked after each one: by default 200 ms later. A
  // recorder that publishes once a second says so, and a thousand targets cost the worker a
  // thousand timer wake-ups a second instead of five thousand.
  virtual Clock::time_point NextTick(Clock::time_point now) const {
    return now + std::chrono::milliseconds(200);
  }
};

}  // namespace loadgen

#endif  // LOADGEN_RECORD_H_
