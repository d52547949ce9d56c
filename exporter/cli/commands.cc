#include "cli/commands.h"

#include <cstdio>
#include <string>
#include <string_view>

#include "common/build_info.h"

namespace infercost {
namespace {

constexpr const char* kUsage =
    "usage: infercost <command> [flags]\n"
    "\n"
    "commands:\n"
    "  serve         run the long-running service (no --config: the embedded emulated AWS fleet)\n"
    "  bench         one-shot load test of one URL, with the seed's summary and cost per 1M\n"
    "  sweep         step targets through concurrency levels and write a cost report\n"
    "  emulate       run the AWS target emulator alone\n"
    "  check-config  validate a config file\n"
    "  version       print the version\n"
    "\n"
    "Run 'infercost <command> --help' for a command's flags.\n";

}  // namespace

int RunVersion(int /*argc*/, char** /*argv*/) {
  std::printf("infercost %s (revision %s)\n", kVersion, kRevision);
  return kExitOk;
}

int Main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return kExitUsage;
  }
  const std::string_view command = argv[1];
  if (command == "-h" || command == "--help" || command == "help") {
    std::fputs(kUsage, stdout);
    return kExitOk;
  }
  if (command == "--version") return RunVersion(argc - 1, argv + 1);
  struct Entry {
    std::string_view name;
    int (*run)(int, char**);
  };
  constexpr Entry kCommands[] = {{"serve", RunServe},
                                 {"bench", RunBench},
                                 {"sweep", RunSweep},
                                 {"emulate", RunEmulate},
                                 {"check-config", RunCheckConfig},
                                 {"version", RunVersion}};
  for (const Entry& entry : kCommands) {
    if (command == entry.name) {
      // The command sees "infercost <command>" as its program name.
      std::string program = std::string("infercost ") + argv[1];
      argv[1] = program.data();
      return entry.run(argc - 1, argv + 1);
    }
  }
  std::fprintf(stderr, "infercost: unknown command '%s'\n\n%s", argv[1], kUsage);
  return kExitUsage;
}

}  // namespace infercost
