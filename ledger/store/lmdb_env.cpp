#include "ledger/store/lmdb_env.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "base/process_memory.h"

namespace ltl::store::detail {

Status LmdbStatus(int rc, std::string_view what) {
  std::string msg(what);
  msg += ": ";
  msg += mdb_strerror(rc);
  switch (rc) {
    case MDB_SUCCESS:
      return Status::Ok();
    case MDB_NOTFOUND:
      return Status::NotFound(msg);
    case MDB_KEYEXIST:
      return Status::AlreadyExists(msg);
    case MDB_MAP_FULL:
      return Status::ResourceExhausted(msg);
    case ENOSPC:
      return Status::ResourceExhausted(msg + " (disk full)");
    case MDB_READERS_FULL:
    case EIO:
      return Status::Unavailable(msg);
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_INVALID:
      return Status::DataLoss(msg);
    case EACCES:
      return Status::PermissionDenied(msg);
    case MDB_VERSION_MISMATCH:
      return Status::FailedPrecondition(msg);
    default:
      return Status::Internal(msg);
  }
}

namespace {

// Takes the folder's exclusive lock, so that one process holds one Env per
// folder. flock locks belong to the open file description: a second open in
// the same process fails as well, which is what LMDB needs.
Result<int> LockFolder(const std::filesystem::path& dir) {
  const std::filesystem::path lock_path = dir / "ltl.lock";
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    int err = errno;
    if (err == EACCES) {
      return Status::PermissionDenied("cannot open " + lock_path.string() + ": " +
                                      std::strerror(err));
    }
    if (err == ENOENT || err == ENOTDIR) {
      return Status::NotFound("data folder " + dir.string() + " does not exist");
    }
    return Status::Internal("cannot open " + lock_path.string() + ": " + std::strerror(err));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return Status::FailedPrecondition("data folder " + dir.string() +
                                        " is in use by another LTL store (lock " +
                                        lock_path.string() + ")");
    }
    return Status::Internal("flock " + lock_path.string() + ": " + std::strerror(err));
  }
  return fd;
}

}  // namespace

Result<std::unique_ptr<Env>> Env::Open(const std::filesystem::path& dir,
                                       const EnvOptions& options) {
  LTL_ASSIGN_OR_RETURN(int lock_fd, LockFolder(dir));
  MDB_env* env = nullptr;
  int rc = mdb_env_create(&env);
  if (rc != 0) {
    ::close(lock_fd);
    return LmdbStatus(rc, "mdb_env_create");
  }
  auto fail = [&](int code, std::string_view what) -> Status {
    mdb_env_close(env);
    ::close(lock_fd);
    return LmdbStatus(code, what);
  };
  if ((rc = mdb_env_set_mapsize(env, options.initial_map_size)) != 0) {
    return fail(rc, "mdb_env_set_mapsize");
  }
  if ((rc = mdb_env_set_maxreaders(env, options.max_readers)) != 0) {
    return fail(rc, "mdb_env_set_maxreaders");
  }
  if ((rc = mdb_env_set_maxdbs(env, options.max_dbs)) != 0) {
    return fail(rc, "mdb_env_set_maxdbs");
  }
  // Deliberately absent: MDB_NOSYNC, MDB_NOMETASYNC, MDB_MAPASYNC, MDB_WRITEMAP
  // (a commit must be durable before an entry is acknowledged).
  unsigned flags = MDB_NOTLS;
  if (options.read_only) flags |= MDB_RDONLY;
  if ((rc = mdb_env_open(env, dir.c_str(), flags, 0600)) != 0) {
    return fail(rc, "mdb_env_open " + dir.string());
  }
  return std::unique_ptr<Env>(new Env(env, lock_fd, options));
}

Env::~Env() {
  mdb_env_close(env_);
  ::close(lock_fd_);  // releases the flock
}

