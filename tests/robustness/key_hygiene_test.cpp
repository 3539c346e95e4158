// Private keys: created 0600, refused when others can read them, never in
// logs, error messages, metrics or answers, locked in memory and left out of
// core dumps, and not left behind in freed memory after loading.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <cstring>

#include <fstream>

#include "ledger/keys.h"
#include "ledger/store/log.h"
#include "tests/robustness/node_harness.h"

namespace ltl::robustness {
namespace {

std::string ReadText(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

unsigned ModeOf(const std::filesystem::path& p) {
  struct stat st;
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

// The secret part of a private key file: the base64 of type || seed.
// "PRIVATE+KEY+<name>+<key ID>+<base64>": the base64 may itself hold '+',
// the name and the ID cannot, so it starts after the fourth '+'.
size_t SecretOffset(std::string_view line) {
  size_t at = 0;
  for (int plus = 0; plus < 4; ++plus) {
    at = line.find('+', at);
    if (at == std::string_view::npos) return line.size();
    ++at;
  }
  return at;
}

std::string SecretPart(const std::string& private_key_text) {
  std::string line = private_key_text;
  while (!line.empty() && line.back() == '\n') line.pop_back();
  return line.substr(SecretOffset(line));
}

// Pieces of the secret long enough to be unmistakable (a quarter each), so
// that a partial copy is found too.
std::vector<std::string> SecretPieces(const std::string& secret) {
  // base64(type || 32-byte seed) is 44 characters; anything else means the
  // key file was not read, and empty pieces would match everywhere.
  EXPECT_EQ(secret.size(), 44u) << "not a key: '" << secret << "'";
  if (secret.size() != 44) return {"\x01unreadable key\x01"};
  std::vector<std::string> out;
  const size_t piece = secret.size() / 4;
  for (size_t at = 0; at + piece <= secret.size(); at += piece)
    out.push_back(secret.substr(at, piece));
  return out;
}

bool ContainsAnyPiece(std::string_view haystack, const std::vector<std::string>& pieces) {
  for (const std::string& p : pieces) {
    if (const size_t at = haystack.find(p); at != std::string_view::npos) {
      std::fprintf(stderr, "found key piece at: %s\n",
                   std::string(haystack.substr(at > 80 ? at - 80 : 0, 200)).c_str());
      return true;
    }
  }
  return false;
}

TEST(KeyFiles, NodeInitWritesTheLogKeyWithMode0600) {
  ltl::testing::TempDir tmp;
  InitNode(tmp.path() / "data", "keys.ltl.example/log");
  EXPECT_EQ(ModeOf(tmp.path() / "data" / "log.key"), 0600u);
}

TEST(KeyFiles, NodeRefusesToServeWithALogKeyOthersCanRead) {
  ltl::testing::TempDir tmp;
  const auto data = tmp.path() / "data";
  InitNode(data, "keys.ltl.example/log");
  const std::string secret = SecretPart(ReadText(data / "log.key"));
  for (unsigned mode : {0640u, 0604u, 0660u}) {
    SCOPED_TRACE(mode);
    ASSERT_EQ(::chmod((data / "log.key").c_str(), mode), 0);
    const RunResult r =
        RunProgram(NodeBinary(), {"serve", "--data", data.string(), "--listen", "127.0.0.1:0"});
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("chmod 600"), std::string::npos) << r.out;
    EXPECT_FALSE(ContainsAnyPiece(r.out, SecretPieces(secret))) << "the key leaked: " << r.out;
  }
}

TEST(KeyFiles, CliKeyGenerateWrites0600AndSigningRefusesAKeyOthersCanRead) {
  ltl::testing::TempDir tmp;
  const auto key = tmp.path() / "alice.key";
  const RunResult gen = RunProgram(
      LtlBinary(), {"key", "generate", "--name", "alice.example/ltl", "--out", key.string()});
  ASSERT_EQ(gen.exit_code, 0) << gen.out;
  EXPECT_EQ(ModeOf(key), 0600u);
  const std::string secret = SecretPart(ReadText(key));
  EXPECT_FALSE(ContainsAnyPiece(gen.out, SecretPieces(secret))) << "printed the secret";
  const auto text = tmp.path() / "note.txt";
  std::ofstream(text) << "hello\n";
  const RunResult ok = RunProgram(LtlBinary(), {"sign", "--key", key.string(), text.string()});
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  ASSERT_EQ(::chmod(key.c_str(), 0644), 0);
  const RunResult refused = RunProgram(LtlBinary(), {"sign", "--key", key.string(), text.string()});
  EXPECT_NE(refused.exit_code, 0) << refused.out;
  EXPECT_NE(refused.out.find("chmod 600"), std::string::npos) << refused.out;
  EXPECT_FALSE(ContainsAnyPiece(refused.out, SecretPieces(secret)));
}

TEST(KeyFiles, AMalformedLogKeyFileIsRefusedWithoutEchoingIt) {
  ltl::testing::TempDir tmp;
  const auto data = tmp.path() / "data";
  InitNode(data, "keys.ltl.example/log");
  std::string text = ReadText(data / "log.key");
  const std::string secret = SecretPart(text);
  // A wrong key ID: the seed is intact but the file is not a valid key.
  const size_t id = text.find('+', std::string("PRIVATE+KEY+").size()) + 1;
  text[id] = text[id] == '0' ? '1' : '0';
  std::ofstream(data / "log.key", std::ios::trunc) << text;
  const RunResult r =
      RunProgram(NodeBinary(), {"serve", "--data", data.string(), "--listen", "127.0.0.1:0"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("log.key"), std::string::npos) << r.out;
  EXPECT_FALSE(ContainsAnyPiece(r.out, SecretPieces(secret))) << "the key leaked: " << r.out;
}

TEST(KeyFiles, KeyMaterialNeverAppearsInTheNodeLogMetricsOrAnswers) {
  ltl::testing::TempDir tmp;
  const auto data = tmp.path() / "data";
  InitNode(data, "keys.ltl.example/log");
  const auto pieces = SecretPieces(SecretPart(ReadText(data / "log.key")));
  NodeProcess node(data, tmp.path() / "node.log", {"--access-log", "stderr"});
  ASSERT_TRUE(node.Start()) << node.Log();
  EntryMaker maker;
  std::string answers;
  for (const HttpAnswer& a :
       {Http(node.port(), "POST", "/add", maker.Registration()),
        Http(node.port(), "POST", "/add", maker.Grant(1)),
        Http(node.port(), "POST", "/add", "not an entry\n"),
        Http(node.port(), "GET", "/checkpoint"), Http(node.port(), "GET", "/metrics"),
        Http(node.port(), "GET", "/healthz"), Http(node.port(), "GET", "/entry/99"),
        Http(node.port(), "GET", "/tile/0/000.p/2"),
        Http(node.port(), "GET", "/nope?" + std::string(100, 'k'))}) {
    EXPECT_NE(a.status, 0);
    answers += a.head + a.body;
  }
  node.Stop(SIGTERM);
  EXPECT_FALSE(ContainsAnyPiece(answers, pieces)) << "an answer carries key material";
  EXPECT_FALSE(ContainsAnyPiece(node.Log(), pieces)) << "the log carries key material";
  EXPECT_NE(node.Log().find("\"POST /add\" 200"), std::string::npos) << "no access log written";
}

#if !defined(LTL_SANITIZE)  // used by the test below, skipped under ASan
// libsodium's sodium_malloc (ledger/keys.cpp keeps the secret there) mlocks
// the secret's pages and marks them MADV_DONTDUMP: /proc/self/smaps shows
// them with the "lo" and "dd" VmFlags.
int CountMappingsWithFlags(std::string_view a, std::string_view b) {
  const std::string smaps = ReadText("/proc/self/smaps");
  int count = 0;
  size_t at = 0;
  while ((at = smaps.find("VmFlags:", at)) != std::string::npos) {
    const size_t end = smaps.find('\n', at);
    const std::string flags = " " + smaps.substr(at + 8, end - at - 8) + " ";
    if (flags.find(" " + std::string(a) + " ") != std::string::npos &&
        flags.find(" " + std::string(b) + " ") != std::string::npos) {
      ++count;
    }
    at = end;
  }
  return count;
}

#endif  // !defined(LTL_SANITIZE)

TEST(KeyMemory, SigningKeysLiveInLockedMemoryExcludedFromCoreDumps) {
#if defined(LTL_SANITIZE)
  // The sanitizer runtime intercepts mlock and makes it a no-op (it would
  // lock shadow memory too), so only the normal build can see "lo".
  GTEST_SKIP() << "mlock is a no-op under ASan; checked in the normal build";
#else
  ASSERT_TRUE(ledger::InitCrypto().ok());
  const int before = CountMappingsWithFlags("lo", "dd");
  std::vector<ledger::SigningKey> keys;
  for (int i = 0; i < 4; ++i) keys.push_back(ledger::SigningKey::Generate("k.example").value());
  EXPECT_GE(CountMappingsWithFlags("lo", "dd"), before + 4)
      << "key memory is not mlocked and MADV_DONTDUMP";
#endif
}

// After Log::Open read log.key, no copy of its secret is left in the heap
// (ReadLogKey wipes its buffer; an ifstream/stringstream would leave copies
// in freed memory). Checked in a child process whose only contact with the
// key is Log::Open: the key was made by `ltl-node init` (another process),
// and this test reads it only into a stack buffer, keeping pieces XOR-masked
// so that the needles themselves are never in the heap.
#if !defined(LTL_SANITIZE)  // the test below is skipped under ASan
struct MaskedSecret {
  static constexpr uint8_t kMask = 0x5a;
  char pieces[4][16] = {};
  size_t piece_len = 0;
};

MaskedSecret ReadMaskedSecret(const std::filesystem::path& key_file) {
  MaskedSecret out;
  char buf[512];
  const int fd = ::open(key_file.c_str(), O_RDONLY);
  const ssize_t n = fd < 0 ? -1 : ::read(fd, buf, sizeof buf);
  if (fd >= 0) ::close(fd);
  if (n <= 0) return out;
  size_t len = static_cast<size_t>(n);
  while (len > 0 && buf[len - 1] == '\n') --len;
  const size_t plus = SecretOffset(std::string_view(buf, len));
  const size_t secret_len = len - plus;
  out.piece_len = std::min<size_t>(secret_len / 4, sizeof out.pieces[0]);
  for (size_t p = 0; p < 4; ++p) {
    for (size_t i = 0; i < out.piece_len; ++i) {
      out.pieces[p][i] = static_cast<char>(buf[plus + p * out.piece_len + i] ^ MaskedSecret::kMask);
    }
  }
  explicit_bzero(buf, sizeof buf);
  return out;
}

#endif  // !defined(LTL_SANITIZE)

TEST(KeyMemory, OpeningTheLogLeavesNoCopyOfTheKeyFileInTheHeap) {
#if defined(LTL_SANITIZE)
  GTEST_SKIP() << "ASan's allocator keeps its own heap layout; checked in the normal build";
#else
  ltl::testing::TempDir tmp;
  const auto data = tmp.path() / "data";
  InitNode(data, "keys.ltl.example/log");
  const MaskedSecret secret = ReadMaskedSecret(data / "log.key");
  ASSERT_EQ(secret.piece_len, 11u);  // a quarter of 44 base64 characters
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto log = store::Log::Open(data, [](std::string_view) -> Result<store::AdmittedEntry> {
      return Status::InvalidArgument("read-only test");
    });
    if (!log) ::_exit(3);
    // The scan buffer is mmap'd, outside the heap it inspects.
    const int maps = ::open("/proc/self/maps", O_RDONLY);
    char text[1 << 16];
    const ssize_t maps_len = ::read(maps, text, sizeof text - 1);
    if (maps_len <= 0) ::_exit(4);
    text[maps_len] = '\0';
    const char* heap = std::strstr(text, "[heap]");
    if (heap == nullptr) ::_exit(0);  // no brk heap at all: nothing can linger there
    const char* line = heap;
    while (line > text && line[-1] != '\n') --line;
    char* dash = nullptr;
    const uint64_t begin = std::strtoull(line, &dash, 16);
    const uint64_t end = std::strtoull(dash + 1, nullptr, 16);
    const size_t size = end - begin;
    void* copy = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    const int mem = ::open("/proc/self/mem", O_RDONLY);
    if (copy == MAP_FAILED || ::pread(mem, copy, size, static_cast<off_t>(begin)) < 0) ::_exit(4);
    for (const auto& masked : secret.pieces) {
      char needle[16];
      for (size_t i = 0; i < secret.piece_len; ++i) {
        needle[i] = static_cast<char>(masked[i] ^ MaskedSecret::kMask);
      }
      if (::memmem(copy, size, needle, secret.piece_len) != nullptr) ::_exit(1);
    }
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0)
      << (WEXITSTATUS(status) == 1 ? "a piece of the key file is left in the heap"
                                   : "the child could not open the log or read memory");
#endif
}

}  // namespace
}  // namespace ltl::robustness
