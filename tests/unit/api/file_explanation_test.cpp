// FileExplanation keeps `job explain` bounded: adjoining origin requests for one reason are one
// entry, repeated notes one line, and past the limits only counts grow. Texts stay one line.
#include "swarmcopy/api/file_explanation.h"

#include <gtest/gtest.h>

namespace swarmcopy::api {
namespace {

TEST(FileExplanation, AdjoiningRequestsForOneReasonAreOneEntry) {
  FileExplanation e;
  e.origin_request(0, 100, "owned piece");
  e.origin_request(100, 250, "owned piece");
  e.origin_request(250, 300, "take-over");
  e.origin_request(400, 500, "take-over");  // not adjoining
  ASSERT_EQ(e.origin_requests.size(), 3u);
  EXPECT_EQ(e.origin_requests[0], (OriginRequestExplanation{0, 250, "owned piece", 2}));
  EXPECT_EQ(e.origin_requests[1], (OriginRequestExplanation{250, 300, "take-over", 1}));
  EXPECT_EQ(e.origin_requests[2], (OriginRequestExplanation{400, 500, "take-over", 1}));
}

TEST(FileExplanation, StaysWithinItsLimits) {
  FileExplanation e;
  for (std::size_t i = 0; i < FileExplanation::kMaxOriginRequests + 10; ++i) {
    e.origin_request(i * 10, i * 10 + 5, "owned piece");  // gaps: never merged
  }
  EXPECT_EQ(e.origin_requests.size(), FileExplanation::kMaxOriginRequests);
  EXPECT_EQ(e.origin_requests_omitted, 10u);
  for (std::size_t i = 0; i < FileExplanation::kMaxNotes + 3; ++i) {
    e.note("note " + std::to_string(i));
  }
  EXPECT_EQ(e.notes.size(), FileExplanation::kMaxNotes);
  EXPECT_EQ(e.notes_omitted, 3u);
  // The latest are kept: a job's last runs say what happened last.
  EXPECT_EQ(e.notes.front(), "note 3");
  EXPECT_EQ(e.notes.back(), "note " + std::to_string(FileExplanation::kMaxNotes + 2));
}

TEST(FileExplanation, ARepeatedNoteIsKeptOnce) {
  FileExplanation e;
  e.note("mode lan");
  e.note("mode lan");
  e.note("served from the local cache");
  e.note("mode lan");
  EXPECT_EQ(e.notes,
            (std::vector<std::string>{"mode lan", "served from the local cache", "mode lan"}));
}

TEST(FileExplanation, TextsAreOneShortLine) {
  FileExplanation e;
  e.note("a reason\nwith\ttabs\rand lines" + std::string(1000, 'x'));
  ASSERT_EQ(e.notes.size(), 1u);
  EXPECT_EQ(e.notes[0].size(), FileExplanation::kMaxTextBytes);
  EXPECT_EQ(e.notes[0].find_first_of("\n\r\t"), std::string::npos);
  EXPECT_EQ(e.notes[0].substr(0, 26), "a reason with tabs and lin");
}

}  // namespace
}  // namespace swarmcopy::api
