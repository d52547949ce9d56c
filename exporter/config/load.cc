// The config's reader: a target's load and its stages. See parser.h.
#include <algorithm>
#include <string>

#include "common/duration.h"
#include "config/parser.h"

namespace infercost::config_internal {

void Parser::ReadLoad(const YamlField& f, loadgen::LoadPlan* plan, bool* seeded) {
  std::optional<YamlFields> fields = Map(f, "load", kLoadKeys);
  if (!fields) {
    return;
  }
  plan->repeat = true;
  if (const YamlField* s = Require(*fields, "stages", "load: missing stages")) {
    if (!s->value->IsSequence()) {
      Fail(s->Where(), "stages: expected a list, got " + Describe(*s->value));
    } else if (s->value->items.empty()) {
      Fail(s->Where(), "stages: give at least one stage");
    } else {
      bool complete = true;
      for (const YamlNode& node : s->value->items) {
        std::optional<loadgen::Stage> stage = ReadStage(node);
        if (!stage) {
          complete = false;
          continue;
        }
        plan->stages.push_back(*stage);
      }
      const bool all_idle = std::all_of(
          plan->stages.begin(), plan->stages.end(),
          [](const loadgen::Stage& st) { return st.kind == loadgen::Stage::Kind::kIdle; });
      if (complete && all_idle) {
        Fail(s->key->mark, "stages: every stage is idle, so the target would never be loaded");
      }
      nanoseconds cycle(0);
      for (const loadgen::Stage& stage : plan->stages) {
        cycle += stage.duration;  // each at most kMaxCycle, so this stops long before overflow
        if (cycle > kMaxCycle) break;
      }
      if (complete && cycle > kMaxCycle) {
        Fail(s->key->mark, "stages: together they last " + FormatDuration(cycle) +
                               "; a cycle may last at most " + FormatDuration(kMaxCycle));
      }
    }
  }
  if (const YamlField* s = fields->Find("seed")) {
    if (auto seed = Unsigned(*s)) {
      plan->seed = *seed;
      *seeded = true;
    }
  }
  if (const YamlField* s = fields->Find("max_in_flight")) {
    if (auto max = Integer(*s, 1, kMaxInFlight)) {
      plan->max_in_flight = static_cast<int>(*max);
    }
    const bool open = std::any_of(
        plan->stages.begin(), plan->stages.end(),
        [](const loadgen::Stage& st) { return st.kind == loadgen::Stage::Kind::kOpen; });
    if (!open && !plan->stages.empty()) {
      Fail(s->key->mark, "max_in_flight: applies to rate stages only, and this load has none");
    }
  }
}

std::optional<loadgen::Stage> Parser::ReadStage(const YamlNode& node) {
  if (!node.IsMap()) {
    Fail(node.mark,
         "stages: each stage must be a map like { duration: 5m, concurrency: 4 }, "
         "got " +
             Describe(node));
    return std::nullopt;
  }
  const std::size_t errors_before = error_count();
  const YamlFields fields = Keys(node, node.mark, "stage", kStageKeys);
  loadgen::Stage stage;
  if (const YamlField* f = Require(fields, "duration", "stage: missing duration")) {
    if (auto d = Duration(*f, kMinStageDuration, false, kMaxCycle)) {
      stage.duration = *d;
    }
  }
  std::vector<const YamlField*> kinds;
  for (std::string_view key : {"concurrency", "rate", "idle"}) {
    if (const YamlField* f = fields.Find(key)) {
      kinds.push_back(f);
    }
  }
  if (kinds.empty()) {
    Fail(fields.anchor,
         "stage: give one of concurrency (closed loop), rate (open loop) or idle: true");
  } else if (kinds.size() > 1) {
    Fail(kinds[1]->key->mark, "stage: give only one of concurrency, rate or idle, not both " +
                                  kinds[0]->name + " and " + kinds[1]->name);
  } else if (kinds[0]->name == "concurrency") {
    stage.kind = loadgen::Stage::Kind::kClosed;
    if (auto c = Integer(*kinds[0], 1, kMaxConcurrency)) {
      stage.concurrency = static_cast<int>(*c);
    }
  } else if (kinds[0]->name == "rate") {
    stage.kind = loadgen::Stage::Kind::kOpen;
    if (auto rate = Real(*kinds[0], {loadgen::kMinRate, false, kMaxRate}, " requests per second")) {
      stage.rate = *rate;
    }
  } else {
    stage.kind = loadgen::Stage::Kind::kIdle;
    if (std::optional<bool> idle = Bool(*kinds[0]); idle && !*idle) {
      Fail(kinds[0]->Where(),
           "idle: write idle: true for an idle stage; a loaded stage gives "
           "concurrency or rate instead");
    }
  }
  if (const YamlField* f = fields.Find("arrival")) {
    if (auto arrival = Enum(*f, loadgen::kArrivals)) {
      stage.arrival = *arrival;
    }
    if (kinds.size() == 1 && kinds[0]->name != "rate") {
      Fail(f->key->mark, "arrival: applies to rate stages only");
    }
  }
  if (error_count() != errors_before) {
    return std::nullopt;
  }
  return stage;
}

}  // namespace infercost::config_internal
