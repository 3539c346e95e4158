// The HTTP API as plain functions: every route, every error, no sockets.
#include "node/http_handlers.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "base/encoding.h"
#include "node/json.h"
#include "proofs/hash.h"
#include "tests/node/fake_backend.h"

namespace ltl::node {
namespace {

using testing::FakeBackend;

class HandlersTest : public ::testing::Test {
 protected:
  HandlersTest() {
    backend_.AddEntry("entry zero\n");
    backend_.AddEntry("entry one\n");
    backend_.AddEntry("entry two\n");
  }

  // Calls the handler; the response, or nullopt when it did not answer (yet).
  std::optional<Response> Call(Method method, std::string target, std::string body = "",
                               std::string content_type = "") {
    Request request{method, std::move(target), std::move(content_type), std::move(body)};
    std::optional<Response> out;
    int calls = 0;
    HandleRequest(request, context_, [&](Response r) {
      ++calls;
      out = std::move(r);
    });
    EXPECT_LE(calls, 1) << "answered twice";
    return out;
  }
  Response Get(std::string target) {
    std::optional<Response> r = Call(Method::kGet, std::move(target));
    EXPECT_TRUE(r.has_value());
    return r.value_or(Response{});
  }
  Response Add(std::string body, std::string content_type = "text/plain; charset=utf-8") {
    std::optional<Response> r = Call(Method::kPost, "/add", std::move(body), content_type);
    EXPECT_TRUE(r.has_value());
    return r.value_or(Response{});
  }

  static std::string Header(const Response& r, std::string_view name) {
    for (const auto& [n, v] : r.headers) {
      if (n == name) return v;
    }
    return "";
  }
  static std::string Error(std::string_view message, std::string_view reason) {
    std::string out = "{\"error\":";
    AppendJsonString(out, message);
    out += ",\"reason\":\"" + std::string(reason) + "\"}\n";
    return out;
  }
  // Expects a JSON error with this HTTP status and reason.
  static void ExpectError(const Response& r, int status, std::string_view reason) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.content_type, "application/json");
    EXPECT_NE(r.body.find("\"reason\":\"" + std::string(reason) + "\""), std::string::npos)
        << r.body;
  }
  static std::string B64(const proofs::Hash& h) { return Base64Encode(h); }

  FakeBackend backend_;
  HttpMetrics metrics_;
  HandlerContext context_{.backend = backend_, .http_metrics = &metrics_};
};

// ---- Target parsing ----

TEST(ParseTargetTest, SplitsPathAndDecodesQueryInOrder) {
  Result<Target> t = ParseTarget("/lookup?work=url%3Ahttps%3A%2F%2Fa.example%2Fx&limit=5");
  ASSERT_TRUE(t.has_value()) << t.error();
  EXPECT_EQ(t->path, "/lookup");
  ASSERT_EQ(t->query.size(), 2u);
  EXPECT_EQ(t->query[0],
            std::make_pair(std::string("work"), std::string("url:https://a.example/x")));
  EXPECT_EQ(t->query[1], std::make_pair(std::string("limit"), std::string("5")));
}

TEST(ParseTargetTest, PlusStaysPlusBecauseVerifierKeysContainIt) {
  Result<Target> t = ParseTarget("/lookup?signer=a.example+1234abcd+AQID%2B");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->query[0].second, "a.example+1234abcd+AQID+");
}

TEST(ParseTargetTest, PathWithoutQueryHasNoParameters) {
  Result<Target> t = ParseTarget("/checkpoint");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->path, "/checkpoint");
  EXPECT_TRUE(t->query.empty());
}

TEST(ParseTargetTest, RejectsMalformedTargets) {
  for (std::string_view bad :
       {"", "checkpoint", "http://x/checkpoint", "/a?b", "/a?=1", "/a?x=1&x=2", "/a?x=%", "/a?x=%4",
        "/a?x=%zz", "/a?x=%0a", "/a?x=1&", "/a?x=1&&y=2", "/a?x=%00"}) {
    EXPECT_FALSE(ParseTarget(bad).has_value()) << bad;
  }
}

