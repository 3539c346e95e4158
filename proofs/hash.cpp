#include "proofs/hash.h"

#if LTL_SHA256_SODIUM
#include <sodium.h>
#else
// OpenSSL 3 marks the SHA256_* functions deprecated in favour of EVP, but
// they are the fast path: they call the SHA-NI/AVX block function directly,
// while EVP_Digest and one-shot SHA256() pay for a provider fetch and a
// context allocation per call (3-4x slower for 65-byte inputs; measured in
// bench/proofs_bench.cpp, BM_Sha256Backends).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#endif

#include <cstring>

namespace ltl::proofs {

namespace {

// The one SHA-256 stream every hash below goes through. libsodium's is kept
// buildable (cmake -DLTL_SHA256=sodium) so that the choice stays measured:
// docs/performance.md compares the two on proofs, fsck and monitor replay.
class Sha256Stream {
 public:
#if LTL_SHA256_SODIUM
  Sha256Stream() { crypto_hash_sha256_init(&st_); }
  void Update(const void* data, size_t size) {
    crypto_hash_sha256_update(&st_, static_cast<const unsigned char*>(data), size);
  }
  Hash Final() {
    Hash out;
    crypto_hash_sha256_final(&st_, out.data());
    return out;
  }

 private:
  crypto_hash_sha256_state st_;
#else
  Sha256Stream() { SHA256_Init(&ctx_); }
  void Update(const void* data, size_t size) { SHA256_Update(&ctx_, data, size); }
  Hash Final() {
    Hash out;
    SHA256_Final(out.data(), &ctx_);
    return out;
  }

 private:
  SHA256_CTX ctx_;
#endif
};

}  // namespace

const char* Sha256Implementation() {
#if LTL_SHA256_SODIUM
  return "libsodium";
#else
  return "openssl-libcrypto";
#endif
}

Hash Sha256(ByteSpan data) {
  Sha256Stream s;
  s.Update(data.data(), data.size());
  return s.Final();
}

Hash Sha256Concat(std::span<const ByteSpan> parts) {
  Sha256Stream s;
  for (ByteSpan p : parts) s.Update(p.data(), p.size());
  return s.Final();
}

Hash HashLeaf(ByteSpan leaf) {
  static constexpr uint8_t kLeafPrefix = 0x00;
  Sha256Stream s;
  s.Update(&kLeafPrefix, 1);
  s.Update(leaf.data(), leaf.size());
  return s.Final();
}

Hash HashChildren(const Hash& left, const Hash& right) {
  uint8_t buf[1 + 2 * kHashSize];
  buf[0] = 0x01;
  std::memcpy(buf + 1, left.data(), kHashSize);
  std::memcpy(buf + 1 + kHashSize, right.data(), kHashSize);
  Sha256Stream s;
  s.Update(buf, sizeof(buf));
  return s.Final();
}

const Hash& EmptyRoot() {
  static const Hash kEmpty = Sha256(ByteSpan());
  return kEmpty;
}

Result<Hash> HashFromBytes(ByteSpan bytes) {
  if (bytes.size() != kHashSize) return Status::InvalidArgument("hash: not 32 bytes");
  Hash h;
  std::memcpy(h.data(), bytes.data(), kHashSize);
  return h;
}

std::string HashToHex(const Hash& h) { return HexEncode(h); }

Result<Hash> HashFromHex(std::string_view hex) {
  LTL_ASSIGN_OR_RETURN(Bytes b, HexDecode(hex));
  return HashFromBytes(b);
}

}  // namespace ltl::proofs
