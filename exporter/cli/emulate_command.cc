// `infercost emulate`: the AWS target emulator on its own, until SIGINT or SIGTERM.
#include <CLI/CLI.hpp>
#include <cctype>
#include <csignal>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/flags.h"
#include "common/listen_address.h"
#include "config/config.h"
#include "emulator/emulator.h"

namespace infercost {
namespace {

// "aws_iam" or "none", in any case (AWS spells them AWS_IAM and NONE).
std::optional<emulator::FunctionUrlAuth> ParseUrlAuth(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (text == "aws_iam") return emulator::FunctionUrlAuth::kAwsIam;
  if (text == "none") return emulator::FunctionUrlAuth::kNone;
  return std::nullopt;
}

// --function-url-auth values: MODE for every function, FUNCTION=MODE for one. "" or the problem.
std::string ApplyUrlAuth(const std::vector<std::string>& values, emulator::AwsOptions* aws) {
  for (const std::string& value : values) {
    const size_t eq = value.find('=');
    const auto auth = ParseUrlAuth(eq == std::string::npos ? value : value.substr(eq + 1));
    if (!auth || eq == 0) {
      return "--function-url-auth '" + value + "' must be aws_iam, none or FUNCTION=aws_iam|none";
    }
    if (eq == std::string::npos) {
      aws->function_url_auth = *auth;
    } else {
      aws->function_url_auth_by_function.emplace_back(value.substr(0, eq), *auth);
    }
  }
  return {};
}

}  // namespace

int RunEmulate(int argc, char** argv) {
  emulator::Options options;
  std::string listen = "127.0.0.1:18091";
  CLI::App app{
      "Run the AWS target emulator alone: POST /<target>/predict for each profile, and "
      "the AWS APIs: Lambda Invoke, each lambda profile's Function URL at "
      "/lambda-url/<function>/<any path> (in place of https://<url-id>.lambda-url."
      "<region>.on.aws/<any path>), SageMaker InvokeEndpoint, STS, IMDSv2, ECS "
      "credentials.",
      argv[0]};
  app.add_option("--listen", listen, "HOST:PORT to listen on; port 0 picks a free one")
      ->capture_default_str();
  app.add_option("--time-scale", options.time_scale,
                 "emulated seconds per wall-clock second (60: an hour of behaviour in a minute)")
      ->capture_default_str()
      ->check(NumberCheck(NumberBound::kPositive));
  app.add_option("--profiles", options.profiles_file,
                 "profiles YAML replacing the built-in set (see emulator/profiles.yaml)");
  app.add_option("--seed", options.seed, "seed of every random draw")
      ->capture_default_str()
      ->check(NumberCheck(NumberBound::kZeroOrMore));
  app.add_option("--region", options.aws.region, "the AWS Region the AWS APIs sign for")
      ->capture_default_str();
  app.add_option("--credential-lifetime", options.aws.credential_lifetime_s,
                 "emulated seconds the keys issued by STS, IMDS and ECS live")
      ->capture_default_str()
      ->check(NumberCheck(NumberBound::kPositive));
  app.add_option("--lambda-max-memory-mb", options.aws.lambda_max_memory_mb,
                 "the account's largest Lambda memory size (3008 on accounts not yet raised)")
      ->capture_default_str()
      ->check(NumberCheck(128, 10240));
  std::vector<std::string> endpoints;
  app.add_option("--sagemaker-endpoint", endpoints,
                 "NAME=PROFILE: a SageMaker endpoint served by an instance profile (default "
                 "mobilenet-v2=g4dn.xlarge)");
  std::vector<std::string> url_auth;
  app.add_option("--function-url-auth", url_auth,
                 "the Function URLs' AuthType (at /lambda-url/<function>/...): aws_iam (SigV4, "
                 "service lambda) or none; FUNCTION=aws_iam|none for one function; repeatable "
                 "(default aws_iam)");
  if (const std::optional<int> code = ParseFlags(app, argc, argv)) return *code;
  if (const std::string problem = ApplyUrlAuth(url_auth, &options.aws); !problem.empty()) {
    return UsageError(argv[0], problem);
  }
  if (!endpoints.empty()) options.aws.sagemaker_endpoints.clear();
  for (const std::string& e : endpoints) {
    const size_t eq = e.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == e.size()) {
      return UsageError(argv[0], "--sagemaker-endpoint '" + e + "' must be NAME=PROFILE");
    }
    options.aws.sagemaker_endpoints.emplace_back(e.substr(0, eq), e.substr(eq + 1));
  }
  // The config's rule for `listen` (a host a URL could name), so that the two agree.
  if (const std::string error = ListenAddressError(listen); !error.empty()) {
    return UsageError(argv[0], "--listen '" + listen + "' " + error);
  }
  std::string unused;
  const std::optional<ListenAddress> address = ParseListenAddress(listen, &unused);
  options.host = address->BindHost();
  options.port = address->port;

  // Block the stop signals before any thread starts so that only sigwait below sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::string error;
  emulator::StartFailure failure{};
  std::unique_ptr<emulator::Emulator> emulator =
      emulator::Emulator::Start(options, &error, &failure);
  if (!emulator) {
    std::fprintf(stderr, "%s: %s%s", argv[0],
                 failure == emulator::StartFailure::kBadProfiles ? "\n" : "", error.c_str());
    if (error.empty() || error.back() != '\n') {
      std::fputc('\n', stderr);
    }
    return failure == emulator::StartFailure::kCannotListen ? kExitFailure : kExitUsage;
  }
  std::printf("infercost emulate: %s (time scale %g, seed %llu)\n", emulator->BaseUrl().c_str(),
              emulator->time_scale(), static_cast<unsigned long long>(options.seed));
  for (const emulator::Profile& p : emulator->profiles()) {
    std::printf("  %-14s %-8s POST %s\n", p.name.c_str(),
                p.platform == emulator::Platform::kLambda ? "lambda" : "instance",
                emulator->TargetUrl(p.name).c_str());
  }
  std::printf(
      "  AWS APIs (region %s, access key id %s): Lambda Invoke, SageMaker InvokeEndpoint, "
      "STS, IMDSv2, ECS credentials at %s\n",
      options.aws.region.c_str(), options.aws.access_key_id.c_str(), emulator->BaseUrl().c_str());
  for (const emulator::Profile& p : emulator->profiles()) {
    if (p.platform != emulator::Platform::kLambda) continue;
    const emulator::FunctionUrlAuth auth = options.aws.UrlAuthOf(p.name);
    std::printf("  %-14s %-8s ANY  %s... (AuthType %s)\n", p.name.c_str(), "url",
                emulator->FunctionUrl(p.name).c_str(),
                auth == emulator::FunctionUrlAuth::kNone ? "NONE" : "AWS_IAM");
  }
  std::fflush(stdout);

  int signal = 0;
  sigwait(&stop_signals, &signal);
  std::fprintf(stderr, "infercost emulate: %s, stopping\n",
               signal == SIGINT ? "SIGINT" : "SIGTERM");
  emulator.reset();
  return kExitOk;
}

}  // namespace infercost
