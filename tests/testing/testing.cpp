#include "tests/testing/testing.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ltl::testing {

std::optional<std::filesystem::path> VectorsDir() {
  std::filesystem::path dir = LTL_DEFAULT_VECTORS_DIR;
  if (const char* env = std::getenv("LTL_VECTORS_DIR"); env != nullptr && *env != '\0') dir = env;
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return dir;
  return std::nullopt;
}

std::string VectorsMissingMessage() {
  return "SKIPPED: shared test vectors not found at " + std::string(LTL_DEFAULT_VECTORS_DIR) +
         " (set LTL_VECTORS_DIR); the reference cross-checks still run";
}

std::string ReadFileOrDie(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot read " << path;
    return {};
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::filesystem::path SourceDir() { return LTL_SOURCE_DIR; }
std::filesystem::path BinaryDir() { return LTL_BINARY_DIR; }

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "ltl-test-XXXXXX").string();
  char* made = mkdtemp(tmpl.data());
  if (made == nullptr) std::abort();
  path_ = made;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace ltl::testing
