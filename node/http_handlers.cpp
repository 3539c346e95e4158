#include "node/http_handlers.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "base/encoding.h"
#include "ledger/note.h"
#include "node/json.h"
#include "proofs/hash.h"
#include "proofs/tiles.h"

namespace ltl::node {
namespace {

// Route labels: fixed strings so that metrics have bounded cardinality.
constexpr std::string_view kRouteCheckpoint = "checkpoint";
constexpr std::string_view kRouteTile = "tile";
constexpr std::string_view kRouteEntryBundle = "tile_entries";
constexpr std::string_view kRouteAdd = "add";
constexpr std::string_view kRouteInclusion = "proof_inclusion";
constexpr std::string_view kRouteConsistency = "proof_consistency";
constexpr std::string_view kRouteEntry = "entry";
constexpr std::string_view kRouteLookup = "lookup";
constexpr std::string_view kRouteHealth = "healthz";
constexpr std::string_view kRouteMetrics = "metrics";
constexpr std::string_view kRouteAddCheckpoint = "add_checkpoint";
constexpr std::string_view kRouteGossip = "gossip";
constexpr std::string_view kRouteAlarms = "alarms";
constexpr std::string_view kRouteUnknown = "unknown";

constexpr std::string_view kTextUtf8 = "text/plain; charset=utf-8";
constexpr std::string_view kOctetStream = "application/octet-stream";
constexpr std::string_view kJson = "application/json";
// Tiles, bundles and entries never change once served (tlog-tiles).
constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";

Response TextResponse(std::string body, std::string_view content_type) {
  Response r;
  r.content_type = std::string(content_type);
  r.body = std::move(body);
  return r;
}

Response JsonResponse(std::string body) { return TextResponse(std::move(body), kJson); }

Response WithCacheControl(Response r, std::string_view value) {
  r.headers.emplace_back("Cache-Control", std::string(value));
  return r;
}

// Query parameters of one request, consumed by name. Finish() rejects
// parameters nobody asked for, so a typo ("sise=5") is an error rather than
// a silently ignored argument.
class Params {
 public:
  explicit Params(std::vector<std::pair<std::string, std::string>> query)
      : query_(std::move(query)), used_(query_.size(), false) {}

  std::optional<std::string> Take(std::string_view name) {
    for (size_t i = 0; i < query_.size(); ++i) {
      if (query_[i].first == name) {
        used_[i] = true;
        return query_[i].second;
      }
    }
    return std::nullopt;
  }

  Status Finish() const {
    for (size_t i = 0; i < query_.size(); ++i) {
      if (!used_[i]) {
        return Status::InvalidArgument("unexpected query parameter '" + query_[i].first + "'");
      }
    }
    return Status::Ok();
  }

