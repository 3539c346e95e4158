// RFC 6962 / RFC 9162 section 2.1 hashing: the only hash function LTL uses.
//
//   leaf hash     = SHA-256(0x00 || leaf bytes)
//   interior hash = SHA-256(0x01 || left || right)
//   empty root    = SHA-256("")
//
// All of LTL's hashing goes through this header so that the SHA-256
// implementation can be swapped: OpenSSL's libcrypto, which uses the CPU's
// SHA extensions where present (about 4x libsodium 1.0.18's portable C for
// tree nodes on this project's machines; docs/performance.md).
// Thread-safety: all functions are pure and thread-safe.
#ifndef LTL_PROOFS_HASH_H_
#define LTL_PROOFS_HASH_H_

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "base/encoding.h"

namespace ltl::proofs {

inline constexpr size_t kHashSize = 32;
using Hash = std::array<uint8_t, kHashSize>;

// Which SHA-256 implementation this build uses (for benchmark reports).
const char* Sha256Implementation();

// Plain SHA-256 of `data`.
Hash Sha256(ByteSpan data);
inline Hash Sha256(std::string_view data) { return Sha256(AsBytes(data)); }

// SHA-256 over the concatenation of `parts` (no copying).
Hash Sha256Concat(std::span<const ByteSpan> parts);

Hash HashLeaf(ByteSpan leaf);
inline Hash HashLeaf(std::string_view leaf) { return HashLeaf(AsBytes(leaf)); }
Hash HashChildren(const Hash& left, const Hash& right);
// Root of the empty tree: SHA-256 of the empty string.
const Hash& EmptyRoot();

// Parses exactly 32 bytes into a Hash.
Result<Hash> HashFromBytes(ByteSpan bytes);
// Lower-case hex, 64 characters.
std::string HashToHex(const Hash& h);
Result<Hash> HashFromHex(std::string_view hex);

}  // namespace ltl::proofs

#endif  // LTL_PROOFS_HASH_H_
