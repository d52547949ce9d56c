// Per-request CSV output (`--csv FILE`): one row per finished request.
#ifndef LOADGEN_CSV_H_
#define LOADGEN_CSV_H_

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "loadgen/record.h"

namespace loadgen {

// An open CSV file with its header row written, shared by the CsvRecorders of a target that is
// sharded over several workers. Thread-safe: each recorder appends whole blocks of rows under the
// file's mutex, so rows never interleave mid-line.
class CsvFile {
 public:
  // Opens (truncates) `path` and writes the header; null with `*error` set when that fails.
  static std::shared_ptr<CsvFile> Open(const std::string& path, std::string* error);
  ~CsvFile();
  CsvFile(const CsvFile&) = delete;
  CsvFile& operator=(const CsvFile&) = delete;

  bool Append(std::string_view block);  // false (and error() set) when the write failed
  bool Close();                         // flushes and closes; later appends fail
  bool FlushNow();                      // writes what stdio holds; false (error() set) on failure
  std::string error() const;

 private:
  CsvFile(std::FILE* file, std::string path) : file_(file), path_(std::move(path)) {}
  mutable std::mutex mu_;
  std::FILE* file_;
  std::string path_;
  std::string error_;
};

// Columns: target, scheduled_unix_ns, sent_unix_ns, latency_ms, schedule_lag_ms, status, outcome,
// bytes_sent, bytes_received, cold_start, billed_ms, init_duration_ms, max_memory_used_mb. Times
// are converted from the steady clock to Unix time once, at construction. Latency and lag are in
// milliseconds with microsecond resolution; cold_start is 0 or 1; billed_ms is AWS's billed
// duration (Lambda's REPORT line, else the billed-duration header) as AWS bills it (RoundBilledMs:
// rounded up to whole ms), empty when the response carried neither; init_duration_ms (the REPORT
// line's Init Duration, microsecond resolution) and max_memory_used_mb (its Max Memory Used) are
// empty without a REPORT line, and init_duration_ms also on a warm start. A dropped open-loop
// arrival is a row too, with outcome `dropped`, its scheduled time and empty send time, latency and
// lag: nothing is silently left out. Thread contract: one writer thread; Flush/Close from the same
// thread, or after that thread has stopped. Rows are buffered and written in large blocks.
class CsvRecorder : public Recorder {
 public:
  // Opens (truncates) `path` and writes the header. ok() tells whether that worked; error()
  // says why not.
  CsvRecorder(const std::string& path, std::string target_name);
  // Writes into a file shared with other recorders.
  CsvRecorder(std::shared_ptr<CsvFile> file, std::string target_name);
  ~CsvRecorder() override;
  bool ok() const { return file_ != nullptr && error_.empty(); }
  const std::string& error() const { return error_; }
  // Blocks of rows that could not be written (a full disk, /dev/full), counted as they happen.
  // Thread-safe, as is file_error(): the service reads them while the worker writes.
  uint64_t write_errors() const { return write_errors_.load(std::memory_order_relaxed); }
  // The first write error of the file ("" while there is none).
  std::string file_error() const { return file_ != nullptr ? file_->error() : error_; }

  void OnRequestDone(const RequestRecord& record) override;
  void OnDropped(Clock::time_point scheduled_at) override;
  void OnStage(int, const Stage&, bool) override {}
  void OnTick(Clock::time_point, int) override {}
  Clock::time_point NextTick(Clock::time_point) const override {
    return Clock::time_point::max();  // rows are written as requests finish
  }
  bool Flush();
  bool Close();

 private:
  void Init();
  void AppendRow(Clock::time_point scheduled_at, const RequestRecord* record);

  std::shared_ptr<CsvFile> file_;
  bool owns_file_ = false;   // Close() closes the file only when this recorder opened it
  std::string target_name_;  // already quoted for CSV when it needs to be
  std::string error_;
  std::string buffer_;
  int64_t steady_to_unix_ns_ = 0;
  std::atomic<uint64_t> write_errors_{0};
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
  Clock::time_point NextTick(Clock::time_point now) const override {
    return std::min(first_->NextTick(now), second_->NextTick(now));
  }

 private:
  Recorder* first_;
  Recorder* second_;
};

}  // namespace loadgen

#endif  // LOADGEN_CSV_H_
