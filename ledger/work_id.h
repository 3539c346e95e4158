// Work identifiers: `<scheme>:<value>` naming a creative work in grants,
// usage lines and reservations.
//
// The text is stored exactly as written (so an entry's text round-trips); the
// normalised form, used by indexes and monitors to match works, is separate.
// Per-scheme syntax (docs/entries.md, section 3.5):
//   iscc    ISCC code body, base32 upper-case [A-Z2-7], 16..96 characters
//           (the "ISCC:" prefix is not repeated: iscc:KACYPXW445FTYNJ3)
//   isrc    CCXXXYYNNNNN or CC-XXX-YY-NNNNN; letters in any case
//           -> upper case without hyphens
//   iswc    T + 9 digits + check digit, as T1234567890 or T-123.456.789-0
//           -> T + 10 digits
//   isbn    ISBN-13 (978/979) or ISBN-10 (check X allowed), digits optionally
//           separated by single hyphens -> 13 digits, no hyphens
//   issn    NNNN-NNNC (C a digit or X) -> as written
//   doi     10.<digits>[.<digits>...]/<suffix>, printable ASCII without
//           spaces -> ASCII lower case (DOIs are case-insensitive)
//   isan    16 hex digits in four hyphenated groups + check character, or
//           the V-ISAN form with a version part and second check character,
//           upper-case -> as written
//   eidr    10.5240/XXXX-XXXX-XXXX-XXXX-XXXX-C (EIDR DOI) -> as written
//   url     http:// or https:// URL pattern (RFC 9309 `*` and `$` allowed),
//           printable ASCII without spaces -> scheme and host lower case
//   sha256  64 lower-case hex digits of the file's SHA-256 -> as written
// Check digits (ISWC, ISBN, ISSN, ISAN, EIDR) are verified.
// Thread-safety: value types and pure functions.
#ifndef LTL_LEDGER_WORK_ID_H_
#define LTL_LEDGER_WORK_ID_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace ltl::ledger {

enum class WorkScheme : uint8_t {
  kIscc,
  kIsrc,
  kIswc,
  kIsbn,
  kIssn,
  kDoi,
  kIsan,
  kEidr,
  kUrl,
  kSha256,
};

std::string_view WorkSchemeName(WorkScheme scheme);

struct WorkId {
  WorkScheme scheme = WorkScheme::kSha256;
  std::string value;  // after "<scheme>:", exactly as written

  friend bool operator==(const WorkId&, const WorkId&) = default;
};

// Strict parse of "<scheme>:<value>". Errors: InvalidArgument naming the rule.
Result<WorkId> ParseWorkId(std::string_view text);
// "<scheme>:<value>" as written; ParseWorkId(FormatWorkId(w)) == w.
std::string FormatWorkId(const WorkId& id);
// "<scheme>:<normalised value>". Two identifiers name the same work exactly
// when their normalised forms are equal.
// REQUIRES: `id` came from ParseWorkId (or satisfies its rules).
std::string NormaliseWorkId(const WorkId& id);

// Checks an http:// or https:// URL (or RFC 9309 URL pattern) as entry texts
// carry them: a host, printable ASCII, no spaces. Errors: InvalidArgument.
Status ValidateHttpUrl(std::string_view url);

namespace detail {
// ISO 7064 MOD 37,36 check character over [0-9A-Z] (ISAN, EIDR); '\0' when
// `s` contains another character.
char Iso7064Mod3736Check(std::string_view s);
}  // namespace detail

}  // namespace ltl::ledger

#endif  // LTL_LEDGER_WORK_ID_H_
