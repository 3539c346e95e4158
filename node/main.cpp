// ltl-node: the log node's command line. Subcommands are a table; each takes
// the arguments after its name and returns the process exit code:
//   0 success, 1 runtime failure (store, bind), 2 usage error.
//
//   ltl-node init --data DIR --origin ORIGIN [--role log]
//   ltl-node init --data DIR --name NAME --role witness|mirror
//   ltl-node serve --data DIR [--role ROLES] [--listen HOST:PORT] [--config FILE]
//                  [--<option> VALUE]...
//   ltl-node fsck --data DIR
//   ltl-node help
//
// Options and their defaults: docs/operations.md; the network roles:
// docs/network.md.
#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/keys.h"
#include "ledger/store/fsck.h"
#include "ledger/store/init_log.h"
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
// stop accepting, answer in-flight requests, stop the I/O pool, stop the
// network roles, and only then close the stores, so that every acknowledged
// entry and every cosigned checkpoint was durable.
int Serve(std::span<const std::string_view> args) {
  Result<ServeOptions> options = ParseServeArgs(args);
  if (!options) {
    PrintError("serve", options.error());
    return kExitUsage;
  }
  options->server.stop_on_signals = true;
  Result<std::unique_ptr<NetworkNode>> node = NetworkNode::Open(*options);
  if (!node) {
    PrintError("opening " + options->data_dir.string(), node.error());
    return kExitFailure;
  }
  options->server.network = (*node)->routes();
  Result<std::unique_ptr<Server>> server = Server::Start(options->server, (*node)->backend());
  if (!server) {
    PrintError("starting the server", server.error());
    return kExitFailure;
  }
  // Always printed, even with access_log = off: with --listen HOST:0 it is
  // the only way to learn the port.
  std::fprintf(stderr, "listening on %s:%u\n", options->server.host.c_str(),
               static_cast<unsigned>((*server)->port()));
  Status stopped = (*server)->Wait();
  // The node goes first: after a forced shutdown its backend may still hold
  // Submit() callbacks, which must run or drop before the server is freed.
  node->reset();
  server->reset();
  if (!stopped.ok()) {
    PrintError("shutdown", stopped);
    return kExitFailure;
  }
  return kExitOk;
}

// Parses "--name VALUE" / "--name=VALUE" pairs for the small subcommands;
// every flag is required exactly once and no other is accepted.
Result<std::vector<std::string>> ParseRequiredFlags(std::span<const std::string_view> args,
                                                    std::span<const std::string_view> names) {
  std::vector<std::optional<std::string>> values(names.size());
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (!arg.starts_with("--")) {
      return Status::InvalidArgument("unexpected argument '" + std::string(arg) + "'");
    }
    arg.remove_prefix(2);
    std::string_view value;
    if (size_t eq = arg.find('='); eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return Status::InvalidArgument("--" + std::string(arg) + " needs a value");
    }
    size_t k = 0;
    while (k < names.size() && names[k] != arg) ++k;
    if (k == names.size()) return Status::InvalidArgument("unknown flag --" + std::string(arg));
    if (values[k]) return Status::InvalidArgument("--" + std::string(arg) + " given twice");
    if (value.empty()) return Status::InvalidArgument("--" + std::string(arg) + " is empty");
    values[k] = std::string(value);
  }
  std::vector<std::string> out;
  for (size_t k = 0; k < names.size(); ++k) {
    if (!values[k]) return Status::InvalidArgument("--" + std::string(names[k]) + " is required");
    out.push_back(*values[k]);
  }
  return out;
}

// Parses "--name VALUE" / "--name=VALUE" pairs: each flag at most once,
// only the given names. Absent flags are missing from the map.
Result<std::map<std::string, std::string, std::less<>>> ParseFlags(
    std::span<const std::string_view> args, std::span<const std::string_view> names) {
  std::map<std::string, std::string, std::less<>> out;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (!arg.starts_with("--")) {
      return Status::InvalidArgument("unexpected argument '" + std::string(arg) + "'");
    }
    arg.remove_prefix(2);
    std::string_view value;
    if (size_t eq = arg.find('='); eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return Status::InvalidArgument("--" + std::string(arg) + " needs a value");
    }
    if (std::find(names.begin(), names.end(), arg) == names.end()) {
      return Status::InvalidArgument("unknown flag --" + std::string(arg));
    }
    if (value.empty()) return Status::InvalidArgument("--" + std::string(arg) + " is empty");
    if (!out.emplace(std::string(arg), std::string(value)).second) {
      return Status::InvalidArgument("--" + std::string(arg) + " given twice");
    }
  }
  return out;
}

