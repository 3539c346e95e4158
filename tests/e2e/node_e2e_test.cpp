// End to end: the real `ltl-node` binary on 127.0.0.1 with a fresh data
// folder, driven over HTTP.
//
//   - Registered keys submit a few hundred entries concurrently; every
//     receipt verifies offline; then inclusion of every entry and
//     consistency from every receipt's checkpoint to the latest are proved
//     FROM THE FETCHED TILES ONLY and checked with proofs/ against the signed
//     roots; the bundles hold the submitted bytes; a full replay of the tiles
//     reproduces the root; GET /proof/* agree with the tile-built proofs;
//     a resubmission gets the same receipt.
//   - Hostile or broken input is answered (413, 400, 403, 415, a closed
//     connection for a stalled request), never logged with its body, and the
//     node keeps serving.
//   - SIGTERM under load: exit 0 promptly, fsck passes, the restarted node
//     continues the same tree.
//   - SIGKILL under load: fsck passes, and every acknowledged receipt still
//     verifies against the restarted node's tiles (acknowledged means durable).
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/encoding.h"
#include "client/http_fetcher.h"
#include "client/policy.h"
#include "client/receipt.h"
#include "client/tile_reader.h"
#include "client/verify.h"
#include "ledger/checkpoint.h"
#include "ledger/entry.h"
#include "ledger/keys.h"
#include "proofs/consistency.h"
#include "proofs/hash.h"
#include "proofs/inclusion.h"
#include "proofs/tiles.h"
#include "tests/e2e/node_process.h"
#include "tests/ledger/entry_samples.h"
#include "tests/testing/testing.h"

namespace ltl::e2e {
namespace {

using ledger::samples::KeyFromSeedByte;
using ledger::samples::SignAll;
using ledger::samples::T;
using ledger::samples::W;

constexpr std::string_view kOrigin = "ltl.localhost/e2e";

ledger::SigningKey SignerKey(int i) {
  return KeyFromSeedByte("signer-" + std::to_string(i) + ".e2e.example/ltl",
                         static_cast<uint8_t>(0x40 + i));
}

// Valid from 2000 without end: the node checks validity against its own
// clock, which the test cannot set.
std::string KeyEntryNote(const ledger::SigningKey& key) {
  ledger::KeyEntry e;
  e.key = key.verifier();
  e.roles = {ledger::Role::kLicensor};
  e.not_before = T("2000-01-01T00:00:00Z");
  e.issued = T("2000-01-01T00:00:00Z");
  return SignAll(ledger::FormatEntryText(e), {key});
}

std::string ReservationNote(const ledger::SigningKey& key, const std::string& id) {
  ledger::Reservation r;
  r.reservation_id = id;
  r.declarant = key.verifier();
  r.works = {W("isrc:GB-AYE-69-00531")};
  r.reserve_uses = {ledger::Use::kAll};
  r.issued = T("2026-02-01T00:00:00Z");
  return SignAll(ledger::FormatEntryText(r), {key});
}

// An entry the node acknowledged, with its receipt.
struct Acked {
  std::string entry;
  client::Receipt receipt;
};

// The hashes of a JSON member holding base64 hashes (GET /proof/* answers).
std::vector<proofs::Hash> HashesFromJson(const std::string& json, const char* member) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  std::vector<proofs::Hash> out;
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember(member) || !doc[member].IsArray()) {
    ADD_FAILURE() << "no '" << member << "' array in " << json;
    return out;
  }
  for (const rapidjson::Value& v : doc[member].GetArray()) {
    Result<Bytes> bytes = Base64Decode(std::string_view(v.GetString(), v.GetStringLength()));
    Result<proofs::Hash> hash =
        bytes ? proofs::HashFromBytes(*bytes) : Result<proofs::Hash>(bytes.error());
    if (!hash) {
      ADD_FAILURE() << "bad hash in " << json;
      return {};
    }
    out.push_back(*hash);
  }
  return out;
}

