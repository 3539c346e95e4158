// store::WitnessStore (ledger/store/witness_store.h): the atomic advance, the
// evidence log, persistence, the folder lock, and the cosigner key files.
#include "ledger/store/witness_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "proofs/hash.h"
#include "tests/testing/testing.h"

namespace ltl::store {
namespace {

CheckpointRecord Record(std::string origin, uint64_t size) {
  return {std::move(origin), size, proofs::Sha256("root-" + std::to_string(size)),
          "note of size " + std::to_string(size) + "\n"};
}

Status AcceptAll(const std::optional<CheckpointRecord>&) { return Status::Ok(); }

TEST(WitnessStoreTest, AdvanceStoresAndSurvivesReopen) {
  ltl::testing::TempDir dir;
  {
    auto store = WitnessStore::Open(dir.path() / "w").value();
    EXPECT_EQ(store->Latest("a.example/log").value(), std::nullopt);
    ASSERT_TRUE(store->Advance(Record("a.example/log", 5), AcceptAll).ok());
    ASSERT_TRUE(store->Advance(Record("b.example/log", 2), AcceptAll).ok());
    ASSERT_TRUE(store->Advance(Record("a.example/log", 9), AcceptAll).ok());
  }
  auto store = WitnessStore::Open(dir.path() / "w").value();
  EXPECT_EQ(store->Latest("a.example/log").value(), Record("a.example/log", 9));
  auto all = store->AllLatest().value();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0], Record("a.example/log", 9));
  EXPECT_EQ(all[1], Record("b.example/log", 2));
}

TEST(WitnessStoreTest, DecideSeesTheStoredRecordAndARefusalChangesNothing) {
  ltl::testing::TempDir dir;
  auto store = WitnessStore::Open(dir.path()).value();
  ASSERT_TRUE(store->Advance(Record("o", 5), AcceptAll).ok());
  std::optional<CheckpointRecord> seen;
  Status s = store->Advance(Record("o", 3), [&](const std::optional<CheckpointRecord>& current) {
    seen = current;
    return Status::FailedPrecondition("would move back");
  });
  EXPECT_EQ(s, Status::FailedPrecondition("would move back"));
  EXPECT_EQ(seen, Record("o", 5));
  EXPECT_EQ(store->Latest("o").value(), Record("o", 5));
}

TEST(WitnessStoreTest, RefusesBadOrigins) {
  ltl::testing::TempDir dir;
  auto store = WitnessStore::Open(dir.path()).value();
  EXPECT_EQ(store->Advance(Record("", 1), AcceptAll).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store->Advance(Record(std::string(256, 'o'), 1), AcceptAll).code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(store->Advance(Record(std::string(255, 'o'), 1), AcceptAll).ok());
}

TEST(WitnessStoreTest, EvidenceIsNumberedInOrderAndPaged) {
  ltl::testing::TempDir dir;
  {
    auto store = WitnessStore::Open(dir.path()).value();
    for (int i = 0; i < 5; ++i) {
      EXPECT_EQ(store->AddEvidence("doc " + std::to_string(i)).value(), static_cast<uint64_t>(i));
    }
    EXPECT_FALSE(store->AddEvidence("").has_value());
  }
  auto store = WitnessStore::Open(dir.path()).value();
  EXPECT_EQ(store->AddEvidence("doc 5").value(), 5u);  // numbering survives a reopen
  auto page = store->Evidence(2, 3).value();
  ASSERT_EQ(page.size(), 3u);
  EXPECT_EQ(page[0], (EvidenceItem{2, "doc 2"}));
  EXPECT_EQ(page[2], (EvidenceItem{4, "doc 4"}));
  EXPECT_EQ(store->Evidence(6, 10).value().size(), 0u);
  EXPECT_EQ(store->Evidence(0, 0).value().size(), 0u);
}

TEST(WitnessStoreTest, GrowsTheMapWhenEvidenceFillsIt) {
  ltl::testing::TempDir dir;
  WitnessStoreOptions small{.initial_map_size = 256 << 10, .max_map_size = 64 << 20};
  auto store = WitnessStore::Open(dir.path(), small).value();
  const std::string big(64 << 10, 'e');
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(store->AddEvidence(big).has_value()) << i;
  EXPECT_EQ(store->Evidence(39, 1).value().at(0).document, big);
}

TEST(WitnessStoreTest, SecondOpenOfTheFolderFails) {
  ltl::testing::TempDir dir;
  auto first = WitnessStore::Open(dir.path()).value();
  auto second = WitnessStore::Open(dir.path());
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code(), StatusCode::kFailedPrecondition);
}

TEST(CosignerKeyTest, CreateWritesAPrivateFileAndReadGivesTheSameKey) {
  ASSERT_TRUE(ledger::InitCrypto().ok());
  ltl::testing::TempDir dir;
  auto made = CreateCosignerKey(dir.path() / "w", kWitnessKeyFile, "witness.example/w1");
  ASSERT_TRUE(made.has_value()) << made.error();
  EXPECT_EQ(made->verifier().type(), ledger::KeyType::kCosignatureV1);
  struct stat st;
  ASSERT_EQ(::stat((dir.path() / "w" / kWitnessKeyFile).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto read = ReadCosignerKey(dir.path() / "w", kWitnessKeyFile);
  ASSERT_TRUE(read.has_value()) << read.error();
  EXPECT_EQ(read->verifier(), made->verifier());
  // Never overwritten.
  EXPECT_EQ(CreateCosignerKey(dir.path() / "w", kWitnessKeyFile, "x").error().code(),
            StatusCode::kAlreadyExists);
}

TEST(CosignerKeyTest, ReadRefusesOpenModesAndNoteKeys) {
  ASSERT_TRUE(ledger::InitCrypto().ok());
  ltl::testing::TempDir dir;
  ASSERT_TRUE(CreateCosignerKey(dir.path(), kMirrorKeyFile, "m").has_value());
  ::chmod((dir.path() / kMirrorKeyFile).c_str(), 0644);
  EXPECT_EQ(ReadCosignerKey(dir.path(), kMirrorKeyFile).error().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReadCosignerKey(dir.path(), "absent.key").error().code(), StatusCode::kNotFound);
  auto note_key = ledger::SigningKey::Generate("log.example").value();
  { std::ofstream(dir.path() / "note.key") << note_key.PrivateKeyString() << "\n"; }
  ::chmod((dir.path() / "note.key").c_str(), 0600);
  EXPECT_EQ(ReadCosignerKey(dir.path(), "note.key").error().code(),
            StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace ltl::store
