// The state file of a tuning run (see TuneState in tune/tune.h): one block per function, each
// opened by its function_url line, in a text format a person can read and fix:
//   function_url=https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/fn
//   original_memory_mb=1024
//   version=7
//   provisioned=7
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "tune/tune.h"

namespace infercost {

std::string WriteTuneState(const std::string& path, const TuneState& state) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << "# infercost tune: the functions' configuration before tuning; `infercost tune "
           "--restore` puts it back\n";
    for (const TuneStateFunction& f : state.functions) {
      out << "function_url=" << f.function_url << "\n";
      out << "original_memory_mb=" << f.original_memory_mb << "\n";
      for (const std::string& v : f.versions) out << "version=" << v << "\n";
      for (const std::string& v : f.provisioned) out << "provisioned=" << v << "\n";
    }
    if (!out) return "cannot write the state file " + path;
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    return "cannot write the state file " + path;
  }
  return "";
}

std::optional<TuneState> ReadTuneState(const std::string& path, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = "no state file " + path;
    return std::nullopt;
  }
  TuneState state;
  std::string line;
  while (std::getline(in, line)) {
    const size_t eq = line.find('=');
    if (line.empty() || line[0] == '#' || eq == std::string::npos) continue;
    const std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    if (key == "function_url")
      state.functions.push_back({.function_url = value, .original_memory_mb = 0});
    if (state.functions.empty()) continue;
    TuneStateFunction& f = state.functions.back();
    if (key == "original_memory_mb") f.original_memory_mb = std::atoi(value.c_str());
    if (key == "version") f.versions.push_back(value);
    if (key == "provisioned") f.provisioned.push_back(value);
  }
  bool complete = !state.functions.empty();
  for (const TuneStateFunction& f : state.functions) {
    complete = complete && !f.function_url.empty() && f.original_memory_mb >= 128;
  }
  if (!complete) {
    *error = path + ": not a tune state file (function_url and original_memory_mb expected)";
    return std::nullopt;
  }
  return state;
}

}  // namespace infercost
