// The Log API: admission before sequencing, deduplication, overload, map
// growth, secondary indexes, and the data folder's rules (init, key file,
// one process per folder).
#include "ledger/store/log.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <condition_variable>
#include <fstream>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "base/process_memory.h"
#include "ledger/checkpoint.h"
#include "ledger/store/fsck.h"
#include "ledger/store/init_log.h"
#include "ledger/store/lmdb_env.h"
#include "ledger/store/log_db.h"
#include "proofs/inclusion.h"
#include "tests/store/store_testing.h"
#include "tests/testing/testing.h"

namespace ltl::store {
namespace {

using testing::AcceptAll;
using testing::InitTestLog;
using testing::LogKey;
using testing::MakeEntry;
using testing::NoteAdmission;
using testing::PlainEntry;

const LogOptions kFast{.max_batch_delay = std::chrono::milliseconds(2)};

void ExpectValidReceipt(const Receipt& r) {
  auto cp = ledger::OpenCheckpoint(r.checkpoint, LogKey().verifier());
  ASSERT_TRUE(cp.has_value()) << cp.error();
  EXPECT_TRUE(proofs::VerifyInclusion(r.index, cp->checkpoint.size, r.leaf_hash, r.inclusion_proof,
                                      cp->checkpoint.root)
                  .ok());
}

TEST(StoreInit, CreatesAKeyFileReadableOnlyByItsOwnerAndASignedEmptyCheckpoint) {
  ::ltl::testing::TempDir tmp;
  const auto dir = tmp.path() / "new" / "log";
  auto init = InitLog(dir, "log.example/one");
  ASSERT_TRUE(init.has_value()) << init.error();
  struct stat st;
  ASSERT_EQ(::stat((dir / kLogKeyFile).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto vkey = ledger::VerifierKey::Parse(init->verifier_key);
  ASSERT_TRUE(vkey.has_value());
  EXPECT_EQ(vkey->name(), "log.example/one");
  auto cp = ledger::OpenCheckpoint(init->checkpoint, *vkey);
  ASSERT_TRUE(cp.has_value()) << cp.error();
  EXPECT_EQ(cp->checkpoint.size, 0u);
  EXPECT_EQ(cp->checkpoint.root, proofs::EmptyRoot());
  auto report = Fsck(dir);
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->ok()) << report->problem;
}

TEST(StoreInit, RefusesToOverwriteAnExistingLog) {
  ::ltl::testing::TempDir tmp;
  const auto dir = InitTestLog(tmp.path());
  const std::string key_before = ::ltl::testing::ReadFileOrDie(dir / kLogKeyFile);
  auto again = InitLog(dir, "log.example/other");
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(::ltl::testing::ReadFileOrDie(dir / kLogKeyFile), key_before);
}

TEST(StoreInit, RejectsAnOriginThatIsNotAKeyName) {
  ::ltl::testing::TempDir tmp;
  EXPECT_EQ(InitLog(tmp.path() / "log", "bad+origin").error().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(tmp.path() / "log" / kLogKeyFile));
}

TEST(StoreOpen, ASecondOpenOfTheSameFolderFailsClearly) {
  ::ltl::testing::TempDir tmp;
  const auto dir = InitTestLog(tmp.path());
  auto first = Log::Open(dir, AcceptAll());
  ASSERT_TRUE(first.has_value()) << first.error();
  auto second = Log::Open(dir, AcceptAll());
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(second.error().message().find("in use"), std::string::npos) << second.error();
  EXPECT_EQ(Fsck(dir).error().code(), StatusCode::kFailedPrecondition);
  first->reset();
  EXPECT_TRUE(Log::Open(dir, AcceptAll()).has_value());
}

TEST(StoreOpen, RefusesAKeyFileOfAnotherLogOrReadableByOthers) {
  ::ltl::testing::TempDir tmp;
  const auto dir = InitTestLog(tmp.path());
  const auto key_path = dir / kLogKeyFile;
  const std::string good = ::ltl::testing::ReadFileOrDie(key_path);
  ::chmod(key_path.c_str(), 0644);
  EXPECT_EQ(Log::Open(dir, AcceptAll()).error().code(), StatusCode::kFailedPrecondition);
  ::chmod(key_path.c_str(), 0600);
  {
    std::ofstream out(key_path, std::ios::trunc);
    out << testing::KeyFromByte(testing::kOrigin, 99).PrivateKeyString() << "\n";
  }
  auto wrong = Log::Open(dir, AcceptAll());
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().code(), StatusCode::kFailedPrecondition) << wrong.error();
  EXPECT_EQ(Log::Open(tmp.path() / "absent", AcceptAll()).error().code(), StatusCode::kNotFound);
}

TEST(StoreSubmit, AnAcknowledgedEntryIsReadableWithAVerifyingReceipt) {
  ::ltl::testing::TempDir tmp;
  const auto dir = InitTestLog(tmp.path());
  auto log = Log::Open(dir, NoteAdmission(), kFast).value();
  const std::string entry = MakeEntry(1);
  auto receipt = log->SubmitAndWait(entry);
  ASSERT_TRUE(receipt.has_value()) << receipt.error();
  EXPECT_EQ(receipt->index, 0u);
  EXPECT_EQ(receipt->leaf_hash, proofs::HashLeaf(entry));
  EXPECT_EQ(receipt->entry_ref, proofs::Sha256(ledger::ParseNote(entry)->text));
  ExpectValidReceipt(*receipt);
  EXPECT_EQ(log->reader().Entry(0).value(), entry);
  EXPECT_EQ(log->reader().ReceiptFor(0).value(), *receipt);
  EXPECT_EQ(log->reader().IndexOfLeaf(receipt->leaf_hash, receipt->entry_ref).value(), 0u);
  EXPECT_EQ(log->reader().IndexByEntryRef(receipt->entry_ref).value(), 0u);
  EXPECT_EQ(log->Stats().tree_size, 1u);
}

TEST(StoreSubmit, ResubmittingTheSameBytesReturnsTheOriginalReceipt) {
  ::ltl::testing::TempDir tmp;
  const auto dir = InitTestLog(tmp.path());
  auto log = Log::Open(dir, NoteAdmission(), kFast).value();
  auto first = log->SubmitAndWait(MakeEntry(1)).value();
  ASSERT_TRUE(log->SubmitAndWait(MakeEntry(2)).has_value());
  auto again = log->SubmitAndWait(MakeEntry(1));
  ASSERT_TRUE(again.has_value()) << again.error();
  EXPECT_EQ(*again, first);
  EXPECT_EQ(log->reader().TreeSize().value(), 2u);
  // And after a restart.
  log.reset();
  log = Log::Open(dir, NoteAdmission(), kFast).value();
  EXPECT_EQ(log->SubmitAndWait(MakeEntry(1)).value(), first);
  EXPECT_EQ(log->reader().TreeSize().value(), 2u);
}

TEST(StoreSubmit, ConcurrentSubmissionsOfTheSameBytesAreSequencedOnce) {
  ::ltl::testing::TempDir tmp;
  const auto dir = InitTestLog(tmp.path());
  auto log = Log::Open(dir, NoteAdmission(), LogOptions{.worker_threads = 4}).value();
  const std::string entry = MakeEntry(7);
  std::vector<std::future<Result<Receipt>>> results;
  for (int i = 0; i < 16; ++i) {
    auto p = std::make_shared<std::promise<Result<Receipt>>>();
    results.push_back(p->get_future());
    log->Submit(entry, [p](Result<Receipt> r) { p->set_value(std::move(r)); });
  }
  const Receipt first = results[0].get().value();
  for (size_t i = 1; i < results.size(); ++i) EXPECT_EQ(results[i].get().value(), first);
  EXPECT_EQ(log->reader().TreeSize().value(), 1u);
}

// Submits `count` distinct entries at once; their receipts' futures.
std::vector<std::future<Result<Receipt>>> SubmitMany(Log& log, int first, int count) {
  std::vector<std::future<Result<Receipt>>> acks;
  for (int i = first; i < first + count; ++i) {
    auto p = std::make_shared<std::promise<Result<Receipt>>>();
    acks.push_back(p->get_future());
    log.Submit(PlainEntry(i), [p](Result<Receipt> r) { p->set_value(std::move(r)); });
  }
  return acks;
}

TEST(StoreBatching, ADeepQueueIsCommittedWithoutWaitingForTheBatchDelay) {
  ::ltl::testing::TempDir tmp;
  const auto dir = InitTestLog(tmp.path());
  // A delay no test run reaches: the entries can only be acknowledged
  // because the queue reached eager_batch_entries.
  auto log =
      Log::Open(dir, AcceptAll(),
                LogOptions{.max_batch_delay = std::chrono::minutes(10), .eager_batch_entries = 8})
          .value();
  auto acks = SubmitMany(*log, 0, 8);
  for (auto& f : acks) {
    // Guards against a hang, not a timing claim.
    ASSERT_EQ(f.wait_for(std::chrono::minutes(2)), std::future_status::ready)
        << "eight queued entries still wait for the ten-minute batch delay";
    EXPECT_TRUE(f.get().has_value());
  }
  const LogStats stats = log->Stats();
  EXPECT_EQ(stats.batches, 1u);
  EXPECT_EQ(stats.last_batch_size, 8u);
  EXPECT_EQ(stats.tree_size, 8u);
}

TEST(StoreBatching, AShallowQueueWaitsForTheDelayAndCommitsOneBatch) {
  ::ltl::testing::TempDir tmp;
  const auto dir = InitTestLog(tmp.path());
  auto log =
      Log::Open(dir, AcceptAll(),
                LogOptions{.max_batch_delay = std::chrono::seconds(2), .eager_batch_entries = 64})
          .value();
  auto acks = SubmitMany(*log, 0, 5);
  for (auto& f : acks) EXPECT_TRUE(f.get().has_value());
  const LogStats stats = log->Stats();
  EXPECT_EQ(stats.batches, 1u) << "five entries below the eager depth were committed apart";
  EXPECT_EQ(stats.last_batch_size, 5u);
}

TEST(StoreBatching, BatchesNeverExceedMaxBatchEntriesEvenWhenEagerIsLarger) {
  ::ltl::testing::TempDir tmp;
  const auto dir = InitTestLog(tmp.path());
  auto log = Log::Open(dir, AcceptAll(),
                       LogOptions{.max_batch_entries = 4,
                                  .max_batch_delay = std::chrono::minutes(10),
                                  .eager_batch_entries = 1000})
                 .value();
  auto acks = SubmitMany(*log, 0, 12);
  for (auto& f : acks) {
    ASSERT_EQ(f.wait_for(std::chrono::minutes(2)), std::future_status::ready)
        << "a full batch (max_batch_entries) waited for the batch delay";
    EXPECT_TRUE(f.get().has_value());
  }
  const LogStats stats = log->Stats();
  EXPECT_EQ(stats.tree_size, 12u);
  EXPECT_EQ(stats.batches, 3u);
}

TEST(StoreOpen, RefusesZeroBatchAndQueueLimits) {
  ::ltl::testing::TempDir tmp;
  const auto dir = InitTestLog(tmp.path());
  for (const LogOptions& bad :
       {LogOptions{.max_batch_entries = 0}, LogOptions{.eager_batch_entries = 0},
        LogOptions{.max_queued_entries = 0}}) {
    auto log = Log::Open(dir, AcceptAll(), bad);
    ASSERT_FALSE(log.has_value());
    EXPECT_EQ(log.error().code(), StatusCode::kInvalidArgument) << log.error();
  }
}

TEST(StoreSubmit, AnEntryRefusedByAdmissionLeavesNoTrace) {
  ::ltl::testing::TempDir tmp;
  const auto dir = InitTestLog(tmp.path());
  auto log = Log::Open(dir, NoteAdmission(), kFast).value();
  const std::string forged =
      ledger::SignNote("ltl test entry 1\n", testing::KeyFromByte("mallory.test/ltl", 3)).value();
  auto refused = log->SubmitAndWait(forged);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), StatusCode::kPermissionDenied) << refused.error();
  auto garbage = log->SubmitAndWait("not a note");
  EXPECT_EQ(garbage.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(log->reader().TreeSize().value(), 0u);
  EXPECT_EQ(
      log->reader()
          .IndexOfLeaf(proofs::HashLeaf(forged), proofs::Sha256(ledger::ParseNote(forged)->text))
          .value(),
      std::nullopt);
  EXPECT_EQ(log->Stats().batches, 0u);
  log.reset();
  auto report = Fsck(dir).value();
  EXPECT_TRUE(report.ok()) << report.problem;
  EXPECT_EQ(report.checkpoints_checked, 1u);  // only the empty tree's
}

TEST(StoreSubmit, AnEntryLongerThanABundleAllowsIsRefusedAtOnce) {
  ::ltl::testing::TempDir tmp;
  const auto dir = InitTestLog(tmp.path());
  auto log = Log::Open(dir, AcceptAll(), kFast).value();
  bool answered = false;
  log->Submit(std::string(65536, 'x'), [&](Result<Receipt> r) {
    answered = true;
    EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
  });
  EXPECT_TRUE(answered);  // inside Submit
  EXPECT_TRUE(log->SubmitAndWait(std::string(65535, 'x')).has_value());
}

TEST(StoreSubmit, AFullQueueAnswersResourceExhaustedImmediately) {
  ::ltl::testing::TempDir tmp;
  const auto dir = InitTestLog(tmp.path());
  std::mutex mu;
  std::condition_variable cv;
  bool open_gate = false;
  AdmissionFn gated = [&, inner = AcceptAll()](std::string_view s) {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return open_gate; });
    return inner(s);
  };
  auto log = Log::Open(dir, gated,
                       LogOptions{.max_batch_delay = std::chrono::milliseconds(2),
                                  .max_queued_entries = 3,
                                  .worker_threads = 1})
                 .value();
  std::vector<std::future<Result<Receipt>>> accepted;
  for (int i = 0; i < 3; ++i) {
    auto p = std::make_shared<std::promise<Result<Receipt>>>();
    accepted.push_back(p->get_future());
    log->Submit(PlainEntry(i), [p](Result<Receipt> r) { p->set_value(std::move(r)); });
  }
  bool refused = false;
  log->Submit(PlainEntry(3), [&](Result<Receipt> r) {
    refused = true;
    EXPECT_EQ(r.error().code(), StatusCode::kResourceExhausted);
  });
  EXPECT_TRUE(refused);
  EXPECT_EQ(log->Stats().queued, 3u);
  {
    std::lock_guard<std::mutex> lock(mu);
    open_gate = true;
  }
  cv.notify_all();
  for (auto& f : accepted) EXPECT_TRUE(f.get().has_value());
  EXPECT_EQ(log->reader().TreeSize().value(), 3u);
  EXPECT_TRUE(log->SubmitAndWait(PlainEntry(3)).has_value());
}

