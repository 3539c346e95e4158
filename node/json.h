// A minimal JSON writer for the node's API responses (docs/api.md).
//
// Output only: the node never parses JSON. Strings are escaped per RFC 8259
// section 7 ('"', '\\' and control characters; "\u2028"/"\u2029" are left
// as UTF-8, which JSON allows). Bytes that are not valid UTF-8 become U+FFFD,
// so the output is always valid UTF-8 JSON even when a message echoes hostile
// input. Numbers are unsigned 64-bit integers only.
//
// Usage:
//   JsonWriter w;
//   w.BeginObject();
//   w.Key("index").Uint(7);
//   w.Key("proof").BeginArray().String("...").EndArray();
//   w.EndObject();
//   std::string body = std::move(w).Take();
//
// REQUIRES: calls form a well-nested document (Key only directly inside an
// object, before each value). Misuse is a programming error, caught by
// assertions in debug builds.
// Thread-safety: a JsonWriter is a single-threaded value.
#ifndef LTL_NODE_JSON_H_
#define LTL_NODE_JSON_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/encoding.h"

namespace ltl::node {

class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  // A string holding the standard base64 (with padding) of `bytes`: the same
  // as String(Base64Encode(bytes)), written in place (base64 needs no escape).
  JsonWriter& Base64(ByteSpan bytes);
  JsonWriter& Uint(uint64_t value);
  JsonWriter& Bool(bool value);

  // The document, followed by "\n".
  std::string Take() &&;

 private:
  void BeforeValue();

  std::string out_;
  // One entry per open container: true while it has no element yet.
  std::vector<bool> first_in_container_;
  bool after_key_ = false;
};

// Appends `value` as a quoted, escaped JSON string.
void AppendJsonString(std::string& out, std::string_view value);

}  // namespace ltl::node

#endif  // LTL_NODE_JSON_H_
