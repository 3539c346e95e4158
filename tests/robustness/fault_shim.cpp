// An LD_PRELOAD fault shim for disk-trouble tests: it makes the writes and
// syncs of an LMDB data file (a path ending in "/data.mdb") fail on demand,
// so a test can fill the disk or break it under a running ltl-node without
// root, mounts or a small tmpfs.
//
// Control: the environment variable LTL_FAULT_CONTROL names a file. Before
// every intercepted call on data.mdb the shim reads it:
//   absent or empty  no fault (calls go through);
//   "ENOSPC"         the disk is full: writes that would grow the file fail
//                    with ENOSPC (writes inside the file still succeed, as on
//                    a real full file system); syncs succeed;
//   "EIO"            the disk is failing: every write and sync fails with EIO.
// Other files (logs, sockets, the lock file) are never touched.
//
// Intercepted: write, pwrite, pwrite64, writev, pwritev, fsync, fdatasync
// (what LMDB 0.9 uses without MDB_WRITEMAP). The real functions come from
// dlsym(RTLD_NEXT); under ASan, ASAN_OPTIONS=verify_asan_link_order=0 lets the
// shim load before the sanitizer runtime.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

namespace {

enum class Fault { kNone, kDiskFull, kIoError };

template <typename Fn>
Fn Real(const char* name) {
  return reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
}

// Reads the control file with raw syscalls (no intercepted call, no stdio
// buffering shared with the program).
Fault CurrentFault() {
  const char* control = getenv("LTL_FAULT_CONTROL");
  if (control == nullptr) return Fault::kNone;
  const int fd = open(control, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Fault::kNone;
  char buf[16] = {0};
  const ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return Fault::kNone;
  if (strncmp(buf, "ENOSPC", 6) == 0) return Fault::kDiskFull;
  if (strncmp(buf, "EIO", 3) == 0) return Fault::kIoError;
  return Fault::kNone;
}

bool IsDataFile(int fd) {
  char link[64];
  char path[4096];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  const ssize_t n = readlink(link, path, sizeof path - 1);
  if (n < 9) return false;
  path[n] = '\0';
  return strcmp(path + n - 9, "/data.mdb") == 0;
}

// The fault for a write of `len` bytes at `offset` (-1: the file position),
// or 0 to let it through.
int WriteFault(int fd, off_t offset, size_t len) {
  if (!IsDataFile(fd)) return 0;
  const Fault fault = CurrentFault();
  if (fault == Fault::kIoError) return EIO;
  if (fault != Fault::kDiskFull) return 0;
  struct stat st;
  if (fstat(fd, &st) != 0) return 0;
  if (offset < 0) offset = lseek(fd, 0, SEEK_CUR);
  return offset + static_cast<off_t>(len) > st.st_size ? ENOSPC : 0;
}

int SyncFault(int fd) {
  if (!IsDataFile(fd)) return 0;
  return CurrentFault() == Fault::kIoError ? EIO : 0;
}

size_t IovLength(const struct iovec* iov, int count) {
  size_t total = 0;
  for (int i = 0; i < count; ++i) total += iov[i].iov_len;
  return total;
}

}  // namespace

extern "C" {

ssize_t write(int fd, const void* buf, size_t count) {
  static auto real = Real<ssize_t (*)(int, const void*, size_t)>("write");
  if (int e = WriteFault(fd, -1, count)) {
    errno = e;
    return -1;
  }
  return real(fd, buf, count);
}

ssize_t pwrite(int fd, const void* buf, size_t count, off_t offset) {
  static auto real = Real<ssize_t (*)(int, const void*, size_t, off_t)>("pwrite");
  if (int e = WriteFault(fd, offset, count)) {
    errno = e;
    return -1;
  }
  return real(fd, buf, count, offset);
}

ssize_t pwrite64(int fd, const void* buf, size_t count, off64_t offset) {
  static auto real = Real<ssize_t (*)(int, const void*, size_t, off64_t)>("pwrite64");
  if (int e = WriteFault(fd, static_cast<off_t>(offset), count)) {
    errno = e;
    return -1;
  }
  return real(fd, buf, count, offset);
}

ssize_t writev(int fd, const struct iovec* iov, int iovcnt) {
  static auto real = Real<ssize_t (*)(int, const struct iovec*, int)>("writev");
  if (int e = WriteFault(fd, -1, IovLength(iov, iovcnt))) {
    errno = e;
    return -1;
  }
  return real(fd, iov, iovcnt);
}

ssize_t pwritev(int fd, const struct iovec* iov, int iovcnt, off_t offset) {
  static auto real = Real<ssize_t (*)(int, const struct iovec*, int, off_t)>("pwritev");
  if (int e = WriteFault(fd, offset, IovLength(iov, iovcnt))) {
    errno = e;
    return -1;
  }
  return real(fd, iov, iovcnt, offset);
}

int fsync(int fd) {
  static auto real = Real<int (*)(int)>("fsync");
  if (int e = SyncFault(fd)) {
    errno = e;
    return -1;
  }
  return real(fd);
}

int fdatasync(int fd) {
  static auto real = Real<int (*)(int)>("fdatasync");
  if (int e = SyncFault(fd)) {
    errno = e;
    return -1;
  }
  return real(fd);
}

}  // extern "C"
