// The witness role (node/witness.h): C2SP tlog-witness v1.0.0 answers,
// persistence before the answer, evidence, and no cosignature ever for a
// checkpoint inconsistent with one cosigned before, across restarts and
// concurrent requests.
#include "node/witness.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "base/encoding.h"
#include "ledger/checkpoint.h"
#include "ledger/cosignature.h"
#include "ledger/note.h"
#include "tests/proofs/reference.h"
#include "tests/testing/testing.h"

namespace ltl::node {
namespace {

using proofs::testing::MakeLeafHashes;
using proofs::testing::ReferenceTree;

constexpr std::string_view kOrigin = "example.com/log";
constexpr uint64_t kNow = 1'700'000'000;

ledger::SigningKey MakeKey(std::string_view name, ledger::KeyType type, uint8_t seed_byte) {
  Bytes seed(32, seed_byte);
  return ledger::SigningKey::FromSeed(name, seed, type).value();
}

// Leaves of an honest tree and of a fork that shares its first `shared`.
std::vector<proofs::Hash> ForkLeaves(uint64_t count, uint64_t shared) {
  std::vector<proofs::Hash> leaves = MakeLeafHashes(count);
  for (uint64_t i = shared; i < count; ++i)
    leaves[i] = proofs::HashLeaf("fork-" + std::to_string(i));
  return leaves;
}

class WitnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ledger::InitCrypto().ok());
    OpenWitness();
  }

  void OpenWitness() {
    witness_.reset();
    store_.reset();
    auto store = store::WitnessStore::Open(dir_.path() / "network");
    ASSERT_TRUE(store.has_value()) << store.error();
    store_ = std::move(*store);
    auto w = Witness::Create(witness_key_, {log_key_.verifier(), other_log_.verifier()}, *store_,
                             {.now_unix_seconds = [] { return kNow; }});
    ASSERT_TRUE(w.has_value()) << w.error();
    witness_ = std::move(*w);
  }

  std::string Signed(ReferenceTree& tree, uint64_t size, const ledger::SigningKey& key) {
    ledger::Checkpoint cp{std::string(kOrigin), size, tree.Root(size), {}};
    return ledger::SignCheckpoint(cp, key).value();
  }
  std::string Signed(ReferenceTree& tree, uint64_t size) { return Signed(tree, size, log_key_); }

  Response Add(uint64_t old_size, std::vector<proofs::Hash> proof, const std::string& checkpoint) {
    return witness_->AddCheckpoint(
        FormatAddCheckpointRequest({old_size, std::move(proof), checkpoint}));
  }
  // add-checkpoint from `old` to `size` of `tree` with the right proof.
  Response Grow(ReferenceTree& tree, uint64_t old_size, uint64_t size) {
    std::vector<proofs::Hash> proof;
    if (old_size > 0) proof = tree.ConsistencyProof(old_size, size);
    return Add(old_size, proof, Signed(tree, size));
  }

  std::optional<uint64_t> StoredSize() {
    auto latest = store_->Latest(kOrigin);
    EXPECT_TRUE(latest.has_value());
    if (!latest || !*latest) return std::nullopt;
    return (*latest)->size;
  }

  ltl::testing::TempDir dir_;
  ledger::SigningKey log_key_ = MakeKey(kOrigin, ledger::KeyType::kEd25519, 1);
  ledger::SigningKey other_log_ = MakeKey("other.example/log", ledger::KeyType::kEd25519, 2);
  ledger::SigningKey witness_key_ =
      MakeKey("witness.example/w1", ledger::KeyType::kCosignatureV1, 3);
  std::unique_ptr<store::WitnessStore> store_;
  std::unique_ptr<Witness> witness_;
  ReferenceTree honest_{MakeLeafHashes(40)};
  ReferenceTree fork_{ForkLeaves(40, 5)};
};