class NodeE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ledger::InitCrypto().ok());
    data_ = temp_.path() / "data";
    const CommandResult init = RunNodeCommand(
        {"init", "--data", data_.string(), "--origin", std::string(kOrigin)}, temp_.path());
    ASSERT_EQ(init.exit_code, 0) << Describe(init);
    std::string vkey = init.out;
    while (!vkey.empty() && vkey.back() == '\n') vkey.pop_back();
    Result<ledger::VerifierKey> log_key = ledger::VerifierKey::Parse(vkey);
    ASSERT_TRUE(log_key.has_value()) << log_key.error() << "\n" << Describe(init);
    Result<client::VerificationPolicy> policy = client::VerificationPolicy::Create(*log_key, {}, 0);
    ASSERT_TRUE(policy.has_value()) << policy.error();
    policy_ = std::move(*policy);
  }

  // Starts (or restarts) the node; stderr goes to node-<n>.log.
  void StartNode(const std::vector<std::string>& extra_args = {}) {
    node_.reset();
    const std::filesystem::path log = temp_.path() / ("node-" + std::to_string(starts_++) + ".log");
    node_ = std::make_unique<NodeProcess>(data_, log, extra_args);
    ASSERT_TRUE(node_->listening());
    fetcher_ = client::HttpFetcher::Create(node_->url()).value();
    // Load threads give up on the first failure (the node may be gone).
    client::HttpFetcherOptions once;
    once.max_attempts = 1;
    once.request_timeout = std::chrono::milliseconds(15'000);
    single_try_ = client::HttpFetcher::Create(node_->url(), once).value();
  }

  client::HttpResponse Post(const std::string& entry) {
    Result<client::HttpResponse> r = fetcher_->Post("/add", "text/plain; charset=utf-8", entry);
    EXPECT_TRUE(r.has_value()) << r.error();
    return r.value_or(client::HttpResponse{});
  }
  client::HttpResponse Get(const std::string& path) {
    Result<client::HttpResponse> r = fetcher_->Get(path);
    EXPECT_TRUE(r.has_value()) << path << ": " << r.error();
    return r.value_or(client::HttpResponse{});
  }

  // POST /add must answer 200 with a receipt that verifies offline with the
  // entry. Otherwise nullopt, and `why` says what came instead.
  std::optional<client::Receipt> Append(client::Fetcher& fetcher, const std::string& entry,
                                        std::string* why = nullptr) {
    Result<client::HttpResponse> r = fetcher.Post("/add", "text/plain; charset=utf-8", entry);
    if (!r || r->status != 200) {
      if (why) *why = r ? std::to_string(r->status) + " " + r->body : r.error().ToString();
      return std::nullopt;
    }
    Result<client::Receipt> receipt = client::ParseReceiptJson(r->body);
    EXPECT_TRUE(receipt.has_value()) << receipt.error() << "\n" << r->body;
    if (!receipt) return std::nullopt;
    auto verified =
        client::VerifyReceiptOffline(*receipt, policy_, client::QuorumCheck::kSkip, entry);
    EXPECT_TRUE(verified.has_value()) << verified.error().ToString();
    if (verified) {
      EXPECT_TRUE(verified->entry_checked);
    }
    return std::move(*receipt);
  }
  client::Receipt AppendOk(const std::string& entry) {
    std::string why;
    std::optional<client::Receipt> receipt = Append(*fetcher_, entry, &why);
    EXPECT_TRUE(receipt.has_value()) << why;
    return receipt.value_or(client::Receipt{});
  }

  void RegisterSigners(int count) {
    for (int i = 0; i < count; ++i) AppendOk(KeyEntryNote(SignerKey(i)));
  }

  // `per_signer` reservations from each of `signers` keys, one thread per key.
  std::vector<Acked> SubmitConcurrently(int signers, int per_signer, const std::string& tag) {
    std::vector<std::vector<Acked>> per_thread(signers);
    std::vector<std::thread> threads;
    for (int s = 0; s < signers; ++s) {
      threads.emplace_back([&, s] {
        const ledger::SigningKey key = SignerKey(s);
        for (int n = 0; n < per_signer; ++n) {
          std::string entry =
              ReservationNote(key, tag + "-" + std::to_string(s) + "-" + std::to_string(n));
          std::string why;
          std::optional<client::Receipt> receipt = Append(*fetcher_, entry, &why);
          if (!receipt) {
            ADD_FAILURE() << "signer " << s << " entry " << n << " was not acknowledged: " << why;
            return;
          }
          per_thread[s].push_back({std::move(entry), std::move(*receipt)});
        }
      });
    }
    for (std::thread& t : threads) t.join();
    std::vector<Acked> all;
    for (auto& v : per_thread) all.insert(all.end(), v.begin(), v.end());
    return all;
  }

  // Submits from `signers` threads until `stop` is set or the node stops
  // answering; every acknowledged entry is appended to `acked` (under `mu`).
  // The threads outlive this call: they capture only values and the caller's
  // `stop`, `mu` and `acked`, which must outlive them (join before leaving).
  std::vector<std::thread> StartLoad(int signers, const std::string& tag, std::atomic<bool>& stop,
                                     std::mutex& mu, std::vector<Acked>& acked) {
    std::vector<std::thread> threads;
    for (int s = 0; s < signers; ++s) {
      threads.emplace_back([s, tag, fetcher = single_try_.get(), &stop, &mu, &acked] {
        const ledger::SigningKey key = SignerKey(s);
        for (int n = 0; !stop.load(); ++n) {
          std::string entry =
              ReservationNote(key, tag + "-" + std::to_string(s) + "-" + std::to_string(n));
          Result<client::HttpResponse> r =
              fetcher->Post("/add", "text/plain; charset=utf-8", entry);
          if (!r || r->status != 200) return;  // the node is going away
          Result<client::Receipt> receipt = client::ParseReceiptJson(r->body);
          if (!receipt) {
            ADD_FAILURE() << "malformed receipt: " << receipt.error();
            return;
          }
          std::lock_guard lock(mu);
          acked.push_back({std::move(entry), std::move(*receipt)});
        }
      });
    }
    return threads;
  }

  ledger::SignedCheckpoint LatestCheckpoint() {
    const client::HttpResponse r = Get("/checkpoint");
    EXPECT_EQ(r.status, 200) << r.body;
    auto cp = client::VerifyCheckpoint(policy_, r.body);
    EXPECT_TRUE(cp.has_value()) << (cp ? "" : cp.error().ToString());
    return cp ? *cp : ledger::SignedCheckpoint{};
  }

  // Proves every acknowledged entry against `latest` using tiles and bundles
  // fetched from the node, and proofs/ for the math:
  //   - the bundle holds the submitted bytes at the receipt's index;
  //   - inclusion of the leaf hash at latest's size, against latest's root;
  //   - consistency from the receipt's checkpoint to latest.
  void VerifyFromTiles(const std::vector<Acked>& acked, const ledger::SignedCheckpoint& latest) {
    const uint64_t size = latest.checkpoint.size;
    const proofs::Hash& root = latest.checkpoint.root;
    client::TileReader reader(*fetcher_);
    client::ProofBuilder builder(reader, size);
    for (const Acked& a : acked) {
      const uint64_t index = a.receipt.index;
      ASSERT_LT(index, size);
      Result<std::vector<std::string>> bundle =
          reader.ReadEntryBundle(index / proofs::kTileWidth, size);
      ASSERT_TRUE(bundle.has_value()) << bundle.error();
      ASSERT_EQ((*bundle)[index % proofs::kTileWidth], a.entry) << "index " << index;
      EXPECT_EQ(proofs::HashLeaf(a.entry), a.receipt.leaf_hash);

      Result<std::vector<proofs::Hash>> inclusion = builder.InclusionProof(index);
      ASSERT_TRUE(inclusion.has_value()) << inclusion.error();
      EXPECT_TRUE(proofs::VerifyInclusion(index, size, a.receipt.leaf_hash, *inclusion, root).ok())
          << "index " << index << " at size " << size;

      auto then = client::VerifyCheckpoint(policy_, a.receipt.checkpoint);
      ASSERT_TRUE(then.has_value()) << then.error().ToString();
      const uint64_t then_size = then->checkpoint.size;
      ASSERT_LE(then_size, size);
      if (then_size == size) {
        EXPECT_EQ(then->checkpoint.root, root);
        continue;
      }
      Result<std::vector<proofs::Hash>> consistency = builder.ConsistencyProof(then_size, size);
      ASSERT_TRUE(consistency.has_value()) << consistency.error();
      EXPECT_TRUE(
          proofs::VerifyConsistency(then_size, size, *consistency, then->checkpoint.root, root)
              .ok())
          << then_size << " -> " << size;
    }
  }

  ltl::testing::TempDir temp_;
  std::filesystem::path data_;
  client::VerificationPolicy policy_;
  std::unique_ptr<NodeProcess> node_;
  std::unique_ptr<client::HttpFetcher> fetcher_;
  std::unique_ptr<client::HttpFetcher> single_try_;
  int starts_ = 0;
};