// ---- Status table and errors ----

TEST(StatusTableTest, MapsEveryCodeAsDocumented) {
  EXPECT_EQ(HttpStatusFor(StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(StatusCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(StatusCode::kAlreadyExists), 409);
  EXPECT_EQ(HttpStatusFor(StatusCode::kFailedPrecondition), 409);
  EXPECT_EQ(HttpStatusFor(StatusCode::kOutOfRange), 400);
  EXPECT_EQ(HttpStatusFor(StatusCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusFor(StatusCode::kResourceExhausted), 503);
  EXPECT_EQ(HttpStatusFor(StatusCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatusFor(StatusCode::kDataLoss), 500);
  EXPECT_EQ(HttpStatusFor(StatusCode::kInternal), 500);
}

TEST(ErrorResponseTest, OverloadCarriesRetryAfter) {
  Response r = ErrorResponse(Status::ResourceExhausted("queue full"), 7);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "{\"error\":\"queue full\",\"reason\":\"resource_exhausted\"}\n");
  bool found = false;
  for (const auto& [n, v] : r.headers) found |= n == "Retry-After" && v == "7";
  EXPECT_TRUE(found);
}

TEST(ErrorResponseTest, InternalDetailsAreLoggedNotSent) {
  Response r = ErrorResponse(Status::DataLoss("tile 0/5: bad checksum in /srv/ltl/data.mdb"), 1);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body.find("/srv/ltl"), std::string::npos);
  EXPECT_EQ(r.body, "{\"error\":\"internal error\",\"reason\":\"data_loss\"}\n");
  EXPECT_NE(r.log_detail.find("/srv/ltl"), std::string::npos);
}

// ---- Routing ----

TEST_F(HandlersTest, UnknownPathIs404) {
  Response r = Get("/nope");
  ExpectError(r, 404, "not_found");
  EXPECT_EQ(r.route, "unknown");
}

TEST_F(HandlersTest, WrongMethodIs405WithAllow) {
  std::optional<Response> r = Call(Method::kPost, "/checkpoint", "x", "text/plain");
  ASSERT_TRUE(r);
  ExpectError(*r, 405, "method_not_allowed");
  EXPECT_EQ(Header(*r, "Allow"), "GET, HEAD");

  r = Call(Method::kGet, "/add");
  ASSERT_TRUE(r);
  ExpectError(*r, 405, "method_not_allowed");
  EXPECT_EQ(Header(*r, "Allow"), "POST");

  r = Call(Method::kOther, "/entry/0");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
}

TEST_F(HandlersTest, HeadIsAnsweredLikeGet) {
  std::optional<Response> r = Call(Method::kHead, "/checkpoint");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, FakeBackend::CheckpointFor(3));  // the server drops the body
}

TEST_F(HandlersTest, MalformedTargetIs400) {
  ExpectError(Get("/entry/0?x=%zz"), 400, "invalid_argument");
}

TEST_F(HandlersTest, UnexpectedQueryParameterIs400) {
  Response r = Get("/checkpoint?nocache=1");
  ExpectError(r, 400, "invalid_argument");
  EXPECT_NE(r.body.find("nocache"), std::string::npos);
}

// ---- GET /checkpoint ----

TEST_F(HandlersTest, CheckpointIsPlainTextWithShortCache) {
  Response r = Get("/checkpoint");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(r.body, FakeBackend::CheckpointFor(3));
  EXPECT_EQ(Header(r, "Cache-Control"), "public, max-age=2");
  EXPECT_EQ(r.route, "checkpoint");
}

TEST_F(HandlersTest, CheckpointBeforeTheFirstIs503WithRetryAfter) {
  backend_.checkpoint_error = Status::Unavailable("no checkpoint yet");
  context_.options.retry_after_seconds = 3;
  Response r = Get("/checkpoint");
  EXPECT_EQ(r.body, Error("no checkpoint yet", "unavailable"));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(Header(r, "Retry-After"), "3");
}

// ---- GET /tile ----

TEST_F(HandlersTest, FullTileIsImmutableOctetStream) {
  Response r = Get("/tile/1/x001/234");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/octet-stream");
  EXPECT_EQ(r.body, std::string(32, '\xAB'));
  EXPECT_EQ(Header(r, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(r.route, "tile");
  ASSERT_EQ(backend_.tile_calls().size(), 1u);
  EXPECT_EQ(backend_.tile_calls()[0], (FakeBackend::TileCall{false, 1, 1234, 256}));
}

TEST_F(HandlersTest, PartialTileAsksForItsWidth) {
  EXPECT_EQ(Get("/tile/0/000.p/7").status, 200);
  ASSERT_EQ(backend_.tile_calls().size(), 1u);
  EXPECT_EQ(backend_.tile_calls()[0], (FakeBackend::TileCall{false, 0, 0, 7}));
}

TEST_F(HandlersTest, EntryBundleGoesToTheBundleStore) {
  Response r = Get("/tile/entries/x002/005.p/255");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.route, "tile_entries");
  ASSERT_EQ(backend_.tile_calls().size(), 1u);
  EXPECT_EQ(backend_.tile_calls()[0], (FakeBackend::TileCall{true, 0, 2005, 255}));
}

TEST_F(HandlersTest, NonCanonicalTilePathsAre400) {
  for (std::string bad : {"/tile/01/000", "/tile/0/0", "/tile/0/x000/001", "/tile/0/000.p/256",
                          "/tile/0/000.p/0", "/tile/0/000/", "/tile/64/000", "/tile/entries/1"}) {
    ExpectError(Get(bad), 400, "invalid_argument");
  }
  EXPECT_TRUE(backend_.tile_calls().empty());
}

TEST_F(HandlersTest, TileBeyondTheTreeIs404) {
  backend_.tile_error = Status::NotFound("tile 0/5 is not in the tree");
  ExpectError(Get("/tile/0/005"), 404, "not_found");
}

// ---- POST /add ----

TEST_F(HandlersTest, AddAnswersWithTheJsonReceipt) {
  std::string entry = "entry three\n";
  Response r = Add(entry);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.route, "add");
  std::vector<proofs::Hash> proof = FakeBackend::FakeProof("inclusion", 3, 4);
  std::string checkpoint_json;
  AppendJsonString(checkpoint_json, FakeBackend::CheckpointFor(4));
  EXPECT_EQ(r.body, "{\"index\":3,\"entry_ref\":\"" +
                        proofs::HashToHex(FakeBackend::EntryRefOf(entry)) + "\",\"leaf_hash\":\"" +
                        proofs::HashToHex(proofs::HashLeaf(entry)) +
                        "\",\"checkpoint\":" + checkpoint_json + ",\"inclusion_proof\":[\"" +
                        B64(proof[0]) + "\",\"" + B64(proof[1]) + "\"]}\n");
}

TEST_F(HandlersTest, AddingTheSameEntryTwiceGivesTheSameReceipt) {
  Response first = Add("entry three\n");
  Response second = Add("entry three\n");
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.body, second.body);
  EXPECT_EQ(backend_.size(), 4u);
}

