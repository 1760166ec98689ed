// format_progress_line: the numbers of a round as text, in its terminal form (redrawn in
// place) and its plain form (one log line).
#include "progress_line.h"

#include <gtest/gtest.h>

namespace swarmcopy::lab {
namespace {

constexpr std::uint64_t kMiB = 1ull << 20;

ProgressSnapshot halfway() {
  ProgressSnapshot snapshot;
  snapshot.mode = "lan";
  snapshot.round = 1;
  snapshot.rounds = 2;
  snapshot.peers = 8;
  snapshot.done = 3;
  snapshot.size = 256 * kMiB;
  snapshot.verified_bytes = 1024 * kMiB;  // of 8 × 256 MiB
  snapshot.origin_bytes = 120'000'000;
  snapshot.elapsed_seconds = 12.0;
  snapshot.ideal_seconds = 21.47;
  return snapshot;
}

TEST(ProgressLineTest, PlainFormIsOneLogLineWithEveryNumber) {
  EXPECT_EQ(format_progress_line(halfway(), ProgressForm::kPlain),
            "swarmcopy-lab: round 1/2 lan: 3/8 peers done, 50.0% verified, origin 10.0 MB/s, "
            "12.0 s (ideal 21.5 s)\n");
}

TEST(ProgressLineTest, TerminalFormRedrawsInPlaceWithoutNewline) {
  EXPECT_EQ(format_progress_line(halfway(), ProgressForm::kTerminal),
            "\rround 1/2 lan: 3/8 peers done, 50.0% verified, origin 10.0 MB/s, 12.0 s "
            "(ideal 21.5 s)\x1b[K");
}

TEST(ProgressLineTest, UnshapedOriginHasNoIdealTime) {
  ProgressSnapshot snapshot = halfway();
  snapshot.ideal_seconds.reset();
  snapshot.mode = "curl";
  EXPECT_EQ(format_progress_line(snapshot, ProgressForm::kPlain),
            "swarmcopy-lab: round 1/2 curl: 3/8 peers done, 50.0% verified, origin 10.0 MB/s, "
            "12.0 s\n");
}

TEST(ProgressLineTest, RoundStartDividesByNothing) {
  ProgressSnapshot snapshot;
  snapshot.mode = "http-only";
  snapshot.peers = 0;
  snapshot.elapsed_seconds = 0;
  snapshot.origin_bytes = 5;
  EXPECT_EQ(format_progress_line(snapshot, ProgressForm::kPlain),
            "swarmcopy-lab: round 1/1 http-only: 0/0 peers done, 0.0% verified, origin 0.0 MB/s, "
            "0.0 s\n");
}

TEST(ProgressLineTest, EveryPeerCompleteIsAHundredPercent) {
  ProgressSnapshot snapshot = halfway();
  snapshot.done = 8;
  snapshot.verified_bytes = 8 * snapshot.size;
  const std::string line = format_progress_line(snapshot, ProgressForm::kPlain);
  EXPECT_NE(line.find("8/8 peers done, 100.0% verified"), std::string::npos) << line;
}

}  // namespace
}  // namespace swarmcopy::lab
