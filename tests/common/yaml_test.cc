// The strict YAML reader (common/yaml.h): one small schema read through every helper, each rule
// with its exact message.
#include "common/yaml.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

namespace infercost {
namespace {

using std::chrono::nanoseconds;

constexpr std::string_view kTopKeys[] = {"name", "count", "rate", "on",  "wait",
                                         "seed", "color", "sub",  "list"};
constexpr std::string_view kSubKeys[] = {"alpha", "beta"};
constexpr std::string_view kColors[] = {"red", "green", "blue"};
constexpr YamlSection kSections[] = {{"the top level", kTopKeys}, {"sub", kSubKeys}};

// Reads the schema above; what it read goes to `read` as "key=value" lines.
class TestReader : public YamlReader {
 public:
  TestReader() : YamlReader("t.yaml", kSections) {}

  std::vector<std::string> Read(const std::string& text) {
    const std::optional<YamlNode> root = ReadDocument(text, "test file");
    if (!root || root->IsNull()) {
      return {};
    }
    if (!root->IsMap()) {
      Fail(root->mark, "not a map");
      return {};
    }
    const YamlFields top = Keys(*root, root->mark, "the top level", kTopKeys);
    std::vector<std::string> read;
    if (const YamlField* f = Require(top, "name", "missing name")) {
      if (auto v = String(*f)) read.push_back("name=" + *v);
    }
    if (const YamlField* f = top.Find("count")) {
      if (auto v = Integer(*f, 1, 10)) read.push_back("count=" + std::to_string(*v));
    }
    if (const YamlField* f = top.Find("rate")) {
      if (auto v = Real(*f, {0, true, 100}, " per second"))
        read.push_back("rate=" + std::to_string(*v));
    }
    if (const YamlField* f = top.Find("on")) {
      if (auto v = Bool(*f)) read.push_back(*v ? "on=true" : "on=false");
    }
    if (const YamlField* f = top.Find("wait")) {
      if (auto v = Duration(*f, nanoseconds(0), true, std::chrono::hours(1))) {
        read.push_back("wait=" + std::to_string(v->count()));
      }
    }
    if (const YamlField* f = top.Find("seed")) {
      if (auto v = Unsigned(*f)) read.push_back("seed=" + std::to_string(*v));
    }
    if (const YamlField* f = top.Find("color")) {
      if (auto v = Choice(*f, kColors)) read.push_back("color=" + std::string(kColors[*v]));
    }
    if (const YamlField* f = top.Find("sub")) {
      if (auto sub = Map(*f, "sub", kSubKeys)) {
        Require(*sub, "alpha", "sub: missing alpha");
      }
    }
    return read;
  }
};

struct Case {
  std::string name;
  std::string yaml;
  std::vector<std::string> read;    // what was read
  std::vector<std::string> errors;  // every error, in file order
};

class YamlReaderTest : public ::testing::TestWithParam<Case> {};

TEST_P(YamlReaderTest, ReadsOrSaysWhereAndWhy) {
  TestReader reader;
  const std::vector<std::string> read = reader.Read(GetParam().yaml);
  std::vector<std::string> errors;
  for (const YamlError& e : reader.TakeErrors()) {
    errors.push_back(e.ToString());
  }
  EXPECT_EQ(errors, GetParam().errors);
  if (GetParam().errors.empty()) {
    EXPECT_EQ(read, GetParam().read);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rules, YamlReaderTest,
    ::testing::Values(
        Case{"valid",
             "name: a\ncount: 3\nrate: 2.5\non: TRUE\nwait: 1s\nseed: 18446744073709551615\n"
             "color: green\nsub: {alpha: 1}\n",
             {"name=a", "count=3", "rate=2.500000", "on=true", "wait=1000000000",
              "seed=18446744073709551615", "color=green"},
             {}},
        Case{"empty_file", "", {}, {}},
        Case{"plus_sign", "name: a\ncount: +4\n", {"name=a", "count=4"}, {}},
        Case{"not_yaml",
             "name: [a\n",
             {},
             {"t.yaml:2:1: invalid YAML: end of sequence flow not found"}},
        Case{"two_documents",
             "name: a\n---\nname: b\n",
             {},
             {"t.yaml:3:1: a test file is one YAML document; remove everything from this one on"}},
        Case{"did_you_mean",
             "name: a\ncuont: 3\n",
             {},
             {"t.yaml:2:1: unknown key 'cuont' in the top level; did you mean 'count'?"}},
        Case{"belongs_elsewhere",
             "name: a\nbeta: 3\n",
             {},
             {"t.yaml:2:1: unknown key 'beta' in the top level; it belongs in sub"}},
        Case{"no_match",
             "name: a\nzzzzzzzz: 3\n",
             {},
             {"t.yaml:2:1: unknown key 'zzzzzzzz' in the top level (allowed: name, count, rate, "
              "on, wait, seed, color, sub, list)"}},
        Case{"merge_key",
             "name: a\n<<: {count: 1}\n",
             {},
             {"t.yaml:2:1: unknown key '<<' in the top level; YAML merge keys are not supported, "
              "write the keys out"}},
        Case{"duplicate_key",
             "name: a\nname: b\n",
             {},
             {"t.yaml:2:1: duplicate key 'name' (first at line 1)"}},
        Case{"key_not_a_name",
             "name: a\n[x]: 1\n",
             {},
             {"t.yaml:2:1: keys in the top level must be names, got a list"}},
        Case{"missing", "count: 1\n", {}, {"t.yaml:1:1: missing name"}},
        Case{"misspelt_is_not_also_missing",
             "nmae: a\n",
             {},
             {"t.yaml:1:1: unknown key 'nmae' in the top level; did you mean 'name'?"}},
        Case{"wrong_type", "name: [a]\n", {}, {"t.yaml:1:7: name: expected a string, got a list"}},
        Case{"null_points_at_key",
             "name:\n",
             {},
             {"t.yaml:1:1: name: expected a string, got nothing"}},
        Case{"not_an_integer",
             "name: a\ncount: 2.5\n",
             {},
             {"t.yaml:2:8: count: expected an integer, got '2.5'"}},
        Case{"integer_range",
             "name: a\ncount: 11\n",
             {},
             {"t.yaml:2:8: count: must be from 1 to 10, got 11"}},
        Case{"integer_overflow",
             "name: a\ncount: 99999999999999999999\n",
             {},
             {"t.yaml:2:8: count: must be from 1 to 10, got 99999999999999999999"}},
        Case{"real_exclusive_min",
             "name: a\nrate: 0\n",
             {},
             {"t.yaml:2:7: rate: must be greater than 0, got 0"}},
        Case{"real_max_with_unit",
             "name: a\nrate: 101\n",
             {},
             {"t.yaml:2:7: rate: must be at most 100 per second, got 101"}},
        Case{"real_not_finite",
             "name: a\nrate: .inf\n",
             {},
             {"t.yaml:2:7: rate: expected a number, got '.inf'"}},
        Case{"bool",
             "name: a\non: yes\n",
             {},
             {"t.yaml:2:5: on: expected true or false, got 'yes'"}},
        Case{
            "duration",
            "name: a\nwait: soon\n",
            {},
            {"t.yaml:2:7: wait: 'soon' is not a duration; write e.g. 500ms, 30s, 5m, 1h or 1m30s"}},
        Case{"duration_zero",
             "name: a\nwait: 0s\n",
             {},
             {"t.yaml:2:7: wait: must be greater than 0, got 0s"}},
        Case{"duration_max",
             "name: a\nwait: 2h\n",
             {},
             {"t.yaml:2:7: wait: must be at most 1h, got 2h"}},
        Case{"unsigned",
             "name: a\nseed: -1\n",
             {},
             {"t.yaml:2:7: seed: expected an integer from 0 to 18446744073709551615, got '-1'"}},
        Case{"enum_suggests",
             "name: a\ncolor: gren\n",
             {},
             {"t.yaml:2:8: color: 'gren' is not one of red, green, blue; did you mean 'green'?"}},
        Case{"enum_no_suggestion",
             "name: a\ncolor: purple\n",
             {},
             {"t.yaml:2:8: color: 'purple' is not one of red, green, blue"}},
        Case{"nested_map", "name: a\nsub: 3\n", {}, {"t.yaml:2:6: sub: expected a map, got '3'"}},
        Case{"nested_missing_points_at_key",
             "name: a\nsub: {beta: 1}\n",
             {},
             {"t.yaml:2:1: sub: missing alpha"}},
        Case{"reads_on_after_errors_in_file_order",
             "count: 0\nrate: x\nname: a\ncolor: 1\n",
             {},
             {"t.yaml:1:8: count: must be from 1 to 10, got 0",
              "t.yaml:2:7: rate: expected a number, got 'x'",
              "t.yaml:4:8: color: '1' is not one of red, green, blue"}},
        Case{"top_not_a_map", "- a\n", {}, {"t.yaml:1:1: not a map"}},
        // Issue 15 finding 1: raw bytes that are not UTF-8 passed check-config and then crashed
        // the JSON writer of /api/v1/targets.
        Case{"non_utf8_byte_in_a_string_crashed_the_targets_json",
             "name: a\ncolor: \"http://127.0.0.1:1/\xff\xfe\"\n",
             {},
             {"t.yaml:2:28: invalid UTF-8 (byte \\xff); a test file must be UTF-8 text"}},
        // Issue 15 finding 10: a name with a newline broke the one-error-per-line format.
        Case{"newline_in_a_value_stays_on_one_line",
             "name: a\ncolor: \"re\\nd\"\n",
             {},
             {"t.yaml:2:8: color: 're\\nd' is not one of red, green, blue; did you mean 'red'?"}}),
    [](const ::testing::TestParamInfo<Case>& param_info) { return param_info.param.name; });

TEST(YamlNode, KeepsQuotingPlacesAndRepeatedKeys) {
  TestReader reader;
  const std::optional<YamlNode> root = reader.ReadDocument("a: '1'\nb: 1\na: [x, y]\n", "test");
  ASSERT_TRUE(root);
  ASSERT_EQ(root->entries.size(), 3u);
  EXPECT_TRUE(root->entries[0].value.quoted);
  EXPECT_FALSE(root->entries[1].value.quoted);
  EXPECT_EQ(root->entries[2].key.mark.line, 3);
  EXPECT_EQ(root->entries[2].value.mark.column, 4);
  ASSERT_TRUE(root->entries[2].value.IsSequence());
  EXPECT_EQ(root->entries[2].value.items[1].text, "y");
}

TEST(YamlNode, BoundsAliasExpansion) {
  std::string yaml = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  char prev = 'a';
  for (char name = 'b'; name <= 'h'; ++name) {
    yaml += std::string(1, name) + ": &" + name + " [";
    for (int i = 0; i < 10; ++i) yaml += std::string(i ? ", *" : "*") + prev;
    yaml += "]\n";
    prev = name;
  }
  TestReader reader;
  EXPECT_FALSE(reader.ReadDocument(yaml, "test"));
  const std::vector<YamlError> errors = reader.TakeErrors();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].ToString(),
            "t.yaml: invalid YAML: its aliases expand to more than 1000000 nodes");
}

// Found by tests/fuzz (web_config, then config): yaml-cpp 0.7's LoadAll never returned on these,
// allocating without bound, so `check-config`, start-up or a reload hung on a file of 3 bytes.
TEST(YamlNode, ARootYamlCppCannotReadEndsTheReadInsteadOfLoopingForever) {
  for (const std::string text : {"&a,", ",",
                                 "&auca\x1f"
                                 "bi,",
                                 "a: 1\n---\n,\n"}) {
    SCOPED_TRACE(text);
    TestReader reader;
    const std::optional<YamlNode> root = reader.ReadDocument(text, "test");
    EXPECT_TRUE(!root || root->IsNull() || root->IsMap());
  }
  // A second document is still refused where it starts.
  TestReader reader;
  EXPECT_FALSE(reader.ReadDocument("a: 1\n---\nb: 2\n", "test file"));
  const std::vector<YamlError> errors = reader.TakeErrors();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].ToString(),
            "t.yaml:3:1: a test file is one YAML document; remove everything from this one on");
}

