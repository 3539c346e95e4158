// An in-memory LogBackend for the node's tests. Not a log: it keeps entries in
// a vector, fabricates deterministic proofs and records what it was asked, so
// that tests can check what the HTTP layer sends and forwards.
// Thread-safety: every method locks one mutex (the server calls from its pool).
#ifndef LTL_TESTS_NODE_FAKE_BACKEND_H_
#define LTL_TESTS_NODE_FAKE_BACKEND_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "node/log_backend.h"
#include "proofs/hash.h"

namespace ltl::node::testing {

class FakeBackend : public LogBackend {
 public:
  enum class SubmitMode {
    kImmediate,  // append (or dedup) and answer inside Submit()
    kDeferred,   // append, but keep the callback until ReleaseOne()/ReleaseAll()
    kFail,       // answer submit_error inside Submit()
  };

  struct TileCall {
    bool bundle = false;
    uint8_t level = 0;
    uint64_t index = 0;
    uint16_t width = 0;
    friend bool operator==(const TileCall&, const TileCall&) = default;
  };

  struct LookupCall {
    LookupKind kind;
    std::string key;
    uint64_t cursor;
    uint32_t limit;
  };

  // Configuration; set before use, or under no concurrent calls.
  SubmitMode submit_mode = SubmitMode::kImmediate;
  Status submit_error = Status::InvalidArgument("entry: bad type line");
  Status checkpoint_error;  // non-OK: Checkpoint() fails with it
  Status health = Status::Ok();
  Status proof_error;  // non-OK: proofs fail with it (besides range checks)
  Bytes tile_bytes = Bytes(32, 0xAB);
  std::optional<Status> tile_error;
  LookupPage lookup_page;
  BackendStats stats;

  static std::string CheckpointFor(uint64_t size) {
    return "example.org/fake-log\n" + std::to_string(size) +
           "\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n— example.org/fake-log AAAA\n";
  }
  // The fabricated proof for (a, b): two hashes that depend on both.
  static std::vector<proofs::Hash> FakeProof(std::string_view kind, uint64_t a, uint64_t b) {
    return {proofs::Sha256(std::string(kind) + "/" + std::to_string(a)),
            proofs::Sha256(std::string(kind) + "/" + std::to_string(b))};
  }
  static proofs::Hash EntryRefOf(std::string_view entry) { return proofs::Sha256(entry); }

