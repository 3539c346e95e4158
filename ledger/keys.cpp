#include "ledger/keys.h"

#include <sodium.h>

#include <cstring>
#include <mutex>

#include "ledger/utf8.h"
#include "proofs/hash.h"

namespace ltl::ledger {
namespace {

constexpr std::string_view kPrivateKeyPrefix = "PRIVATE+KEY+";
constexpr size_t kKeyIdHexSize = 8;
// type byte || 32-byte key (or seed), as carried in the base64 part of both
// key strings.
constexpr size_t kTypedKeySize = 1 + kEd25519PublicKeySize;

bool IsSupportedType(uint8_t type) {
  return type == static_cast<uint8_t>(KeyType::kEd25519) ||
         type == static_cast<uint8_t>(KeyType::kCosignatureV1);
}

// Exactly eight lower-case hex digits, as both key strings write the ID.
Result<uint32_t> ParseKeyIdHex(std::string_view hex) {
  if (hex.size() != kKeyIdHexSize) return Status::InvalidArgument("key ID is not 8 hex digits");
  // As HexDecode (lower-case digits only), without its buffer.
  uint32_t id = 0;
  for (const char c : hex) {
    uint32_t digit;
    if (c >= '0' && c <= '9') {
      digit = static_cast<uint32_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      digit = static_cast<uint32_t>(c - 'a' + 10);
    } else {
      return Status::InvalidArgument("key ID is not lower-case hex");
    }
    id = (id << 4) | digit;
  }
  return id;
}

std::string KeyIdHex(uint32_t id) {
  uint8_t be[4];
  PutBigEndian32(be, id);
  return HexEncode(be);
}

// Splits off the text before the first '+'. Only the leading fields are split
// this way: base64 may itself contain '+'.
bool SplitPlus(std::string_view& rest, std::string_view& field) {
  const size_t plus = rest.find('+');
  if (plus == std::string_view::npos) return false;
  field = rest.substr(0, plus);
  rest.remove_prefix(plus + 1);
  return true;
}

}  // namespace

Status InitCrypto() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] { ok = sodium_init() >= 0; });
  return ok ? Status::Ok() : Status::Internal("libsodium failed to initialise");
}

Status ValidateKeyName(std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("key name is empty");
  std::string_view rest = name;
  while (true) {
    // Printable ASCII other than '+' and ' ' is always fine: skip it quickly
    // and decode only what may be rejected or is not ASCII.
    size_t fine = 0;
    while (fine < rest.size() && rest[fine] > ' ' && rest[fine] < 0x7f && rest[fine] != '+') {
      ++fine;
    }
    rest.remove_prefix(fine);
    if (rest.empty()) return Status::Ok();
    auto cp = detail::DecodeUtf8(rest);
    if (!cp) return Status::InvalidArgument("key name is not valid UTF-8");
    if (cp->value == U'+') return Status::InvalidArgument("key name contains '+'");
    if (detail::IsUnicodeSpace(cp->value)) {
      return Status::InvalidArgument("key name contains white space");
    }
    // Not in Go's rule, but a name with a control character could never appear
    // on a signature line of a well-formed note, so such a key is useless.
    if (cp->value < 0x20) return Status::InvalidArgument("key name contains a control character");
    rest.remove_prefix(cp->length);
  }
}

uint32_t ComputeKeyId(std::string_view name, uint8_t type, ByteSpan key) {
  static constexpr uint8_t kNewline[1] = {'\n'};
  const uint8_t type_byte[1] = {type};
  const ByteSpan parts[4] = {AsBytes(name), ByteSpan(kNewline), ByteSpan(type_byte), key};
  const proofs::Hash digest = proofs::Sha256Concat(parts);
  return GetBigEndian32(digest.data());
}

// ---------------------------------------------------------------------------
// VerifierKey

