// `ltl key generate`, `ltl sign`, `ltl key entry`, `ltl key revoke`, and the
// flag parser's usage errors, run through the built binary.
#include <gtest/gtest.h>

#include "ledger/entry.h"
#include "ledger/keys.h"
#include "ledger/note.h"
#include "tests/cli/cli_testing.h"

namespace ltl::cli {
namespace {

using testing::Describe;
using testing::FileMode;
using testing::RunLtl;
using testing::WriteFile;

constexpr int kUsage = 2;
constexpr int kInvalidEntry = 4;

class KeyCommandsTest : public ::testing::Test {
 protected:
  std::string Path(std::string_view name) const { return (dir_.path() / name).string(); }

  // Generates a key; returns its verifier key string.
  std::string Generate(std::string_view name, std::string_view file) {
    const auto r = RunLtl({"key", "generate", "--name", std::string(name), "--out", Path(file)});
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    std::string vkey = r.out;
    if (!vkey.empty() && vkey.back() == '\n') vkey.pop_back();
    return vkey;
  }

  std::string ReadKeyFile(std::string_view file) {
    std::string text = ltl::testing::ReadFileOrDie(Path(file));
    if (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
  }

  // The base64 key material of "PRIVATE+KEY+<name>+<hash>+<base64>". Found by field, not by
  // the last '+': base64 itself may contain '+' (or end with one), which would leave a short or
  // empty tail that matches any text.
  static std::string KeyMaterial(const std::string& secret) {
    size_t at = 0;
    for (int field = 0; field < 4; ++field) {
      at = secret.find('+', at);
      if (at == std::string::npos) return secret;
      ++at;
    }
    return secret.substr(at);
  }

  // True when any 8-character run of the key material appears in |text|.
  static bool LeaksKeyMaterial(const std::string& text, const std::string& secret) {
    const std::string material = KeyMaterial(secret);
    EXPECT_GE(material.size(), 40u) << "not a private key file: " << secret;
    for (size_t i = 0; i + 8 <= material.size(); ++i) {
      if (text.find(material.substr(i, 8)) != std::string::npos) return true;
    }
    return false;
  }

  ltl::testing::TempDir dir_;
};

TEST_F(KeyCommandsTest, GenerateWritesA0600KeyFileAndPrintsItsVerifierKey) {
  const std::string vkey = Generate("alice.example/ltl", "alice.key");
  EXPECT_EQ(FileMode(Path("alice.key")), 0600u);
  auto key = ledger::SigningKey::ParsePrivateKey(ReadKeyFile("alice.key"));
  ASSERT_TRUE(key.has_value()) << key.error();
  EXPECT_EQ(key->verifier().ToString(), vkey);
  EXPECT_EQ(key->name(), "alice.example/ltl");
}

// The leak checks once took the text after the last '+' as the key material; a key whose base64
// ended in '+' (1 in 64) left an empty tail, which "appears" in any message, and CI failed.
TEST_F(KeyCommandsTest, LeakCheckUsesTheWholeBase64EvenWhenItContainsOrEndsWithPlus) {
  const std::string go_vector =
      "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
  EXPECT_EQ(KeyMaterial(go_vector), "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz");
  const std::string ends_in_plus =
      "PRIVATE+KEY+a.example+00000000+AYEKFALVFGyNhPJEMzD1QIDrY7hfZx09iUvxdXHKDF+";
  EXPECT_FALSE(
      LeaksKeyMaterial("error: key file is readable by others; chmod 600 it", ends_in_plus));
  EXPECT_TRUE(LeaksKeyMaterial("bad key ...zD1QIDrY7hf...", ends_in_plus));
}

TEST_F(KeyCommandsTest, GenerateNeverPrintsThePrivateKey) {
  const auto r =
      RunLtl({"key", "generate", "--name", "a.example/ltl", "--out", Path("a.key"), "--json"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  const std::string secret = ReadKeyFile("a.key");
  // The base64 seed part is what must never leak.
  EXPECT_FALSE(LeaksKeyMaterial(r.out, secret)) << r.out;
  EXPECT_FALSE(LeaksKeyMaterial(r.err, secret)) << r.err;
  EXPECT_NE(r.out.find("\"verifier_key\""), std::string::npos);
}

TEST_F(KeyCommandsTest, ShowPrintsTheVerifierKeyOfAKeyFile) {
  const std::string vkey = Generate("alice.example/ltl", "alice.key");
  const auto r = RunLtl({"key", "show", "--key", Path("alice.key")});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, vkey + "\n");
  ::chmod(Path("alice.key").c_str(), 0640);
  EXPECT_EQ(RunLtl({"key", "show", "--key", Path("alice.key")}).exit_code, kUsage);
}

TEST_F(KeyCommandsTest, GenerateRefusesToOverwriteAnExistingFile) {
  Generate("alice.example/ltl", "alice.key");
  const std::string before = ReadKeyFile("alice.key");
  const auto r =
      RunLtl({"key", "generate", "--name", "other.example/ltl", "--out", Path("alice.key")});
  EXPECT_EQ(r.exit_code, kUsage) << Describe(r);
  EXPECT_NE(r.err.find("already exists"), std::string::npos) << r.err;
  EXPECT_EQ(ReadKeyFile("alice.key"), before);
}

TEST_F(KeyCommandsTest, GenerateRejectsAKeyNameWithAPlus) {
  const auto r = RunLtl({"key", "generate", "--name", "a+b", "--out", Path("x.key")});
  EXPECT_EQ(r.exit_code, kUsage) << Describe(r);
  EXPECT_FALSE(std::filesystem::exists(Path("x.key")));
}

TEST_F(KeyCommandsTest, SignThenCoSignAddsBothSignaturesThatVerify) {
  const std::string alice = Generate("alice.example/ltl", "alice.key");
  const std::string bob = Generate("bob.example/ltl", "bob.key");
  WriteFile(Path("note.txt"), "hello\nworld\n");
  const auto once = RunLtl({"sign", "--key", Path("alice.key"), Path("note.txt")});
  ASSERT_EQ(once.exit_code, 0) << Describe(once);
  // From stdin this time: co-signing the signed note.
  const auto twice = RunLtl({"sign", "--key", Path("bob.key")}, once.out);
  ASSERT_EQ(twice.exit_code, 0) << Describe(twice);

  const std::vector<ledger::VerifierKey> keys = {ledger::VerifierKey::Parse(alice).value(),
                                                 ledger::VerifierKey::Parse(bob).value()};
  auto opened = ledger::OpenNote(twice.out, keys);
  ASSERT_TRUE(opened.has_value()) << opened.error();
  EXPECT_EQ(opened->note.text, "hello\nworld\n");
  EXPECT_EQ(opened->verified_by, keys);
}

TEST_F(KeyCommandsTest, SigningTwiceWithOneKeyIsIdempotent) {
  Generate("alice.example/ltl", "alice.key");
  const auto once = RunLtl({"sign", "--key", Path("alice.key")}, "text\n");
  const auto again = RunLtl({"sign", "--key", Path("alice.key")}, once.out);
  ASSERT_EQ(again.exit_code, 0) << Describe(again);
  EXPECT_EQ(again.out, once.out);
}

TEST_F(KeyCommandsTest, SignRefusesAKeyFileReadableByOthers) {
  Generate("alice.example/ltl", "alice.key");
  const std::string secret = ReadKeyFile("alice.key");
  for (mode_t mode : {0644, 0640, 0604, 0660, 0602}) {
    ::chmod(Path("alice.key").c_str(), mode);
    const auto r = RunLtl({"sign", "--key", Path("alice.key")}, "text\n");
    EXPECT_EQ(r.exit_code, kUsage) << std::oct << mode << Describe(r);
    EXPECT_NE(r.err.find("chmod 600"), std::string::npos) << r.err;
    EXPECT_FALSE(LeaksKeyMaterial(r.err, secret)) << r.err;
    EXPECT_TRUE(r.out.empty());
  }
}

TEST_F(KeyCommandsTest, SignRejectsAMalformedKeyFileWithoutEchoingIt) {
  const std::string garbage = "PRIVATE+KEY+x+00000000+c2VjcmV0c2VjcmV0";
  WriteFile(Path("bad.key"), garbage, 0600);
  const auto r = RunLtl({"sign", "--key", Path("bad.key")}, "text\n");
  EXPECT_EQ(r.exit_code, kUsage) << Describe(r);
  EXPECT_EQ(r.err.find("c2VjcmV0c2VjcmV0"), std::string::npos) << r.err;
}

TEST_F(KeyCommandsTest, SignRefusesAWitnessCosignatureKey) {
  ASSERT_TRUE(ledger::InitCrypto().ok());
  const auto witness = ledger::SigningKey::FromSeed("witness.example", Bytes(32, 0x44),
                                                    ledger::KeyType::kCosignatureV1);
  ASSERT_TRUE(witness.has_value());
  WriteFile(Path("witness.key"), witness->PrivateKeyString() + "\n", 0600);
  const auto r = RunLtl({"sign", "--key", Path("witness.key")}, "text\n");
  EXPECT_EQ(r.exit_code, kUsage) << Describe(r);
  EXPECT_NE(r.err.find("cosignature key"), std::string::npos) << r.err;
}

TEST_F(KeyCommandsTest, SignRejectsInputThatIsNotANote) {
  Generate("alice.example/ltl", "alice.key");
  const auto r = RunLtl({"sign", "--key", Path("alice.key")}, "no final newline");
  EXPECT_EQ(r.exit_code, kInvalidEntry) << Describe(r);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one-line error: " << r.err;
}

TEST_F(KeyCommandsTest, KeyEntryIsASelfSignedKeyEntryThatVerifies) {
  const std::string vkey = Generate("alice.example/ltl", "alice.key");
  const auto r =
      RunLtl({"key", "entry", "--key", Path("alice.key"), "--role", "licensor", "--role", "agent",
              "--party", "Alice Example Music", "--party-id", "isni:0000000218250097",
              "--not-before", "2026-01-01T00:00:00Z", "--not-after", "2028-01-01T00:00:00Z",
              "--issued", "2025-12-20T09:00:00Z"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  auto entry = ledger::ParseEntry(r.out);
  ASSERT_TRUE(entry.has_value()) << entry.error();
  ASSERT_TRUE(ledger::ValidateEntrySignatures(*entry).ok());
  const auto& e = std::get<ledger::KeyEntry>(entry->body);
  EXPECT_EQ(e.key.ToString(), vkey);
  EXPECT_EQ(e.roles, (std::vector<ledger::Role>{ledger::Role::kLicensor, ledger::Role::kAgent}));
  EXPECT_EQ(e.party_name, "Alice Example Music");
  ASSERT_EQ(e.party_ids.size(), 1u);
  EXPECT_EQ(e.party_ids[0].value, "0000000218250097");
  EXPECT_EQ(ledger::FormatTimestamp(e.not_before), "2026-01-01T00:00:00Z");
  EXPECT_EQ(ledger::FormatTimestamp(*e.not_after), "2028-01-01T00:00:00Z");

  WriteFile(Path("alice-key.note"), r.out);
  const auto verified = RunLtl({"entry", "verify", "--key", vkey, Path("alice-key.note")});
  EXPECT_EQ(verified.exit_code, 0) << Describe(verified);
}

TEST_F(KeyCommandsTest, KeyEntryRotationIsSignedByTheNewAndThePreviousKey) {
  const std::string fresh = Generate("alice.example/ltl", "new.key");
  const std::string old = Generate("alice.example/ltl-2025", "old.key");
  const auto r = RunLtl({"key", "entry", "--key", Path("new.key"), "--previous-key",
                         Path("old.key"), "--role", "licensor", "--party", "Alice"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  auto entry = ledger::ParseEntry(r.out);
  ASSERT_TRUE(entry.has_value()) << entry.error();
  EXPECT_TRUE(ledger::ValidateEntrySignatures(*entry).ok());
  EXPECT_EQ(std::get<ledger::KeyEntry>(entry->body).previous_key->ToString(), old);
  const auto verified = RunLtl({"entry", "verify", "--key", fresh, "--key", old}, r.out);
  EXPECT_EQ(verified.exit_code, 0) << Describe(verified);
}

TEST_F(KeyCommandsTest, KeyEntryWithAnUnknownRoleIsAUsageError) {
  Generate("alice.example/ltl", "alice.key");
  const auto r =
      RunLtl({"key", "entry", "--key", Path("alice.key"), "--role", "owner", "--party", "Alice"});
  EXPECT_EQ(r.exit_code, kUsage) << Describe(r);
  EXPECT_NE(r.err.find("--role"), std::string::npos);
}

TEST_F(KeyCommandsTest, KeyRevokeOfAnotherKeyNamesTheRevoker) {
  const std::string successor = Generate("alice.example/ltl", "new.key");
  const std::string old = Generate("alice.example/ltl-2025", "old.key");
  const auto r = RunLtl({"key", "revoke", "--key", Path("new.key"), "--target", old, "--reason",
                         "superseded", "--issued", "2026-01-02T00:00:00Z"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  auto entry = ledger::ParseEntry(r.out);
  ASSERT_TRUE(entry.has_value()) << entry.error();
  const auto& e = std::get<ledger::KeyRevoke>(entry->body);
  EXPECT_EQ(e.key.ToString(), old);
  EXPECT_EQ(e.revoked_by->ToString(), successor);
  EXPECT_TRUE(ledger::ValidateEntrySignatures(*entry).ok());
}

TEST_F(KeyCommandsTest, KeyRevokeCompromisedWithoutSinceIsAnInvalidEntry) {
  Generate("alice.example/ltl", "alice.key");
  const auto r = RunLtl({"key", "revoke", "--key", Path("alice.key"), "--reason", "compromised"});
  EXPECT_EQ(r.exit_code, kInvalidEntry) << Describe(r);
  EXPECT_NE(r.err.find("missing_field"), std::string::npos) << r.err;
}

// ---- The flag parser, through the binary ----------------------------------------

struct UsageCase {
  std::string name;
  std::vector<std::string> args;
  std::string expected_in_message;
};

class UsageErrorTest : public ::testing::TestWithParam<UsageCase> {};

TEST_P(UsageErrorTest, ExitsTwoWithOneLineNamingTheProblem) {
  const auto r = RunLtl(GetParam().args);
  EXPECT_EQ(r.exit_code, kUsage) << Describe(r);
  EXPECT_NE(r.err.find(GetParam().expected_in_message), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

INSTANTIATE_TEST_SUITE_P(
    Flags, UsageErrorTest,
    ::testing::Values(
        UsageCase{"NoCommand", {}, "Usage"},
        UsageCase{"UnknownCommand", {"frobnicate"}, "unknown command 'frobnicate'"},
        UsageCase{"UnknownSubcommand", {"key", "forge"}, "unknown subcommand 'forge'"},
        UsageCase{"UnknownFlag", {"sign", "--kee", "x"}, "unknown flag --kee"},
        UsageCase{"ShortFlag", {"sign", "-k", "x"}, "unknown flag -k"},
        UsageCase{"MissingValueAtEnd", {"sign", "--key"}, "missing value for --key"},
        UsageCase{"ValueLooksLikeAFlag",
                  {"key", "generate", "--name", "--out", "f"},
                  "missing value for --name"},
        UsageCase{"MissingRequiredFlag",
                  {"key", "generate", "--name", "a.example/ltl"},
                  "missing required flag --out"},
        UsageCase{"RepeatedSingleFlag",
                  {"key", "generate", "--name", "a", "--name", "b", "--out", "f"},
                  "--name given more than once"},
        UsageCase{"SwitchWithValue", {"entry", "verify", "--json=yes"}, "--json is a switch"},
        UsageCase{"ExtraPositional", {"entry", "verify", "a", "b"}, "unexpected argument 'b'"},
        UsageCase{"MissingPositional", {"get", "--log", "http://127.0.0.1:1"}, "missing argument"},
        UsageCase{
            "BadTimestamp",
            {"revoke", "--revoker",
             "alice.example/ltl+ff7277bf+AdiwCpCI53PXCjWG3kUMH/TDhQt7ZtwJAzkl8TAbVPJm", "--target",
             std::string(64, 'a'), "--reason", "breach", "--issued", "2026-01-01 00:00:00"},
            "--issued"},
        UsageCase{"BadEnumValue",
                  {"revoke", "--revoker",
                   "alice.example/ltl+ff7277bf+AdiwCpCI53PXCjWG3kUMH/TDhQt7ZtwJAzkl8TAbVPJm",
                   "--target", std::string(64, 'a'), "--reason", "boredom"},
                  "--reason: 'boredom' is not one of"},
        UsageCase{"PartyKeyMissing",
                  {"revoke", "--target", std::string(64, 'a'), "--reason", "breach"},
                  "missing --revoker"}),
    [](const ::testing::TestParamInfo<UsageCase>& info) { return info.param.name; });

TEST(FlagSyntaxTest, EqualsFormAndDoubleDashAreAccepted) {
  ltl::testing::TempDir dir;
  const std::string key = (dir.path() / "k.key").string();
  const auto r = RunLtl({"key", "generate", "--name=alice.example/ltl", "--out=" + key});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  WriteFile(dir.path() / "-note", "text\n");
  const auto signed_note = RunLtl({"sign", "--key", key, "--", "-note"}, "", {}, dir.path());
  EXPECT_EQ(signed_note.exit_code, 0) << Describe(signed_note);
  EXPECT_EQ(signed_note.out.substr(0, 6), "text\n\n");
}

TEST(HelpTest, HelpListsEveryExitCodeAndCommandHelpExitsZero) {
  const auto r = RunLtl({"--help"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  for (const char* code :
       {" 0  ok", " 2  usage", " 3  network", " 4  invalid entry", " 5  proof failure",
        " 6  log inconsistency", " 7  policy", " 8  bad signature", " 9  log error",
        "10  local state", " 1  internal"}) {
    EXPECT_NE(r.out.find(code), std::string::npos) << code;
  }
  for (const char* command :
       {"key generate", "key entry", "sign", "entry verify", "grant", "usage", "revoke", "reserve",
        "pay", "receipt", "submit", "verify", "checkpoint", "get", "lookup"}) {
    EXPECT_NE(r.out.find(std::string("  ") + command + " "), std::string::npos) << command;
    std::vector<std::string> args;
    std::string word;
    for (char c : std::string(command) + " ") {
      if (c == ' ') {
        args.push_back(word);
        word.clear();
      } else {
        word += c;
      }
    }
    args.push_back("--help");
    const auto help = RunLtl(args);
    EXPECT_EQ(help.exit_code, 0) << command << Describe(help);
    EXPECT_NE(help.out.find("Usage: ltl " + std::string(command)), std::string::npos);
  }
}

}  // namespace
}  // namespace ltl::cli
