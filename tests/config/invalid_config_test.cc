// One tests/testdata/invalid-<rule>.yaml per validation rule, each with its exact messages
// (line:column included). Each file states its rule in its first line.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "config/config.h"

namespace infercost {
namespace {

struct InvalidCase {
  const char* file;
  // "LINE:COL: message", or "message" for errors tied to no place; {dir} is the testdata folder.
  std::vector<std::string> errors;
};

const InvalidCase kCases[] = {
    {"invalid-all-idle.yaml",
     {"6:7: stages: every stage is idle, so the target would never be loaded"}},
    {"invalid-arrival-closed.yaml", {"7:43: arrival: applies to rate stages only"}},
    {"invalid-bad-api-gateway.yaml",
     {"5:61: api_gateway: 'websocket' is not one of rest, http, none"}},
    {"invalid-bad-architecture.yaml",
     {"5:62: architecture: 'x86' is not one of x86_64, arm64; did you mean 'x86_64'?"}},
    {"invalid-bad-arrival.yaml",
     {"7:45: arrival: 'possion' is not one of constant, poisson; did you mean 'poisson'?"}},
    {"invalid-bad-bool.yaml", {"5:34: insecure_skip_verify: expected true or false, got 'yes'"}},
    {"invalid-bad-duration.yaml",
     {"7:23: duration: '10 minutes' is not a duration; write e.g. 500ms, 30s, 5m, 1h or 1m30s"}},
    {"invalid-bad-encoding.yaml",
     {"5:42: encoding: 'base64' is not one of raw, base64_json, multipart; did you mean "
      "'base64_json'?"}},
    {"invalid-bad-listen.yaml", {"2:9: listen: '18090' must be HOST:PORT, e.g. 0.0.0.0:18090"}},
    {"invalid-bad-method.yaml",
     {"5:13: method: 'post' is not one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS; did you "
      "mean 'POST'?"}},
    {"invalid-bad-name.yaml",
     {"3:11: name: 'Lambda 1024' may hold only a-z, 0-9, '_' and '-', 1 to 64 of them (it becomes "
      "the target label)"}},
    {"invalid-bad-pricing-model.yaml",
     {"5:23: model: 'spot' is not one of instance, hourly, lambda, per_request, sagemaker, "
      "sagemaker_serverless"}},
    {"invalid-bad-region.yaml",
     {"5:56: region: 'US East' is not an AWS region name like us-east-1"}},
    {"invalid-bad-url.yaml",
     {"4:10: url: 'ftp://127.0.0.1/predict' has scheme 'ftp'; use http or https"}},
    {"invalid-bad-var-name.yaml",
     {"5:27: x-api-key: '${INFER API KEY}' is not a variable; names are letters, digits and _, not "
      "starting with a digit"}},
    {"invalid-bad-window.yaml", {"2:9: window: must be at least 5s, got 1s"}},
    {"invalid-body-no-source.yaml", {"5:5: body: give one of file, image_dir or inline"}},
    {"invalid-body-two-sources.yaml",
     {"5:37: body: give only one of file, image_dir or inline, not both file and image_dir"}},
    {"invalid-budget.yaml", {"6:29: budget_usd_per_million: must be greater than 0, got 0"}},
    {"invalid-cold-start-latency.yaml",
     {"5:34: latency_above: '5' is not a duration; write e.g. 500ms, 30s, 5m, 1h or 1m30s"}},
    {"invalid-concurrency-range.yaml", {"7:40: concurrency: must be from 1 to 10000, got 0"}},
    {"invalid-content-type.yaml",
     {"5:46: content_type: 'jpeg' is not a media type (e.g. image/jpeg)"}},
    {"invalid-csv-dir.yaml",
     {"6:10: csv: 'no_such_dir/a.csv': its directory does not exist (resolved to "
      "'{dir}/no_such_dir/a.csv')"}},
    {"invalid-csv-is-directory.yaml",
     {"6:10: csv: 'images' is a directory; give the path of a file in it (resolved to "
      "'{dir}/images')"}},
    {"invalid-duplicate-key.yaml", {"7:5: duplicate key 'timeout' (first at line 5)"}},
    {"invalid-duplicate-name.yaml",
     {"6:11: name: duplicate target name 't3-medium' (first at line 3)"}},
    {"invalid-empty-stages.yaml", {"5:21: stages: give at least one stage"}},
    {"invalid-empty.yaml", {"the config is empty; it needs at least a targets: list"}},
    {"invalid-expect-status.yaml", {"5:23: status: must be from 100 to 599, got 20"}},
    {"invalid-field-with-raw.yaml",
     {"5:39: field: applies to encoding base64_json or multipart only"}},
    {"invalid-header-line-break.yaml",
     {"5:27: x-api-key: a header value must not contain a line break"}},
    {"invalid-header-name.yaml", {"5:16: headers: 'x api key' is not a valid header name"}},
    {"invalid-idle-false.yaml",
     {"8:33: idle: write idle: true for an idle stage; a loaded stage gives concurrency or rate "
      "instead"}},
    {"invalid-image-dir-is-file.yaml",
     {"5:24: image_dir: 'images/a-red.png' is not a directory (resolved to "
      "'{dir}/images/a-red.png')"}},
    {"invalid-inline-encoding.yaml",
     {"5:43: encoding: applies to file and image_dir bodies; an inline body is sent as written"}},
    {"invalid-instance-count.yaml", {"5:66: count: must be from 1 to 10000, got 0"}},
    {"invalid-load-balancer-lambda.yaml",
     {"5:48: load_balancer: does not apply to model lambda (only to instance and hourly and "
      "per_request)"}},
    {"invalid-load-balancer-type.yaml",
     {"8:30: type: 'nlb' is not one of alb; did you mean 'alb'?"}},
    {"invalid-ephemeral-storage.yaml",
     {"5:70: ephemeral_storage_mb: must be from 512 to 10240 MB (as configured on the function; "
      "512 MB comes free), got 20000"}},
    {"invalid-ebs-type.yaml",
     {"5:80: ebs_type: 'gp9' is not one of gp2, gp3, io1, io2, sc1, st1, standard; did you mean "
      "'gp2'?"}},
    {"invalid-lambda-memory.yaml", {"5:42: memory_mb: must be from 128 to 10240, got 64"}},
    {"invalid-malformed-yaml.yaml", {"6:12: invalid YAML: end of sequence flow not found"}},
    {"invalid-max-in-flight-closed.yaml",
     {"8:7: max_in_flight: applies to rate stages only, and this load has none"}},
    {"invalid-max-in-flight-stage.yaml",
     {"7:36: unknown key 'max_in_flight' in stage; it belongs in load"}},
    {"invalid-merge-key.yaml",
     {"8:16: unknown key '<<' in pricing; YAML merge keys are not supported, write the keys out"}},
    {"invalid-missing-body-file.yaml",
     {"5:19: file: 'images/missing.jpg' does not exist (resolved to '{dir}/images/missing.jpg')"}},
    {"invalid-missing-duration.yaml", {"7:11: stage: missing duration"}},
    {"invalid-missing-image-dir.yaml",
     {"5:24: image_dir: 'no_such_images/' does not exist (resolved to '{dir}/no_such_images/')"}},
    {"invalid-missing-instance-type.yaml", {"5:5: pricing: model instance needs instance_type"}},
    {"invalid-missing-lambda-memory.yaml", {"5:5: pricing: model lambda needs memory_mb"}},
    {"invalid-missing-sagemaker-type.yaml", {"5:5: pricing: model sagemaker needs instance_type"}},
    {"invalid-sagemaker-serverless-usd-per-hour.yaml",
     {"5:62: usd_per_hour: does not apply to model sagemaker_serverless (only to instance and "
      "hourly and sagemaker)"}},
    {"invalid-missing-model.yaml",
     {"5:5: pricing: missing model (instance, hourly, lambda, per_request, sagemaker or "
      "sagemaker_serverless)"}},
    {"invalid-missing-name.yaml", {"3:5: target: missing name"}},
    {"invalid-missing-pricing.yaml",
     {"3:5: target: missing pricing (model instance, hourly, lambda, per_request, sagemaker or "
      "sagemaker_serverless)"}},
    {"invalid-missing-targets.yaml", {"missing targets: give at least one target"}},
    {"invalid-missing-url.yaml", {"3:5: target: missing url"}},
    {"invalid-missing-usd-per-hour.yaml", {"5:5: pricing: model hourly needs usd_per_hour"}},
    {"invalid-missing-usd-per-request.yaml",
     {"5:5: pricing: model per_request needs usd_per_request"}},
    {"invalid-multiple-documents.yaml",
     {"7:1: a config is one YAML document; remove everything from this one on"}},
    {"invalid-negative-price.yaml", {"5:45: usd_per_hour: must be at least 0, got -0.5"}},
    {"invalid-negative-rate.yaml", {"7:33: rate: must be at least 0.0001, got -5"}},
    {"invalid-no-targets.yaml", {"3:10: targets: give at least one target"}},
    {"invalid-price-basis.yaml",
     {"5:74: pricing: price_basis spot needs your own price: the catalog's g4dn.xlarge price is "
      "on-demand; give pricing.usd_per_hour (per instance-hour)"}},
    {"invalid-prices-file.yaml",
     {"2:14: prices_file: 'no-such-prices.yaml' does not exist (resolved to "
      "'{dir}/no-such-prices.yaml')"}},
    {"invalid-pricing-key-model.yaml",
     {"5:59: memory_mb: does not apply to model instance (only to lambda and "
      "sagemaker_serverless)"}},
    {"invalid-bad-latency-buckets.yaml",
     {"2:29: latency_buckets: 'corse' is not one of standard, coarse; did you mean 'coarse'?"}},
    {"invalid-bad-quantiles.yaml", {"2:23: quantiles: 'true' is not one of on, off"}},
    {"invalid-metrics-unknown-key.yaml",
     {"2:12: unknown key 'latency_bucket' in metrics; did you mean 'latency_buckets'?",
      "2:36: unknown key 'quantile' in metrics; did you mean 'quantiles'?"}},
    {"invalid-metrics-not-map.yaml", {"2:10: metrics: expected a map, got 'coarse'"}},
    {"invalid-shard-count.yaml", {"2:27: count: must be from 1 to 1024, got 0"}},
    {"invalid-shard-index.yaml", {"2:17: index: must be from 0 to 2 (shard count 3), got 3"}},
    {"invalid-sigv4-missing-secret.yaml",
     {"7:7: aws_sigv4: missing secret_key (give both keys, or neither to sign with the "
      "credentials: source)"}},
    {"invalid-sigv4-provider.yaml",
     {"6:36: provider: 'execute-api' must be aws:amz:<region>:<service>, e.g. "
      "aws:amz:us-east-1:execute-api"}},
    {"invalid-slo.yaml", {"6:14: slo_p95: must be greater than 0, got -200ms"}},
    {"invalid-spend-limit.yaml", {"6:22: spend_limit_usd: expected a number, got '$5'"}},
    {"invalid-stage-no-kind.yaml",
     {"7:11: stage: give one of concurrency (closed loop), rate (open loop) or idle: true"}},
    {"invalid-stage-two-kinds.yaml",
     {"7:43: stage: give only one of concurrency, rate or idle, not both concurrency and rate"}},
    {"invalid-target-not-map.yaml",
     {"3:5: targets: each target must be a map with name, url and pricing, got "
      "'http://127.0.0.1:8080/predict'"}},
    {"invalid-targets-not-list.yaml", {"3:3: targets: expected a list, got a map"}},
    {"invalid-threads.yaml", {"2:10: threads: must be from 1 to 64, got 65"}},
    {"invalid-top-not-map.yaml",
     {"2:1: the top level must be a map (listen, window, targets, ...), got a list"}},
    {"invalid-unknown-key-elsewhere.yaml",
     {"5:5: unknown key 'instance_type' in target; it belongs in pricing"}},
    {"invalid-unknown-key-no-match.yaml",
     {"3:1: unknown key 'colour' in the top level (allowed: listen, window, threads, shard, "
      "metrics, prices_file, targets, credentials)"}},
    {"invalid-unknown-key.yaml", {"4:5: unknown key 'urll' in target; did you mean 'url'?"}},
    {"invalid-unset-var.yaml",
     {"5:27: x-api-key: environment variable INFER_UNSET_KEY is not set"}},
    {"invalid-unterminated-var.yaml",
     {"5:27: x-api-key: unterminated ${ in '${INFER_API_KEY'; write $${ for a literal ${"}},
    {"invalid-url-bad-port.yaml",
     {"4:10: url: 'http://127.0.0.1:99999/predict' has a bad port '99999' (1 to 65535)"}},
    {"invalid-url-no-host.yaml", {"4:10: url: 'http:///predict' has no host"}},
    {"invalid-wrong-type-map.yaml", {"5:14: pricing: expected a map, got 'hourly'"}},
    {"invalid-wrong-type.yaml", {"2:10: threads: expected an integer, got 'four'"}},
    {"invalid-zero-duration.yaml", {"7:23: duration: must be at least 1s, got 0"}},
    {"invalid-zero-rate.yaml", {"7:33: rate: must be at least 0.0001, got 0"}},
    // Issue 15: each finding below passed check-config before.
    {"invalid-stage-too-short.yaml",
     {"7:23: duration: must be at least 1s, got 1us",
      "8:23: duration: must be at least 1s, got 1us"}},
    {"invalid-rate-too-low.yaml", {"7:33: rate: must be at least 0.0001, got 1e-10"}},
    {"invalid-cycle-too-long.yaml",
     {"6:7: stages: together they last 120000h; a cycle may last at most 87600h"}},
    {"invalid-stage-too-long.yaml", {"7:23: duration: must be at most 87600h, got 9999999h"}},
    {"invalid-name-newline.yaml",
     {"3:11: name: 'a\\nb' may hold only a-z, 0-9, '_' and '-', 1 to 64 of them (it becomes the "
      "target label)"}},
    {"invalid-non-utf8.yaml", {"4:33: invalid UTF-8 (byte \\xff); a config must be UTF-8 text"}},
    {"invalid-zero-timeout.yaml", {"5:14: timeout: must be greater than 0, got 0s"}},
    // Checked against the price catalog by the cost model's Resolve().
    {"invalid-unknown-instance-type.yaml",
     {"5:48: pricing: unknown instance type 'p9.huge'; the catalog knows c5.2xlarge, c5.xlarge, "
      "c6g.xlarge, c7g.xlarge, g4dn.2xlarge, g4dn.xlarge, g5.xlarge, inf2.xlarge, m5.large, "
      "t3.large, t3.medium, t4g.large, t4g.medium; give its price as pricing.usd_per_hour, or add "
      "it to a prices file"}},
    {"invalid-region-no-prices.yaml",
     {"5:69: pricing: no g4dn.xlarge prices for region 'eu-west-1': the catalog holds us-east-1 "
      "prices; give a prices file with region: eu-west-1, or give pricing.usd_per_hour"}},
    {"invalid-sagemaker-ec2-type.yaml",
     {"5:49: pricing: instance_type 'g4dn.xlarge' is an EC2 instance type: model sagemaker takes "
      "SageMaker types, e.g. 'ml.g4dn.xlarge'; for an EC2 instance use model instance"}},
    {"invalid-instance-ml-type.yaml",
     {"5:48: pricing: instance_type 'ml.g4dn.xlarge' is a SageMaker instance type: for a "
      "SageMaker endpoint use model sagemaker; for an EC2 instance give its EC2 type "
      "('g4dn.xlarge')"}},
    {"invalid-sagemaker-unknown-type.yaml",
     {"5:49: pricing: unknown SageMaker instance type 'ml.c6g.large'; the catalog for us-east-1 "
      "knows ml.c5.xlarge, ml.g4dn.xlarge, ml.g5.xlarge, ml.inf1.xlarge, ml.m5.large, "
      "ml.t2.medium; give its price as pricing.usd_per_hour, or add it to a prices file under "
      "sagemaker_instances"}},
    {"invalid-sagemaker-serverless-memory.yaml",
     {"5:56: pricing: memory_mb must be one of 1024, 2048, 3072, 4096, 5120, 6144 for model "
      "sagemaker_serverless (MB, as MemorySizeInMB on the endpoint), got 1536"}},
    {"invalid-api-gateway-wrong-type.yaml",
     {"5:72: api_gateway: 'true' is not one of rest, http, none"}},
    {"invalid-prices-file-content.yaml",
     {"2:14: prices_file: {dir}/prices-bad.yaml:5:19: instances.g4dn.xlarge.usd_per_hour: must be "
      "a non-negative number of US dollars, got 'cheap'"}},
    {"invalid-kind-unknown.yaml",
     {"4:11: kind: 'lambda-url' is not one of http, lambda, lambda_url, sagemaker; did you mean "
      "'lambda_url'?"}},
    {"invalid-lambda-missing-function.yaml",
     {"3:5: target: kind lambda needs function: its name or ARN"}},
    {"invalid-lambda-bad-function.yaml",
     {"5:15: function: 'my function' is not a Lambda function name (1 to 64 of A-Z, a-z, 0-9, '-', "
      "'_') or ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME)"}},
    {"invalid-lambda-url-key.yaml",
     {"6:10: url: applies to kind http and lambda_url only, not lambda; lambda and sagemaker are "
      "named"}},
    {"invalid-lambda-qualifier-conflict.yaml",
     {"6:16: qualifier: '2' differs from the function's own 'live'"}},
    {"invalid-lambda-arn-region.yaml",
     {"6:15: function: the ARN's region 'eu-west-1' differs from region 'us-west-2'"}},
    {"invalid-region-pricing-mismatch.yaml",
     {"7:14: pricing.region: 'us-east-1' differs from the target's region 'eu-west-1'; price a "
      "target in its own region"}},
    {"invalid-sagemaker-bad-endpoint.yaml",
     {"5:15: endpoint: 'mobilenet_v2' is not a SageMaker endpoint name (1 to 63 of A-Z, a-z, 0-9 "
      "and '-', starting and ending with a letter or digit)"}},
    {"invalid-lambda-auth.yaml",
     {"6:11: auth: lambda targets are always SigV4-signed; give their keys' source in "
      "credentials:"}},
    {"invalid-lambda-method.yaml", {"6:13: method: lambda targets are invoked with POST only"}},
    {"invalid-function-url-auth.yaml", {"6:11: auth: 'iam' is not one of aws_iam, none"}},
    {"invalid-endpoint-url.yaml",
     {"6:19: endpoint_url: 'lambda.local:9000' must start with http:// or https://"}},
    {"invalid-credentials-bad-source.yaml",
     {"2:24: source: 'env' is not one of default, static, profile, web_identity, container, "
      "instance, process"}},
    {"invalid-credentials-key-for-source.yaml",
     {"6:63: credentials: role_arn applies to source web_identity only, not profile"}},
    {"invalid-credentials-static-missing.yaml",
     {"6:5: credentials: source static needs access_key and secret_key"}},
    {"invalid-credentials-unsigned.yaml",
     {"5:18: credentials: this target does not sign its requests (kind http without auth: { "
      "aws_sigv4: ... })"}},
    {"invalid-credentials-twice.yaml",
     {"6:18: credentials: the target's aws_sigv4 already has access_key and secret_key; give the "
      "keys in one place"}},
};

class InvalidConfig : public testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidConfig, ReportsExactlyItsRule) {
  const std::string dir = std::string(INFERCOST_SOURCE_DIR) + "/tests/testdata";
  const std::string path = dir + "/" + GetParam().file;
  // Nothing from the environment: the files that need a variable test its absence.
  const EnvLookup no_env = [](const std::string&) { return std::optional<std::string>(); };
  const ConfigResult result = LoadConfigFile(path, no_env);
  EXPECT_FALSE(result.config.has_value());
  std::vector<std::string> expected;
  for (std::string e : GetParam().errors) {
    for (std::size_t at = e.find("{dir}"); at != std::string::npos; at = e.find("{dir}")) {
      e.replace(at, 5, dir);
    }
    expected.push_back(path + (e.front() >= '0' && e.front() <= '9' ? ":" : ": ") + e);
  }
  std::vector<std::string> actual;
  for (const ConfigError& error : result.errors) actual.push_back(error.ToString());
  EXPECT_EQ(actual, expected);
}

INSTANTIATE_TEST_SUITE_P(Rules, InvalidConfig, testing::ValuesIn(kCases),
                         [](const testing::TestParamInfo<InvalidCase>& param) {
                           std::string name = param.param.file;
                           name = name.substr(8, name.size() - 8 - 5);  // invalid-X.yaml -> X
                           for (char& c : name) {
                             if (c == '-') c = '_';
                           }
                           return name;
                         });

// Every invalid-*.yaml in testdata has a row above, so no rule file goes unchecked.
TEST(InvalidConfig, EveryTestdataFileHasACase) {
  const std::string dir = std::string(INFERCOST_SOURCE_DIR) + "/tests/testdata";
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with("invalid-") || name == "invalid-many.yaml") continue;
    const bool listed = std::any_of(std::begin(kCases), std::end(kCases),
                                    [&](const InvalidCase& c) { return name == c.file; });
    EXPECT_TRUE(listed) << name << " has no row in kCases";
  }
}

}  // namespace
}  // namespace infercost