// Issue 15 finding 10: deep nesting reported only yaml-cpp's "bad file".
TEST(YamlNode, DeepNestingSaysHowDeep) {
  for (int depth : {kMaxYamlDepth + 1, 5000}) {
    const std::string yaml = std::string(static_cast<std::size_t>(depth), '[') +
                             std::string(static_cast<std::size_t>(depth), ']');
    TestReader reader;
    EXPECT_FALSE(reader.ReadDocument(yaml, "test"));
    const std::vector<YamlError> errors = reader.TakeErrors();
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_NE(errors[0].message.find("nest more than 64 levels deep"), std::string::npos)
        << errors[0].ToString();
  }
  TestReader reader;
  const std::string fits = std::string(kMaxYamlDepth, '[') + std::string(kMaxYamlDepth, ']');
  EXPECT_TRUE(reader.ReadDocument(fits, "test"));
}

// Issue 15 finding 10: /dev/zero as a config ate memory, and a FIFO blocked where no signal could
// end the read.
TEST(ReadYamlFile, RefusesDevicesDirectoriesAndFilesOverTheLimit) {
  std::string text;
  EXPECT_EQ(ReadYamlFile("/dev/zero", &text).value_or(""),
            "is not a regular file (a device, FIFO or socket could block or never end)");
  EXPECT_EQ(ReadYamlFile("/", &text).value_or(""), "is a directory, not a file");
  EXPECT_EQ(ReadYamlFile("/nonexistent/x.yaml", &text).value_or(""),
            "cannot read: No such file or directory");
  const std::string big = ::testing::TempDir() + "/big.yaml";
  {
    std::FILE* f = std::fopen(big.c_str(), "w");
    ASSERT_NE(f, nullptr);
    const std::string line(1024, '#');
    for (std::size_t i = 0; i <= kMaxYamlFileBytes / line.size(); ++i) std::fputs(line.c_str(), f);
    std::fclose(f);
  }
  const std::optional<std::string> error = ReadYamlFile(big, &text);
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("the limit is 4194304 bytes"), std::string::npos) << *error;
  std::remove(big.c_str());
}

struct ClosestCase {
  std::string word;
  std::string want;  // "" for no suggestion
};

TEST(Closest, SuggestsWithinAFewEditsOrByPrefix) {
  constexpr std::string_view kCandidates[] = {"x86_64", "arm64", "usd_per_hour", "count"};
  const ClosestCase cases[] = {
      {"x86", "x86_64"}, {"ARM64", "arm64"}, {"usd_per_hr", "usd_per_hour"},
      {"cont", "count"}, {"zzz", ""},        {"a", ""}};
  for (const ClosestCase& c : cases) {
    const std::optional<std::string_view> got = yaml::Closest(c.word, kCandidates);
    EXPECT_EQ(got ? std::string(*got) : "", c.want) << c.word;
  }
}

}  // namespace
}  // namespace infercost
