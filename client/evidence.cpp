#include "client/evidence.h"

#include "client/file_detail.h"
#include "client/json_detail.h"

namespace ltl::client {

inline constexpr std::string_view kEvidenceType = "ltl-consistency-evidence/v1";

std::string EvidenceToJson(const Evidence& evidence) {
  rapidjson::StringBuffer buffer;
  detail::JsonWriter writer(buffer);
  writer.StartObject();
  detail::WriteKey(writer, "type");
  detail::WriteString(writer, kEvidenceType);
  detail::WriteKey(writer, "reason");
  detail::WriteString(writer, evidence.reason);
  detail::WriteKey(writer, "old_checkpoint");
  detail::WriteString(writer, evidence.old_checkpoint);
  detail::WriteKey(writer, "new_checkpoint");
  detail::WriteString(writer, evidence.new_checkpoint);
  detail::WriteKey(writer, "old_size");
  writer.Uint64(evidence.old_size);
  detail::WriteKey(writer, "new_size");
  writer.Uint64(evidence.new_size);
  detail::WriteKey(writer, "proof");
  writer.StartArray();
  for (const proofs::Hash& h : evidence.proof) detail::WriteString(writer, Base64Encode(h));
  writer.EndArray();
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

Result<Evidence> ParseEvidenceJson(std::string_view json) {
  rapidjson::Document doc;
  LTL_RETURN_IF_ERROR(detail::ParseJsonObject(json, doc));
  detail::JsonObject object(doc, "evidence");
  LTL_RETURN_IF_ERROR(object.OnlyMembers(
      {"type", "reason", "old_checkpoint", "new_checkpoint", "old_size", "new_size", "proof"}));
  LTL_ASSIGN_OR_RETURN(std::string type, object.String("type"));
  if (type != kEvidenceType) {
    return Status::InvalidArgument("evidence: type is not " + std::string(kEvidenceType));
  }
  Evidence evidence;
  LTL_ASSIGN_OR_RETURN(evidence.reason, object.String("reason"));
  LTL_ASSIGN_OR_RETURN(evidence.old_checkpoint, object.String("old_checkpoint"));
  LTL_ASSIGN_OR_RETURN(evidence.new_checkpoint, object.String("new_checkpoint"));
  LTL_ASSIGN_OR_RETURN(evidence.old_size, object.Uint64("old_size"));
  LTL_ASSIGN_OR_RETURN(evidence.new_size, object.Uint64("new_size"));
  LTL_ASSIGN_OR_RETURN(std::vector<std::string> proof, object.StringArray("proof"));
  for (const std::string& b64 : proof) {
    LTL_ASSIGN_OR_RETURN(proofs::Hash h, detail::HashFromBase64(b64));
    evidence.proof.push_back(h);
  }
  return evidence;
}

Status WriteEvidenceFile(const Evidence& evidence, const std::filesystem::path& path) {
  return detail::WriteFileAtomically(path, EvidenceToJson(evidence));
}

}  // namespace ltl::client
