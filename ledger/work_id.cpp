#include "ledger/work_id.h"

#include <algorithm>
#include <array>

namespace ltl::ledger {
namespace {

constexpr std::array<std::string_view, 10> kSchemeNames = {
    "iscc", "isrc", "iswc", "isbn", "issn", "doi", "isan", "eidr", "url", "sha256",
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsAlpha(char c) { return IsUpper(c) || IsLower(c); }
bool IsUpperHex(char c) { return IsDigit(c) || (c >= 'A' && c <= 'F'); }
bool IsLowerHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f'); }
char ToUpper(char c) { return IsLower(c) ? static_cast<char>(c - 'a' + 'A') : c; }
char ToLower(char c) { return IsUpper(c) ? static_cast<char>(c - 'A' + 'a') : c; }
// Printable ASCII other than space.
bool IsVisibleAscii(char c) { return c > 0x20 && c < 0x7f; }

Status Bad(std::string_view scheme, std::string_view why) {
  return Status::InvalidArgument("work id " + std::string(scheme) + ": " + std::string(why));
}

std::string Strip(std::string_view s, char drop) {
  std::string out(s.size(), '\0');
  size_t n = 0;
  for (char c : s) {
    if (c != drop) out[n++] = c;
  }
  out.resize(n);
  return out;
}

// Digits separated by single hyphens, no hyphen first or last.
bool IsHyphenatedDigits(std::string_view s, bool allow_final_x) {
  if (s.empty() || s.front() == '-' || s.back() == '-') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '-') {
      if (s[i - 1] == '-') return false;
    } else if (!IsDigit(c) && !(allow_final_x && c == 'X' && i + 1 == s.size())) {
      return false;
    }
  }
  return true;
}

char Isbn13Check(std::string_view first12) {
  int sum = 0;
  for (size_t i = 0; i < 12; ++i) sum += (first12[i] - '0') * (i % 2 == 0 ? 1 : 3);
  return static_cast<char>('0' + (10 - sum % 10) % 10);
}

bool IsValidIsbn10(std::string_view d) {
  int sum = 0;
  for (size_t i = 0; i < 10; ++i) {
    const int v = d[i] == 'X' ? 10 : d[i] - '0';
    sum += v * static_cast<int>(10 - i);
  }
  return sum % 11 == 0;
}

Status CheckIscc(std::string_view v) {
  if (v.size() < 16 || v.size() > 96) return Bad("iscc", "want 16..96 base32 characters");
  for (char c : v) {
    if (!IsUpper(c) && !(c >= '2' && c <= '7')) return Bad("iscc", "want upper-case base32");
  }
  return Status::Ok();
}

Status CheckIsrc(std::string_view v) {
  std::string_view compact = v;
  std::string stripped;
  if (v.size() == 15) {
    if (v[2] != '-' || v[6] != '-' || v[9] != '-') return Bad("isrc", "want CC-XXX-YY-NNNNN");
    stripped = Strip(v, '-');
    compact = stripped;
  }
  if (compact.size() != 12) return Bad("isrc", "want 12 characters, or 15 with hyphens");
  bool ok = IsAlpha(compact[0]) && IsAlpha(compact[1]);
  for (size_t i = 2; i < 5; ++i) ok = ok && (IsAlpha(compact[i]) || IsDigit(compact[i]));
  for (size_t i = 5; i < 12; ++i) ok = ok && IsDigit(compact[i]);
  if (!ok) return Bad("isrc", "want 2 letters, 3 letters or digits, 7 digits");
  return Status::Ok();
}

// Returns the 10 digits after "T" of a valid ISWC, or an error.
Result<std::string> IswcDigits(std::string_view v) {
  std::string digits;
  if (v.size() == 11 && v[0] == 'T') {
    digits = std::string(v.substr(1));
  } else if (v.size() == 15 && v[0] == 'T' && v[1] == '-' && v[5] == '.' && v[9] == '.' &&
             v[13] == '-') {
    digits = Strip(Strip(v.substr(2), '.'), '-');
  } else {
    return Bad("iswc", "want T1234567890 or T-123.456.789-0");
  }
  if (digits.size() != 10 || !std::all_of(digits.begin(), digits.end(), IsDigit)) {
    return Bad("iswc", "want T followed by 10 digits");
  }
  int sum = 1;
  for (size_t i = 0; i < 9; ++i) sum += static_cast<int>(i + 1) * (digits[i] - '0');
  if ((10 - sum % 10) % 10 != digits[9] - '0') return Bad("iswc", "check digit mismatch");
  return digits;
}

// Returns the ISBN-13 digits of a valid ISBN, or an error.
Result<std::string> Isbn13(std::string_view v) {
  if (!IsHyphenatedDigits(v, /*allow_final_x=*/true)) {
    return Bad("isbn", "want digits separated by single hyphens");
  }
  const std::string d = Strip(v, '-');
  if (d.size() == 13) {
    if (d.back() == 'X') return Bad("isbn", "X is only an ISBN-10 check character");
    if (d.compare(0, 3, "978") != 0 && d.compare(0, 3, "979") != 0) {
      return Bad("isbn", "ISBN-13 must start with 978 or 979");
    }
    if (Isbn13Check(d) != d[12]) return Bad("isbn", "check digit mismatch");
    return d;
  }
  if (d.size() == 10) {
    if (!IsValidIsbn10(d)) return Bad("isbn", "check digit mismatch");
    std::string d13 = "978" + d.substr(0, 9);
    d13 += Isbn13Check(d13);
    return d13;
  }
  return Bad("isbn", "want 10 or 13 digits");
}

Status CheckIssn(std::string_view v) {
  if (v.size() != 9 || v[4] != '-') return Bad("issn", "want NNNN-NNNC");
  const std::string d = Strip(v, '-');
  int sum = 0;
  for (size_t i = 0; i < 7; ++i) {
    if (!IsDigit(d[i])) return Bad("issn", "want NNNN-NNNC");
    sum += (d[i] - '0') * static_cast<int>(8 - i);
  }
  const int check = (11 - sum % 11) % 11;
  const char want = check == 10 ? 'X' : static_cast<char>('0' + check);
  if (d[7] != want) return Bad("issn", "check digit mismatch");
  return Status::Ok();
}

Status CheckDoi(std::string_view v, std::string_view scheme) {
  const size_t slash = v.find('/');
  if (v.substr(0, 3) != "10." || slash == std::string_view::npos || slash + 1 == v.size()) {
    return Bad(scheme, "want 10.<registrant>/<suffix>");
  }
  // Registrant: digit groups separated by single dots.
  const std::string_view registrant = v.substr(3, slash - 3);
  if (registrant.empty() || registrant.front() == '.' || registrant.back() == '.') {
    return Bad(scheme, "bad registrant code");
  }
  for (size_t i = 0; i < registrant.size(); ++i) {
    const char c = registrant[i];
    if (!(IsDigit(c) || (c == '.' && registrant[i - 1] != '.'))) {
      return Bad(scheme, "bad registrant code");
    }
  }
  if (!std::all_of(v.begin(), v.end(), IsVisibleAscii)) {
    return Bad(scheme, "want printable ASCII without spaces");
  }
  return Status::Ok();
}

// Checks "XXXX-XXXX-...-XXXX" (groups of 4 upper-case hex) and returns the hex.
bool HexGroups(std::string_view s, size_t groups, std::string& hex) {
  if (s.size() != groups * 5 - 1) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i % 5 == 4) {
      if (s[i] != '-') return false;
    } else if (!IsUpperHex(s[i])) {
      return false;
    } else {
      hex += s[i];
    }
  }
  return true;
}

