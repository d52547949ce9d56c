// Runs tests/sweep/check_svg.py on chart files: it fails the test when a file is not well-formed
// SVG, and returns the series each chart draws (file name -> series names, in drawing order).
#ifndef TESTS_SWEEP_SVG_SERIES_H_
#define TESTS_SWEEP_SVG_SERIES_H_

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/process.h"

namespace infercost::testing {

inline std::map<std::string, std::vector<std::string>> SvgSeries(
    const std::vector<std::filesystem::path>& files) {
  std::vector<std::string> argv = {"python3",
                                   std::string(INFERCOST_SOURCE_DIR) + "/tests/sweep/check_svg.py"};
  for (const std::filesystem::path& file : files) argv.push_back(file.string());
  std::map<std::string, std::vector<std::string>> series;
  const test::ProcessResult run = test::RunProcess(argv);
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  std::istringstream lines(run.out);
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
