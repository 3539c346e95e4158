// How `ltl-node serve` obtains its log: the one seam between the HTTP layer
// (node/server.h) and the store (ledger/store/).
//
// OpenLogBackend is defined in node/backend_factory.cpp, over the LMDB store;
// node/CMakeLists.txt adds the ltl-node executable once that file exists.
// Tests never call it: they pass an in-memory LogBackend to Server::Start.
#ifndef LTL_NODE_BACKEND_FACTORY_H_
#define LTL_NODE_BACKEND_FACTORY_H_

#include <memory>

#include "base/result.h"
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

}  // namespace ltl::node

#endif  // LTL_NODE_BACKEND_FACTORY_H_
