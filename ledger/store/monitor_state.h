// MonitorState: what an independent monitor (monitor/, `ltl monitor`)
// remembers about the one log it audits, in its own LMDB folder.
//
// The monitor trusts no node, so it keeps its own copy of everything it has
// verified and derived:
//   - the log it follows (its verifier key: a folder audits one log only);
//   - the latest checkpoint it verified, and when it first saw each tree
//     size (the "log time" of the entries that size added);
//   - how far it has verified and audited the tree: a compact range of the
//     leaves [0, size), so a resumed run proves the next entries extend
//     exactly the prefix already audited;
//   - every audited entry (the leaf bytes, its log time, whether it passed
//     the signer checks), by index and by entry reference;
//   - secondary indexes the checks need (keys by name, revocations by
//     target, reservations by work, reports by attester...);
//   - findings, in the order they were made (opaque documents: the monitor
//     writes JSON lines), and running totals for its report.
// Nothing here parses entries or knows the rules: monitor/ does.
//
// All changes of one audit step (a chunk of verified entries and the
// findings they produce) happen in ONE write transaction committed durably,
// so a crash leaves the state at a chunk boundary and a restart redoes at
// most one chunk. The transaction body may run more than once (the map grows
// and the body is retried), so it must be repeatable: derive everything from
// what the transaction reads.
//
// Thread-safety: a MonitorState may be used from several threads (LMDB
// serialises writers); a MonitorReader/MonitorWriter only inside the
// callback that received it.
#ifndef LTL_LEDGER_STORE_MONITOR_STATE_H_
#define LTL_LEDGER_STORE_MONITOR_STATE_H_

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "ledger/decimal.h"
#include "proofs/compact_range.h"
#include "proofs/hash.h"

namespace ltl::store {

// Index keys longer than this are stored as "#" + hex SHA-256 of the key
// (LMDB keys are at most 511 bytes); lookups apply the same rule.
inline constexpr size_t kMaxMonitorIndexKey = 400;

// The secondary indexes: each maps a text key to the ascending list of entry
// indexes filed under it. DO NOT CHANGE the numbers (they are stored).
enum class MonitorIndex : uint8_t {
  kKeyByVkey = 1,          // full verifier key string -> `key` entries registering it
  kKeyByName = 2,          // key name -> `key` entries
  kKeyRevokeByVkey = 3,    // verifier key string -> `key-revoke` entries
  kRevokeByTarget = 4,     // grant reference hex -> `revoke` entries
  kReservationByWork = 5,  // normalised work id -> `reservation` entries
  kUsageByAttester = 6,    // attester verifier key string -> `usage` entries
  kIdByScope = 7,          // "<type>|<signer name>|<id>" -> entries using the id
  kSignedByVkey = 8,       // verifier key string -> entries it had to sign
  kMarker = 9,             // monitor-defined markers ("done once" facts)
  kReportingGrant = 10,    // "all" -> grants that require periodic reports
};

// Running totals for the report. DO NOT CHANGE the numbers.
enum class MonitorTotal : uint8_t {
  kOwedClaimed = 1,       // "<licensor name>|<currency>": owed as the attesters stated it
  kOwedComputed = 2,      // same key: owed as the monitor recomputed it
  kPaid = 3,              // "<payee name>|<currency>": payments stated by payers
  kUsageLinesByWork = 4,  // normalised work id: usage lines naming it
  kUsageLinesByFirm = 5,  // attester name: usage lines
};

struct MonitoredEntry {
  uint64_t index = 0;
  int64_t log_time = 0;  // unix seconds, monitor/ defines it (docs/monitor.md)
  uint8_t flags = 0;     // monitor-defined bits (parsed, signers valid...)
  std::string leaf;      // the logged bytes
  friend bool operator==(const MonitoredEntry&, const MonitoredEntry&) = default;
};

// When the monitor first verified a checkpoint of `size` leaves.
struct CheckpointSighting {
  uint64_t size = 0;
  int64_t time = 0;  // unix seconds
  friend bool operator==(const CheckpointSighting&, const CheckpointSighting&) = default;
};

// Reads inside a transaction. Results are copies.
class MonitorReader {
 public:
  virtual ~MonitorReader() = default;

  // The verifier key of the log this folder audits; nullopt when new.
  virtual Result<std::optional<std::string>> LogKey() const = 0;
  // The latest verified signed checkpoint (note wire), if any.
  virtual Result<std::optional<std::string>> Checkpoint() const = 0;
  // The audited prefix as a compact range [0, size); empty when new.
  // Errors: DataLoss for a malformed record.
  virtual Result<proofs::CompactRange> Progress() const = 0;

