// The strict YAML reader every file format of infercost goes through (the config, the price
// catalog, the web config). yaml-cpp parses the text into infercost's own value tree (YamlNode),
// so no header outside common/ names YAML::; YamlReader checks a document against a schema the
// caller spells out key by key and collects every problem as "FILE:LINE:COL: message", reading on
// after an error so that a user sees all of them at once.
//
// Thread contract: YamlNode is a value; a YamlReader is used by one thread for one file.
#ifndef INFERCOST_COMMON_YAML_H_
#define INFERCOST_COMMON_YAML_H_

#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace infercost {

// A place in a file: 1-based line and column; line 0 when the problem is tied to no place.
// Limits of every YAML file infercost reads (see SECURITY.md): its size, and how deeply its maps
// and lists may nest.
inline constexpr std::size_t kMaxYamlFileBytes = std::size_t{4} << 20;
inline constexpr int kMaxYamlDepth = 64;

// Reads the YAML file at `path` into `text`: a regular file (not a directory, device or FIFO,
// which could block or never end) of at most kMaxYamlFileBytes. An error that ends a sentence
// beginning with the path ("is a directory, not a file") otherwise.
std::optional<std::string> ReadYamlFile(const std::string& path, std::string* text);

struct YamlMark {
  int line = 0;
  int column = 0;
};

struct YamlEntry;

// One node of a parsed document. Maps keep their entries in file order, repeated keys included
// (YamlReader::Keys reports them); aliases are expanded.
struct YamlNode {
  enum class Kind { kNull, kScalar, kSequence, kMap };
  Kind kind = Kind::kNull;
  YamlMark mark;
  std::string text;             // a scalar's text, as the YAML parser resolved it
  bool quoted = false;          // a scalar written in quotes (or tagged "!"): text, never a number
  std::vector<YamlNode> items;  // kSequence
  std::vector<YamlEntry> entries;  // kMap

  bool IsNull() const { return kind == Kind::kNull; }
  bool IsScalar() const { return kind == Kind::kScalar; }
  bool IsSequence() const { return kind == Kind::kSequence; }
  bool IsMap() const { return kind == Kind::kMap; }
};

struct YamlEntry {
  YamlNode key;
  YamlNode value;
};

// One problem: FILE:LINE:COL: message, or FILE: message when it is tied to no place.
struct YamlError {
  std::string file;
  int line = 0;  // 1-based; 0 when the error is not tied to a place
  int column = 0;
  std::string message;
  std::string ToString() const;
};

// Words for messages, shared by every reader.
namespace yaml {

// How a user would read a node in a message: a map, a list, nothing, or the scalar in quotes.
std::string Describe(const YamlNode& node);
// 'text'
std::string Quote(std::string_view text);
// "a, b, c"
std::string Join(std::span<const std::string_view> words, std::string_view separator = ", ");
// The candidate a typo most likely meant (case-insensitive, within a few edits scaled by the
// word's length, or a candidate the word is a prefix of, as "x86" for "x86_64").
std::optional<std::string_view> Closest(std::string_view word,
                                        std::span<const std::string_view> candidates);

// Parses all of `text` as a number; a leading '+' is allowed, as in YAML. invalid_argument when
// the text is not entirely a number, result_out_of_range when it does not fit.
std::errc ParseYamlNumber(std::string_view text, int64_t* value);
std::errc ParseYamlNumber(std::string_view text, uint64_t* value);
std::errc ParseYamlNumber(std::string_view text, double* value);

}  // namespace yaml

// One key of a map with its value.
struct YamlField {
  std::string name;
  const YamlNode* key = nullptr;
  const YamlNode* value = nullptr;
  // Where a message about the value points: a null value (`key:` with nothing after it) has no
  // place of its own, so the key's.
  YamlMark Where() const;
};

// The entries of a map whose keys have been checked.
struct YamlFields {
  YamlMark anchor;  // where "missing key" errors point: the key that introduced the map
  std::vector<YamlField> entries;
  // Keys suggested for misspelt ones: their absence has been reported already.
  std::vector<std::string_view> suggested;

  const YamlField* Find(std::string_view name) const;
};

// A section of a schema: the keys a map may hold. Readers give all of them so that an unknown key
// that belongs elsewhere can say where.
struct YamlSection {
  std::string_view name;  // as messages call it
  std::span<const std::string_view> keys;
};

