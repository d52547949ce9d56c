// A fresh directory under the system temp dir for one test, removed with everything in it when
// the object goes away. Thread contract: none needed; owned by one test.
#ifndef TESTS_SUPPORT_TEMP_DIR_H_
#define TESTS_SUPPORT_TEMP_DIR_H_

#include <unistd.h>

#include <filesystem>
#include <string>

namespace infercost::test {

class TempDir {
 public:
  // `name` makes the path recognisable (e.g. the test's name); the pid keeps parallel runs apart.
  explicit TempDir(const std::string& name)
      : path_(std::filesystem::temp_directory_path() /
              ("infercost_" + name + "_" + std::to_string(getpid()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& child) const { return path_ / child; }

 private:
  std::filesystem::path path_;
};

}  // namespace infercost::test

#endif  // TESTS_SUPPORT_TEMP_DIR_H_