Status CheckIsan(std::string_view v) {
  // XXXX-XXXX-XXXX-XXXX-C[-XXXX-XXXX-C]
  std::string hex;
  if ((v.size() != 21 && v.size() != 33) || !HexGroups(v.substr(0, 19), 4, hex) || v[19] != '-') {
    return Bad("isan", "want XXXX-XXXX-XXXX-XXXX-C or the V-ISAN form");
  }
  if (detail::Iso7064Mod3736Check(hex) != v[20]) return Bad("isan", "check character mismatch");
  if (v.size() == 33) {
    if (v[21] != '-' || !HexGroups(v.substr(22, 9), 2, hex) || v[31] != '-') {
      return Bad("isan", "want XXXX-XXXX-XXXX-XXXX-C-XXXX-XXXX-C");
    }
    if (detail::Iso7064Mod3736Check(hex) != v[32]) {
      return Bad("isan", "version check character mismatch");
    }
  }
  return Status::Ok();
}

Status CheckEidr(std::string_view v) {
  constexpr std::string_view kPrefix = "10.5240/";
  std::string hex;
  if (v.size() != kPrefix.size() + 26 || v.substr(0, kPrefix.size()) != kPrefix ||
      !HexGroups(v.substr(kPrefix.size(), 24), 5, hex) || v[kPrefix.size() + 24] != '-') {
    return Bad("eidr", "want 10.5240/XXXX-XXXX-XXXX-XXXX-XXXX-C");
  }
  if (detail::Iso7064Mod3736Check(hex) != v.back()) {
    return Bad("eidr", "check character mismatch");
  }
  return Status::Ok();
}

Status CheckUrl(std::string_view v) { return ValidateHttpUrl(v); }

Status CheckSha256(std::string_view v) {
  if (v.size() != 64 || !std::all_of(v.begin(), v.end(), IsLowerHex)) {
    return Bad("sha256", "want 64 lower-case hex digits");
  }
  return Status::Ok();
}

}  // namespace

