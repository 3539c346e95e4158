// cosignature: witness cosignature lines and verifier key strings.
// Input: the first byte picks the mode, the rest is the subject.
//   mode even: a signed checkpoint; every signature line is checked with
//              VerifyCosignature against the witness key;
//   mode odd:  a verifier key string (VerifierKey::Parse) or a private key
//              string (SigningKey::ParsePrivateKey).
// Properties:
//   - a verified cosignature's timestamp is at most 2^63-1, and re-signing
//     the text with that timestamp gives the same line (Ed25519 is
//     deterministic);
//   - a parsed verifier key prints back to exactly the input;
//   - a private-key parse error never quotes the secret part of the input.
#include "ledger/cosignature.h"
#include "fuzz/targets.h"
#include "fuzz/targets/fuzz_keys.h"
#include "ledger/note.h"

namespace ltl::fuzz {

int FuzzCosignature(const uint8_t* data, size_t size) {
  constexpr std::string_view kName = "cosignature";
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  const std::string_view input = AsText(data + 1, size - 1);
  if (mode % 2 == 1) {
    if (Result<ledger::VerifierKey> key = ledger::VerifierKey::Parse(input)) {
      if (key->ToString() != input) Violation(kName, "VerifierKey::Parse is not canonical");
    }
    Result<ledger::SigningKey> priv = ledger::SigningKey::ParsePrivateKey(input);
    // The secret is the base64 after the last '+'. A run of 16 or more base64
    // characters cannot occur in the fixed error texts, so finding it in a
    // message means the message quoted the key.
    const std::string_view secret = input.substr(input.rfind('+') + 1);
    const bool base64_only = secret.find_first_not_of(
                                 "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                 "0123456789/=") == std::string_view::npos;
    if (!priv && base64_only && secret.size() >= 16 &&
        priv.error().message().find(secret) != std::string::npos) {
      Violation(kName, "a private key parse error quotes the key");
    }
    if (priv && priv->PrivateKeyString() != input) {
      Violation(kName, "ParsePrivateKey is not canonical");
    }
    return 0;
  }
  Result<ledger::Note> note = ledger::ParseNote(input);
  if (!note) return 0;
  const ledger::VerifierKey& witness = FuzzWitnessKey().verifier();
  for (const ledger::NoteSignature& sig : note->signatures) {
    Result<uint64_t> time = ledger::VerifyCosignature(note->text, sig, witness);
    if (!time) continue;
    if (*time > ledger::kMaxCosignatureTimestamp) Violation(kName, "timestamp above 2^63-1");
    Result<ledger::NoteSignature> again = ledger::Cosign(note->text, FuzzWitnessKey(), *time);
    if (!again || *again != sig) Violation(kName, "a verified cosignature is not reproducible");
  }
  return 0;
}

}  // namespace ltl::fuzz