TEST_F(HandlersTest, AddAcceptsPlainTextSpellings) {
  for (std::string type :
       {"text/plain", "Text/Plain; Charset=UTF-8", "text/plain;charset=\"utf-8\""}) {
    EXPECT_EQ(Add("x\n", type).status, 200) << type;
  }
}

TEST_F(HandlersTest, AddRefusesOtherContentTypes) {
  for (std::string type : {"", "application/json", "text/plain; charset=latin1",
                           "application/x-www-form-urlencoded", "text/plainx"}) {
    ExpectError(Add("x\n", type), 415, "unsupported_media_type");
  }
  EXPECT_EQ(backend_.submit_calls(), 0u);
}

TEST_F(HandlersTest, AddRefusesAnEmptyEntry) { ExpectError(Add(""), 400, "invalid_argument"); }

TEST_F(HandlersTest, AddRefusesAnEntryOverTheLimit) {
  context_.options.max_entry_bytes = 10;
  EXPECT_EQ(Add(std::string(10, 'a')).status, 200);
  ExpectError(Add(std::string(11, 'a')), 413, "entry_too_large");
  EXPECT_EQ(backend_.submit_calls(), 1u);
}

TEST_F(HandlersTest, AddReportsTheBackendsReasonForAnInvalidEntry) {
  backend_.submit_mode = FakeBackend::SubmitMode::kFail;
  backend_.submit_error = Status::InvalidArgument("entry: unknown key \"colour\"");
  Response r = Add("bad\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, Error("entry: unknown key \"colour\"", "invalid_argument"));
  EXPECT_EQ(r.route, "add");
}

