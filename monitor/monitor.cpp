#include "monitor/monitor.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <thread>
#include <utility>
#include <vector>

#include "client/evidence.h"
#include "client/state.h"
#include "ledger/checkpoint.h"
#include "ledger/cosignature.h"
#include "proofs/compact_range.h"
#include "proofs/consistency.h"
#include "proofs/tiles.h"

namespace ltl::monitor {
namespace {

using client::VerifyOutcome;

// Chunks read (and queued for checking) ahead of the one being audited.
constexpr size_t kChunksAhead = 2;

// The time a checkpoint vouches for: the earliest timestamp among the
// policy witnesses whose cosignatures verified, else nullopt.
std::optional<int64_t> CosignatureTime(const ledger::SignedCheckpoint& cp) {
  std::optional<int64_t> earliest;
  for (const ledger::VerifierKey& witness : cp.verified_by) {
    for (const ledger::NoteSignature& sig : cp.note.signatures) {
      if (sig.name != witness.name() || sig.key_id != witness.key_id()) continue;
      Result<uint64_t> ts = ledger::VerifyCosignature(cp.note.text, sig, witness);
      if (!ts || *ts > static_cast<uint64_t>(ledger::kMaxTimestampSeconds)) continue;
      const auto t = static_cast<int64_t>(*ts);
      if (!earliest || t < *earliest) earliest = t;
    }
  }
  return earliest;
}

// Evidence of a tree that does not match its signed root: the checkpoint as
// received, and what did not match.
std::string TreeMismatchEvidence(const ledger::SignedCheckpoint& cp, uint64_t from, uint64_t to,
                                 const std::string& reason) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("type");
  w.String("ltl-tree-mismatch-evidence/v1");
  w.Key("checkpoint");
  w.String(cp.wire.data(), static_cast<rapidjson::SizeType>(cp.wire.size()));
  w.Key("entries_from");
  w.Uint64(from);
  w.Key("entries_to");
  w.Uint64(to);
  w.Key("reason");
  w.String(reason.data(), static_cast<rapidjson::SizeType>(reason.size()));
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

Finding IntegrityFinding(FindingCode code, const ledger::Checkpoint* cp, std::string message) {
  Finding f;
  f.code = code;
  f.severity = Severity::kViolation;
  if (cp) {
    f.checkpoint_size = cp->size;
    f.checkpoint_root = cp->root;
  }
  f.message = std::move(message);
  return f;
}

}  // namespace

int64_t SystemClockSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<std::unique_ptr<Monitor>> Monitor::Create(MonitorOptions options, client::Fetcher& fetcher,
                                                 store::MonitorState& state) {
  if (options.chunk_bundles == 0)
    return Status::InvalidArgument("monitor: chunk_bundles must be >= 1");
  const std::string vkey = options.policy.log_key.ToString();
  LTL_RETURN_IF_ERROR(state.Read([&](const store::MonitorReader& r) -> Status {
    LTL_ASSIGN_OR_RETURN(std::optional<std::string> bound, r.LogKey());
    if (bound && *bound != vkey) {
      return Status::FailedPrecondition("monitor state audits log " + *bound + ", not " + vkey);
    }
    return Status::Ok();
  }));
  const size_t check_threads =
      options.check_threads.value_or(std::max(1u, std::thread::hardware_concurrency()));
  return std::unique_ptr<Monitor>(new Monitor(std::move(options), fetcher, state, check_threads));
}

// Leaves [begin, begin + read) of the log, read from its entry bundles, and
// queued for checking.
struct Monitor::Chunk {
  uint64_t begin = 0;
  uint64_t read = 0;
  // A bundle did not match its tile (or was malformed); the leaves before
  // it are counted in `read` but not queued.
  std::optional<Status> mismatch;
  // The log could not be read (returned when this chunk's turn comes).
  Status error;
  CheckTicket checks;
};

Monitor::Chunk Monitor::ReadChunk(uint64_t begin, uint64_t size) {
  Chunk chunk;
  chunk.begin = begin;
  const uint64_t first_bundle = begin / proofs::kTileWidth;
  const uint64_t bundles = (size + proofs::kTileWidth - 1) / proofs::kTileWidth;
  const uint64_t last_bundle = std::min<uint64_t>(bundles, first_bundle + options_.chunk_bundles);
  std::vector<std::string> leaves;
  for (uint64_t b = first_bundle; b < last_bundle; ++b) {
    Result<std::vector<std::string>> bundle = reader_.ReadEntryBundle(b, size);
    if (!bundle) {
      const StatusCode code = bundle.error().code();
      if (code == StatusCode::kDataLoss || code == StatusCode::kInvalidArgument) {
        chunk.mismatch = bundle.error();
      } else {
        chunk.error = bundle.error();
      }
      break;
    }
    for (size_t i = 0; i < bundle->size(); ++i) {
      if (b * proofs::kTileWidth + i < begin) continue;
      leaves.push_back(std::move((*bundle)[i]));
    }
  }
  chunk.read = leaves.size();
  if (!chunk.mismatch && chunk.error.ok()) chunk.checks = checker_.Submit(std::move(leaves));
  return chunk;
}

Status Monitor::Integrity(Finding finding, RunSummary& summary) {
  summary.integrity_failure = finding.code;
  summary.findings += 1;
  std::vector<Finding> made;
  LTL_RETURN_IF_ERROR(state_.Write([&](store::MonitorWriter& w) -> Status {
    made.clear();
    return EmitFinding(w, finding, made);
  }));
  if (options_.on_finding) options_.on_finding(finding);
  return Status::Ok();
}

Result<RunSummary> Monitor::RunOnce() {
  RunSummary summary;
  const client::VerificationPolicy& policy = options_.policy;

  // What the state already trusts.
  std::optional<ledger::SignedCheckpoint> saved;
  proofs::CompactRange progress(0);
  LTL_RETURN_IF_ERROR(state_.Read([&](const store::MonitorReader& r) -> Status {
    LTL_ASSIGN_OR_RETURN(std::optional<std::string> wire, r.Checkpoint());
    if (wire) {
      Result<ledger::SignedCheckpoint> cp = ledger::OpenCheckpoint(*wire, policy.log_key);
      if (!cp) return Status::DataLoss("monitor state: saved checkpoint: " + cp.error().message());
      saved = std::move(*cp);
    }
    LTL_ASSIGN_OR_RETURN(progress, r.Progress());
    return Status::Ok();
  }));
  summary.audited_from = summary.audited_to = progress.end();
  if (saved) summary.checkpoint_size = saved->checkpoint.size;

  // The log's checkpoint, verified under the policy.
  LTL_ASSIGN_OR_RETURN(std::string wire, client::GetBody(fetcher_, "/checkpoint"));
  auto verified = client::VerifyCheckpoint(policy, wire);
  if (!verified) {
    const client::VerifyFailure& failure = verified.error();
    Result<ledger::Note> note = ledger::ParseNote(wire);
    std::optional<ledger::Checkpoint> text;
    if (note) {
      Result<ledger::Checkpoint> c = ledger::ParseCheckpointText(note->text);
      if (c) text = *c;
    }
    const ledger::Checkpoint* cp = text ? &*text : nullptr;
    switch (failure.outcome) {
      case VerifyOutcome::kBadSignature:
        LTL_RETURN_IF_ERROR(Integrity(
            IntegrityFinding(FindingCode::kBadCheckpointSignature, cp, failure.status.message()),
            summary));
        return summary;
      case VerifyOutcome::kPolicy:
        LTL_RETURN_IF_ERROR(Integrity(
            IntegrityFinding(FindingCode::kQuorumMissing, cp, failure.status.message()), summary));
        return summary;
      case VerifyOutcome::kProofFailure:
        LTL_RETURN_IF_ERROR(Integrity(
            IntegrityFinding(FindingCode::kTreeMismatch, cp, failure.status.message()), summary));
        return summary;
      default:
        return failure.status;
    }
  }
  ledger::SignedCheckpoint offered = std::move(verified).value();

  // Consistent with what the state trusts?
  ledger::SignedCheckpoint target = offered;
  bool grew = !saved || offered.checkpoint.size > saved->checkpoint.size;
  if (saved) {
    const bool older = offered.checkpoint.size < saved->checkpoint.size;
    const ledger::SignedCheckpoint& smaller = older ? offered : *saved;
    const ledger::SignedCheckpoint& larger = older ? *saved : offered;
    auto proof = client::ProveConsistent(smaller, larger, reader_);
    if (!proof) {
      const client::VerifyFailure& failure = proof.error();
      if (failure.outcome != VerifyOutcome::kInconsistent) {
        if (failure.outcome == VerifyOutcome::kProofFailure) {
          Finding f = IntegrityFinding(
              FindingCode::kTreeMismatch, &offered.checkpoint,
              "tiles for the consistency proof do not match: " + failure.status.message());
          f.evidence_json = TreeMismatchEvidence(offered, saved->checkpoint.size,
                                                 offered.checkpoint.size, failure.status.message());
          LTL_RETURN_IF_ERROR(Integrity(std::move(f), summary));
          return summary;
        }
        return failure.status;
      }
      const bool same_size = offered.checkpoint.size == saved->checkpoint.size;
      Finding f =
          IntegrityFinding(same_size ? FindingCode::kSplitView : FindingCode::kLogInconsistent,
                           &offered.checkpoint, failure.status.message());
      if (failure.evidence) f.evidence_json = client::EvidenceToJson(*failure.evidence);
      LTL_RETURN_IF_ERROR(Integrity(std::move(f), summary));
      return summary;
    }
    if (older) target = *saved;  // a stale mirror: keep auditing what we trust
  }
  summary.checkpoint_size = target.checkpoint.size;
  if (grew) {
    const int64_t seen = CosignatureTime(offered).value_or(options_.clock());
    LTL_RETURN_IF_ERROR(state_.Write([&](store::MonitorWriter& w) -> Status {
      LTL_RETURN_IF_ERROR(w.SetLogKey(policy.log_key.ToString()));
      LTL_RETURN_IF_ERROR(w.SetCheckpoint(offered.wire));
      if (offered.checkpoint.size == 0) return Status::Ok();
      return w.AddSighting(store::CheckpointSighting{offered.checkpoint.size, seen});
    }));
  }

  // Audit the entries after the verified prefix, chunk by chunk.
  LTL_ASSIGN_OR_RETURN(std::optional<store::CheckpointSighting> sighting,
                       [&]() -> Result<std::optional<store::CheckpointSighting>> {
                         std::optional<store::CheckpointSighting> out;
                         if (target.checkpoint.size == 0) return out;
                         LTL_RETURN_IF_ERROR(state_.Read([&](const store::MonitorReader& r) {
                           LTL_ASSIGN_OR_RETURN(out, r.FirstCovering(target.checkpoint.size - 1));
                           return Status::Ok();
                         }));
                         return out;
                       }());
  AuditContext context{target.checkpoint.size, target.checkpoint.root,
                       sighting ? sighting->time : options_.clock()};
  const uint64_t size = target.checkpoint.size;
  uint64_t audited_this_pass = 0;
  std::deque<Chunk> read_ahead;  // the chunks after `chunk`, in order
  while (progress.end() < size) {
    if (options_.max_entries != 0 && audited_this_pass >= options_.max_entries) break;
    if (read_ahead.empty()) read_ahead.push_back(ReadChunk(progress.end(), size));
    Chunk chunk = std::move(read_ahead.front());
    read_ahead.pop_front();
    if (!chunk.error.ok()) return chunk.error;
    const uint64_t chunk_end = chunk.begin + chunk.read;
    // Keep the workers fed while this chunk is verified, audited and
    // committed (the commit's fdatasync leaves the CPU idle otherwise): read
    // up to kChunksAhead chunks after it, unless this pass will not get to
    // them.
    uint64_t queued = audited_this_pass + chunk.read;
    for (const Chunk& c : read_ahead) queued += c.read;
    while (read_ahead.size() < kChunksAhead) {
      const Chunk& last = read_ahead.empty() ? chunk : read_ahead.back();
      const uint64_t last_end = last.begin + last.read;
      if (last.mismatch || !last.error.ok() || last_end >= size) break;
      if (options_.max_entries != 0 && queued >= options_.max_entries) break;
      read_ahead.push_back(ReadChunk(last_end, size));
      queued += read_ahead.back().read;
    }

    std::optional<Status> mismatch = std::move(chunk.mismatch);
    proofs::CompactRange extended = progress;
    CheckedLeaves checked;
    if (!mismatch) {
      checked = checker_.Take(std::move(chunk.checks));
      for (const CheckedLeaf& leaf : checked.checks) extended.Append(leaf.leaf_hash);
      // The audited prefix plus this chunk must be a prefix of the signed tree.
      LTL_ASSIGN_OR_RETURN(proofs::Hash root, extended.GetRootHash());
      if (extended.end() == size) {
        if (root != target.checkpoint.root) {
          mismatch = Status::DataLoss("entries replayed to size " + std::to_string(size) +
                                      " do not hash to the checkpoint's root");
        }
      } else {
        client::ProofBuilder builder(reader_, size);
        Result<std::vector<proofs::Hash>> proof = builder.ConsistencyProof(extended.end(), size);
        if (!proof) {
          const StatusCode code = proof.error().code();
          if (code != StatusCode::kDataLoss && code != StatusCode::kInvalidArgument) {
            return proof.error();
          }
          mismatch = proof.error();
        } else if (Status s = proofs::VerifyConsistency(extended.end(), size, *proof, root,
                                                        target.checkpoint.root);
                   !s.ok()) {
          mismatch = Status::DataLoss("entries [0, " + std::to_string(extended.end()) +
                                      ") are not a prefix of the signed tree: " + s.message());
        }
      }
    }
    if (mismatch) {
      Finding f = IntegrityFinding(
          FindingCode::kTreeMismatch, &target.checkpoint,
          "the log's entry bundles or tiles after entry " + std::to_string(progress.end()) +
              " do not match its signed checkpoint: " + mismatch->message());
      f.evidence_json =
          TreeMismatchEvidence(target, progress.end(), chunk_end, mismatch->message());
      LTL_RETURN_IF_ERROR(Integrity(std::move(f), summary));
      return summary;
    }

    // Verified: audit and commit in one transaction.
    std::vector<Finding> findings;
    std::vector<AuditedEntry> audited;
    LTL_RETURN_IF_ERROR(state_.Write([&](store::MonitorWriter& w) -> Status {
      findings.clear();
      audited.clear();
      AuditCache cache;
      // The per-entry summary (works, parties) is built only for a subscriber.
      const bool summarise = static_cast<bool>(options_.on_entry);
      for (size_t i = 0; i < checked.leaves.size(); ++i) {
        AuditedEntry a;
        LTL_RETURN_IF_ERROR(AuditCheckedEntry(w, cache, chunk.begin + i, checked.leaves[i],
                                              checked.checks[i], context, options_.audit, findings,
                                              summarise ? &a : nullptr));
        if (summarise) audited.push_back(std::move(a));
      }
      LTL_RETURN_IF_ERROR(w.SetProgress(extended));
      if (extended.end() == size) {
        LTL_RETURN_IF_ERROR(AuditCheckpointEnd(w, context, options_.audit, findings));
      }
      return Status::Ok();
    }));
    progress = std::move(extended);
    audited_this_pass += checked.leaves.size();
    summary.audited_to = progress.end();
    summary.findings += findings.size();
    if (options_.on_entry) {
      for (const AuditedEntry& a : audited) options_.on_entry(a);
    }
    if (options_.on_finding) {
      for (const Finding& f : findings) options_.on_finding(f);
    }
    if (options_.on_progress) options_.on_progress(progress.end(), size);
  }
  return summary;
}

}  // namespace ltl::monitor
