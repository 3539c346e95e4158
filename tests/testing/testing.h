// Shared helpers for LTL's GoogleTest suites.
#ifndef LTL_TESTS_TESTING_TESTING_H_
#define LTL_TESTS_TESTING_TESTING_H_

#include <filesystem>
#include <optional>
#include <string>

namespace ltl::testing {

// The folder of shared vectors (../shared/vectors beside the checkout, or
// $LTL_VECTORS_DIR), or nullopt when it is absent, as in a user's clone.
// Tests that need it GTEST_SKIP() with the message from VectorsMissingMessage().
std::optional<std::filesystem::path> VectorsDir();
std::string VectorsMissingMessage();

// Reads a whole file; aborts the test (ADD_FAILURE + empty) when it cannot.
std::string ReadFileOrDie(const std::filesystem::path& path);

// The source tree and the build tree of this build.
std::filesystem::path SourceDir();
std::filesystem::path BinaryDir();

// A fresh temporary directory, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace ltl::testing

#endif  // LTL_TESTS_TESTING_TESTING_H_