Status Env::OpenDbs(std::span<const DbSpec> specs, bool create) {
  std::shared_lock<std::shared_mutex> in_transaction(gate_);
  MDB_txn* txn = nullptr;
  const bool write = create && !options_.read_only;
  int rc = mdb_txn_begin(env_, nullptr, write ? 0 : MDB_RDONLY, &txn);
  if (rc != 0) return LmdbStatus(rc, "mdb_txn_begin (open databases)");
  for (const DbSpec& spec : specs) {
    rc = mdb_dbi_open(txn, spec.name, spec.flags | (write ? MDB_CREATE : 0), spec.dbi);
    if (rc != 0) {
      mdb_txn_abort(txn);
      if (rc == MDB_NOTFOUND) {
        return Status::NotFound(std::string("LMDB database '") + spec.name +
                                "' is missing: not an initialised LTL data folder");
      }
      return LmdbStatus(rc, std::string("mdb_dbi_open ") + spec.name);
    }
  }
  // Handles become visible to other transactions once this one commits.
  rc = mdb_txn_commit(txn);
  if (rc != 0) return LmdbStatus(rc, "mdb_txn_commit (open databases)");
  return Status::Ok();
}

size_t Env::map_size() const {
  MDB_envinfo info;
  mdb_env_info(env_, &info);
  return info.me_mapsize;
}

Status Env::ReleaseMappedPages() const {
  // Shared like a transaction: Grow() (exclusive) may unmap and remap the
  // map elsewhere, and advice on a stale address could hit other memory.
  std::shared_lock<std::shared_mutex> map_stays_put(gate_);
  // LMDB 0.9 does not say where its map is (mdb_env_info's me_mapaddr is the
  // MDB_FIXEDMAP request, null here): the kernel's list of this process's
  // mappings of the data file does.
  mdb_filehandle_t fd;
  if (int rc = mdb_env_get_fd(env_, &fd); rc != 0) return LmdbStatus(rc, "mdb_env_get_fd");
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    return Status::Internal(std::string("fstat of the LMDB data file: ") + std::strerror(errno));
  }
  LTL_ASSIGN_OR_RETURN(std::vector<FileMapping> mappings, MappingsOfFile(st.st_dev, st.st_ino));
  for (const FileMapping& m : mappings) {
    if (::madvise(reinterpret_cast<void*>(m.begin), m.end - m.begin, MADV_DONTNEED) != 0) {
      return Status::Internal(std::string("madvise(MADV_DONTNEED) on the LMDB map: ") +
                              std::strerror(errno));
    }
  }
  return Status::Ok();
}

Status Env::Grow() {
  std::unique_lock<std::shared_mutex> no_transactions(gate_);
  const size_t current = map_size();
  if (current >= options_.max_map_size) {
    return Status::ResourceExhausted("LMDB map is full at its maximum size of " +
                                     std::to_string(options_.max_map_size) + " bytes");
  }
  const size_t next = std::min(current * 2, options_.max_map_size);
  int rc = mdb_env_set_mapsize(env_, next);
  if (rc != 0) return LmdbStatus(rc, "mdb_env_set_mapsize");
  return Status::Ok();
}

Txn::~Txn() {
  if (txn_ != nullptr) mdb_txn_abort(txn_);
}

Result<std::optional<ByteSpan>> Txn::Get(MDB_dbi dbi, ByteSpan key) const {
  MDB_val k = ToVal(key);
  MDB_val v{0, nullptr};
  int rc = mdb_get(txn_, dbi, &k, &v);
  if (rc == MDB_NOTFOUND) return std::optional<ByteSpan>();
  if (rc != 0) return LmdbStatus(rc, "mdb_get");
  return std::optional<ByteSpan>(FromVal(v));
}

Result<std::unique_ptr<ReadTxn>> ReadTxn::Begin(const Env& env) {
  env.gate().lock_shared();
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(env.raw(), nullptr, MDB_RDONLY, &txn);
  if (rc != 0) {
    env.gate().unlock_shared();
    return LmdbStatus(rc, "mdb_txn_begin (read)");
  }
  return std::unique_ptr<ReadTxn>(new ReadTxn(env, txn));
}

Result<std::unique_ptr<WriteTxn>> WriteTxn::Begin(Env& env) {
  if (env.read_only()) return Status::FailedPrecondition("the store is open read-only");
  env.gate().lock_shared();
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(env.raw(), nullptr, 0, &txn);
  if (rc != 0) {
    env.gate().unlock_shared();
    return LmdbStatus(rc, "mdb_txn_begin (write)");
  }
  return std::unique_ptr<WriteTxn>(new WriteTxn(env, txn));
}

