// Reads price catalogs: the YAML compiled into the binary and users' prices files of the same
// shape, with common/yaml.h's strict reader.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <map>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "common/yaml.h"
#include "cost/builtin_prices.h"
#include "cost/cost.h"

namespace infercost {
namespace {

constexpr double kPerMillion = 1e6;

// The built-in file must be complete and say where every price came from; a user's file may give
// any subset and is trusted to be the user's own figures.
enum class Mode { kBuiltin, kOverride };

// The top-level keys of a prices file.
const std::initializer_list<std::string_view> kTopKeys = {"region",
                                                          "instances",
                                                          "sagemaker_instances",
                                                          "lambda",
                                                          "api_gateway",
                                                          "sagemaker_serverless",
                                                          "alb",
                                                          "public_ipv4",
                                                          "ebs",
                                                          "cloudwatch_logs",
                                                          "lambda_ephemeral_storage"};

std::string JoinKeys(std::initializer_list<std::string_view> keys) {
  std::string out;
  for (std::string_view key : keys) {
    if (!out.empty()) {
      out += ", ";
    }
    out += key;
  }
  return out;
}

bool IsDate(const std::string& s) {
  // YYYY-MM-DD with a plausible month and day; the catalog says when a price was read.
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') {
    return false;
  }
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') {
      return false;
    }
  }
  const int month = (s[5] - '0') * 10 + (s[6] - '0');
  const int day = (s[8] - '0') * 10 + (s[9] - '0');
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

bool IsInstanceTypeName(const std::string& s) {
  if (s.empty() || s.size() > 64) {
    return false;
  }
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
    if (!ok) {
      return false;
    }
  }
  return true;
}

// Parses one catalog document. Collects every error it finds (each "FILE:LINE:COL: message"),
// so a user fixes a prices file in one pass. Thread contract: one use, one thread.
class CatalogParser : public YamlReader {
 public:
  CatalogParser(std::string file_name, Mode mode) : YamlReader(std::move(file_name)), mode_(mode) {}

  CatalogResult Parse(const Catalog& base, std::string_view yaml) {
    const std::optional<YamlNode> document = ReadDocument(yaml, "prices file");
    if (!document) {
      return Result(std::nullopt);
    }
    const YamlNode& root = *document;
    if (!root.IsMap()) {
      Fail(root.mark, "a prices file is a mapping with the keys " + JoinKeys(kTopKeys) +
                          " (see exporter/cost/data/prices.yaml for the shape)");
      return Result(std::nullopt);
    }
    const Fields top = Read(root, "", kTopKeys);

    Catalog out;
    bool replacing = mode_ == Mode::kBuiltin;
    if (const YamlNode* region = top.Find("region")) {
      const std::optional<std::string> name = Text(*region, "region");
      if (name && mode_ == Mode::kOverride && *name != base.region) {
        // Another region: start afresh so no price of base's region is used for it.
        replacing = true;
      }
      if (name) {
        out.region = *name;
      }
    } else if (mode_ == Mode::kBuiltin) {
      Fail(root.mark, "region: missing; the built-in catalog must name its region");
    }
    if (!replacing) {
      const std::string region = out.region;
      out = base;
      if (top.Find("region")) {
        out.region = region;
      }
    }
    complete_ = replacing;

    if (const YamlNode* instances = top.Find("instances")) {
      ParseInstances(*instances, kEc2, out.instances);
    } else if (mode_ == Mode::kBuiltin) {
      Fail(root.mark, "instances: missing");
    }
    if (const YamlNode* instances = top.Find("sagemaker_instances")) {
      ParseInstances(*instances, kSageMaker, out.sagemaker_instances);
    } else if (mode_ == Mode::kBuiltin) {
      Fail(root.mark, "sagemaker_instances: missing");
    }
    if (const YamlNode* lambda = top.Find("lambda")) {
      ParseLambda(*lambda, out.serverless);
    } else if (mode_ == Mode::kBuiltin) {
      Fail(root.mark, "lambda: missing");
    }
    if (const YamlNode* gateway = top.Find("api_gateway")) {
      ParseApiGateway(*gateway, out.serverless);
    } else if (mode_ == Mode::kBuiltin) {
      Fail(root.mark, "api_gateway: missing");
    }
    if (const YamlNode* sm = top.Find("sagemaker_serverless")) {
      ParseSageMakerServerless(*sm, out.sagemaker_serverless);
    } else if (mode_ == Mode::kBuiltin) {
      Fail(root.mark, "sagemaker_serverless: missing");
    }
    ParseLineItems(root, top, out.line_items);
    if (top.entries.empty() && error_count() == 0) {
      Fail(root.mark,
           "the prices file gives no prices; give at least one of " + JoinKeys(kTopKeys));
    }
    return Result(std::move(out));
  }

