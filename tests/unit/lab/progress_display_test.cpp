// ProgressDisplay: when a line is shown. Time is passed in, so no test sleeps: plain lines
// every kPlainInterval and a last one at the round's end; a terminal line redrawn at most
// every kTerminalInterval and ended by a newline; nothing at all when disabled (-q).
#include "progress_display.h"

#include <cstdio>
#include <memory>
#include <string>

#include <gtest/gtest.h>

namespace swarmcopy::lab {
namespace {

using namespace std::chrono_literals;
using Clock = ProgressDisplay::Clock;

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

// A temporary file standing in for stderr.
class Output {
 public:
  Output() : file_(std::tmpfile()) {}
  std::FILE* get() const { return file_.get(); }
  std::string text() const {
    std::fflush(file_.get());
    std::rewind(file_.get());
    std::string all;
    for (int c; (c = std::fgetc(file_.get())) != EOF;) all.push_back(static_cast<char>(c));
    return all;
  }

 private:
  std::unique_ptr<std::FILE, FileCloser> file_;
};

ProgressSnapshot with_done(int done) {
  ProgressSnapshot snapshot;
  snapshot.mode = "lan";
  snapshot.peers = 2;
  snapshot.done = done;
  snapshot.size = 100;
  snapshot.verified_bytes = 100 * static_cast<std::uint64_t>(done);
  snapshot.elapsed_seconds = 1;
  return snapshot;
}

size_t count(const std::string& text, const std::string& what) {
  size_t found = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++found;
  }
  return found;
}

TEST(ProgressDisplayTest, PlainLinesEveryIntervalAndOneAtTheEnd) {
  Output out;
  {
    ProgressDisplay display(out.get(), true, false);
    const auto start = Clock::now();
    display.update(with_done(0), start);
    display.update(with_done(0), start + 1s);
    EXPECT_EQ(out.text(), "") << "a plain line waits one interval";
    display.update(with_done(1), start + ProgressDisplay::kPlainInterval);
    display.update(with_done(1), start + ProgressDisplay::kPlainInterval + 1s);
    display.finish(with_done(2));
  }
  const std::string text = out.text();
  EXPECT_EQ(count(text, "\n"), 2u) << text;
  EXPECT_EQ(count(text, "swarmcopy-lab: round 1/1 lan: 1/2 peers done"), 1u) << text;
  EXPECT_EQ(count(text, "swarmcopy-lab: round 1/1 lan: 2/2 peers done, 100.0% verified"), 1u)
      << text;
  EXPECT_EQ(text.find('\r'), std::string::npos) << text;
}

TEST(ProgressDisplayTest, ShortRoundStillGetsItsFinalPlainLine) {
  Output out;
  ProgressDisplay display(out.get(), true, false);
  display.update(with_done(0), Clock::now());
  display.finish(with_done(2));
  EXPECT_EQ(out.text(),
            "swarmcopy-lab: round 1/1 lan: 2/2 peers done, 100.0% verified, origin 0.0 MB/s, "
            "1.0 s\n");
}

TEST(ProgressDisplayTest, TerminalLineRedrawnAtMostEveryIntervalThenEnded) {
  Output out;
  {
    ProgressDisplay display(out.get(), true, true);
    const auto start = Clock::now();
    display.update(with_done(0), start);
    display.update(with_done(0), start + 50ms);
    display.update(with_done(1), start + ProgressDisplay::kTerminalInterval);
    display.finish(with_done(2));
  }
  const std::string text = out.text();
  EXPECT_EQ(count(text, "\r"), 3u) << "first draw, one redraw, the final one: " << text;
  EXPECT_EQ(count(text, "\x1b[K"), 3u) << text;
  EXPECT_EQ(count(text, "\n"), 1u) << text;
  EXPECT_TRUE(text.ends_with("2/2 peers done, 100.0% verified, origin 0.0 MB/s, 1.0 s\x1b[K\n"))
      << text;
}

TEST(ProgressDisplayTest, TerminalLineLeftOpenIsEndedWhenTheRoundStopsEarly) {
  Output out;
  {
    ProgressDisplay display(out.get(), true, true);
    display.update(with_done(0), Clock::now());
  }
  const std::string text = out.text();
  EXPECT_TRUE(text.starts_with("\rround 1/1 lan: 0/2 peers done")) << text;
  EXPECT_TRUE(text.ends_with("\n")) << text;
}

TEST(ProgressDisplayTest, DisabledPrintsNothing) {
  for (const bool terminal : {false, true}) {
    Output out;
    {
      ProgressDisplay display(out.get(), false, terminal);
      const auto start = Clock::now();
      display.update(with_done(0), start);
      display.update(with_done(1), start + 1min);
      display.finish(with_done(2));
    }
    EXPECT_EQ(out.text(), "") << "terminal: " << terminal;
  }
}

}  // namespace
}  // namespace swarmcopy::lab
