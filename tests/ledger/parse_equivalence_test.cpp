// Differential tests for the faster strict parsers (issue 9): the character
// checks of signed notes and entry texts now decide ASCII byte by byte, and
// FieldReader keeps bit sets instead of a map. Each is compared here with a
// reference copy of the code it replaced (the straightforward one: decode
// every code point, a std::map of seen keys) on mutated and random inputs;
// verdicts, status codes and messages must be identical.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "ledger/entry.h"
#include "ledger/entry_fields.h"
#include "ledger/keys.h"
#include "ledger/note.h"
#include "ledger/utf8.h"
#include "tests/ledger/entry_samples.h"

namespace ltl::ledger {
namespace {

// ---- Reference implementations (the code before issue 9) -------------------

Status RefCheckNoteCharacters(std::string_view s) {
  while (!s.empty()) {
    auto cp = detail::DecodeUtf8(s);
    if (!cp) return Status::InvalidArgument("note: not valid UTF-8");
    if (cp->value < 0x20 && cp->value != U'\n') {
      return Status::InvalidArgument("note: control character other than newline");
    }
    s.remove_prefix(cp->length);
  }
  return Status::Ok();
}

Status RefValidateNoteText(std::string_view text) {
  if (text.empty()) return Status::InvalidArgument("note: text is empty");
  if (text.size() > kMaxNoteSize) return Status::InvalidArgument("note: text exceeds size limit");
  if (text.back() != '\n') return Status::InvalidArgument("note: text does not end in a newline");
  if (text == "\n" || text.ends_with("\n\n")) {
    return Status::InvalidArgument("note: text ends in an empty line (two blank lines?)");
  }
  return RefCheckNoteCharacters(text);
}

Status RefValidateKeyName(std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("key name is empty");
  std::string_view rest = name;
  while (!rest.empty()) {
    auto cp = detail::DecodeUtf8(rest);
    if (!cp) return Status::InvalidArgument("key name is not valid UTF-8");
    if (cp->value == U'+') return Status::InvalidArgument("key name contains '+'");
    if (detail::IsUnicodeSpace(cp->value)) {
      return Status::InvalidArgument("key name contains white space");
    }
    if (cp->value < 0x20) return Status::InvalidArgument("key name contains a control character");
    rest.remove_prefix(cp->length);
  }
  return Status::Ok();
}

std::string LineLabel(size_t line) { return "line " + std::to_string(line); }

Status RefCheckEncoding(std::string_view text) {
  size_t line = 1;
  for (size_t i = 0; i < text.size();) {
    const auto cp = detail::DecodeUtf8(text.substr(i));
    if (!cp)
      return detail::Invalid(detail::reason::kBadEncoding, LineLabel(line) + ": invalid UTF-8");
    const char32_t c = cp->value;
    if (c == '\n') {
      ++line;
    } else if (c == '\r') {
      return detail::Invalid(detail::reason::kBadEncoding,
                             LineLabel(line) + ": carriage return (lines end in \"\\n\" only)");
    } else if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
      return detail::Invalid(detail::reason::kBadEncoding, LineLabel(line) + ": control character");
    } else if (c != ' ' && detail::IsUnicodeSpace(c)) {
      return detail::Invalid(detail::reason::kBadEncoding,
                             LineLabel(line) + ": white space other than U+0020");
    }
    i += cp->length;
  }
  return Status::Ok();
}

// FieldReader as it was: a map from key to "consumed as repeatable".
class RefFieldReader {
 public:
  RefFieldReader(std::span<const detail::Field> fields, std::span<const std::string_view> known)
      : fields_(fields), known_(known) {}

  bool NextIs(std::string_view key) const {
    return next_ < fields_.size() && fields_[next_].key == key;
  }
  const detail::Field* Optional(std::string_view key) { return NextIs(key) ? Take() : nullptr; }
  Result<const detail::Field*> Required(std::string_view key) {
    if (!NextIs(key)) return Unexpected(key);
    return Take();
  }
  std::vector<const detail::Field*> Repeated(std::string_view key) {
    std::vector<const detail::Field*> out;
    while (NextIs(key)) out.push_back(Take());
    if (!out.empty()) seen_[key] = true;
    return out;
  }
  Result<std::vector<const detail::Field*>> RepeatedAtLeastOnce(std::string_view key) {
    if (!NextIs(key)) return Unexpected(key);
    return Repeated(key);
  }
  void StartGroup(std::span<const std::string_view> group_keys) {
    for (std::string_view key : group_keys) seen_.erase(key);
  }
  Status Finish() const {
    if (next_ == fields_.size()) return Status::Ok();
    return Unexpected({});
  }