TEST_F(WitnessTest, FirstCheckpointIsCosignedStoredAndTheCosignatureVerifies) {
  const std::string cp = Signed(honest_, 7);
  Response r = Add(0, {}, cp);
  ASSERT_EQ(r.status, 200) << r.body;
  // The answer is signature lines: appended to the checkpoint they make a
  // note that the witness's verifier key opens.
  const std::string text = ledger::ParseNote(cp)->text;
  const std::vector<ledger::VerifierKey> witnesses = {witness_key_.verifier()};
  auto opened = ledger::OpenCheckpoint(cp + r.body, log_key_.verifier(), witnesses);
  ASSERT_TRUE(opened.has_value()) << opened.error();
  ASSERT_EQ(opened->verified_by.size(), 1u);
  auto note = ledger::ParseNote(text + "\n" + r.body);
  ASSERT_TRUE(note.has_value()) << note.error();
  ASSERT_EQ(note->signatures.size(), 1u);
  EXPECT_EQ(ledger::VerifyCosignature(text, note->signatures[0], witness_key_.verifier()).value(),
            kNow);
  auto latest = store_->Latest(kOrigin);
  ASSERT_TRUE(latest.has_value() && latest->has_value());
  EXPECT_EQ((*latest)->note, cp);  // the full signed note, as evidence
  EXPECT_EQ((*latest)->size, 7u);
  EXPECT_EQ((*latest)->root, honest_.Root(7));
}

TEST_F(WitnessTest, ConsistentGrowthIsCosignedStepByStep) {
  ASSERT_EQ(Grow(honest_, 0, 3).status, 200);
  ASSERT_EQ(Grow(honest_, 3, 17).status, 200);
  ASSERT_EQ(Grow(honest_, 17, 17).status, 200);  // same tree again: cosigned again
  ASSERT_EQ(Grow(honest_, 17, 40).status, 200);
  EXPECT_EQ(StoredSize(), 40u);
}

TEST_F(WitnessTest, OldSizeMismatchIs409WithTheStoredSize) {
  ASSERT_EQ(Grow(honest_, 0, 9).status, 200);
  for (uint64_t wrong_old : {uint64_t{0}, uint64_t{8}, uint64_t{10}}) {
    Response r = Grow(honest_, wrong_old, 20);
    EXPECT_EQ(r.status, 409) << wrong_old;
    EXPECT_EQ(r.content_type, kTlogSizeContentType);
    EXPECT_EQ(r.body, "9\n");
    EXPECT_EQ(ParseTlogSizeBody(r.body).value(), 9u);
  }
  EXPECT_EQ(StoredSize(), 9u);
}

TEST_F(WitnessTest, NeverCosignedOriginAnswers409ZeroToANonZeroOldSize) {
  Response r = Grow(honest_, 5, 9);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.body, "0\n");
}

TEST_F(WitnessTest, ForkedCheckpointIs422RefusedAndEvidenceKept) {
  ASSERT_EQ(Grow(honest_, 0, 10).status, 200);
  const std::string honest_cp = store_->Latest(kOrigin).value()->note;
  // The fork's own proof from 10: it does not lead to the honest root at 10.
  const std::string forked = Signed(fork_, 30);
  Response r = Add(10, fork_.ConsistencyProof(10, 30), forked);
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(StoredSize(), 10u);
  auto evidence = store_->Evidence(0, 10);
  ASSERT_TRUE(evidence.has_value());
  ASSERT_EQ(evidence->size(), 1u);
  const std::string& doc = (*evidence)[0].document;
  EXPECT_NE(doc.find("\"kind\":\"witness_refused\""), std::string::npos) << doc;
  // Both signed checkpoints, JSON-escaped ("\n" -> "\\n").
  auto escaped = [](std::string s) {
    std::string out;
    for (char c : s) out += c == '\n' ? std::string("\\n") : std::string(1, c);
    return out;
  };
  EXPECT_NE(doc.find(escaped(honest_cp)), std::string::npos);
  EXPECT_NE(doc.find(escaped(forked)), std::string::npos);
  // The honest log continues as if nothing happened.
  EXPECT_EQ(Grow(honest_, 10, 12).status, 200);
}

TEST_F(WitnessTest, SameSizeOtherRootIs409InV1AndEvidenceKept) {
  ASSERT_EQ(Grow(honest_, 0, 10).status, 200);
  Response r = Add(10, {}, Signed(fork_, 10));
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.content_type, kTlogSizeContentType);
  EXPECT_EQ(r.body, "10\n");
  EXPECT_EQ(store_->Evidence(0, 10)->size(), 1u);
  EXPECT_EQ(store_->Latest(kOrigin).value()->root, honest_.Root(10));
}

TEST_F(WitnessTest, RepeatedRefusalKeepsOneEvidenceDocument) {
  ASSERT_EQ(Grow(honest_, 0, 10).status, 200);
  const std::string forked = Signed(fork_, 30);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(Add(10, fork_.ConsistencyProof(10, 30), forked).status, 422);
  EXPECT_EQ(store_->Evidence(0, 10)->size(), 1u);
}

