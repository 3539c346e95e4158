// CosignedLog (node/cosigning.h): K-of-N publication, the witness size
// discovery through 409, bad answers dropped, stalls that lose nothing,
// persistence of the published checkpoint, and POST /add?wait=witnessed.
// The witnesses are real node::Witness objects behind an in-memory Fetcher.
#include "node/cosigning.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <map>
#include <mutex>

#include "client/policy.h"
#include "ledger/checkpoint.h"
#include "ledger/note.h"
#include "node/witness.h"
#include "tests/proofs/reference.h"
#include "tests/testing/testing.h"

namespace ltl::node {
namespace {

using proofs::testing::MakeLeafHashes;
using proofs::testing::ReferenceTree;

constexpr std::string_view kOrigin = "example.com/cosigned";

Receipt ReceiptAt(uint64_t index) {
  Receipt r;
  r.index = index;
  return r;
}

ledger::SigningKey Key(std::string_view name, ledger::KeyType type, uint8_t seed) {
  return ledger::SigningKey::FromSeed(name, Bytes(32, seed), type).value();
}

// A log over a reference tree whose size the test sets.
class TreeLog final : public LogBackend {
 public:
  explicit TreeLog(const ledger::SigningKey& key) : key_(key), tree_(MakeLeafHashes(600)) {}
  void SetSize(uint64_t size) {
    std::lock_guard<std::mutex> lock(mu_);
    size_ = size;
  }
  Result<std::string> Checkpoint() override {
    std::lock_guard<std::mutex> lock(mu_);
    return ledger::SignCheckpoint({std::string(kOrigin), size_, tree_.Root(size_), {}}, key_);
  }
  Result<std::vector<proofs::Hash>> ConsistencyProof(uint64_t from, uint64_t to) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++consistency_calls;
    return tree_.ConsistencyProof(from, to);
  }
  Result<std::vector<proofs::Hash>> InclusionProof(uint64_t index, uint64_t size) override {
    std::lock_guard<std::mutex> lock(mu_);
    return tree_.InclusionProof(index, size);
  }
  proofs::Hash Root(uint64_t size) {
    std::lock_guard<std::mutex> lock(mu_);
    return tree_.Root(size);
  }
  Result<Bytes> Tile(uint8_t, uint64_t, uint16_t) override { return Status::NotFound("-"); }
  Result<Bytes> EntryBundle(uint64_t, uint16_t) override { return Status::NotFound("-"); }
  Result<std::string> Entry(uint64_t) override { return Status::NotFound("-"); }
  Result<std::optional<uint64_t>> IndexByEntryRef(const proofs::Hash&) override {
    return std::optional<uint64_t>();
  }
  Result<LookupPage> Lookup(LookupKind, std::string_view, uint64_t, uint32_t) override {
    return LookupPage{};
  }
  void Submit(std::string, SubmitCallback done) override { done(Status::Unavailable("-")); }
  Status Health() override { return Status::Ok(); }
  BackendStats Stats() override { return {}; }

  std::atomic<int> consistency_calls{0};

 private:
  const ledger::SigningKey& key_;
  std::mutex mu_;
  ReferenceTree tree_;
  uint64_t size_ = 0;
};

// One witness reached through a Fetcher; can be "down" or tamper with its
// cosignatures.
struct FakeWitness {
  ltl::testing::TempDir dir;
  std::unique_ptr<store::WitnessStore> store;
  std::unique_ptr<Witness> witness;
  ledger::VerifierKey key;
  std::atomic<bool> down{false};
  std::atomic<bool> tamper{false};
  std::atomic<int> requests{0};
};

class WitnessFetcher final : public client::Fetcher {
 public:
  explicit WitnessFetcher(FakeWitness& w) : w_(w) {}
  Result<client::HttpResponse> Get(std::string_view) override {
    return Status::InvalidArgument("-");
  }
  Result<client::HttpResponse> Post(std::string_view path, std::string_view,
                                    std::string_view body) override {
    ++w_.requests;
    if (w_.down) return Status::Unavailable("connection refused");
    EXPECT_EQ(path, "/add-checkpoint");
    Response r = w_.witness->AddCheckpoint(body);
    if (w_.tamper && r.status == 200) r.body[r.body.size() - 6] ^= 0x01;
    return client::HttpResponse{r.status, r.content_type, std::nullopt, r.body};
  }