Status WriteTxn::Check(int rc, std::string_view what) {
  if (rc == MDB_MAP_FULL) map_full_ = true;
  return LmdbStatus(rc, what);
}

Status WriteTxn::Put(MDB_dbi dbi, ByteSpan key, ByteSpan value, unsigned flags) {
  MDB_val k = ToVal(key);
  MDB_val v = ToVal(value);
  return Check(mdb_put(txn_, dbi, &k, &v, flags), "mdb_put");
}

Status WriteTxn::Delete(MDB_dbi dbi, ByteSpan key) {
  MDB_val k = ToVal(key);
  return Check(mdb_del(txn_, dbi, &k, nullptr), "mdb_del");
}

Status WriteTxn::DeleteDuplicate(MDB_dbi dbi, ByteSpan key, ByteSpan value) {
  MDB_val k = ToVal(key);
  MDB_val v = ToVal(value);
  return Check(mdb_del(txn_, dbi, &k, &v), "mdb_del");
}

Status WriteTxn::Commit() {
  MDB_txn* txn = std::exchange(txn_, nullptr);
  // mdb_txn_commit frees the transaction whatever it returns.
  return Check(mdb_txn_commit(txn), "mdb_txn_commit");
}

Result<Cursor> Cursor::Open(const Txn& txn, MDB_dbi dbi) {
  MDB_cursor* cursor = nullptr;
  int rc = mdb_cursor_open(txn.raw(), dbi, &cursor);
  if (rc != 0) return LmdbStatus(rc, "mdb_cursor_open");
  return Cursor(cursor);
}

Cursor::~Cursor() {
  if (cursor_ != nullptr) mdb_cursor_close(cursor_);
}

Result<std::optional<Cursor::Item>> Cursor::Get(MDB_cursor_op op, ByteSpan key, ByteSpan value) {
  MDB_val k = ToVal(key);
  MDB_val v = ToVal(value);
  int rc = mdb_cursor_get(cursor_, &k, &v, op);
  if (rc == MDB_NOTFOUND) return std::optional<Item>();
  if (rc != 0) return LmdbStatus(rc, "mdb_cursor_get");
  return std::optional<Item>(Item{FromVal(k), FromVal(v)});
}

Status Cursor::Delete() { return LmdbStatus(mdb_cursor_del(cursor_, 0), "mdb_cursor_del"); }

Status WriteWithGrowth(Env& env, const std::function<Status(WriteTxn&)>& body) {
  for (;;) {
    LTL_ASSIGN_OR_RETURN(std::unique_ptr<WriteTxn> txn, WriteTxn::Begin(env));
    Status s = body(*txn);
    if (s.ok()) s = txn->Commit();
    if (s.ok() || !txn->map_full()) return s;
    txn.reset();  // abort before growing: Grow waits for every transaction
    LTL_RETURN_IF_ERROR(env.Grow());
  }
}

Result<std::unique_ptr<Env>> OpenStoreFolder(const std::filesystem::path& dir,
                                             size_t initial_map_size, size_t max_map_size,
                                             std::span<const Env::DbSpec> specs) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (!ec) {
      std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                                   std::filesystem::perm_options::replace, ec);
    }
    if (ec) {
      if (ec == std::errc::permission_denied || ec == std::errc::read_only_file_system) {
        return Status::PermissionDenied("cannot create " + dir.string() + ": " + ec.message());
      }
      return Status::Unavailable("cannot create " + dir.string() + ": " + ec.message());
    }
  }
  EnvOptions options;
  options.initial_map_size = initial_map_size;
  options.max_map_size = std::max(max_map_size, initial_map_size);
  options.max_dbs = static_cast<unsigned>(specs.size());
  LTL_ASSIGN_OR_RETURN(std::unique_ptr<Env> env, Env::Open(dir, options));
  LTL_RETURN_IF_ERROR(env->OpenDbs(specs, /*create=*/true));
  return env;
}

}  // namespace ltl::store::detail