TEST(StoreSubmit, TheMapGrowsWhenFullInsteadOfFailing) {
  ::ltl::testing::TempDir tmp;
  const auto dir = InitTestLog(tmp.path());
  constexpr size_t kTinyMap = 256 << 10;
  auto log = Log::Open(dir, AcceptAll(),
                       LogOptions{.max_batch_entries = 512,
                                  .max_batch_delay = std::chrono::milliseconds(5),
                                  .initial_map_size = kTinyMap})
                 .value();
  EXPECT_EQ(log->Stats().map_size, kTinyMap);
  constexpr int kEntries = 3000;
  const std::string pad(400, 'p');
  std::vector<std::future<Result<Receipt>>> acks;
  for (int i = 0; i < kEntries; ++i) {
    auto p = std::make_shared<std::promise<Result<Receipt>>>();
    acks.push_back(p->get_future());
    log->Submit(PlainEntry(i) + pad, [p](Result<Receipt> r) { p->set_value(std::move(r)); });
  }
  for (auto& f : acks) {
    auto r = f.get();
    ASSERT_TRUE(r.has_value()) << r.error();
  }
  const LogStats stats = log->Stats();
  EXPECT_EQ(stats.tree_size, static_cast<uint64_t>(kEntries));
  EXPECT_GE(stats.map_growths, 2u);
  EXPECT_GT(stats.map_size, kTinyMap * 4 - 1);
  EXPECT_TRUE(log->Health().ok());
  log.reset();
  auto report = Fsck(dir).value();
  EXPECT_TRUE(report.ok()) << report.problem;
  EXPECT_EQ(report.entries_checked, static_cast<uint64_t>(kEntries));
}

