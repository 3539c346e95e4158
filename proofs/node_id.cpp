#include "proofs/node_id.h"

#include "base/encoding.h"

namespace ltl::proofs {

std::string NodeIdToString(const NodeId& id) {
  return "[" + FormatDecimalU64(id.level) + " " + FormatDecimalU64(id.index) + "]";
}

std::ostream& operator<<(std::ostream& os, const NodeId& id) { return os << NodeIdToString(id); }

}  // namespace ltl::proofs