TEST_F(WitnessTest, RefusalOfTheForkSurvivesRestart) {
  ASSERT_EQ(Grow(honest_, 0, 10).status, 200);
  OpenWitness();  // a restart: state comes from the store
  EXPECT_EQ(Add(10, fork_.ConsistencyProof(10, 30), Signed(fork_, 30)).status, 422);
  EXPECT_EQ(Add(0, {}, Signed(fork_, 30)).status, 409);  // "old 0" cannot reset it either
  EXPECT_EQ(StoredSize(), 10u);
  EXPECT_EQ(Grow(honest_, 10, 25).status, 200);
}

TEST_F(WitnessTest, ProofMutationsAre422) {
  ASSERT_EQ(Grow(honest_, 0, 13).status, 200);
  const std::string cp = Signed(honest_, 29);
  std::vector<proofs::Hash> good = honest_.ConsistencyProof(13, 29);
  ASSERT_GE(good.size(), 2u);
  std::vector<std::vector<proofs::Hash>> bad;
  bad.push_back({});                                   // missing
  bad.push_back({good.begin(), good.end() - 1});       // truncated
  bad.push_back(good), bad.back().push_back(good[0]);  // trailing hash
  bad.push_back(good), bad.back()[0][5] ^= 1;          // bit flip
  bad.push_back(good), std::swap(bad.back()[0], bad.back()[1]);
  for (const auto& proof : bad) EXPECT_EQ(Add(13, proof, cp).status, 422);
  EXPECT_EQ(Add(13, good, cp).status, 200);
}

TEST_F(WitnessTest, NonEmptyProofForOldZeroIs422) {
  EXPECT_EQ(Add(0, {honest_.Root(3)}, Signed(honest_, 5)).status, 422);
  EXPECT_EQ(StoredSize(), std::nullopt);
}

TEST_F(WitnessTest, EmptyTreeMustHaveTheEmptyRoot) {
  ledger::Checkpoint bad{std::string(kOrigin), 0, honest_.Root(3), {}};
  EXPECT_EQ(Add(0, {}, ledger::SignCheckpoint(bad, log_key_).value()).status, 422);
  EXPECT_EQ(Grow(honest_, 0, 0).status, 200);
  EXPECT_EQ(Grow(honest_, 0, 8).status, 200);
}

TEST_F(WitnessTest, UnknownOriginIs404) {
  ledger::SigningKey stranger = MakeKey("stranger.example/log", ledger::KeyType::kEd25519, 9);
  ledger::Checkpoint cp{"stranger.example/log", 3, honest_.Root(3), {}};
  EXPECT_EQ(Add(0, {}, ledger::SignCheckpoint(cp, stranger).value()).status, 404);
}

TEST_F(WitnessTest, SignatureByAnotherKeyWithTheLogsNameIs403) {
  ledger::SigningKey impostor = MakeKey(kOrigin, ledger::KeyType::kEd25519, 7);
  EXPECT_EQ(Add(0, {}, Signed(honest_, 3, impostor)).status, 403);
  // A tampered signature by the right key ID is 403 as well.
  std::string cp = Signed(honest_, 3);
  ledger::Note note = ledger::ParseNote(cp).value();
  note.signatures[0].signature[3] ^= 1;
  EXPECT_EQ(Add(0, {}, ledger::FormatNote(note)).status, 403);
  EXPECT_EQ(StoredSize(), std::nullopt);
}

TEST_F(WitnessTest, OldLargerThanNewIs400) {
  ASSERT_EQ(Grow(honest_, 0, 10).status, 200);
  EXPECT_EQ(Add(10, {}, Signed(honest_, 6)).status, 400);
}

TEST_F(WitnessTest, MalformedBodiesAre400) {
  const std::string cp = Signed(honest_, 3);
  for (const std::string& body : std::vector<std::string>{
           "", "old 0\n" + cp, "old 00\n\n" + cp, "old -1\n\n" + cp, "new 0\n\n" + cp,
           "old 0\nnot-base64\n\n" + cp, "old 0\n\n", "old 0\n\nexample.com/log\n3\n"}) {
    EXPECT_EQ(witness_->AddCheckpoint(body).status, 400) << body;
  }
}