 private:
  CatalogResult Result(std::optional<Catalog> catalog) {
    CatalogResult result;
    if (error_count() == 0) {
      result.catalog = std::move(catalog);
      return result;
    }
    // In file order, as a user reads the file, whatever order the checks ran in.
    for (const YamlError& e : TakeErrors()) {
      if (!result.error.empty()) {
        result.error += '\n';
      }
      result.error += e.ToString();
    }
    return result;
  }

  void Error(const YamlNode& node, const std::string& path, const std::string& message) {
    Fail(node.mark, path + ": " + message);
  }

  static std::string Join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }

  // A mapping's keys, checked: names, unique, among `allowed` (any name when it is empty).
  struct Fields {
    std::vector<std::pair<std::string, const YamlNode*>> entries;  // in file order
    // nullptr when the key is absent.
    const YamlNode* Find(std::string_view key) const {
      for (const auto& [name, value] : entries) {
        if (name == key) {
          return value;
        }
      }
      return nullptr;
    }
  };
  Fields Read(const YamlNode& map, const std::string& path,
              std::initializer_list<std::string_view> allowed) {
    const YamlFields checked =
        Keys(map, map.mark, path.empty() ? "the top level" : path,
             std::span<const std::string_view>(allowed.begin(), allowed.size()));
    Fields fields;
    for (const YamlField& f : checked.entries) {
      fields.entries.emplace_back(f.name, f.value);
    }
    return fields;
  }

  bool ExpectMap(const YamlNode& node, const std::string& path) {
    if (node.IsMap()) {
      return true;
    }
    Error(node, path, "must be a mapping of keys to values");
    return false;
  }

  void Missing(const YamlNode& map, const std::string& path,
               std::initializer_list<std::string_view> required, const Fields& fields,
               const std::string& why) {
    std::string missing;
    for (std::string_view key : required) {
      if (fields.Find(key) == nullptr) {
        if (!missing.empty()) {
          missing += ", ";
        }
        missing += key;
      }
    }
    if (!missing.empty()) {
      Error(map, path, "missing " + missing + " (" + why + ")");
    }
  }

  std::optional<std::string> Text(const YamlNode& node, const std::string& path) {
    if (!node.IsScalar() || node.text.empty()) {
      Error(node, path, "must be a non-empty text value");
      return std::nullopt;
    }
    return node.text;
  }

  // A price or rate in US dollars: finite and not negative.
  std::optional<double> Price(const YamlNode& node, const std::string& path) {
    double value = 0;
    if (!node.IsScalar() || yaml::ParseYamlNumber(node.text, &value) != std::errc() ||
        !std::isfinite(value) || value < 0) {
      Error(node, path,
            "must be a non-negative number of US dollars, got '" +
                (node.IsScalar() ? node.text : std::string("(not a number)")) + "'");
      return std::nullopt;
    }
    return value;
  }

  std::optional<std::string> Date(const YamlNode& node, const std::string& path) {
    if (!node.IsScalar() || !IsDate(node.text)) {
      Error(node, path,
            "must be the date the price was read, as YYYY-MM-DD, got '" +
                (node.IsScalar() ? node.text : std::string()) + "'");
      return std::nullopt;
    }
    return node.text;
  }

  // One of the two sections of instance prices: EC2 types, or SageMaker's ml.* types.
  struct InstanceSection {
    std::string_view key;
    bool sagemaker;
  };
  static constexpr InstanceSection kEc2{"instances", false};
  static constexpr InstanceSection kSageMaker{"sagemaker_instances", true};

  void ParseInstances(const YamlNode& node, InstanceSection section,
                      std::map<std::string, InstancePrice>& types_out) {
    const std::string key(section.key);
    if (!ExpectMap(node, key)) {
      return;
    }
    const Fields types = Read(node, key, {});
    for (const auto& [type, entry] : types.entries) {
      const std::string path = key + "." + type;
      if (!IsInstanceTypeName(type)) {
        Error(*entry, path, "an instance type is lower-case letters, digits, '.' and '-'");
        continue;
      }
      // SageMaker bills its ml.* types at its own prices: one section each, never mixed.
      if (section.sagemaker != type.starts_with("ml.")) {
        Error(*entry, path,
              section.sagemaker
                  ? "a SageMaker instance type starts with 'ml.' (e.g. ml.g4dn.xlarge)"
                  : "an ml.* type is a SageMaker instance type; list it under sagemaker_instances");
        continue;
      }
      ParseInstance(type, *entry, path, types_out);
    }
  }

  void ParseInstance(const std::string& type, const YamlNode& node, const std::string& path,
                     std::map<std::string, InstancePrice>& types) {
    if (!ExpectMap(node, path)) {
      return;
    }
    const size_t errors_before = error_count();
    const Fields f = Read(node, path,
                          {"usd_per_hour", "vcpus", "architecture", "accelerator",
                           "baseline_per_vcpu", "surplus_usd_per_vcpu_hour", "taken", "source"});
    auto existing = types.find(type);
    const bool is_new = existing == types.end();
    InstancePrice p = is_new ? InstancePrice{} : existing->second;
    p.type = type;
    if (mode_ == Mode::kBuiltin) {
      Missing(node, path, {"usd_per_hour", "vcpus", "architecture"}, f,
              "every built-in entry needs them");
    } else if (is_new) {
      Missing(node, path, {"usd_per_hour", "vcpus", "architecture"}, f,
              "a type the catalog does not have needs them");
    }

    if (const YamlNode* v = f.Find("usd_per_hour")) {
      if (auto price = Price(*v, path + ".usd_per_hour")) {
        p.usd_per_hour = *price;
      }
    }
    if (const YamlNode* v = f.Find("vcpus")) {
      int64_t vcpus = 0;
      if (!v->IsScalar() || yaml::ParseYamlNumber(v->text, &vcpus) != std::errc() || vcpus < 1 ||
          vcpus > std::numeric_limits<int>::max()) {
        Error(*v, path + ".vcpus", "must be a whole number of vCPUs, at least 1");
      } else {
        p.vcpus = static_cast<int>(vcpus);
      }
    }
    if (const YamlNode* v = f.Find("architecture")) {
      const std::optional<std::string> arch = Text(*v, path + ".architecture");
      if (arch && !ParseArchitecture(*arch)) {
        Error(*v, path + ".architecture", "must be x86_64 or arm64, got '" + *arch + "'");
      } else if (arch) {
        p.architecture = *arch;
      }
    }
    if (const YamlNode* v = f.Find("accelerator")) {
      if (auto text = Text(*v, path + ".accelerator")) {
        p.accelerator = *text;
      }
    }
    if (const YamlNode* v = f.Find("baseline_per_vcpu")) {
      double baseline = 0;
      if (!v->IsScalar() || yaml::ParseYamlNumber(v->text, &baseline) != std::errc() ||
          !std::isfinite(baseline) || baseline < 0 || baseline > 1) {
        Error(*v, path + ".baseline_per_vcpu",
              "must be the CPU baseline per vCPU as a fraction between 0 and 1 (0.2 for 20 %)");
      } else {
        p.baseline_per_vcpu = baseline;
      }
    }
    if (const YamlNode* v = f.Find("surplus_usd_per_vcpu_hour")) {
      if (auto price = Price(*v, path + ".surplus_usd_per_vcpu_hour")) {
        p.surplus_usd_per_vcpu_hour = *price;
      }
    }
    if ((p.baseline_per_vcpu > 0) != (p.surplus_usd_per_vcpu_hour > 0)) {
      Error(node, path,
            "a burstable type needs both baseline_per_vcpu and surplus_usd_per_vcpu_hour "
            "(or neither, for a type that is not burstable)");
    }

    ReadProvenance(node, f, path, &p.taken, &p.source);
    if (mode_ == Mode::kOverride) {
      p.from_prices_file = true;
    }
    if (error_count() == errors_before) {
      types[type] = std::move(p);
    }
  }

  // Reads the price under `key`, when given, into `*out`, divided by `scale` (per-million prices
  // become per-request ones).
  void ReadPrice(const Fields& f, const std::string& path, std::string_view key, double scale,
                 double* out) {
    if (const YamlNode* v = f.Find(key)) {
      if (auto price = Price(*v, Join(path, std::string(key)))) {
        *out = *price / scale;
      }
    }
  }

  void ParseLambdaArchitecture(const YamlNode& node, const std::string& path, bool complete,
                               double* gb_second, double* provisioned, double* pc_duration) {
    if (!ExpectMap(node, path)) {
      return;
    }
    const Fields f = Read(node, path,
                          {"usd_per_gb_second", "provisioned_usd_per_gb_second",
                           "provisioned_duration_usd_per_gb_second"});
    if (complete) {
      Missing(node, path,
              {"usd_per_gb_second", "provisioned_usd_per_gb_second",
               "provisioned_duration_usd_per_gb_second"},
              f, CompleteWhy());
    }
    ReadPrice(f, path, "usd_per_gb_second", 1, gb_second);
    ReadPrice(f, path, "provisioned_usd_per_gb_second", 1, provisioned);
    ReadPrice(f, path, "provisioned_duration_usd_per_gb_second", 1, pc_duration);
  }

  // When and where a block's prices were read. A user's block is the user's figure: the
  // built-in date and source no longer describe it, so they become "" and the file's name
  // unless the block gives its own.
  void ReadProvenance(const YamlNode& node, const Fields& f, const std::string& path,
                      std::string* taken, std::string* source) {
    if (mode_ == Mode::kBuiltin) {
      Missing(node, path, {"taken", "source"}, f, "every built-in price says where it came from");
    } else {
      taken->clear();
      *source = file();
    }
    if (const YamlNode* v = f.Find("taken")) {
      if (auto date = Date(*v, Join(path, "taken"))) {
        *taken = *date;
      }
    }
    if (const YamlNode* v = f.Find("source")) {
      if (auto text = Text(*v, Join(path, "source"))) {
        *source = *text;
      }
    }
  }

  std::string CompleteWhy() const {
    return mode_ == Mode::kBuiltin ? "every built-in price is needed"
                                   : "this region has no built-in prices to fall back on";
  }

  void ParseLambda(const YamlNode& node, ServerlessPrices& s) {
    const std::string path = "lambda";
    if (!ExpectMap(node, path)) {
      return;
    }
    const Fields f =
        Read(node, path, {"usd_per_million_requests", "x86_64", "arm64", "taken", "source"});
    const bool complete = complete_ || !s.has_lambda;
    if (complete) {
      Missing(node, path, {"usd_per_million_requests", "x86_64", "arm64"}, f, CompleteWhy());
    }
    ReadPrice(f, path, "usd_per_million_requests", kPerMillion, &s.lambda_request_usd);
    if (const YamlNode* v = f.Find("x86_64")) {
      ParseLambdaArchitecture(*v, "lambda.x86_64", complete, &s.lambda_gb_second_x86_64,
                              &s.lambda_provisioned_gb_second_x86_64,
                              &s.lambda_provisioned_duration_gb_second_x86_64);
    }
    if (const YamlNode* v = f.Find("arm64")) {
      ParseLambdaArchitecture(*v, "lambda.arm64", complete, &s.lambda_gb_second_arm64,
                              &s.lambda_provisioned_gb_second_arm64,
                              &s.lambda_provisioned_duration_gb_second_arm64);
    }
    ReadProvenance(node, f, path, &s.taken, &s.source);
    if (mode_ == Mode::kOverride) {
      s.lambda_from_prices_file = true;
    }
    s.has_lambda = true;
  }

  void ParseApiGateway(const YamlNode& node, ServerlessPrices& s) {
    const std::string path = "api_gateway";
    if (!ExpectMap(node, path)) {
      return;
    }
    const Fields f =
        Read(node, path,
             {"rest_usd_per_million_requests", "http_usd_per_million_requests", "taken", "source"});
    if (complete_ || !s.has_api_gateway) {
      Missing(node, path, {"rest_usd_per_million_requests", "http_usd_per_million_requests"}, f,
              CompleteWhy());
    }
    ReadPrice(f, path, "rest_usd_per_million_requests", kPerMillion,
              &s.api_gateway_rest_request_usd);
    ReadPrice(f, path, "http_usd_per_million_requests", kPerMillion,
              &s.api_gateway_http_request_usd);
    ReadProvenance(node, f, path, &s.api_gateway_taken, &s.api_gateway_source);
    s.has_api_gateway = true;
  }

  void ParseSageMakerServerless(const YamlNode& node, SageMakerServerlessPrices& s) {
    const std::string path = "sagemaker_serverless";
    if (!ExpectMap(node, path)) {
      return;
    }
    const Fields f =
        Read(node, path,
             {"usd_per_gb_second", "data_in_usd_per_gb", "data_out_usd_per_gb", "taken", "source"});
    if (complete_ || !s.has_prices) {
      Missing(node, path, {"usd_per_gb_second", "data_in_usd_per_gb", "data_out_usd_per_gb"}, f,
              CompleteWhy());
    }
    ReadPrice(f, path, "usd_per_gb_second", 1, &s.usd_per_gb_second);
    ReadPrice(f, path, "data_in_usd_per_gb", 1, &s.data_in_usd_per_gb);
    ReadPrice(f, path, "data_out_usd_per_gb", 1, &s.data_out_usd_per_gb);
    ReadProvenance(node, f, path, &s.taken, &s.source);
    if (mode_ == Mode::kOverride) {
      s.from_prices_file = true;
    }
    s.has_prices = true;
  }

  // One block of flat prices with its provenance: `prices` are its keys (all required when the
  // block must be complete), each read into its double.
  struct BlockPrice {
    std::string_view key;
    double* out;
  };
  void ParseFlatBlock(const YamlNode& node, const std::string& path,
                      std::initializer_list<BlockPrice> prices, bool* has, PriceProvenance* from) {
    if (!ExpectMap(node, path)) {
      return;
    }
    std::vector<std::string_view> keys = {"taken", "source"};
    for (const BlockPrice& p : prices) keys.push_back(p.key);
    const YamlFields checked =
        Keys(node, node.mark, path, std::span<const std::string_view>(keys.data(), keys.size()));
    Fields f;
    for (const YamlField& field : checked.entries) f.entries.emplace_back(field.name, field.value);
    if (complete_ || !*has) {
      std::string missing;
      for (const BlockPrice& p : prices) {
        if (f.Find(p.key) == nullptr) missing += (missing.empty() ? "" : ", ") + std::string(p.key);
      }
      if (!missing.empty()) Error(node, path, "missing " + missing + " (" + CompleteWhy() + ")");
    }
    for (const BlockPrice& p : prices) ReadPrice(f, path, p.key, 1, p.out);
    ReadProvenance(node, f, path, &from->taken, &from->source);
    *has = true;
  }

  // ebs: usd_per_gb_month by volume type.
  void ParseEbs(const YamlNode& node, LineItemPrices& p) {
    const std::string path = "ebs";
    if (!ExpectMap(node, path)) {
      return;
    }
    const Fields f = Read(node, path, {"usd_per_gb_month", "taken", "source"});
    if (complete_ || !p.has_ebs) {
      Missing(node, path, {"usd_per_gb_month"}, f, CompleteWhy());
    }
    if (const YamlNode* types = f.Find("usd_per_gb_month"); types && ExpectMap(*types, path)) {
      for (const auto& [type, price] : Read(*types, path + ".usd_per_gb_month", {}).entries) {
        if (auto usd = Price(*price, path + ".usd_per_gb_month." + type)) {
          p.ebs_usd_per_gb_month[type] = *usd;
        }
      }
    }
    ReadProvenance(node, f, path, &p.ebs.taken, &p.ebs.source);
    p.has_ebs = true;
  }

  // The optional line items' blocks (each required in the built-in catalog).
  void ParseLineItems(const YamlNode& root, const Fields& top, LineItemPrices& p) {
    auto block = [&](std::string_view key) -> const YamlNode* {
      const YamlNode* node = top.Find(key);
      if (node == nullptr && mode_ == Mode::kBuiltin) {
        Fail(root.mark, std::string(key) + ": missing");
      }
      return node;
    };
    if (const YamlNode* n = block("alb")) {
      ParseFlatBlock(*n, "alb",
                     {{"usd_per_hour", &p.alb_usd_per_hour},
                      {"usd_per_lcu_hour", &p.alb_usd_per_lcu_hour},
                      {"processed_gb_per_lcu_hour", &p.alb_processed_gb_per_lcu_hour}},
                     &p.has_alb, &p.alb);
    }
    if (const YamlNode* n = block("public_ipv4")) {
      ParseFlatBlock(*n, "public_ipv4", {{"usd_per_hour", &p.public_ipv4_usd_per_hour}},
                     &p.has_public_ipv4, &p.public_ipv4);
    }
    if (const YamlNode* n = block("ebs")) ParseEbs(*n, p);
    if (const YamlNode* n = block("cloudwatch_logs")) {
      ParseFlatBlock(*n, "cloudwatch_logs",
                     {{"ingestion_usd_per_gb", &p.cloudwatch_logs_usd_per_gb}},
                     &p.has_cloudwatch_logs, &p.cloudwatch_logs);
    }
    if (const YamlNode* n = block("lambda_ephemeral_storage")) {
      ParseFlatBlock(*n, "lambda_ephemeral_storage",
                     {{"usd_per_gb_second", &p.lambda_ephemeral_usd_per_gb_second}},
                     &p.has_lambda_ephemeral, &p.lambda_ephemeral);
    }
  }

  Mode mode_;
  bool complete_ = false;  // every block given must be complete (built-in, or a new region)
};

}  // namespace

const Catalog& BuiltinCatalog() {
  static const Catalog* const catalog = [] {
    CatalogParser parser("exporter/cost/data/prices.yaml (built in)", Mode::kBuiltin);
    CatalogResult result = parser.Parse(Catalog{}, kBuiltinPricesYaml);
    if (!result.catalog) {
      // The data file is compiled in and checked by the unit tests: this is a broken build.
      std::fprintf(stderr, "infercost: the built-in price catalog is invalid:\n%s\n",
                   result.error.c_str());
      std::abort();
    }
    return new Catalog(std::move(*result.catalog));
  }();
  return *catalog;
}

CatalogResult OverlayCatalog(const Catalog& base, std::string_view yaml,
                             const std::string& file_name) {
  CatalogParser parser(file_name, Mode::kOverride);
  return parser.Parse(base, yaml);
}

CatalogResult LoadCatalogOverrides(const std::string& path) {
  std::string text;
  if (std::optional<std::string> error = ReadYamlFile(path, &text)) {
    CatalogResult result;
    result.error = path + ": " + *error + "; check the path given as prices_file or --prices";
    return result;
  }
  return OverlayCatalog(BuiltinCatalog(), text, path);
}

}  // namespace infercost
