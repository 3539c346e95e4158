#include "client/verify.h"

#include <utility>

#include "client/json_detail.h"
#include "ledger/entry.h"
#include "ledger/note.h"
#include "proofs/inclusion.h"
#include "proofs/tiles.h"

namespace ltl::client {
namespace {

constexpr std::string_view kEntryContentType = "text/plain; charset=utf-8";

struct LookupPage {
  std::vector<std::pair<uint64_t, proofs::Hash>> hits;
  std::optional<uint64_t> next_cursor;
};

// {"entries": [{"index": n, "entry_ref": "<hex>"}, ...], "next_cursor": n?}
Result<LookupPage> ParseLookupPage(std::string_view json) {
  rapidjson::Document doc;
  LTL_RETURN_IF_ERROR(detail::ParseJsonObject(json, doc).WithContext("lookup answer"));
  detail::JsonObject page_object(doc, "lookup answer");
  LTL_RETURN_IF_ERROR(page_object.OnlyMembers({"entries", "next_cursor"}));
  LookupPage page;
  LTL_ASSIGN_OR_RETURN(const rapidjson::Value* entries, page_object.Array("entries"));
  for (const rapidjson::Value& hit : entries->GetArray()) {
    detail::JsonObject hit_object(hit, "lookup hit");
    LTL_RETURN_IF_ERROR(hit_object.OnlyMembers({"index", "entry_ref"}));
    LTL_ASSIGN_OR_RETURN(uint64_t index, hit_object.Uint64("index"));
    LTL_ASSIGN_OR_RETURN(std::string ref_hex, hit_object.String("entry_ref"));
    LTL_ASSIGN_OR_RETURN(proofs::Hash ref, detail::HashFromHexField(ref_hex, "lookup entry_ref"));
    if (!page.hits.empty() && index <= page.hits.back().first) {
      return Status::InvalidArgument("lookup answer: indexes not increasing");
    }
    page.hits.emplace_back(index, ref);
  }
  LTL_ASSIGN_OR_RETURN(page.next_cursor, page_object.OptionalUint64("next_cursor"));
  return page;
}

std::string_view LookupParam(LookupKey key) {
  switch (key) {
    case LookupKey::kWork:
      return "work";
    case LookupKey::kSigner:
      return "signer";
    case LookupKey::kGrant:
      return "grant";
  }
  return "work";
}

}  // namespace

std::string PercentEncodeQueryValue(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

VerifyResult<VerifiedReceipt> SubmitAndVerify(Fetcher& fetcher, const VerificationPolicy& policy,
                                              std::string_view entry, SubmitOptions options) {
  // Refuse locally what the log would refuse: a malformed entry or one
  // missing a required signature (the log also checks key registration).
  auto parsed = ledger::ParseEntry(entry);
  if (!parsed.has_value()) return Fail(VerifyOutcome::kInvalidEntry, parsed.error());
  if (Status signed_ok = ledger::ValidateEntrySignatures(*parsed); !signed_ok.ok()) {
    return Fail(VerifyOutcome::kInvalidEntry, signed_ok);
  }

  auto response =
      fetcher.Post(options.witnessed ? "/add?wait=witnessed" : "/add", kEntryContentType, entry);
  if (!response.has_value()) return FailFetch(response.error());
  if (response->status != 200) {
    Status refused = HttpAnswerToStatus(*response, "POST /add");
    switch (response->status) {
      case 400:
      case 403:
      case 413:
      case 415:
        return Fail(VerifyOutcome::kInvalidEntry, refused);
      default:
        return FailFetch(refused);  // 503 -> kNetwork, others kLogError
    }
  }
  auto receipt = ParseReceiptJson(response->body);
  if (!receipt.has_value()) return Fail(VerifyOutcome::kLogError, receipt.error());
  receipt->entry = std::string(entry);
  return VerifyReceiptOffline(
      *receipt, policy, options.witnessed ? QuorumCheck::kEnforce : QuorumCheck::kSkip, entry);
}

VerifyResult<VerifiedEntry> VerifyEntryAt(TileReader& reader,
                                          const ledger::SignedCheckpoint& checkpoint,
                                          uint64_t index) {
  const ledger::Checkpoint& cp = checkpoint.checkpoint;
  if (index >= cp.size) {
    return Fail(VerifyOutcome::kUsage,
                Status::OutOfRange("entry " + std::to_string(index) +
                                   " is not in the tree of size " + std::to_string(cp.size)));
  }
  auto bundle = reader.ReadEntryBundle(index / proofs::kTileWidth, cp.size);
  if (!bundle.has_value()) return FailTileRead(bundle.error());
  std::string entry = std::move((*bundle)[index % proofs::kTileWidth]);

  ProofBuilder builder(reader, cp.size);
  auto proof = builder.InclusionProof(index);
  if (!proof.has_value()) return FailTileRead(proof.error());
  Status included =
      proofs::VerifyInclusion(index, cp.size, proofs::HashLeaf(entry), *proof, cp.root);
  if (!included.ok()) {
    return Fail(VerifyOutcome::kProofFailure,
                included.WithContext("entry " + std::to_string(index) + " at size " +
                                     std::to_string(cp.size)));
  }
  auto note = ledger::ParseNote(entry);
  if (!note.has_value()) {
    return Fail(VerifyOutcome::kInvalidEntry,
                note.error().WithContext("logged entry " + std::to_string(index)));
  }
  return VerifiedEntry{index, ledger::ComputeEntryRef(note->text), std::move(entry)};
}

VerifyResult<OnlineReceipt> VerifyReceiptOnline(Fetcher& fetcher, TileReader& reader,
                                                LogStateTracker& tracker, const Receipt& receipt,
                                                std::optional<std::string_view> entry) {
  auto original = VerifyReceiptOffline(receipt, tracker.policy(), QuorumCheck::kSkip, entry);
  if (!original.has_value()) return std::move(original).error();

  auto update = tracker.Refresh(fetcher, reader);
  if (!update.has_value()) return std::move(update).error();
  const ledger::SignedCheckpoint& trusted = update->current;
  const ledger::SignedCheckpoint& receipts = original->checkpoint;

  // A receipt newer than the trusted state is fine (its tree extends it);
  // one that contradicts it is evidence.
  auto consistent = receipts.checkpoint.size <= trusted.checkpoint.size
                        ? ProveConsistent(receipts, trusted, reader)
                        : ProveConsistent(trusted, receipts, reader);
  if (!consistent.has_value()) return std::move(consistent).error();

  const uint64_t size = trusted.checkpoint.size;
  OnlineReceipt out{std::move(original).value(), receipt, std::move(update).value()};
  out.refreshed.entry = out.original.receipt.entry;
  if (entry.has_value()) out.refreshed.entry = std::string(*entry);
  if (receipt.index >= size) {
    // The trusted tree predates the entry: the receipt's own checkpoint (now
    // proved consistent with it) is the best proof there is.
    return out;
  }
  ProofBuilder builder(reader, size);
  auto proof = builder.InclusionProof(receipt.index);
  if (!proof.has_value()) return FailTileRead(proof.error());
  Status included = proofs::VerifyInclusion(receipt.index, size, receipt.leaf_hash, *proof,
                                            out.update.current.checkpoint.root);
  if (!included.ok()) {
    return Fail(VerifyOutcome::kProofFailure,
                included.WithContext("inclusion at the trusted checkpoint of size " +
                                     std::to_string(size)));
  }
  out.refreshed.checkpoint = out.update.current.wire;
  out.refreshed.inclusion_proof = std::move(proof).value();
  return out;
}

VerifyResult<LookupResult> Lookup(Fetcher& fetcher, TileReader& reader,
                                  const ledger::SignedCheckpoint& checkpoint, LookupKey key,
                                  std::string_view value, LookupOptions options) {
  if (value.empty()) {
    return Fail(VerifyOutcome::kUsage, Status::InvalidArgument("lookup: empty value"));
  }
  LookupResult result;
  std::optional<uint64_t> cursor;
  for (size_t page_number = 0;; ++page_number) {
    if (page_number == options.max_pages) {
      result.truncated = true;
      break;
    }
    std::string path =
        "/lookup?" + std::string(LookupParam(key)) + "=" + PercentEncodeQueryValue(value);
    if (cursor.has_value()) path += "&cursor=" + std::to_string(*cursor);
    auto body = GetBody(fetcher, path);
    if (!body.has_value()) return FailFetch(body.error());
    auto page = ParseLookupPage(*body);
    if (!page.has_value()) return Fail(VerifyOutcome::kLogError, page.error());
    for (const auto& [index, ref] : page->hits) {
      if (index >= checkpoint.checkpoint.size) {
        result.beyond_checkpoint.push_back(index);
        continue;
      }
      auto verified = VerifyEntryAt(reader, checkpoint, index);
      if (!verified.has_value()) return std::move(verified).error();
      if (verified->entry_ref != ref) {
        return Fail(VerifyOutcome::kLogError,
                    Status::FailedPrecondition(
                        "lookup: the log's index names entry_ref " + proofs::HashToHex(ref) +
                        " at index " + std::to_string(index) + ", but the entry there has " +
                        proofs::HashToHex(verified->entry_ref)));
      }
      result.entries.push_back(std::move(verified).value());
    }
    if (!page->next_cursor.has_value()) break;
    if (cursor.has_value() && *page->next_cursor <= *cursor) {
      return Fail(VerifyOutcome::kLogError,
                  Status::InvalidArgument("lookup: next_cursor does not advance"));
    }
    cursor = page->next_cursor;
  }
  return result;
}

}  // namespace ltl::client