TEST(StoreSubmit, AFailedBatchFreezesTheWriterButNotTheReaders) {
  ::ltl::testing::TempDir tmp;
  const auto dir = InitTestLog(tmp.path());
  constexpr size_t kCappedMap = 256 << 10;  // cannot grow: every batch fails once full
  auto log = Log::Open(dir, AcceptAll(),
                       LogOptions{.max_batch_delay = std::chrono::milliseconds(1),
                                  .initial_map_size = kCappedMap,
                                  .max_map_size = kCappedMap})
                 .value();
  const std::string pad(1000, 'p');
  uint64_t acknowledged = 0;
  Status failure;
  for (int i = 0; i < 1000 && failure.ok(); ++i) {
    auto r = log->SubmitAndWait(PlainEntry(i) + pad);
    if (r) {
      ++acknowledged;
    } else {
      failure = r.error();
    }
  }
  ASSERT_FALSE(failure.ok()) << "the capped map never filled";
  EXPECT_EQ(failure.code(), StatusCode::kResourceExhausted) << failure;
  EXPECT_EQ(log->Health().code(), StatusCode::kResourceExhausted);
  // Later submissions fail at once with the same error; reads go on.
  bool answered = false;
  log->Submit(PlainEntry(5000), [&](Result<Receipt> r) {
    answered = true;
    EXPECT_EQ(r.error().code(), StatusCode::kResourceExhausted);
  });
  EXPECT_TRUE(answered);
  EXPECT_EQ(log->reader().TreeSize().value(), acknowledged);
  EXPECT_TRUE(log->reader().Entry(acknowledged - 1).has_value());
  log.reset();
  // A restart with room continues from the last durable batch.
  auto reopened = Log::Open(dir, AcceptAll(), kFast).value();
  EXPECT_EQ(reopened->SubmitAndWait(PlainEntry(5001)).value().index, acknowledged);
  reopened.reset();
  EXPECT_TRUE(Fsck(dir)->ok());
}

