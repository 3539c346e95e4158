// InitLog: creates a log's data folder, for `ltl-node init`.
//
// A data folder holds:
//   log.key    the log's Ed25519 private key (mode 0600), in the
//              PRIVATE+KEY+<origin>+<hex id>+<base64> form of ledger/keys.h;
//   data.mdb, lock.mdb   the LMDB environment (ledger/store/log_db.h);
//   ltl.lock   the lock file that keeps a second process out.
// The log key is named after the origin (C2SP recommends key name == origin;
// LTL requires it). The folder starts with a signed checkpoint of the empty
// tree, so a reader always has a latest checkpoint.
//
// Thread-safety: do not run concurrently on the same folder.
#ifndef LTL_LEDGER_STORE_INIT_LOG_H_
#define LTL_LEDGER_STORE_INIT_LOG_H_

#include <filesystem>
#include <string>
#include <string_view>

#include "base/result.h"
#include "ledger/keys.h"

namespace ltl::store {

struct InitResult {
  std::string verifier_key;  // <origin>+<hex id>+<base64>: what clients and witnesses pin
  std::string checkpoint;    // the signed checkpoint of the empty tree
};

// Creates `dir` (and its parents) if needed, generates the log key, writes
// log.key (0600, never overwritten) and initialises the LMDB environment.
// Errors: InvalidArgument (origin not a valid key name / checkpoint origin),
// AlreadyExists (log.key or data.mdb already there), PermissionDenied or
// Unavailable (file system), FailedPrecondition (folder in use).
Result<InitResult> InitLog(const std::filesystem::path& dir, std::string_view origin);

// InitLog with a key made elsewhere (tests, benchmarks, a key ceremony).
// REQUIRES: an Ed25519 key whose name is the origin.
Result<InitResult> InitLogWithKey(const std::filesystem::path& dir,
                                  const ledger::SigningKey& log_key);

}  // namespace ltl::store

#endif  // LTL_LEDGER_STORE_INIT_LOG_H_