constexpr int kSigners = 8;
constexpr int kPerSigner = 40;

TEST_F(NodeE2eTest, ConcurrentSubmissionsAreProvedFromTilesAndProofEndpointsAgree) {
  ASSERT_NO_FATAL_FAILURE(StartNode());
  RegisterSigners(kSigners);
  const std::vector<Acked> acked = SubmitConcurrently(kSigners, kPerSigner, "load");
  ASSERT_EQ(acked.size(), size_t{kSigners * kPerSigner});
  std::set<uint64_t> indexes;
  for (const Acked& a : acked) indexes.insert(a.receipt.index);
  EXPECT_EQ(indexes.size(), acked.size()) << "two entries share an index";
  EXPECT_EQ(*indexes.begin(), uint64_t{kSigners});
  EXPECT_EQ(*indexes.rbegin(), uint64_t{kSigners + kSigners * kPerSigner - 1});

  const ledger::SignedCheckpoint latest = LatestCheckpoint();
  const uint64_t size = latest.checkpoint.size;
  ASSERT_EQ(size, uint64_t{kSigners + kSigners * kPerSigner});
  VerifyFromTiles(acked, latest);

  // The verifier is not a rubber stamp: the right proof for the wrong index fails.
  {
    client::TileReader reader(*fetcher_);
    client::ProofBuilder builder(reader, size);
    const Acked& a = acked.front();
    const std::vector<proofs::Hash> proof = builder.InclusionProof(a.receipt.index).value();
    EXPECT_FALSE(proofs::VerifyInclusion(a.receipt.index + 1, size, a.receipt.leaf_hash, proof,
                                         latest.checkpoint.root)
                     .ok());
  }

  // A full replay of every tile and bundle reproduces the signed root.
  {
    client::TileReader reader(*fetcher_);
    uint64_t visited = 0;
    const Status replay = client::VerifyTreeTiles(reader, size, latest.checkpoint.root,
                                                  [&](uint64_t index, std::string_view) {
                                                    EXPECT_EQ(index, visited);
                                                    ++visited;
                                                    return Status::Ok();
                                                  });
    EXPECT_TRUE(replay.ok()) << replay;
    EXPECT_EQ(visited, size);
  }

  // GET /proof/* answer with the proofs the tiles give.
  client::TileReader reader(*fetcher_);
  client::ProofBuilder builder(reader, size);
  for (uint64_t index = 0; index < size; index += 13) {
    const client::HttpResponse r =
        Get("/proof/inclusion?index=" + std::to_string(index) + "&size=" + std::to_string(size));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(HashesFromJson(r.body, "inclusion_proof"), builder.InclusionProof(index).value())
        << "index " << index;
  }
  for (uint64_t from = 1; from < size; from += 29) {
    const client::HttpResponse r =
        Get("/proof/consistency?from=" + std::to_string(from) + "&to=" + std::to_string(size));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(HashesFromJson(r.body, "consistency_proof"),
              builder.ConsistencyProof(from, size).value())
        << "from " << from;
  }
  // By entry reference too.
  const Acked& probe = acked[acked.size() / 2];
  const client::HttpResponse by_ref =
      Get("/proof/inclusion?entry_ref=" + HexEncode(probe.receipt.entry_ref) +
          "&size=" + std::to_string(size));
  ASSERT_EQ(by_ref.status, 200) << by_ref.body;
  EXPECT_EQ(HashesFromJson(by_ref.body, "inclusion_proof"),
            builder.InclusionProof(probe.receipt.index).value());
  // A size beyond the tree is refused, not answered with a guess.
  EXPECT_EQ(Get("/proof/inclusion?index=0&size=" + std::to_string(size + 1)).status, 400);

  // Resubmitting logged bytes returns the original receipt; nothing is appended.
  const client::Receipt again = AppendOk(probe.entry);
  EXPECT_EQ(again, probe.receipt);
  EXPECT_EQ(LatestCheckpoint().checkpoint.size, size);

  // The signer index lists a key's registration and its entries, each proved.
  auto lookup =
      client::Lookup(*fetcher_, reader, latest, client::LookupKey::kSigner, SignerKey(3).name());
  ASSERT_TRUE(lookup.has_value()) << lookup.error().ToString();
  EXPECT_EQ(lookup->entries.size(), size_t{1 + kPerSigner});
}

