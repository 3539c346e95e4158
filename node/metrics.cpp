#include "node/metrics.h"

#include <algorithm>
#include <cstdio>

#include "base/encoding.h"

namespace ltl::node {

Histogram::Histogram(std::vector<uint64_t> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)),
      counts_(new std::atomic<uint64_t>[upper_bounds_.size() + 1]) {
  for (size_t i = 0; i <= upper_bounds_.size(); ++i) counts_[i].store(0);
}

void Histogram::Observe(uint64_t value) {
  // lower_bound: the first bound >= value, so a value equal to a bound lands
  // in that bound's bucket (Prometheus buckets are "le", less or equal).
  size_t bucket = static_cast<size_t>(
      std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), value) - upper_bounds_.begin());
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

HistogramSnapshot Histogram::Snapshot() const {
  HistogramSnapshot s;
  s.upper_bounds = upper_bounds_;
  s.bucket_counts.resize(upper_bounds_.size() + 1);
  uint64_t total = 0;
  for (size_t i = 0; i <= upper_bounds_.size(); ++i) {
    s.bucket_counts[i] = counts_[i].load(std::memory_order_relaxed);
    total += s.bucket_counts[i];
  }
  s.sum = sum_.load(std::memory_order_relaxed);
  // Concurrent observers may have bumped `count_` after we read the buckets;
  // report the bucket total so that the +Inf bucket always equals _count.
  s.count = total;
  return s;
}

const std::vector<uint64_t>& LatencyBucketsMicros() {
  static const std::vector<uint64_t> kBuckets = {
      100,    250,     500,     1'000,   2'500,     5'000,     10'000,    25'000,
      50'000, 100'000, 250'000, 500'000, 1'000'000, 2'500'000, 5'000'000, 10'000'000};
  return kBuckets;
}

const std::vector<uint64_t>& BatchSizeBuckets() {
  static const std::vector<uint64_t> kBuckets = {1,   2,   4,   8,    16,   32,  64,
                                                 128, 256, 512, 1024, 2048, 4096};
  return kBuckets;
}

void HttpMetrics::RecordRequest(std::string_view route, int http_status,
                                std::chrono::nanoseconds duration) {
  uint64_t micros = static_cast<uint64_t>(std::max<int64_t>(0, duration.count() / 1000));
  Histogram* h = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto key = std::make_pair(std::string(route), http_status);
    auto it = requests_.find(key);
    if (it == requests_.end()) {
      it = requests_.emplace(std::move(key), std::make_unique<Histogram>(LatencyBucketsMicros()))
               .first;
    }
    h = it->second.get();  // histograms are never erased, so the pointer stays valid
  }
  h->Observe(micros);
}

uint64_t HttpMetrics::RequestCount(std::string_view route, int http_status) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = requests_.find(std::make_pair(std::string(route), http_status));
  return it == requests_.end() ? 0 : it->second->Snapshot().count;
}

void HttpMetrics::Render(std::string& out) const {
  std::vector<std::pair<std::string, HistogramSnapshot>> series;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [key, histogram] : requests_) {
      std::string labels = "route=\"" + prometheus::EscapeLabelValue(key.first) + "\",code=\"" +
                           std::to_string(key.second) + "\"";
      series.emplace_back(std::move(labels), histogram->Snapshot());
    }
  }
  prometheus::AppendHeader(out, "ltl_http_requests_total", "counter",
                           "HTTP requests answered, by route and status code.");
  for (const auto& [labels, h] : series) {
    prometheus::AppendSample(out, "ltl_http_requests_total", labels, FormatDecimalU64(h.count));
  }
  prometheus::AppendHeader(out, "ltl_http_request_duration_seconds", "histogram",
                           "Time from a complete request to its response being ready.");
  for (const auto& [labels, h] : series) {
    prometheus::AppendHistogram(out, "ltl_http_request_duration_seconds", labels, h, 1'000'000);
  }
  prometheus::AppendHeader(out, "ltl_http_connections_active", "gauge", "Open HTTP connections.");
  prometheus::AppendSample(out, "ltl_http_connections_active", "",
                           std::to_string(active_connections()));
  prometheus::AppendHeader(out, "ltl_http_connections_rejected_total", "counter",
                           "Connections refused with 503 because the connection cap was reached.");
  prometheus::AppendSample(out, "ltl_http_connections_rejected_total", "",
                           FormatDecimalU64(rejected_connections()));
}

namespace prometheus {
namespace {

// `value / divisor` as a decimal without float rounding surprises for the
// integer quantities we export (e.g. 2500 us -> "0.0025").
std::string FormatScaled(uint64_t value, uint64_t divisor) {
  if (divisor == 1) return FormatDecimalU64(value);
  std::string s = FormatDecimalU64(value / divisor);
  uint64_t fraction = value % divisor;
  if (fraction == 0) return s;
  int digits = 0;
  for (uint64_t d = divisor; d > 1; d /= 10) ++digits;
  std::string frac = FormatDecimalU64(fraction);
  frac.insert(0, static_cast<size_t>(digits) - frac.size(), '0');
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  return s + "." + frac;
}

}  // namespace

void AppendHeader(std::string& out, std::string_view name, std::string_view type,
                  std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void AppendSample(std::string& out, std::string_view name, std::string_view labels,
                  std::string_view value) {
  out.append(name);
  if (!labels.empty()) out.append("{").append(labels).append("}");
  out.append(" ").append(value).append("\n");
}

void AppendHistogram(std::string& out, std::string_view name, std::string_view labels,
                     const HistogramSnapshot& h, uint64_t divisor) {
  std::string bucket_name = std::string(name) + "_bucket";
  std::string prefix = labels.empty() ? std::string() : std::string(labels) + ",";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < h.upper_bounds.size(); ++i) {
    cumulative += h.bucket_counts[i];
    AppendSample(out, bucket_name,
                 prefix + "le=\"" + FormatScaled(h.upper_bounds[i], divisor) + "\"",
                 FormatDecimalU64(cumulative));
  }
  AppendSample(out, bucket_name, prefix + "le=\"+Inf\"", FormatDecimalU64(h.count));
  AppendSample(out, std::string(name) + "_sum", labels, FormatScaled(h.sum, divisor));
  AppendSample(out, std::string(name) + "_count", labels, FormatDecimalU64(h.count));
}

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace prometheus
}  // namespace ltl::node
