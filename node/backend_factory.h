// How `ltl-node serve` obtains its log and its network roles: the one seam
// between the HTTP layer (node/server.h), the stores (ledger/store/) and the
// roles (node/witness.h, node/cosigning.h, node/mirror.h, node/gossip.h).
//
// OpenLogBackend is defined in node/backend_factory.cpp, over the LMDB store;
// node/CMakeLists.txt adds the ltl-node executable once that file exists.
// Tests never call it: they pass an in-memory LogBackend to Server::Start.
//
// Data folder of each role (docs/network.md#data-folders):
//   log      log.key, data.mdb (the log), network/ (published checkpoint, alarms)
//   witness  witness.key, network/ (latest cosigned checkpoint per log, evidence)
//   mirror   mirror.key, mirror/ (the mirrored tree), network/ (alarms, evidence)
#ifndef LTL_NODE_BACKEND_FACTORY_H_
#define LTL_NODE_BACKEND_FACTORY_H_

#include <filesystem>
#include <memory>
#include <string_view>

#include "base/result.h"
#include "ledger/keys.h"
#include "node/http_handlers.h"
#include "node/log_backend.h"
#include "node/options.h"

namespace ltl::node {

// Opens (and recovers, if needed) the store in options.data_dir and starts its
// sequencer. Destroying the returned backend stops the sequencer after
// answering or refusing every pending Submit(), then closes the store.
// Errors: NotFound when data_dir holds no store (run `ltl-node init`),
// DataLoss for a corrupt store, Unavailable when it is locked by another
// process or cannot be opened.
Result<std::unique_ptr<LogBackend>> OpenLogBackend(const ServeOptions& options);

// `ltl-node init --role witness|mirror`: creates `data` with the node's
// cosignature/v1 key (witness.key or mirror.key, mode 0600) and its network
// store, and returns the key. Errors: InvalidArgument (role or name),
// AlreadyExists (a key file is there), file system errors.
Result<ledger::SigningKey> CreateNetworkFolder(const std::filesystem::path& data,
                                               std::string_view role, std::string_view name);

// Everything `ltl-node serve` runs besides the HTTP server: the tree it
// serves (the log's store, a mirror, or none for a witness) and the network
// roles options.network asks for.
// Thread-safety: backend() and routes() may be used from any thread while
// the node lives.
class NetworkNode {
 public:
  // Opens the stores and starts the roles' threads.
  // Errors: those of OpenLogBackend; NotFound / FailedPrecondition for a
  // missing or unreadable key file or store; InvalidArgument for a role
  // configuration the stores contradict (a mirror's store following another
  // log).
  static Result<std::unique_ptr<NetworkNode>> Open(const ServeOptions& options);
  // Stops the roles (pending waits answered Unavailable), then closes the
  // log (answering every pending Submit) and the stores.
  ~NetworkNode();
  NetworkNode(const NetworkNode&) = delete;
  NetworkNode& operator=(const NetworkNode&) = delete;

  // What the HTTP server serves as the log API.
  LogBackend& backend();
  // The network roles' routes, for ServerOptions::network.
  NetworkRoutes routes() const;

  struct Parts;

 private:
  explicit NetworkNode(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace ltl::node

#endif  // LTL_NODE_BACKEND_FACTORY_H_