TEST(StoreLookup, SecondaryIndexesPageThroughEntriesInLogOrder) {
  ::ltl::testing::TempDir tmp;
  const auto dir = InitTestLog(tmp.path());
  auto log = Log::Open(dir, NoteAdmission(), kFast).value();
  std::vector<Receipt> receipts;
  for (int i = 0; i < 7; ++i) {
    std::string extra = "work isrc:AA" + std::to_string(i % 2) + "\n";
    if (i % 3 == 0) extra += "grant g-" + std::to_string(i) + "\n";
    extra += "work isrc:AA" + std::to_string(i % 2) + "\n";  // repeated key: indexed once
    receipts.push_back(log->SubmitAndWait(MakeEntry(i, extra)).value());
  }
  const LogReader& reader = log->reader();
  std::vector<uint64_t> even;
  std::optional<uint64_t> from = 0;
  while (from) {
    auto page = reader.Lookup(IndexKind::kWork, "isrc:AA0", *from, 2).value();
    EXPECT_LE(page.hits.size(), 2u);
    for (const IndexHit& hit : page.hits) {
      even.push_back(hit.index);
      EXPECT_EQ(hit.entry_ref, receipts[hit.index].entry_ref);
    }
    from = page.next;
  }
  EXPECT_EQ(even, (std::vector<uint64_t>{0, 2, 4, 6}));
  EXPECT_EQ(reader.Lookup(IndexKind::kWork, "isrc:AA1", 4, 10).value().hits.size(), 1u);
  EXPECT_EQ(reader.Lookup(IndexKind::kGrant, "g-3", 0, 10).value().hits,
            (std::vector<IndexHit>{{3, receipts[3].entry_ref}}));
  EXPECT_EQ(
      reader.Lookup(IndexKind::kSigner, testing::SubmitterKey().name(), 0, 100).value().hits.size(),
      7u);
  EXPECT_TRUE(reader.Lookup(IndexKind::kWork, "isrc:none", 0, 10).value().hits.empty());
  EXPECT_EQ(reader.Lookup(IndexKind::kWork, "", 0, 10).error().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(reader.Lookup(IndexKind::kWork, "isrc:AA0", 0, 0).error().code(),
            StatusCode::kInvalidArgument);
}

TEST(StoreLookup, EntriesSharingAReferenceAreFoundFromTheEarliest) {
  ::ltl::testing::TempDir tmp;
  const auto dir = InitTestLog(tmp.path());
  const ledger::SigningKey bob = testing::KeyFromByte("bob.ltl.test/ltl", 11);
  auto log =
      Log::Open(dir, NoteAdmission({testing::SubmitterKey().verifier(), bob.verifier()}), kFast)
          .value();
  const std::string offer = MakeEntry(1);
  const std::string agreement = ledger::SignNote(offer, bob).value();  // co-signed, same text
  auto r_offer = log->SubmitAndWait(offer).value();
  auto r_agreement = log->SubmitAndWait(agreement).value();
  EXPECT_NE(r_offer.index, r_agreement.index);
  EXPECT_EQ(r_offer.entry_ref, r_agreement.entry_ref);
  EXPECT_EQ(log->reader().IndexByEntryRef(r_offer.entry_ref).value(), r_offer.index);
  EXPECT_EQ(log->reader().IndexByEntryRef(proofs::Sha256("absent")).value(), std::nullopt);
}

}  // namespace
}  // namespace ltl::store

