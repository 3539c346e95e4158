#include "client/receipt.h"

#include <utility>

#include "base/encoding.h"
#include "client/json_detail.h"
#include "ledger/entry.h"
#include "ledger/note.h"
#include "proofs/inclusion.h"

namespace ltl::client {
namespace {

constexpr std::string_view kTlogProofHeader = "c2sp.org/tlog-proof@v1";
// An inclusion proof in a tree of at most 2^64 leaves has at most 64 hashes.
constexpr size_t kMaxProofHashes = 64;

Result<std::vector<proofs::Hash>> ParseBase64Hashes(const std::vector<std::string>& items,
                                                    std::string_view what) {
  if (items.size() > kMaxProofHashes) {
    return Status::InvalidArgument(std::string(what) + ": more than 64 hashes");
  }
  std::vector<proofs::Hash> out;
  out.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    auto h = detail::HashFromBase64(items[i]);
    if (!h.has_value()) {
      return h.error().WithContext(std::string(what) + "[" + std::to_string(i) + "]");
    }
    out.push_back(*h);
  }
  return out;
}

// Checks the entry bytes against the receipt's two hashes.
VerifyResult<bool> CheckEntry(std::string_view entry, const proofs::Hash& leaf_hash,
                              const std::optional<proofs::Hash>& entry_ref) {
  if (proofs::HashLeaf(entry) != leaf_hash) {
    return Fail(VerifyOutcome::kInvalidEntry,
                Status::InvalidArgument("the entry's leaf hash " +
                                        proofs::HashToHex(proofs::HashLeaf(entry)) +
                                        " is not the receipt's " + proofs::HashToHex(leaf_hash)));
  }
  if (entry_ref.has_value()) {
    auto note = ledger::ParseNote(entry);
    if (!note.has_value()) {
      return Fail(VerifyOutcome::kInvalidEntry, note.error().WithContext("entry"));
    }
    const proofs::Hash ref = ledger::ComputeEntryRef(note->text);
    if (ref != *entry_ref) {
      return Fail(
          VerifyOutcome::kInvalidEntry,
          Status::InvalidArgument("the entry's reference " + proofs::HashToHex(ref) +
                                  " is not the receipt's " + proofs::HashToHex(*entry_ref)));
    }
  }
  return true;
}

VerifyResult<ledger::SignedCheckpoint> CheckInclusion(uint64_t index, const proofs::Hash& leaf_hash,
                                                      std::span<const proofs::Hash> proof,
                                                      std::string_view checkpoint_wire,
                                                      const VerificationPolicy& policy,
                                                      QuorumCheck quorum) {
  auto checkpoint = VerifyCheckpoint(policy, checkpoint_wire, quorum);
  if (!checkpoint.has_value()) return std::move(checkpoint).error();
  const ledger::Checkpoint& cp = checkpoint->checkpoint;
  Status included = proofs::VerifyInclusion(index, cp.size, leaf_hash, proof, cp.root);
  if (!included.ok()) {
    return Fail(VerifyOutcome::kProofFailure,
                included.WithContext("inclusion of leaf " + std::to_string(index) +
                                     " in the tree of size " + std::to_string(cp.size)));
  }
  return checkpoint;
}

}  // namespace

Result<Receipt> ParseReceiptJson(std::string_view json) {
  if (json.size() > kMaxReceiptJsonBytes) {
    return Status::ResourceExhausted("receipt larger than " + std::to_string(kMaxReceiptJsonBytes) +
                                     " bytes");
  }
  rapidjson::Document doc;
  LTL_RETURN_IF_ERROR(detail::ParseJsonObject(json, doc).WithContext("receipt"));
  detail::JsonObject object(doc, "receipt");
  LTL_RETURN_IF_ERROR(object.OnlyMembers(
      {"index", "entry_ref", "leaf_hash", "checkpoint", "inclusion_proof", "entry"}));
  Receipt receipt;
  LTL_ASSIGN_OR_RETURN(receipt.index, object.Uint64("index"));
  LTL_ASSIGN_OR_RETURN(std::string entry_ref, object.String("entry_ref"));
  LTL_ASSIGN_OR_RETURN(receipt.entry_ref, detail::HashFromHexField(entry_ref, "receipt entry_ref"));
  LTL_ASSIGN_OR_RETURN(std::string leaf_hash, object.String("leaf_hash"));
  LTL_ASSIGN_OR_RETURN(receipt.leaf_hash, detail::HashFromHexField(leaf_hash, "receipt leaf_hash"));
  LTL_ASSIGN_OR_RETURN(receipt.checkpoint, object.String("checkpoint"));
  LTL_ASSIGN_OR_RETURN(std::vector<std::string> proof, object.StringArray("inclusion_proof"));
  LTL_ASSIGN_OR_RETURN(receipt.inclusion_proof,
                       ParseBase64Hashes(proof, "receipt inclusion_proof"));
  LTL_ASSIGN_OR_RETURN(receipt.entry, object.OptionalString("entry"));
  return receipt;
}

