#include "node/admission.h"

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <variant>

#include "base/encoding.h"
#include "proofs/hash.h"

namespace ltl::node {
namespace {

// Registry pages are read this many hits at a time.
constexpr size_t kRegistryPage = 256;

// What the log says about one verifier key.
struct KeyState {
  bool registered = false;
  bool revoked = false;
  // The validity window of the latest registration.
  ledger::Timestamp not_before;
  std::optional<ledger::Timestamp> not_after;
};

// Reads a logged entry back. It was admitted once, so a failure to parse is
// corruption, not bad input.
Result<ledger::Entry> ReadLoggedEntry(const store::LogReader& reader, uint64_t index) {
  LTL_ASSIGN_OR_RETURN(std::string bytes, reader.Entry(index));
  Result<ledger::Entry> entry = ledger::ParseEntry(bytes);
  if (!entry) {
    return Status::DataLoss("logged entry " + std::to_string(index) +
                            " no longer parses: " + entry.error().message());
  }
  return entry;
}

// Registry states of registered keys, each as of the signer-index hits
// below its `next_from`. A key's state is a fold over its hits in log order
// and the log only grows (a hit added later has a higher index than any hit
// a reader saw before), so a cached state is brought up to date by reading
// the hits from `next_from` on: usually none, one index lookup, and no
// logged entry read and parsed again for every submission. Only registered
// keys are cached: an unregistered key costs one empty lookup anyway, and
// caching it would let anyone grow the cache with fresh keys. The cache is
// cleared when it holds kMaxCachedKeys. Thread-safe.
class KeyStateCache {
 public:
  struct Cached {
    KeyState state;
    uint64_t next_from = 0;
  };

  std::optional<Cached> Get(const std::string& vkey) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = keys_.find(vkey);
    if (it == keys_.end()) return std::nullopt;
    return it->second;
  }

  // Keeps the most advanced state: workers may finish out of order.
  void Put(const std::string& vkey, const Cached& cached) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = keys_.find(vkey);
    if (it != keys_.end()) {
      if (it->second.next_from < cached.next_from) it->second = cached;
      return;
    }
    if (keys_.size() >= kMaxCachedKeys) keys_.clear();
    keys_.emplace(vkey, cached);
  }

 private:
  static constexpr size_t kMaxCachedKeys = 65536;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Cached> keys_;
};

// `cache` may be null (no caching).
Result<KeyState> LookupKey(const store::LogReader& reader, const ledger::VerifierKey& key,
                           KeyStateCache* cache) {
  const std::string vkey = key.ToString();
  KeyStateCache::Cached known;
  if (cache != nullptr) {
    if (std::optional<KeyStateCache::Cached> cached = cache->Get(vkey)) known = *cached;
  }
  KeyState& state = known.state;
  std::optional<uint64_t> from = known.next_from;
  while (from) {
    LTL_ASSIGN_OR_RETURN(store::IndexPage page,
                         reader.Lookup(store::IndexKind::kSigner, vkey, *from, kRegistryPage));
    for (const store::IndexHit& hit : page.hits) {
      known.next_from = hit.index + 1;
      LTL_ASSIGN_OR_RETURN(ledger::Entry entry, ReadLoggedEntry(reader, hit.index));
      if (const auto* k = std::get_if<ledger::KeyEntry>(&entry.body); k && k->key == key) {
        state.registered = true;
        state.not_before = k->not_before;
        state.not_after = k->not_after;
      } else if (const auto* r = std::get_if<ledger::KeyRevoke>(&entry.body); r && r->key == key) {
        state.revoked = true;
      }
    }
    from = page.next;
  }
  if (cache != nullptr && state.registered) cache->Put(vkey, known);
  return state;
}

// The key that first registered `name`, if any: the earliest entry signed
// under a name is its registration, since nothing else is admitted before.
Result<std::optional<ledger::VerifierKey>> NameHolder(const store::LogReader& reader,
                                                      std::string_view name) {
  LTL_ASSIGN_OR_RETURN(store::IndexPage page, reader.Lookup(store::IndexKind::kSigner, name, 0, 1));
  if (page.hits.empty()) return std::optional<ledger::VerifierKey>();
  LTL_ASSIGN_OR_RETURN(ledger::Entry entry, ReadLoggedEntry(reader, page.hits.front().index));
  if (const auto* k = std::get_if<ledger::KeyEntry>(&entry.body)) {
    return std::optional<ledger::VerifierKey>(k->key);
  }
  return Status::DataLoss("the first entry signed by '" + std::string(name) +
                          "' is not its key registration");
}

