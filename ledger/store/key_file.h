// Private key files in data folders (log, witness and mirror keys): created
// once, never overwritten, mode 0600, durable before anything depends on them.
// Internal to ledger/store (namespace detail).
// Thread-safety: functions; callers serialise work on one folder.
#ifndef LTL_LEDGER_STORE_KEY_FILE_H_
#define LTL_LEDGER_STORE_KEY_FILE_H_

#include <filesystem>
#include <string>
#include <string_view>

#include "base/status.h"

namespace ltl::store::detail {

// A Status for a failed file operation: PermissionDenied (EACCES, EPERM,
// EROFS), AlreadyExists (EEXIST), NotFound (ENOENT), ResourceExhausted
// (ENOSPC, EDQUOT), otherwise Unavailable. The message is `what: strerror`.
Status FileErrnoStatus(int err, const std::string& what);

// Writes `contents` to dir/file_name with O_EXCL (AlreadyExists if present)
// and mode 0600, fsyncs the file and then the folder's entry. On failure the
// partial file is removed. Errors: as FileErrnoStatus.
Status WriteNewKeyFile(const std::filesystem::path& dir, std::string_view file_name,
                       std::string_view contents);

}  // namespace ltl::store::detail

#endif  // LTL_LEDGER_STORE_KEY_FILE_H_
