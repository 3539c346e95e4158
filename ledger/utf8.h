// Strict UTF-8 decoding for the text formats in ledger/ (key names, signed
// notes). Internal to ltl_ledger: other layers parse notes, not raw UTF-8.
//
// "Strict" means RFC 3629: no overlong forms, no UTF-16 surrogates
// (U+D800..U+DFFF), nothing above U+10FFFF, no truncated sequences. This is
// the set Go's utf8.DecodeRune accepts, so LTL and Go's sumdb/note agree on
// which notes are well-formed.
// Thread-safety: pure functions.
#ifndef LTL_LEDGER_UTF8_H_
#define LTL_LEDGER_UTF8_H_

#include <cstddef>
#include <optional>
#include <string_view>

namespace ltl::ledger::detail {

struct CodePoint {
  char32_t value;
  size_t length;  // bytes consumed, 1..4
};

// Decodes the code point at the start of `s`; nullopt if `s` is empty or does
// not start with a valid UTF-8 sequence.
std::optional<CodePoint> DecodeUtf8(std::string_view s);

// The number of leading bytes of `s` that are printable ASCII (0x20..0x7e):
// the bytes every text check in ledger/ accepts without decoding. Checks
// skip such runs eight bytes at a time and decide the byte after each run.
size_t PrintableAsciiPrefix(std::string_view s);

// Unicode White_Space, as Go's unicode.IsSpace (the signed-note key name rule):
// \t \n \v \f \r, space, U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028,
// U+2029, U+202F, U+205F, U+3000.
bool IsUnicodeSpace(char32_t c);

}  // namespace ltl::ledger::detail

#endif  // LTL_LEDGER_UTF8_H_
