#include "activity_page.h"

#include <algorithm>
#include <cstdio>

namespace swarmcopy::daemon {
namespace {

// The chart's colours, also the legend's and the job bars'.
constexpr const char* kOriginColour = "#9a9a9a";
constexpr const char* kPeersColour = "#2e9b57";
constexpr const char* kCacheColour = "#3a78c2";
constexpr const char* kUploadColour = "#e08a1e";

// The most live jobs listed: the page stays small however many jobs a machine holds.
constexpr std::size_t kMaxJobs = 100;

std::string percent(std::uint64_t part, std::uint64_t whole) {
  if (whole == 0) return "0.0%";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f%%",
                100.0 * static_cast<double>(part) / static_cast<double>(whole));
  return buffer;
}

std::string number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", value);
  return buffer;
}

metrics::DayTotals sum(const std::vector<std::pair<std::string, metrics::DayTotals>>& days) {
  metrics::DayTotals total;
  for (const auto& [day, totals] : days) {
    total.origin += totals.origin;
    total.peers += totals.peers;
    total.cache += totals.cache;
    total.uploaded += totals.uploaded;
  }
  return total;
}

// A table cell with the exact byte count in data-bytes (for tools and tests) and a readable
// size as its text.
std::string bytes_cell(const std::string& id, std::uint64_t bytes) {
  return "<td id=\"" + id + "\" data-bytes=\"" + std::to_string(bytes) + "\">" +
         format_bytes(bytes) + "</td>";
}

std::string swatch(const char* colour) {
  return std::string("<span class=\"swatch\" style=\"background:") + colour + "\"></span>";
}

// Per day a bar of the bytes received, stacked by source, and beside it a bar of the bytes
// uploaded; the scale is the month's largest day.
std::string chart(const std::vector<std::pair<std::string, metrics::DayTotals>>& days) {
  constexpr double kWidth = 720;
  constexpr double kHeight = 200;
  constexpr double kTop = 14;
  constexpr double kBottom = 22;
  std::uint64_t top = 0;
  for (const auto& [day, t] : days) {
    top = std::max({top, t.origin + t.peers + t.cache, t.uploaded});
  }
  const double plot = kHeight - kTop - kBottom;
  const double slot = days.empty() ? kWidth : kWidth / static_cast<double>(days.size());
  const double bar = std::max(1.0, slot * 0.45);
  auto height = [&](std::uint64_t bytes) {
    return top == 0 ? 0.0 : plot * static_cast<double>(bytes) / static_cast<double>(top);
  };
  std::string svg = "<svg id=\"chart\" role=\"img\" aria-label=\"Bytes by day and source\" " +
                    std::string("viewBox=\"0 0 ") + number(kWidth) + " " + number(kHeight) +
                    "\" width=\"" + number(kWidth) + "\" height=\"" + number(kHeight) + "\">";
  svg += "<line x1=\"0\" y1=\"" + number(kHeight - kBottom) + "\" x2=\"" + number(kWidth) +
         "\" y2=\"" + number(kHeight - kBottom) + "\" stroke=\"#666\"/>";
  svg += "<text x=\"2\" y=\"10\" font-size=\"10\">" + escape_html(format_bytes(top)) + "</text>";
  for (std::size_t i = 0; i < days.size(); ++i) {
    const auto& [day, t] = days[i];
    const double x = static_cast<double>(i) * slot + slot * 0.05;
    double y = kHeight - kBottom;
    const std::pair<std::uint64_t, const char*> stack[] = {
        {t.origin, kOriginColour}, {t.peers, kPeersColour}, {t.cache, kCacheColour}};
    for (const auto& [bytes, colour] : stack) {
      const double h = height(bytes);
      if (h <= 0) continue;
      y -= h;
      svg += "<rect x=\"" + number(x) + "\" y=\"" + number(y) + "\" width=\"" + number(bar) +
             "\" height=\"" + number(h) + "\" fill=\"" + colour + "\"/>";
    }
    if (const double h = height(t.uploaded); h > 0) {
      svg += "<rect x=\"" + number(x + bar) + "\" y=\"" + number(kHeight - kBottom - h) +
             "\" width=\"" + number(bar * 0.6) + "\" height=\"" + number(h) + "\" fill=\"" +
             kUploadColour + "\"/>";
    }
    // The day of the month under every bar, or every fifth when they crowd.
    const bool label = days.size() <= 16 || i % 5 == 0 || i + 1 == days.size();
    if (label && day.size() >= 10) {
      svg += "<text x=\"" + number(x) + "\" y=\"" + number(kHeight - 6) + "\" font-size=\"10\">" +
             escape_html(day.substr(8, 2)) + "</text>";
    }
  }
  svg += "</svg>";
  return svg;
}

std::string job_row(const ActivityJob& job, bool show_owner) {
  const std::uint64_t total = job.bytes_total.value_or(0);
  const double done =
      total == 0
          ? 0.0
          : std::min(1.0, static_cast<double>(job.bytes_transferred) / static_cast<double>(total));
  std::string row = "<tr class=\"job\" data-id=\"" + escape_html(job.id) + "\">";
  row += "<td><b>" + escape_html(job.name.empty() ? job.id : job.name) + "</b>";
  for (const auto& file : job.files) {
    row += "<div class=\"file\">" + escape_html(file.url) + " &#8594; " + escape_html(file.path) +
           "</div>";
  }
  row += "</td>";
  if (show_owner) row += "<td>" + std::to_string(job.owner_uid) + "</td>";
  row += "<td>" + escape_html(job.state) + "</td>";
  row += "<td><div class=\"progress\"><div style=\"width:" + number(100.0 * done) +
         "%\"></div></div>" + escape_html(format_bytes(job.bytes_transferred)) + " / " +
         (job.bytes_total ? escape_html(format_bytes(total)) : std::string("?")) + "</td>";
  row += bytes_cell("job-" + escape_html(job.id) + "-origin", job.from_origin);
  row += bytes_cell("job-" + escape_html(job.id) + "-peers", job.from_peers);
  row += bytes_cell("job-" + escape_html(job.id) + "-cache", job.from_cache);
  row += bytes_cell("job-" + escape_html(job.id) + "-uploaded", job.uploaded);
  row += "<td>" + std::to_string(job.peers_connected) + "</td></tr>";
  return row;
}

}  // namespace

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
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
        out += c;
    }
  }
  return out;
}

