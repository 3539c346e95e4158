// Exact decimal amounts for money and quantities: never floats.
//
// A Decimal is a non-negative fixed-point number with exactly 9 fractional
// digits (nano-units), held as an unsigned 128-bit count of 10^-9 units.
// Range: 0 .. kMaxIntegerPart.999999999 (integer part at most 18 digits), so
// that every product the monitor forms (price x quantity) fits 128 bits
// before it is checked against the range.
//
// Text form (docs/entries.md, section 3.3 "Decimals"), canonical only:
//   decimal = int [ "." frac ]
//   int     = "0" / %x31-39 *17DIGIT          ; no leading zeros
//   frac    = *8DIGIT %x31-39                 ; 1..9 digits, no trailing zero
// So "1.50", "01", "1.", ".5", "1e3", "+1", "1.0" are rejected, and
// Parse(ToString(x)) == x for every x. The grammar is a subset of DOMAIN.md's
// `^[0-9]+(\.[0-9]{1,9})?$` with exactly one spelling per value.
//
// Arithmetic is exact or says why not: results outside the range are
// OutOfRange; division and multiplication take an explicit Rounding.
// Thread-safety: a value type.
#ifndef LTL_LEDGER_DECIMAL_H_
#define LTL_LEDGER_DECIMAL_H_

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace ltl::ledger {

enum class Rounding {
  kExact,     // a result that needs more than 9 fractional digits is an error
  kDown,      // truncate towards zero
  kHalfEven,  // banker's rounding, the usual rule for money
};

class Decimal {
 public:
  static constexpr int kFractionDigits = 9;
  static constexpr uint64_t kUnitsPerOne = 1'000'000'000;
  static constexpr uint64_t kMaxIntegerPart = 999'999'999'999'999'999;  // 18 digits

  constexpr Decimal() = default;  // zero

  // Strict parse of the canonical text form. Errors: InvalidArgument (with
  // the reason) for any other spelling or a value beyond the range.
  static Result<Decimal> Parse(std::string_view text);
  // A whole number. Errors: OutOfRange above kMaxIntegerPart.
  static Result<Decimal> FromInteger(uint64_t whole);
  // From a count of 10^-9 units. Errors: OutOfRange beyond the range.
  static Result<Decimal> FromNanoUnits(unsigned __int128 nano_units);

  // Canonical text; Parse(ToString()) == *this.
  std::string ToString() const;

  unsigned __int128 nano_units() const { return nano_; }
  bool is_zero() const { return nano_ == 0; }

  friend bool operator==(const Decimal&, const Decimal&) = default;
  friend std::strong_ordering operator<=>(const Decimal& a, const Decimal& b) {
    return a.nano_ <=> b.nano_;
  }

 private:
  explicit constexpr Decimal(unsigned __int128 nano) : nano_(nano) {}
  unsigned __int128 nano_ = 0;
};

// a + b. Errors: OutOfRange when the sum exceeds the range.
Result<Decimal> Add(const Decimal& a, const Decimal& b);
// a - b. Errors: OutOfRange when b > a (amounts are never negative; callers
// comparing owed and paid compare first).
Result<Decimal> Subtract(const Decimal& a, const Decimal& b);
// a x b, e.g. a unit price times a quantity. Errors: OutOfRange beyond the
// range; InvalidArgument under Rounding::kExact when the exact product has
// more than 9 fractional digits.
Result<Decimal> Multiply(const Decimal& a, const Decimal& b, Rounding rounding);
// a x n. Errors: OutOfRange beyond the range.
Result<Decimal> MultiplyByInteger(const Decimal& a, uint64_t n);
// a / n, e.g. a price "per 1m tokens" applied to one token.
// Errors: InvalidArgument for n == 0, or under kExact when inexact.
Result<Decimal> DivideByInteger(const Decimal& a, uint64_t n, Rounding rounding);

}  // namespace ltl::ledger

#endif  // LTL_LEDGER_DECIMAL_H_
