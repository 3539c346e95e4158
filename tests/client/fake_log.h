// An in-memory log for the client tests: it serves the node's read API
// (checkpoint, tiles, entry bundles, lookup) and POST /add through the
// client::Fetcher interface, built only from proofs/ and ledger/.
//
// Hash tiles come from a per-level table of every perfect node, filled as
// leaves are appended (independent of the client's tile reading). Faults are
// injected per test: partial tiles that 404, a hook that rewrites any answer,
// queued answers served before the real ones.
#ifndef LTL_TESTS_CLIENT_FAKE_LOG_H_
#define LTL_TESTS_CLIENT_FAKE_LOG_H_

#include <cctype>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/encoding.h"
#include "client/fetcher.h"
#include "client/policy.h"
#include "ledger/checkpoint.h"
#include "ledger/cosignature.h"
#include "ledger/entry.h"
#include "ledger/keys.h"
#include "ledger/note.h"
#include "proofs/compact_range.h"
#include "proofs/hash.h"
#include "proofs/inclusion.h"
#include "proofs/proof.h"
#include "proofs/tiles.h"

namespace ltl::client::testing {

inline constexpr std::string_view kOrigin = "log.example/ltl";

inline ledger::SigningKey KeyFromSeed(std::string_view name, uint8_t seed_byte,
                                      ledger::KeyType type = ledger::KeyType::kEd25519) {
  const Bytes seed(ledger::kEd25519SeedSize, seed_byte);
  return ledger::SigningKey::FromSeed(name, seed, type).value();
}
inline ledger::SigningKey LogKey() { return KeyFromSeed(kOrigin, 0x01); }
inline ledger::SigningKey WitnessKey(int n) {
  return KeyFromSeed("witness" + std::to_string(n) + ".example", static_cast<uint8_t>(0x40 + n),
                     ledger::KeyType::kCosignatureV1);
}

// A signed note that is not an LTL entry: enough for tile and proof tests.
inline std::string TestEntry(uint64_t n) {
  static const ledger::SigningKey key = KeyFromSeed("submitter.example/ltl", 0x21);
  return ledger::SignNote("test entry " + std::to_string(n) + "\n", key).value();
}

// A valid LTL `key` entry (self-signed), as POST /add accepts.
inline std::string KeyEntryText(std::string_view party) {
  const ledger::SigningKey key = KeyFromSeed(std::string(party) + ".example/ltl", 0x31);
  ledger::KeyEntry e;
  e.key = key.verifier();
  e.roles = {ledger::Role::kLicensor};
  e.party_name = std::string(party);
  e.not_before = ledger::ParseTimestamp("2026-01-01T00:00:00Z").value();
  e.issued = ledger::ParseTimestamp("2025-12-20T09:00:00Z").value();
  return ledger::SignNote(ledger::FormatEntryText(e), key).value();
}

class FakeLog : public Fetcher {
 public:
  explicit FakeLog(ledger::SigningKey key = LogKey()) : key_(std::move(key)) {}

  // --- Building the log -----------------------------------------------------

  uint64_t Append(std::string entry) {
    const uint64_t index = entries_.size();
    Hash h = proofs::HashLeaf(entry);
    entries_.push_back(std::move(entry));
    for (size_t level = 0;; ++level) {
      if (nodes_.size() <= level) nodes_.emplace_back();
      nodes_[level].push_back(h);
      if (nodes_[level].size() % 2 != 0) break;
      const auto& row = nodes_[level];
      h = proofs::HashChildren(row[row.size() - 2], row[row.size() - 1]);
    }
    return index;
  }
  void AppendTestEntries(uint64_t count) {
    for (uint64_t i = 0; i < count; ++i) Append(TestEntry(entries_.size()));
  }

  uint64_t size() const { return entries_.size(); }
  const std::vector<std::string>& entries() const { return entries_; }

  proofs::Hash RootAt(uint64_t size) const {
    proofs::CompactRange range;
    for (uint64_t i = 0; i < size; ++i) range.Append(nodes_[0][i]);
    return range.GetRootHash().value();
  }