  void AddEntry(std::string entry) {
    std::lock_guard<std::mutex> lock(mu_);
    AppendLocked(std::move(entry));
  }
  uint64_t size() {
    std::lock_guard<std::mutex> lock(mu_);
    return entries_.size();
  }
  std::vector<TileCall> tile_calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return tile_calls_;
  }
  std::vector<LookupCall> lookup_calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return lookup_calls_;
  }
  size_t submit_calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return submit_calls_;
  }

  // Deferred mode: blocks until `n` submissions wait for release.
  void WaitForPending(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    pending_changed_.wait(lock, [&] { return pending_.size() >= n; });
  }
  // Answers the oldest (or newest) deferred submission.
  void ReleaseOne(bool newest = false) {
    std::unique_lock<std::mutex> lock(mu_);
    if (pending_.empty()) return;
    Pending p = newest ? std::move(pending_.back()) : std::move(pending_.front());
    if (newest) {
      pending_.pop_back();
    } else {
      pending_.pop_front();
    }
    lock.unlock();
    p.done(std::move(p.receipt));
  }
  void ReleaseAll() {
    while (true) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (pending_.empty()) return;
      }
      ReleaseOne();
    }
  }
  // Drops deferred callbacks without calling them (as a closing store may).
  void DropPending() {
    std::deque<Pending> dropped;
    std::lock_guard<std::mutex> lock(mu_);
    dropped.swap(pending_);
  }

  Result<std::string> Checkpoint() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!checkpoint_error.ok()) return checkpoint_error;
    return CheckpointFor(entries_.size());
  }

  Result<Bytes> Tile(uint8_t level, uint64_t index, uint16_t width) override {
    std::lock_guard<std::mutex> lock(mu_);
    tile_calls_.push_back({false, level, index, width});
    if (tile_error) return *tile_error;
    return tile_bytes;
  }

  Result<Bytes> EntryBundle(uint64_t index, uint16_t width) override {
    std::lock_guard<std::mutex> lock(mu_);
    tile_calls_.push_back({true, 0, index, width});
    if (tile_error) return *tile_error;
    return tile_bytes;
  }

  Result<std::string> Entry(uint64_t index) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (index >= entries_.size()) return Status::NotFound("no entry " + std::to_string(index));
    return entries_[index];
  }

  Result<std::optional<uint64_t>> IndexByEntryRef(const proofs::Hash& entry_ref) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = index_by_ref_.find(proofs::HashToHex(entry_ref));
    if (it == index_by_ref_.end()) return std::optional<uint64_t>();
    return std::optional<uint64_t>(it->second);
  }

  Result<std::vector<proofs::Hash>> InclusionProof(uint64_t index, uint64_t tree_size) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!proof_error.ok()) return proof_error;
    if (tree_size > entries_.size()) return Status::OutOfRange("tree_size beyond the tree");
    return FakeProof("inclusion", index, tree_size);
  }

  Result<std::vector<proofs::Hash>> ConsistencyProof(uint64_t from, uint64_t to) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!proof_error.ok()) return proof_error;
    if (to > entries_.size()) return Status::OutOfRange("to beyond the tree");
    return FakeProof("consistency", from, to);
  }

  Result<LookupPage> Lookup(LookupKind kind, std::string_view key, uint64_t cursor,
                            uint32_t limit) override {
    std::lock_guard<std::mutex> lock(mu_);
    lookup_calls_.push_back({kind, std::string(key), cursor, limit});
    return lookup_page;
  }

  void Submit(std::string entry, SubmitCallback done) override {
    std::unique_lock<std::mutex> lock(mu_);
    ++submit_calls_;
    if (submit_mode == SubmitMode::kFail) {
      Status error = submit_error;
      lock.unlock();
      done(error);
      return;
    }
    auto known = index_by_ref_.find(proofs::HashToHex(EntryRefOf(entry)));
    uint64_t index = known != index_by_ref_.end() ? known->second : AppendLocked(entry);
    Receipt receipt;
    receipt.index = index;
    receipt.entry_ref = EntryRefOf(entry);
    receipt.leaf_hash = proofs::HashLeaf(entry);
    receipt.checkpoint = CheckpointFor(entries_.size());
    receipt.inclusion_proof = FakeProof("inclusion", index, entries_.size());
    if (submit_mode == SubmitMode::kDeferred) {
      pending_.push_back({std::move(receipt), std::move(done)});
      pending_changed_.notify_all();
      return;
    }
    lock.unlock();
    done(std::move(receipt));
  }

  Status Health() override {
    std::lock_guard<std::mutex> lock(mu_);
    return health;
  }

  BackendStats Stats() override {
    std::lock_guard<std::mutex> lock(mu_);
    BackendStats s = stats;
    s.tree_size = entries_.size();
    return s;
  }

 private:
  uint64_t AppendLocked(std::string entry) {
    uint64_t index = entries_.size();
    index_by_ref_.emplace(proofs::HashToHex(EntryRefOf(entry)), index);
    entries_.push_back(std::move(entry));
    return index;
  }

  struct Pending {
    Receipt receipt;
    SubmitCallback done;
  };
  std::mutex mu_;
  std::condition_variable pending_changed_;
  std::vector<std::string> entries_;
  std::unordered_map<std::string, uint64_t> index_by_ref_;  // hex entry_ref -> index
  std::deque<Pending> pending_;
  std::vector<TileCall> tile_calls_;
  std::vector<LookupCall> lookup_calls_;
  size_t submit_calls_ = 0;
};

}  // namespace ltl::node::testing

#endif  // LTL_TESTS_NODE_FAKE_BACKEND_H_
