// WitnessStore: what a node remembers about other logs' checkpoints, in its
// own LMDB environment (a folder of its own, never a log's data folder).
//
//   - The latest checkpoint the node vouched for, per origin: for a witness
//     the checkpoint it last cosigned (C2SP tlog-witness v1.0.0), for a log
//     the cosigned checkpoint it last published, for a mirror the
//     checkpoint it last stored. The full signed note is kept as received,
//     so the record is evidence on its own.
//   - Evidence: opaque documents (JSON written by node/) of refused
//     checkpoints and gossip alarms, numbered in arrival order, kept forever.
//
// The one write that matters is Advance(): reading the stored record,
// deciding, and writing the new one happen in ONE LMDB write transaction,
// committed durably before Advance returns. tlog-witness requires exactly
// this: checking the old size and persisting the new checkpoint must be
// atomic, or two concurrent requests could roll the witness back.
//
// Thread-safety: all methods are thread-safe. Writers are serialised by
// LMDB's writer lock; reads run in their own short read transactions and
// return copies.
#ifndef LTL_LEDGER_STORE_WITNESS_STORE_H_
#define LTL_LEDGER_STORE_WITNESS_STORE_H_

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "ledger/keys.h"
#include "proofs/hash.h"

namespace ltl::store {

// Longest origin the store keys records by (LMDB keys are at most 511 bytes).
inline constexpr size_t kMaxWitnessOriginSize = 255;

struct CheckpointRecord {
  std::string origin;
  uint64_t size = 0;
  proofs::Hash root{};
  std::string note;  // the signed checkpoint note, every signature line kept
  friend bool operator==(const CheckpointRecord&, const CheckpointRecord&) = default;
};

struct EvidenceItem {
  uint64_t sequence = 0;  // 0, 1, 2... in arrival order
  std::string document;   // as given to AddEvidence
  friend bool operator==(const EvidenceItem&, const EvidenceItem&) = default;
};

struct WitnessStoreOptions {
  // The map starts here and doubles when full, up to max_map_size. Records
  // are small (a checkpoint note is a few hundred bytes); evidence is what
  // grows.
  size_t initial_map_size = size_t{10} << 20;
  size_t max_map_size = size_t{4} << 30;
};

class WitnessStore {
 public:
  // Opens the store in `dir`, creating the folder and the environment when
  // absent. Errors: FailedPrecondition when another process (or another
  // WitnessStore in this one) has the folder open, or it holds a store of
  // another schema; PermissionDenied / Unavailable / Internal for file
  // system and LMDB failures.
  static Result<std::unique_ptr<WitnessStore>> Open(const std::filesystem::path& dir,
                                                    const WitnessStoreOptions& options = {});
  ~WitnessStore();
  WitnessStore(const WitnessStore&) = delete;
  WitnessStore& operator=(const WitnessStore&) = delete;

  // The latest record for `origin`, or nullopt. Errors: DataLoss for a
  // malformed stored record.
  Result<std::optional<CheckpointRecord>> Latest(std::string_view origin) const;
  // Every origin's latest record, in origin byte order.
  Result<std::vector<CheckpointRecord>> AllLatest() const;

  // Called inside the write transaction with the stored record for the
  // origin (nullopt when none): OK lets `next` replace it; any other Status
  // refuses and is returned by Advance unchanged. Runs under LMDB's writer
  // lock: it must be quick and must not call back into the store.
  using Decide = std::function<Status(const std::optional<CheckpointRecord>& current)>;

  // Atomically: reads the stored record for next.origin, asks `decide`, and
  // on OK stores `next` and commits durably. Errors: decide's refusal;
  // InvalidArgument for an empty origin or one longer than
  // kMaxWitnessOriginSize; ResourceExhausted when the map is full at its
  // maximum size; LMDB failures.
  Status Advance(const CheckpointRecord& next, const Decide& decide);

  // Appends an evidence document and commits durably; returns its sequence
  // number. Errors: InvalidArgument for an empty document; as Advance.
  Result<uint64_t> AddEvidence(std::string_view document);
  // Up to `limit` evidence items with sequence >= `from`, in order.
  Result<std::vector<EvidenceItem>> Evidence(uint64_t from, size_t limit) const;

 private:
  struct Impl;
  explicit WitnessStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Key files of cosigning nodes: a witness's <data>/witness.key, a mirror's
// <data>/mirror.key. One key per kind of statement (tlog-cosignature): a
// witness key and a mirror key must differ.
inline constexpr std::string_view kWitnessKeyFile = "witness.key";
inline constexpr std::string_view kMirrorKeyFile = "mirror.key";

// Creates `dir` (and parents) if needed, generates a cosignature/v1 (type
// 0x04) key named `name` and writes it to <dir>/<key_file> (mode 0600, never
// overwritten, made durable). Returns the key.
// Errors: InvalidArgument (bad name), AlreadyExists (the file exists),
// PermissionDenied / ResourceExhausted / Unavailable (file system).
Result<ledger::SigningKey> CreateCosignerKey(const std::filesystem::path& dir,
                                             std::string_view key_file, std::string_view name);

// Reads <dir>/<key_file>, which must be a type 0x04 private key readable by
// its owner only. Errors: NotFound, FailedPrecondition (mode, or wrong key
// type), InvalidArgument (malformed key; the message never echoes it),
// Unavailable.
Result<ledger::SigningKey> ReadCosignerKey(const std::filesystem::path& dir,
                                           std::string_view key_file);

}  // namespace ltl::store

#endif  // LTL_LEDGER_STORE_WITNESS_STORE_H_
