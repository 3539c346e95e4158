// The client's high-level operations: submit an entry and verify the
// receipt, re-verify a receipt against the log's newest checkpoint, read
// entries with proof, look works up with proof.
//
// Each returns a VerifyResult (client/outcome.h) whose outcome the `ltl` CLI
// maps to an exit code. Nothing the log says is taken on trust: checkpoints
// are opened under the VerificationPolicy, proofs are built from tiles and
// checked against signed roots, entries are hashed.
//
// What these operations cannot prove: that a lookup is complete (a log can
// leave an entry out of its index; monitors replay the whole tree with
// VerifyTreeTiles for that), or that a log shows everyone the same history
// (the state tracker and witnesses do).
//
// Thread-safety: functions; the objects passed in carry their own rules
// (TileReader and LogStateTracker: one thread at a time).
#ifndef LTL_CLIENT_VERIFY_H_
#define LTL_CLIENT_VERIFY_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/fetcher.h"
#include "client/outcome.h"
#include "client/policy.h"
#include "client/receipt.h"
#include "client/state.h"
#include "client/tile_reader.h"
#include "ledger/checkpoint.h"
#include "proofs/hash.h"

namespace ltl::client {

// Submits `entry` (a signed LTL entry) with POST /add and verifies the
// receipt offline with the entry (VerifyReceiptOffline, QuorumCheck::kSkip:
// no witness can have cosigned the checkpoint the log returns at once; the
// quorum applies when VerifyReceiptOnline or the tracker next sees the log).
// The returned receipt carries the entry, ready for a receipt file.
// Outcomes: kInvalidEntry when the entry does not parse, lacks a required
// signature, or the log refuses it (400, 403, 413, 415); kNetwork (transport,
// 503 after retries); kLogError for other answers or a malformed receipt;
// then those of VerifyReceiptOffline.
//
// With `witnessed`, the entry is posted to /add?wait=witnessed (a log with
// witnesses answers once a checkpoint covering the entry met its witness
// policy; docs/network.md) and the receipt's checkpoint must meet the
// client's quorum too (QuorumCheck::kEnforce; kPolicy otherwise).
struct SubmitOptions {
  bool witnessed = false;
};
VerifyResult<VerifiedReceipt> SubmitAndVerify(Fetcher& fetcher, const VerificationPolicy& policy,
                                              std::string_view entry, SubmitOptions options = {});

struct OnlineReceipt {
  // The receipt as given, verified offline.
  VerifiedReceipt original;
  // The same entry proved at the tracker's trusted checkpoint (`checkpoint`
  // and `inclusion_proof` replaced): save it to refresh a receipt file.
  Receipt refreshed;
  // How the tracker's state moved while verifying.
  CheckpointUpdate update;
};

// Verifies a receipt against the log as it is now:
//   1. offline (VerifyReceiptOffline, quorum skipped for the receipt's own
//      checkpoint, the entry checked when the receipt or `entry` has it);
//   2. the tracker refreshes from GET /checkpoint (quorum and consistency
//      with the saved state, evidence on a fork);
//   3. the receipt's checkpoint is proved consistent with the trusted one
//      (whichever is larger; a failure is kInconsistent with evidence);
//   4. the leaf is proved included at the trusted checkpoint (from tiles).
// Outcomes: those of the steps; kProofFailure when step 4 fails.
VerifyResult<OnlineReceipt> VerifyReceiptOnline(
    Fetcher& fetcher, TileReader& reader, LogStateTracker& tracker, const Receipt& receipt,
    std::optional<std::string_view> entry = std::nullopt);

struct VerifiedEntry {
  uint64_t index = 0;
  proofs::Hash entry_ref{};  // SHA-256 of the entry's note text
  std::string entry;         // the logged bytes
  friend bool operator==(const VerifiedEntry&, const VerifiedEntry&) = default;
};

// Reads entry `index` from its entry bundle and proves it included in
// `checkpoint`'s tree (bundle checked against the level-0 tile, inclusion
// proof built from tiles). Outcomes: kUsage if index >= the tree size;
// FailTileRead's; kProofFailure if the inclusion proof fails; kInvalidEntry if
// the logged bytes are not a signed note (no entry reference can be taken).
VerifyResult<VerifiedEntry> VerifyEntryAt(TileReader& reader,
                                          const ledger::SignedCheckpoint& checkpoint,
                                          uint64_t index);

// What GET /lookup may be keyed by (docs/api.md).
enum class LookupKey {
  kWork,    // a work identifier "<scheme>:<value>"
  kSigner,  // a key name
  kGrant,   // a licence grant's entry reference (hex)
};

struct LookupOptions {
  // Pages of GET /lookup followed at most (each up to the log's page size).
  size_t max_pages = 100;
};

struct LookupResult {
  // Hits inside `checkpoint`'s tree, each read and proved included, and
  // whose entry reference matches the log's index.
  std::vector<VerifiedEntry> entries;
  // Hits at or beyond the checkpoint's size (logged after it): reported, not
  // verified. Refresh the tracker and look up again to verify them.
  std::vector<uint64_t> beyond_checkpoint;
  // True when max_pages stopped the walk before the log's last page.
  bool truncated = false;
};

// GET /lookup?<key>=<value> (every page up to max_pages) and verifies each
// hit with VerifyEntryAt at `checkpoint`. A hit whose entry reference differs
// from the entry at its index is kLogError (the log's index contradicts its
// tree). Outcomes: kUsage for an empty value; FailFetch's; kLogError for a
// malformed page; those of VerifyEntryAt.
VerifyResult<LookupResult> Lookup(Fetcher& fetcher, TileReader& reader,
                                  const ledger::SignedCheckpoint& checkpoint, LookupKey key,
                                  std::string_view value, LookupOptions options = {});

// Percent-encodes a query value (RFC 3986 unreserved characters stay).
std::string PercentEncodeQueryValue(std::string_view value);

}  // namespace ltl::client

#endif  // LTL_CLIENT_VERIFY_H_