TEST_F(WitnessTest, ConcurrentRequestsNeverRollTheWitnessBack) {
  // Requests from the same old size race; exactly one wins each time, and
  // the stored size is the winner's (tlog-witness's atomicity requirement).
  ASSERT_EQ(Grow(honest_, 0, 4).status, 200);
  uint64_t old_size = 4;
  for (int round = 0; round < 5; ++round) {
    std::vector<uint64_t> targets = {old_size + 1, old_size + 3, old_size + 5, old_size + 7};
    std::vector<int> status(targets.size());
    std::vector<std::thread> threads;
    for (size_t i = 0; i < targets.size(); ++i) {
      threads.emplace_back([&, i] { status[i] = Grow(honest_, old_size, targets[i]).status; });
    }
    for (auto& t : threads) t.join();
    int wins = 0;
    uint64_t winner = 0;
    for (size_t i = 0; i < targets.size(); ++i) {
      if (status[i] == 200)
        ++wins, winner = targets[i];
      else
        EXPECT_EQ(status[i], 409);
    }
    ASSERT_EQ(wins, 1);
    ASSERT_EQ(StoredSize(), winner);
    old_size = winner;
  }
}

TEST(WitnessCreateTest, RefusesWrongKeyTypesAndDuplicateOrigins) {
  ASSERT_TRUE(ledger::InitCrypto().ok());
  ltl::testing::TempDir dir;
  auto store = store::WitnessStore::Open(dir.path()).value();
  auto log = MakeKey(kOrigin, ledger::KeyType::kEd25519, 1);
  auto cosigner = MakeKey("w", ledger::KeyType::kCosignatureV1, 2);
  EXPECT_FALSE(Witness::Create(log, {log.verifier()}, *store).has_value());  // note key
  EXPECT_FALSE(Witness::Create(cosigner, {}, *store).has_value());
  EXPECT_FALSE(Witness::Create(cosigner, {cosigner.verifier()}, *store).has_value());
  auto log2 = MakeKey(kOrigin, ledger::KeyType::kEd25519, 5);
  EXPECT_FALSE(Witness::Create(cosigner, {log.verifier(), log2.verifier()}, *store).has_value());
  EXPECT_TRUE(Witness::Create(cosigner, {log.verifier()}, *store).has_value());
}

TEST(AddCheckpointRequestTest, ParsesTheSpecExample) {
  // The request body of C2SP tlog-witness v1.0.0 ("Example request body").
  const std::string body =
      "old 20852014\n"
      "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n"
      "jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n"
      "5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=\n"
      "/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=\n"
      "\n"
      "example.com/behind-the-sofa\n"
      "20852163\n"
      "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
      "\n"
      "\xe2\x80\x94 example.com/behind-the-sofa "
      "Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/"
      "Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n";
  auto r = ParseAddCheckpointRequest(body);
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(r->old_size, 20852014u);
  ASSERT_EQ(r->proof.size(), 4u);
  EXPECT_EQ(Base64Encode(r->proof[2]), "5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=");
  EXPECT_TRUE(r->checkpoint.starts_with("example.com/behind-the-sofa\n20852163\n"));
  EXPECT_EQ(FormatAddCheckpointRequest(*r), body);
}

TEST(AddCheckpointRequestTest, RejectsNonCanonicalAndOversizedInput) {
  const std::string cp =
      "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n\xe2\x80\x94 o AAAA\n";
  const std::string h = "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n";
  std::string sixty_four = "old 1\n";
  for (int i = 0; i < 64; ++i) sixty_four += h;
  std::string sixty_three = "old 1\n";
  for (int i = 0; i < 63; ++i) sixty_three += h;
  EXPECT_TRUE(ParseAddCheckpointRequest(sixty_three + "\n" + cp).has_value());
  for (const std::string& bad : std::vector<std::string>{
           sixty_four + "\n" + cp,                                          // 64 proof lines
           "old 01\n\n" + cp,                                               // leading zero
           "old  1\n\n" + cp,                                               // two spaces
           "old 1\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw\n\n" + cp,   // no padding
           "old 1\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkax=\n\n" + cp,  // non-canonical
           "old 1\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpk==\n\n" + cp,   // 31 bytes
           "old 1\r\n\n" + cp,                                              // CR
           std::string("old 1\n\n"),                                        // no checkpoint
           std::string("old 1"),                                            // no newline
       }) {
    EXPECT_FALSE(ParseAddCheckpointRequest(bad).has_value()) << bad.substr(0, 60);
  }
}

TEST(TlogSizeBodyTest, IsStrict) {
  EXPECT_EQ(ParseTlogSizeBody("0\n").value(), 0u);
  EXPECT_EQ(ParseTlogSizeBody("123\n").value(), 123u);
  for (std::string_view bad : {"", "12", "012\n", "12\n\n", " 12\n", "x\n"}) {
    EXPECT_FALSE(ParseTlogSizeBody(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace ltl::node
