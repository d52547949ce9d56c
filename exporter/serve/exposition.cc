#include "serve/exposition.h"

#include <prometheus/text_serializer.h>

namespace infercost {

void Exposition::Publish() {
  std::lock_guard publishing(publish_mu_);
  const auto started = Clock::now();
  auto text =
      std::make_shared<const std::string>(prometheus::TextSerializer().Serialize(collect_()));
  const auto finished = Clock::now();
  {
    std::lock_guard lock(text_mu_);
    text_ = std::move(text);
  }
  // Due again once the serialization just made is under kShare of the time since.
  next_due_ = finished + std::chrono::duration_cast<Clock::duration>((finished - started) *
                                                                     (1.0 / kShare - 1.0));
}

void Exposition::PublishIfDue(Clock::time_point now) {
  {
    std::lock_guard publishing(publish_mu_);
    if (now < next_due_) return;
  }
  Publish();
}

std::shared_ptr<const std::string> Exposition::Current() const {
  std::lock_guard lock(text_mu_);
  return text_;
}

}  // namespace infercost