 private:
  std::vector<std::pair<std::string, std::string>> query_;
  std::vector<bool> used_;
};

Result<uint64_t> ParseNumberParam(std::string_view name, std::string_view value) {
  Result<uint64_t> n = ParseDecimalU64(value);
  if (!n) {
    return Status::InvalidArgument(std::string(name) +
                                   ": want a decimal integer without leading zeros, got '" +
                                   std::string(value) + "'");
  }
  return n;
}

Result<uint64_t> RequireNumber(Params& params, std::string_view name) {
  std::optional<std::string> value = params.Take(name);
  if (!value) return Status::InvalidArgument("missing query parameter '" + std::string(name) + "'");
  return ParseNumberParam(name, *value);
}

void AppendHashList(JsonWriter& w, const std::vector<proofs::Hash>& hashes) {
  w.BeginArray();
  for (const proofs::Hash& h : hashes) w.Base64(h);
  w.EndArray();
}

std::string ReceiptJson(const Receipt& receipt) {
  JsonWriter w;
  w.BeginObject();
  w.Key("index").Uint(receipt.index);
  w.Key("entry_ref").String(proofs::HashToHex(receipt.entry_ref));
  w.Key("leaf_hash").String(proofs::HashToHex(receipt.leaf_hash));
  w.Key("checkpoint").String(receipt.checkpoint);
  w.Key("inclusion_proof");
  AppendHashList(w, receipt.inclusion_proof);
  w.EndObject();
  return std::move(w).Take();
}

// True for "text/plain" with no parameter or with charset=utf-8 (media types
// and the charset value are case-insensitive, RFC 9110 section 8.3.1).
bool IsPlainTextUtf8(std::string_view content_type) {
  auto lower = [](std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
  };
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  };
  size_t semi = content_type.find(';');
  if (lower(trim(content_type.substr(0, semi))) != "text/plain") return false;
  if (semi == std::string_view::npos) return true;
  std::string parameter = lower(trim(content_type.substr(semi + 1)));
  return parameter == "charset=utf-8" || parameter == "charset=\"utf-8\"";
}

// ---- Routes. Each returns its Response or the Status to report. ----

Result<Response> GetCheckpoint(Params& params, const HandlerContext& ctx) {
  LTL_RETURN_IF_ERROR(params.Finish());
  LTL_ASSIGN_OR_RETURN(std::string checkpoint, ctx.backend.Checkpoint());
  return WithCacheControl(
      TextResponse(std::move(checkpoint), kTextUtf8),
      "public, max-age=" + std::to_string(ctx.options.checkpoint_max_age_seconds));
}

Result<Response> GetTile(std::string_view path, Params& params, const HandlerContext& ctx) {
  LTL_RETURN_IF_ERROR(params.Finish());
  // tiles.h parses the tlog-tiles path without the leading '/'.
  LTL_ASSIGN_OR_RETURN(proofs::TilePath tile, proofs::ParseTilePath(path.substr(1)));
  Result<Bytes> bytes = tile.kind == proofs::TilePath::Kind::kEntryBundle
                            ? ctx.backend.EntryBundle(tile.index, tile.width)
                            : ctx.backend.Tile(tile.level, tile.index, tile.width);
  if (!bytes) return bytes.error();
  std::string body(AsChars(*bytes));
  return WithCacheControl(TextResponse(std::move(body), kOctetStream), kImmutable);
}

// Moves the entry out of `request.body`.
Result<Response> PostAdd(Request& request, Params& params, const HandlerContext& ctx,
                         Respond& respond) {
  bool wait_witnessed = false;
  if (std::optional<std::string> wait = params.Take("wait")) {
    if (*wait != "witnessed") return Status::InvalidArgument("wait: the only value is 'witnessed'");
    if (!ctx.network.await_witnessed) {
      return Status::InvalidArgument("wait=witnessed: this log has no witnesses configured");
    }
    wait_witnessed = true;
  }
  LTL_RETURN_IF_ERROR(params.Finish());
  if (!IsPlainTextUtf8(request.content_type)) {
    return ErrorResponse(415, "unsupported_media_type",
                         "POST /add takes Content-Type: text/plain; charset=utf-8");
  }
  if (request.body.empty()) return Status::InvalidArgument("empty entry");
  if (request.body.size() > ctx.options.max_entry_bytes) {
    return ErrorResponse(413, "entry_too_large",
                         "entry is " + std::to_string(request.body.size()) +
                             " bytes; the limit is " + std::to_string(ctx.options.max_entry_bytes));
  }
  uint32_t retry_after = ctx.options.retry_after_seconds;
  auto answer = [respond = std::move(respond), retry_after](Result<Receipt> receipt) {
    Response r =
        receipt ? JsonResponse(ReceiptJson(*receipt)) : ErrorResponse(receipt.error(), retry_after);
    r.route = kRouteAdd;
    respond(std::move(r));
  };
  if (!wait_witnessed) {
    ctx.backend.Submit(std::move(request.body), std::move(answer));
  } else {
    // The receipt comes at once from the sequencer; the witnessed one when a
    // checkpoint covering it has met the witness policy.
    ctx.backend.Submit(std::move(request.body),
                       [await = ctx.network.await_witnessed,
                        answer = std::move(answer)](Result<Receipt> receipt) mutable {
                         if (!receipt) {
                           answer(receipt.error());
                           return;
                         }
                         await(std::move(*receipt), std::move(answer));
                       });
  }
  // The answer goes through the callback; an empty Response with status 0
  // tells HandleRequest not to respond again.
  Response pending;
  pending.status = 0;
  return pending;
}

Result<Response> GetInclusionProof(Params& params, const HandlerContext& ctx) {
  std::optional<std::string> index_param = params.Take("index");
  std::optional<std::string> ref_param = params.Take("entry_ref");
  LTL_ASSIGN_OR_RETURN(uint64_t size, RequireNumber(params, "size"));
  LTL_RETURN_IF_ERROR(params.Finish());
  if (index_param.has_value() == ref_param.has_value()) {
    return Status::InvalidArgument("give exactly one of 'index' and 'entry_ref'");
  }
  if (size == 0) return Status::InvalidArgument("size: the empty tree has no inclusion proofs");
  uint64_t index = 0;
  if (index_param) {
    LTL_ASSIGN_OR_RETURN(index, ParseNumberParam("index", *index_param));
    if (index >= size) {
      return Status::InvalidArgument("index " + *index_param + " is not below size " +
                                     FormatDecimalU64(size));
    }
  } else {
    Result<proofs::Hash> ref = proofs::HashFromHex(*ref_param);
    if (!ref) return Status::InvalidArgument("entry_ref: want 64 lower-case hex digits");
    LTL_ASSIGN_OR_RETURN(std::optional<uint64_t> found, ctx.backend.IndexByEntryRef(*ref));
    if (!found) return Status::NotFound("no entry with entry_ref " + *ref_param);
    if (*found >= size) {
      return Status::NotFound("entry " + *ref_param + " has index " + FormatDecimalU64(*found) +
                              ", outside the tree of size " + FormatDecimalU64(size));
    }
    index = *found;
  }
  LTL_ASSIGN_OR_RETURN(std::vector<proofs::Hash> proof, ctx.backend.InclusionProof(index, size));
  JsonWriter w;
  w.BeginObject();
  w.Key("index").Uint(index);
  w.Key("tree_size").Uint(size);
  w.Key("inclusion_proof");
  AppendHashList(w, proof);
  w.EndObject();
  return WithCacheControl(JsonResponse(std::move(w).Take()), kImmutable);
}

Result<Response> GetConsistencyProof(Params& params, const HandlerContext& ctx) {
  LTL_ASSIGN_OR_RETURN(uint64_t from, RequireNumber(params, "from"));
  LTL_ASSIGN_OR_RETURN(uint64_t to, RequireNumber(params, "to"));
  LTL_RETURN_IF_ERROR(params.Finish());
  if (from == 0) return Status::InvalidArgument("from: must be at least 1");
  if (from > to) {
    return Status::InvalidArgument("from " + FormatDecimalU64(from) + " is larger than to " +
                                   FormatDecimalU64(to));
  }
  LTL_ASSIGN_OR_RETURN(std::vector<proofs::Hash> proof, ctx.backend.ConsistencyProof(from, to));
  JsonWriter w;
  w.BeginObject();
  w.Key("from").Uint(from);
  w.Key("to").Uint(to);
  w.Key("consistency_proof");
  AppendHashList(w, proof);
  w.EndObject();
  return WithCacheControl(JsonResponse(std::move(w).Take()), kImmutable);
}

Result<Response> GetEntry(std::string_view index_text, Params& params, const HandlerContext& ctx) {
  LTL_RETURN_IF_ERROR(params.Finish());
  LTL_ASSIGN_OR_RETURN(uint64_t index, ParseNumberParam("entry index", index_text));
  LTL_ASSIGN_OR_RETURN(std::string entry, ctx.backend.Entry(index));
  return WithCacheControl(TextResponse(std::move(entry), kTextUtf8), kImmutable);
}

Result<Response> GetLookup(Params& params, const HandlerContext& ctx) {
  struct KeyParam {
    std::string_view name;
    LookupKind kind;
  };
  static constexpr KeyParam kKeys[] = {
      {"work", LookupKind::kWork}, {"signer", LookupKind::kSigner}, {"grant", LookupKind::kGrant}};
  std::optional<std::pair<LookupKind, std::string>> key;
  for (const KeyParam& k : kKeys) {
    std::optional<std::string> value = params.Take(k.name);
    if (!value) continue;
    if (key) return Status::InvalidArgument("give exactly one of 'work', 'signer' and 'grant'");
    if (value->empty()) return Status::InvalidArgument(std::string(k.name) + ": empty");
    key.emplace(k.kind, std::move(*value));
  }
  uint64_t cursor = 0;
  if (std::optional<std::string> c = params.Take("cursor")) {
    LTL_ASSIGN_OR_RETURN(cursor, ParseNumberParam("cursor", *c));
  }
  uint64_t limit = ctx.options.lookup_default_limit;
  if (std::optional<std::string> l = params.Take("limit")) {
    LTL_ASSIGN_OR_RETURN(limit, ParseNumberParam("limit", *l));
    if (limit == 0 || limit > ctx.options.lookup_max_limit) {
      return Status::InvalidArgument("limit: must be between 1 and " +
                                     std::to_string(ctx.options.lookup_max_limit));
    }
  }
  LTL_RETURN_IF_ERROR(params.Finish());
  if (!key) return Status::InvalidArgument("give exactly one of 'work', 'signer' and 'grant'");
  if (key->first == LookupKind::kGrant && !proofs::HashFromHex(key->second)) {
    return Status::InvalidArgument("grant: want an entry reference, 64 lower-case hex digits");
  }
  LTL_ASSIGN_OR_RETURN(LookupPage page, ctx.backend.Lookup(key->first, key->second, cursor,
                                                           static_cast<uint32_t>(limit)));
  JsonWriter w;
  w.BeginObject();
  w.Key("entries").BeginArray();
  for (const LookupHit& hit : page.hits) {
    w.BeginObject();
    w.Key("index").Uint(hit.index);
    w.Key("entry_ref").String(proofs::HashToHex(hit.entry_ref));
    w.EndObject();
  }
  w.EndArray();
  if (page.next_cursor) w.Key("next_cursor").Uint(*page.next_cursor);
  w.EndObject();
  return WithCacheControl(JsonResponse(std::move(w).Take()), "no-store");
}

Result<Response> GetHealth(Params& params, const HandlerContext& ctx) {
  LTL_RETURN_IF_ERROR(params.Finish());
  LTL_RETURN_IF_ERROR(ctx.backend.Health());
  return WithCacheControl(TextResponse("ok\n", kTextUtf8), "no-store");
}

Result<Response> GetMetrics(Params& params, const HandlerContext& ctx) {
  LTL_RETURN_IF_ERROR(params.Finish());
  std::string out;
  if (ctx.http_metrics != nullptr) ctx.http_metrics->Render(out);
  BackendStats stats = ctx.backend.Stats();
  prometheus::AppendHeader(out, "ltl_log_entries", "gauge", "Entries in the log (tree size).");
  prometheus::AppendSample(out, "ltl_log_entries", "", FormatDecimalU64(stats.tree_size));
  prometheus::AppendHeader(out, "ltl_log_pending_entries", "gauge",
                           "Entries accepted but not yet committed.");
  prometheus::AppendSample(out, "ltl_log_pending_entries", "",
                           FormatDecimalU64(stats.pending_entries));
  if (stats.checkpoint_unix_seconds) {
    int64_t now =
        std::chrono::duration_cast<std::chrono::seconds>(ctx.now().time_since_epoch()).count();
    // A checkpoint "from the future" (clock step) reports age 0, not a
    // negative gauge that would look like a bug in dashboards.
    int64_t age = std::max<int64_t>(0, now - *stats.checkpoint_unix_seconds);
    prometheus::AppendHeader(out, "ltl_checkpoint_age_seconds", "gauge",
                             "Seconds since the newest checkpoint was signed.");
    prometheus::AppendSample(out, "ltl_checkpoint_age_seconds", "", std::to_string(age));
  }
  prometheus::AppendHeader(out, "ltl_sequencer_batch_size", "histogram",
                           "Entries per sequencer commit.");
  prometheus::AppendHistogram(out, "ltl_sequencer_batch_size", "", stats.batch_sizes, 1);
  if (stats.map_releases) {
    prometheus::AppendHeader(out, "ltl_store_map_releases_total", "counter",
                             "Times the store's mapped pages were unmapped over the budget.");
    prometheus::AppendSample(out, "ltl_store_map_releases_total", "",
                             FormatDecimalU64(*stats.map_releases));
  }
  if (ctx.network.metrics) ctx.network.metrics(out);
  return WithCacheControl(TextResponse(std::move(out), "text/plain; version=0.0.4; charset=utf-8"),
                          "no-store");
}

Result<Response> PostAddCheckpoint(const Request& request, Params& params,
                                   const HandlerContext& ctx) {
  LTL_RETURN_IF_ERROR(params.Finish());
  if (request.body.size() > ledger::kMaxNoteSize) {
    return ErrorResponse(413, "body_too_large", "add-checkpoint body too large");
  }
  return ctx.network.add_checkpoint(request.body);
}

Result<Response> GetGossipCheckpoint(Params& params, const HandlerContext& ctx) {
  std::optional<std::string> origin = params.Take("origin");
  LTL_RETURN_IF_ERROR(params.Finish());
  if (!origin || origin->empty())
    return Status::InvalidArgument("missing query parameter 'origin'");
  LTL_ASSIGN_OR_RETURN(std::string checkpoint, ctx.network.gossip_checkpoint(*origin));
  return WithCacheControl(TextResponse(std::move(checkpoint), kTextUtf8), "no-store");
}

Result<Response> GetAlarms(Params& params, const HandlerContext& ctx) {
  LTL_RETURN_IF_ERROR(params.Finish());
  LTL_ASSIGN_OR_RETURN(std::string json, ctx.network.alarms());
  return WithCacheControl(JsonResponse(std::move(json)), "no-store");
}

// ---- Routing. ----

enum class Allowed { kGetOnly, kPostOnly };

struct Route {
  std::string_view label;
  Allowed allowed;
};

// The route for `path`, or nullopt for an unknown path. Matching is on the
// path alone so that a known path with the wrong method is 405, not 404.
std::optional<Route> MatchRoute(std::string_view path) {
  if (path == "/checkpoint") return Route{kRouteCheckpoint, Allowed::kGetOnly};
  if (path.starts_with("/tile/entries/")) return Route{kRouteEntryBundle, Allowed::kGetOnly};
  if (path.starts_with("/tile/")) return Route{kRouteTile, Allowed::kGetOnly};
  if (path == "/add") return Route{kRouteAdd, Allowed::kPostOnly};
  if (path == "/proof/inclusion") return Route{kRouteInclusion, Allowed::kGetOnly};
  if (path == "/proof/consistency") return Route{kRouteConsistency, Allowed::kGetOnly};
  if (path.starts_with("/entry/")) return Route{kRouteEntry, Allowed::kGetOnly};
  if (path == "/lookup") return Route{kRouteLookup, Allowed::kGetOnly};
  if (path == "/healthz") return Route{kRouteHealth, Allowed::kGetOnly};
  if (path == "/metrics") return Route{kRouteMetrics, Allowed::kGetOnly};
  if (path == "/add-checkpoint") return Route{kRouteAddCheckpoint, Allowed::kPostOnly};
  if (path == "/gossip/checkpoint") return Route{kRouteGossip, Allowed::kGetOnly};
  if (path == "/alarms") return Route{kRouteAlarms, Allowed::kGetOnly};
  return std::nullopt;
}

Result<Response> Dispatch(Request& request, const Route& route, Target target,
                          const HandlerContext& ctx, Respond& respond) {
  Params params(std::move(target.query));
  const std::string& path = target.path;
  if (route.label == kRouteCheckpoint) return GetCheckpoint(params, ctx);
  if (route.label == kRouteTile || route.label == kRouteEntryBundle) {
    return GetTile(path, params, ctx);
  }
  if (route.label == kRouteAdd) return PostAdd(request, params, ctx, respond);
  if (route.label == kRouteInclusion) return GetInclusionProof(params, ctx);
  if (route.label == kRouteConsistency) return GetConsistencyProof(params, ctx);
  if (route.label == kRouteEntry) {
    return GetEntry(std::string_view(path).substr(std::string_view("/entry/").size()), params, ctx);
  }
  if (route.label == kRouteLookup) return GetLookup(params, ctx);
  if (route.label == kRouteHealth) return GetHealth(params, ctx);
  if (route.label == kRouteMetrics) return GetMetrics(params, ctx);
  if (route.label == kRouteAddCheckpoint) return PostAddCheckpoint(request, params, ctx);
  if (route.label == kRouteGossip) return GetGossipCheckpoint(params, ctx);
  return GetAlarms(params, ctx);
}

int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) {
        return Status::InvalidArgument("query: '%' must be followed by two hex digits");
      }
      int hi = HexDigitValue(s[i + 1]);
      int lo = HexDigitValue(s[i + 2]);
      if (hi < 0 || lo < 0) {
        return Status::InvalidArgument("query: '%' must be followed by two hex digits");
      }
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
      return Status::InvalidArgument("query: control characters are not allowed");
    }
    out += c;
  }
  return out;
}

}  // namespace

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
      return 409;
    case StatusCode::kFailedPrecondition:
      return 409;
    case StatusCode::kOutOfRange:
      return 400;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kResourceExhausted:
      return 503;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kDataLoss:
      return 500;
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

