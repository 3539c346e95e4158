// Prometheus metrics for the node: fixed-bucket histograms, the HTTP request
// registry, and the text exposition format (version 0.0.4) behind GET /metrics.
//
// Metric names (documented in docs/operations.md#metrics):
//   ltl_http_requests_total{route,code}                counter
//   ltl_http_request_duration_seconds{route,code}      histogram
//   ltl_http_connections_active                        gauge
//   ltl_http_connections_rejected_total                counter (connection cap)
//   ltl_log_entries                                    gauge (tree size)
//   ltl_log_pending_entries                            gauge
//   ltl_checkpoint_age_seconds                         gauge (absent before the first)
//   ltl_sequencer_batch_size                           histogram
//
// Thread-safety: Histogram and HttpMetrics are safe to update and render from
// any number of threads concurrently.
#ifndef LTL_NODE_METRICS_H_
#define LTL_NODE_METRICS_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ltl::node {

// A point-in-time copy of a histogram. `bucket_counts[i]` counts observations
// v with upper_bounds[i-1] < v <= upper_bounds[i] (not cumulative); the last
// element counts v > upper_bounds.back() (the +Inf bucket), so
// bucket_counts.size() == upper_bounds.size() + 1 when non-empty.
struct HistogramSnapshot {
  std::vector<uint64_t> upper_bounds;
  std::vector<uint64_t> bucket_counts;
  uint64_t sum = 0;
  uint64_t count = 0;
};

// A histogram of unsigned integer observations with fixed bucket bounds.
// Updates are lock-free.
class Histogram {
 public:
  // REQUIRES: `upper_bounds` non-empty and strictly increasing.
  explicit Histogram(std::vector<uint64_t> upper_bounds);

  void Observe(uint64_t value);
  HistogramSnapshot Snapshot() const;

 private:
  std::vector<uint64_t> upper_bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // upper_bounds_.size() + 1
  std::atomic<uint64_t> sum_{0};
  std::atomic<uint64_t> count_{0};
};

// Request latency buckets, in microseconds (100 us .. 10 s).
const std::vector<uint64_t>& LatencyBucketsMicros();
// Sequencer batch size buckets, in entries (1 .. 4096).
const std::vector<uint64_t>& BatchSizeBuckets();

// The HTTP side of the registry: per (route, HTTP status) request counts and
// latencies, and connection gauges. Routes are the fixed labels of
// node/http_handlers.h, so label cardinality is bounded.
class HttpMetrics {
 public:
  HttpMetrics() = default;
  HttpMetrics(const HttpMetrics&) = delete;
  HttpMetrics& operator=(const HttpMetrics&) = delete;

  void RecordRequest(std::string_view route, int http_status, std::chrono::nanoseconds duration);
  void ConnectionOpened() { active_connections_.fetch_add(1, std::memory_order_relaxed); }
  void ConnectionClosed() { active_connections_.fetch_sub(1, std::memory_order_relaxed); }
  void ConnectionRejected() { rejected_connections_.fetch_add(1, std::memory_order_relaxed); }

  int64_t active_connections() const { return active_connections_.load(std::memory_order_relaxed); }
  uint64_t rejected_connections() const {
    return rejected_connections_.load(std::memory_order_relaxed);
  }
  // Requests recorded for (route, status) so far.
  uint64_t RequestCount(std::string_view route, int http_status) const;

  // Appends the HTTP metrics in Prometheus text format.
  void Render(std::string& out) const;

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, std::unique_ptr<Histogram>, std::less<>> requests_;
  std::atomic<int64_t> active_connections_{0};
  std::atomic<uint64_t> rejected_connections_{0};
};

// Helpers that append Prometheus text exposition lines.
namespace prometheus {

// "# HELP name help\n# TYPE name type\n".
void AppendHeader(std::string& out, std::string_view name, std::string_view type,
                  std::string_view help);
// "name{labels} value\n"; `labels` is already formatted (`route="tile"`) or empty.
void AppendSample(std::string& out, std::string_view name, std::string_view labels,
                  std::string_view value);
// The _bucket/_sum/_count series of `h`; bounds and sum are divided by
// `divisor` (1'000'000 turns microseconds into seconds).
void AppendHistogram(std::string& out, std::string_view name, std::string_view labels,
                     const HistogramSnapshot& h, uint64_t divisor);
// Escapes a label value (backslash, double quote, newline).
std::string EscapeLabelValue(std::string_view value);

}  // namespace prometheus

}  // namespace ltl::node

#endif  // LTL_NODE_METRICS_H_
