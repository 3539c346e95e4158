// Internal to client/: strict JSON reading and JSON writing over rapidjson.
// Included only by client/*.cpp (rapidjson stays out of public headers).
//
// The client reads JSON from the log (receipts, lookups, error bodies) and
// from files (receipts, evidence). All of it is untrusted, so reading is
// strict (STYLE.md habit 7): the document must be a single object, valid
// UTF-8, no duplicate member names, no member that the schema does not name,
// every required member present with its exact type, integers unsigned
// 64-bit without fraction or exponent. Parsing is iterative (no recursion on
// hostile nesting) and the input is size-capped by the caller.
#ifndef LTL_CLIENT_JSON_DETAIL_H_
#define LTL_CLIENT_JSON_DETAIL_H_

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "proofs/hash.h"

namespace ltl::client::detail {

// Parses `json` into `doc`. Errors: InvalidArgument (with rapidjson's reason
// and offset) for malformed JSON or invalid UTF-8, or when the root is not an
// object or any object in the document repeats a member name.
Status ParseJsonObject(std::string_view json, rapidjson::Document& doc);

// A view of one JSON object that checks its members against a schema.
class JsonObject {
 public:
  // `what` names the object in error messages ("receipt").
  JsonObject(const rapidjson::Value& object, std::string_view what);

  // InvalidArgument naming the first member not in `allowed`.
  Status OnlyMembers(std::initializer_list<std::string_view> allowed) const;

  // The member `name` with the given type. Errors: InvalidArgument when it is
  // missing or of another type.
  Result<std::string> String(std::string_view name) const;
  Result<uint64_t> Uint64(std::string_view name) const;
  Result<std::vector<std::string>> StringArray(std::string_view name) const;
  Result<const rapidjson::Value*> Array(std::string_view name) const;
  // nullopt when absent; InvalidArgument when present with another type.
  Result<std::optional<std::string>> OptionalString(std::string_view name) const;
  Result<std::optional<uint64_t>> OptionalUint64(std::string_view name) const;

 private:
  const rapidjson::Value* Find(std::string_view name) const;
  Status Missing(std::string_view name) const;
  Status WrongType(std::string_view name, std::string_view expected) const;

  const rapidjson::Value& object_;
  std::string what_;
};

// Decodes a standard base64 hash (exactly 32 bytes, canonical padding).
Result<proofs::Hash> HashFromBase64(std::string_view b64);
// Decodes lower-case hex of exactly 32 bytes.
Result<proofs::Hash> HashFromHexField(std::string_view hex, std::string_view what);

using JsonWriter = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

inline void WriteString(JsonWriter& writer, std::string_view s) {
  writer.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}
inline void WriteKey(JsonWriter& writer, std::string_view s) {
  writer.Key(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

}  // namespace ltl::client::detail

#endif  // LTL_CLIENT_JSON_DETAIL_H_
