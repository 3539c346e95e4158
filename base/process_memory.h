// The calling process's resident memory, as the kernel counts it.
//
// Resident memory has two parts that behave very differently:
//  - anonymous pages (heap, stacks, caches the program builds): only the
//    process can give them back;
//  - file-backed pages it has mapped (the LMDB data file, shared libraries):
//    copies of the page cache. Unmapping them frees nothing in the cache and
//    costs one minor fault per page if touched again.
// The node reports both and bounds the second (docs/storage.md, "Mapped
// pages and resident memory").
#ifndef LTL_BASE_PROCESS_MEMORY_H_
#define LTL_BASE_PROCESS_MEMORY_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace ltl {

struct ResidentMemory {
  uint64_t total_bytes = 0;  // VmRSS
  uint64_t file_bytes = 0;   // RssFile + RssShmem: mapped file and shared pages
};

// Reads /proc/self/statm.
// Errors: Unavailable where /proc is not mounted; Internal if the text is not
// what Linux writes.
Result<ResidentMemory> ReadResidentMemory();

// Parses the text of /proc/<pid>/statm with the given page size. Separate so
// that the parser is tested on fixed text. Errors: InvalidArgument.
Result<ResidentMemory> ParseStatm(std::string_view text, uint64_t page_size);

// One mapping of a file into this process (a line of /proc/self/maps).
struct FileMapping {
  uintptr_t begin = 0;
  uintptr_t end = 0;  // exclusive
};

// The mappings of the file with device `device` and inode `inode` (as fstat
// reports them) in /proc/self/maps. Errors: Unavailable where /proc is not
// mounted; Internal if a line is not what Linux writes.
Result<std::vector<FileMapping>> MappingsOfFile(uint64_t device, uint64_t inode);

// The same over the text of a maps file. Errors: InvalidArgument.
Result<std::vector<FileMapping>> ParseMappingsOfFile(std::string_view maps, uint64_t device,
                                                     uint64_t inode);

}  // namespace ltl

#endif  // LTL_BASE_PROCESS_MEMORY_H_