TEST_F(HandlersTest, AddByAnUnregisteredSignerIs403) {
  backend_.submit_mode = FakeBackend::SubmitMode::kFail;
  backend_.submit_error = Status::PermissionDenied("signer not registered");
  ExpectError(Add("x\n"), 403, "permission_denied");
}

TEST_F(HandlersTest, AddWhenTheSequencerIsFullIs503WithRetryAfter) {
  backend_.submit_mode = FakeBackend::SubmitMode::kFail;
  backend_.submit_error = Status::ResourceExhausted("sequencer queue full");
  context_.options.retry_after_seconds = 2;
  Response r = Add("x\n");
  ExpectError(r, 503, "resource_exhausted");
  EXPECT_EQ(Header(r, "Retry-After"), "2");
}

TEST_F(HandlersTest, AddAnswersOnlyOnceTheBackendCommits) {
  backend_.submit_mode = FakeBackend::SubmitMode::kDeferred;
  std::optional<Response> answer;
  Request request{Method::kPost, "/add", "text/plain", "later\n"};
  HandleRequest(request, context_, [&](Response r) { answer = std::move(r); });
  EXPECT_FALSE(answer.has_value());
  backend_.ReleaseOne();
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->route, "add");
}

// ---- GET /proof/inclusion ----

TEST_F(HandlersTest, InclusionProofByIndex) {
  Response r = Get("/proof/inclusion?index=1&size=3");
  EXPECT_EQ(r.status, 200) << r.body;
  std::vector<proofs::Hash> proof = FakeBackend::FakeProof("inclusion", 1, 3);
  EXPECT_EQ(r.body, "{\"index\":1,\"tree_size\":3,\"inclusion_proof\":[\"" + B64(proof[0]) +
                        "\",\"" + B64(proof[1]) + "\"]}\n");
  EXPECT_EQ(r.route, "proof_inclusion");
}

TEST_F(HandlersTest, InclusionProofByEntryRef) {
  std::string ref = proofs::HashToHex(FakeBackend::EntryRefOf("entry two\n"));
  Response r = Get("/proof/inclusion?entry_ref=" + ref + "&size=3");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.body.starts_with("{\"index\":2,\"tree_size\":3,")) << r.body;
}

TEST_F(HandlersTest, InclusionProofParameterErrorsAre400) {
  std::string ref = proofs::HashToHex(FakeBackend::EntryRefOf("entry two\n"));
  for (const std::string& bad : std::vector<std::string>{
           "/proof/inclusion?index=1",                               // no size
           "/proof/inclusion?size=3",                                // neither index nor entry_ref
           "/proof/inclusion?index=1&entry_ref=" + ref + "&size=3",  // both
           "/proof/inclusion?index=01&size=3",                       // leading zero
           "/proof/inclusion?index=1&size=+3",                       // sign
           "/proof/inclusion?index=-1&size=3",                       // negative
           "/proof/inclusion?index=a&size=3",                        // not a number
           "/proof/inclusion?index=1&size=18446744073709551616",     // > 2^64-1
           "/proof/inclusion?index=3&size=3",                        // index not below size
           "/proof/inclusion?index=0&size=0",                        // empty tree
           "/proof/inclusion?entry_ref=ABCD&size=3",                 // not 64 lower-case hex
           "/proof/inclusion?index=1&size=3&tree=3",                 // unknown parameter
       }) {
    ExpectError(Get(bad), 400, "invalid_argument");
  }
}