Response ErrorResponse(int http_status, std::string_view reason, std::string_view message) {
  JsonWriter w;
  w.BeginObject();
  w.Key("error").String(message);
  w.Key("reason").String(reason);
  w.EndObject();
  Response r = JsonResponse(std::move(w).Take());
  r.status = http_status;
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

Response ErrorResponse(const Status& status, uint32_t retry_after_seconds) {
  int http_status = HttpStatusFor(status.code());
  bool hide_details =
      status.code() == StatusCode::kInternal || status.code() == StatusCode::kDataLoss;
  Response r = ErrorResponse(http_status, StatusCodeName(status.code()),
                             hide_details ? "internal error" : status.message());
  if (hide_details) r.log_detail = status.ToString();
  if (http_status == 503)
    r.headers.emplace_back("Retry-After", std::to_string(retry_after_seconds));
  return r;
}

Result<Target> ParseTarget(std::string_view target) {
  if (target.empty() || target.front() != '/') {
    return Status::InvalidArgument("request target must start with '/'");
  }
  Target out;
  size_t question = target.find('?');
  out.path = std::string(target.substr(0, question));
  if (question == std::string_view::npos) return out;
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (amp != std::string_view::npos && query.empty()) {
      return Status::InvalidArgument("query: trailing '&'");
    }
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos) {
      return Status::InvalidArgument("query: parameter without '='");
    }
    LTL_ASSIGN_OR_RETURN(std::string name, PercentDecode(pair.substr(0, eq)));
    LTL_ASSIGN_OR_RETURN(std::string value, PercentDecode(pair.substr(eq + 1)));
    if (name.empty()) return Status::InvalidArgument("query: empty parameter name");
    for (const auto& [seen, unused] : out.query) {
      if (seen == name) {
        return Status::InvalidArgument("query: parameter '" + name + "' given twice");
      }
    }
    out.query.emplace_back(std::move(name), std::move(value));
  }
  return out;
}