namespace ltl::store {
namespace {

// Target 6 of docs/performance.md: mapped pages of the data file count in the
// node's resident set until they are released; releasing loses nothing.
TEST(StoreMappedPages, ReleasingDropsPagesReadFromTheResidentSetAndReadsStillAgree) {
  ::ltl::testing::TempDir tmp;
  const auto dir = testing::InitTestLog(tmp.path());
  auto log = Log::Open(dir, testing::AcceptAll(), kFast);
  ASSERT_TRUE(log.has_value()) << log.error();
  constexpr uint64_t kEntries = 4096;
  const auto entry = [](uint64_t i) { return testing::PlainEntry(i) + std::string(2000, 'x'); };
  std::mutex mu;
  std::condition_variable all_done;
  uint64_t answered = 0, failed = 0;
  // Admission runs on several threads: the log index of submission i is its receipt's.
  std::vector<uint64_t> submission_at(kEntries + 1, kEntries);
  for (uint64_t i = 0; i < kEntries; ++i) {
    (*log)->Submit(entry(i), [&, i](Result<Receipt> r) {
      std::lock_guard<std::mutex> lock(mu);
      if (!r) {
        ++failed;
      } else if (r->index < kEntries) {
        submission_at[r->index] = i;
      }
      if (++answered == kEntries) all_done.notify_all();
    });
  }
  {
    std::unique_lock<std::mutex> lock(mu);
    all_done.wait(lock, [&] { return answered == kEntries; });
  }
  ASSERT_EQ(failed, 0u);

  // Read every entry: about 8 MiB of the map becomes resident.
  const auto read_all = [&] {
    for (uint64_t i = 0; i < kEntries; ++i) {
      auto got = (*log)->reader().Entry(i);
      ASSERT_TRUE(got.has_value()) << got.error();
      ASSERT_EQ(*got, entry(submission_at[i])) << i;
    }
  };
  read_all();
  auto before = ReadResidentMemory();
  ASSERT_TRUE(before.has_value()) << before.error();
  ASSERT_TRUE((*log)->ReleaseMappedPages().ok());
  auto after = ReadResidentMemory();
  ASSERT_TRUE(after.has_value()) << after.error();
  EXPECT_LE(after->file_bytes + (uint64_t{6} << 20), before->file_bytes)
      << "before " << before->file_bytes << " after " << after->file_bytes;

  // The data is all still there, through the page cache, and the log still appends.
  read_all();
  auto more = (*log)->SubmitAndWait(entry(kEntries));
  ASSERT_TRUE(more.has_value()) << more.error();
  EXPECT_EQ(more->index, kEntries);
  ExpectValidReceipt(*more);
}

}  // namespace
}  // namespace ltl::store

