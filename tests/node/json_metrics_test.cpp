// The JSON writer's escaping and the Prometheus histogram and text format.
#include <gtest/gtest.h>

#include <string>

#include "node/json.h"
#include "node/metrics.h"

namespace ltl::node {
namespace {

std::string Quoted(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

TEST(JsonStringTest, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(Quoted("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(Quoted("line\nnext\ttab\r"), "\"line\\nnext\\ttab\\r\"");
  EXPECT_EQ(Quoted(std::string("nul\0bell\x07"
                               "del\x7f",
                               13)),
            "\"nul\\u0000bell\\u0007del\\u007f\"");
}

TEST(JsonStringTest, KeepsValidUtf8) {
  EXPECT_EQ(Quoted("\xe2\x80\x94 caf\xc3\xa9 \xf0\x9f\x8e\xb5"),
            "\"\xe2\x80\x94 caf\xc3\xa9 \xf0\x9f\x8e\xb5\"");
}

TEST(JsonStringTest, ReplacesInvalidUtf8SoTheOutputStaysValid) {
  EXPECT_EQ(Quoted("a\xff"
                   "b"),
            "\"a\\ufffdb\"");                                                 // never valid
  EXPECT_EQ(Quoted("\xc3"), "\"\\ufffd\"");                                   // truncated
  EXPECT_EQ(Quoted("\xc0\xaf"), "\"\\ufffd\\ufffd\"");                        // overlong '/'
  EXPECT_EQ(Quoted("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");             // surrogate
  EXPECT_EQ(Quoted("\xf4\x90\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");  // > U+10FFFF
}

TEST(JsonWriterTest, WritesNestedContainersWithCommas) {
  JsonWriter w;
  w.BeginObject();
  w.Key("a").Uint(18446744073709551615u);
  w.Key("b").BeginArray().String("x").Bool(true).BeginObject().EndObject().EndArray();
  w.Key("c").BeginArray().EndArray();
  w.EndObject();
  EXPECT_EQ(std::move(w).Take(), "{\"a\":18446744073709551615,\"b\":[\"x\",true,{}],\"c\":[]}\n");
}

TEST(JsonWriterTest, Base64WritesTheSameStringAsStringOfBase64Encode) {
  const Bytes bytes = {0xfb, 0xff, 0x00, 0x3e, 0x3f};  // '+' and '/' in the output
  JsonWriter direct;
  direct.BeginArray().Base64(bytes).Base64(Bytes{}).Base64(Bytes{0x66}).EndArray();
  JsonWriter via_string;
  via_string.BeginArray()
      .String(Base64Encode(bytes))
      .String(Base64Encode(Bytes{}))
      .String(Base64Encode(Bytes{0x66}))
      .EndArray();
  const std::string expected = "[\"+/8APj8=\",\"\",\"Zg==\"]\n";
  EXPECT_EQ(std::move(direct).Take(), expected);
  EXPECT_EQ(std::move(via_string).Take(), expected);
}

TEST(HistogramTest, ValuesOnABoundLandInThatBucket) {
  Histogram h({10, 20});
  for (uint64_t v : {0, 10, 11, 20, 21, 1000}) h.Observe(v);
  HistogramSnapshot s = h.Snapshot();
  EXPECT_EQ(s.bucket_counts, (std::vector<uint64_t>{2, 2, 2}));
  EXPECT_EQ(s.count, 6u);
  EXPECT_EQ(s.sum, 0u + 10 + 11 + 20 + 21 + 1000);
}

TEST(PrometheusTest, HistogramBucketsAreCumulativeAndScaled) {
  Histogram h({1'000, 2'500'000});
  h.Observe(500);
  h.Observe(2'000'000);
  h.Observe(9'000'000);
  std::string out;
  prometheus::AppendHistogram(out, "d", "route=\"x\"", h.Snapshot(), 1'000'000);
  EXPECT_EQ(out,
            "d_bucket{route=\"x\",le=\"0.001\"} 1\n"
            "d_bucket{route=\"x\",le=\"2.5\"} 2\n"
            "d_bucket{route=\"x\",le=\"+Inf\"} 3\n"
            "d_sum{route=\"x\"} 11.0005\n"
            "d_count{route=\"x\"} 3\n");
}

TEST(PrometheusTest, LabelValuesAreEscaped) {
  EXPECT_EQ(prometheus::EscapeLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

TEST(HttpMetricsTest, CountsRequestsByRouteAndStatus) {
  HttpMetrics m;
  m.RecordRequest("tile", 200, std::chrono::milliseconds(1));
  m.RecordRequest("tile", 200, std::chrono::milliseconds(2));
  m.RecordRequest("tile", 404, std::chrono::milliseconds(1));
  EXPECT_EQ(m.RequestCount("tile", 200), 2u);
  EXPECT_EQ(m.RequestCount("tile", 404), 1u);
  EXPECT_EQ(m.RequestCount("add", 200), 0u);
  m.ConnectionOpened();
  m.ConnectionRejected();
  std::string out;
  m.Render(out);
  EXPECT_NE(out.find("ltl_http_requests_total{route=\"tile\",code=\"200\"} 2\n"),
            std::string::npos);
  EXPECT_NE(out.find("ltl_http_requests_total{route=\"tile\",code=\"404\"} 1\n"),
            std::string::npos);
  EXPECT_NE(out.find("ltl_http_connections_active 1\n"), std::string::npos);
  EXPECT_NE(out.find("ltl_http_connections_rejected_total 1\n"), std::string::npos);
  EXPECT_NE(out.find("# TYPE ltl_http_request_duration_seconds histogram\n"), std::string::npos);
}

}  // namespace
}  // namespace ltl::node
