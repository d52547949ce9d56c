// Runs tests/sweep/check_svg.py on chart files: it fails the test when a file is not well-formed
// SVG, and returns the series each chart draws (file name -> series names, in drawing order).
#ifndef TESTS_SWEEP_SVG_SERIES_H_
#define TESTS_SWEEP_SVG_SERIES_H_

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace infercost::testing {

inline std::map<std::string, std::vector<std::string>> SvgSeries(
    const std::vector<std::filesystem::path>& files) {
  std::string command =
      "python3 '" + std::string(INFERCOST_SOURCE_DIR) + "/tests/sweep/check_svg.py'";
  for (const std::filesystem::path& file : files) command += " '" + file.string() + "'";
  std::map<std::string, std::vector<std::string>> series;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) {
    ADD_FAILURE() << "cannot run " << command;
    return series;
  }
  std::string output;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  EXPECT_EQ(pclose(pipe), 0) << output;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    const std::size_t tab = line.find('\t');
    if (tab == std::string::npos) continue;
    std::vector<std::string> names;
    std::stringstream rest(line.substr(tab + 1));
    for (std::string name; std::getline(rest, name, '|');) names.push_back(name);
    series[std::filesystem::path(line.substr(0, tab)).filename().string()] = names;
  }
  return series;
}

// Every .svg file of a directory.
inline std::map<std::string, std::vector<std::string>> SvgSeriesIn(
    const std::filesystem::path& directory) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (entry.path().extension() == ".svg") files.push_back(entry.path());
  }
  return SvgSeries(files);
}

}  // namespace infercost::testing

#endif  // TESTS_SWEEP_SVG_SERIES_H_