Result<VerifierKey> VerifierKey::Parse(std::string_view vkey) {
  std::string_view rest = vkey;
  std::string_view name, id_hex;
  if (!SplitPlus(rest, name) || !SplitPlus(rest, id_hex)) {
    return Status::InvalidArgument("verifier key: want <name>+<key ID>+<base64 key>");
  }
  LTL_RETURN_IF_ERROR(ValidateKeyName(name).WithContext("verifier key"));
  LTL_ASSIGN_OR_RETURN(uint32_t key_id, ParseKeyIdHex(id_hex));
  auto typed_key = Base64Decode(rest);
  if (!typed_key) return typed_key.error().WithContext("verifier key");
  if (typed_key->empty()) return Status::InvalidArgument("verifier key: empty key");
  const uint8_t type = (*typed_key)[0];
  if (!IsSupportedType(type)) {
    return Status::InvalidArgument("verifier key: unsupported key type (want 0x01 or 0x04)");
  }
  if (typed_key->size() != kTypedKeySize) {
    return Status::InvalidArgument("verifier key: Ed25519 public key is not 32 bytes");
  }
  const ByteSpan public_key = ByteSpan(*typed_key).subspan(1);
  if (ComputeKeyId(name, type, public_key) != key_id) {
    return Status::InvalidArgument("verifier key: key ID does not match name and key");
  }
  // The key ID was just checked: set it rather than hash again (FromPublicKey).
  VerifierKey v;
  v.name_ = std::string(name);
  v.key_id_ = key_id;
  v.type_ = static_cast<KeyType>(type);
  std::memcpy(v.key_.data(), public_key.data(), v.key_.size());
  return v;
}

VerifierKey VerifierKey::FromPublicKey(std::string name, KeyType type, const PublicKey& key) {
  VerifierKey v;
  v.key_id_ = ComputeKeyId(name, static_cast<uint8_t>(type), key);
  v.name_ = std::move(name);
  v.type_ = type;
  v.key_ = key;
  return v;
}

std::string VerifierKey::ToString() const {
  uint8_t typed_key[kTypedKeySize];
  typed_key[0] = static_cast<uint8_t>(type_);
  std::memcpy(typed_key + 1, key_.data(), key_.size());
  const std::string id_hex = KeyIdHex(key_id_);
  const std::string key_b64 = Base64Encode(typed_key);
  std::string out;
  out.reserve(name_.size() + 1 + id_hex.size() + 1 + key_b64.size());
  out += name_;
  out += '+';
  out += id_hex;
  out += '+';
  out += key_b64;
  return out;
}

bool VerifierKey::VerifyEd25519(ByteSpan message, ByteSpan signature) const {
  if (signature.size() != kEd25519SignatureSize) return false;
  if (!InitCrypto().ok()) return false;
  return crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                     key_.data()) == 0;
}

// ---------------------------------------------------------------------------
// SigningKey

// The libsodium secret key (seed || public key, 64 bytes) in sodium_malloc'd
// memory: guard pages around it, mlock'ed where the OS allows (so it is not
// swapped out), and wiped before release.
struct SigningKey::Secret {
  static constexpr size_t kSize = crypto_sign_SECRETKEYBYTES;
  unsigned char* bytes = nullptr;

  Secret() = default;
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;
  ~Secret() {
    if (bytes != nullptr) {
      sodium_memzero(bytes, kSize);
      sodium_free(bytes);  // also unlocks
    }
  }
};

SigningKey::SigningKey(VerifierKey verifier, std::shared_ptr<Secret> secret)
    : verifier_(std::move(verifier)), secret_(std::move(secret)) {}

Result<SigningKey> SigningKey::Generate(std::string_view name, KeyType type) {
  LTL_RETURN_IF_ERROR(InitCrypto());
  // The seed gets the same protection as the key it becomes.
  auto* seed = static_cast<unsigned char*>(sodium_malloc(kEd25519SeedSize));
  if (seed == nullptr) return Status::ResourceExhausted("signing key: sodium_malloc failed");
  randombytes_buf(seed, kEd25519SeedSize);
  Result<SigningKey> key = FromSeed(name, ByteSpan(seed, kEd25519SeedSize), type);
  sodium_memzero(seed, kEd25519SeedSize);
  sodium_free(seed);
  return key;
}