TEST_F(NodeE2eTest, BadInputIsAnsweredWithoutBodiesInTheLogAndTheNodeStaysUp) {
  ASSERT_NO_FATAL_FAILURE(StartNode({"--read-timeout-ms", "300"}));
  const ledger::SigningKey key = SignerKey(0);
  AppendOk(KeyEntryNote(key));
  // Marks the bodies of refused entries: it must never reach the access log.
  const std::string marker = "body-marker-7f3c";

  auto exchange = [&](const std::string& request) {
    RawConnection c(node_->port());
    EXPECT_TRUE(c.connected());
    c.Send(request);
    return c.ReadResponse(milliseconds(5000));
  };
  auto post = [&](const std::string& body, std::string_view content_type = "text/plain") {
    return exchange(
        "POST /add HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + std::string(content_type) +
        "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  };

  // Oversized: the declared length alone is refused (413), before any body byte.
  {
    RawConnection c(node_->port());
    c.Send(
        "POST /add HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
        "Content-Length: 65536\r\n\r\n" +
        std::string(1024, 'x'));
    const std::string r = c.ReadResponse(milliseconds(5000));
    EXPECT_EQ(StatusOf(r), 413) << r;
    EXPECT_NE(BodyOf(r).find("\"reason\":\"body_too_large\""), std::string::npos) << r;
    EXPECT_TRUE(c.WaitForClose(milliseconds(5000))) << "a 413 closes the connection";
  }
  // A truncated entry (its signature cut short) is a malformed note.
  const std::string valid = ReservationNote(key, marker + "-valid");
  {
    const std::string r = post(valid.substr(0, valid.size() - 20));
    EXPECT_EQ(StatusOf(r), 400) << r;
    EXPECT_NE(BodyOf(r).find("\"error\":\"bad_note:"), std::string::npos) << r;
  }
  // A body shorter than its Content-Length, then end of stream: no request was
  // made, so there is nothing to answer; the node closes the connection.
  {
    RawConnection c(node_->port());
    c.Send(
        "POST /add HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
        "Content-Length: " +
        std::to_string(valid.size()) + "\r\n\r\n" + valid.substr(0, valid.size() / 2));
    c.ShutdownWrite();
    EXPECT_TRUE(c.WaitForClose(milliseconds(5000)));
  }
  // An invalid signature: 403.
  {
    std::string tampered = ReservationNote(key, marker + "-sig");
    const size_t sig = tampered.rfind(' ') + 1;
    tampered[sig + 10] = tampered[sig + 10] == 'A' ? 'B' : 'A';
    const std::string r = post(tampered);
    EXPECT_EQ(StatusOf(r), 403) << r;
    EXPECT_NE(BodyOf(r).find("\"error\":\"bad_signature:"), std::string::npos) << r;
  }
  // Signed by a key the log never registered: 403.
  {
    const std::string r = post(ReservationNote(SignerKey(9), marker + "-unregistered"));
    EXPECT_EQ(StatusOf(r), 403) << r;
    EXPECT_NE(BodyOf(r).find("\"error\":\"unregistered_key:"), std::string::npos) << r;
  }
  // An unknown entry type, properly signed: 400.
  {
    const std::string r = post(SignAll("ltl/tip-jar/v1\nnote " + marker + "-type\n", {key}));
    EXPECT_EQ(StatusOf(r), 400) << r;
    EXPECT_NE(BodyOf(r).find("\"error\":\"bad_type:"), std::string::npos) << r;
  }
  // Another content type: 415.
  EXPECT_EQ(StatusOf(post(valid, "application/json")), 415);
  // A garbage request line: 400 and the connection closes.
  {
    RawConnection c(node_->port());
    c.Send("HELLO " + marker + " WORLD\r\n\r\n");
    const std::string r = c.ReadResponse(milliseconds(5000));
    EXPECT_EQ(StatusOf(r), 400) << r;
    EXPECT_TRUE(c.WaitForClose(milliseconds(5000)));
  }
  // A client that stalls mid-header is cut after read_timeout (300 ms here);
  // the bound below only keeps a broken node from hanging the test.
  {
    RawConnection c(node_->port());
    c.Send("GET /checkpoint HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    EXPECT_TRUE(c.WaitForClose(milliseconds(10'000)));
    EXPECT_EQ(StatusOf(c.ReadUntil([](const std::string&) { return true; }, milliseconds(0))), 0)
        << "a stalled request gets no answer, only a close";
  }

  // Still up and still appending.
  EXPECT_TRUE(node_->alive());
  EXPECT_EQ(Get("/healthz").status, 200);
  AppendOk(valid);
  EXPECT_EQ(LatestCheckpoint().checkpoint.size, 2u);

  // The access log has a line per answered request, and no body.
  const std::string log = node_->Log();
  // (The 413 is refused while the header is parsed, so its line has no method.)
  EXPECT_NE(log.find("\" 413 "), std::string::npos) << log;
  EXPECT_NE(log.find("\"POST /add\" 403"), std::string::npos) << log;
  EXPECT_NE(log.find("\"POST /add\" 415"), std::string::npos) << log;
  EXPECT_NE(log.find("\" 400 "), std::string::npos) << log;
  EXPECT_EQ(log.find(marker), std::string::npos) << "a request body reached the log:\n" << log;
  EXPECT_EQ(log.find("reservation-id"), std::string::npos) << log;
}

TEST_F(NodeE2eTest, SigtermUnderLoadExitsZeroAndTheRestartedNodeContinuesTheTree) {
  ASSERT_NO_FATAL_FAILURE(StartNode({"--shutdown-grace-ms", "10000"}));
  constexpr int kLoadSigners = 4;
  RegisterSigners(kLoadSigners);
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<Acked> acked;
  std::vector<std::thread> load = StartLoad(kLoadSigners, "term", stop, mu, acked);
  const auto deadline = SteadyClock::now() + std::chrono::seconds(20);
  while (SteadyClock::now() < deadline) {
    {
      std::lock_guard lock(mu);
      if (acked.size() >= 60) break;
    }
    std::this_thread::sleep_for(milliseconds(5));
  }
  // SIGTERM while submissions are in flight. The limit only bounds a hang.
  const std::optional<int> code = node_->Terminate(milliseconds(15'000));
  stop = true;
  for (std::thread& t : load) t.join();
  ASSERT_TRUE(code.has_value()) << "ltl-node did not exit within 15 s of SIGTERM";
  EXPECT_EQ(*code, 0) << node_->Log();
  ASSERT_GE(acked.size(), 60u);

  const CommandResult fsck = RunNodeCommand({"fsck", "--data", data_.string()}, temp_.path());
  EXPECT_EQ(fsck.exit_code, 0) << Describe(fsck);
  EXPECT_NE(fsck.out.find("OK"), std::string::npos) << Describe(fsck);

  ASSERT_NO_FATAL_FAILURE(StartNode());
  const ledger::SignedCheckpoint before = LatestCheckpoint();
  EXPECT_GE(before.checkpoint.size, kLoadSigners + acked.size());
  const std::vector<Acked> more = SubmitConcurrently(kLoadSigners, 10, "after-term");
  ASSERT_EQ(more.size(), size_t{kLoadSigners * 10});
  for (const Acked& a : more) EXPECT_GE(a.receipt.index, before.checkpoint.size);
  std::vector<Acked> all = acked;
  all.insert(all.end(), more.begin(), more.end());
  const ledger::SignedCheckpoint after = LatestCheckpoint();
  EXPECT_EQ(after.checkpoint.size, before.checkpoint.size + more.size());
  VerifyFromTiles(all, after);
}

TEST_F(NodeE2eTest, SigkillUnderLoadLosesNoAcknowledgedEntry) {
  ASSERT_NO_FATAL_FAILURE(StartNode());
  constexpr int kLoadSigners = 4;
  RegisterSigners(kLoadSigners);
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<Acked> acked;
  std::vector<std::thread> load = StartLoad(kLoadSigners, "kill", stop, mu, acked);
  const auto deadline = SteadyClock::now() + std::chrono::seconds(20);
  while (SteadyClock::now() < deadline) {
    {
      std::lock_guard lock(mu);
      if (acked.size() >= 150) break;
    }
    std::this_thread::sleep_for(milliseconds(5));
  }
  node_->Kill();  // no chance to flush, answer or close anything
  stop = true;
  for (std::thread& t : load) t.join();
  ASSERT_GE(acked.size(), 150u);

  const CommandResult fsck = RunNodeCommand({"fsck", "--data", data_.string()}, temp_.path());
  EXPECT_EQ(fsck.exit_code, 0) << Describe(fsck);

  ASSERT_NO_FATAL_FAILURE(StartNode());
  const ledger::SignedCheckpoint latest = LatestCheckpoint();
  VerifyFromTiles(acked, latest);
  // Every acknowledged receipt also verifies as the client would check it
  // online: offline first, then at the node's current checkpoint.
  for (size_t i = 0; i < acked.size(); i += 10) {
    auto offline = client::VerifyReceiptOffline(acked[i].receipt, policy_,
                                                client::QuorumCheck::kSkip, acked[i].entry);
    EXPECT_TRUE(offline.has_value()) << offline.error().ToString();
  }

  // The restarted log deduplicates across the crash and keeps appending.
  const client::Receipt again = AppendOk(acked.front().entry);
  EXPECT_EQ(again.index, acked.front().receipt.index);
  const client::Receipt next = AppendOk(ReservationNote(SignerKey(0), "after-kill"));
  EXPECT_EQ(next.index, latest.checkpoint.size);
}

}  // namespace
}  // namespace ltl::e2e

namespace ltl::e2e {
namespace {

// The releases counted in GET /metrics, or nullopt when the line is absent.
std::optional<uint64_t> MapReleases(const std::string& metrics) {
  const std::string name = "\nltl_store_map_releases_total ";
  const size_t at = metrics.find(name);
  if (at == std::string::npos) return std::nullopt;
  return std::stoull(metrics.substr(at + name.size()));
}

// docs/storage.md, "Mapped pages and resident memory": with a budget below what
// the shared libraries alone map, the node unmaps the store's pages every
// 50 ms, while it serves and appends, and nothing it serves changes.
TEST_F(NodeE2eTest, UnmappingStorePagesOverTheBudgetKeepsEveryEntryAndProof) {
  ASSERT_NO_FATAL_FAILURE(StartNode({"--map-resident-budget-mib", "1"}));
  RegisterSigners(kSigners);
  std::vector<Acked> acked = SubmitConcurrently(kSigners, kPerSigner, "before");
  const auto releases = [&] { return MapReleases(Get("/metrics").body).value_or(0); };
  const uint64_t seen = releases();
  // Wait (polling, bounded) for at least two more releases during further appends.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int round = 0;
  while (releases() < seen + 2 && std::chrono::steady_clock::now() < deadline) {
    std::vector<Acked> more = SubmitConcurrently(kSigners, 2, "during-" + std::to_string(round++));
    acked.insert(acked.end(), more.begin(), more.end());
  }
  ASSERT_GE(releases(), seen + 2) << "the node never released its mapped pages";
  const ledger::SignedCheckpoint latest = LatestCheckpoint();
  VerifyFromTiles(acked, latest);
  for (const Acked& a : acked) {
    const client::HttpResponse r = Get("/proof/inclusion?index=" + std::to_string(a.receipt.index) +
                                       "&size=" + std::to_string(latest.checkpoint.size));
    ASSERT_EQ(r.status, 200) << r.body;
  }
}

TEST_F(NodeE2eTest, AFreshNodeUnderTheDefaultBudgetReleasesNothing) {
  ASSERT_NO_FATAL_FAILURE(StartNode());
  AppendOk(KeyEntryNote(SignerKey(0)));
  EXPECT_EQ(MapReleases(Get("/metrics").body), std::optional<uint64_t>(0));
}

}  // namespace
}  // namespace ltl::e2e
