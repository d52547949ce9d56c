// `infercost bench --lambda-function / --sagemaker-endpoint`: the real binary against the
// emulator's Invoke and InvokeEndpoint APIs, signed with keys from the environment or a profile,
// and its flag checks.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "emulator/emulator.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace infercost {
namespace {

using Result = test::ProcessResult;

class BenchAwsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    emulator::Options options;
    options.time_scale = 20;
    std::string error;
    emu_ = emulator::Emulator::Start(options, &error);
    ASSERT_NE(emu_, nullptr) << error;
  }

  // `infercost bench ARGS...` under a clean environment plus `env`.
  Result Bench(std::vector<std::string> env, const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"/usr/bin/env", "-i", "PATH=/usr/bin:/bin",
                                     "HOME=" + dir_.path().string(),
                                     "AWS_EC2_METADATA_DISABLED=true"};
    argv.insert(argv.end(), env.begin(), env.end());
    argv.push_back(INFERCOST_BINARY);
    argv.push_back("bench");
    argv.insert(argv.end(), args.begin(), args.end());
    return test::RunProcess(argv);
  }

  static bool Has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  }

  const emulator::AwsOptions aws_;
  test::TempDir dir_{"bench_aws"};
  std::unique_ptr<emulator::Emulator> emu_;
};

TEST_F(BenchAwsTest, LambdaThroughTheInvokeApiWithEnvironmentKeys) {
  const Result r = Bench({"AWS_ACCESS_KEY_ID=" + aws_.access_key_id,
                          "AWS_SECRET_ACCESS_KEY=" + aws_.secret_access_key},
                         {"--lambda-function", "lambda", "--endpoint-url", emu_->BaseUrl(),
                          "--concurrency", "2", "--requests", "20", "--lambda-memory-mb", "1024"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_TRUE(
      Has(r.out, "Target URL: " + emu_->BaseUrl() + "/2015-03-31/functions/lambda/invocations\n"))
      << r.out;
  EXPECT_TRUE(Has(r.out, "Target: Lambda function lambda (Invoke API, us-east-1)\n")) << r.out;
  EXPECT_TRUE(Has(r.out, "Successful: 20 (100.00%)\n")) << r.out;
  EXPECT_TRUE(Has(r.out, "Cost per 1M inferences: $")) << r.out;
  EXPECT_EQ(emu_->FunctionStats("lambda")->ok, 20u);
  EXPECT_FALSE(Has(r.out + r.err, aws_.secret_access_key));
}

TEST_F(BenchAwsTest, SageMakerWithAProfile) {
  std::ofstream(dir_ / "credentials")
      << "[bench]\naws_access_key_id = " << aws_.access_key_id
      << "\naws_secret_access_key = " << aws_.secret_access_key << "\n";
  const Result r =
      Bench({"AWS_SHARED_CREDENTIALS_FILE=" + (dir_ / "credentials").string(),
             "AWS_CONFIG_FILE=" + (dir_ / "config").string()},
            {"--sagemaker-endpoint", "mobilenet-v2", "--profile", "bench", "--endpoint-url",
             emu_->BaseUrl(), "--concurrency", "2", "--requests", "10"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_TRUE(Has(r.out, "Target: SageMaker endpoint mobilenet-v2 (InvokeEndpoint, us-east-1)"))
      << r.out;
  EXPECT_TRUE(Has(r.out, "Successful: 10 (100.00%)\n")) << r.out;
  EXPECT_EQ(emu_->EndpointStats("mobilenet-v2")->ok, 10u);
}

TEST_F(BenchAwsTest, NoCredentialsIsARunTimeErrorThatSaysWhereItLooked) {
  const Result r = Bench({}, {"--lambda-function", "lambda", "--endpoint-url", emu_->BaseUrl(),
                              "--concurrency", "1", "--requests", "1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Has(r.err,
                  "infercost bench: credentials (source default): no AWS credentials "
                  "found (environment: AWS_ACCESS_KEY_ID is not set;"))
      << r.err;
  EXPECT_EQ(emu_->FunctionStats("lambda")->requests, 0u);
}

TEST_F(BenchAwsTest, FlagsThatDoNotGoTogether) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--url", "http://127.0.0.1:1/", "--lambda-function", "f"},
       "give exactly one of --url, --lambda-function or --sagemaker-endpoint"},
      {{"--lambda-function", "f", "--sagemaker-endpoint", "e"},
       "give exactly one of --url, --lambda-function or --sagemaker-endpoint"},
      {{"--sagemaker-endpoint", "e", "--qualifier", "live"}, "--qualifier needs --lambda-function"},
      {{"--lambda-function", "my fn"}, "--lambda-function 'my fn' is not a Lambda function name"},
      {{"--lambda-function", "arn:aws:lambda:eu-west-1:123456789012:function:f", "--region",
        "us-east-1"},
       "--region us-east-1 differs from the function ARN's region eu-west-1"},
      {{"--sagemaker-endpoint", "bad_name"},
       "--sagemaker-endpoint 'bad_name' is not a SageMaker endpoint name"},
      {{"--url", "http://127.0.0.1:1/", "--profile", "p"},
       "--profile and --endpoint-url need --lambda-function or --sagemaker-endpoint"},
      {{"--lambda-function", "f", "--method", "GET"},
       "--method: Lambda's Invoke and SageMaker's InvokeEndpoint take POST only"},
  };
  for (const auto& [flags, message] : cases) {
    std::vector<std::string> args = flags;
    for (const char* a : {"--concurrency", "1", "--requests", "1"}) args.push_back(a);
    const Result r = Bench({}, args);
    EXPECT_EQ(r.exit_code, 2) << message;
    EXPECT_TRUE(Has(r.err, message)) << r.err;
  }
}

}  // namespace
}  // namespace infercost
