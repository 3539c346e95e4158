// Disk trouble under a running ltl-node, through the LD_PRELOAD fault shim
// (tests/robustness/fault_shim.cpp): a full disk or a failing disk turns the
// node read-only with a clear error (writes 503 + Retry-After, /healthz 503)
// while every read keeps being served, and it resumes by itself once the
// fault is gone. Nothing that was refused is in the log; fsck passes after.
//
// And bit rot: bytes of a logged entry and of a leaf hash flipped directly in
// data.mdb (every copy LMDB keeps) are found by fsck and by the reads that
// depend on them, which answer 500 without the corrupt bytes; the rest of the
// log is still served. Corrupt LMDB meta pages stop the node from starting
// with a message naming the store.
#include <gtest/gtest.h>

#include <fstream>

#include "client/receipt.h"
#include "proofs/hash.h"
#include "tests/robustness/node_harness.h"

namespace ltl::robustness {
namespace {

void SetFault(const std::filesystem::path& control, std::string_view fault) {
  std::ofstream(control, std::ios::trunc) << fault;
}

std::map<std::string, std::string> ShimEnv(const std::filesystem::path& control) {
  std::string asan = "verify_asan_link_order=0";
  if (const char* old = std::getenv("ASAN_OPTIONS")) asan = std::string(old) + ":" + asan;
  return {{"LD_PRELOAD", FaultShim().string()},
          {"LTL_FAULT_CONTROL", control.string()},
          {"ASAN_OPTIONS", asan}};
}

class NodeDiskFaults : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ledger::InitCrypto().ok());
    ASSERT_TRUE(std::filesystem::exists(FaultShim())) << FaultShim();
    data_ = tmp_.path() / "data";
    InitNode(data_, "disk.ltl.example/log");
    control_ = tmp_.path() / "fault";
  }

  ltl::testing::TempDir tmp_;
  std::filesystem::path data_, control_;
  EntryMaker maker_;
};

