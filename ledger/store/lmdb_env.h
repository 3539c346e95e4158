// RAII over the LMDB 0.9 C API: one environment per data folder, read and
// write transactions, cursors, and the mapping of LMDB return codes to Status.
//
// Internal to ledger/store (namespace detail): nothing above the store sees an
// MDB_ type. The record kinds and their keys are defined in
// ledger/store/log_db.h; this file knows nothing about them.
//
// Rules this layer enforces, from lmdb.h 0.9.24:
//  - One MDB_env per data folder per process, opened once: Env::Open takes an
//    exclusive flock on <dir>/ltl.lock, so a second open (in this process or
//    another) fails with FailedPrecondition instead of corrupting LMDB's
//    reader table (lmdb.h, "caveats": never open the same env twice).
//  - mdb_env_set_mapsize may only be called while no transaction is active in
//    the process. Every transaction holds Env's gate shared for its lifetime;
//    Env::Grow takes it exclusively. Transactions are short (values are copied
//    out before they end; no transaction is held across an asynchronous wait),
//    so Grow waits at most for the reads in progress.
//  - MDB_NOTLS: a read transaction is tied to its ReadTxn object, not to the
//    calling thread. Reads come from HTTP I/O threads, admission workers and
//    tests; with NOTLS a thread may hold two read transactions (e.g. a receipt
//    built while a tile is being read) and pool threads never pin reader slots.
//  - Full durability: no MDB_NOSYNC / MDB_NOMETASYNC / MDB_WRITEMAP, so a
//    successful WriteTxn::Commit() means the data and the meta page are on disk.
//  - Values returned as ByteSpan point into the memory map and are valid only
//    until the transaction ends: callers copy what they keep.
//  - Destructors of ReadTxn / WriteTxn abort a transaction that was not
//    committed; Cursor closes its cursor (read-only cursors must be closed
//    explicitly in LMDB 0.9).
// Thread-safety: Env is thread-safe. A ReadTxn, WriteTxn or Cursor is used by
// one thread at a time. At most one WriteTxn exists at a time (LMDB blocks a
// second writer; the store has exactly one writer thread).
#ifndef LTL_LEDGER_STORE_LMDB_ENV_H_
#define LTL_LEDGER_STORE_LMDB_ENV_H_

#include <lmdb.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>

#include "base/encoding.h"
#include "base/result.h"
#include "base/status.h"

namespace ltl::store::detail {

// Maps an LMDB (or errno) return code to the most specific Status:
//   MDB_NOTFOUND -> NotFound; MDB_KEYEXIST -> AlreadyExists;
//   MDB_MAP_FULL -> ResourceExhausted (the writer grows the map and retries);
//   ENOSPC -> ResourceExhausted ("disk full"); MDB_READERS_FULL, EIO -> Unavailable;
//   MDB_CORRUPTED, MDB_PAGE_NOTFOUND, MDB_INVALID -> DataLoss;
//   EACCES -> PermissionDenied; MDB_VERSION_MISMATCH -> FailedPrecondition;
//   anything else -> Internal. `what` names the operation.
Status LmdbStatus(int rc, std::string_view what);

struct EnvOptions {
  // Initial size of the memory map. It is address space, not disk: without
  // MDB_WRITEMAP the data file grows only as pages are written. LMDB keeps
  // the larger of this and the size recorded in the file.
  size_t initial_map_size = size_t{64} << 20;
  // Grow() doubles the map up to this; past it a full map is reported as
  // ResourceExhausted.
  size_t max_map_size = size_t{1} << 40;
  // Reader lock table slots (concurrent read transactions).
  unsigned max_readers = 126;
  // Named databases the caller will open.
  unsigned max_dbs = 32;
  // Open read-only (Fsck, inspection): write transactions fail.
  bool read_only = false;
};

class Env {
 public:
  // Opens (creating if absent, unless read_only) the environment in `dir`,
  // which must exist. Errors: FailedPrecondition if another Env holds the
  // folder (in any process); the LmdbStatus mapping of mdb_env_open otherwise.
  static Result<std::unique_ptr<Env>> Open(const std::filesystem::path& dir,
                                           const EnvOptions& options);
  ~Env();
  Env(const Env&) = delete;
  Env& operator=(const Env&) = delete;

  struct DbSpec {
    const char* name;
    unsigned flags;  // MDB_DUPSORT, MDB_DUPFIXED...
    MDB_dbi* dbi;    // out
  };
  // Opens named databases in one transaction (a write transaction creating
  // the missing ones when `create`). REQUIRES: called once, before any other
  // transaction. Errors: NotFound when a database is missing and !create.
  Status OpenDbs(std::span<const DbSpec> specs, bool create);

  // Doubles the map size (capped at max_map_size). Waits until no
  // transaction is active in the process. REQUIRES: the caller holds no
  // transaction. Errors: ResourceExhausted when already at max_map_size.
  Status Grow();

  size_t map_size() const;

  // Drops this process's page-table entries for the whole memory map
  // (madvise MADV_DONTNEED on LMDB's MAP_SHARED, read-only map), so pages
  // read once stop counting in its resident set. Nothing is lost: the pages
  // stay in the kernel's page cache, written data is on disk (no
  // MDB_WRITEMAP), and the next touch maps a page again with a minor fault.
  // Safe while transactions run in other threads; holds the gate shared so
  // that Grow() cannot move the map meanwhile. Errors: Internal (madvise).
  Status ReleaseMappedPages() const;
  bool read_only() const { return options_.read_only; }
  MDB_env* raw() const { return env_; }
  std::shared_mutex& gate() const { return gate_; }

