// The one file of infercost's exporter that includes yaml-cpp.
#include "common/yaml.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <sstream>
#include <unordered_map>
#include <utility>

#include "common/duration.h"
#include "common/text.h"

namespace infercost {
namespace {

using std::chrono::nanoseconds;

// Aliases are expanded into copies; this bounds what a small file of nested aliases (a "billion
// laughs") can make of it.
constexpr std::size_t kMaxNodes = 1'000'000;

char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

std::size_t EditDistance(std::string_view a, std::string_view b) {
  // Levenshtein, case-insensitive, one row at a time.
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) {
    row[j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t substitute = diagonal + (Lower(a[i - 1]) == Lower(b[j - 1]) ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitute});
      diagonal = above;
    }
  }
  return row[b.size()];
}

bool StartsWithIgnoringCase(std::string_view text, std::string_view prefix) {
  if (prefix.size() > text.size()) {
    return false;
  }
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (Lower(text[i]) != Lower(prefix[i])) {
      return false;
    }
  }
  return true;
}

std::string TooDeep() {
  return "invalid YAML: maps and lists nest more than " + std::to_string(kMaxYamlDepth) +
         " levels deep here; flatten the file";
}

// A number as a user would write it: 5, 0.5, 1e+06.
std::string Number(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

template <typename T>
std::errc ParseNumber(std::string_view text, T* value) {
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
  }
  if (text.empty()) {
    return std::errc::invalid_argument;
  }
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *value);
  if (ec == std::errc() && end != text.data() + text.size()) {
    return std::errc::invalid_argument;
  }
  return ec;
}

YamlMark MarkOf(const YAML::Mark& mark) {
  if (mark.line < 0) {
    return {};
  }
  return {mark.line + 1, mark.column + 1};
}

// Copies yaml-cpp's tree into ours; false when it would exceed kMaxNodes or kMaxYamlDepth (and
// `*too_deep` is set then, with where).
bool Convert(const YAML::Node& in, YamlNode* out, std::size_t* budget, int depth,
             std::optional<YamlMark>* too_deep) {
  if (*budget == 0) {
    return false;
  }
  if (depth > kMaxYamlDepth) {
    *too_deep = MarkOf(in.Mark());
    return false;
  }
  --*budget;
  out->mark = MarkOf(in.Mark());
  switch (in.Type()) {
    case YAML::NodeType::Scalar:
      out->kind = YamlNode::Kind::kScalar;
      out->text = in.Scalar();
      out->quoted = in.Tag() == "!";
      return true;
    case YAML::NodeType::Sequence:
      out->kind = YamlNode::Kind::kSequence;
      out->items.resize(in.size());
      for (std::size_t i = 0; i < in.size(); ++i) {
        if (!Convert(in[i], &out->items[i], budget, depth + 1, too_deep)) {
          return false;
        }
      }
      return true;
    case YAML::NodeType::Map:
      out->kind = YamlNode::Kind::kMap;
      for (auto it = in.begin(); it != in.end(); ++it) {
        YamlEntry& entry = out->entries.emplace_back();
        if (!Convert(it->first, &entry.key, budget, depth + 1, too_deep) ||
            !Convert(it->second, &entry.value, budget, depth + 1, too_deep)) {
          return false;
        }
      }
      return true;
    default:
      out->kind = YamlNode::Kind::kNull;
      return true;
  }
}

// What yaml-cpp makes of a file: how many documents it holds (counting stops at two), the first
// one, and where the second one's root is.
struct Documents {
  int count = 0;
  YAML::Node first;
  YAML::Mark second;
};

