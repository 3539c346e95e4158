// Appending in batches of many sizes, cross-checked against the naive RFC 6962
// reference tree (tests/proofs/reference.h) and proofs/ verification: roots,
// every tile and bundle (full and partial, at every checkpointed size),
// inclusion and consistency proofs for every tree size; then reopening the
// folder and continuing through the Log API.
#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <memory>
#include <set>

#include "ledger/checkpoint.h"
#include "ledger/store/fsck.h"
#include "ledger/store/integrator.h"
#include "ledger/store/log_db.h"
#include "ledger/store/log_reader.h"
#include "proofs/consistency.h"
#include "proofs/inclusion.h"
#include "proofs/tiles.h"
#include "tests/proofs/reference.h"
#include "tests/store/store_testing.h"
#include "tests/testing/testing.h"

namespace ltl::store {
namespace {

using proofs::Hash;
using proofs::kTileWidth;
using proofs::NodeId;
using testing::AcceptAll;
using testing::InitTestLog;
using testing::LogKey;
using testing::PlainEntry;

AdmittedEntry Admit(const std::string& leaf) { return AcceptAll()(leaf).value(); }

ledger::Checkpoint OpenWithLogKey(const std::string& note) {
  auto opened = ledger::OpenCheckpoint(note, LogKey().verifier());
  EXPECT_TRUE(opened.has_value()) << opened.error();
  return opened.has_value() ? opened->checkpoint : ledger::Checkpoint{};
}

using proofs::testing::ReferenceTile;

Bytes ReferenceBundle(const std::vector<std::string>& leaves, uint64_t index, uint16_t width) {
  std::vector<std::string_view> views;
  for (uint64_t i = 0; i < width; ++i) views.push_back(leaves[index * kTileWidth + i]);
  return proofs::EncodeEntryBundle(views).value();
}

TEST(StoreAppend, BatchesOfOneToFiveThousandMatchTheReferenceTreeAndSurviveReopen) {
  ::ltl::testing::TempDir tmp;
  const auto dir = InitTestLog(tmp.path());
  const std::vector<size_t> batches = {1,   1,   2,   3,   5,   8,   13,  21, 34,   55, 89,
                                       144, 233, 254, 255, 256, 257, 511, 1,  5000, 600};
  constexpr size_t kAfterReopen = 300;
  size_t first_part = 0;
  for (size_t b : batches) first_part += b;
  const size_t total = first_part + kAfterReopen;

  std::vector<std::string> leaves;
  std::vector<Hash> leaf_hashes;
  for (size_t i = 0; i < total; ++i) {
    leaves.push_back(PlainEntry(i));
    leaf_hashes.push_back(proofs::HashLeaf(leaves.back()));
  }
  proofs::testing::ReferenceTree ref(leaf_hashes);
  std::vector<uint64_t> checkpointed = {0};

  {
    auto db = detail::LogDb::Open(dir, detail::EnvOptions{}, false).value();
    auto integrator = detail::Integrator::Create(*db, LogKey()).value();
    LogReader reader(*db);
    size_t next = 0;
    for (size_t b : batches) {
      std::vector<AdmittedEntry> batch;
      for (size_t i = 0; i < b; ++i) batch.push_back(Admit(leaves[next + i]));
      auto result = integrator->Integrate(batch);
      ASSERT_TRUE(result.has_value()) << result.error();
      for (size_t i = 0; i < b; ++i) {
        EXPECT_EQ(result->entries[i].index, next + i);
        EXPECT_FALSE(result->entries[i].duplicate);
      }
      next += b;
      ASSERT_EQ(result->tree_size, next);
      const ledger::Checkpoint cp = OpenWithLogKey(result->checkpoint);
      EXPECT_EQ(cp.origin, testing::kOrigin);
      EXPECT_EQ(cp.size, next);
      EXPECT_EQ(cp.root, ref.Root(next)) << "root at size " << next;
      EXPECT_EQ(reader.Checkpoint().value(), result->checkpoint);
      checkpointed.push_back(next);
    }
    const uint64_t n = next;

    // Proofs for every tree size up to kEverySize (then every 13th size),
    // against the reference.
    constexpr uint64_t kEverySize = 2500;
    for (uint64_t s = 1; s <= n; s += (s < kEverySize ? 1 : 13)) {
      auto consistency = reader.ConsistencyProof(s, n);
      ASSERT_TRUE(consistency.has_value()) << consistency.error();
      ASSERT_EQ(*consistency, ref.ConsistencyProof(s, n)) << "consistency " << s << " -> " << n;
      EXPECT_TRUE(proofs::VerifyConsistency(s, n, *consistency, ref.Root(s), ref.Root(n)).ok());
      std::set<uint64_t> indexes = {s - 1, (s * 7919) % s};
      for (uint64_t i : indexes) {
        auto inclusion = reader.InclusionProof(i, s);
        ASSERT_TRUE(inclusion.has_value()) << inclusion.error();
        ASSERT_EQ(*inclusion, ref.InclusionProof(i, s)) << "inclusion " << i << " in " << s;
        EXPECT_TRUE(proofs::VerifyInclusion(i, s, leaf_hashes[i], *inclusion, ref.Root(s)).ok());
      }
    }
    // Every tile and bundle as it was at every checkpointed size: partial
    // tiles are prefixes, so all of them are still served.
    for (uint64_t s : checkpointed) {
      for (int level = 0; level < 3; ++level) {
        for (const proofs::TileId& tile : proofs::TilesForTreeSize(s, level)) {
          auto served = reader.Tile(tile.level, tile.index, tile.width);
          ASSERT_TRUE(served.has_value()) << served.error();
          ASSERT_EQ(*served, ReferenceTile(ref, tile)) << proofs::FormatTilePath(tile) << " @" << s;
        }
      }
      for (const proofs::TileId& tile : proofs::TilesForTreeSize(s, 0)) {
        auto bundle = reader.EntryBundle(tile.index, tile.width);
        ASSERT_TRUE(bundle.has_value()) << bundle.error();
        ASSERT_EQ(*bundle, ReferenceBundle(leaves, tile.index, tile.width));
      }
      if (s > 0) {
        EXPECT_EQ(OpenWithLogKey(reader.CheckpointAt(s).value()).root, ref.Root(s));
      }
    }
    for (uint64_t i = 0; i < n; ++i) ASSERT_EQ(reader.Entry(i).value(), leaves[i]);

    // Beyond the tree.
    const uint16_t width0 = proofs::PartialTileWidth(n, 0);
    EXPECT_EQ(reader.Tile(0, n / kTileWidth, width0 + 1).error().code(), StatusCode::kNotFound);
    EXPECT_EQ(reader.Tile(0, n / kTileWidth + 1, 1).error().code(), StatusCode::kNotFound);
    EXPECT_EQ(reader.Tile(3, 0, 1).error().code(), StatusCode::kNotFound);
    EXPECT_EQ(reader.EntryBundle(n / kTileWidth, width0 + 1).error().code(), StatusCode::kNotFound);
    EXPECT_EQ(reader.Entry(n).error().code(), StatusCode::kNotFound);
    EXPECT_EQ(reader.InclusionProof(0, n + 1).error().code(), StatusCode::kOutOfRange);
    EXPECT_EQ(reader.ConsistencyProof(1, n + 1).error().code(), StatusCode::kOutOfRange);
    EXPECT_EQ(reader.Tile(0, 0, 0).error().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(reader.CheckpointAt(n - 1).error().code(), StatusCode::kNotFound);
  }

  // Reopen through the public API and continue.
  {
    auto log =
        Log::Open(dir, AcceptAll(), LogOptions{.max_batch_delay = std::chrono::milliseconds(5)})
            .value();
    std::vector<std::future<Result<Receipt>>> acks;
    std::vector<std::shared_ptr<std::promise<Result<Receipt>>>> promises;
    for (size_t i = first_part; i < total; ++i) {
      auto p = std::make_shared<std::promise<Result<Receipt>>>();
      acks.push_back(p->get_future());
      log->Submit(leaves[i], [p](Result<Receipt> r) { p->set_value(std::move(r)); });
    }
    // Concurrent submissions are sequenced in the order admission finishes:
    // the reference for the continued tree follows the acknowledged indexes.
    std::vector<Receipt> receipts;
    std::vector<Hash> actual(leaf_hashes.begin(), leaf_hashes.begin() + first_part);
    actual.resize(total);
    std::set<uint64_t> seen;
    for (size_t k = 0; k < acks.size(); ++k) {
      Result<Receipt> r = acks[k].get();
      ASSERT_TRUE(r.has_value()) << r.error();
      EXPECT_EQ(r->leaf_hash, leaf_hashes[first_part + k]);
      ASSERT_GE(r->index, first_part);
      ASSERT_LT(r->index, total);
      EXPECT_EQ(log->reader().Entry(r->index).value(), leaves[first_part + k]);
      actual[r->index] = r->leaf_hash;
      seen.insert(r->index);
      receipts.push_back(std::move(r).value());
    }
    ASSERT_EQ(seen.size(), kAfterReopen);
    proofs::testing::ReferenceTree continued(actual);
    for (const Receipt& r : receipts) {
      const ledger::Checkpoint cp = OpenWithLogKey(r.checkpoint);
      EXPECT_EQ(cp.root, continued.Root(cp.size));
      EXPECT_EQ(r.inclusion_proof, continued.InclusionProof(r.index, cp.size));
      EXPECT_TRUE(
          proofs::VerifyInclusion(r.index, cp.size, r.leaf_hash, r.inclusion_proof, cp.root).ok());
    }
    const ledger::Checkpoint latest = OpenWithLogKey(log->reader().Checkpoint().value());
    EXPECT_EQ(latest.size, total);
    EXPECT_EQ(latest.root, continued.Root(total));
    EXPECT_TRUE(log->Health().ok());
  }
  auto report = Fsck(dir);
  ASSERT_TRUE(report.has_value()) << report.error();
  EXPECT_TRUE(report->ok()) << report->problem;
  EXPECT_EQ(report->entries_checked, total);
  EXPECT_EQ(report->bundles_checked, total / kTileWidth);
  EXPECT_GE(report->checkpoints_checked, batches.size() + 2);
}

TEST(StoreAppend, DuplicatesWithinABatchAndOfLoggedEntriesAreNotAppendedAgain) {
  ::ltl::testing::TempDir tmp;
  const auto dir = InitTestLog(tmp.path());
  auto db = detail::LogDb::Open(dir, detail::EnvOptions{}, false).value();
  auto integrator = detail::Integrator::Create(*db, LogKey()).value();
  std::vector<AdmittedEntry> first = {Admit("a\n"), Admit("b\n"), Admit("a\n")};
  auto r1 = integrator->Integrate(first).value();
  EXPECT_EQ(r1.tree_size, 2u);
  EXPECT_EQ(r1.entries[0].index, 0u);
  EXPECT_EQ(r1.entries[1].index, 1u);
  EXPECT_EQ(r1.entries[2].index, 0u);
  EXPECT_TRUE(r1.entries[2].duplicate);

  std::vector<AdmittedEntry> second = {Admit("b\n"), Admit("c\n")};
  auto r2 = integrator->Integrate(second).value();
  EXPECT_EQ(r2.tree_size, 3u);
  EXPECT_TRUE(r2.entries[0].duplicate);
  EXPECT_EQ(r2.entries[0].index, 1u);
  EXPECT_EQ(r2.entries[1].index, 2u);

  // A batch of only duplicates signs nothing new.
  std::vector<AdmittedEntry> third = {Admit("c\n")};
  auto r3 = integrator->Integrate(third).value();
  EXPECT_EQ(r3.tree_size, 3u);
  EXPECT_TRUE(r3.checkpoint.empty());
  LogReader reader(*db);
  EXPECT_EQ(ledger::ParseCheckpointText(ledger::ParseNote(reader.Checkpoint().value())->text)->size,
            3u);
}

// The compare-and-swap: a writer whose view of the tree is stale must not
// sign, even though the batch itself is fine.
TEST(StoreCheckpointCas, AWriterRefusesToSignWhenTheStoredTreeIsNotTheOneItLastSigned) {
  ::ltl::testing::TempDir tmp;
  const auto dir = InitTestLog(tmp.path());
  auto db = detail::LogDb::Open(dir, detail::EnvOptions{}, false).value();
  auto writer_a = detail::Integrator::Create(*db, LogKey()).value();
  auto writer_b = detail::Integrator::Create(*db, LogKey()).value();
  std::vector<AdmittedEntry> batch_a = {Admit("from a\n")};
  std::vector<AdmittedEntry> batch_b = {Admit("from b\n")};
  ASSERT_TRUE(writer_a->Integrate(batch_a).has_value());
  auto refused = writer_b->Integrate(batch_b);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), StatusCode::kFailedPrecondition) << refused.error();
  LogReader reader(*db);
  EXPECT_EQ(reader.TreeSize().value(), 1u);
  EXPECT_EQ(reader.Entry(0).value(), "from a\n");
  EXPECT_EQ(reader.CheckpointAt(1).value(), reader.Checkpoint().value());
  // Writer A still extends its own tree.
  ASSERT_TRUE(writer_a->Integrate(batch_b).has_value());
  db.reset();
  EXPECT_TRUE(Fsck(dir)->ok());
}

TEST(StoreCheckpointCas, ATreeStateThatDisagreesWithTheLatestCheckpointIsNeverExtended) {
  ::ltl::testing::TempDir tmp;
  const auto dir = InitTestLog(tmp.path());
  {
    auto log = Log::Open(dir, AcceptAll()).value();
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(log->SubmitAndWait(PlainEntry(i)).has_value());
  }
  {
    // Replace the tree state by the state of another tree of the same size.
    proofs::CompactRange other(0);
    for (int i = 0; i < 5; ++i) other.Append(proofs::HashLeaf("other " + std::to_string(i)));
    const Bytes forged = detail::EncodeTreeState(other);
    testing::RawLmdb raw(dir);
    raw.Edit("meta", "tree", [&](std::string& v) { v.assign(forged.begin(), forged.end()); });
  }
  auto log = Log::Open(dir, AcceptAll());
  ASSERT_FALSE(log.has_value());
  EXPECT_EQ(log.error().code(), StatusCode::kDataLoss) << log.error();
  auto report = Fsck(dir).value();
  EXPECT_EQ(report.problem.code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace ltl::store