void HandleRequest(Request request, const HandlerContext& context, Respond respond) {
  auto finish = [&respond](Response r, std::string_view route) {
    r.route = route;
    respond(std::move(r));
  };
  Result<Target> target = ParseTarget(request.target);
  if (!target) {
    finish(ErrorResponse(target.error(), context.options.retry_after_seconds), kRouteUnknown);
    return;
  }
  std::optional<Route> route = MatchRoute(target->path);
  const NetworkRoutes& network = context.network;
  if (route && ((route->label == kRouteAddCheckpoint && !network.add_checkpoint) ||
                (route->label == kRouteGossip && !network.gossip_checkpoint) ||
                (route->label == kRouteAlarms && !network.alarms))) {
    route.reset();  // this node does not have the role
  }
  if (!route) {
    finish(ErrorResponse(404, "not_found", "no such path"), kRouteUnknown);
    return;
  }
  bool allowed = route->allowed == Allowed::kGetOnly
                     ? (request.method == Method::kGet || request.method == Method::kHead)
                     : request.method == Method::kPost;
  if (!allowed) {
    Response r = ErrorResponse(405, "method_not_allowed", "method not allowed for this path");
    r.headers.emplace_back("Allow", route->allowed == Allowed::kGetOnly ? "GET, HEAD" : "POST");
    finish(std::move(r), route->label);
    return;
  }
  Result<Response> response = Dispatch(request, *route, std::move(*target), context, respond);
  if (!response) {
    finish(ErrorResponse(response.error(), context.options.retry_after_seconds), route->label);
  } else if (response->status != 0) {
    finish(std::move(*response), route->label);
  }
}

}  // namespace ltl::node
