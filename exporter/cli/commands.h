// The `infercost` subcommands. Each takes its own argv (argv[0] is "infercost <command>") and
// returns the exit code: 0 success, 1 run-time failure, 2 bad usage or bad config.
#ifndef INFERCOST_CLI_COMMANDS_H_
#define INFERCOST_CLI_COMMANDS_H_

namespace infercost {

int RunServe(int argc, char** argv);
int RunBench(int argc, char** argv);
int RunSweep(int argc, char** argv);
int RunTune(int argc, char** argv);
int RunEmulate(int argc, char** argv);
int RunCheckConfig(int argc, char** argv);
int RunVersion(int argc, char** argv);

// Dispatches on argv[1].
int Main(int argc, char** argv);

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

}  // namespace infercost

#endif  // INFERCOST_CLI_COMMANDS_H_
