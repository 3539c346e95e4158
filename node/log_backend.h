// LogBackend: the narrow view of a log that the HTTP layer needs.
//
// The HTTP handlers (node/http_handlers.h) depend only on this interface. The
// node adapts the LMDB store (ledger/store/) to it; tests use an in-memory
// fake. Reads are synchronous and cheap (an LMDB read transaction or a tile
// lookup); Submit() is asynchronous because an entry is acknowledged only
// after the sequencer's batch commit is durable (STYLE.md habit 9).
//
// Thread-safety: every method may be called concurrently from any thread of
// the server's I/O pool. Implementations must not block for long in the read
// methods (they run on I/O threads); Submit() must not block at all.
//
// Errors: each method returns the most specific Status code; the HTTP layer
// maps codes to HTTP statuses with one table (docs/api.md#errors):
//   InvalidArgument    malformed entry or parameter           -> 400
//   NotFound           no such tile / bundle / entry           -> 404
//   OutOfRange         a size or index beyond the current tree -> 400
//   PermissionDenied   entry signer not registered / revoked   -> 403
//   ResourceExhausted  sequencer queue full                    -> 503 + Retry-After
//   Unavailable        transient failure, retry later          -> 503 + Retry-After
//   DataLoss, Internal storage corruption or a bug             -> 500 (message logged,
//                                                                 not sent)
#ifndef LTL_NODE_LOG_BACKEND_H_
#define LTL_NODE_LOG_BACKEND_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/encoding.h"
#include "base/result.h"
#include "node/metrics.h"
#include "proofs/hash.h"

namespace ltl::node {

// What POST /add returns once an entry is durably sequenced.
struct Receipt {
  uint64_t index = 0;                         // 0-based position of the entry in the log
  proofs::Hash entry_ref{};                   // SHA-256 of the note text (DOMAIN.md choice 3)
  proofs::Hash leaf_hash{};                   // RFC 6962 leaf hash of the logged bytes
  std::string checkpoint;                     // signed checkpoint note whose tree contains `index`
  std::vector<proofs::Hash> inclusion_proof;  // of `index` in that checkpoint's tree
  friend bool operator==(const Receipt&, const Receipt&) = default;
};

// Called exactly once per Submit(), on any thread, possibly before Submit()
// returns. Must not block.
using SubmitCallback = std::function<void(Result<Receipt>)>;

// The secondary indexes behind GET /lookup.
enum class LookupKind {
  kWork,    // a work identifier, "<scheme>:<value>" (DOMAIN.md "Work identifiers")
  kSigner,  // a key name that signed entries
  kGrant,   // an entry reference (hex) of a licence grant: entries that cite it
};

struct LookupHit {
  uint64_t index = 0;
  proofs::Hash entry_ref{};
  friend bool operator==(const LookupHit&, const LookupHit&) = default;
};

// One page of lookup results, in increasing log index order.
struct LookupPage {
  std::vector<LookupHit> hits;
  // Pass as `cursor` to get the next page; nullopt on the last page.
  std::optional<uint64_t> next_cursor;
};

// A snapshot for GET /metrics.
struct BackendStats {
  uint64_t tree_size = 0;  // entries sequenced and integrated
  // Wall-clock time of the newest signed checkpoint in Unix seconds; nullopt
  // before the first checkpoint.
  std::optional<int64_t> checkpoint_unix_seconds;
  // Entries accepted by Submit() but not yet committed.
  uint64_t pending_entries = 0;
  // Entries per sequencer commit batch.
  HistogramSnapshot batch_sizes;
  // Times the node unmapped its resident pages of the store over the
  // map_resident_budget_mib budget; nullopt for backends without a store map.
  std::optional<uint64_t> map_releases;
};

class LogBackend {
 public:
  virtual ~LogBackend() = default;

  // The latest signed checkpoint note (tlog-checkpoint text + signatures).
  // Errors: Unavailable before the first checkpoint exists.
  virtual Result<std::string> Checkpoint() = 0;

  // The hash tile at `level`, `index`, holding `width` hashes (1..256; 256 is
  // a full tile), as tlog-tiles serves it: `width` * 32 bytes.
  // Errors: NotFound when that tile (at that width) is not part of the tree.
  virtual Result<Bytes> Tile(uint8_t level, uint64_t index, uint16_t width) = 0;

  // The entry bundle `index` holding `width` entries (1..256), tlog-tiles
  // encoding (big-endian uint16 length || entry bytes, per entry).
  // Errors: NotFound when that bundle (at that width) is not part of the tree.
  virtual Result<Bytes> EntryBundle(uint64_t index, uint16_t width) = 0;

  // The logged bytes of entry `index`. Errors: NotFound beyond the tree.
  virtual Result<std::string> Entry(uint64_t index) = 0;

  // The index of the entry whose reference is `entry_ref`, or nullopt when no
  // such entry is logged (absence is a value, not an error).
  virtual Result<std::optional<uint64_t>> IndexByEntryRef(const proofs::Hash& entry_ref) = 0;

  // RFC 6962 inclusion proof of leaf `index` in the tree of size `tree_size`.
  // REQUIRES: index < tree_size (checked by the caller; InvalidArgument otherwise).
  // Errors: OutOfRange when tree_size exceeds the current tree.
  virtual Result<std::vector<proofs::Hash>> InclusionProof(uint64_t index, uint64_t tree_size) = 0;

  // RFC 6962 consistency proof between tree sizes `from` and `to`.
  // REQUIRES: 0 < from <= to (checked by the caller).
  // Errors: OutOfRange when `to` exceeds the current tree.
  virtual Result<std::vector<proofs::Hash>> ConsistencyProof(uint64_t from, uint64_t to) = 0;

  // Up to `limit` entries indexed under (`kind`, `key`) with log index >=
  // `cursor`. An unknown key yields an empty page, not an error.
  // REQUIRES: limit >= 1. Errors: InvalidArgument for a malformed key.
  virtual Result<LookupPage> Lookup(LookupKind kind, std::string_view key, uint64_t cursor,
                                    uint32_t limit) = 0;

  // Queues `entry` (the exact request body) for sequencing. `done` receives
  // the receipt once the entry's batch is durable. Submitting bytes that are
  // already logged yields the receipt of the existing entry (deduplication).
  // Errors (through `done`): InvalidArgument / PermissionDenied for an entry
  // the log refuses, ResourceExhausted or Unavailable when overloaded.
  virtual void Submit(std::string entry, SubmitCallback done) = 0;

  // OK while the log can serve and accept entries; otherwise why not (for
  // example Unavailable after a failed fsync froze the store).
  virtual Status Health() = 0;

  virtual BackendStats Stats() = 0;
};

}  // namespace ltl::node

#endif  // LTL_NODE_LOG_BACKEND_H_
