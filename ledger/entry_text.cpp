// The line layer of entry texts: encoding, line grammar, field order.
#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>

#include "ledger/entry_fields.h"
#include "ledger/utf8.h"

namespace ltl::ledger {
namespace {

constexpr std::array<std::string_view, 8> kTypeNames = {
    "key", "key-revoke", "licence-grant", "usage", "revoke", "reservation", "payment", "receipt",
};
constexpr std::string_view kTypePrefix = "ltl/";
constexpr std::string_view kTypeVersion = "/v1";

bool IsKeyChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

std::string LineLabel(size_t line) { return "line " + std::to_string(line); }

// Rejects invalid UTF-8, control characters other than "\n" (so CR, TAB, DEL,
// C1 controls) and Unicode spaces other than U+0020: values must not hide
// characters a reader cannot see. On success, `*lines` is the number of "\n".
// Runs of printable ASCII (nearly all of an entry) are skipped eight bytes at
// a time; of the ASCII white space only U+0020 is printable. Only a lead byte
// >= 0x80 goes through the full decoder. Same verdicts as decoding every
// code point (tests/ledger/parse_equivalence_test.cpp).
Status CheckEncoding(std::string_view text, size_t* lines) {
  size_t line = 1;
  std::string_view rest = text;
  while (true) {
    rest.remove_prefix(detail::PrintableAsciiPrefix(rest));
    if (rest.empty()) break;
    const auto b = static_cast<unsigned char>(rest.front());
    if (b == '\n') {
      ++line;
      rest.remove_prefix(1);
      continue;
    }
    if (b == '\r') {
      return detail::Invalid(detail::reason::kBadEncoding,
                             LineLabel(line) + ": carriage return (lines end in \"\\n\" only)");
    }
    if (b < 0x80) {  // the other C0 controls and DEL
      return detail::Invalid(detail::reason::kBadEncoding, LineLabel(line) + ": control character");
    }
    const auto cp = detail::DecodeUtf8(rest);
    if (!cp)
      return detail::Invalid(detail::reason::kBadEncoding, LineLabel(line) + ": invalid UTF-8");
    const char32_t c = cp->value;  // >= 0x80
    if (c <= 0x9f) {
      return detail::Invalid(detail::reason::kBadEncoding, LineLabel(line) + ": control character");
    }
    if (detail::IsUnicodeSpace(c)) {
      return detail::Invalid(detail::reason::kBadEncoding,
                             LineLabel(line) + ": white space other than U+0020");
    }
    rest.remove_prefix(cp->length);
  }
  *lines = line - 1;
  return Status::Ok();
}

Result<EntryType> ParseTypeLine(std::string_view line) {
  if (line.substr(0, kTypePrefix.size()) != kTypePrefix) {
    return detail::Invalid(detail::reason::kBadType, "line 1: want ltl/<type>/v1");
  }
  const std::string_view rest = line.substr(kTypePrefix.size());
  const size_t slash = rest.find('/');
  const std::string_view name = rest.substr(0, slash);
  const auto it = std::find(kTypeNames.begin(), kTypeNames.end(), name);
  if (it == kTypeNames.end()) {
    return detail::Invalid(detail::reason::kBadType,
                           "line 1: unknown entry type '" + std::string(name) + "'");
  }
  if (slash == std::string_view::npos || rest.substr(slash) != kTypeVersion) {
    return detail::Invalid(detail::reason::kBadType, "line 1: unsupported version (want /v1)");
  }
  return static_cast<EntryType>(it - kTypeNames.begin());
}

}  // namespace

std::string_view EntryTypeName(EntryType type) { return kTypeNames[static_cast<size_t>(type)]; }

std::string_view ReasonCode(const Status& status) {
  const std::string& msg = status.message();
  const size_t colon = msg.find(':');
  if (colon == std::string::npos || colon == 0) return {};
  const std::string_view code(msg.data(), colon);
  const bool ok = std::all_of(code.begin(), code.end(),
                              [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
  return ok ? code : std::string_view();
}

namespace detail {

Status Invalid(std::string_view code, std::string_view detail) {
  return Status::InvalidArgument(std::string(code) + ": " + std::string(detail));
}

Status FieldError(std::string_view code, const Field& field, std::string_view detail) {
  return Invalid(
      code, LineLabel(field.line) + " '" + std::string(field.key) + "': " + std::string(detail));
}

Result<LexedText> LexEntryText(std::string_view text) {
  if (text.size() > kMaxEntrySize) {
    return Status::ResourceExhausted(std::string(reason::kTooLarge) + ": entry text is " +
                                     std::to_string(text.size()) + " bytes, limit " +
                                     std::to_string(kMaxEntrySize));
  }
  size_t lines = 0;
  LTL_RETURN_IF_ERROR(CheckEncoding(text, &lines));
  if (text.empty() || text.back() != '\n') {
    return Invalid(reason::kBadLine, "text must end with \"\\n\"");
  }
  LexedText out;
  out.fields.reserve(lines);  // one field per line after the type line
  size_t line_no = 0;
  for (size_t start = 0; start < text.size();) {
    const size_t end = text.find('\n', start);
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (line_no == 1) {
      LTL_ASSIGN_OR_RETURN(out.type, ParseTypeLine(line));
      continue;
    }
    // Built only for an error: most texts have none.
    const auto label = [line_no] { return LineLabel(line_no); };
    if (line.empty()) return Invalid(reason::kBadLine, label() + ": empty line");
    // One pass over the key, one over the value.
    size_t key_end = 0;
    while (key_end < line.size() && IsKeyChar(line[key_end])) ++key_end;
    // The key is the text before the first space; it must be non-empty and
    // all key characters, so it ends at the first non-key character, a space.
    if (key_end == 0 || (key_end < line.size() && line[key_end] != ' ')) {
      return Invalid(reason::kBadLine, label() + ": key must match [a-z0-9-]+");
    }
    const std::string_view key = line.substr(0, key_end);
    if (key_end == line.size() || key_end + 1 == line.size()) {
      return Invalid(reason::kBadLine, label() + " '" + std::string(key) + "': empty value");
    }
    const std::string_view value = line.substr(key_end + 1);
    for (size_t i = 0; i < value.size(); ++i) {
      if (value[i] == ' ' && (i == 0 || value[i - 1] == ' ')) {  // leading or double space
        return Invalid(reason::kBadLine,
                       label() + " '" + std::string(key) + "': separate tokens by one space");
      }
    }
    if (value.back() == ' ') {
      return Invalid(reason::kBadLine, label() + " '" + std::string(key) + "': trailing space");
    }
    out.fields.push_back(Field{line_no, key, value});
  }
  return out;
}

FieldReader::FieldReader(std::span<const Field> fields,
                         std::span<const std::string_view> known_keys)
    : fields_(fields), known_(known_keys) {
  if (known_.size() > kMaxKnownKeys) {
    std::fprintf(stderr, "FieldReader: %zu known keys, at most %zu\n", known_.size(),
                 kMaxKnownKeys);
    std::abort();
  }
}

size_t FieldReader::KnownIndex(std::string_view key) const {
  // Length and first character first: most keys differ there, without a
  // call to memcmp.
  for (size_t i = 0; i < known_.size(); ++i) {
    const std::string_view k = known_[i];
    if (k.size() == key.size() && (k.empty() || k[0] == key[0]) && k == key) return i;
  }
  return known_.size();
}

bool FieldReader::NextIs(std::string_view key) const {
  return next_ < fields_.size() && fields_[next_].key == key;
}

const Field* FieldReader::Take() {
  const Field* f = &fields_[next_++];
  // A key outside known_ is never looked up in seen_: Unexpected() reports
  // it as unknown first.
  if (const size_t i = KnownIndex(f->key); i < known_.size()) seen_ |= uint64_t{1} << i;
  return f;
}

const Field* FieldReader::Optional(std::string_view key) { return NextIs(key) ? Take() : nullptr; }

Result<const Field*> FieldReader::Required(std::string_view key) {
  if (!NextIs(key)) return Unexpected(key);
  return Take();
}

std::span<const Field> FieldReader::Repeated(std::string_view key) {
  const size_t first = next_;
  while (NextIs(key)) Take();
  if (next_ != first) {
    if (const size_t i = KnownIndex(key); i < known_.size()) repeated_ |= uint64_t{1} << i;
  }
  return fields_.subspan(first, next_ - first);
}

Result<std::span<const Field>> FieldReader::RepeatedAtLeastOnce(std::string_view key) {
  if (!NextIs(key)) return Unexpected(key);
  return Repeated(key);
}

void FieldReader::StartGroup(std::span<const std::string_view> group_keys) {
  // A type has one group (usage lines), started once per line: look its keys
  // up once per reader.
  if (group_keys.data() != group_.data() || group_keys.size() != group_.size()) {
    group_ = group_keys;
    group_mask_ = 0;
    for (std::string_view key : group_keys) {
      if (const size_t i = KnownIndex(key); i < known_.size()) group_mask_ |= uint64_t{1} << i;
    }
  }
  seen_ &= ~group_mask_;
  repeated_ &= ~group_mask_;
}

Status FieldReader::Finish() const {
  if (next_ == fields_.size()) return Status::Ok();
  return Unexpected({});
}

Status FieldReader::Unexpected(std::string_view wanted) const {
  // Precedence: a key the type does not define, then a key already used,
  // then a required key that never comes, then a key ahead of its place.
  if (next_ < fields_.size()) {
    const Field& f = fields_[next_];
    const size_t i = KnownIndex(f.key);
    if (i == known_.size()) {
      return FieldError(reason::kUnknownField, f, "not a field of this entry type");
    }
    if (seen_ & (uint64_t{1} << i)) {
      return (repeated_ & (uint64_t{1} << i))
                 ? FieldError(reason::kFieldOrder, f, "repeated key lines must be contiguous")
                 : FieldError(reason::kDuplicateField, f, "may appear once");
    }
  }
  if (wanted.empty()) {
    return FieldError(reason::kFieldOrder, fields_[next_], "out of order");
  }
  const auto later = std::find_if(fields_.begin() + static_cast<std::ptrdiff_t>(next_),
                                  fields_.end(), [&](const Field& f) { return f.key == wanted; });
  if (later == fields_.end()) {
    return Invalid(
        reason::kMissingField,
        "'" + std::string(wanted) + "' is required" +
            (next_ < fields_.size() ? " before " + LineLabel(fields_[next_].line) : " at the end"));
  }
  return FieldError(reason::kFieldOrder, fields_[next_],
                    "comes before '" + std::string(wanted) + "' (" + LineLabel(later->line) + ")");
}

Tokens SplitTokens(std::string_view value) {
  Tokens out;
  size_t start = 0;
  while (true) {
    const size_t space = value.find(' ', start);
    if (out.count_ < Tokens::kStored) out.stored_[out.count_] = value.substr(start, space - start);
    ++out.count_;
    if (space == std::string_view::npos) break;
    start = space + 1;
  }
  return out;
}

TextWriter::TextWriter(EntryType type) {
  text_ = std::string(kTypePrefix) + std::string(EntryTypeName(type)) + std::string(kTypeVersion) +
          "\n";
}

void TextWriter::Add(std::string_view key, std::string_view value) {
  text_ += key;
  text_ += ' ';
  text_ += value;
  text_ += '\n';
}

std::string TextWriter::Finish() && { return std::move(text_); }

}  // namespace detail
}  // namespace ltl::ledger
