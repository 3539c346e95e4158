#include "base/encoding.h"

#include <array>
#include <charconv>

namespace ltl {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> MakeBase64Table() {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 64; ++i) t[static_cast<uint8_t>(kBase64Alphabet[i])] = static_cast<int8_t>(i);
  return t;
}
constexpr auto kBase64Table = MakeBase64Table();

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string HexEncode(ByteSpan data) {
  std::string out;
  out.reserve(data.size() * 2);
  for (uint8_t b : data) {
    out.push_back(kHexDigits[b >> 4]);
    out.push_back(kHexDigits[b & 0xf]);
  }
  return out;
}

Result<Bytes> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) return Status::InvalidArgument("hex: odd length");
  Bytes out(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = HexValue(hex[2 * i]);
    int lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return Status::InvalidArgument("hex: not a lower-case hex digit");
    out[i] = static_cast<uint8_t>((hi << 4) | lo);
  }
  return out;
}

void AppendBase64(std::string& out, ByteSpan data) {
  const size_t at = out.size();
  out.resize(at + (data.size() + 2) / 3 * 4);
  char* p = out.data() + at;
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8) | data[i + 2];
    *p++ = kBase64Alphabet[(v >> 18) & 63];
    *p++ = kBase64Alphabet[(v >> 12) & 63];
    *p++ = kBase64Alphabet[(v >> 6) & 63];
    *p++ = kBase64Alphabet[v & 63];
  }
  size_t rest = data.size() - i;
  if (rest == 1) {
    uint32_t v = uint32_t{data[i]} << 16;
    *p++ = kBase64Alphabet[(v >> 18) & 63];
    *p++ = kBase64Alphabet[(v >> 12) & 63];
    *p++ = '=';
    *p++ = '=';
  } else if (rest == 2) {
    uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8);
    *p++ = kBase64Alphabet[(v >> 18) & 63];
    *p++ = kBase64Alphabet[(v >> 12) & 63];
    *p++ = kBase64Alphabet[(v >> 6) & 63];
    *p++ = '=';
  }
}

std::string Base64Encode(ByteSpan data) {
  std::string out;
  AppendBase64(out, data);
  return out;
}

Result<Bytes> Base64Decode(std::string_view in) {
  if (in.size() % 4 != 0) return Status::InvalidArgument("base64: length not a multiple of 4");
  size_t pad = 0;
  if (!in.empty() && in.back() == '=') pad = (in.size() >= 2 && in[in.size() - 2] == '=') ? 2 : 1;
  Bytes out;
  out.reserve(in.size() / 4 * 3);
  for (size_t i = 0; i < in.size(); i += 4) {
    bool last = i + 4 == in.size();
    int v[4];
    for (int j = 0; j < 4; ++j) {
      char c = in[i + j];
      if (last && c == '=' && j >= 4 - static_cast<int>(pad)) {
        v[j] = 0;
        continue;
      }
      v[j] = kBase64Table[static_cast<uint8_t>(c)];
      if (v[j] < 0) return Status::InvalidArgument("base64: invalid character or padding");
    }
    uint32_t word =
        (uint32_t(v[0]) << 18) | (uint32_t(v[1]) << 12) | (uint32_t(v[2]) << 6) | uint32_t(v[3]);
    out.push_back(static_cast<uint8_t>(word >> 16));
    if (last && pad == 2) {
      if ((word & 0xffff) != 0)
        return Status::InvalidArgument("base64: non-canonical padding bits");
      break;
    }
    out.push_back(static_cast<uint8_t>(word >> 8));
    if (last && pad == 1) {
      if ((word & 0xff) != 0) return Status::InvalidArgument("base64: non-canonical padding bits");
      break;
    }
    out.push_back(static_cast<uint8_t>(word));
  }
  return out;
}

Result<uint64_t> ParseDecimalU64(std::string_view s) {
  if (s.empty()) return Status::InvalidArgument("decimal: empty");
  if (s.size() > 1 && s[0] == '0') return Status::InvalidArgument("decimal: leading zero");
  for (char c : s) {
    if (c < '0' || c > '9') return Status::InvalidArgument("decimal: not a digit");
  }
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) {
    return Status::InvalidArgument("decimal: out of range");
  }
  return v;
}

std::string FormatDecimalU64(uint64_t v) { return std::to_string(v); }

}  // namespace ltl
