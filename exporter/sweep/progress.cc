#include "sweep/progress.h"

#include <cstdio>

namespace infercost {

void SweepProgress::Event(const std::string& line) {
  std::lock_guard<std::mutex> lock(mu_);
  if (terminal_) {
    pending_.push_back(line);
  } else {
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  }
}

void SweepProgress::Draw(const std::vector<LiveStatus>& live) {
  if (!terminal_) return;
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  if (drawn_lines_ > 0) out += "\x1b[" + std::to_string(drawn_lines_) + "F\x1b[J";
  for (const std::string& line : pending_) out += line + "\n";
  pending_.clear();
  drawn_lines_ = 0;
  for (const LiveStatus& s : live) {
    char line[256];
    std::string clock = FormatNumber(s.phase_elapsed_s, 2) + "s";
    if (s.phase_length_s > 0) clock += "/" + FormatNumber(s.phase_length_s, 2) + "s";
    std::snprintf(line, sizeof line, "  %-20.20s %-44.44s %-14s %s\n", s.target.c_str(),
                  s.phase.c_str(), s.done ? "" : clock.c_str(),
                  s.ips > 0 ? (FormatNumber(s.ips) + " IPS").c_str() : "");
    out += line;
    ++drawn_lines_;
  }
  std::fputs(out.c_str(), stdout);
  std::fflush(stdout);
}

}  // namespace infercost
