// LogStateTracker: the client's memory of a log, so that the log cannot
// rewrite history behind its back (STYLE.md habit 11; after
// transparency-dev/tessera's client.LogStateTracker).
//
// The tracker persists the last checkpoint it verified for one log (one
// origin and log key) in a state folder, and accepts a newer checkpoint only
// with a valid consistency proof from the saved one, built from the log's
// tiles. A checkpoint that cannot be proved consistent is refused, the saved
// state is kept, and the failure carries Evidence (client/evidence.h): both
// signed checkpoints and the proof, ready to be written to a file and shown
// to others.
//
//   Update(new)                    outcome
//   ------------------------------ -----------------------------------------
//   nothing saved yet              kFirstUse: trusted on first use, saved
//   same size, same root           kUnchanged (the copy with more verified
//                                  witness cosignatures is kept)
//   same size, other root          kInconsistent (evidence, empty proof)
//   larger, proof verifies         kAdvanced: saved
//   larger, proof fails            kInconsistent (evidence)
//   smaller, proof to saved ok     kOlder: the saved state stays
//   smaller, proof fails           kInconsistent (evidence; the smaller
//                                  checkpoint is evidence.old_checkpoint)
//   signature / quorum problems    kBadSignature / kPolicy / kLogError
//   tiles unreachable or missing   kNetwork / kLogError (nothing is saved)
//
// Storage: one file per log, <state dir>/<origin, %-escaped>+<key id
// hex>.checkpoint, holding the signed checkpoint exactly as received, written
// atomically (temporary file, fsync, rename, fsync of the folder). A sibling
// ".lock" file is flock()ed during Update, and the saved file is re-read
// under the lock, so two processes sharing a state folder never move the
// state backwards or skip a consistency check.
//
// Thread-safety: a LogStateTracker is not thread-safe; use one per thread
// (the file lock makes several trackers on one folder safe).
#ifndef LTL_CLIENT_STATE_H_
#define LTL_CLIENT_STATE_H_

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "client/outcome.h"
#include "client/policy.h"
#include "client/tile_reader.h"
#include "ledger/checkpoint.h"
#include "proofs/hash.h"

namespace ltl::client {

// $XDG_STATE_HOME/ltl when XDG_STATE_HOME is set to an absolute path (the XDG
// spec ignores relative ones), else $HOME/.local/state/ltl.
// Errors: FailedPrecondition when neither variable gives an absolute path.
Result<std::filesystem::path> DefaultStateDir();

// The state file name for a log: "<escaped origin>+<8 hex key id>.checkpoint".
// Bytes outside [A-Za-z0-9._-] are written %XX; a long origin is cut and
// suffixed with a hash of the whole so the name stays under 255 bytes.
std::string StateFileName(const ledger::VerifierKey& log_key);

struct CheckpointUpdate {
  enum class Kind {
    kFirstUse,   // no saved state: `current` trusted on first use and saved
    kUnchanged,  // same tree as the saved state
    kAdvanced,   // larger tree, proved consistent, saved
    kOlder,      // smaller tree, proved consistent with the saved (kept) one
  };
  Kind kind = Kind::kFirstUse;
  // The trusted state after the update (the saved checkpoint).
  ledger::SignedCheckpoint current;
  // The checkpoint offered to Update().
  ledger::SignedCheckpoint offered;
  // The consistency proof that was checked (empty when none was needed).
  std::vector<proofs::Hash> proof;
};

class LogStateTracker {
 public:
  // Opens (creating if needed) the state for `policy`'s log in `state_dir`.
  // A saved checkpoint must still carry a valid log signature (the witness
  // quorum is not re-checked: it held when the state was saved).
  // Outcomes: kLocalState when the folder or file cannot be used or the
  // saved checkpoint no longer verifies.
  static VerifyResult<LogStateTracker> Open(VerificationPolicy policy,
                                            std::filesystem::path state_dir);

  const VerificationPolicy& policy() const { return policy_; }
  const std::filesystem::path& state_file() const { return state_file_; }
  // The trusted checkpoint; nullopt before the first Update.
  const std::optional<ledger::SignedCheckpoint>& latest() const { return latest_; }

  // Verifies `wire` under the policy (quorum enforced) and moves the saved
  // state forward if it is consistent; see the table above. Proofs are built
  // with `reader` from the log's tiles.
  // Outcomes: those of VerifyCheckpoint, FailTileRead, kInconsistent (with
  // evidence), kLocalState.
  VerifyResult<CheckpointUpdate> Update(std::string_view wire, TileReader& reader);

  // GET /checkpoint from `fetcher`, then Update().
  VerifyResult<CheckpointUpdate> Refresh(Fetcher& fetcher, TileReader& reader);

 private:
  LogStateTracker(VerificationPolicy policy, std::filesystem::path state_file,
                  std::optional<ledger::SignedCheckpoint> latest)
      : policy_(std::move(policy)),
        state_file_(std::move(state_file)),
        latest_(std::move(latest)) {}

  // Re-reads the saved checkpoint (another process may have advanced it).
  VerifyResult<std::optional<ledger::SignedCheckpoint>> Load() const;
  VerifyResult<CheckpointUpdate> UpdateLocked(ledger::SignedCheckpoint offered, TileReader& reader);
  // Writes the state file, then latest_. Errors: as WriteFileAtomically.
  Status Save(const ledger::SignedCheckpoint& checkpoint);

  VerificationPolicy policy_;
  std::filesystem::path state_file_;
  std::optional<ledger::SignedCheckpoint> latest_;
};

// Proves the tree of `smaller` a prefix of the tree of `larger` with a
// consistency proof built from tiles at larger's size (equal sizes: equal
// roots). Returns the proof. Outcomes: FailTileRead's for fetch problems;
// kInconsistent with evidence (old = smaller, new = larger) when the roots
// cannot be reconciled.
// REQUIRES: smaller.checkpoint.size <= larger.checkpoint.size.
VerifyResult<std::vector<proofs::Hash>> ProveConsistent(const ledger::SignedCheckpoint& smaller,
                                                        const ledger::SignedCheckpoint& larger,
                                                        TileReader& reader);

}  // namespace ltl::client

#endif  // LTL_CLIENT_STATE_H_