// A scalar after the reader's substitutions (the config's ${VAR}).
struct YamlScalar {
  std::string text;                      // what the value means
  std::string written;                   // as in the file: what messages quote
  std::vector<std::string> substituted;  // the values of the variables that went in
  YamlMark mark;
};

struct NumberRange {
  double min = 0;
  bool min_exclusive = false;
  double max = std::numeric_limits<double>::infinity();
};

// Reads one file. Subclasses add their schema; the helpers below read one key each, report what
// is wrong at its place, and return nullopt then.
class YamlReader {
 public:
  // `sections` is the whole schema, for "it belongs in ..." hints; it must outlive the reader.
  explicit YamlReader(std::string file, std::span<const YamlSection> sections = {});
  virtual ~YamlReader() = default;
  YamlReader(const YamlReader&) = delete;
  YamlReader& operator=(const YamlReader&) = delete;

  // The one document of `text`: a kNull node for an empty file. nullopt (and an error) for text
  // that is not YAML or holds more than one document; `what` names the file in that message
  // ("config" gives "a config is one YAML document; ..."). Text that is not UTF-8, or that nests
  // deeper than kMaxYamlDepth, is refused with where it is.
  std::optional<YamlNode> ReadDocument(std::string_view text, std::string_view what);

  void Fail(const YamlMark& mark, std::string message);
  std::size_t error_count() const { return errors_.size(); }
  // The errors in file order; those tied to no place last.
  std::vector<YamlError> TakeErrors();
  const std::string& file() const { return file_; }

  // Checks a map's keys: names, unique, among `allowed` (any name when `allowed` is empty).
  YamlFields Keys(const YamlNode& map, const YamlMark& anchor, std::string_view what,
                  std::span<const std::string_view> allowed);
  // The map under a key, its keys checked; nullopt (and an error) when the value is not a map.
  std::optional<YamlFields> Map(const YamlField& f, std::string_view what,
                                std::span<const std::string_view> allowed);
  // The key, or nullptr and `message` at the map (unless the key was misspelt and so reported).
  const YamlField* Require(const YamlFields& fields, std::string_view key,
                           std::string_view message);

  // A scalar, its ${VAR}s substituted; refused (nullopt, an error) when it is not UTF-8, so that
  // no string the reader returns can break a JSON or log writer downstream.
  std::optional<YamlScalar> ReadScalar(const YamlField& f, std::string_view expected);
  std::optional<std::string> String(const YamlField& f);
  // An integer from min to max; `note` follows the range in the message.
  std::optional<int64_t> Integer(const YamlField& f, int64_t min, int64_t max,
                                 std::string_view note = "");
  std::optional<uint64_t> Unsigned(const YamlField& f);
  // A finite number in range; `unit` follows the maximum in the message.
  std::optional<double> Real(const YamlField& f, NumberRange range, std::string_view unit = "");
  std::optional<bool> Bool(const YamlField& f);
  std::optional<std::chrono::nanoseconds> Duration(const YamlField& f, std::chrono::nanoseconds min,
                                                   bool min_exclusive,
                                                   std::chrono::nanoseconds max);
  // The index of the value among `names`; "is not one of ..." with a suggestion otherwise.
  std::optional<std::size_t> Choice(const YamlField& f, std::span<const std::string_view> names,
                                    std::string_view expected = "a string");
  // An enumeration spelt by Name(value) (found by argument-dependent lookup in the enum's module).
  template <typename E, std::size_t N>
  std::optional<E> Enum(const YamlField& f, const E (&values)[N]) {
    std::vector<std::string_view> names;
    for (E value : values) {
      names.push_back(Name(value));
    }
    std::optional<std::size_t> i = Choice(f, names);
    if (!i) {
      return std::nullopt;
    }
    return values[*i];
  }

 protected:
  // Substitutes variables in a scalar as written; the identity unless a subclass adds a syntax.
  // Reports its own errors and returns nullopt then.
  virtual std::optional<std::string> Expand(const std::string& written, const YamlMark& mark,
                                            std::string_view key,
                                            std::vector<std::string>* substituted);
  // Called with the substituted values of every string read (the config redacts them).
  virtual void OnStringRead(const std::vector<std::string>& substituted);

 private:
  std::string UnknownKey(std::string_view key, std::string_view what,
                         std::span<const std::string_view> allowed) const;

  std::string file_;
  std::span<const YamlSection> sections_;
  std::vector<YamlError> errors_;
};

}  // namespace infercost

#endif  // INFERCOST_COMMON_YAML_H_
