#include "loadgen/csv.h"

#include <cerrno>
#include <charconv>
#include <cstring>

#include "loadgen/billed_duration.h"

namespace loadgen {
namespace {

constexpr std::size_t kFlushBytes = 256 * 1024;
constexpr const char* kHeader =
    "target,scheduled_unix_ns,sent_unix_ns,latency_ms,schedule_lag_ms,status,outcome,bytes_sent,"
    "bytes_received,cold_start,billed_ms,init_duration_ms,max_memory_used_mb\n";

std::string CsvField(std::string text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

void AppendInt(std::string* out, int64_t value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out->append(buf, end);
}

void AppendUint(std::string* out, uint64_t value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out->append(buf, end);
}

// Nanoseconds as milliseconds with three decimals (microsecond resolution), exactly, without
// going through floating point.
void AppendMs(std::string* out, int64_t ns) {
  if (ns < 0) {
    out->push_back('-');
    ns = -ns;
  }
  const int64_t us = (ns + 500) / 1000;
  AppendInt(out, us / 1000);
  const auto frac = static_cast<int>(us % 1000);
  const char digits[3] = {static_cast<char>('0' + frac / 100),
                          static_cast<char>('0' + frac / 10 % 10),
                          static_cast<char>('0' + frac % 10)};
  out->push_back('.');
  out->append(digits, 3);
}

}  // namespace

std::shared_ptr<CsvFile> CsvFile::Open(const std::string& path, std::string* error) {
  std::FILE* file = std::fopen(path.c_str(), "w");
  if (file == nullptr) {
    *error = "cannot write CSV file " + path + ": " + std::strerror(errno);
    return nullptr;
  }
  std::shared_ptr<CsvFile> csv(new CsvFile(file, path));
  // Flushed at once, so that a file that cannot take a single row (/dev/full, a full disk) is
  // refused now rather than found out after the run.
  if (!csv->Append(kHeader) || !csv->FlushNow()) {
    *error = csv->error();
    return nullptr;
  }
  return csv;
}

CsvFile::~CsvFile() { Close(); }

bool CsvFile::FlushNow() {
  std::lock_guard lock(mu_);
  if (file_ == nullptr) return false;
  if (std::fflush(file_) != 0) {
    if (error_.empty()) error_ = "error writing CSV file " + path_ + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

bool CsvFile::Append(std::string_view block) {
  std::lock_guard lock(mu_);
  if (file_ == nullptr) {
    if (error_.empty()) error_ = "CSV file " + path_ + " is already closed";
    return false;
  }
  if (std::fwrite(block.data(), 1, block.size(), file_) != block.size()) {
    if (error_.empty()) error_ = "error writing CSV file " + path_ + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

bool CsvFile::Close() {
  std::lock_guard lock(mu_);
  if (file_ == nullptr) return error_.empty();
  const bool flushed = std::fflush(file_) == 0;
  const int saved_errno = errno;
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  if ((!flushed || !closed) && error_.empty()) {
    error_ =
        "error writing CSV file " + path_ + ": " + std::strerror(flushed ? errno : saved_errno);
  }
  return error_.empty();
}

std::string CsvFile::error() const {
  std::lock_guard lock(mu_);
  return error_;
}

CsvRecorder::CsvRecorder(const std::string& path, std::string target_name)
    : owns_file_(true), target_name_(CsvField(std::move(target_name))) {
  file_ = CsvFile::Open(path, &error_);
  Init();
}

CsvRecorder::CsvRecorder(std::shared_ptr<CsvFile> file, std::string target_name)
    : file_(std::move(file)), target_name_(CsvField(std::move(target_name))) {
  if (file_ == nullptr) error_ = "no CSV file";
  Init();
}

void CsvRecorder::Init() {
  using std::chrono::duration_cast;
  using std::chrono::nanoseconds;
  using std::chrono::system_clock;
  // One conversion offset for the whole run: rows stay consistent with each other even if the
  // wall clock is stepped meanwhile.
  steady_to_unix_ns_ = duration_cast<nanoseconds>(system_clock::now().time_since_epoch()).count() -
                       duration_cast<nanoseconds>(Clock::now().time_since_epoch()).count();
  buffer_.reserve(kFlushBytes + 512);
}

CsvRecorder::~CsvRecorder() { Close(); }

void CsvRecorder::AppendRow(Clock::time_point scheduled_at, const RequestRecord* record) {
  std::string& b = buffer_;
  b += target_name_;
  b += ',';
  AppendInt(&b, scheduled_at.time_since_epoch().count() + steady_to_unix_ns_);
  b += ',';
  if (record != nullptr) {
    AppendInt(&b, record->sent_at.time_since_epoch().count() + steady_to_unix_ns_);
    b += ',';
    AppendMs(&b, record->Latency().count());
    b += ',';
    AppendMs(&b, record->ScheduleLag().count());
    b += ',';
    AppendInt(&b, record->http_status);
    b += ',';
    b += OutcomeName(record->outcome);
    b += ',';
    AppendUint(&b, record->bytes_sent);
    b += ',';
    AppendUint(&b, record->bytes_received);
    b += record->cold_start ? ",1," : ",0,";
    if (record->billed_duration.has_value()) {
      AppendInt(&b, static_cast<int64_t>(RoundBilledMs(*record->billed_duration)));
    }
    b += ',';
    if (record->report.has_value() && record->report->init_duration.has_value()) {
      AppendMs(&b, record->report->init_duration->count());
    }
    b += ',';
    if (record->report.has_value()) AppendInt(&b, record->report->max_memory_used_mb);
  } else {
    b += ",,,0,dropped,0,0,0,,,";
  }
  b += '\n';
  if (b.size() >= kFlushBytes) Flush();
}

void CsvRecorder::OnRequestDone(const RequestRecord& record) {
  AppendRow(record.scheduled_at, &record);
}

void CsvRecorder::OnDropped(Clock::time_point scheduled_at) { AppendRow(scheduled_at, nullptr); }

bool CsvRecorder::Flush() {
  if (buffer_.empty()) return ok();
  if (file_ == nullptr) {
    buffer_.clear();
    return false;
  }
  if (!file_->Append(buffer_)) {
    write_errors_.fetch_add(1, std::memory_order_relaxed);
    if (error_.empty()) error_ = file_->error();
  }
  buffer_.clear();
  return ok();
}

bool CsvRecorder::Close() {
  Flush();
  if (file_ != nullptr && owns_file_ && !file_->Close()) {
    write_errors_.fetch_add(1, std::memory_order_relaxed);
    if (error_.empty()) error_ = file_->error();
  }
  return ok();
}

}  // namespace loadgen