// Creates a data folder. For a log (the default role): its log key (mode
// 0600) and an empty log with a signed checkpoint of size 0. For a witness
// or a mirror: its cosignature/v1 key (witness.key / mirror.key, 0600) and
// its state store. Prints the verifier key others need.
int Init(std::span<const std::string_view> args) {
  constexpr std::string_view kFlags[] = {"data", "origin", "name", "role"};
  auto flags = ParseFlags(args, kFlags);
  auto usage = [](std::string_view why) {
    PrintError("init", Status::InvalidArgument(why));
    return kExitUsage;
  };
  if (!flags) {
    PrintError("init", flags.error());
    return kExitUsage;
  }
  auto get = [&](std::string_view name) -> std::optional<std::string> {
    auto it = flags->find(name);
    return it == flags->end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  const std::optional<std::string> data = get("data");
  const std::string role = get("role").value_or("log");
  if (!data) return usage("--data is required");
  if (role != "log" && role != "witness" && role != "mirror") {
    return usage("--role: want log, witness or mirror");
  }
  if (Status s = ledger::InitCrypto(); !s.ok()) {
    PrintError("init", s);
    return kExitFailure;
  }
  if (role == "log") {
    const std::optional<std::string> origin = get("origin");
    if (!origin) return usage("--origin is required for a log");
    if (get("name"))
      return usage("--name is for witnesses and mirrors; a log is named by --origin");
    Result<store::InitResult> made = store::InitLog(*data, *origin);
    if (!made) {
      PrintError("init", made.error());
      return made.error().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
    }
    std::fprintf(stderr, "ltl-node: created log '%s' in %s; its verifier key:\n", origin->c_str(),
                 data->c_str());
    std::fprintf(stdout, "%s\n", made->verifier_key.c_str());
    return kExitOk;
  }
  const std::optional<std::string> name = get("name");
  if (!name) return usage("--name is required for a " + role);
  if (get("origin")) return usage("--origin is for logs; a " + role + " is named by --name");
  Result<ledger::SigningKey> key = CreateNetworkFolder(*data, role, *name);
  if (!key) {
    PrintError("init", key.error());
    return key.error().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
  }
  std::fprintf(stderr, "ltl-node: created %s '%s' in %s; its cosignature verifier key:\n",
               role.c_str(), name->c_str(), data->c_str());
  std::fprintf(stdout, "%s\n", key->verifier().ToString().c_str());
  return kExitOk;
}

// Re-derives every tile, bundle and checkpoint root from the stored entries.
int Fsck(std::span<const std::string_view> args) {
  constexpr std::string_view kFlags[] = {"data"};
  Result<std::vector<std::string>> flags = ParseRequiredFlags(args, kFlags);
  if (!flags) {
    PrintError("fsck", flags.error());
    return kExitUsage;
  }
  if (Status s = ledger::InitCrypto(); !s.ok()) {
    PrintError("fsck", s);
    return kExitFailure;
  }
  Result<store::FsckReport> report = store::Fsck((*flags)[0]);
  if (!report) {
    PrintError("fsck", report.error());
    return kExitFailure;
  }
  std::fprintf(stdout,
               "tree size %llu: %llu entries, %llu tile hashes, %llu bundles, %llu checkpoints "
               "checked\n",
               static_cast<unsigned long long>(report->tree_size),
               static_cast<unsigned long long>(report->entries_checked),
               static_cast<unsigned long long>(report->tile_hashes_checked),
               static_cast<unsigned long long>(report->bundles_checked),
               static_cast<unsigned long long>(report->checkpoints_checked));
  if (!report->ok()) {
    std::fprintf(stdout, "FAILED: %s\n", report->problem.ToString().c_str());
    return kExitFailure;
  }
  std::fprintf(stdout, "OK\n");
  return kExitOk;
}

int Help(std::span<const std::string_view> args);

struct Subcommand {
  std::string_view name;
  std::string_view usage;
  int (*run)(std::span<const std::string_view> args);
};

constexpr Subcommand kSubcommands[] = {
    {"init", "init --data DIR --origin ORIGIN | --data DIR --name NAME --role witness|mirror",
     Init},
    {"serve",
     "serve --data DIR [--role log|witness|mirror] [--listen HOST:PORT] [--config FILE] "
     "[--<option> VALUE]...",
     Serve},
    {"fsck", "fsck --data DIR", Fsck},
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