 private:
  Env(MDB_env* env, int lock_fd, const EnvOptions& options)
      : env_(env), lock_fd_(lock_fd), options_(options) {}

  MDB_env* env_;
  int lock_fd_;
  EnvOptions options_;
  mutable std::shared_mutex gate_;
};

// What reads need, shared by both kinds of transaction.
class Txn {
 public:
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;

  // The value stored under `key`, or nullopt. The span points into the map
  // and is valid until this transaction ends.
  Result<std::optional<ByteSpan>> Get(MDB_dbi dbi, ByteSpan key) const;

  MDB_txn* raw() const { return txn_; }

 protected:
  Txn(const Env& env, MDB_txn* txn) : env_(&env), gate_(env.gate(), std::adopt_lock), txn_(txn) {}
  ~Txn();
  void Release() { txn_ = nullptr; }

  const Env* env_;
  std::shared_lock<std::shared_mutex> gate_;
  MDB_txn* txn_;
};

class ReadTxn : public Txn {
 public:
  // Errors: Unavailable when the reader table is full; LmdbStatus otherwise.
  static Result<std::unique_ptr<ReadTxn>> Begin(const Env& env);

 private:
  using Txn::Txn;
};

class WriteTxn : public Txn {
 public:
  // Blocks while another write transaction is open (LMDB's writer lock).
  // Errors: FailedPrecondition on a read-only Env; LmdbStatus otherwise.
  static Result<std::unique_ptr<WriteTxn>> Begin(Env& env);

  // mdb_put. Errors: AlreadyExists for MDB_NOOVERWRITE/MDB_NODUPDATA hits and
  // for MDB_APPEND out of order; ResourceExhausted when the map is full (then
  // map_full() is true and the transaction must be aborted).
  Status Put(MDB_dbi dbi, ByteSpan key, ByteSpan value, unsigned flags = 0);
  // Deletes `key` (and all its duplicates). Errors: NotFound.
  Status Delete(MDB_dbi dbi, ByteSpan key);
  // Deletes one duplicate `value` of `key` in a MDB_DUPSORT database.
  Status DeleteDuplicate(MDB_dbi dbi, ByteSpan key, ByteSpan value);

  // Commits durably (fsync of data, then of the meta page). The transaction is
  // over whatever the outcome. Errors: ResourceExhausted (map full: see
  // map_full(); or disk full), Unavailable (I/O error).
  Status Commit();

  // True once any operation of this transaction hit MDB_MAP_FULL.
  bool map_full() const { return map_full_; }

 private:
  using Txn::Txn;
  Status Check(int rc, std::string_view what);
  bool map_full_ = false;
};

// A cursor over one database within a transaction. Closed by the destructor,
// which must run before the transaction ends.
class Cursor {
 public:
  static Result<Cursor> Open(const Txn& txn, MDB_dbi dbi);
  ~Cursor();
  Cursor(Cursor&& other) noexcept : cursor_(other.cursor_) { other.cursor_ = nullptr; }
  Cursor& operator=(Cursor&&) = delete;
  Cursor(const Cursor&) = delete;

  struct Item {
    ByteSpan key;    // valid until the transaction ends
    ByteSpan value;  // valid until the transaction ends
  };
  // mdb_cursor_get with `op`; `key` / `value` are inputs for the positioning
  // ops that take them (MDB_SET_RANGE, MDB_GET_BOTH_RANGE...). Returns nullopt
  // for MDB_NOTFOUND; errors for anything else.
  Result<std::optional<Item>> Get(MDB_cursor_op op, ByteSpan key = {}, ByteSpan value = {});
  // Deletes the item under the cursor (write transactions only).
  Status Delete();

  MDB_cursor* raw() const { return cursor_; }

 private:
  explicit Cursor(MDB_cursor* cursor) : cursor_(cursor) {}
  MDB_cursor* cursor_;
};

inline MDB_val ToVal(ByteSpan bytes) {
  return MDB_val{bytes.size(), const_cast<uint8_t*>(bytes.data())};
}
inline ByteSpan FromVal(const MDB_val& v) {
  return ByteSpan(static_cast<const uint8_t*>(v.mv_data), v.mv_size);
}

// Runs `body` in a write transaction and commits it. When the map fills,
// the transaction is aborted (Grow waits for every transaction), the map
// grows, and the whole body runs again: `body` must be repeatable.
// Errors: body's, Begin/Commit's, Grow's (ResourceExhausted at the cap).
Status WriteWithGrowth(Env& env, const std::function<Status(WriteTxn&)>& body);

// The folder and environment of one of this process's own small stores
// (witness and mirror network stores, monitor state): `dir` is created when
// absent, readable by its owner only; the map starts at initial_map_size and
// may grow to max(max_map_size, initial_map_size); `specs` are opened,
// created when missing. Errors: PermissionDenied when `dir` cannot be created
// for lack of permission or on a read-only file system, Unavailable for other
// file-system errors; those of Env::Open and Env::OpenDbs.
Result<std::unique_ptr<Env>> OpenStoreFolder(const std::filesystem::path& dir,
                                             size_t initial_map_size, size_t max_map_size,
                                             std::span<const Env::DbSpec> specs);

}  // namespace ltl::store::detail

#endif  // LTL_LEDGER_STORE_LMDB_ENV_H_