TEST_F(HandlersTest, InclusionProofBeyondTheTreeIsOutOfRange) {
  Response r = Get("/proof/inclusion?index=1&size=4");
  ExpectError(r, 400, "out_of_range");
}

TEST_F(HandlersTest, InclusionProofOfAnUnknownEntryRefIs404) {
  std::string ref = proofs::HashToHex(FakeBackend::EntryRefOf("never logged\n"));
  ExpectError(Get("/proof/inclusion?entry_ref=" + ref + "&size=3"), 404, "not_found");
}

TEST_F(HandlersTest, InclusionProofOfAnEntryOutsideTheRequestedTreeIs404) {
  std::string ref = proofs::HashToHex(FakeBackend::EntryRefOf("entry two\n"));
  ExpectError(Get("/proof/inclusion?entry_ref=" + ref + "&size=2"), 404, "not_found");
}

// ---- GET /proof/consistency ----

TEST_F(HandlersTest, ConsistencyProof) {
  Response r = Get("/proof/consistency?from=1&to=3");
  EXPECT_EQ(r.status, 200) << r.body;
  std::vector<proofs::Hash> proof = FakeBackend::FakeProof("consistency", 1, 3);
  EXPECT_EQ(r.body, "{\"from\":1,\"to\":3,\"consistency_proof\":[\"" + B64(proof[0]) + "\",\"" +
                        B64(proof[1]) + "\"]}\n");
  EXPECT_EQ(Header(r, "Cache-Control"), "public, max-age=31536000, immutable");
}

TEST_F(HandlersTest, ConsistencyProofParameterErrorsAre400) {
  for (std::string bad : {"/proof/consistency?from=1", "/proof/consistency?to=3",
                          "/proof/consistency?from=0&to=3", "/proof/consistency?from=3&to=2",
                          "/proof/consistency?from=1&to=03", "/proof/consistency?from=&to=3"}) {
    ExpectError(Get(bad), 400, "invalid_argument");
  }
}

TEST_F(HandlersTest, ConsistencyProofBeyondTheTreeIsOutOfRange) {
  ExpectError(Get("/proof/consistency?from=1&to=4"), 400, "out_of_range");
}

TEST_F(HandlersTest, ProofStorageFailureIs500WithoutDetails) {
  backend_.proof_error = Status::Internal("mdb_get: MDB_CORRUPTED in /var/lib/ltl");
  Response r = Get("/proof/consistency?from=1&to=2");
  ExpectError(r, 500, "internal");
  EXPECT_EQ(r.body.find("/var/lib"), std::string::npos);
}

// ---- GET /entry/<index> ----

TEST_F(HandlersTest, EntryIsImmutablePlainText) {
  Response r = Get("/entry/1");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "entry one\n");
  EXPECT_EQ(r.content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(Header(r, "Cache-Control"), "public, max-age=31536000, immutable");
}

TEST_F(HandlersTest, EntryBeyondTheTreeIs404) { ExpectError(Get("/entry/3"), 404, "not_found"); }

TEST_F(HandlersTest, EntryIndexMustBeCanonical) {
  for (std::string bad : {"/entry/", "/entry/01", "/entry/x", "/entry/1/", "/entry/1.0"}) {
    ExpectError(Get(bad), 400, "invalid_argument");
  }
}

// ---- GET /lookup ----

TEST_F(HandlersTest, LookupReturnsAPageAndItsCursor) {
  proofs::Hash ref = FakeBackend::EntryRefOf("entry one\n");
  backend_.lookup_page = LookupPage{{LookupHit{1, ref}}, 2};
  Response r = Get("/lookup?work=isrc%3AUSRC17607839&cursor=1&limit=1");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "{\"entries\":[{\"index\":1,\"entry_ref\":\"" + proofs::HashToHex(ref) +
                        "\"}],\"next_cursor\":2}\n");
  ASSERT_EQ(backend_.lookup_calls().size(), 1u);
  FakeBackend::LookupCall call = backend_.lookup_calls()[0];
  EXPECT_EQ(call.kind, LookupKind::kWork);
  EXPECT_EQ(call.key, "isrc:USRC17607839");
  EXPECT_EQ(call.cursor, 1u);
  EXPECT_EQ(call.limit, 1u);
}