 private:
  const detail::Field* Take() {
    const detail::Field* f = &fields_[next_++];
    seen_.emplace(f->key, false);
    return f;
  }
  Status Unexpected(std::string_view wanted) const {
    namespace reason = detail::reason;
    if (next_ < fields_.size()) {
      const detail::Field& f = fields_[next_];
      if (std::find(known_.begin(), known_.end(), f.key) == known_.end()) {
        return detail::FieldError(reason::kUnknownField, f, "not a field of this entry type");
      }
      const auto seen = seen_.find(f.key);
      if (seen != seen_.end()) {
        return seen->second ? detail::FieldError(reason::kFieldOrder, f,
                                                 "repeated key lines must be contiguous")
                            : detail::FieldError(reason::kDuplicateField, f, "may appear once");
      }
    }
    if (wanted.empty()) {
      return detail::FieldError(reason::kFieldOrder, fields_[next_], "out of order");
    }
    const auto later =
        std::find_if(fields_.begin() + static_cast<std::ptrdiff_t>(next_), fields_.end(),
                     [&](const detail::Field& f) { return f.key == wanted; });
    if (later == fields_.end()) {
      return detail::Invalid(
          reason::kMissingField,
          "'" + std::string(wanted) + "' is required" +
              (next_ < fields_.size() ? " before " + LineLabel(fields_[next_].line)
                                      : " at the end"));
    }
    return detail::FieldError(
        reason::kFieldOrder, fields_[next_],
        "comes before '" + std::string(wanted) + "' (" + LineLabel(later->line) + ")");
  }

