// docs/entries.md carries worked examples of every entry type, generated from
// fixed seeds. This test regenerates them with the real encoders and signers
// and fails on any difference, so the specification cannot drift from the
// code.
//
// Marker scheme: a line "<!-- vector:NAME -->" directly followed by a fenced
// block (``` ... ```); the block's lines, each with its "\n", are the vector.
// To refresh the document after an intended format change, run this test with
// LTL_UPDATE_ENTRIES_DOC=1: it rewrites the blocks in place (and still fails,
// so that an update is never silent).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "ledger/entry.h"
#include "tests/ledger/entry_samples.h"
#include "tests/testing/testing.h"

namespace ltl::ledger {
namespace {

std::map<std::string, std::string> GenerateVectors() {
  std::map<std::string, std::string> v;
  std::string cast;
  const std::pair<SigningKey, uint8_t> keys[] = {{samples::AliceOld(), 0x10},
                                                 {samples::Alice(), 0x11},
                                                 {samples::Bob(), 0x12},
                                                 {samples::Society(), 0x13}};
  for (const auto& [key, seed_byte] : keys) {
    cast += "seed byte 0x" + HexEncode(Bytes{seed_byte}) + "  " + key.verifier().ToString() + "\n";
  }
  v["cast"] = cast;
  for (const auto& sample : samples::AllSamples()) {
    const std::string text = FormatEntryText(sample.body);
    v[sample.name] = samples::SignAll(text, sample.signers);
  }
  v["licence-grant-agreement-ref"] = proofs::HashToHex(samples::AgreementRef()) + "\n";
  v["usage-ref"] = proofs::HashToHex(ComputeEntryRef(FormatEntryText(samples::Usage()))) + "\n";
  v["payment-ref"] =
      proofs::HashToHex(ComputeEntryRef(FormatEntryText(samples::BobPayment()))) + "\n";
  return v;
}

// Extracts "<!-- vector:NAME -->" + fenced block pairs from the document.
std::map<std::string, std::string> ExtractVectors(const std::string& doc) {
  std::map<std::string, std::string> out;
  std::istringstream in(doc);
  std::string line;
  constexpr std::string_view kOpen = "<!-- vector:";
  constexpr std::string_view kClose = " -->";
  while (std::getline(in, line)) {
    if (!line.starts_with(kOpen) || !line.ends_with(kClose)) continue;
    const std::string name = line.substr(kOpen.size(), line.size() - kOpen.size() - kClose.size());
    std::string fence;
    std::getline(in, fence);
    EXPECT_TRUE(fence.starts_with("```")) << "vector " << name << ": no fenced block follows";
    std::string body;
    bool closed = false;
    while (std::getline(in, line)) {
      if (line == "```") {
        closed = true;
        break;
      }
      body += line + "\n";
    }
    EXPECT_TRUE(closed) << "vector " << name << ": unterminated block";
    EXPECT_FALSE(out.contains(name)) << "vector " << name << " appears twice";
    out[name] = body;
  }
  return out;
}

// The document with every known vector's block replaced by `vectors[name]`.
std::string RewriteVectors(const std::string& doc,
                           const std::map<std::string, std::string>& vectors) {
  std::istringstream in(doc);
  std::string out;
  std::string line;
  constexpr std::string_view kOpen = "<!-- vector:";
  constexpr std::string_view kClose = " -->";
  while (std::getline(in, line)) {
    out += line + "\n";
    if (!line.starts_with(kOpen) || !line.ends_with(kClose)) continue;
    const std::string name = line.substr(kOpen.size(), line.size() - kOpen.size() - kClose.size());
    const auto it = vectors.find(name);
    if (it == vectors.end()) continue;
    std::string fence;
    std::getline(in, fence);
    out += fence + "\n" + it->second;
    while (std::getline(in, line) && line != "```") {
    }
    out += "```\n";
  }
  return out;
}

TEST(EntriesDocTest, EveryWorkedExampleMatchesTheEncoders) {
  const auto path = testing::SourceDir() / "docs" / "entries.md";
  const std::string doc = testing::ReadFileOrDie(path);
  ASSERT_FALSE(doc.empty());
  const auto generated = GenerateVectors();
  if (std::getenv("LTL_UPDATE_ENTRIES_DOC") != nullptr) {
    std::ofstream(path, std::ios::binary) << RewriteVectors(doc, generated);
    FAIL() << "rewrote " << path << "; rerun without LTL_UPDATE_ENTRIES_DOC";
  }
  const auto in_doc = ExtractVectors(doc);
  for (const auto& [name, want] : generated) {
    auto it = in_doc.find(name);
    if (it == in_doc.end()) {
      ADD_FAILURE() << "docs/entries.md lacks vector " << name;
      continue;
    }
    EXPECT_EQ(it->second, want) << "vector " << name << " differs from the encoders";
  }
  for (const auto& [name, body] : in_doc) {
    EXPECT_TRUE(generated.contains(name)) << "docs/entries.md has unknown vector " << name;
  }
}

TEST(EntriesDocTest, DocumentedEntriesParseAndVerify) {
  // The examples are not only stable but valid: each parses as a signed entry
  // and carries every required signature.
  const auto in_doc =
      ExtractVectors(testing::ReadFileOrDie(testing::SourceDir() / "docs" / "entries.md"));
  int entries = 0;
  for (const auto& [name, body] : in_doc) {
    if (name == "cast" || name.ends_with("-ref")) continue;
    ++entries;
    auto entry = ParseEntry(body);
    ASSERT_TRUE(entry.has_value()) << name << ": " << entry.error();
    EXPECT_TRUE(ValidateEntrySignatures(*entry).ok()) << name;
  }
  EXPECT_EQ(entries, 11);
}

TEST(EntriesDocTest, RewriteReplacesOnlyKnownBlocks) {
  const std::string doc =
      "a\n<!-- vector:x -->\n```\nold\n```\n<!-- vector:y -->\n```\nkeep\n```\n";
  EXPECT_EQ(RewriteVectors(doc, {{"x", "new\nlines\n"}}),
            "a\n<!-- vector:x -->\n```\nnew\nlines\n```\n<!-- vector:y -->\n```\nkeep\n```\n");
}

}  // namespace
}  // namespace ltl::ledger
