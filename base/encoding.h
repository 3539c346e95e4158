// Byte encodings shared by every layer: hex, base64, big-endian integers and
// canonical decimal numbers.
//
// Every decoder here is *strict*: it accepts exactly one spelling of each value
// and rejects everything else (upper-case hex, missing or extra base64 padding,
// non-zero unused base64 bits, leading zeros in decimals, overflow). Two
// encodings of one statement must never both verify (STYLE.md habit 7).
// Thread-safety: all functions are pure.
#ifndef LTL_BASE_ENCODING_H_
#define LTL_BASE_ENCODING_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace ltl {

using Bytes = std::vector<uint8_t>;
using ByteSpan = std::span<const uint8_t>;

inline ByteSpan AsBytes(std::string_view s) {
  return ByteSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
inline std::string_view AsChars(ByteSpan b) {
  return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
}

// Lower-case hex.
std::string HexEncode(ByteSpan data);
// Accepts lower-case hex of even length only.
Result<Bytes> HexDecode(std::string_view hex);

// RFC 4648 section 4 base64 with padding (the "standard" alphabet used by
// signed notes and checkpoints).
std::string Base64Encode(ByteSpan data);
// The same, appended to `out` (one resize, no temporary string).
void AppendBase64(std::string& out, ByteSpan data);
// Rejects: characters outside the alphabet, length not a multiple of 4, padding
// anywhere but the end, non-zero bits in the unused part of the last symbol.
Result<Bytes> Base64Decode(std::string_view b64);

// Canonical unsigned decimal: "0" or [1-9][0-9]*, at most 2^64-1.
Result<uint64_t> ParseDecimalU64(std::string_view s);
std::string FormatDecimalU64(uint64_t v);

// Big-endian fixed-width integers (storage keys, bundles, cosignatures).
inline void PutBigEndian16(uint8_t* out, uint16_t v) {
  out[0] = static_cast<uint8_t>(v >> 8);
  out[1] = static_cast<uint8_t>(v);
}
inline void PutBigEndian64(uint8_t* out, uint64_t v) {
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<uint8_t>(v);
    v >>= 8;
  }
}
inline void PutBigEndian32(uint8_t* out, uint32_t v) {
  for (int i = 3; i >= 0; --i) {
    out[i] = static_cast<uint8_t>(v);
    v >>= 8;
  }
}
inline uint16_t GetBigEndian16(const uint8_t* in) {
  return static_cast<uint16_t>((uint16_t{in[0]} << 8) | in[1]);
}
inline uint32_t GetBigEndian32(const uint8_t* in) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | in[i];
  return v;
}
inline uint64_t GetBigEndian64(const uint8_t* in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | in[i];
  return v;
}
inline void AppendBigEndian64(Bytes& out, uint64_t v) {
  size_t at = out.size();
  out.resize(at + 8);
  PutBigEndian64(out.data() + at, v);
}

}  // namespace ltl

#endif  // LTL_BASE_ENCODING_H_
