// ltl-node: the log node's command line. Subcommands are a table; each takes
// the arguments after its name and returns the process exit code:
//   0 success, 1 runtime failure (store, bind), 2 usage error.
//
//   ltl-node serve --data DIR [--listen HOST:PORT] [--config FILE] [--<option> VALUE]...
//   ltl-node help
//
// Options and their defaults: docs/operations.md.
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "node/backend_factory.h"
#include "node/options.h"
#include "node/server.h"

namespace ltl::node {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

void PrintError(std::string_view what, const Status& status) {
  std::fprintf(stderr, "ltl-node: %.*s: %s\n", static_cast<int>(what.size()), what.data(),
               status.ToString().c_str());
}

// Serves the HTTP API until SIGINT or SIGTERM, then shuts down in order:
// stop accepting, answer in-flight requests, stop the I/O pool, and only then
// close the store, so that every acknowledged entry was durable.
int Serve(std::span<const std::string_view> args) {
  Result<ServeOptions> options = ParseServeArgs(args);
  if (!options) {
    PrintError("serve", options.error());
    return kExitUsage;
  }
  options->server.stop_on_signals = true;
  Result<std::unique_ptr<LogBackend>> backend = OpenLogBackend(*options);
  if (!backend) {
    PrintError("opening the store in " + options->data_dir.string(), backend.error());
    return kExitFailure;
  }
  Result<std::unique_ptr<Server>> server = Server::Start(options->server, **backend);
  if (!server) {
    PrintError("starting the server", server.error());
    return kExitFailure;
  }
  options->server.log("listening on " + options->server.host + ":" +
                      std::to_string((*server)->port()));
  Status stopped = (*server)->Wait();
  // The backend goes first: after a forced shutdown it may still hold
  // Submit() callbacks, which must run or drop before the server is freed.
  backend->reset();
  server->reset();
  if (!stopped.ok()) {
    PrintError("shutdown", stopped);
    return kExitFailure;
  }
  return kExitOk;
}

int Help(std::span<const std::string_view> args);

struct Subcommand {
  std::string_view name;
  std::string_view usage;
  int (*run)(std::span<const std::string_view> args);
};

// `init` (create a store and its log key) and `fsck` (re-derive tiles and
// the checkpoint from stored entries) join this table with the store.
constexpr Subcommand kSubcommands[] = {
    {"serve", "serve --data DIR [--listen HOST:PORT] [--config FILE] [--<option> VALUE]...", Serve},
    {"help", "help", Help},
};

int Help(std::span<const std::string_view>) {
  std::fprintf(stdout, "usage:\n");
  for (const Subcommand& s : kSubcommands) {
    std::fprintf(stdout, "  ltl-node %.*s\n", static_cast<int>(s.usage.size()), s.usage.data());
  }
  std::fprintf(stdout, "options and defaults: docs/operations.md\n");
  return kExitOk;
}

int Main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty()) {
    Help({});
    return kExitUsage;
  }
  for (const Subcommand& s : kSubcommands) {
    if (s.name == args[0]) return s.run(std::span(args).subspan(1));
  }
  std::fprintf(stderr, "ltl-node: unknown subcommand '%.*s' (try 'ltl-node help')\n",
               static_cast<int>(args[0].size()), args[0].data());
  return kExitUsage;
}

}  // namespace
}  // namespace ltl::node

int main(int argc, char** argv) { return ltl::node::Main(argc, argv); }