TEST_F(HandlersTest, LookupLastPageHasNoCursorAndDefaultsApply) {
  Response r = Get("/lookup?signer=alice.example%2Fltl");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"entries\":[]}\n");
  FakeBackend::LookupCall call = backend_.lookup_calls().at(0);
  EXPECT_EQ(call.kind, LookupKind::kSigner);
  EXPECT_EQ(call.key, "alice.example/ltl");
  EXPECT_EQ(call.cursor, 0u);
  EXPECT_EQ(call.limit, 100u);
}

TEST_F(HandlersTest, LookupByGrantTakesAnEntryRef) {
  std::string ref = proofs::HashToHex(FakeBackend::EntryRefOf("entry one\n"));
  EXPECT_EQ(Get("/lookup?grant=" + ref).status, 200);
  EXPECT_EQ(backend_.lookup_calls().at(0).kind, LookupKind::kGrant);
  ExpectError(Get("/lookup?grant=xyz"), 400, "invalid_argument");
}

TEST_F(HandlersTest, LookupParameterErrorsAre400) {
  for (std::string bad :
       {"/lookup", "/lookup?work=a&signer=b", "/lookup?work=", "/lookup?work=a&limit=0",
        "/lookup?work=a&limit=1001", "/lookup?work=a&cursor=07", "/lookup?work=a&page=2"}) {
    ExpectError(Get(bad), 400, "invalid_argument");
  }
  EXPECT_TRUE(backend_.lookup_calls().empty());
}

// ---- GET /healthz and /metrics ----

TEST_F(HandlersTest, HealthzIsOkWhileTheStoreIsHealthy) {
  Response r = Get("/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok\n");
  backend_.health = Status::Unavailable("store frozen after a failed fsync");
  ExpectError(Get("/healthz"), 503, "unavailable");
}

TEST_F(HandlersTest, MetricsExposeLogHttpAndBatchFigures) {
  Histogram batches(BatchSizeBuckets());
  batches.Observe(1);
  batches.Observe(3);
  backend_.stats.batch_sizes = batches.Snapshot();
  backend_.stats.pending_entries = 5;
  backend_.stats.checkpoint_unix_seconds = 1'000'000;
  context_.now = [] {
    return std::chrono::system_clock::time_point(std::chrono::seconds(1'000'042));
  };
  metrics_.RecordRequest("tile", 200, std::chrono::microseconds(300));

  Response r = Get("/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
  for (std::string_view line : {
           "ltl_log_entries 3\n",
           "ltl_log_pending_entries 5\n",
           "ltl_checkpoint_age_seconds 42\n",
           "ltl_sequencer_batch_size_bucket{le=\"1\"} 1\n",
           "ltl_sequencer_batch_size_bucket{le=\"2\"} 1\n",
           "ltl_sequencer_batch_size_bucket{le=\"4\"} 2\n",
           "ltl_sequencer_batch_size_sum 4\n",
           "ltl_sequencer_batch_size_count 2\n",
           "ltl_http_requests_total{route=\"tile\",code=\"200\"} 1\n",
           "ltl_http_request_duration_seconds_bucket{route=\"tile\",code=\"200\",le=\"0.00025\"} "
           "0\n",
           "ltl_http_request_duration_seconds_bucket{route=\"tile\",code=\"200\",le=\"0.0005\"} "
           "1\n",
           "ltl_http_request_duration_seconds_sum{route=\"tile\",code=\"200\"} 0.0003\n",
       }) {
    EXPECT_NE(r.body.find(line), std::string::npos) << line << "in:\n" << r.body;
  }
}

TEST_F(HandlersTest, MetricsOmitCheckpointAgeBeforeTheFirstCheckpoint) {
  Response r = Get("/metrics");
  EXPECT_EQ(r.body.find("ltl_checkpoint_age_seconds"), std::string::npos);
}

}  // namespace
}  // namespace ltl::node
