// Corrupted storage is reported, never served: a byte flipped (through raw
// LMDB, with the log closed) in a sealed bundle, a tail entry, a leaf hash, an
// upper-level tile hash, a stored checkpoint or the tree state is found by
// fsck and makes the reads that depend on it answer DataLoss.
#include <gtest/gtest.h>

#include <functional>
#include <future>
#include <memory>

#include "ledger/store/fsck.h"
#include "ledger/store/log.h"
#include "proofs/tiles.h"
#include "tests/store/store_testing.h"
#include "tests/testing/testing.h"

namespace ltl::store {
namespace {

using testing::RawLmdb;
using testing::U64Key;

constexpr uint64_t kEntries = 600;  // bundles 0 and 1 sealed, 88 entries in the tail

class StoreCorruption : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::InitTestLog(tmp_.path());
    auto log = Log::Open(dir_, testing::AcceptAll(),
                         LogOptions{.max_batch_entries = 100,
                                    .max_batch_delay = std::chrono::milliseconds(1)})
                   .value();
    for (uint64_t i = 0; i < kEntries; i += 100) {
      std::vector<std::future<Result<Receipt>>> acks;
      for (uint64_t j = i; j < i + 100; ++j) {
        auto p = std::make_shared<std::promise<Result<Receipt>>>();
        acks.push_back(p->get_future());
        log->Submit(testing::PlainEntry(j), [p](Result<Receipt> r) { p->set_value(r); });
      }
      for (auto& a : acks) ASSERT_TRUE(a.get().has_value());
    }
    log.reset();
    auto report = Fsck(dir_);
    ASSERT_TRUE(report.has_value()) << report.error();
    ASSERT_TRUE(report->ok()) << report->problem;
  }

  void Corrupt(const char* db, std::string_view key, const std::function<void(std::string&)>& edit,
               std::string_view dup_prefix = {}) {
    RawLmdb raw(dir_);
    raw.Edit(db, key, edit, dup_prefix);
  }

  // Fsck's verdict on the corrupted folder.
  Status FsckProblem() {
    auto report = Fsck(dir_);
    EXPECT_TRUE(report.has_value()) << report.error();
    return report.has_value() ? report->problem : report.error();
  }

  std::unique_ptr<Log> Open() { return Log::Open(dir_, testing::AcceptAll()).value(); }

  ::ltl::testing::TempDir tmp_;
  std::filesystem::path dir_;
};

void FlipLastByteOfEntry(std::string& bundle, size_t position) {
  size_t at = 0;
  for (size_t i = 0; i < position; ++i) at += 2 + GetBigEndian16(AsBytes(bundle).data() + at);
  const size_t len = GetBigEndian16(AsBytes(bundle).data() + at);
  bundle[at + 2 + len - 1] ^= 0x01;
}

#define EXPECT_DATA_LOSS(expr)                                                   \
  do {                                                                           \
    auto result_ = (expr);                                                       \
    ASSERT_FALSE(result_.has_value()) << #expr << " served corrupt data";        \
    EXPECT_EQ(result_.error().code(), StatusCode::kDataLoss) << result_.error(); \
  } while (0)

TEST_F(StoreCorruption, AFlippedByteInASealedBundleIsReportedByFsckAndByEntryReads) {
  Corrupt("bundles", U64Key(1), [](std::string& v) { FlipLastByteOfEntry(v, 10); });
  const Status problem = FsckProblem();
  EXPECT_EQ(problem.code(), StatusCode::kDataLoss);
  EXPECT_NE(problem.message().find("entry 266"), std::string::npos) << problem;
  auto log = Open();
  EXPECT_DATA_LOSS(log->reader().Entry(266));
  EXPECT_DATA_LOSS(log->reader().EntryBundle(1, 256));
  EXPECT_DATA_LOSS(log->reader().EntryBundle(1, 11));
  EXPECT_TRUE(log->reader().EntryBundle(1, 10).has_value());  // the intact prefix
  EXPECT_TRUE(log->reader().Entry(265).has_value());
}

