// `ltl monitor ...`: the monitor is its own executable, ltl-monitor
// (monitor/main.cpp, docs/monitor.md), because it keeps its state in LMDB
// and the `ltl` client must never link LMDB (docs/architecture.md). This
// file runs ltl-monitor from the folder the running `ltl` lives in, with the
// arguments after `monitor`, git-style: the process is replaced, so
// ltl-monitor's output and exit code are the command's.
#include <limits.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace ltl::cli {

// The folder holding the running executable ("" when unknown).
static std::string SelfDir() {
  char buf[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "";
  std::string path(buf, static_cast<size_t>(n));
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

// argv[0] is `ltl`, argv[1] `monitor`; returns only on failure.
int RunMonitorTool(int argc, char** argv) {
  const std::string dir = SelfDir();
  const std::string tool = dir + "/ltl-monitor";
  if (dir.empty() || ::access(tool.c_str(), X_OK) != 0) {
    std::fprintf(stderr,
                 "ltl monitor: %s not found or not executable: install ltl-monitor next to ltl\n",
                 dir.empty() ? "ltl-monitor" : tool.c_str());
    return 2;  // usage: the installation is incomplete
  }
  std::vector<char*> args;
  args.push_back(const_cast<char*>("ltl-monitor"));
  for (int i = 2; i < argc; ++i) args.push_back(argv[i]);
  args.push_back(nullptr);
  ::execv(tool.c_str(), args.data());
  std::fprintf(stderr, "ltl monitor: cannot run %s: %s\n", tool.c_str(), std::strerror(errno));
  return 1;
}

}  // namespace ltl::cli
