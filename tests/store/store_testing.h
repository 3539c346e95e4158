// Helpers shared by the store tests: deterministic keys, signed-note entries,
// an OpenNote-based admission, and raw LMDB access for corruption probes.
#ifndef LTL_TESTS_STORE_STORE_TESTING_H_
#define LTL_TESTS_STORE_STORE_TESTING_H_

#include <gtest/gtest.h>
#include <lmdb.h>

#include <array>
#include <atomic>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/keys.h"
#include "ledger/note.h"
#include "ledger/store/admission.h"
#include "ledger/store/init_log.h"
#include "ledger/store/log.h"
#include "proofs/hash.h"

namespace ltl::store::testing {

inline constexpr std::string_view kOrigin = "log.ltl.test/store";

inline ledger::SigningKey KeyFromByte(std::string_view name, uint8_t fill) {
  std::array<uint8_t, 32> seed;
  seed.fill(fill);
  return ledger::SigningKey::FromSeed(name, seed).value();
}

inline ledger::SigningKey LogKey() { return KeyFromByte(kOrigin, 7); }
inline ledger::SigningKey SubmitterKey() { return KeyFromByte("alice.ltl.test/ltl", 9); }

// A signed note whose text is "ltl test entry <n>\n<extra lines>", with
// `pad` filler bytes so entries can be sized.
inline std::string MakeEntry(uint64_t n, std::string_view extra_lines = {}, size_t pad = 0) {
  std::string text = "ltl test entry " + std::to_string(n) + "\n";
  text += extra_lines;
  if (pad > 0) text += "pad " + std::string(pad, 'x') + "\n";
  return ledger::SignNote(text, SubmitterKey()).value();
}

// Admission as a node would do it, minus the entry types: the note must be
// signed by a known key; "work <id>" and "grant <ref>" lines become index
// keys; the entry reference is SHA-256 of the note text.
inline AdmissionFn NoteAdmission(std::vector<ledger::VerifierKey> keys = {
                                     SubmitterKey().verifier()}) {
  return [keys = std::move(keys)](std::string_view submitted) -> Result<AdmittedEntry> {
    LTL_ASSIGN_OR_RETURN(ledger::VerifiedNote note, ledger::OpenNote(submitted, keys));
    AdmittedEntry out;
    out.leaf = std::string(submitted);
    out.entry_ref = proofs::Sha256(note.note.text);
    for (const auto& k : note.verified_by) out.signer_keys.push_back(k.name());
    std::string_view text = note.note.text;
    while (!text.empty()) {
      const size_t nl = text.find('\n');
      std::string_view line = text.substr(0, nl);
      text.remove_prefix(nl + 1);
      if (line.starts_with("work ")) out.work_keys.emplace_back(line.substr(5));
      if (line.starts_with("grant ")) out.grant_keys.emplace_back(line.substr(6));
    }
    return out;
  };
}

// Admission without signatures, for tests that sequence many entries fast:
// any bytes are admitted as themselves.
inline AdmissionFn AcceptAll() {
  return [](std::string_view submitted) -> Result<AdmittedEntry> {
    AdmittedEntry out;
    out.leaf = std::string(submitted);
    out.entry_ref = proofs::Sha256(submitted);
    return out;
  };
}

inline std::string PlainEntry(uint64_t n) { return "plain entry " + std::to_string(n) + "\n"; }

// A data folder made by InitLogWithKey(LogKey()) inside a TempDir.
inline std::filesystem::path InitTestLog(const std::filesystem::path& parent) {
  const std::filesystem::path dir = parent / "log";
  auto init = InitLogWithKey(dir, LogKey());
  EXPECT_TRUE(init.has_value()) << init.error();
  return dir;
}

// Raw LMDB access to a closed data folder, to corrupt it on purpose.
class RawLmdb {
 public:
  explicit RawLmdb(const std::filesystem::path& dir) {
    EXPECT_EQ(mdb_env_create(&env_), 0);
    EXPECT_EQ(mdb_env_set_maxdbs(env_, 32), 0);
    EXPECT_EQ(mdb_env_open(env_, dir.c_str(), 0, 0600), 0);
  }
  ~RawLmdb() { mdb_env_close(env_); }

  // Calls `edit` on a copy of the value under `key` in database `db` and
  // writes it back. For DUPSORT databases the duplicate `dup_prefix` selects
  // (the first duplicate starting with those bytes) is replaced.
  void Edit(const char* db, std::string_view key, const std::function<void(std::string&)>& edit,
            std::string_view dup_prefix = {}) {
    MDB_txn* txn = nullptr;
    ASSERT_EQ(mdb_txn_begin(env_, nullptr, 0, &txn), 0);
    MDB_dbi dbi;
    ASSERT_EQ(mdb_dbi_open(txn, db, 0, &dbi), 0);
    unsigned flags = 0;
    mdb_dbi_flags(txn, dbi, &flags);
    MDB_cursor* cursor = nullptr;
    ASSERT_EQ(mdb_cursor_open(txn, dbi, &cursor), 0);
    MDB_val k{key.size(), const_cast<char*>(key.data())};
    MDB_val v{dup_prefix.size(), const_cast<char*>(dup_prefix.data())};
    int rc = (flags & MDB_DUPSORT) ? mdb_cursor_get(cursor, &k, &v, MDB_GET_BOTH_RANGE)
                                   : mdb_cursor_get(cursor, &k, &v, MDB_SET_KEY);
    ASSERT_EQ(rc, 0) << mdb_strerror(rc);
    std::string value(static_cast<const char*>(v.mv_data), v.mv_size);
    ASSERT_TRUE(std::string_view(value).starts_with(dup_prefix));
    edit(value);
    if (flags & MDB_DUPSORT) {
      ASSERT_EQ(mdb_cursor_del(cursor, 0), 0);
    }
    mdb_cursor_close(cursor);
    MDB_val nv{value.size(), value.data()};
    ASSERT_EQ(mdb_put(txn, dbi, &k, &nv, 0), 0);
    ASSERT_EQ(mdb_txn_commit(txn), 0);
  }

 private:
  MDB_env* env_ = nullptr;
};

inline std::string U64Key(uint64_t v) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i) {
    key[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return key;
}

}  // namespace ltl::store::testing

#endif  // LTL_TESTS_STORE_STORE_TESTING_H_
