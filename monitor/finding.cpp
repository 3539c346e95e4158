#include "monitor/finding.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <array>
#include <utility>

#include "base/encoding.h"
#include "ledger/time.h"

namespace ltl::monitor {
namespace {

struct CodeInfo {
  FindingCode code;
  std::string_view name;
  char group;
};

constexpr std::array<CodeInfo, 25> kCodes = {{
    {FindingCode::kBadCheckpointSignature, "BAD_CHECKPOINT_SIGNATURE", 'A'},
    {FindingCode::kQuorumMissing, "QUORUM_MISSING", 'A'},
    {FindingCode::kLogInconsistent, "LOG_INCONSISTENT", 'A'},
    {FindingCode::kSplitView, "SPLIT_VIEW", 'A'},
    {FindingCode::kTreeMismatch, "TREE_MISMATCH", 'A'},
    {FindingCode::kMalformedEntry, "MALFORMED_ENTRY", 'A'},
    {FindingCode::kDuplicateId, "DUPLICATE_ID", 'A'},
    {FindingCode::kKeyNotValid, "KEY_NOT_VALID", 'B'},
    {FindingCode::kRoleMismatch, "ROLE_MISMATCH", 'B'},
    {FindingCode::kUsageWithoutLicence, "USAGE_WITHOUT_LICENCE", 'D'},
    {FindingCode::kLicenseeMismatch, "LICENSEE_MISMATCH", 'D'},
    {FindingCode::kRetroactiveLicence, "RETROACTIVE_LICENCE", 'D'},
    {FindingCode::kWorkNotInGrant, "WORK_NOT_IN_GRANT", 'D'},
    {FindingCode::kUseOutOfScope, "USE_OUT_OF_SCOPE", 'D'},
    {FindingCode::kStageOutOfScope, "STAGE_OUT_OF_SCOPE", 'D'},
    {FindingCode::kTerritoryOutOfScope, "TERRITORY_OUT_OF_SCOPE", 'D'},
    {FindingCode::kModelOutOfScope, "MODEL_OUT_OF_SCOPE", 'D'},
    {FindingCode::kLicenceNotYetValid, "LICENCE_NOT_YET_VALID", 'D'},
    {FindingCode::kLicenceExpired, "LICENCE_EXPIRED", 'D'},
    {FindingCode::kUsageAfterRevocation, "USAGE_AFTER_REVOCATION", 'D'},
    {FindingCode::kOptOutIgnored, "OPT_OUT_IGNORED", 'E'},
    {FindingCode::kDisclosedUnlicensed, "DISCLOSED_UNLICENSED", 'E'},
    {FindingCode::kUnderreportedAmount, "UNDERREPORTED_AMOUNT", 'F'},
    {FindingCode::kTotalsMismatch, "TOTALS_MISMATCH", 'F'},
    {FindingCode::kMissingReport, "MISSING_REPORT", 'G'},
}};

const CodeInfo& Info(FindingCode code) {
  for (const CodeInfo& info : kCodes) {
    if (info.code == code) return info;
  }
  return kCodes[0];  // unreachable: every enumerator is in the table
}

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void Str(Writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}
void Key(Writer& w, std::string_view s) {
  w.Key(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

Status Bad(std::string_view what) {
  return Status::InvalidArgument("finding: " + std::string(what));
}

Result<std::string> GetString(const rapidjson::Value& o, const char* name, bool required) {
  auto it = o.FindMember(name);
  if (it == o.MemberEnd()) {
    if (required) return Bad(std::string("missing '") + name + "'");
    return std::string();
  }
  if (!it->value.IsString()) return Bad(std::string("'") + name + "' is not a string");
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

Result<std::optional<int64_t>> GetTime(const rapidjson::Value& o, const char* name) {
  LTL_ASSIGN_OR_RETURN(std::string text, GetString(o, name, false));
  if (text.empty()) return std::optional<int64_t>();
  Result<ledger::Timestamp> t = ledger::ParseTimestamp(text);
  if (!t) return Bad(std::string("'") + name + "' is not a time");
  return std::optional<int64_t>(t->unix_seconds);
}

Result<std::vector<std::string>> GetStrings(const rapidjson::Value& o, const char* name) {
  std::vector<std::string> out;
  auto it = o.FindMember(name);
  if (it == o.MemberEnd()) return out;
  if (!it->value.IsArray()) return Bad(std::string("'") + name + "' is not an array");
  for (const auto& v : it->value.GetArray()) {
    if (!v.IsString()) return Bad(std::string("'") + name + "' holds a non-string");
    out.emplace_back(v.GetString(), v.GetStringLength());
  }
  return out;
}

Result<proofs::Hash> HexHash(const std::string& hex) {
  Result<proofs::Hash> h = proofs::HashFromHex(hex);
  if (!h) return Bad("bad hash '" + hex + "'");
  return h;
}

}  // namespace

std::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kInfo:
      return "info";
    case Severity::kReview:
      return "review";
    case Severity::kViolation:
      return "violation";
  }
  return "violation";
}

std::string_view FindingCodeName(FindingCode code) { return Info(code).name; }

std::optional<FindingCode> FindingCodeFromName(std::string_view name) {
  for (const CodeInfo& info : kCodes) {
    if (info.name == name) return info.code;
  }
  return std::nullopt;
}

char FindingGroup(FindingCode code) { return Info(code).group; }

bool StopsAudit(FindingCode code) {
  switch (code) {
    case FindingCode::kBadCheckpointSignature:
    case FindingCode::kQuorumMissing:
    case FindingCode::kLogInconsistent:
    case FindingCode::kSplitView:
    case FindingCode::kTreeMismatch:
      return true;
    default:
      return false;
  }
}

std::string FormatTime(int64_t unix_seconds) {
  if (unix_seconds < 0 || unix_seconds > ledger::kMaxTimestampSeconds) {
    return std::to_string(unix_seconds);
  }
  return ledger::FormatTimestamp(ledger::Timestamp{unix_seconds});
}

std::string FindingToJson(const Finding& f) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  Key(w, "code");
  Str(w, FindingCodeName(f.code));
  Key(w, "severity");
  Str(w, SeverityName(f.severity));
  Key(w, "entries");
  w.StartArray();
  for (const EntryPointer& e : f.entries) {
    w.StartObject();
    Key(w, "index");
    w.Uint64(e.index);
    if (e.ref) {
      Key(w, "ref");
      Str(w, proofs::HashToHex(*e.ref));
    }
    if (e.leaf_hash) {
      Key(w, "leaf_hash");
      Str(w, proofs::HashToHex(*e.leaf_hash));
    }
    w.EndObject();
  }
  w.EndArray();
  Key(w, "checkpoint");
  w.StartObject();
  Key(w, "size");
  w.Uint64(f.checkpoint_size);
  Key(w, "root");
  Str(w, Base64Encode(f.checkpoint_root));
  w.EndObject();
  if (f.log_time) {
    Key(w, "log_time");
    Str(w, FormatTime(*f.log_time));
  }
  if (!f.line.empty()) {
    Key(w, "line");
    Str(w, f.line);
  }
  if (!f.party.empty()) {
    Key(w, "party");
    Str(w, f.party);
  }
  if (f.period_start && f.period_end) {
    Key(w, "period");
    w.StartObject();
    Key(w, "start");
    Str(w, FormatTime(*f.period_start));
    Key(w, "end");
    Str(w, FormatTime(*f.period_end));
    w.EndObject();
  }
  if (!f.works.empty()) {
    Key(w, "works");
    w.StartArray();
    for (const std::string& s : f.works) Str(w, s);
    w.EndArray();
  }
  if (!f.parties.empty()) {
    Key(w, "parties");
    w.StartArray();
    for (const std::string& s : f.parties) Str(w, s);
    w.EndArray();
  }
  Key(w, "message");
  Str(w, f.message);
  if (!f.evidence_json.empty()) {
    // Re-written compactly: evidence files are pretty-printed, a finding is
    // one line.
    rapidjson::Document evidence;
    evidence.Parse(f.evidence_json.data(), f.evidence_json.size());
    if (!evidence.HasParseError() && evidence.IsObject()) {
      Key(w, "evidence");
      evidence.Accept(w);
    }
  }
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

Result<Finding> FindingFromJson(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject()) return Bad("not a JSON object");
  Finding f;
  LTL_ASSIGN_OR_RETURN(std::string code, GetString(doc, "code", true));
  std::optional<FindingCode> c = FindingCodeFromName(code);
  if (!c) return Bad("unknown code '" + code + "'");
  f.code = *c;
  LTL_ASSIGN_OR_RETURN(std::string severity, GetString(doc, "severity", true));
  if (severity == "info") {
    f.severity = Severity::kInfo;
  } else if (severity == "review") {
    f.severity = Severity::kReview;
  } else if (severity == "violation") {
    f.severity = Severity::kViolation;
  } else {
    return Bad("unknown severity '" + severity + "'");
  }
  auto entries = doc.FindMember("entries");
  if (entries == doc.MemberEnd() || !entries->value.IsArray()) return Bad("missing 'entries'");
  for (const auto& e : entries->value.GetArray()) {
    if (!e.IsObject()) return Bad("an entry is not an object");
    auto index = e.FindMember("index");
    if (index == e.MemberEnd() || !index->value.IsUint64()) return Bad("entry without index");
    EntryPointer p;
    p.index = index->value.GetUint64();
    LTL_ASSIGN_OR_RETURN(std::string ref, GetString(e, "ref", false));
    LTL_ASSIGN_OR_RETURN(std::string leaf, GetString(e, "leaf_hash", false));
    if (!ref.empty()) {
      LTL_ASSIGN_OR_RETURN(proofs::Hash h, HexHash(ref));
      p.ref = h;
    }
    if (!leaf.empty()) {
      LTL_ASSIGN_OR_RETURN(proofs::Hash h, HexHash(leaf));
      p.leaf_hash = h;
    }
    f.entries.push_back(p);
  }
  auto cp = doc.FindMember("checkpoint");
  if (cp == doc.MemberEnd() || !cp->value.IsObject()) return Bad("missing 'checkpoint'");
  auto size = cp->value.FindMember("size");
  if (size == cp->value.MemberEnd() || !size->value.IsUint64()) return Bad("checkpoint size");
  f.checkpoint_size = size->value.GetUint64();
  LTL_ASSIGN_OR_RETURN(std::string root, GetString(cp->value, "root", true));
  Result<Bytes> root_bytes = Base64Decode(root);
  if (!root_bytes || root_bytes->size() != proofs::kHashSize) return Bad("checkpoint root");
  std::copy(root_bytes->begin(), root_bytes->end(), f.checkpoint_root.begin());
  LTL_ASSIGN_OR_RETURN(f.log_time, GetTime(doc, "log_time"));
  LTL_ASSIGN_OR_RETURN(f.line, GetString(doc, "line", false));
  LTL_ASSIGN_OR_RETURN(f.party, GetString(doc, "party", false));
  auto period = doc.FindMember("period");
  if (period != doc.MemberEnd()) {
    if (!period->value.IsObject()) return Bad("'period' is not an object");
    LTL_ASSIGN_OR_RETURN(f.period_start, GetTime(period->value, "start"));
    LTL_ASSIGN_OR_RETURN(f.period_end, GetTime(period->value, "end"));
  }
  LTL_ASSIGN_OR_RETURN(f.works, GetStrings(doc, "works"));
  LTL_ASSIGN_OR_RETURN(f.parties, GetStrings(doc, "parties"));
  LTL_ASSIGN_OR_RETURN(f.message, GetString(doc, "message", true));
  auto evidence = doc.FindMember("evidence");
  if (evidence != doc.MemberEnd()) {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    evidence->value.Accept(w);
    f.evidence_json = std::string(buffer.GetString(), buffer.GetSize());
  }
  return f;
}

std::string FindingKey(const Finding& f) {
  std::string key(FindingCodeName(f.code));
  for (const EntryPointer& e : f.entries) {
    key += "|";
    if (e.ref) {
      key += proofs::HashToHex(*e.ref);
    } else if (e.leaf_hash) {
      key += "leaf:" + proofs::HashToHex(*e.leaf_hash);
    } else {
      key += "#" + std::to_string(e.index);
    }
  }
  key += "|line=" + f.line + "|party=" + f.party;
  if (f.period_start) key += "|period=" + FormatTime(*f.period_start);
  return key;
}

}  // namespace ltl::monitor
