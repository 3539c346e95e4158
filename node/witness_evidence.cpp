#include "node/witness_evidence.h"

#include "base/encoding.h"
#include "node/json.h"

namespace ltl::node {

std::string NetworkEvidenceJson(const NetworkEvidence& e) {
  JsonWriter w;
  w.BeginObject();
  w.Key("type").String("ltl-network-evidence/v1");
  w.Key("kind").String(e.kind);
  w.Key("origin").String(e.origin);
  w.Key("detected_unix").Uint(e.detected_unix < 0 ? 0 : static_cast<uint64_t>(e.detected_unix));
  w.Key("source").String(e.source);
  w.Key("reason").String(e.reason);
  w.Key("old_size").Uint(e.old_size);
  w.Key("new_size").Uint(e.new_size);
  w.Key("old_checkpoint").String(e.old_checkpoint);
  w.Key("new_checkpoint").String(e.new_checkpoint);
  w.Key("proof").BeginArray();
  for (const proofs::Hash& h : e.proof) w.String(Base64Encode(h));
  w.EndArray();
  w.EndObject();
  return std::move(w).Take();
}

std::string EvidenceListJson(std::string_view member, std::span<const std::string> documents) {
  std::string out = "{";
  AppendJsonString(out, member);
  out += ": [";
  bool first = true;
  for (std::string_view doc : documents) {
    while (!doc.empty() && doc.back() == '\n') doc.remove_suffix(1);
    if (!first) out += ",\n";
    first = false;
    out += doc;
  }
  out += "]}\n";
  return out;
}

}  // namespace ltl::node
