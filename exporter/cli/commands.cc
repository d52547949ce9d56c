#include "cli/commands.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/flags.h"
#include "common/build_info.h"
#include "common/yaml.h"

// gperftools' version call, present when the binary runs on tcmalloc (INFERCOST_TCMALLOC).
extern "C" const char* tc_version(int* major, int* minor, const char** patch) __attribute__((weak));

namespace infercost {
namespace {

// The allocator the process runs on: tcmalloc as linked by default, else glibc's malloc (the
// sanitizer builds, or INFERCOST_TCMALLOC=OFF).
std::string AllocatorName() {
  if (tc_version == nullptr) return "glibc malloc";
  int major = 0;
  int minor = 0;
  const char* patch = "";
  tc_version(&major, &minor, &patch);
  return "tcmalloc " + std::to_string(major) + "." + std::to_string(minor) + (patch ? patch : "");
}

constexpr const char* kUsage =
    "usage: infercost <command> [flags]\n"
    "\n"
    "commands:\n"
    "  serve         run the long-running service (no --config: the embedded emulated AWS fleet)\n"
    "  bench         one-shot load test of one URL, with the seed's summary and cost per 1M\n"
    "  sweep         step targets through concurrency levels and write a cost report\n"
    "  tune          run a Lambda function at several memory sizes and find the best one\n"
    "  emulate       run the AWS target emulator alone\n"
    "  check-config  validate a config file\n"
    "  version       print the version\n"
    "\n"
    "Run 'infercost <command> --help' for a command's flags.\n";

}  // namespace

int RunVersion(int argc, char** argv) {
  CLI::App app{"Print the version and the revision it was built from.", argv[0]};
  if (const std::optional<int> code = ParseFlags(app, argc, argv)) return *code;
  std::printf("infercost %s (revision %s)\nallocator: %s\n", kVersion, kRevision,
              AllocatorName().c_str());
  return kExitOk;
}

int Main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return kExitUsage;
  }
  std::string_view command = argv[1];
  if (command == "-h" || command == "--help" || command == "help") {
    std::fputs(kUsage, stdout);
    return kExitOk;
  }
  struct Entry {
    std::string_view name;
    int (*run)(int, char**);
  };
  static constexpr Entry kCommands[] = {{"serve", RunServe},     {"bench", RunBench},
                                        {"sweep", RunSweep},     {"tune", RunTune},
                                        {"emulate", RunEmulate}, {"check-config", RunCheckConfig},
                                        {"version", RunVersion}};
  if (command == "--version") command = "version";
  for (const Entry& entry : kCommands) {
    if (command == entry.name) {
      // The command sees "infercost <command>" as its program name.
      std::string program = "infercost " + std::string(entry.name);
      argv[1] = program.data();
      // The last barrier: whatever escapes a command (a worker that cannot be created, memory
      // exhausted) is reported on one line with exit 1, never an abort with a core dump.
      try {
        return entry.run(argc - 1, argv + 1);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", program.c_str(), e.what());
      } catch (...) {
        std::fprintf(stderr, "%s: unexpected error\n", program.c_str());
      }
      return kExitFailure;
    }
  }
  std::vector<std::string_view> names;
  for (const Entry& entry : kCommands) names.push_back(entry.name);
  std::string message = "infercost: unknown command '" + std::string(command) + "'";
  if (const std::optional<std::string_view> close = yaml::Closest(command, names)) {
    message.append("; did you mean ").append(*close).append("?");
  }
  std::fprintf(stderr, "%s\n\n%s", message.c_str(), kUsage);
  return kExitUsage;
}

}  // namespace infercost