  // The signed checkpoint of the first `size` entries, cosigned by `witnesses`.
  std::string CheckpointAt(uint64_t size,
                           const std::vector<ledger::SigningKey>& witnesses = {}) const {
    ledger::Checkpoint cp{std::string(key_.name()), size, RootAt(size), {}};
    std::string wire = ledger::SignCheckpoint(cp, key_).value();
    if (witnesses.empty()) return wire;
    ledger::Note note = ledger::ParseNote(wire).value();
    for (const ledger::SigningKey& w : witnesses) {
      note.signatures.push_back(ledger::Cosign(note.text, w, 1767225600).value());
    }
    return ledger::FormatNote(note);
  }

  std::vector<proofs::Hash> InclusionProof(uint64_t index, uint64_t size) const {
    proofs::ProofNodes nodes = proofs::InclusionNodes(index, size).value();
    std::vector<proofs::Hash> fetched;
    for (const proofs::NodeId& id : nodes.ids) fetched.push_back(nodes_[id.level][id.index]);
    return proofs::Rehash(fetched, nodes).value();
  }

  // --- What GET /checkpoint serves -------------------------------------------

  // Witnesses cosigning the served checkpoint.
  std::vector<ledger::SigningKey> witnesses;
  // When set, served instead of the current checkpoint.
  std::optional<std::string> served_checkpoint;

  // --- Faults -----------------------------------------------------------------

  // Partial tiles and bundles answer 404 (a log that pruned them).
  bool partials_404 = false;
  // Rewrites any answer before it is returned (path, response).
  std::function<void(std::string_view, HttpResponse&)> rewrite;
  // Answers served, in order, before any real one.
  std::deque<Result<HttpResponse>> queued;
  // Lookup index: work id -> indexes (served by GET /lookup?work=).
  std::map<std::string, std::vector<uint64_t>> lookup_index;
  // Page size of GET /lookup.
  size_t lookup_page_size = 2;

  std::vector<std::string> requests;  // paths, in order

  // --- Fetcher ------------------------------------------------------------------

  Result<HttpResponse> Get(std::string_view path) override {
    requests.emplace_back(path);
    if (!queued.empty()) {
      Result<HttpResponse> r = std::move(queued.front());
      queued.pop_front();
      return r;
    }
    HttpResponse response = Serve(path);
    if (rewrite) rewrite(path, response);
    return response;
  }

  Result<HttpResponse> Post(std::string_view path, std::string_view content_type,
                            std::string_view body) override {
    requests.emplace_back(path);
    if (!queued.empty()) {
      Result<HttpResponse> r = std::move(queued.front());
      queued.pop_front();
      return r;
    }
    HttpResponse response;
    if (path != "/add" || content_type != "text/plain; charset=utf-8") {
      response.status = 400;
      response.body = R"({"error": "bad request", "reason": "invalid_argument"})";
    } else {
      const uint64_t index = Append(std::string(body));
      response.status = 200;
      response.body = ReceiptJsonFor(index, size());
    }
    if (rewrite) rewrite(path, response);
    return response;
  }

  // The node's receipt JSON for entry `index` at tree `size`.
  std::string ReceiptJsonFor(uint64_t index, uint64_t size) const {
    const std::string& entry = entries_[index];
    std::string json = "{\"index\": " + std::to_string(index) + ", \"entry_ref\": \"" +
                       proofs::HashToHex(ledger::ComputeEntryRef(ledger::ParseNote(entry)->text)) +
                       "\", \"leaf_hash\": \"" + proofs::HashToHex(proofs::HashLeaf(entry)) +
                       "\", \"checkpoint\": \"" + JsonEscape(CheckpointAt(size)) +
                       "\", \"inclusion_proof\": [";
    const auto proof = InclusionProof(index, size);
    for (size_t i = 0; i < proof.size(); ++i) {
      json += (i ? ", \"" : "\"") + Base64Encode(proof[i]) + "\"";
    }
    return json + "]}";
  }

  static std::string ToLower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }

