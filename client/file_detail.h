// Internal to client/: small, careful file helpers for state, evidence and
// receipt files. Included only by client/*.cpp.
#ifndef LTL_CLIENT_FILE_DETAIL_H_
#define LTL_CLIENT_FILE_DETAIL_H_

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/status.h"

namespace ltl::client::detail {

// Replaces `path` with `contents` so that a crash leaves either the old file
// or the new one, never a mix: write a temporary file in the same folder,
// fsync it, rename it over `path`, fsync the folder. The file gets `mode`.
// Errors: PermissionDenied (EACCES/EPERM/EROFS), ResourceExhausted (ENOSPC,
// EDQUOT), otherwise Internal; the message names the path and errno text.
Status WriteFileAtomically(const std::filesystem::path& path, std::string_view contents,
                           mode_t mode = 0644);

// The whole file, or nullopt when it does not exist. Errors: ResourceExhausted
// if it is larger than `max_bytes`; PermissionDenied / Internal as above.
Result<std::optional<std::string>> ReadFileIfExists(const std::filesystem::path& path,
                                                    size_t max_bytes);

// Creates `dir` and its parents (mode 0700 for new folders: the state of what
// a user has verified is theirs). Errors as WriteFileAtomically.
Status CreateDirectories(const std::filesystem::path& dir);

// An exclusive advisory lock (flock) on `path`, created if absent, held
// until the object dies. Serialises read-modify-write of a state file across
// processes. Errors as WriteFileAtomically.
class FileLock {
 public:
  static Result<FileLock> Acquire(const std::filesystem::path& path);
  FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileLock& operator=(FileLock&&) = delete;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace ltl::client::detail

#endif  // LTL_CLIENT_FILE_DETAIL_H_
