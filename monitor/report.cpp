#include "monitor/report.h"

#include <algorithm>
#include <array>
#include <map>
#include <utility>
#include <vector>

#include "base/encoding.h"
#include "ledger/checkpoint.h"
#include "ledger/note.h"
#include "monitor/finding.h"

namespace ltl::monitor {
namespace {

using store::MonitorTotal;

constexpr std::array<const char*, 3> kSeverityColours = {"#6b8fb3", "#e0a030", "#c8383b"};

// Decimal as a double for drawing only (amounts in the text stay exact).
double ToDouble(const ledger::Decimal& d) {
  return static_cast<double>(d.nano_units()) / static_cast<double>(ledger::Decimal::kUnitsPerOne);
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string Month(int64_t t) { return FormatTime(t).substr(0, 7); }

struct Bar {
  std::string label;
  std::vector<double> values;  // one per series
};

// A grouped (or stacked) vertical bar chart.
std::string ColumnChart(const std::string& title, const std::vector<std::string>& series,
                        const std::vector<const char*>& colours, const std::vector<Bar>& bars,
                        bool stacked) {
  const double width = 900, height = 320, left = 150, bottom = 90, top = 30;
  const double plot_h = height - bottom - top;
  double max = 0;
  for (const Bar& b : bars) {
    double sum = 0;
    for (double v : b.values) {
      sum += v;
      if (!stacked) max = std::max(max, v);
    }
    if (stacked) max = std::max(max, sum);
  }
  if (max <= 0) max = 1;
  std::string svg = "<figure><figcaption>" + HtmlEscape(title) + "</figcaption>";
  if (bars.empty()) return svg + "<p class=\"empty\">nothing to show yet</p></figure>";
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"" + Num(width) +
         "\" height=\"" + Num(height) + "\" viewBox=\"0 0 " + Num(width) + " " + Num(height) +
         "\"><title>" + HtmlEscape(title) + "</title>";
  // Axis and grid: four lines with their values.
  for (int i = 0; i <= 4; ++i) {
    const double y = top + plot_h - plot_h * i / 4;
    svg += "<line x1=\"" + Num(left) + "\" x2=\"" + Num(width - 10) + "\" y1=\"" + Num(y) +
           "\" y2=\"" + Num(y) + "\" stroke=\"#ddd\"/>";
    char label[32];
    std::snprintf(label, sizeof label, "%.6g", max * i / 4);
    svg += "<text x=\"" + Num(left - 6) + "\" y=\"" + Num(y + 4) +
           "\" text-anchor=\"end\" font-size=\"11\">" + label + "</text>";
  }
  const double slot = (width - left - 10) / static_cast<double>(bars.size());
  const double group_w = slot * 0.8;
  for (size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    const double x0 = left + slot * static_cast<double>(i) + slot * 0.1;
    double stack_y = top + plot_h;
    for (size_t s = 0; s < b.values.size(); ++s) {
      const double h = plot_h * b.values[s] / max;
      double x = x0, w = group_w, y;
      if (stacked) {
        y = stack_y - h;
        stack_y = y;
      } else {
        w = group_w / static_cast<double>(b.values.size());
        x = x0 + w * static_cast<double>(s);
        y = top + plot_h - h;
      }
      char value[32];
      std::snprintf(value, sizeof value, "%.6g", b.values[s]);
      svg += "<rect x=\"" + Num(x) + "\" y=\"" + Num(y) + "\" width=\"" +
             Num(std::max(w - 1, 1.0)) + "\" height=\"" + Num(h) + "\" fill=\"" +
             colours[s % colours.size()] + "\"><title>" + HtmlEscape(b.label) + " — " +
             HtmlEscape(series[s]) + ": " + value + "</title></rect>";
    }
    std::string label = b.label.size() > 22 ? b.label.substr(0, 21) + "…" : b.label;
    const double lx = x0 + group_w / 2, ly = top + plot_h + 12;
    svg += "<text x=\"" + Num(lx) + "\" y=\"" + Num(ly) +
           "\" font-size=\"10\" text-anchor=\"end\" "
           "transform=\"rotate(-30 " +
           Num(lx) + " " + Num(ly) + ")\">" + HtmlEscape(label) + "</text>";
  }
  svg += "</svg><div class=\"legend\">";
  for (size_t s = 0; s < series.size(); ++s) {
    svg += "<span><i style=\"background:" + std::string(colours[s % colours.size()]) + "\"></i>" +
           HtmlEscape(series[s]) + "</span>";
  }
  return svg + "</div></figure>";
}

// A horizontal bar chart of (label, value), largest first.
std::string BarChart(const std::string& title, std::vector<std::pair<std::string, double>> rows,
                     size_t max_bars, const char* colour) {
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  const size_t total = rows.size();
  if (rows.size() > max_bars) rows.resize(max_bars);
  std::string out = "<figure><figcaption>" + HtmlEscape(title);
  if (total > rows.size()) {
    out += " (top " + std::to_string(rows.size()) + " of " + std::to_string(total) + ")";
  }
  out += "</figcaption>";
  if (rows.empty()) return out + "<p class=\"empty\">nothing to show yet</p></figure>";
  const double row_h = 20, label_w = 300, width = 760;
  const double height = row_h * static_cast<double>(rows.size()) + 10;
  double max = 0;
  for (const auto& r : rows) max = std::max(max, r.second);
  if (max <= 0) max = 1;
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"" + Num(width) +
         "\" height=\"" + Num(height) + "\" viewBox=\"0 0 " + Num(width) + " " + Num(height) +
         "\"><title>" + HtmlEscape(title) + "</title>";
  for (size_t i = 0; i < rows.size(); ++i) {
    const double y = 5 + row_h * static_cast<double>(i);
    const double w = (width - label_w - 60) * rows[i].second / max;
    std::string label =
        rows[i].first.size() > 44 ? rows[i].first.substr(0, 43) + "…" : rows[i].first;
    char value[32];
    std::snprintf(value, sizeof value, "%.6g", rows[i].second);
    out += "<text x=\"" + Num(label_w - 6) + "\" y=\"" + Num(y + 13) +
           "\" text-anchor=\"end\" font-size=\"11\">" + HtmlEscape(label) + "</text>";
    out += "<rect x=\"" + Num(label_w) + "\" y=\"" + Num(y + 2) + "\" width=\"" +
           Num(std::max(w, 1.0)) + "\" height=\"" + Num(row_h - 5) + "\" fill=\"" + colour +
           "\"><title>" + HtmlEscape(rows[i].first) + ": " + value + "</title></rect>";
    out += "<text x=\"" + Num(label_w + w + 4) + "\" y=\"" + Num(y + 13) + "\" font-size=\"11\">" +
           value + "</text>";
  }
  return out + "</svg></figure>";
}

std::string KeyParty(const std::string& key) { return key.substr(0, key.rfind('|')); }
std::string KeyCurrency(const std::string& key) {
  const size_t bar = key.rfind('|');
  return bar == std::string::npos ? "" : key.substr(bar + 1);
}

}  // namespace

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

Result<std::string> RenderReport(const store::MonitorState& state, const ReportOptions& options) {
  std::vector<Finding> findings;
  std::optional<std::string> log_key, checkpoint_wire;
  uint64_t audited = 0;
  std::map<MonitorTotal, std::vector<std::pair<std::string, ledger::Decimal>>> totals;
  LTL_RETURN_IF_ERROR(state.Read([&](const store::MonitorReader& r) -> Status {
    LTL_ASSIGN_OR_RETURN(log_key, r.LogKey());
    LTL_ASSIGN_OR_RETURN(checkpoint_wire, r.Checkpoint());
    LTL_ASSIGN_OR_RETURN(proofs::CompactRange progress, r.Progress());
    audited = progress.end();
    LTL_ASSIGN_OR_RETURN(uint64_t count, r.FindingCount());
    for (uint64_t from = 0; from < count;) {
      LTL_ASSIGN_OR_RETURN(std::vector<std::string> docs, r.Findings(from, 1024));
      if (docs.empty()) break;
      for (const std::string& doc : docs) {
        Result<Finding> f = FindingFromJson(doc);
        if (!f) return Status::DataLoss("monitor state: stored finding: " + f.error().message());
        findings.push_back(std::move(*f));
      }
      from += docs.size();
    }
    for (MonitorTotal t :
         {MonitorTotal::kOwedClaimed, MonitorTotal::kOwedComputed, MonitorTotal::kPaid,
          MonitorTotal::kUsageLinesByWork, MonitorTotal::kUsageLinesByFirm}) {
      LTL_ASSIGN_OR_RETURN(totals[t], r.Totals(t));
    }
    return Status::Ok();
  }));

  std::string origin, size_text = "0", root_text;
  if (checkpoint_wire) {
    Result<ledger::Note> note = ledger::ParseNote(*checkpoint_wire);
    if (note) {
      Result<ledger::Checkpoint> cp = ledger::ParseCheckpointText(note->text);
      if (cp) {
        origin = cp->origin;
        size_text = std::to_string(cp->size);
        root_text = Base64Encode(cp->root);
      }
    }
  }
  std::array<size_t, 3> by_severity{};
  std::map<std::string, std::array<size_t, 3>> by_code;
  std::map<std::string, std::array<double, 3>> by_month;
  for (const Finding& f : findings) {
    const auto s = static_cast<size_t>(f.severity);
    by_severity[s] += 1;
    by_code[std::string(FindingCodeName(f.code))][s] += 1;
    if (f.log_time) by_month[Month(*f.log_time)][s] += 1;
  }

  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>" +
      HtmlEscape(options.title) +
      "</title><style>"
      "body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;"
      "color:#222;max-width:1100px}"
      "h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;margin-top:28px;"
      "border-bottom:1px solid #ddd;padding-bottom:4px}"
      "table{border-collapse:collapse;font-size:12px;width:100%}"
      "td,th{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}"
      "th{background:#f4f4f4}.meta td:first-child{font-weight:600;width:160px}"
      ".sev-violation{color:#c8383b;font-weight:600}.sev-review{color:#b27200}"
      ".sev-info{color:#4a6f94}code{font-size:11px;word-break:break-all}"
      ".cards{display:flex;gap:12px;margin:12px 0}.card{border:1px solid #ddd;border-radius:6px;"
      "padding:8px 14px}.card b{font-size:22px;display:block}"
      "figure{margin:16px 0}figcaption{font-weight:600;margin-bottom:6px}"
      ".legend span{margin-right:14px;font-size:12px}.legend i{display:inline-block;width:10px;"
      "height:10px;margin-right:4px}.empty{color:#888;font-style:italic}"
      "</style></head><body>\n";
  html += "<h1>" + HtmlEscape(options.title) + "</h1>\n<table class=\"meta\">";
  auto meta = [&](const std::string& k, const std::string& v) {
    html += "<tr><td>" + HtmlEscape(k) + "</td><td><code>" + HtmlEscape(v) + "</code></td></tr>";
  };
  if (!options.log_url.empty()) meta("log", options.log_url);
  meta("origin", origin);
  if (log_key) meta("log key", *log_key);
  meta("checkpoint", "size " + size_text + ", root " + root_text);
  meta("entries audited", std::to_string(audited));
  if (options.generated_at > 0) meta("generated", FormatTime(options.generated_at));
  html += "</table>\n<div class=\"cards\">";
  const char* names[3] = {"info", "review", "violation"};
  for (int s = 2; s >= 0; --s) {
    html += "<div class=\"card\"><b class=\"sev-" + std::string(names[s]) + "\">" +
            std::to_string(by_severity[s]) + "</b>" + names[s] + "</div>";
  }
  html +=
      "</div>\n<h2>Findings by code</h2><table><tr><th>code</th><th>group</th>"
      "<th>violation</th><th>review</th><th>info</th></tr>";
  for (const auto& [code, n] : by_code) {
    std::optional<FindingCode> c = FindingCodeFromName(code);
    html += "<tr><td>" + HtmlEscape(code) + "</td><td>" +
            std::string(1, c ? FindingGroup(*c) : '?') + "</td><td>" + std::to_string(n[2]) +
            "</td><td>" + std::to_string(n[1]) + "</td><td>" + std::to_string(n[0]) + "</td></tr>";
  }
  if (by_code.empty()) html += "<tr><td colspan=\"5\" class=\"empty\">no findings</td></tr>";
  html += "</table>\n<h2>Charts</h2>\n";

  std::vector<Bar> months;
  for (const auto& [month, n] : by_month) months.push_back({month, {n[0], n[1], n[2]}});
  html += ColumnChart("Findings over time (per month of log time)", {"info", "review", "violation"},
                      {kSeverityColours[0], kSeverityColours[1], kSeverityColours[2]}, months,
                      /*stacked=*/true);

  std::map<std::string, std::array<ledger::Decimal, 3>> money;  // "party (CUR)"
  const MonitorTotal kinds[3] = {MonitorTotal::kOwedClaimed, MonitorTotal::kOwedComputed,
                                 MonitorTotal::kPaid};
  for (int k = 0; k < 3; ++k) {
    for (const auto& [key, amount] : totals[kinds[k]]) {
      money[KeyParty(key) + " (" + KeyCurrency(key) + ")"][k] = amount;
    }
  }
  std::vector<Bar> owed;
  for (const auto& [label, a] : money) {
    owed.push_back({label, {ToDouble(a[0]), ToDouble(a[1]), ToDouble(a[2])}});
  }
  html += ColumnChart("Owed vs paid per licensor and currency",
                      {"owed (stated)", "owed (recomputed)", "paid (stated by payers)"},
                      {"#7aa6d6", "#2f5f98", "#3c9a5f"}, owed, /*stacked=*/false);
  html +=
      "<table><tr><th>licensor (currency)</th><th>owed, stated</th><th>owed, recomputed</th>"
      "<th>paid</th></tr>";
  for (const auto& [label, a] : money) {
    html += "<tr><td>" + HtmlEscape(label) + "</td><td>" + a[0].ToString() + "</td><td>" +
            a[1].ToString() + "</td><td>" + a[2].ToString() + "</td></tr>";
  }
  html += "</table>\n";

  std::vector<std::pair<std::string, double>> works, firms;
  for (const auto& [key, n] : totals[MonitorTotal::kUsageLinesByWork])
    works.emplace_back(key, ToDouble(n));
  for (const auto& [key, n] : totals[MonitorTotal::kUsageLinesByFirm])
    firms.emplace_back(key, ToDouble(n));
  html += BarChart("Usage lines per work", works, options.max_bars, "#5b8c5a");
  html += BarChart("Usage lines per firm", firms, options.max_bars, "#8a5a9c");

  html += "\n<h2>Findings</h2>";
  const size_t shown = std::min(findings.size(), options.max_rows);
  if (shown < findings.size()) {
    html += "<p>The newest " + std::to_string(shown) + " of " + std::to_string(findings.size()) +
            " findings; <code>ltl monitor --json</code> lists them all.</p>";
  }
  html +=
      "<table><tr><th>#</th><th>severity</th><th>code</th><th>entries</th><th>line</th>"
      "<th>party</th><th>log time</th><th>message</th></tr>";
  for (size_t i = findings.size() - shown; i < findings.size(); ++i) {
    const Finding& f = findings[i];
    std::string entries;
    for (const EntryPointer& e : f.entries) {
      const std::string ref = e.ref ? proofs::HashToHex(*e.ref).substr(0, 12) : "leaf";
      entries +=
          (entries.empty() ? "" : "<br>") + std::to_string(e.index) + " <code>" + ref + "…</code>";
    }
    const std::string sev(SeverityName(f.severity));
    std::string when = f.log_time ? FormatTime(*f.log_time) : "";
    if (f.period_start && f.period_end) {
      when = "period " + FormatTime(*f.period_start) + " .. " + FormatTime(*f.period_end);
    }
    html += "<tr><td>" + std::to_string(i) + "</td><td class=\"sev-" + sev + "\">" + sev +
            "</td><td>" + HtmlEscape(FindingCodeName(f.code)) + "</td><td>" + entries +
            "</td><td>" + HtmlEscape(f.line) + "</td><td>" + HtmlEscape(f.party) + "</td><td>" +
            HtmlEscape(when) + "</td><td>" + HtmlEscape(f.message) + "</td></tr>";
  }
  if (findings.empty()) html += "<tr><td colspan=\"8\" class=\"empty\">no findings</td></tr>";
  html +=
      "</table>\n<p style=\"color:#888;font-size:12px\">Every finding names the entries "
      "involved and the checkpoint it was derived at; anyone can fetch those entries with "
      "inclusion proofs and re-check it (docs/monitor.md).</p></body></html>\n";
  return html;
}

}  // namespace ltl::monitor
