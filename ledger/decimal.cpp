#include "ledger/decimal.h"

#include <algorithm>

namespace ltl::ledger {
namespace {

using u128 = unsigned __int128;

constexpr u128 kMaxNano =
    u128{Decimal::kMaxIntegerPart} * Decimal::kUnitsPerOne + (Decimal::kUnitsPerOne - 1);
constexpr size_t kMaxIntegerDigits = 18;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Applies `rounding` to quotient q with remainder r of a division by d.
Result<u128> Round(u128 q, u128 r, u128 d, Rounding rounding) {
  if (r == 0) return q;
  switch (rounding) {
    case Rounding::kExact:
      return Status::InvalidArgument("inexact: result needs more than 9 fractional digits");
    case Rounding::kDown:
      return q;
    case Rounding::kHalfEven: {
      const u128 twice = r * 2;  // r < d <= 10^9 or 2^64: no overflow
      if (twice > d || (twice == d && (q & 1) == 1)) return q + 1;
      return q;
    }
  }
  return Status::Internal("unknown rounding mode");
}

Result<Decimal> Checked(u128 nano) {
  if (nano > kMaxNano) return Status::OutOfRange("decimal result exceeds 18 integer digits");
  return Decimal::FromNanoUnits(nano);
}

}  // namespace

Result<Decimal> Decimal::Parse(std::string_view text) {
  const size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  if (whole.empty()) return Status::InvalidArgument("decimal: missing integer part");
  if (!std::all_of(whole.begin(), whole.end(), IsDigit)) {
    return Status::InvalidArgument("decimal: integer part must be digits only");
  }
  if (whole.size() > 1 && whole[0] == '0') {
    return Status::InvalidArgument("decimal: leading zero");
  }
  if (whole.size() > kMaxIntegerDigits) {
    return Status::InvalidArgument("decimal: more than 18 integer digits");
  }
  u128 nano = 0;
  for (char c : whole) nano = nano * 10 + static_cast<unsigned>(c - '0');
  nano *= kUnitsPerOne;
  if (dot != std::string_view::npos) {
    const std::string_view frac = text.substr(dot + 1);
    if (frac.empty() || frac.size() > kFractionDigits) {
      return Status::InvalidArgument("decimal: fraction must have 1 to 9 digits");
    }
    if (!std::all_of(frac.begin(), frac.end(), IsDigit)) {
      return Status::InvalidArgument("decimal: fraction must be digits only");
    }
    if (frac.back() == '0') return Status::InvalidArgument("decimal: trailing zero in fraction");
    uint64_t f = 0;
    for (size_t i = 0; i < kFractionDigits; ++i) {
      f = f * 10 + (i < frac.size() ? static_cast<unsigned>(frac[i] - '0') : 0);
    }
    nano += f;
  }
  return Decimal(nano);
}

Result<Decimal> Decimal::FromInteger(uint64_t whole) {
  if (whole > kMaxIntegerPart) return Status::OutOfRange("decimal: more than 18 integer digits");
  return Decimal(u128{whole} * kUnitsPerOne);
}

Result<Decimal> Decimal::FromNanoUnits(u128 nano_units) {
  if (nano_units > kMaxNano) return Status::OutOfRange("decimal: more than 18 integer digits");
  return Decimal(nano_units);
}

std::string Decimal::ToString() const {
  const uint64_t whole = static_cast<uint64_t>(nano_ / kUnitsPerOne);
  uint64_t frac = static_cast<uint64_t>(nano_ % kUnitsPerOne);
  std::string out = std::to_string(whole);
  if (frac != 0) {
    std::string digits(kFractionDigits, '0');
    for (int i = kFractionDigits - 1; i >= 0; --i) {
      digits[static_cast<size_t>(i)] = static_cast<char>('0' + frac % 10);
      frac /= 10;
    }
    digits.erase(digits.find_last_not_of('0') + 1);
    out += '.';
    out += digits;
  }
  return out;
}

Result<Decimal> Add(const Decimal& a, const Decimal& b) {
  return Checked(a.nano_units() + b.nano_units());  // both < 2^90: no overflow
}

Result<Decimal> Subtract(const Decimal& a, const Decimal& b) {
  if (b > a) return Status::OutOfRange("decimal: subtraction would go below zero");
  return Decimal::FromNanoUnits(a.nano_units() - b.nano_units());
}

Result<Decimal> Multiply(const Decimal& a, const Decimal& b, Rounding rounding) {
  // Split each operand into whole and nano parts so no partial product
  // exceeds 128 bits:  a*b = ai*bi + (ai*bf + af*bi)/1e9 + af*bf/1e18.
  const u128 one = Decimal::kUnitsPerOne;
  const u128 ai = a.nano_units() / one, af = a.nano_units() % one;
  const u128 bi = b.nano_units() / one, bf = b.nano_units() % one;
  const u128 whole = ai * bi;  // < 10^36 < 2^128
  if (whole > Decimal::kMaxIntegerPart) {
    return Status::OutOfRange("decimal: product exceeds 18 integer digits");
  }
  const u128 tail = af * bf;  // < 10^18, in units of 10^-18
  const u128 truncated = whole * one + ai * bf + af * bi + tail / one;  // < 4 * 10^27
  LTL_ASSIGN_OR_RETURN(u128 rounded, Round(truncated, tail % one, one, rounding));
  return Checked(rounded);
}

Result<Decimal> MultiplyByInteger(const Decimal& a, uint64_t n) {
  const u128 one = Decimal::kUnitsPerOne;
  const u128 ai = a.nano_units() / one;
  if (n != 0 && ai > Decimal::kMaxIntegerPart / n) {
    return Status::OutOfRange("decimal: product exceeds 18 integer digits");
  }
  // a < (kMaxIntegerPart / n + 1) * 1e9, so a * n < 2^128.
  return Checked(a.nano_units() * n);
}

Result<Decimal> DivideByInteger(const Decimal& a, uint64_t n, Rounding rounding) {
  if (n == 0) return Status::InvalidArgument("decimal: division by zero");
  LTL_ASSIGN_OR_RETURN(u128 q, Round(a.nano_units() / n, a.nano_units() % n, n, rounding));
  return Checked(q);
}

}  // namespace ltl::ledger
