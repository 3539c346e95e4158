// Claimed times and durations in entry texts.
//
// Timestamp text (docs/entries.md, section 3.2 "Times"): RFC 3339 in UTC, seconds
// precision, upper-case `T` and `Z`, exactly one spelling:
//   YYYY-MM-DDTHH:MM:SSZ      e.g. 2026-01-02T03:04:05Z
// Years 1970..9999 (no dates before the Unix epoch), real calendar days
// (Gregorian leap years), hours 00..23, minutes and seconds 00..59. Leap
// second 60 is rejected: Unix time cannot represent it, and two texts for one
// instant must never both parse. Offsets other than `Z`, fractions and
// lower-case letters are rejected, not normalised.
//
// Duration text (ISO 8601 subset, for report-every, pay-within, wind-down):
//   "P" count unit   with count = 1..9999 without leading zeros,
//                    unit = "D" (days) / "W" (weeks) / "M" (months) / "Y" (years)
// e.g. P30D, P1M, P1Y. Combined forms (P1Y2M) and times (PT1H) are rejected.
// Thread-safety: value types and pure functions.
#ifndef LTL_LEDGER_TIME_H_
#define LTL_LEDGER_TIME_H_

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace ltl::ledger {

struct Timestamp {
  int64_t unix_seconds = 0;  // seconds since 1970-01-01T00:00:00Z, no leap seconds

  friend bool operator==(const Timestamp&, const Timestamp&) = default;
  friend auto operator<=>(const Timestamp&, const Timestamp&) = default;
};

// The largest representable instant, 9999-12-31T23:59:59Z.
inline constexpr int64_t kMaxTimestampSeconds = 253402300799;

// Strict parse. Errors: InvalidArgument naming the offending part.
Result<Timestamp> ParseTimestamp(std::string_view text);
// REQUIRES: 0 <= t.unix_seconds <= kMaxTimestampSeconds.
std::string FormatTimestamp(Timestamp t);

enum class DurationUnit : uint8_t { kDay, kWeek, kMonth, kYear };

struct Duration {
  uint32_t count = 1;  // 1..9999
  DurationUnit unit = DurationUnit::kDay;

  friend bool operator==(const Duration&, const Duration&) = default;
};

inline constexpr uint32_t kMaxDurationCount = 9999;

// Strict parse. Errors: InvalidArgument.
Result<Duration> ParseDuration(std::string_view text);
// REQUIRES: 1 <= d.count <= kMaxDurationCount.
std::string FormatDuration(Duration d);

}  // namespace ltl::ledger

#endif  // LTL_LEDGER_TIME_H_