  static std::string JsonEscape(std::string_view s) {
    std::string out;
    for (char c : s) {
      if (c == '\n') {
        out += "\\n";
      } else if (c == '"' || c == '\\') {
        out += '\\';
        out += c;
      } else {
        out += c;
      }
    }
    return out;
  }

 private:
  using Hash = proofs::Hash;

  static HttpResponse Answer(int status, std::string body) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    return r;
  }

  HttpResponse Serve(std::string_view path) {
    if (path == "/checkpoint") {
      return Answer(200, served_checkpoint ? *served_checkpoint : CheckpointAt(size(), witnesses));
    }
    if (path.substr(0, 13) == "/lookup?work=") return ServeLookup(path.substr(13));
    if (path.substr(0, 6) != "/tile/") return Answer(404, "not found");
    auto tile = proofs::ParseTilePath(path.substr(1));
    if (!tile.has_value()) return Answer(400, "bad tile path");
    if (partials_404 && tile->width < proofs::kTileWidth) return Answer(404, "pruned");
    const uint64_t first = tile->index * proofs::kTileWidth;
    if (tile->kind == proofs::TilePath::Kind::kEntryBundle) {
      if (first + tile->width > entries_.size()) return Answer(404, "no such bundle");
      std::vector<std::string_view> views(entries_.begin() + first,
                                          entries_.begin() + first + tile->width);
      Bytes bytes = proofs::EncodeEntryBundle(views).value();
      return Answer(200, std::string(AsChars(bytes)));
    }
    const size_t level = size_t{tile->level} * proofs::kTileHeight;
    if (level >= nodes_.size() || first + tile->width > nodes_[level].size()) {
      return Answer(404, "no such tile");
    }
    std::vector<Hash> hashes(nodes_[level].begin() + first,
                             nodes_[level].begin() + first + tile->width);
    return Answer(200, std::string(AsChars(proofs::EncodeTileHashes(hashes))));
  }

  // Query values in these tests are plain; cursor paging as the node does.
  HttpResponse ServeLookup(std::string_view query) {
    uint64_t cursor = 0;
    std::string work(query.substr(0, query.find('&')));
    if (size_t at = query.find("&cursor="); at != std::string_view::npos) {
      cursor = ParseDecimalU64(query.substr(at + 8)).value();
    }
    // Undo the client's percent-encoding (%3A is ':', %2F is '/').
    for (size_t at = work.find('%'); at != std::string::npos; at = work.find('%', at + 1)) {
      const Bytes byte = HexDecode(ToLower(work.substr(at + 1, 2))).value();
      work.replace(at, 3, 1, static_cast<char>(byte[0]));
    }
    std::vector<uint64_t> hits;
    for (uint64_t index : lookup_index[work]) {
      if (index >= cursor) hits.push_back(index);
    }
    std::string json = "{\"entries\": [";
    size_t n = 0;
    for (; n < hits.size() && n < lookup_page_size; ++n) {
      const std::string& entry = entries_[hits[n]];
      json += std::string(n ? ", " : "") + "{\"index\": " + std::to_string(hits[n]) +
              ", \"entry_ref\": \"" +
              proofs::HashToHex(ledger::ComputeEntryRef(ledger::ParseNote(entry)->text)) + "\"}";
    }
    json += "]";
    if (n < hits.size()) json += ", \"next_cursor\": " + std::to_string(hits[n]);
    return Answer(200, json + "}");
  }

  ledger::SigningKey key_;
  std::vector<std::string> entries_;
  std::vector<std::vector<Hash>> nodes_;  // nodes_[level][index], perfect nodes only
};

inline VerificationPolicy PolicyFor(const ledger::SigningKey& log_key,
                                    const std::vector<ledger::SigningKey>& witnesses = {},
                                    size_t quorum = 0) {
  std::vector<ledger::VerifierKey> keys;
  for (const auto& w : witnesses) keys.push_back(w.verifier());
  return VerificationPolicy::Create(log_key.verifier(), keys, quorum).value();
}

}  // namespace ltl::client::testing

#endif  // LTL_TESTS_CLIENT_FAKE_LOG_H_
