#include "client/json_detail.h"

#include <rapidjson/encodings.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stream.h>

#include <algorithm>
#include <set>
#include <utility>

#include "base/encoding.h"

namespace ltl::client::detail {
namespace {

// Documents the client reads are flat (a receipt, a lookup page, an error);
// anything nested deeper is not ours.
constexpr size_t kMaxDepth = 8;

std::string_view View(const rapidjson::Value& s) {
  return std::string_view(s.GetString(), s.GetStringLength());
}

// True when the decoded bytes of a string are UTF-8 (RFC 3629: no surrogates,
// no overlong forms). kParseValidateEncodingFlag checks the bytes of the
// document, not what its escapes decode to: rapidjson 1.1 turns a lone low
// surrogate such as "\udcc3" into the bytes ED B3 83, which are not UTF-8
// and which no JSON writer can give back.
bool DecodesToUtf8(std::string_view s) {
  rapidjson::StringStream in(s.data());
  struct Discard {
    void Put(char) {}
  } out;
  while (static_cast<size_t>(in.Tell()) < s.size()) {
    if (!rapidjson::UTF8<char>::Validate(in, out)) return false;
  }
  return static_cast<size_t>(in.Tell()) == s.size();
}

// Walks the document without recursion, rejecting repeated member names
// (rapidjson keeps both; which one a reader sees would be an accident),
// strings whose escapes decode to no Unicode character, and absurd nesting.
Status CheckMembers(const rapidjson::Value& root) {
  std::vector<std::pair<const rapidjson::Value*, size_t>> stack = {{&root, 1}};
  while (!stack.empty()) {
    auto [value, depth] = stack.back();
    stack.pop_back();
    if (depth > kMaxDepth) return Status::InvalidArgument("JSON nested too deeply");
    if (value->IsObject()) {
      std::set<std::string_view> names;
      for (auto it = value->MemberBegin(); it != value->MemberEnd(); ++it) {
        if (!DecodesToUtf8(View(it->name))) {
          return Status::InvalidArgument("JSON member name is not UTF-8 (a lone surrogate escape)");
        }
        if (!names.insert(View(it->name)).second) {
          return Status::InvalidArgument("JSON member \"" + std::string(View(it->name)) +
                                         "\" appears twice");
        }
        stack.emplace_back(&it->value, depth + 1);
      }
    } else if (value->IsArray()) {
      for (const auto& element : value->GetArray()) stack.emplace_back(&element, depth + 1);
    } else if (value->IsString() && !DecodesToUtf8(View(*value))) {
      return Status::InvalidArgument("JSON string is not UTF-8 (a lone surrogate escape)");
    }
  }
  return Status::Ok();
}

}  // namespace

Status ParseJsonObject(std::string_view json, rapidjson::Document& doc) {
  constexpr unsigned kFlags =
      rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag;
  doc.Parse<kFlags>(json.data(), json.size());
  if (doc.HasParseError()) {
    return Status::InvalidArgument(std::string("malformed JSON at byte ") +
                                   std::to_string(doc.GetErrorOffset()) + ": " +
                                   rapidjson::GetParseError_En(doc.GetParseError()));
  }
  if (!doc.IsObject()) return Status::InvalidArgument("JSON document is not an object");
  return CheckMembers(doc);
}

JsonObject::JsonObject(const rapidjson::Value& object, std::string_view what)
    : object_(object), what_(what) {}

const rapidjson::Value* JsonObject::Find(std::string_view name) const {
  if (!object_.IsObject()) return nullptr;
  for (auto it = object_.MemberBegin(); it != object_.MemberEnd(); ++it) {
    if (View(it->name) == name) return &it->value;
  }
  return nullptr;
}

Status JsonObject::Missing(std::string_view name) const {
  return Status::InvalidArgument(what_ + ": missing member \"" + std::string(name) + "\"");
}

Status JsonObject::WrongType(std::string_view name, std::string_view expected) const {
  return Status::InvalidArgument(what_ + ": member \"" + std::string(name) + "\" is not " +
                                 std::string(expected));
}

Status JsonObject::OnlyMembers(std::initializer_list<std::string_view> allowed) const {
  if (!object_.IsObject()) return Status::InvalidArgument(what_ + " is not a JSON object");
  for (auto it = object_.MemberBegin(); it != object_.MemberEnd(); ++it) {
    if (std::find(allowed.begin(), allowed.end(), View(it->name)) == allowed.end()) {
      return Status::InvalidArgument(what_ + ": unexpected member \"" +
                                     std::string(View(it->name)) + "\"");
    }
  }
  return Status::Ok();
}

Result<std::string> JsonObject::String(std::string_view name) const {
  const rapidjson::Value* v = Find(name);
  if (v == nullptr) return Missing(name);
  if (!v->IsString()) return WrongType(name, "a string");
  return std::string(View(*v));
}

Result<uint64_t> JsonObject::Uint64(std::string_view name) const {
  const rapidjson::Value* v = Find(name);
  if (v == nullptr) return Missing(name);
  // IsUint64 is false for 1.0 and 1e3: rapidjson types those as doubles.
  if (!v->IsUint64()) return WrongType(name, "an unsigned integer");
  return v->GetUint64();
}

Result<const rapidjson::Value*> JsonObject::Array(std::string_view name) const {
  const rapidjson::Value* v = Find(name);
  if (v == nullptr) return Missing(name);
  if (!v->IsArray()) return WrongType(name, "an array");
  return v;
}

Result<std::vector<std::string>> JsonObject::StringArray(std::string_view name) const {
  LTL_ASSIGN_OR_RETURN(const rapidjson::Value* array, Array(name));
  std::vector<std::string> out;
  out.reserve(array->Size());
  for (const auto& element : array->GetArray()) {
    if (!element.IsString()) return WrongType(name, "an array of strings");
    out.emplace_back(View(element));
  }
  return out;
}

Result<std::optional<std::string>> JsonObject::OptionalString(std::string_view name) const {
  if (Find(name) == nullptr) return std::optional<std::string>();
  LTL_ASSIGN_OR_RETURN(std::string s, String(name));
  return std::optional<std::string>(std::move(s));
}

Result<std::optional<uint64_t>> JsonObject::OptionalUint64(std::string_view name) const {
  if (Find(name) == nullptr) return std::optional<uint64_t>();
  LTL_ASSIGN_OR_RETURN(uint64_t v, Uint64(name));
  return std::optional<uint64_t>(v);
}

Result<proofs::Hash> HashFromBase64(std::string_view b64) {
  auto bytes = Base64Decode(b64);
  if (!bytes.has_value()) return bytes.error().WithContext("hash");
  return proofs::HashFromBytes(*bytes);
}

Result<proofs::Hash> HashFromHexField(std::string_view hex, std::string_view what) {
  auto hash = proofs::HashFromHex(hex);
  if (!hash.has_value()) return hash.error().WithContext(what);
  return hash;
}

}  // namespace ltl::client::detail
