// The monitor's HTML report (`ltl monitor --report FILE.html`): one
// self-contained page (inline CSS and SVG, no script, no external
// resource) that a person can open in any browser or attach to an email.
//
// Contents, all read from the monitor's state:
//   - the log audited (origin, key, checkpoint size and root, audited size);
//   - findings by severity and by code;
//   - charts: findings over time (per month of log time, stacked by
//     severity), owed vs paid per licensor and currency (owed as stated by
//     attesters, as recomputed by the monitor, and paid as stated by payers),
//     usage lines per work and per firm (the most used first);
//   - the findings themselves (newest last, capped at max_rows).
// Every text that comes from the log is HTML-escaped.
// Thread-safety: a pure function of the state it reads.
#ifndef LTL_MONITOR_REPORT_H_
#define LTL_MONITOR_REPORT_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "base/result.h"
#include "ledger/store/monitor_state.h"

namespace ltl::monitor {

struct ReportOptions {
  std::string title = "LTL monitor report";
  std::string log_url;       // shown in the header
  int64_t generated_at = 0;  // unix seconds, shown in the header
  size_t max_rows = 2000;    // findings listed in the table at most
  size_t max_bars = 20;      // bars per usage chart at most
};

// Errors: state read failures; DataLoss for a stored finding that does not
// parse.
Result<std::string> RenderReport(const store::MonitorState& state, const ReportOptions& options);

// `text` with & < > " ' escaped for HTML text and attribute values.
std::string HtmlEscape(std::string_view text);

}  // namespace ltl::monitor

#endif  // LTL_MONITOR_REPORT_H_