Result<SigningKey> SigningKey::FromSeed(std::string_view name, ByteSpan seed, KeyType type) {
  LTL_RETURN_IF_ERROR(InitCrypto());
  LTL_RETURN_IF_ERROR(ValidateKeyName(name).WithContext("signing key"));
  if (!IsSupportedType(static_cast<uint8_t>(type))) {
    return Status::InvalidArgument("signing key: unsupported key type");
  }
  if (seed.size() != kEd25519SeedSize) {
    return Status::InvalidArgument("signing key: seed is not 32 bytes");
  }
  auto secret = std::make_shared<Secret>();
  secret->bytes = static_cast<unsigned char*>(sodium_malloc(Secret::kSize));
  if (secret->bytes == nullptr) {
    return Status::ResourceExhausted("signing key: sodium_malloc failed");
  }
  PublicKey public_key;
  if (crypto_sign_seed_keypair(public_key.data(), secret->bytes, seed.data()) != 0) {
    return Status::Internal("signing key: crypto_sign_seed_keypair failed");
  }
  return SigningKey(VerifierKey::FromPublicKey(std::string(name), type, public_key),
                    std::move(secret));
}

Result<SigningKey> SigningKey::ParsePrivateKey(std::string_view text) {
  // Error messages below are fixed strings on purpose: echoing any part of the
  // input could put the seed in a log.
  if (!text.starts_with(kPrivateKeyPrefix)) {
    return Status::InvalidArgument("private key: does not start with PRIVATE+KEY+");
  }
  std::string_view rest = text.substr(kPrivateKeyPrefix.size());
  std::string_view name, id_hex;
  if (!SplitPlus(rest, name) || !SplitPlus(rest, id_hex)) {
    return Status::InvalidArgument("private key: want PRIVATE+KEY+<name>+<key ID>+<base64 seed>");
  }
  if (!ValidateKeyName(name).ok()) return Status::InvalidArgument("private key: invalid key name");
  auto key_id = ParseKeyIdHex(id_hex);
  if (!key_id) return Status::InvalidArgument("private key: key ID is not 8 lower-case hex digits");
  auto typed_seed = Base64Decode(rest);
  if (!typed_seed) return Status::InvalidArgument("private key: key is not canonical base64");

  Result<SigningKey> key = Status::InvalidArgument("private key: want type byte || 32-byte seed");
  if (typed_seed->size() == kTypedKeySize && IsSupportedType((*typed_seed)[0])) {
    key = FromSeed(name, ByteSpan(*typed_seed).subspan(1), static_cast<KeyType>((*typed_seed)[0]));
  }
  sodium_memzero(typed_seed->data(), typed_seed->size());
  if (!key) return key;
  // The ID names the public key, so it can only be checked after derivation.
  if (key->key_id() != *key_id) {
    return Status::InvalidArgument("private key: key ID does not match name and key");
  }
  return key;
}

std::string SigningKey::PrivateKeyString() const {
  uint8_t typed_seed[kTypedKeySize];
  typed_seed[0] = static_cast<uint8_t>(verifier_.type());
  crypto_sign_ed25519_sk_to_seed(typed_seed + 1, secret_->bytes);
  std::string out = std::string(kPrivateKeyPrefix) + name() + "+" + KeyIdHex(key_id()) + "+" +
                    Base64Encode(typed_seed);
  sodium_memzero(typed_seed, sizeof(typed_seed));
  return out;
}

std::array<uint8_t, kEd25519SignatureSize> SigningKey::SignEd25519(ByteSpan message) const {
  std::array<uint8_t, kEd25519SignatureSize> signature;
  crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(), secret_->bytes);
  return signature;
}

}  // namespace ltl::ledger
