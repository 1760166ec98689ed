// The activity page's HTML: escaping, sizes, the chart, and what a view without a viewer (the
// TCP listener) leaves out. Pure: no daemon, no engine.
#include "activity_page.h"

#include <gtest/gtest.h>

#include <regex>

namespace swarmcopy::daemon {
namespace {

ActivityView sample_view() {
  ActivityView view;
  view.generated = "2026-12-06 10:00:00 UTC";
  view.month = {{"2026-12-05", {100, 0, 0, 0}}, {"2026-12-06", {6 << 20, 2 << 20, 4 << 20, 1024}}};
  view.all_time = {(6 << 20) + 100, 2 << 20, 4 << 20, 1024};
  view.jobs_by_state = {{"TRANSFERRING", 1}, {"QUEUED", 0}};
  view.peers_connected = 3;
  view.cache = ActivityCache{2, 4 << 20, 16 << 20};
  ActivityJob job;
  job.id = "6f9619ff-8b86-4011-b42d-00c04fc964ff";
  job.name = "<img src=x onerror=alert(1)>";
  job.state = "TRANSFERRING";
  job.bytes_transferred = 1 << 20;
  job.bytes_total = 4 << 20;
  job.from_origin = 1 << 20;
  job.files = {{"http://example.org/a?b=1&c=\"2\"", "/home/u/'a'.iso"}};
  view.jobs = {job};
  return view;
}

TEST(ActivityPageTest, EscapesEverythingThatComesFromOutside) {
  EXPECT_EQ(escape_html(R"(<a href="x">'&'</a>)"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  auto view = sample_view();
  view.viewer = "uid 1000";
  const auto html = render_activity_page(view);
  EXPECT_EQ(html.find("<img"), std::string::npos) << html;
  EXPECT_NE(html.find("&lt;img src=x onerror=alert(1)&gt;"), std::string::npos) << html;
  EXPECT_NE(html.find("http://example.org/a?b=1&amp;c=&quot;2&quot;"), std::string::npos);
  EXPECT_NE(html.find("/home/u/&#39;a&#39;.iso"), std::string::npos);
}

TEST(ActivityPageTest, WithoutAViewerNoJobIsShown) {
  const auto html = render_activity_page(sample_view());
  EXPECT_EQ(html.find("example.org"), std::string::npos);
  EXPECT_EQ(html.find("/home/u"), std::string::npos);
  EXPECT_EQ(html.find("6f9619ff"), std::string::npos);
  EXPECT_EQ(html.find("onerror"), std::string::npos);
  EXPECT_NE(html.find("machine totals only"), std::string::npos);
  EXPECT_NE(html.find("TRANSFERRING 1"), std::string::npos);  // counts are machine totals
  EXPECT_EQ(html.find("QUEUED"), std::string::npos);          // zero counts left out
}

TEST(ActivityPageTest, ShowsTheMonthsTotalsAndSavings) {
  const auto html = render_activity_page(sample_view());
  EXPECT_NE(html.find(R"(id="month-origin" data-bytes=")" + std::to_string((6 << 20) + 100)),
            std::string::npos);
  EXPECT_NE(html.find(R"(id="month-received" data-bytes=")" + std::to_string((12 << 20) + 100)),
            std::string::npos);
  EXPECT_NE(html.find(R"(<span id="month-savings" class="big">50.0%</span>)"), std::string::npos)
      << html;
  // Two days: two origin bars (grey) in the chart.
  EXPECT_NE(html.find("<svg id=\"chart\""), std::string::npos);
  const std::regex origin_bar("fill=\"#9a9a9a\"");
  EXPECT_EQ(std::distance(std::sregex_iterator(html.begin(), html.end(), origin_bar),
                          std::sregex_iterator()),
            2);
  EXPECT_NE(html.find("4.0 MiB of 16.0 MiB (25.0%), 2 items"), std::string::npos) << html;
}

TEST(ActivityPageTest, FetchesNothing) {
  auto view = sample_view();
  view.viewer = "root (every user's jobs)";
  const auto html = render_activity_page(view);
  // No element that loads anything: no src attribute, no href but the empty data: icon, no
  // script, no url() in the style.
  EXPECT_FALSE(std::regex_search(html, std::regex("<[^>]*\\ssrc=")));
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  std::smatch match;
  std::string rest = html;
  while (std::regex_search(rest, match, std::regex("href=\"([^\"]*)\""))) {
    EXPECT_EQ(match[1], "data:,");
    rest = match.suffix();
  }
}

TEST(ActivityPageTest, FormatsSizes) {
  EXPECT_EQ(format_bytes(0), "0 B");
  EXPECT_EQ(format_bytes(1023), "1023 B");
  EXPECT_EQ(format_bytes(1024), "1.0 KiB");
  EXPECT_EQ(format_bytes(6 << 20), "6.0 MiB");
  EXPECT_EQ(format_bytes(std::uint64_t{3} << 30), "3.0 GiB");
}

}  // namespace
}  // namespace swarmcopy::daemon
