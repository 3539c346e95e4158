#include "base/process_memory.h"

#include <fcntl.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string>

#include "base/status.h"

namespace ltl {
namespace {

// The next space-separated decimal field of `text`, consumed.
bool NextField(std::string_view& text, uint64_t& out) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  if (text.empty() || text.front() < '0' || text.front() > '9') return false;
  uint64_t value = 0;
  while (!text.empty() && text.front() >= '0' && text.front() <= '9') {
    const uint64_t digit = static_cast<uint64_t>(text.front() - '0');
    if (value > (UINT64_MAX - digit) / 10) return false;
    value = value * 10 + digit;
    text.remove_prefix(1);
  }
  out = value;
  return true;
}

// The next field of a maps line: a number in `base`, then one of `ends` (or
// the end of the line, when `may_end_line`).
bool NextNumber(std::string_view& text, int base, std::string_view ends, uint64_t& out,
                bool may_end_line = false) {
  uint64_t value = 0;
  size_t digits = 0;
  while (digits < text.size()) {
    const char c = text[digits];
    uint64_t digit;
    if (c >= '0' && c <= '9') {
      digit = static_cast<uint64_t>(c - '0');
    } else if (base == 16 && c >= 'a' && c <= 'f') {
      digit = static_cast<uint64_t>(c - 'a' + 10);
    } else {
      break;
    }
    if (value > (UINT64_MAX - digit) / static_cast<uint64_t>(base)) return false;
    value = value * static_cast<uint64_t>(base) + digit;
    ++digits;
  }
  if (digits == 0) return false;
  if (digits == text.size()) {
    if (!may_end_line) return false;
    text.remove_prefix(digits);
  } else {
    if (ends.find(text[digits]) == std::string_view::npos) return false;
    text.remove_prefix(digits + 1);
  }
  out = value;
  return true;
}

bool SkipField(std::string_view& text) {
  const size_t space = text.find(' ');
  if (space == std::string_view::npos || space == 0) return false;
  text.remove_prefix(space + 1);
  return true;
}

// The whole text of a /proc file (read until end of file: their size is not
// known in advance). Errors: Unavailable.
Result<std::string> ReadProcFile(const char* path) {
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::Unavailable(std::string("open ") + path + ": " + std::strerror(errno));
  std::string text;
  std::array<char, 16384> buffer;
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int read_errno = errno;
      ::close(fd);
      return Status::Unavailable(std::string("read ") + path + ": " + std::strerror(read_errno));
    }
    if (n == 0) break;
    text.append(buffer.data(), static_cast<size_t>(n));
  }
  ::close(fd);
  return text;
}

}  // namespace

Result<std::vector<FileMapping>> ParseMappingsOfFile(std::string_view maps, uint64_t device,
                                                     uint64_t inode) {
  // "begin-end perms offset major:minor inode [path]", numbers in hex except
  // the inode (proc(5)).
  std::vector<FileMapping> out;
  while (!maps.empty()) {
    const size_t newline = maps.find('\n');
    std::string_view line = maps.substr(0, newline);
    maps.remove_prefix(newline == std::string_view::npos ? maps.size() : newline + 1);
    if (line.empty()) continue;
    uint64_t begin, end, major, minor, line_inode, offset;
    if (!NextNumber(line, 16, "-", begin) || !NextNumber(line, 16, " ", end) || !SkipField(line) ||
        !NextNumber(line, 16, " ", offset) || !NextNumber(line, 16, ":", major) ||
        !NextNumber(line, 16, " ", minor) || !NextNumber(line, 10, " ", line_inode, true) ||
        end < begin) {
      return Status::InvalidArgument("maps: a line is not 'begin-end perms offset dev inode'");
    }
    if (major > UINT32_MAX || minor > UINT32_MAX) {
      return Status::InvalidArgument("maps: device number out of range");
    }
    const uint64_t line_device =
        makedev(static_cast<unsigned>(major), static_cast<unsigned>(minor));
    if (line_inode == inode && line_device == device) {
      out.push_back(FileMapping{static_cast<uintptr_t>(begin), static_cast<uintptr_t>(end)});
    }
  }
  return out;
}

Result<std::vector<FileMapping>> MappingsOfFile(uint64_t device, uint64_t inode) {
  LTL_ASSIGN_OR_RETURN(std::string text, ReadProcFile("/proc/self/maps"));
  Result<std::vector<FileMapping>> parsed = ParseMappingsOfFile(text, device, inode);
  if (!parsed) return Status::Internal(parsed.error().message());
  return parsed;
}

Result<ResidentMemory> ParseStatm(std::string_view text, uint64_t page_size) {
  // "size resident shared text lib data dt" in pages (proc(5)).
  uint64_t size = 0, resident = 0, shared = 0;
  if (!NextField(text, size) || !NextField(text, resident) || !NextField(text, shared)) {
    return Status::InvalidArgument("statm: want 'size resident shared ...' in pages");
  }
  if (shared > resident) {
    return Status::InvalidArgument("statm: shared pages exceed resident pages");
  }
  if (resident > UINT64_MAX / page_size) {
    return Status::InvalidArgument("statm: resident pages out of range");
  }
  return ResidentMemory{resident * page_size, shared * page_size};
}

Result<ResidentMemory> ReadResidentMemory() {
  LTL_ASSIGN_OR_RETURN(std::string text, ReadProcFile("/proc/self/statm"));
  const long page_size = ::sysconf(_SC_PAGESIZE);
  Result<ResidentMemory> parsed = ParseStatm(text, static_cast<uint64_t>(page_size));
  if (!parsed) return Status::Internal(parsed.error().message());
  return parsed;
}

}  // namespace ltl
