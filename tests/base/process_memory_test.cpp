#include "base/process_memory.h"

#include <gtest/gtest.h>

#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

namespace ltl {
namespace {

TEST(ParseStatmTest, ResidentAndSharedAreTheSecondAndThirdFieldsInPages) {
  // As Linux writes it: size resident shared text lib data dt, and a newline.
  auto m = ParseStatm("1024 300 120 10 0 200 0\n", 4096);
  ASSERT_TRUE(m.has_value()) << m.error();
  EXPECT_EQ(m->total_bytes, 300u * 4096);
  EXPECT_EQ(m->file_bytes, 120u * 4096);
}

TEST(ParseStatmTest, RefusesTextThatIsNotStatm) {
  EXPECT_FALSE(ParseStatm("", 4096).has_value());
  EXPECT_FALSE(ParseStatm("1024 300", 4096).has_value());
  EXPECT_FALSE(ParseStatm("1024 x 120", 4096).has_value());
  EXPECT_FALSE(ParseStatm("1024 300 301 0 0 0 0", 4096).has_value());  // shared > resident
  EXPECT_FALSE(ParseStatm("1 99999999999999999999 1", 4096).has_value());
}

TEST(ReadResidentMemoryTest, CountsAnonymousPagesTheProcessTouches) {
  auto before = ReadResidentMemory();
  ASSERT_TRUE(before.has_value()) << before.error();
  const size_t size = size_t{32} << 20;
  void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(p, MAP_FAILED);
  std::memset(p, 1, size);
  auto after = ReadResidentMemory();
  ::munmap(p, size);
  ASSERT_TRUE(after.has_value()) << after.error();
  EXPECT_GE(after->total_bytes, before->total_bytes + size / 2);
  EXPECT_LE(after->file_bytes, after->total_bytes);
}

}  // namespace
}  // namespace ltl

namespace ltl {
namespace {

TEST(ParseMappingsOfFileTest, FindsEveryMappingOfTheFileByDeviceAndInode) {
  const std::string maps =
      "55d0c0a00000-55d0c0a21000 r--p 00000000 fe:01 1311 /usr/bin/ltl-node\n"
      "7f0000000000-7f0004000000 r--s 00000000 08:11 424242    /data/ltl/data.mdb\n"
      "7f0004000000-7f0004001000 rw-p 00000000 00:00 0 \n"
      "7f0005000000-7f0005002000 r--s 04000000 08:11 424242 /data/ltl/data.mdb\n"
      "7f0006000000-7f0006001000 r--s 00000000 08:12 424242 /other/disk/same-inode\n"
      "7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]\n"
      "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0\n";
  auto found = ParseMappingsOfFile(maps, makedev(8, 0x11), 424242);
  ASSERT_TRUE(found.has_value()) << found.error();
  ASSERT_EQ(found->size(), 2u);
  EXPECT_EQ((*found)[0].begin, 0x7f0000000000u);
  EXPECT_EQ((*found)[0].end, 0x7f0004000000u);
  EXPECT_EQ((*found)[1].begin, 0x7f0005000000u);
  EXPECT_EQ((*found)[1].end, 0x7f0005002000u);
  auto none = ParseMappingsOfFile(maps, makedev(8, 0x11), 1311);
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->empty());
}

TEST(ParseMappingsOfFileTest, RefusesLinesThatAreNotMaps) {
  EXPECT_FALSE(ParseMappingsOfFile("hello\n", 1, 1).has_value());
  EXPECT_FALSE(ParseMappingsOfFile("7f00-7e00 r--s 0 08:11 1 x\n", 1, 1).has_value());
  EXPECT_FALSE(ParseMappingsOfFile("7f00-7f01 r--s 0 0811 1 x\n", 1, 1).has_value());
}

TEST(MappingsOfFileTest, FindsAFileThisProcessMapped) {
  char path[] = "/tmp/ltl-maps-XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::unlink(path);
  ASSERT_EQ(::ftruncate(fd, 8192), 0);
  void* p = ::mmap(nullptr, 8192, PROT_READ, MAP_SHARED, fd, 0);
  ASSERT_NE(p, MAP_FAILED);
  struct stat st;
  ASSERT_EQ(::fstat(fd, &st), 0);
  auto found = MappingsOfFile(st.st_dev, st.st_ino);
  ::munmap(p, 8192);
  ::close(fd);
  ASSERT_TRUE(found.has_value()) << found.error();
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].begin, reinterpret_cast<uintptr_t>(p));
  EXPECT_EQ((*found)[0].end, reinterpret_cast<uintptr_t>(p) + 8192);
}

}  // namespace
}  // namespace ltl
