#include "ledger/utf8.h"

#include <bit>
#include <cstdint>
#include <cstring>

namespace ltl::ledger::detail {

std::optional<CodePoint> DecodeUtf8(std::string_view s) {
  if (s.empty()) return std::nullopt;
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(s[i]); };
  const uint8_t b0 = byte(0);
  if (b0 < 0x80) return CodePoint{b0, 1};

  // Lead byte -> sequence length and the smallest code point that needs that
  // length (anything smaller is an overlong form).
  size_t length;
  char32_t value;
  char32_t minimum;
  if ((b0 & 0xe0) == 0xc0) {
    length = 2;
    value = b0 & 0x1f;
    minimum = 0x80;
  } else if ((b0 & 0xf0) == 0xe0) {
    length = 3;
    value = b0 & 0x0f;
    minimum = 0x800;
  } else if ((b0 & 0xf8) == 0xf0) {
    length = 4;
    value = b0 & 0x07;
    minimum = 0x10000;
  } else {
    return std::nullopt;  // continuation byte or 0xf8..0xff as a lead byte
  }
  if (s.size() < length) return std::nullopt;
  for (size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xc0) != 0x80) return std::nullopt;
    value = (value << 6) | (byte(i) & 0x3f);
  }
  if (value < minimum || value > 0x10ffff) return std::nullopt;
  if (value >= 0xd800 && value <= 0xdfff) return std::nullopt;
  return CodePoint{value, length};
}

size_t PrintableAsciiPrefix(std::string_view s) {
  size_t i = 0;
  if constexpr (std::endian::native == std::endian::little) {
    // Per byte b of a word, bit 7 of the flags is set if b < 0x20 or b > 0x7e
    // (the "hasless"/"hasmore" bit tricks). Borrows and carries only run from
    // a flagged byte towards higher bytes, so the lowest flag is exact: it
    // is the first byte outside the run (little-endian: lowest = first).
    constexpr uint64_t kOnes = 0x0101010101010101;
    constexpr uint64_t kHigh = 0x8080808080808080;
    for (; i + 8 <= s.size(); i += 8) {
      uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      const uint64_t below_space = (w - kOnes * 0x20) & ~w & kHigh;
      const uint64_t above_tilde = ((w + kOnes * (0x7f - 0x7e)) | w) & kHigh;
      const uint64_t flags = below_space | above_tilde;
      if (flags != 0) return i + static_cast<size_t>(std::countr_zero(flags)) / 8;
    }
  }
  for (; i < s.size(); ++i) {
    const auto b = static_cast<uint8_t>(s[i]);
    if (b < 0x20 || b > 0x7e) break;
  }
  return i;
}

bool IsUnicodeSpace(char32_t c) {
  switch (c) {
    case U'\t':
    case U'\n':
    case U'\v':
    case U'\f':
    case U'\r':
    case U' ':
    case 0x0085:
    case 0x00a0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202f:
    case 0x205f:
    case 0x3000:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200a;
  }
}

}  // namespace ltl::ledger::detail
