// receipt_json: the receipts a client keeps and verifies (client/receipt.h):
// ParseReceiptJson, ParseTlogProof, and offline verification.
// Properties:
//   - a parsed receipt serialises to JSON that parses back to the same
//     receipt (lossless; unknown members and non-canonical hashes refused);
//   - offline verification of any parsed receipt returns an outcome, and a
//     receipt it accepts proves what it says: its checkpoint opens under the
//     log key and the entry bytes hash to its leaf hash;
//   - a parsed tlog-proof round-trips through FormatTlogProof.
#include "client/receipt.h"
#include "fuzz/targets.h"
#include "fuzz/targets/fuzz_keys.h"
#include "ledger/checkpoint.h"
#include "proofs/hash.h"

namespace ltl::fuzz {

int FuzzReceiptJson(const uint8_t* data, size_t size) {
  constexpr std::string_view kName = "receipt_json";
  const std::string_view input = AsText(data, size);
  static const client::VerificationPolicy policy =
      client::VerificationPolicy::Create(FuzzLogKey().verifier(), {FuzzWitnessKey().verifier()}, 0)
          .value();

  if (Result<client::Receipt> receipt = client::ParseReceiptJson(input)) {
    Result<client::Receipt> again = client::ParseReceiptJson(client::ReceiptToJson(*receipt));
    if (!again || *again != *receipt) Violation(kName, "ReceiptToJson does not round-trip");
    auto verified = client::VerifyReceiptOffline(*receipt, policy);
    if (verified) {
      if (!ledger::OpenCheckpoint(receipt->checkpoint, FuzzLogKey().verifier()).has_value()) {
        Violation(kName, "accepted a receipt whose checkpoint does not open");
      }
      if (verified->entry_checked &&
          (!receipt->entry || proofs::HashLeaf(*receipt->entry) != receipt->leaf_hash)) {
        Violation(kName, "accepted entry bytes that do not hash to the leaf hash");
      }
    }
  }
  if (Result<client::TlogProof> proof = client::ParseTlogProof(input)) {
    if (!proof->extra) {
      client::Receipt as_receipt;
      as_receipt.index = proof->index;
      as_receipt.inclusion_proof = proof->inclusion_proof;
      as_receipt.checkpoint = proof->checkpoint;
      if (client::FormatTlogProof(as_receipt) != input) {
        Violation(kName, "FormatTlogProof(parse(x)) != x");
      }
    }
  }
  return 0;
}

}  // namespace ltl::fuzz