TEST_F(StoreCorruption, AFlippedByteInATailEntryIsReportedByFsckAndByEntryReads) {
  Corrupt("entries", U64Key(550), [](std::string& v) { v[0] ^= 0x20; });
  EXPECT_EQ(FsckProblem().code(), StatusCode::kDataLoss);
  auto log = Open();
  EXPECT_DATA_LOSS(log->reader().Entry(550));
  EXPECT_DATA_LOSS(log->reader().EntryBundle(2, 88));
  EXPECT_TRUE(log->reader().Entry(549).has_value());
}

TEST_F(StoreCorruption, AFlippedLeafHashIsReportedByFsckEntryTileAndProofReads) {
  Corrupt(
      "tiles", U64Key(0), [](std::string& v) { v[8 + 7] ^= 0x80; }, U64Key(10));
  const Status problem = FsckProblem();
  EXPECT_EQ(problem.code(), StatusCode::kDataLoss);
  EXPECT_NE(problem.message().find("tile level 0 hash 10"), std::string::npos) << problem;
  auto log = Open();
  const LogReader& reader = log->reader();
  EXPECT_DATA_LOSS(reader.Entry(10));
  EXPECT_DATA_LOSS(reader.Tile(0, 0, 256));
  EXPECT_DATA_LOSS(reader.InclusionProof(10, kEntries));
  EXPECT_DATA_LOSS(reader.InclusionProof(11, kEntries));
  EXPECT_DATA_LOSS(reader.ConsistencyProof(11, kEntries));
  EXPECT_DATA_LOSS(reader.ReceiptFor(10));
  // Reads that do not involve leaf 10 are served.
  EXPECT_TRUE(reader.Tile(0, 1, 256).has_value());
  EXPECT_TRUE(reader.InclusionProof(300, kEntries).has_value());
}

TEST_F(StoreCorruption, AFlippedUpperTileHashIsReportedByFsckAndTileReads) {
  // Tile level 1 holds nodes [8 0] and [8 1]: the roots of level-0 tiles 0, 1.
  Corrupt(
      "tiles", U64Key(1), [](std::string& v) { v[20] ^= 0x04; }, U64Key(1));
  const Status problem = FsckProblem();
  EXPECT_EQ(problem.code(), StatusCode::kDataLoss);
  EXPECT_NE(problem.message().find("tile level 1 hash 1"), std::string::npos) << problem;
  auto log = Open();
  const LogReader& reader = log->reader();
  EXPECT_DATA_LOSS(reader.Tile(0, 1, 256));  // no longer hashes to its parent
  EXPECT_DATA_LOSS(reader.Tile(1, 0, 2));    // no longer hashes to the tree state
  EXPECT_DATA_LOSS(reader.InclusionProof(5, kEntries));
  EXPECT_TRUE(reader.Tile(0, 0, 256).has_value());
}

TEST_F(StoreCorruption, AFlippedByteInAStoredCheckpointIsReportedByFsck) {
  auto log = Open();
  uint64_t size = 300;  // the first checkpointed size from 300 on
  while (!log->reader().CheckpointAt(size).has_value()) ++size;
  log.reset();
  Corrupt("checkpoints", U64Key(size), [](std::string& v) { v[v.size() - 10] ^= 0x01; });
  const Status problem = FsckProblem();
  EXPECT_EQ(problem.code(), StatusCode::kDataLoss);
  EXPECT_NE(problem.message().find("checkpoint at size " + std::to_string(size)), std::string::npos)
      << problem;
}

TEST_F(StoreCorruption, ACorruptTreeStateStopsTheWriterAndIsReportedByFsck) {
  Corrupt("meta", "tree", [](std::string& v) { v[8 + 3] ^= 0x01; });
  EXPECT_EQ(FsckProblem().code(), StatusCode::kDataLoss);
  auto log = Log::Open(dir_, testing::AcceptAll());
  ASSERT_FALSE(log.has_value());
  EXPECT_EQ(log.error().code(), StatusCode::kDataLoss) << log.error();
}

TEST_F(StoreCorruption, ATruncatedTreeStateRecordIsDataLossNotACrash) {
  Corrupt("meta", "tree", [](std::string& v) { v.resize(v.size() - 1); });
  EXPECT_EQ(FsckProblem().code(), StatusCode::kDataLoss);
  EXPECT_EQ(Log::Open(dir_, testing::AcceptAll()).error().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace ltl::store
