// How a running sweep shows itself: on a terminal, a status block redrawn in place with finished
// steps scrolling above it; otherwise one plain line per finished step.
// Thread contract: every method may be called from any thread.
#ifndef INFERCOST_SWEEP_PROGRESS_H_
#define INFERCOST_SWEEP_PROGRESS_H_

#include <mutex>
#include <string>
#include <vector>

#include "sweep/runner.h"

namespace infercost {

class SweepProgress {
 public:
  explicit SweepProgress(bool terminal) : terminal_(terminal) {}

  // One finished step or event: printed now, or above the next redraw on a terminal.
  void Event(const std::string& line);
  // Redraws the block (terminal only): erase the last one, print new events, draw the status.
  void Draw(const std::vector<LiveStatus>& live);

 private:
  const bool terminal_;
  std::mutex mu_;
  std::vector<std::string> pending_;
  int drawn_lines_ = 0;
};

}  // namespace infercost

#endif  // INFERCOST_SWEEP_PROGRESS_H_
