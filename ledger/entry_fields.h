// Internal to ltl_ledger: the line layer of entry texts, shared by the
// parser and formatter in entry_parse.cpp / entry_format.cpp.
//
// An entry text is split into fields once (LexEntryText), then each type's
// parser walks them with a FieldReader, which knows the type's key order and
// turns any surprise into a reason naming the line and key.
#ifndef LTL_LEDGER_ENTRY_FIELDS_H_
#define LTL_LEDGER_ENTRY_FIELDS_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "ledger/entry.h"

namespace ltl::ledger::detail {

// Stable reason codes (docs/entries.md, section 5).
namespace reason {
inline constexpr std::string_view kTooLarge = "too_large";
inline constexpr std::string_view kBadEncoding = "bad_encoding";
inline constexpr std::string_view kBadLine = "bad_line";
inline constexpr std::string_view kBadType = "bad_type";
inline constexpr std::string_view kUnknownField = "unknown_field";
inline constexpr std::string_view kDuplicateField = "duplicate_field";
inline constexpr std::string_view kFieldOrder = "field_order";
inline constexpr std::string_view kMissingField = "missing_field";
inline constexpr std::string_view kBadValue = "bad_value";
inline constexpr std::string_view kDuplicateValue = "duplicate_value";
inline constexpr std::string_view kTermOrder = "term_order";
inline constexpr std::string_view kNoEffectiveUse = "no_effective_use";
inline constexpr std::string_view kMissingWork = "missing_work";
inline constexpr std::string_view kPublicAgreement = "public_agreement";
inline constexpr std::string_view kConflictingFields = "conflicting_fields";
inline constexpr std::string_view kShareOverflow = "share_overflow";
inline constexpr std::string_view kBadNote = "bad_note";
inline constexpr std::string_view kMissingSignature = "missing_signature";
inline constexpr std::string_view kBadSignature = "bad_signature";
}  // namespace reason

// "<code>: <detail>" as InvalidArgument.
Status Invalid(std::string_view code, std::string_view detail);

struct Field {
  size_t line = 0;  // 1-based; the type line is line 1
  std::string_view key;
  std::string_view value;
};

struct LexedText {
  EntryType type = EntryType::kKey;
  std::vector<Field> fields;  // views into the lexed text
};

// Checks encoding and line grammar and splits the text into fields.
Result<LexedText> LexEntryText(std::string_view text);

// "<code>: line <n> '<key>': <detail>".
Status FieldError(std::string_view code, const Field& field, std::string_view detail);

// Walks fields in order. `known_keys` is every key the type defines, so that
// a stray key can be told apart as unknown, duplicated or out of order.
// REQUIRES: at most kMaxKnownKeys known keys; every key asked for is one.
class FieldReader {
 public:
  FieldReader(std::span<const Field> fields, std::span<const std::string_view> known_keys);

  bool NextIs(std::string_view key) const;
  // The next field if it has `key`, else nullptr (the absence of an optional
  // field; a misplaced one is reported later, when it blocks the walk).
  const Field* Optional(std::string_view key);
  Result<const Field*> Required(std::string_view key);
  // All consecutive fields with `key` (possibly none): a view into `fields`.
  std::span<const Field> Repeated(std::string_view key);
  Result<std::span<const Field>> RepeatedAtLeastOnce(std::string_view key);
  // Starts a new group (a usage line): its keys may appear again.
  void StartGroup(std::span<const std::string_view> group_keys);
  // Every field must have been consumed.
  Status Finish() const;

 private:
  const Field* Take();
  // Why the next field is not `wanted` (empty when finishing).
  Status Unexpected(std::string_view wanted) const;

  // The position of `key` in known_keys, or known_keys.size().
  size_t KnownIndex(std::string_view key) const;

  std::span<const Field> fields_;
  std::span<const std::string_view> known_;
  size_t next_ = 0;
  // Bit i is about known_[i]: consumed, and consumed as a repeatable key.
  // (Bit sets, not a map: a reader is built per parsed entry.)
  uint64_t seen_ = 0;
  uint64_t repeated_ = 0;
  // The last group started and its keys' bits.
  std::span<const std::string_view> group_;
  uint64_t group_mask_ = 0;

 public:
  static constexpr size_t kMaxKnownKeys = 64;
};

// Tokens of a value separated by single spaces (the line grammar guarantees
// there are no empty tokens). Counts every token but keeps views of the first
// kStored only (no value syntax has more): no allocation per value.
class Tokens {
 public:
  static constexpr size_t kStored = 8;
  size_t size() const { return count_; }
  // REQUIRES: i < size() and i < kStored.
  std::string_view operator[](size_t i) const { return stored_[i]; }

 private:
  friend Tokens SplitTokens(std::string_view value);
  std::array<std::string_view, kStored> stored_{};
  size_t count_ = 0;
};
Tokens SplitTokens(std::string_view value);

// Builds an entry text.
class TextWriter {
 public:
  explicit TextWriter(EntryType type);
  void Add(std::string_view key, std::string_view value);
  std::string Finish() &&;

 private:
  std::string text_;
};

}  // namespace ltl::ledger::detail

#endif  // LTL_LEDGER_ENTRY_FIELDS_H_