  std::span<const detail::Field> fields_;
  std::span<const std::string_view> known_;
  size_t next_ = 0;
  std::map<std::string_view, bool> seen_;
};

// ---- Mutations ---------------------------------------------------------------

// Byte strings that probe every branch of the character checks: each C0
// control, DEL, C1 controls, Unicode spaces, overlong forms, surrogates, code
// points past U+10FFFF, truncated and stray continuation bytes, and harmless
// multi-byte letters.
const std::vector<std::string>& Probes() {
  static const std::vector<std::string> probes = [] {
    std::vector<std::string> p;
    for (int c = 0; c < 0x20; ++c) p.emplace_back(1, static_cast<char>(c));
    for (const char* s : {" ",
                          "  ",
                          "\x7f",
                          "\xc2\x80",
                          "\xc2\x85",
                          "\xc2\x9f",
                          "\xc2\xa0",
                          "\xc2\xa1",
                          "\xc3\xa9",
                          "\xe1\x9a\x80",
                          "\xe2\x80\x80",
                          "\xe2\x80\x8a",
                          "\xe2\x80\x8b",
                          "\xe2\x80\xa8",
                          "\xe2\x80\xa9",
                          "\xe2\x80\xaf",
                          "\xe2\x81\x9f",
                          "\xe3\x80\x80",
                          "\xe2\x80\x94",
                          "\xf0\x9f\x98\x80",
                          "\xf4\x8f\xbf\xbf",
                          "\xf4\x90\x80\x80",
                          "\xc0\x80",
                          "\xc1\xbf",
                          "\xe0\x80\x80",
                          "\xf0\x80\x80\x80",
                          "\xed\xa0\x80",
                          "\xed\xbf\xbf",
                          "\x80",
                          "\xbf",
                          "\xc2",
                          "\xe2\x80",
                          "\xf0\x9f\x98",
                          "\xf8\x88\x80\x80\x80",
                          "\xfe",
                          "\xff",
                          "\n",
                          "\n\n",
                          "\r\n",
                          "+",
                          "~"}) {
      p.emplace_back(s);
    }
    return p;
  }();
  return probes;
}

std::string Mutate(std::string s, std::mt19937_64& rng) {
  const auto below = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  const int edits = 1 + static_cast<int>(below(3));
  for (int e = 0; e < edits; ++e) {
    const size_t at = s.empty() ? 0 : below(s.size() + 1);
    switch (below(4)) {
      case 0:  // insert a probe
        s.insert(at, Probes()[below(Probes().size())]);
        break;
      case 1:  // overwrite a byte with any byte
        if (!s.empty()) s[below(s.size())] = static_cast<char>(rng());
        break;
      case 2:  // delete a few bytes
        if (at < s.size()) s.erase(at, 1 + below(3));
        break;
      default:  // overwrite with a probe
        if (!s.empty()) {
          const std::string& probe = Probes()[below(Probes().size())];
          const size_t pos = below(s.size());
          s.replace(pos, std::min(probe.size(), s.size() - pos), probe);
        }
        break;
    }
  }
  return s;
}

std::vector<std::string> SignedSamples() {
  std::vector<std::string> out;
  for (const samples::NamedSample& s : samples::AllSamples()) {
    out.push_back(samples::SignAll(FormatEntryText(s.body), s.signers));
  }
  return out;
}

bool IsNoteCharacterError(const Status& s) {
  return s == RefCheckNoteCharacters("\x01") || s == RefCheckNoteCharacters("\xff");
}

constexpr int kMutations = 100000;

// ---- Tests ---------------------------------------------------------------------

TEST(NoteCharacterCheck, ParseNoteRejectsExactlyAsTheCodePointDecoderDid) {
  const std::vector<std::string> wires = SignedSamples();
  std::mt19937_64 rng(0x15a);
  int rejected_for_characters = 0;
  for (int i = 0; i < kMutations; ++i) {
    const std::string wire = Mutate(wires[static_cast<size_t>(i) % wires.size()], rng);
    const Status want = RefCheckNoteCharacters(wire);
    const Result<Note> got = ParseNote(wire);
    if (!want.ok()) {
      ++rejected_for_characters;
      ASSERT_FALSE(got.has_value()) << testing::PrintToString(wire);
      ASSERT_EQ(got.error(), want) << testing::PrintToString(wire);
    } else if (!got.has_value()) {
      ASSERT_FALSE(IsNoteCharacterError(got.error())) << testing::PrintToString(wire);
    }
  }
  // The mutations reach the character checks often (not a vacuous pass).
  EXPECT_GT(rejected_for_characters, kMutations / 10);
}

TEST(NoteCharacterCheck, ValidateNoteTextMatchesReferenceOnMutatedTexts) {
  const std::vector<std::string> wires = SignedSamples();
  std::mt19937_64 rng(0x15b);
  for (int i = 0; i < kMutations; ++i) {
    const std::string& wire = wires[static_cast<size_t>(i) % wires.size()];
    const std::string text = Mutate(ParseNote(wire).value().text, rng);
    ASSERT_EQ(ValidateNoteText(text), RefValidateNoteText(text)) << testing::PrintToString(text);
  }
}

TEST(NoteCharacterCheck, RandomBytesMatchReference) {
  std::mt19937_64 rng(0x15c);
  for (int i = 0; i < kMutations; ++i) {
    std::string s(1 + rng() % 12, '\0');
    // Mostly high bytes and newlines: the paths around the ASCII fast path.
    for (char& c : s) c = (rng() % 4 == 0) ? '\n' : static_cast<char>(0x70 + rng() % 0x90);
    s += '\n';
    ASSERT_EQ(ValidateNoteText(s), RefValidateNoteText(s)) << testing::PrintToString(s);
  }
}

TEST(EntryEncodingCheck, ParseEntryTextRejectsExactlyAsTheCodePointDecoderDid) {
  std::vector<std::string> texts;
  for (const samples::NamedSample& s : samples::AllSamples()) {
    texts.push_back(FormatEntryText(s.body));
  }
  std::mt19937_64 rng(0x15d);
  int rejected_for_encoding = 0;
  for (int i = 0; i < kMutations; ++i) {
    const std::string text = Mutate(texts[static_cast<size_t>(i) % texts.size()], rng);
    const Status want = RefCheckEncoding(text);
    const Result<EntryBody> got = ParseEntryText(text);
    if (!want.ok()) {
      ++rejected_for_encoding;
      ASSERT_FALSE(got.has_value()) << testing::PrintToString(text);
      ASSERT_EQ(got.error(), want) << testing::PrintToString(text);
    } else if (!got.has_value()) {
      ASSERT_NE(ReasonCode(got.error()), detail::reason::kBadEncoding)
          << testing::PrintToString(text);
    }
  }
  EXPECT_GT(rejected_for_encoding, kMutations / 10);
}

TEST(KeyNameCheck, ValidateKeyNameMatchesReferenceOnMutatedNames) {
  const std::vector<std::string> names = {"alice.example/ltl",
                                          "bob-ai.example/ltl",
                                          "bench-signer-7.example/ltl",
                                          "a",
                                          "",
                                          "\xc3\xa9t\xc3\xa9.example/\xe2\x80\x94log"};
  std::mt19937_64 rng(0x15f);
  int rejected = 0;
  for (int i = 0; i < kMutations; ++i) {
    const std::string name = Mutate(names[static_cast<size_t>(i) % names.size()], rng);
    const Status want = RefValidateKeyName(name);
    rejected += want.ok() ? 0 : 1;
    ASSERT_EQ(ValidateKeyName(name), want) << testing::PrintToString(name);
  }
  EXPECT_GT(rejected, kMutations / 10);
}

// ParseEntryText remembers the verifier keys a thread parsed (by their text):
// with more signers than the cache has slots, every entry must still get its
// own signer, and a text that differs from a remembered key by one character
// must fail exactly as it does on its own.
TEST(VerifierKeyCache, ManySignersEachGetTheirOwnKey) {
  std::vector<SigningKey> keys;
  for (int i = 0; i < 200; ++i) {
    keys.push_back(samples::KeyFromSeedByte("signer-" + std::to_string(i) + ".example/ltl",
                                            static_cast<uint8_t>(i)));
  }
  const auto reservation_by = [](const SigningKey& key) {
    Reservation r = samples::SocietyReservation();
    r.declarant = key.verifier();
    return FormatEntryText(r);
  };
  for (int round = 0; round < 3; ++round) {
    for (size_t i = 0; i < keys.size(); i += (round == 1 ? 7 : 1)) {
      const Result<EntryBody> body = ParseEntryText(reservation_by(keys[i]));
      ASSERT_TRUE(body.has_value()) << body.error().message();
      ASSERT_EQ(std::get<Reservation>(*body).declarant, keys[i].verifier());
    }
  }
  // A remembered key's text with its key ID off by one digit: the cache must
  // not answer for it (and does not remember failures).
  const std::string good = reservation_by(keys[0]);
  ASSERT_TRUE(ParseEntryText(good).has_value());
  const std::string id = keys[0].verifier().ToString().substr(keys[0].name().size() + 1, 8);
  std::string bad = good;
  const size_t at = bad.find("+" + id + "+");
  ASSERT_NE(at, std::string::npos);
  bad[at + 1] = bad[at + 1] == '0' ? '1' : '0';
  const Result<EntryBody> first = ParseEntryText(bad);
  ASSERT_FALSE(first.has_value());
  EXPECT_EQ(ReasonCode(first.error()), detail::reason::kBadValue);
  ASSERT_TRUE(ParseEntryText(good).has_value());
  EXPECT_EQ(ParseEntryText(bad).error(), first.error());
}

// Random field sequences over a small alphabet (including a key the type does
// not know) walked by random reader calls: every result must match the
// map-based reader's.
TEST(FieldReaderBitSets, RandomWalksMatchTheMapBasedReader) {
  constexpr std::array<std::string_view, 6> kKnown = {"a", "b", "c", "line", "d", "e"};
  constexpr std::array<std::string_view, 3> kGroup = {"b", "c", "line"};
  constexpr std::array<std::string_view, 2> kOtherGroup = {"a", "e"};
  constexpr std::array<std::string_view, 7> kAlphabet = {"a", "b", "c", "line", "d", "e", "zz"};
  std::mt19937_64 rng(0x15e);
  const auto below = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  for (int round = 0; round < 20000; ++round) {
    std::vector<detail::Field> fields(below(9));
    for (size_t i = 0; i < fields.size(); ++i) {
      fields[i] = detail::Field{i + 2, kAlphabet[below(kAlphabet.size())], "v"};
    }
    detail::FieldReader got(fields, kKnown);
    RefFieldReader want(fields, kKnown);
    const auto same_error = [](const Status& a, const Status& b) { return a == b; };
    for (int step = 0; step < 12; ++step) {
      const std::string_view key = kAlphabet[below(kAlphabet.size() - 1)];  // known keys only
      switch (below(5)) {
        case 0: {
          const auto g = got.Optional(key);
          const auto w = want.Optional(key);
          ASSERT_EQ(g == nullptr, w == nullptr);
          if (g != nullptr) {
            ASSERT_EQ(g->line, w->line);
          }
          break;
        }
        case 1: {
          const auto g = got.Required(key);
          const auto w = want.Required(key);
          ASSERT_EQ(g.has_value(), w.has_value());
          if (g.has_value()) {
            ASSERT_EQ((*g)->line, (*w)->line);
          } else {
            ASSERT_TRUE(same_error(g.error(), w.error())) << g.error().message();
          }
          break;
        }
        case 2: {
          const auto g = got.Repeated(key);
          const auto w = want.Repeated(key);
          ASSERT_EQ(g.size(), w.size());
          break;
        }
        case 3: {
          const auto g = got.RepeatedAtLeastOnce(key);
          const auto w = want.RepeatedAtLeastOnce(key);
          ASSERT_EQ(g.has_value(), w.has_value());
          if (g.has_value()) {
            ASSERT_EQ(g->size(), w->size());
          } else {
            ASSERT_TRUE(same_error(g.error(), w.error())) << g.error().message();
          }
          break;
        }
        default: {
          const std::span<const std::string_view> group =
              below(4) == 0 ? std::span<const std::string_view>(kOtherGroup) : kGroup;
          got.StartGroup(group);
          want.StartGroup(group);
          break;
        }
      }
      ASSERT_EQ(got.Finish(), want.Finish());
    }
  }
}

}  // namespace
}  // namespace ltl::ledger
