// Per-request CSV output (`--csv FILE`): one row per finished request.
#ifndef LOADGEN_CSV_H_
#define LOADGEN_CSV_H_

#include <cstdio>
#include <string>

#include "loadgen/record.h"

namespace loadgen {

// Columns: target, scheduled_unix_ns, sent_unix_ns, latency_ms, schedule_lag_ms, status, outcome,
// bytes_sent, bytes_received, cold_start, billed_ms. Times are converted from the steady clock to
// Unix time once, at construction. Thread contract: one writer thread; Flush/Close from the same
// thread, or after that thread has stopped. Rows are buffered and written in large blocks.
class CsvRecorder : public Recorder {
 public:
  // Opens (truncates) `path` and writes the header. ok() tells whether that worked; error()
  // says why not.
  CsvRecorder(const std::string& path, std::string target_name);
  ~CsvRecorder() override;
  bool ok() const { return file_ != nullptr; }
  const std::string& error() const { return error_; }

  void OnRequestDone(const RequestRecord& record) override;
  void OnDropped(Clock::time_point scheduled_at) override;
  void OnStage(int, const Stage&, bool) override {}
  void OnTick(Clock::time_point, int) override {}
  bool Flush();
  bool Close();

 private:
  std::FILE* file_ = nullptr;
  std::string target_name_;
  std::string error_;
  std::string buffer_;
  int64_t steady_to_unix_ns_ = 0;
};

// Sends every event to two recorders (for example stats and CSV).
class TeeRecorder : public Recorder {
 public:
  TeeRecorder(Recorder* first, Recorder* second) : first_(first), second_(second) {}
  void OnRequestDone(const RequestRecord& r) override {
    first_->OnRequestDone(r);
    second_->OnRequestDone(r);
  }
  void OnDropped(Clock::time_point t) override {
    first_->OnDropped(t);
    second_->OnDropped(t);
  }
  void OnStage(int i, const Stage& s, bool a) override {
    first_->OnStage(i, s, a);
    second_->OnStage(i, s, a);
  }
  void OnTick(Clock::time_point now, int in_flight) override {
    first_->OnTick(now, in_flight);
    second_->OnTick(now, in_flight);
  }

 private:
  Recorder* first_;
  Recorder* second_;
};

}  // namespace loadgen

#endif  // LOADGEN_CSV_H_