namespace ltl::store {
namespace {

// Admission whose entry reference is the hash of the first line only: two
// leaves with the same first line share a reference, as a note and the same
// note with one more signature do. (Equal leaves still have equal references.)
AdmissionFn FirstLineIsTheReference() {
  return [](std::string_view submitted) -> Result<AdmittedEntry> {
    AdmittedEntry out;
    out.leaf = std::string(submitted);
    out.entry_ref = proofs::Sha256(submitted.substr(0, submitted.find('\n')));
    return out;
  };
}

TEST(StoreDedup, LeavesSharingAnEntryReferenceAreDistinctAndEachResubmissionFindsItsOwn) {
  ::ltl::testing::TempDir tmp;
  const auto dir = testing::InitTestLog(tmp.path());
  auto log = Log::Open(dir, FirstLineIsTheReference(), kFast).value();
  const std::string once = "the text\n\nsignature A\n";
  const std::string twice = "the text\n\nsignature A\nsignature B\n";
  auto first = log->SubmitAndWait(once).value();
  auto second = log->SubmitAndWait(twice).value();
  EXPECT_EQ(first.entry_ref, second.entry_ref);
  EXPECT_NE(first.index, second.index) << "a different leaf is a new entry";
  EXPECT_EQ(log->SubmitAndWait(twice).value(), second);
  EXPECT_EQ(log->SubmitAndWait(once).value(), first);
  EXPECT_EQ(log->reader().TreeSize().value(), 2u);
  EXPECT_EQ(log->reader().IndexOfLeaf(second.leaf_hash, second.entry_ref).value(), second.index);
  EXPECT_EQ(log->reader().IndexOfLeaf(proofs::HashLeaf("the text\n"), first.entry_ref).value(),
            std::nullopt);
  EXPECT_EQ(log->reader().IndexByEntryRef(first.entry_ref).value(), first.index);
  // Within one batch too: both leaves at once, each twice.
  std::vector<std::future<Result<Receipt>>> pending;
  for (const char* text : {"other\nx\n", "other\ny\n", "other\nx\n", "other\ny\n"}) {
    auto promise = std::make_shared<std::promise<Result<Receipt>>>();
    pending.push_back(promise->get_future());
    log->Submit(text, [promise](Result<Receipt> r) { promise->set_value(std::move(r)); });
  }
  std::vector<Receipt> got;
  for (auto& f : pending) got.push_back(f.get().value());
  EXPECT_EQ(got[0], got[2]);
  EXPECT_EQ(got[1], got[3]);
  EXPECT_NE(got[0].index, got[1].index);
  EXPECT_EQ(log->reader().TreeSize().value(), 4u);
  log.reset();
  auto report = Fsck(dir);
  ASSERT_TRUE(report.has_value()) << report.error();
}

// A folder written by schema v1 (with its by-leaf index) is migrated when a
// log opens it: by-leaf is dropped, the version is v2, nothing else changes.
TEST(StoreSchema, AV1FolderIsMigratedOnOpenAndKeepsEveryEntryAndItsDeduplication) {
  ::ltl::testing::TempDir tmp;
  const auto dir = testing::InitTestLog(tmp.path());
  Receipt first;
  {
    auto log = Log::Open(dir, testing::AcceptAll(), kFast).value();
    first = log->SubmitAndWait(testing::PlainEntry(1)).value();
    ASSERT_TRUE(log->SubmitAndWait(testing::PlainEntry(2)).has_value());
  }
  // Make it what v1 wrote: schema "ltl-store-v1" and a by-leaf database.
  const auto raw_schema = [&](detail::Env& env) {
    auto txn = detail::ReadTxn::Begin(env).value();
    MDB_dbi meta;
    EXPECT_EQ(mdb_dbi_open(txn->raw(), "meta", 0, &meta), 0);
    return std::string(AsChars(txn->Get(meta, AsBytes(detail::kMetaSchema)).value().value()));
  };
  const auto has_by_leaf = [&](detail::Env& env) {
    auto txn = detail::ReadTxn::Begin(env).value();
    MDB_dbi dbi;
    return mdb_dbi_open(txn->raw(), "by-leaf", 0, &dbi) == 0;
  };
  {
    auto env = detail::Env::Open(dir, detail::EnvOptions{}).value();
    auto txn = detail::WriteTxn::Begin(*env).value();
    MDB_dbi meta, by_leaf;
    ASSERT_EQ(mdb_dbi_open(txn->raw(), "meta", 0, &meta), 0);
    ASSERT_EQ(
        mdb_dbi_open(txn->raw(), "by-leaf", MDB_CREATE | MDB_DUPSORT | MDB_DUPFIXED, &by_leaf), 0);
    const detail::HashPrefixKey key = detail::EncodeHashPrefixKey(first.leaf_hash);
    const detail::U64Key value = detail::EncodeU64Key(first.index);
    ASSERT_TRUE(txn->Put(by_leaf, key, value).ok());
    ASSERT_TRUE(
        txn->Put(meta, AsBytes(detail::kMetaSchema), AsBytes(detail::kSchemaVersionV1)).ok());
    ASSERT_TRUE(txn->Commit().ok());
    EXPECT_EQ(raw_schema(*env), detail::kSchemaVersionV1);
    EXPECT_TRUE(has_by_leaf(*env));
  }
  // Read-only tools read a v1 folder as it is and change nothing.
  auto before = Fsck(dir);
  ASSERT_TRUE(before.has_value()) << before.error();
  {
    auto env = detail::Env::Open(dir, detail::EnvOptions{}).value();
    EXPECT_EQ(raw_schema(*env), detail::kSchemaVersionV1);
  }
  {
    auto log = Log::Open(dir, testing::AcceptAll(), kFast);
    ASSERT_TRUE(log.has_value()) << log.error();
    EXPECT_EQ((*log)->SubmitAndWait(testing::PlainEntry(1)).value(), first);
    EXPECT_EQ((*log)->SubmitAndWait(testing::PlainEntry(3)).value().index, 2u);
  }
  {
    auto env = detail::Env::Open(dir, detail::EnvOptions{}).value();
    EXPECT_EQ(raw_schema(*env), detail::kSchemaVersion);
    EXPECT_FALSE(has_by_leaf(*env));
  }
  auto after = Fsck(dir);
  ASSERT_TRUE(after.has_value()) << after.error();
  EXPECT_EQ(after->entries_checked, 3u);
}

TEST(StoreSchema, AFolderOfAnUnknownSchemaIsRefused) {
  ::ltl::testing::TempDir tmp;
  const auto dir = testing::InitTestLog(tmp.path());
  {
    auto env = detail::Env::Open(dir, detail::EnvOptions{}).value();
    auto txn = detail::WriteTxn::Begin(*env).value();
    MDB_dbi meta;
    ASSERT_EQ(mdb_dbi_open(txn->raw(), "meta", 0, &meta), 0);
    ASSERT_TRUE(txn->Put(meta, AsBytes(detail::kMetaSchema), AsBytes("ltl-store-v3")).ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  auto log = Log::Open(dir, testing::AcceptAll(), kFast);
  ASSERT_FALSE(log.has_value());
  EXPECT_EQ(log.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(log.error().message().find("ltl-store-v3"), std::string::npos) << log.error();
}

}  // namespace
}  // namespace ltl::store