std::string format_bytes(std::uint64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + " B";
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double value = static_cast<double>(bytes) / 1024;
  std::size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  return number(value) + " " + kUnits[unit];
}

std::string render_activity_page(const ActivityView& view) {
  const metrics::DayTotals month = sum(view.month);
  const std::uint64_t received = month.origin + month.peers + month.cache;
  const std::uint64_t all_received =
      view.all_time.origin + view.all_time.peers + view.all_time.cache;
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      // A read-only view of live numbers: the browser asks again every 5 s.
      "<meta http-equiv=\"refresh\" content=\"5\">"
      // No favicon request either: nothing but this document is fetched.
      "<link rel=\"icon\" href=\"data:,\">"
      "<title>swarmcopy activity</title><style>"
      "body{font-family:sans-serif;margin:1.5em;color:#222;max-width:1100px}"
      "h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.5em}"
      "table{border-collapse:collapse}td,th{padding:3px 10px;text-align:left;"
      "border-bottom:1px solid #ddd;vertical-align:top}"
      ".swatch{display:inline-block;width:10px;height:10px;margin-right:4px}"
      ".big{font-size:1.6em;font-weight:bold}"
      ".file{font-size:.8em;color:#555;word-break:break-all}"
      ".progress{width:120px;height:8px;background:#eee;margin-bottom:2px}"
      ".progress div{height:8px;background:#2e9b57}.note{color:#666;font-size:.9em}"
      "</style></head><body>\n";
  html +=
      "<h1>swarmcopy activity</h1><p class=\"note\">" + escape_html(view.generated) + " &middot; ";
  html += view.viewer.empty() ? std::string(
                                    "machine totals only (this address carries no user: jobs are "
                                    "listed through the daemon's socket)")
                              : "jobs of " + escape_html(view.viewer);
  html += "</p>\n";

  html += "<h2>This month</h2><p>Savings ratio: <span id=\"month-savings\" class=\"big\">" +
          percent(month.peers + month.cache, received) +
          "</span> of the bytes received did not come from the origin (all time: <span "
          "id=\"all-savings\">" +
          percent(view.all_time.peers + view.all_time.cache, all_received) + "</span>)</p>";
  html += chart(view.month);
  html += "<table id=\"month-totals\"><tr><th>" + swatch(kOriginColour) + "Origin</th><th>" +
          swatch(kPeersColour) + "Peers</th><th>" + swatch(kCacheColour) +
          "Cache</th><th>Received</th><th>" + swatch(kUploadColour) + "Uploaded</th></tr><tr>";
  html += bytes_cell("month-origin", month.origin) + bytes_cell("month-peers", month.peers) +
          bytes_cell("month-cache", month.cache) + bytes_cell("month-received", received) +
          bytes_cell("month-uploaded", month.uploaded) + "</tr></table>\n";

  html += "<h2>Now</h2><table id=\"now\"><tr><th>Peers connected</th><td id=\"peers\">" +
          std::to_string(view.peers_connected) + "</td></tr>";
  if (view.cache) {
    html += "<tr><th>Cache</th><td id=\"cache\">" + format_bytes(view.cache->bytes) + " of " +
            format_bytes(view.cache->max_bytes) + " (" +
            percent(view.cache->bytes, view.cache->max_bytes) + "), " +
            std::to_string(view.cache->items) + " items</td></tr>";
  } else {
    html += "<tr><th>Cache</th><td id=\"cache\">disabled</td></tr>";
  }
  html += "<tr><th>Jobs (every user's)</th><td id=\"jobs-by-state\">";
  bool first = true;
  for (const auto& [state, count] : view.jobs_by_state) {
    if (count == 0) continue;
    html += (first ? "" : ", ") + escape_html(state) + " " + std::to_string(count);
    first = false;
  }
  if (first) html += "none";
  html += "</td></tr></table>\n";

  if (!view.viewer.empty()) {
    const bool show_owner = view.viewer.starts_with("root");
    html += "<h2>Live jobs</h2>";
    if (view.jobs.empty()) {
      html += "<p id=\"jobs\">none</p>";
    } else {
      html += "<table id=\"jobs\"><tr><th>Job</th>";
      if (show_owner) html += "<th>Owner</th>";
      html +=
          "<th>State</th><th>Progress</th><th>Origin</th><th>Peers</th><th>Cache</th>"
          "<th>Uploaded</th><th>Peers connected</th></tr>";
      for (std::size_t i = 0; i < view.jobs.size() && i < kMaxJobs; ++i) {
        html += job_row(view.jobs[i], show_owner);
      }
      html += "</table>";
      const std::size_t left_out =
          view.jobs_left_out + (view.jobs.size() > kMaxJobs ? view.jobs.size() - kMaxJobs : 0);
      if (left_out > 0) {
        html += "<p class=\"note\">" + std::to_string(left_out) + " more not shown</p>";
      }
    }
  }
  html += "\n</body></html>\n";
  return html;
}

}  // namespace swarmcopy::daemon
