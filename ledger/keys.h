// Ed25519 keys in the C2SP signed-note v1.0.0 encodings.
//
//   key ID        = SHA-256(name || 0x0A || type || public key)[:4], big-endian u32
//   verifier key  = <name>+<8 lower-case hex key ID>+<base64(type || public key)>
//   private key   = PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || 32-byte seed)>
//                   (Go's golang.org/x/mod/sumdb/note convention, so keys move between tools)
//
// Types: 0x01 Ed25519 note signatures; 0x04 timestamped Ed25519 cosignatures
// (C2SP tlog-cosignature v1.0.1). A verifier key of any other type is
// rejected (LTL cannot check it), but signature lines carry no type, so a note
// signed by, say, an ML-DSA witness still parses and that line is skipped as
// unknown (ledger/note.h).
// Key names: non-empty, valid UTF-8, no Unicode white space, no '+' (the
// signed-note rule, as Go's sumdb/note), and no ASCII control character (an
// LTL addition: such a name could never appear in a well-formed note).
// Private keys of type 0x04 use the same PRIVATE+KEY form with type byte 0x04
// (as transparency-dev/formats' cosignature signer accepts).
// Specified byte for byte in docs/formats.md#keys.
// Thread-safety: immutable values; safe to share across threads.
#ifndef LTL_LEDGER_KEYS_H_
#define LTL_LEDGER_KEYS_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/encoding.h"
#include "base/result.h"

namespace ltl::ledger {

enum class KeyType : uint8_t {
  kEd25519 = 0x01,
  kCosignatureV1 = 0x04,  // timestamped Ed25519, tlog-cosignature v1.0.1
};

inline constexpr size_t kEd25519PublicKeySize = 32;
inline constexpr size_t kEd25519SeedSize = 32;
inline constexpr size_t kEd25519SignatureSize = 64;
using PublicKey = std::array<uint8_t, kEd25519PublicKeySize>;

// Calls sodium_init() once; safe to call from any thread, any number of times.
// Returns Internal if libsodium cannot initialise.
Status InitCrypto();

// Checks a key name as signed-note requires (non-empty, UTF-8, no '+', no
// Unicode white space) plus no ASCII control character. Errors: InvalidArgument.
Status ValidateKeyName(std::string_view name);

// SHA-256(name || "\n" || type || key)[:4] as a big-endian integer.
uint32_t ComputeKeyId(std::string_view name, uint8_t type, ByteSpan key);

// A public key that can check signatures: parsed from a verifier key string.
class VerifierKey {
 public:
  // Strict parse of "<name>+<hex8>+<base64>". Errors: InvalidArgument for any
  // malformed part, for a key ID that does not match the key, or for a key
  // type other than 0x01 / 0x04.
  static Result<VerifierKey> Parse(std::string_view vkey);
  // Computes the key ID. REQUIRES: ValidateKeyName(name).ok().
  static VerifierKey FromPublicKey(std::string name, KeyType type, const PublicKey& key);

  const std::string& name() const { return name_; }
  uint32_t key_id() const { return key_id_; }
  KeyType type() const { return type_; }
  const PublicKey& public_key() const { return key_; }

  // Canonical verifier key string; Parse(ToString()) == *this.
  std::string ToString() const;

  // Plain Ed25519 check of `signature` (64 bytes; any other length fails)
  // over `message`, with this key whatever its type. For a note signature that
  // is the whole check (type kEd25519); a cosignature (kCosignatureV1) signs a
  // different message: use VerifyCosignature in ledger/cosignature.h.
  bool VerifyEd25519(ByteSpan message, ByteSpan signature) const;

  friend bool operator==(const VerifierKey&, const VerifierKey&) = default;

 private:
  std::string name_;
  uint32_t key_id_ = 0;
  KeyType type_ = KeyType::kEd25519;
  PublicKey key_{};
};

// A private Ed25519 key. The secret lives in sodium_malloc'd memory (guarded,
// mlocked where possible) and is zeroed when the last copy is destroyed.
class SigningKey {
 public:
  // A fresh random key. Errors: InvalidArgument (bad name or type),
  // ResourceExhausted (no secure memory), Internal (libsodium).
  static Result<SigningKey> Generate(std::string_view name, KeyType type = KeyType::kEd25519);
  // Deterministic key from a 32-byte seed (test vectors, key files). Errors as
  // Generate, plus InvalidArgument for a seed that is not 32 bytes.
  static Result<SigningKey> FromSeed(std::string_view name, ByteSpan seed,
                                     KeyType type = KeyType::kEd25519);
  // Strict parse of "PRIVATE+KEY+<name>+<hex8>+<base64(type||seed)>" (trailing
  // newline not allowed; strip it before calling); type 0x01 or 0x04; the key
  // ID must match the derived public key. Errors: InvalidArgument whose
  // message never contains any part of the input.
  static Result<SigningKey> ParsePrivateKey(std::string_view text);
  // The private key string, for writing to a 0600 file.
  std::string PrivateKeyString() const;

  const std::string& name() const { return verifier_.name(); }
  uint32_t key_id() const { return verifier_.key_id(); }
  const VerifierKey& verifier() const { return verifier_; }

  // Ed25519 signature (64 bytes) over `message`. Deterministic.
  std::array<uint8_t, kEd25519SignatureSize> SignEd25519(ByteSpan message) const;

 private:
  struct Secret;
  SigningKey(VerifierKey verifier, std::shared_ptr<Secret> secret);
  VerifierKey verifier_;
  std::shared_ptr<Secret> secret_;
};

}  // namespace ltl::ledger

#endif  // LTL_LEDGER_KEYS_H_