TEST_P(NodeDiskFaults, AFailingDiskMakesTheNodeReadOnlyAndItResumesWhenTheFaultClears) {
  const std::string fault = GetParam();
  NodeProcess node(data_, tmp_.path() / "node.log", {"--batch-max-delay-ms", "1"},
                   ShimEnv(control_));
  ASSERT_TRUE(node.Start()) << node.Log();
  const uint16_t port = node.port();
  ASSERT_EQ(Http(port, "POST", "/add", maker_.Registration()).status, 200);
  uint64_t n = 0;
  uint64_t acknowledged = 1;
  for (; n < 5; ++n, ++acknowledged)
    ASSERT_EQ(Http(port, "POST", "/add", maker_.Grant(n)).status, 200);

  SetFault(control_, fault);
  // A full disk only refuses writes that grow data.mdb; LMDB first reuses
  // free pages, so a few more commits may still fit.
  HttpAnswer refused;
  for (int i = 0; i < 500 && refused.status != 503; ++i, ++n) {
    refused = Http(port, "POST", "/add", maker_.Grant(n));
    if (refused.status == 200) ++acknowledged;
    ASSERT_TRUE(refused.status == 200 || refused.status == 503) << refused.status << refused.body;
  }
  ASSERT_EQ(refused.status, 503) << "the fault never reached a commit";
  const std::string cause = fault == "ENOSPC" ? "No space left on device" : "Input/output error";
  EXPECT_NE(refused.body.find("read-only"), std::string::npos) << refused.body;
  EXPECT_NE(refused.body.find(cause), std::string::npos) << refused.body;
  EXPECT_TRUE(refused.Header("Retry-After").has_value()) << refused.head;

  // Read-only: writes refused at once, health says why, reads all served.
  const HttpAnswer again = Http(port, "POST", "/add", maker_.Grant(n++));
  EXPECT_EQ(again.status, 503) << again.body;
  const HttpAnswer health = Http(port, "GET", "/healthz");
  EXPECT_EQ(health.status, 503);
  EXPECT_NE(health.body.find(cause), std::string::npos) << health.body;
  const HttpAnswer checkpoint = Http(port, "GET", "/checkpoint");
  EXPECT_EQ(checkpoint.status, 200);
  EXPECT_EQ(Http(port, "GET", "/entry/0").status, 200);
  EXPECT_EQ(Http(port, "GET", "/entry/" + std::to_string(acknowledged - 1)).status, 200);
  EXPECT_EQ(Http(port, "GET", "/tile/0/000.p/" + std::to_string(acknowledged)).status, 200);
  EXPECT_EQ(
      Http(port, "GET", "/proof/inclusion?index=1&size=" + std::to_string(acknowledged)).status,
      200);
  EXPECT_EQ(Http(port, "GET", "/metrics").status, 200);
  EXPECT_NE(node.Log().find(cause), std::string::npos) << "the node's log does not say why";

  // The fault clears; after its back-off the node takes writes again.
  SetFault(control_, "");
  HttpAnswer resumed;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  const std::string entry = maker_.Grant(n++);
  while (std::chrono::steady_clock::now() < deadline) {
    resumed = Http(port, "POST", "/add", entry);
    if (resumed.status == 200) break;
    ASSERT_EQ(resumed.status, 503) << resumed.body;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(resumed.status, 200) << "the node did not resume: " << resumed.body;
  EXPECT_EQ(client::ParseReceiptJson(resumed.body).value().index, acknowledged)
      << "refused entries took places in the log";
  EXPECT_EQ(Http(port, "GET", "/healthz").status, 200);
  EXPECT_EQ(Http(port, "POST", "/add", maker_.Grant(n++)).status, 200);
  EXPECT_EQ(node.Stop(SIGTERM), 0) << node.Log();
  const RunResult fsck = RunProgram(NodeBinary(), {"fsck", "--data", data_.string()});
  EXPECT_EQ(fsck.exit_code, 0) << fsck.out;
  EXPECT_NE(fsck.out.find("tree size " + std::to_string(acknowledged + 2)), std::string::npos)
      << fsck.out;
}

INSTANTIATE_TEST_SUITE_P(Faults, NodeDiskFaults, ::testing::Values("ENOSPC", "EIO"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

// ---- Bit rot in data.mdb ---------------------------------------------------

// Flips one bit in every copy of `needle` in the file; returns the count.
int FlipEveryCopy(const std::filesystem::path& file, std::string_view needle, size_t at) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  int copies = 0;
  for (size_t pos = bytes.find(needle); pos != std::string::npos;
       pos = bytes.find(needle, pos + 1)) {
    bytes[pos + at] ^= 0x01;
    ++copies;
  }
  f.seekp(0);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return copies;
}

class NodeBitRot : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ledger::InitCrypto().ok());
    data_ = tmp_.path() / "data";
    InitNode(data_, "rot.ltl.example/log");
    NodeProcess node(data_, tmp_.path() / "node.log");
    ASSERT_TRUE(node.Start()) << node.Log();
    ASSERT_EQ(Http(node.port(), "POST", "/add", maker_.Registration()).status, 200);
    for (uint64_t n = 0; n < kEntries - 1; ++n) {
      const HttpAnswer a = Http(node.port(), "POST", "/add", maker_.Grant(n));
      ASSERT_EQ(a.status, 200) << a.body;
      receipts_.push_back(client::ParseReceiptJson(a.body).value());
    }
    ASSERT_EQ(node.Stop(SIGTERM), 0);
  }

  // Starts the node and returns it; the test's reads go to it.
  std::unique_ptr<NodeProcess> Restart() {
    auto node = std::make_unique<NodeProcess>(data_, tmp_.path() / "node.log");
    EXPECT_TRUE(node->Start()) << node->Log();
    return node;
  }

  static constexpr uint64_t kEntries = 20;  // all in the tail, not yet in a sealed bundle
  ltl::testing::TempDir tmp_;
  std::filesystem::path data_;
  EntryMaker maker_;
  std::vector<client::Receipt> receipts_;  // of entries 1..kEntries-1
};