 private:
  FakeWitness& w_;
};

class CosigningTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ledger::InitCrypto().ok());
    for (int i = 0; i < 3; ++i) {
      auto w = std::make_unique<FakeWitness>();
      w->store = store::WitnessStore::Open(w->dir.path()).value();
      ledger::SigningKey k =
          Key("w" + std::to_string(i) + ".example", ledger::KeyType::kCosignatureV1, 10 + i);
      w->key = k.verifier();
      w->witness = Witness::Create(k, {log_key_.verifier()}, *w->store).value();
      witnesses_.push_back(std::move(w));
    }
    network_ = store::WitnessStore::Open(dir_.path() / "network").value();
  }

  std::unique_ptr<CosignedLog> Start(size_t quorum, std::chrono::milliseconds wait = {}) {
    CosigningOptions o;
    for (size_t i = 0; i < witnesses_.size(); ++i) {
      o.witnesses.push_back({"http://w" + std::to_string(i), witnesses_[i]->key});
    }
    o.quorum = quorum;
    o.background = false;
    if (wait.count() > 0) {
      o.background = true;  // the thread expires waits
      o.interval = std::chrono::hours(1);
    }
    o.wait_witnessed_timeout = wait.count() > 0 ? wait : std::chrono::milliseconds(30000);
    o.log = [this](std::string_view line) {
      std::lock_guard<std::mutex> lock(log_mu_);
      log_lines_.emplace_back(line);
    };
    o.connect = [this](const std::string& url,
                       std::chrono::milliseconds) -> Result<std::unique_ptr<client::Fetcher>> {
      const size_t i = static_cast<size_t>(url.back() - '0');
      return std::unique_ptr<client::Fetcher>(new WitnessFetcher(*witnesses_[i]));
    };
    auto started = CosignedLog::Start(log_, *network_, std::move(o));
    EXPECT_TRUE(started.has_value()) << started.error();
    return started ? std::move(*started) : nullptr;
  }

  // The published checkpoint verified under a K-of-3 policy.
  std::optional<ledger::SignedCheckpoint> Published(CosignedLog& c, size_t quorum) {
    Result<std::string> wire = c.Checkpoint();
    if (!wire) return std::nullopt;
    std::vector<ledger::VerifierKey> keys;
    for (auto& w : witnesses_) keys.push_back(w->key);
    auto policy = client::VerificationPolicy::Create(log_key_.verifier(), keys, quorum).value();
    auto v = client::VerifyCheckpoint(policy, *wire);
    EXPECT_TRUE(v.has_value()) << v.error().ToString();
    if (!v) return std::nullopt;
    return std::move(v).value();
  }

  std::string Metrics(CosignedLog& c) {
    std::string out;
    c.AppendMetrics(out);
    return out;
  }

  ltl::testing::TempDir dir_;
  ledger::SigningKey log_key_ = Key(kOrigin, ledger::KeyType::kEd25519, 1);
  TreeLog log_{log_key_};
  std::vector<std::unique_ptr<FakeWitness>> witnesses_;
  std::unique_ptr<store::WitnessStore> network_;
  std::mutex log_mu_;
  std::vector<std::string> log_lines_;
};

TEST_F(CosigningTest, NothingIsPublishedBeforeTheQuorumCosigned) {
  auto c = Start(2);
  EXPECT_EQ(c->Checkpoint().error().code(), StatusCode::kUnavailable);
  log_.SetSize(5);
  ASSERT_TRUE(c->RunRound().ok());
  auto cp = Published(*c, 3);
  ASSERT_TRUE(cp.has_value());
  EXPECT_EQ(cp->checkpoint.size, 5u);
  EXPECT_EQ(cp->verified_by.size(), 3u);
}

TEST_F(CosigningTest, WitnessSizesAreLearntFrom409AndProvedFromThere) {
  // The witnesses already cosigned size 40 (say, before this node lost its
  // network store); the log starts knowing nothing about them.
  log_.SetSize(40);
  for (auto& w : witnesses_) {
    auto cp = log_.Checkpoint().value();
    ASSERT_EQ(w->witness->AddCheckpoint("old 0\n\n" + cp).status, 200);
  }
  auto c = Start(3);
  log_.SetSize(300);
  ASSERT_TRUE(c->RunRound().ok());
  EXPECT_EQ(Published(*c, 3)->checkpoint.size, 300u);
  EXPECT_EQ(witnesses_[0]->requests, 2) << "old 0 -> 409 '40' -> old 40 with a proof";
  EXPECT_EQ(log_.consistency_calls, 3);
  // Next round: sizes are known, one request each.
  log_.SetSize(301);
  ASSERT_TRUE(c->RunRound().ok());
  EXPECT_EQ(witnesses_[0]->requests, 3);
}

TEST_F(CosigningTest, OneWitnessDownStillMeetsTwoOfThree) {
  auto c = Start(2);
  witnesses_[1]->down = true;
  log_.SetSize(9);
  ASSERT_TRUE(c->RunRound().ok());
  auto cp = Published(*c, 2);
  ASSERT_TRUE(cp.has_value());
  EXPECT_EQ(cp->verified_by.size(), 2u);
  EXPECT_NE(
      Metrics(*c).find("ltl_witness_requests_total{witness=\"w1.example\",result=\"failed\"} 1"),
      std::string::npos)
      << Metrics(*c);
}

