// Static code lists that entry values are checked against.
//
// The tables are embedded (no network, no locale) and may only grow: an entry
// already in a log must parse forever, so a code that ISO withdraws stays
// here. Adding a code is backward compatible; removing one is a format break.
// Thread-safety: pure functions over constant tables.
#ifndef LTL_LEDGER_CODES_H_
#define LTL_LEDGER_CODES_H_

#include <span>
#include <string_view>

namespace ltl::ledger {

// ISO 4217 alphabetic codes of circulating currencies (List One as of 2025,
// with recently withdrawn codes kept; no fund, metal or test codes such as
// XAU, XTS, XXX, BOV). Exactly three upper-case ASCII letters.
bool IsCurrencyCode(std::string_view code);
std::span<const std::string_view> CurrencyCodes();

// ISO 3166-1 alpha-2 officially assigned codes (249), plus `EU` (the European
// Union) and `WORLD`. Upper-case only.
bool IsTerritoryCode(std::string_view code);
std::span<const std::string_view> TerritoryCodes();

}  // namespace ltl::ledger

#endif  // LTL_LEDGER_CODES_H_