// Counts documents and notes the root of the second: a parser's events, no tree.
class DocumentCounter : public YAML::EventHandler {
 public:
  explicit DocumentCounter(Documents* out) : out_(out) {}
  void OnDocumentStart(const YAML::Mark&) override { ++started_; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { Root(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { Root(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string&) override {
    Root(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    Root(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    Root(mark);
  }
  void OnMapEnd() override {}

 private:
  void Root(const YAML::Mark& mark) {
    if (started_ == 2 && !second_seen_) {
      out_->second = mark;
      second_seen_ = true;
    }
  }
  Documents* out_;
  int started_ = 0;
  bool second_seen_ = false;
};

// Not YAML::LoadAll: yaml-cpp 0.7's LoadAll never ends (and allocates without bound) on a
// document whose root it cannot read, such as "&a," or ",": the parser reports a document without
// consuming the token, again and again (fixed in yaml-cpp after 0.8). Here the parser is asked
// for at most two documents, and YAML::Load builds only the first.
Documents LoadDocuments(const std::string& text) {
  Documents documents;
  DocumentCounter counter(&documents);
  std::istringstream in(text);
  YAML::Parser parser(in);
  while (documents.count < 2 && parser.HandleNextDocument(counter)) ++documents.count;
  if (documents.count > 0) documents.first = YAML::Load(text);
  return documents;
}

}  // namespace

using yaml::Closest;
using yaml::Describe;
using yaml::Join;
using yaml::Quote;

// ---- words ---------------------------------------------------------------------------------

std::string YamlError::ToString() const {
  if (line == 0) {
    return file + ": " + message;
  }
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

namespace yaml {

std::string Describe(const YamlNode& node) {
  switch (node.kind) {
    case YamlNode::Kind::kMap:
      return "a map";
    case YamlNode::Kind::kSequence:
      return "a list";
    case YamlNode::Kind::kScalar:
      return Quote(node.text);
    case YamlNode::Kind::kNull:
      break;
  }
  return "nothing";
}

std::string Quote(std::string_view text) { return "'" + EscapeForMessage(text) + "'"; }

std::string Join(std::span<const std::string_view> words, std::string_view separator) {
  std::string out;
  for (std::string_view w : words) {
    if (!out.empty()) {
      out += separator;
    }
    out += w;
  }
  return out;
}

std::optional<std::string_view> Closest(std::string_view word,
                                        std::span<const std::string_view> candidates) {
  const std::size_t max_edits = word.size() <= 3 ? 1 : word.size() <= 6 ? 2 : 3;
  std::optional<std::string_view> best;
  std::size_t best_edits = max_edits + 1;
  for (std::string_view candidate : candidates) {
    std::size_t edits = EditDistance(word, candidate);
    if (word.size() >= 3 && StartsWithIgnoringCase(candidate, word)) {
      edits = std::min(edits, max_edits);
    }
    if (edits < best_edits) {
      best = candidate;
      best_edits = edits;
    }
  }
  return best;
}

std::errc ParseYamlNumber(std::string_view text, int64_t* value) {
  return ParseNumber(text, value);
}
std::errc ParseYamlNumber(std::string_view text, uint64_t* value) {
  return ParseNumber(text, value);
}
std::errc ParseYamlNumber(std::string_view text, double* value) { return ParseNumber(text, value); }

}  // namespace yaml

YamlMark YamlField::Where() const { return value->IsNull() ? key->mark : value->mark; }

const YamlField* YamlFields::Find(std::string_view name) const {
  for (const YamlField& f : entries) {
    if (f.name == name) {
      return &f;
    }
  }
  return nullptr;
}

std::optional<std::string> ReadYamlFile(const std::string& path, std::string* text) {
  // O_NONBLOCK: opening a FIFO without a writer must not hang start-up (or a reload) where no
  // signal can end it; a regular file ignores the flag.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    return std::string("cannot read: ") + std::strerror(errno);
  }
  struct stat st {};
  std::optional<std::string> error;
  if (::fstat(fd, &st) != 0) {
    error = std::string("cannot read: ") + std::strerror(errno);
  } else if (S_ISDIR(st.st_mode)) {
    error = "is a directory, not a file";
  } else if (!S_ISREG(st.st_mode)) {
    error = "is not a regular file (a device, FIFO or socket could block or never end)";
  } else if (static_cast<uint64_t>(st.st_size) > kMaxYamlFileBytes) {
    error = "is " + std::to_string(st.st_size) + " bytes; the limit is " +
            std::to_string(kMaxYamlFileBytes) + " bytes";
  }
  text->clear();
  char buffer[65536];
  while (!error) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = std::string("cannot read: ") + std::strerror(errno);
    } else if (n == 0) {
      break;
    } else if (text->size() + static_cast<std::size_t>(n) > kMaxYamlFileBytes) {
      error = "grew past the limit of " + std::to_string(kMaxYamlFileBytes) + " bytes";
    } else {
      text->append(buffer, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  return error;
}

// ---- the reader ----------------------------------------------------------------------------

YamlReader::YamlReader(std::string file, std::span<const YamlSection> sections)
    : file_(std::move(file)), sections_(sections) {}

std::optional<YamlNode> YamlReader::ReadDocument(std::string_view text, std::string_view what) {
  if (const std::size_t bad = FindInvalidUtf8(text); bad != std::string_view::npos) {
    // yaml-cpp would pass the bytes on; every string read must be UTF-8 (JSON, logs, the page).
    const std::string_view before = text.substr(0, bad);
    const auto line = static_cast<int>(std::count(before.begin(), before.end(), '\n'));
    const std::size_t line_start =
        before.rfind('\n') == std::string_view::npos ? 0 : before.rfind('\n') + 1;
    Fail({line + 1, static_cast<int>(bad - line_start) + 1},
         "invalid UTF-8 (byte " + EscapeForMessage(text.substr(bad, 1)) + "); a " +
             std::string(what) + " must be UTF-8 text");
    return std::nullopt;
  }
  Documents documents;
  try {
    documents = LoadDocuments(std::string(text));
  } catch (const YAML::DeepRecursion& e) {
    Fail(MarkOf(e.mark), TooDeep());
    return std::nullopt;
  } catch (const YAML::Exception& e) {
    Fail(MarkOf(e.mark), "invalid YAML: " + e.msg);
    return std::nullopt;
  }
  YamlNode root;
  if (documents.count == 0) {
    return root;
  }
  if (documents.count > 1 && !documents.first.IsNull()) {
    Fail(MarkOf(documents.second), "a " + std::string(what) +
                                       " is one YAML document; remove everything from this "
                                       "one on");
    return std::nullopt;
  }
  std::size_t budget = kMaxNodes;
  std::optional<YamlMark> too_deep;
  if (!Convert(documents.first, &root, &budget, 1, &too_deep)) {
    if (too_deep) {
      Fail(*too_deep, TooDeep());
      return std::nullopt;
    }
    Fail({},
         "invalid YAML: its aliases expand to more than " + std::to_string(kMaxNodes) + " nodes");
    return std::nullopt;
  }
  return root;
}

void YamlReader::Fail(const YamlMark& mark, std::string message) {
  errors_.push_back(
      YamlError{file_, mark.line, mark.line == 0 ? 0 : mark.column, std::move(message)});
}

std::vector<YamlError> YamlReader::TakeErrors() {
  std::stable_sort(errors_.begin(), errors_.end(), [](const YamlError& a, const YamlError& b) {
    auto key = [](const YamlError& e) {
      return std::pair(e.line == 0 ? std::numeric_limits<int>::max() : e.line, e.column);
    };
    return key(a) < key(b);
  });
  return std::move(errors_);
}

std::string YamlReader::UnknownKey(std::string_view key, std::string_view what,
                                   std::span<const std::string_view> allowed) const {
  const std::string head = "unknown key " + Quote(key) + " in " + std::string(what);
  if (key == "<<") {
    return head + "; YAML merge keys are not supported, write the keys out";
  }
  if (std::optional<std::string_view> close = Closest(key, allowed)) {
    return head + "; did you mean " + Quote(*close) + "?";
  }
  std::vector<std::string_view> elsewhere;
  for (const YamlSection& section : sections_) {
    if (section.name == what) {
      continue;
    }
    if (std::find(section.keys.begin(), section.keys.end(), key) != section.keys.end()) {
      elsewhere.push_back(section.name);
    }
  }
  if (!elsewhere.empty()) {
    return head + "; it belongs in " + Join(elsewhere, " or ");
  }
  return head + " (allowed: " + Join(allowed) + ")";
}

YamlFields YamlReader::Keys(const YamlNode& map, const YamlMark& anchor, std::string_view what,
                            std::span<const std::string_view> allowed) {
  YamlFields fields;
  fields.anchor = anchor;
  std::unordered_map<std::string_view, int> seen;
  for (const YamlEntry& entry : map.entries) {
    const YamlNode& key = entry.key;
    if (!key.IsScalar()) {
      Fail(key.mark, "keys in " + std::string(what) + " must be names, got " + Describe(key));
      continue;
    }
    const std::string& name = key.text;
    const bool known = allowed.empty()
                           ? name != "<<"
                           : std::find(allowed.begin(), allowed.end(), name) != allowed.end();
    if (!known) {
      Fail(key.mark, UnknownKey(name, what, allowed));
      if (auto close = Closest(name, allowed)) {
        fields.suggested.push_back(*close);
      }
      continue;
    }
    // A map from name to first place, so that a map of many keys is checked in linear time.
    const auto [first, inserted] = seen.emplace(name, key.mark.line);
    if (!inserted) {
      Fail(key.mark, "duplicate key " + Quote(name) + " (first at line " +
                         std::to_string(first->second) + ")");
      continue;
    }
    fields.entries.push_back(YamlField{name, &entry.key, &entry.value});
  }
  return fields;
}

std::optional<YamlFields> YamlReader::Map(const YamlField& f, std::string_view what,
                                          std::span<const std::string_view> allowed) {
  if (!f.value->IsMap()) {
    Fail(f.Where(), f.name + ": expected a map, got " + Describe(*f.value));
    return std::nullopt;
  }
  return Keys(*f.value, f.key->mark, what, allowed);
}

const YamlField* YamlReader::Require(const YamlFields& fields, std::string_view key,
                                     std::string_view message) {
  const YamlField* f = fields.Find(key);
  const bool misspelt =
      std::find(fields.suggested.begin(), fields.suggested.end(), key) != fields.suggested.end();
  if (f == nullptr && !misspelt) {
    Fail(fields.anchor, std::string(message));
  }
  return f;
}

std::optional<std::string> YamlReader::Expand(const std::string& written, const YamlMark&,
                                              std::string_view, std::vector<std::string>*) {
  return written;
}

void YamlReader::OnStringRead(const std::vector<std::string>&) {}

std::optional<YamlScalar> YamlReader::ReadScalar(const YamlField& f, std::string_view expected) {
  if (!f.value->IsScalar()) {
    Fail(f.Where(), f.name + ": expected " + std::string(expected) + ", got " + Describe(*f.value));
    return std::nullopt;
  }
  YamlScalar s;
  s.written = f.value->text;
  s.mark = f.value->mark;
  std::optional<std::string> text = Expand(s.written, s.mark, f.name, &s.substituted);
  if (!text) {
    return std::nullopt;
  }
  s.text = std::move(*text);
  if (!IsValidUtf8(s.text)) {
    // ReadDocument checked the file's bytes (and yaml-cpp refuses escapes that name no
    // character): only a ${VAR} can bring others. Its value stays unshown.
    Fail(s.mark, f.name + ": a variable in " + Quote(s.written) +
                     " holds bytes that are not UTF-8; every string must be UTF-8 text");
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> YamlReader::String(const YamlField& f) {
  std::optional<YamlScalar> s = ReadScalar(f, "a string");
  if (!s) {
    return std::nullopt;
  }
  OnStringRead(s->substituted);
  return std::move(s->text);
}

std::optional<int64_t> YamlReader::Integer(const YamlField& f, int64_t min, int64_t max,
                                           std::string_view note) {
  std::optional<YamlScalar> s = ReadScalar(f, "an integer");
  if (!s) {
    return std::nullopt;
  }
  int64_t value = 0;
  const std::errc ec = ParseNumber(s->text, &value);
  if (ec != std::errc() && ec != std::errc::result_out_of_range) {
    Fail(s->mark, f.name + ": expected an integer, got " + Quote(s->written));
    return std::nullopt;
  }
  if (ec == std::errc::result_out_of_range || value < min || value > max) {
    const std::string range =
        max == std::numeric_limits<int64_t>::max()
            ? "must be at least " + std::to_string(min)
            : "must be from " + std::to_string(min) + " to " + std::to_string(max);
    Fail(s->mark, f.name + ": " + range + std::string(note) + ", got " + s->written);
    return std::nullopt;
  }
  return value;
}

std::optional<uint64_t> YamlReader::Unsigned(const YamlField& f) {
  std::optional<YamlScalar> s = ReadScalar(f, "an integer");
  if (!s) {
    return std::nullopt;
  }
  uint64_t value = 0;
  if (ParseNumber(s->text, &value) != std::errc()) {
    Fail(s->mark,
         f.name + ": expected an integer from 0 to 18446744073709551615, got " + Quote(s->written));
    return std::nullopt;
  }
  return value;
}

std::optional<double> YamlReader::Real(const YamlField& f, NumberRange range,
                                       std::string_view unit) {
  std::optional<YamlScalar> s = ReadScalar(f, "a number");
  if (!s) {
    return std::nullopt;
  }
  double value = 0;
  if (ParseNumber(s->text, &value) != std::errc() || !std::isfinite(value)) {
    Fail(s->mark, f.name + ": expected a number, got " + Quote(s->written));
    return std::nullopt;
  }
  const bool too_low = range.min_exclusive ? value <= range.min : value < range.min;
  if (too_low) {
    const std::string bound = range.min_exclusive ? "greater than " : "at least ";
    Fail(s->mark, f.name + ": must be " + bound + Number(range.min) + ", got " + s->written);
    return std::nullopt;
  }
  if (value > range.max) {
    Fail(s->mark, f.name + ": must be at most " + Number(range.max) + std::string(unit) + ", got " +
                      s->written);
    return std::nullopt;
  }
  return value;
}

std::optional<bool> YamlReader::Bool(const YamlField& f) {
  std::optional<YamlScalar> s = ReadScalar(f, "true or false");
  if (!s) {
    return std::nullopt;
  }
  std::string lower;
  for (char c : s->text) {
    lower += Lower(c);
  }
  if (lower == "true") {
    return true;
  }
  if (lower == "false") {
    return false;
  }
  Fail(s->mark, f.name + ": expected true or false, got " + Quote(s->written));
  return std::nullopt;
}

std::optional<nanoseconds> YamlReader::Duration(const YamlField& f, nanoseconds min,
                                                bool min_exclusive, nanoseconds max) {
  std::optional<YamlScalar> s = ReadScalar(f, "a duration");
  if (!s) {
    return std::nullopt;
  }
  bool too_long = false;
  std::optional<nanoseconds> d = ParseDuration(s->text, &too_long);
  if (!d && too_long) {
    Fail(s->mark, f.name + ": must be at most " + FormatDuration(max) + ", got " + s->written);
    return std::nullopt;
  }
  if (!d) {
    Fail(s->mark, f.name + ": " + Quote(s->written) +
                      " is not a duration; write e.g. 500ms, 30s, 5m, 1h or 1m30s");
    return std::nullopt;
  }
  if (min_exclusive ? *d <= min : *d < min) {
    const std::string bound =
        min_exclusive ? "greater than " + FormatDuration(min) : "at least " + FormatDuration(min);
    Fail(s->mark,
         f.name + ": must be " +
             (min == nanoseconds(0) && min_exclusive ? std::string("greater than 0") : bound) +
             ", got " + s->written);
    return std::nullopt;
  }
  if (*d > max) {
    Fail(s->mark, f.name + ": must be at most " + FormatDuration(max) + ", got " + s->written);
    return std::nullopt;
  }
  return d;
}

std::optional<std::size_t> YamlReader::Choice(const YamlField& f,
                                              std::span<const std::string_view> names,
                                              std::string_view expected) {
  std::optional<YamlScalar> s = ReadScalar(f, expected);
  if (!s) {
    return std::nullopt;
  }
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == s->text) {
      return i;
    }
  }
  std::string message = f.name + ": " + Quote(s->written) + " is not one of " + Join(names);
  if (std::optional<std::string_view> close = Closest(s->text, names)) {
    message += "; did you mean " + Quote(*close) + "?";
  }
  Fail(s->mark, message);
  return std::nullopt;
}

}  // namespace infercost