TEST_F(NodeBitRot, AFlippedBitInALoggedEntryIsReportedAndTheEntryIsNeverServed) {
  // Grant 6 is entry 7; its grant id is unique in the file.
  ASSERT_GT(FlipEveryCopy(data_ / "data.mdb", "grant-id torture-6\n", 9), 0);
  const RunResult fsck = RunProgram(NodeBinary(), {"fsck", "--data", data_.string()});
  EXPECT_EQ(fsck.exit_code, 1) << fsck.out;
  EXPECT_NE(fsck.out.find("FAILED"), std::string::npos) << fsck.out;
  auto node = Restart();
  const HttpAnswer entry = Http(node->port(), "GET", "/entry/7");
  EXPECT_EQ(entry.status, 500) << entry.body;
  EXPECT_EQ(entry.body.find("torture"), std::string::npos) << "corrupt bytes were served";
  const HttpAnswer bundle = Http(node->port(), "GET", "/tile/entries/000.p/20");
  EXPECT_EQ(bundle.status, 500);
  EXPECT_EQ(Http(node->port(), "GET", "/tile/entries/000.p/7").status, 200);  // intact prefix
  EXPECT_EQ(Http(node->port(), "GET", "/entry/8").status, 200);
  EXPECT_EQ(Http(node->port(), "GET", "/checkpoint").status, 200);
  node->Stop(SIGTERM);
  EXPECT_NE(node->Log().find("detail=\"data_loss"), std::string::npos)
      << "the node's log does not report the corruption:\n"
      << node->Log();
}

TEST_F(NodeBitRot, AFlippedBitInALeafHashIsReportedAndItsTileAndProofsAreNeverServed) {
  const proofs::Hash leaf = receipts_[4].leaf_hash;  // entry 5
  ASSERT_GT(FlipEveryCopy(data_ / "data.mdb", std::string_view(AsChars(leaf)), 31), 0);
  const RunResult fsck = RunProgram(NodeBinary(), {"fsck", "--data", data_.string()});
  EXPECT_EQ(fsck.exit_code, 1) << fsck.out;
  auto node = Restart();
  const uint16_t port = node->port();
  const HttpAnswer tile = Http(port, "GET", "/tile/0/000.p/20");
  EXPECT_EQ(tile.status, 500);
  EXPECT_EQ(Http(port, "GET", "/proof/inclusion?index=5&size=20").status, 500);
  EXPECT_EQ(Http(port, "GET", "/proof/inclusion?index=4&size=20").status, 500);  // sibling
  EXPECT_EQ(Http(port, "GET", "/entry/5").status, 500);
  EXPECT_EQ(Http(port, "GET", "/checkpoint").status, 200);
}

TEST_F(NodeBitRot, CorruptMetaPagesStopTheNodeFromStartingWithAClearError) {
  // LMDB keeps two meta pages at the start of data.mdb (page 0 and page 1).
  std::fstream f(data_ / "data.mdb", std::ios::in | std::ios::out | std::ios::binary);
  const long page = ::sysconf(_SC_PAGESIZE);
  for (long at : {16L, page + 16}) {  // inside each meta page's magic/version
    f.seekp(at);
    f.write("\xff\xff\xff\xff", 4);
  }
  f.close();
  const RunResult serve =
      RunProgram(NodeBinary(), {"serve", "--data", data_.string(), "--listen", "127.0.0.1:0"});
  EXPECT_EQ(serve.exit_code, 1) << serve.out;
  EXPECT_NE(serve.out.find("data_loss"), std::string::npos) << serve.out;
  EXPECT_NE(serve.out.find(data_.string()), std::string::npos) << serve.out;
  const RunResult fsck = RunProgram(NodeBinary(), {"fsck", "--data", data_.string()});
  EXPECT_EQ(fsck.exit_code, 1) << fsck.out;
}

}  // namespace
}  // namespace ltl::robustness
