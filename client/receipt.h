// Receipts: what POST /add returns, kept by the submitter as proof that the
// entry is in the log, and verifiable offline.
//
// JSON (docs/api.md, POST /add; docs/client.md#receipt-files):
//   {
//     "index": 42,                          0-based position in the log
//     "entry_ref": "<64 hex>",              SHA-256 of the entry's note text
//     "leaf_hash": "<64 hex>",              RFC 6962 leaf hash of the entry bytes
//     "checkpoint": "<signed note>",        a checkpoint whose tree holds `index`
//     "inclusion_proof": ["<base64>", ...], of `index` in that tree
//     "entry": "<the signed entry>"         receipt files only (optional)
//   }
// The log's answer has no "entry"; the receipt file the client writes
// (FILE.receipt.json) adds it so that `ltl verify --offline RECEIPT` needs
// nothing else. Parsing is strict: every member but "entry" is required,
// unknown members are refused, hashes must be canonical (lower-case hex,
// padded base64 of exactly 32 bytes).
//
// The same facts export to the C2SP tlog-proof draft text form
// (c2sp.org/tlog-proof@v1, see /work/shared/C2SP-NOTES.md "Useful drafts"):
//   c2sp.org/tlog-proof@v1
//   index <n>
//   <base64 proof hash>            one per line, leaf's sibling first
//   <blank line>
//   <the checkpoint, signatures included>
// (no "extra" line: the entry travels separately, as the draft intends).
//
// Thread-safety: values and pure functions.
#ifndef LTL_CLIENT_RECEIPT_H_
#define LTL_CLIENT_RECEIPT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "client/outcome.h"
#include "client/policy.h"
#include "ledger/checkpoint.h"
#include "proofs/hash.h"

namespace ltl::client {

struct Receipt {
  uint64_t index = 0;
  proofs::Hash entry_ref{};
  proofs::Hash leaf_hash{};
  std::string checkpoint;  // signed note, exactly as received
  std::vector<proofs::Hash> inclusion_proof;
  std::optional<std::string> entry;  // the logged bytes, in receipt files

  friend bool operator==(const Receipt&, const Receipt&) = default;
};

// Largest receipt JSON accepted: an entry (64 KiB, JSON-escaped at most 6x),
// a checkpoint note and 64 proof hashes.
inline constexpr size_t kMaxReceiptJsonBytes = size_t{1} << 20;

// Strict parse (see above). Errors: InvalidArgument naming the member;
// ResourceExhausted above kMaxReceiptJsonBytes.
Result<Receipt> ParseReceiptJson(std::string_view json);

// The receipt as JSON (with "entry" when set); ParseReceiptJson inverts it.
std::string ReceiptToJson(const Receipt& receipt);

// The c2sp.org/tlog-proof@v1 text of the receipt (see above).
std::string FormatTlogProof(const Receipt& receipt);

// A parsed tlog-proof: index, proof and checkpoint; "extra" kept opaque.
struct TlogProof {
  std::optional<std::string> extra;  // decoded bytes of the "extra" line
  uint64_t index = 0;
  std::vector<proofs::Hash> inclusion_proof;
  std::string checkpoint;
  friend bool operator==(const TlogProof&, const TlogProof&) = default;
};
// Strict parse of the text form. Errors: InvalidArgument naming the line.
Result<TlogProof> ParseTlogProof(std::string_view text);

struct VerifiedReceipt {
  Receipt receipt;
  ledger::SignedCheckpoint checkpoint;  // the receipt's, opened under the policy
  // Whether entry bytes were checked against leaf_hash and entry_ref. When
  // false only the leaf hash is proved to be in the log.
  bool entry_checked = false;
};

// Verifies a receipt without the network:
//   - the entry (`entry` if given, else receipt.entry) hashes to leaf_hash,
//     and its note text to entry_ref                      -> kInvalidEntry;
//   - the checkpoint under `policy` (see VerifyCheckpoint) -> kLogError,
//     kBadSignature, kProofFailure, kPolicy;
//   - leaf_hash is leaf `index` of the checkpoint's tree by the inclusion
//     proof (index beyond the tree, wrong proof length or root) -> kProofFailure.
VerifyResult<VerifiedReceipt> VerifyReceiptOffline(
    const Receipt& receipt, const VerificationPolicy& policy,
    QuorumCheck quorum = QuorumCheck::kEnforce,
    std::optional<std::string_view> entry = std::nullopt);

// Verifies a tlog-proof for `entry` (the logged bytes) under `policy`, as
// VerifyReceiptOffline does (the tlog-proof carries no entry_ref; the
// entry's is computed). Outcomes as VerifyReceiptOffline.
VerifyResult<VerifiedReceipt> VerifyTlogProof(const TlogProof& proof, std::string_view entry,
                                              const VerificationPolicy& policy,
                                              QuorumCheck quorum = QuorumCheck::kEnforce);

}  // namespace ltl::client

#endif  // LTL_CLIENT_RECEIPT_H_
