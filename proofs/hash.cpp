#include "proofs/hash.h"

#include <sodium.h>

#include <cstring>

namespace ltl::proofs {

Hash Sha256(ByteSpan data) {
  Hash out;
  crypto_hash_sha256(out.data(), data.data(), data.size());
  return out;
}

Hash Sha256Concat(std::span<const ByteSpan> parts) {
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  for (ByteSpan p : parts) crypto_hash_sha256_update(&st, p.data(), p.size());
  Hash out;
  crypto_hash_sha256_final(&st, out.data());
  return out;
}

Hash HashLeaf(ByteSpan leaf) {
  static constexpr uint8_t kLeafPrefix[1] = {0x00};
  const ByteSpan parts[2] = {ByteSpan(kLeafPrefix), leaf};
  return Sha256Concat(parts);
}

Hash HashChildren(const Hash& left, const Hash& right) {
  uint8_t buf[1 + 2 * kHashSize];
  buf[0] = 0x01;
  std::memcpy(buf + 1, left.data(), kHashSize);
  std::memcpy(buf + 1 + kHashSize, right.data(), kHashSize);
  Hash out;
  crypto_hash_sha256(out.data(), buf, sizeof(buf));
  return out;
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