std::string ReceiptToJson(const Receipt& receipt) {
  rapidjson::StringBuffer buffer;
  detail::JsonWriter writer(buffer);
  writer.StartObject();
  detail::WriteKey(writer, "index");
  writer.Uint64(receipt.index);
  detail::WriteKey(writer, "entry_ref");
  detail::WriteString(writer, proofs::HashToHex(receipt.entry_ref));
  detail::WriteKey(writer, "leaf_hash");
  detail::WriteString(writer, proofs::HashToHex(receipt.leaf_hash));
  detail::WriteKey(writer, "checkpoint");
  detail::WriteString(writer, receipt.checkpoint);
  detail::WriteKey(writer, "inclusion_proof");
  writer.StartArray();
  for (const proofs::Hash& h : receipt.inclusion_proof) {
    detail::WriteString(writer, Base64Encode(h));
  }
  writer.EndArray();
  if (receipt.entry.has_value()) {
    detail::WriteKey(writer, "entry");
    detail::WriteString(writer, *receipt.entry);
  }
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

std::string FormatTlogProof(const Receipt& receipt) {
  std::string out = std::string(kTlogProofHeader) + "\n";
  out += "index " + FormatDecimalU64(receipt.index) + "\n";
  for (const proofs::Hash& h : receipt.inclusion_proof) out += Base64Encode(h) + "\n";
  out += "\n";
  out += receipt.checkpoint;
  return out;
}

Result<TlogProof> ParseTlogProof(std::string_view text) {
  if (text.size() > kMaxReceiptJsonBytes) {
    return Status::ResourceExhausted("tlog-proof larger than " +
                                     std::to_string(kMaxReceiptJsonBytes) + " bytes");
  }
  size_t line_number = 0;
  // The next line without its "\n"; nullopt when no complete line is left.
  auto next_line = [&]() -> std::optional<std::string_view> {
    const size_t end = text.find('\n');
    if (end == std::string_view::npos) return std::nullopt;
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end + 1);
    ++line_number;
    return line;
  };
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("tlog-proof line " + std::to_string(line_number) + ": " +
                                   std::string(why));
  };

  std::optional<std::string_view> line = next_line();
  if (!line || *line != kTlogProofHeader) return bad("expected c2sp.org/tlog-proof@v1");
  TlogProof proof;
  line = next_line();
  if (line && line->substr(0, 6) == "extra ") {
    auto extra = Base64Decode(line->substr(6));
    if (!extra.has_value() || extra->empty()) return bad("extra: not non-empty canonical base64");
    proof.extra = std::string(AsChars(*extra));
    line = next_line();
  }
  if (!line || line->substr(0, 6) != "index ") return bad("expected \"index <n>\"");
  auto index = ParseDecimalU64(line->substr(6));
  if (!index.has_value()) return bad("index: " + index.error().message());
  proof.index = *index;
  for (line = next_line(); line && !line->empty(); line = next_line()) {
    if (proof.inclusion_proof.size() == kMaxProofHashes) return bad("more than 64 proof hashes");
    auto h = detail::HashFromBase64(*line);
    if (!h.has_value()) return bad(h.error().message());
    proof.inclusion_proof.push_back(*h);
  }
  if (!line) return bad("missing the blank line before the checkpoint");
  if (text.empty()) return bad("missing the checkpoint");
  proof.checkpoint = std::string(text);
  return proof;
}

VerifyResult<VerifiedReceipt> VerifyReceiptOffline(const Receipt& receipt,
                                                   const VerificationPolicy& policy,
                                                   QuorumCheck quorum,
                                                   std::optional<std::string_view> entry) {
  if (!entry.has_value() && receipt.entry.has_value()) entry = *receipt.entry;
  VerifiedReceipt out;
  if (entry.has_value()) {
    auto checked = CheckEntry(*entry, receipt.leaf_hash, receipt.entry_ref);
    if (!checked.has_value()) return std::move(checked).error();
    out.entry_checked = true;
  }
  auto checkpoint = CheckInclusion(receipt.index, receipt.leaf_hash, receipt.inclusion_proof,
                                   receipt.checkpoint, policy, quorum);
  if (!checkpoint.has_value()) return std::move(checkpoint).error();
  out.receipt = receipt;
  out.checkpoint = std::move(checkpoint).value();
  return out;
}

VerifyResult<VerifiedReceipt> VerifyTlogProof(const TlogProof& proof, std::string_view entry,
                                              const VerificationPolicy& policy,
                                              QuorumCheck quorum) {
  const proofs::Hash leaf_hash = proofs::HashLeaf(entry);
  auto note = ledger::ParseNote(entry);
  if (!note.has_value()) {
    return Fail(VerifyOutcome::kInvalidEntry, note.error().WithContext("entry"));
  }
  auto checkpoint = CheckInclusion(proof.index, leaf_hash, proof.inclusion_proof, proof.checkpoint,
                                   policy, quorum);
  if (!checkpoint.has_value()) return std::move(checkpoint).error();
  VerifiedReceipt out;
  out.receipt = Receipt{proof.index,
                        ledger::ComputeEntryRef(note->text),
                        leaf_hash,
                        proof.checkpoint,
                        proof.inclusion_proof,
                        std::string(entry)};
  out.checkpoint = std::move(checkpoint).value();
  out.entry_checked = true;
  return out;
}

}  // namespace ltl::client