Status RequireUsable(const store::LogReader& reader, const ledger::VerifierKey& key, int64_t now,
                     std::string_view as, KeyStateCache* cache) {
  LTL_ASSIGN_OR_RETURN(KeyState state, LookupKey(reader, key, cache));
  const std::string who = std::string(as) + " " + key.ToString();
  if (!state.registered) {
    return Status::PermissionDenied("unregistered_key: " + who +
                                    " has no key entry in this log; submit one first");
  }
  if (state.revoked) return Status::PermissionDenied("revoked_key: " + who + " was revoked");
  if (now < state.not_before.unix_seconds) {
    return Status::PermissionDenied("key_not_valid: " + who + " is not valid before " +
                                    ledger::FormatTimestamp(state.not_before));
  }
  if (state.not_after && now >= state.not_after->unix_seconds) {
    return Status::PermissionDenied("key_not_valid: " + who + " expired at " +
                                    ledger::FormatTimestamp(*state.not_after));
  }
  return Status::Ok();
}

Status CheckKeyEntry(const ledger::KeyEntry& k, const store::LogReader& reader, int64_t now,
                     KeyStateCache* cache) {
  LTL_ASSIGN_OR_RETURN(KeyState self, LookupKey(reader, k.key, cache));
  if (self.revoked) {
    return Status::PermissionDenied("revoked_key: " + k.key.ToString() +
                                    " was revoked and cannot be registered again");
  }
  if (k.previous_key) {
    LTL_RETURN_IF_ERROR(RequireUsable(reader, *k.previous_key, now, "previous key", cache));
  }
  LTL_ASSIGN_OR_RETURN(std::optional<ledger::VerifierKey> holder, NameHolder(reader, k.key.name()));
  if (holder && *holder != k.key && !(k.previous_key && k.previous_key->name() == k.key.name())) {
    return Status::PermissionDenied("name_taken: key name '" + k.key.name() +
                                    "' is registered to " + holder->ToString() +
                                    "; a new key for it must rotate from a registered key of that "
                                    "name (previous-key)");
  }
  return Status::Ok();
}

}  // namespace

int64_t SystemUnixSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {

// CheckRegistry, with key states from `cache` when not null.
Status CheckRegistryWith(const ledger::Entry& entry, const store::LogReader& reader, int64_t now,
                         KeyStateCache* cache) {
  if (const auto* k = std::get_if<ledger::KeyEntry>(&entry.body)) {
    return CheckKeyEntry(*k, reader, now, cache);
  }
  if (const auto* r = std::get_if<ledger::KeyRevoke>(&entry.body)) {
    LTL_ASSIGN_OR_RETURN(KeyState target, LookupKey(reader, r->key, cache));
    if (!target.registered) {
      return Status::PermissionDenied("unregistered_key: revoked key " + r->key.ToString() +
                                      " is not registered in this log");
    }
    if (r->revoked_by) return RequireUsable(reader, *r->revoked_by, now, "revoked-by", cache);
    return Status::Ok();  // self-revocation: possession of the key suffices
  }
  for (const ledger::VerifierKey& signer : ledger::RequiredSigners(entry.body)) {
    LTL_RETURN_IF_ERROR(RequireUsable(reader, signer, now, "signer", cache));
  }
  return Status::Ok();
}

}  // namespace

Status CheckRegistry(const ledger::Entry& entry, const store::LogReader& reader, int64_t now) {
  return CheckRegistryWith(entry, reader, now, /*cache=*/nullptr);
}

store::AdmittedEntry IndexKeysFor(const ledger::Entry& entry, std::string_view leaf) {
  store::AdmittedEntry admitted;
  admitted.leaf = std::string(leaf);
  admitted.entry_ref = entry.ref;
  admitted.work_keys = ledger::EntryWorkIds(entry.body);
  admitted.signer_keys = ledger::EntrySignerNames(entry.body);
  if (const auto* k = std::get_if<ledger::KeyEntry>(&entry.body)) {
    admitted.signer_keys.push_back(k->key.ToString());
  } else if (const auto* r = std::get_if<ledger::KeyRevoke>(&entry.body)) {
    admitted.signer_keys.push_back(r->key.ToString());
    admitted.signer_keys.push_back(r->key.name());
  }
  for (const ledger::EntryLink& link : ledger::EntryLinks(entry.body)) {
    admitted.grant_keys.push_back(HexEncode(link.ref));
  }
  if (std::holds_alternative<ledger::LicenceGrant>(entry.body)) {
    admitted.grant_keys.push_back(HexEncode(entry.ref));
  }
  return admitted;
}

store::AdmissionFn MakeAdmission(ReaderFn reader, Clock clock) {
  return [reader = std::move(reader), clock = std::move(clock),
          cache = std::make_shared<KeyStateCache>()](
             std::string_view submitted) -> Result<store::AdmittedEntry> {
    LTL_ASSIGN_OR_RETURN(ledger::Entry entry, ledger::ParseEntry(submitted));
    LTL_RETURN_IF_ERROR(ledger::ValidateEntrySignatures(entry));
    LTL_RETURN_IF_ERROR(CheckRegistryWith(entry, reader(), clock(), cache.get()));
    return IndexKeysFor(entry, submitted);
  };
}

}  // namespace ltl::node
