#include "client/file_detail.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <string>

namespace ltl::client::detail {
namespace {

Status ErrnoStatus(int err, std::string_view what, const std::filesystem::path& path) {
  std::string message = std::string(what) + " " + path.string() + ": " + std::strerror(err);
  switch (err) {
    case EACCES:
    case EPERM:
    case EROFS:
      return Status::PermissionDenied(message);
    case ENOSPC:
    case EDQUOT:
      return Status::ResourceExhausted(message);
    default:
      return Status::Internal(message);
  }
}

// Closes on scope exit; the owner checks close() itself where it matters.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

Status WriteAll(int fd, std::string_view data, const std::filesystem::path& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "write", path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

std::string RandomSuffix() {
  std::random_device rd;
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 12; ++i) s.push_back(kDigits[rd() % 16]);
  return s;
}

}  // namespace

Status WriteFileAtomically(const std::filesystem::path& path, std::string_view contents,
                           mode_t mode) {
  const std::filesystem::path dir =
      path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  const std::filesystem::path temp =
      dir / ("." + path.filename().string() + ".tmp-" + RandomSuffix());
  Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (fd.get() < 0) return ErrnoStatus(errno, "create", temp);
  Status written = WriteAll(fd.get(), contents, temp);
  if (written.ok() && ::fsync(fd.get()) != 0) written = ErrnoStatus(errno, "fsync", temp);
  if (written.ok() && ::close(fd.release()) != 0) written = ErrnoStatus(errno, "close", temp);
  if (written.ok() && ::rename(temp.c_str(), path.c_str()) != 0) {
    written = ErrnoStatus(errno, "rename onto", path);
  }
  if (!written.ok()) {
    ::unlink(temp.c_str());
    return written;
  }
  // The rename is durable only once the folder's entry is.
  Fd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() < 0) return ErrnoStatus(errno, "open folder", dir);
  if (::fsync(dir_fd.get()) != 0) return ErrnoStatus(errno, "fsync folder", dir);
  return Status::Ok();
}

Result<std::optional<std::string>> ReadFileIfExists(const std::filesystem::path& path,
                                                    size_t max_bytes) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return ErrnoStatus(errno, "open", path);
  }
  std::string out;
  char buffer[8192];
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer, sizeof(buffer));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "read", path);
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_bytes) {
      return Status::ResourceExhausted("file " + path.string() + " exceeds " +
                                       std::to_string(max_bytes) + " bytes");
    }
    out.append(buffer, static_cast<size_t>(n));
  }
  return std::optional<std::string>(std::move(out));
}

Status CreateDirectories(const std::filesystem::path& dir) {
  std::error_code ec;
  const bool existed = std::filesystem::exists(dir, ec);
  if (existed) return Status::Ok();
  std::filesystem::create_directories(dir, ec);
  if (ec) return ErrnoStatus(ec.value(), "create folder", dir);
  // create_directories uses 0777 & ~umask; tighten the folder we created (the
  // leaf only: parents such as ~/.local/state follow their own conventions).
  if (::chmod(dir.c_str(), 0700) != 0) return ErrnoStatus(errno, "chmod", dir);
  return Status::Ok();
}

Result<FileLock> FileLock::Acquire(const std::filesystem::path& path) {
  Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (fd.get() < 0) return ErrnoStatus(errno, "open lock file", path);
  while (::flock(fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return ErrnoStatus(errno, "lock", path);
  }
  return FileLock(fd.release());
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

}  // namespace ltl::client::detail