  // The first sighting with size > index (the checkpoint that first covered
  // leaf `index`), and the last with size <= index (the newest one before
  // it). nullopt when there is none.
  virtual Result<std::optional<CheckpointSighting>> FirstCovering(uint64_t index) const = 0;
  virtual Result<std::optional<CheckpointSighting>> LastNotCovering(uint64_t index) const = 0;
  virtual Result<std::vector<CheckpointSighting>> Sightings() const = 0;

  virtual Result<std::optional<MonitoredEntry>> Entry(uint64_t index) const = 0;
  // The lowest index of an audited entry with this reference.
  virtual Result<std::optional<uint64_t>> FindRef(const proofs::Hash& entry_ref) const = 0;
  virtual Result<std::vector<uint64_t>> Lookup(MonitorIndex index, std::string_view key) const = 0;
  // Every key of `index` (for reports and subscriptions), ascending.
  virtual Result<std::vector<std::string>> Keys(MonitorIndex index) const = 0;

  virtual Result<uint64_t> FindingCount() const = 0;
  // Up to `limit` findings with sequence number >= `from`, in order.
  virtual Result<std::vector<std::string>> Findings(uint64_t from, size_t limit) const = 0;

  // Zero when never added to.
  virtual Result<ledger::Decimal> Total(MonitorTotal total, std::string_view key) const = 0;
  virtual Result<std::vector<std::pair<std::string, ledger::Decimal>>> Totals(
      MonitorTotal total) const = 0;
};

// Reads and writes inside a write transaction; reads see the writes.
class MonitorWriter : public MonitorReader {
 public:
  // Errors: InvalidArgument for an empty value.
  virtual Status SetLogKey(std::string_view vkey) = 0;
  virtual Status SetCheckpoint(std::string_view note) = 0;
  // REQUIRES: progress.begin() == 0.
  virtual Status SetProgress(const proofs::CompactRange& progress) = 0;
  // Errors: InvalidArgument unless sighting.size is larger than every
  // sighting recorded (sizes only grow).
  virtual Status AddSighting(const CheckpointSighting& sighting) = 0;

  // Errors: InvalidArgument unless entry.index is the next index (entries
  // are appended in log order). The reference is filed when new (the first
  // entry with a reference keeps it).
  virtual Status PutEntry(const MonitoredEntry& entry, const proofs::Hash& entry_ref) = 0;
  // Errors: NotFound for an index not stored.
  virtual Status SetEntryFlags(uint64_t index, uint8_t flags) = 0;
  // Files `entry_index` under `key` (idempotent). Errors: InvalidArgument
  // for an empty key.
  virtual Status AddToIndex(MonitorIndex index, std::string_view key, uint64_t entry_index) = 0;

  // Appends a finding document; returns its sequence number.
  virtual Result<uint64_t> AppendFinding(std::string_view document) = 0;
  // Errors: OutOfRange when the sum leaves the Decimal range.
  virtual Status AddToTotal(MonitorTotal total, std::string_view key,
                            const ledger::Decimal& amount) = 0;
};

struct MonitorStateOptions {
  // The map starts here and doubles when full, up to max_map_size. It is
  // address space; the file grows with the data (about the size of the
  // audited entries plus their indexes).
  size_t initial_map_size = size_t{64} << 20;
  size_t max_map_size = size_t{1} << 40;
};

class MonitorState {
 public:
  // Opens the state in `dir`, creating the folder (0700) and the environment
  // when absent. Errors: FailedPrecondition when another process has the
  // folder open or it holds another schema; PermissionDenied / Unavailable /
  // Internal for file system and LMDB failures.
  static Result<std::unique_ptr<MonitorState>> Open(const std::filesystem::path& dir,
                                                    const MonitorStateOptions& options = {});
  ~MonitorState();
  MonitorState(const MonitorState&) = delete;
  MonitorState& operator=(const MonitorState&) = delete;

  // Runs `body` in a read transaction.
  Status Read(const std::function<Status(const MonitorReader&)>& body) const;

  // Runs `body` in a write transaction and commits durably when it returns
  // OK; a non-OK status aborts (nothing is written) and is returned. When
  // the map fills, the transaction is aborted, the map grown and `body` run
  // again: it must be repeatable. Errors: body's; ResourceExhausted when the
  // map is full at max_map_size; LMDB failures.
  Status Write(const std::function<Status(MonitorWriter&)>& body);

 private:
  struct Impl;
  explicit MonitorState(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ltl::store

#endif  // LTL_LEDGER_STORE_MONITOR_STATE_H_