TEST_F(CosigningTest, ABadCosignatureIsDroppedAndDoesNotCount) {
  auto c = Start(3);
  witnesses_[2]->tamper = true;
  log_.SetSize(4);
  EXPECT_EQ(c->RunRound().code(), StatusCode::kUnavailable);
  EXPECT_EQ(c->Checkpoint().error().code(), StatusCode::kUnavailable);
  witnesses_[2]->tamper = false;
  ASSERT_TRUE(c->RunRound().ok());
  EXPECT_EQ(Published(*c, 3)->verified_by.size(), 3u);
}

TEST_F(CosigningTest, StallKeepsTheLastPublishedAndResumesWithTheNewestTree) {
  auto c = Start(2);
  log_.SetSize(10);
  ASSERT_TRUE(c->RunRound().ok());
  for (auto& w : witnesses_) w->down = true;
  log_.SetSize(25);
  EXPECT_EQ(c->RunRound().code(), StatusCode::kUnavailable);
  EXPECT_EQ(Published(*c, 2)->checkpoint.size, 10u);
  const std::string stalled = Metrics(*c);
  EXPECT_NE(stalled.find("ltl_publication_stalled 1"), std::string::npos);
  EXPECT_NE(stalled.find("ltl_publication_lag_entries 15"), std::string::npos);
  {
    std::lock_guard<std::mutex> lock(log_mu_);
    ASSERT_FALSE(log_lines_.empty());
    bool said = false;
    for (const std::string& l : log_lines_) said |= l.find("publication stalled") != l.npos;
    EXPECT_TRUE(said);
  }
  for (auto& w : witnesses_) w->down = false;
  log_.SetSize(31);
  ASSERT_TRUE(c->RunRound().ok());
  EXPECT_EQ(Published(*c, 2)->checkpoint.size, 31u);
  EXPECT_NE(Metrics(*c).find("ltl_publication_stalled 0"), std::string::npos);
}

TEST_F(CosigningTest, PublishedCheckpointSurvivesRestartBeforeAnyRound) {
  {
    auto c = Start(2);
    log_.SetSize(12);
    ASSERT_TRUE(c->RunRound().ok());
  }
  for (auto& w : witnesses_) w->down = true;
  log_.SetSize(20);
  auto c = Start(2);
  EXPECT_EQ(Published(*c, 2)->checkpoint.size, 12u);
}

TEST_F(CosigningTest, WaitWitnessedAnswersWithTheFirstCoveringPublishedCheckpoint) {
  auto c = Start(2);
  log_.SetSize(3);
  ASSERT_TRUE(c->RunRound().ok());
  // Entry 5 is not covered by size 3: the answer waits for a round.
  std::promise<Result<Receipt>> answer;
  c->AwaitWitnessed(ReceiptAt(5), [&](Result<Receipt> r) { answer.set_value(r); });
  auto future = answer.get_future();
  EXPECT_EQ(future.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);
  log_.SetSize(8);
  ASSERT_TRUE(c->RunRound().ok());
  Result<Receipt> r = future.get();
  ASSERT_TRUE(r.has_value()) << r.error();
  auto cp = ledger::OpenCheckpoint(r->checkpoint, log_key_.verifier());
  ASSERT_TRUE(cp.has_value());
  EXPECT_EQ(cp->checkpoint.size, 8u);
  EXPECT_EQ(r->inclusion_proof.size(), log_.InclusionProof(5, 8)->size());
  // Entry 2 is covered already: answered at once.
  std::optional<Result<Receipt>> immediate;
  c->AwaitWitnessed(ReceiptAt(2), [&](Result<Receipt> x) { immediate = x; });
  ASSERT_TRUE(immediate.has_value());
  EXPECT_TRUE(immediate->has_value());
}

TEST_F(CosigningTest, WaitWitnessedGivesUpAfterItsBound) {
  auto c = Start(2, std::chrono::milliseconds(100));
  std::promise<Result<Receipt>> answer;
  c->AwaitWitnessed(ReceiptAt(0), [&](Result<Receipt> r) { answer.set_value(r); });
  Result<Receipt> r = answer.get_future().get();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), StatusCode::kUnavailable);
}

TEST_F(CosigningTest, ShutdownAnswersPendingWaits) {
  auto c = Start(2);
  std::optional<Result<Receipt>> answer;
  c->AwaitWitnessed(ReceiptAt(7), [&](Result<Receipt> r) { answer = r; });
  c.reset();
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->error().code(), StatusCode::kUnavailable);
}

TEST_F(CosigningTest, StartRefusesBadQuorums) {
  CosigningOptions o;
  o.background = false;
  EXPECT_FALSE(CosignedLog::Start(log_, *network_, o).has_value());  // no witnesses
  o.witnesses.push_back({"http://w0", witnesses_[0]->key});
  o.quorum = 2;
  EXPECT_FALSE(CosignedLog::Start(log_, *network_, o).has_value());
  o.quorum = 0;
  EXPECT_FALSE(CosignedLog::Start(log_, *network_, o).has_value());
}

}  // namespace
}  // namespace ltl::node
