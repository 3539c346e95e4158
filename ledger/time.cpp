#include "ledger/time.h"

#include <cstdio>

#include "base/encoding.h"

namespace ltl::ledger {
namespace {

bool IsLeapYear(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
// days_from_civil, valid for every year we accept).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = y / 400;  // y >= 1969 here, so no negative rounding
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t& y, int& m, int& d) {
  z += 719468;
  const int64_t era = z / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = yoe + era * 400 + (m <= 2 ? 1 : 0);
}

// Reads exactly `width` ASCII digits at `pos`.
bool ReadDigits(std::string_view s, size_t pos, size_t width, int64_t& out) {
  out = 0;
  for (size_t i = 0; i < width; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return true;
}

}  // namespace

Result<Timestamp> ParseTimestamp(std::string_view s) {
  // 0123456789012345678 9
  // YYYY-MM-DDTHH:MM:SSZ
  if (s.size() != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
      s[16] != ':' || s[19] != 'Z') {
    return Status::InvalidArgument("time: want YYYY-MM-DDTHH:MM:SSZ");
  }
  int64_t year, month, day, hour, minute, second;
  if (!ReadDigits(s, 0, 4, year) || !ReadDigits(s, 5, 2, month) || !ReadDigits(s, 8, 2, day) ||
      !ReadDigits(s, 11, 2, hour) || !ReadDigits(s, 14, 2, minute) ||
      !ReadDigits(s, 17, 2, second)) {
    return Status::InvalidArgument("time: want YYYY-MM-DDTHH:MM:SSZ");
  }
  if (year < 1970) return Status::InvalidArgument("time: year before 1970");
  if (month < 1 || month > 12) return Status::InvalidArgument("time: month out of range");
  if (day < 1 || day > DaysInMonth(year, static_cast<int>(month))) {
    return Status::InvalidArgument("time: day out of range for the month");
  }
  if (hour > 23 || minute > 59 || second > 59) {
    return Status::InvalidArgument("time: hour, minute or second out of range");
  }
  const int64_t days = DaysFromCivil(year, month, day);
  return Timestamp{days * 86400 + hour * 3600 + minute * 60 + second};
}

std::string FormatTimestamp(Timestamp t) {
  const int64_t days = t.unix_seconds / 86400;
  const int64_t secs = t.unix_seconds % 86400;
  int64_t year;
  int month, day;
  CivilFromDays(days, year, month, day);
  char buf[64];  // generous: the compiler cannot see the value ranges
  std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02lld:%02lld:%02lldZ",
                static_cast<long long>(year), month, day, static_cast<long long>(secs / 3600),
                static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
  return buf;
}

Result<Duration> ParseDuration(std::string_view s) {
  if (s.size() < 3 || s.front() != 'P') {
    return Status::InvalidArgument("duration: want P<count><D|W|M|Y>");
  }
  Duration d;
  switch (s.back()) {
    case 'D':
      d.unit = DurationUnit::kDay;
      break;
    case 'W':
      d.unit = DurationUnit::kWeek;
      break;
    case 'M':
      d.unit = DurationUnit::kMonth;
      break;
    case 'Y':
      d.unit = DurationUnit::kYear;
      break;
    default:
      return Status::InvalidArgument("duration: unit must be D, W, M or Y");
  }
  auto count = ParseDecimalU64(s.substr(1, s.size() - 2));
  if (!count.has_value() || *count == 0 || *count > kMaxDurationCount) {
    return Status::InvalidArgument("duration: count must be 1..9999 without leading zeros");
  }
  d.count = static_cast<uint32_t>(*count);
  return d;
}

std::string FormatDuration(Duration d) {
  static constexpr char kUnits[] = {'D', 'W', 'M', 'Y'};
  return "P" + std::to_string(d.count) + kUnits[static_cast<int>(d.unit)];
}

}  // namespace ltl::ledger