Status ValidateHttpUrl(std::string_view v) {
  const size_t host_start = v.substr(0, 8) == "https://" ? 8 : v.substr(0, 7) == "http://" ? 7 : 0;
  if (host_start == 0) return Status::InvalidArgument("url: want http:// or https://");
  if (v.size() == host_start || v[host_start] == '/') {
    return Status::InvalidArgument("url: missing host");
  }
  if (!std::all_of(v.begin(), v.end(), IsVisibleAscii)) {
    return Status::InvalidArgument("url: want printable ASCII without spaces");
  }
  return Status::Ok();
}

namespace detail {

char Iso7064Mod3736Check(std::string_view s) {
  // Hybrid system, ISO/IEC 7064 section 9 with M = 36.
  constexpr int kM = 36;
  int p = kM;
  for (char c : s) {
    int v;
    if (IsDigit(c)) {
      v = c - '0';
    } else if (IsUpper(c)) {
      v = c - 'A' + 10;
    } else {
      return '\0';
    }
    p = (p + v) % kM;
    if (p == 0) p = kM;
    p = (p * 2) % (kM + 1);
  }
  const int check = (kM + 1 - p) % kM;
  return static_cast<char>(check < 10 ? '0' + check : 'A' + check - 10);
}

}  // namespace detail

std::string_view WorkSchemeName(WorkScheme scheme) {
  return kSchemeNames[static_cast<size_t>(scheme)];
}

Result<WorkId> ParseWorkId(std::string_view text) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) return Status::InvalidArgument("work id: want scheme:value");
  const std::string_view name = text.substr(0, colon);
  const auto it = std::find(kSchemeNames.begin(), kSchemeNames.end(), name);
  if (it == kSchemeNames.end()) {
    return Status::InvalidArgument("work id: unknown scheme '" + std::string(name) + "'");
  }
  WorkId id{static_cast<WorkScheme>(it - kSchemeNames.begin()),
            std::string(text.substr(colon + 1))};
  const std::string_view v = id.value;
  switch (id.scheme) {
    case WorkScheme::kIscc:
      LTL_RETURN_IF_ERROR(CheckIscc(v));
      break;
    case WorkScheme::kIsrc:
      LTL_RETURN_IF_ERROR(CheckIsrc(v));
      break;
    case WorkScheme::kIswc:
      LTL_RETURN_IF_ERROR(IswcDigits(v).error());
      break;
    case WorkScheme::kIsbn:
      LTL_RETURN_IF_ERROR(Isbn13(v).error());
      break;
    case WorkScheme::kIssn:
      LTL_RETURN_IF_ERROR(CheckIssn(v));
      break;
    case WorkScheme::kDoi:
      LTL_RETURN_IF_ERROR(CheckDoi(v, "doi"));
      break;
    case WorkScheme::kIsan:
      LTL_RETURN_IF_ERROR(CheckIsan(v));
      break;
    case WorkScheme::kEidr:
      LTL_RETURN_IF_ERROR(CheckEidr(v));
      break;
    case WorkScheme::kUrl:
      LTL_RETURN_IF_ERROR(CheckUrl(v));
      break;
    case WorkScheme::kSha256:
      LTL_RETURN_IF_ERROR(CheckSha256(v));
      break;
  }
  return id;
}

std::string FormatWorkId(const WorkId& id) {
  return std::string(WorkSchemeName(id.scheme)) + ":" + id.value;
}

std::string NormaliseWorkId(const WorkId& id) {
  std::string value;
  switch (id.scheme) {
    case WorkScheme::kIsrc:
      for (char c : id.value) {
        if (c != '-') value += ToUpper(c);
      }
      break;
    case WorkScheme::kIswc:
      value = "T" + IswcDigits(id.value).value_or(std::string());
      break;
    case WorkScheme::kIsbn:
      value = Isbn13(id.value).value_or(std::string());
      break;
    case WorkScheme::kDoi:
      for (char c : id.value) value += ToLower(c);
      break;
    case WorkScheme::kUrl: {
      // Lower-case the scheme and the authority (up to the first / ? or #).
      const size_t host_start = id.value.find("://") + 3;
      const size_t host_end = id.value.find_first_of("/?#", host_start);
      value = id.value;
      std::transform(value.begin(),
                     value.begin() + static_cast<std::ptrdiff_t>(std::min(host_end, value.size())),
                     value.begin(), ToLower);
      break;
    }
    case WorkScheme::kIscc:
    case WorkScheme::kIssn:
    case WorkScheme::kIsan:
    case WorkScheme::kEidr:
    case WorkScheme::kSha256:
      value = id.value;  // one spelling only: already normal
      break;
  }
  return std::string(WorkSchemeName(id.scheme)) + ":" + value;
}

}  // namespace ltl::ledger
