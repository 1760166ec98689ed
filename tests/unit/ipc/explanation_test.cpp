// The wire form of `job explain`: every field round-trips; a malformed answer is an error that
// names the field, never a crash or a half-read explanation.
#include "swarmcopy/ipc/explanation.h"

#include <gtest/gtest.h>

namespace swarmcopy::ipc {
namespace {

api::FileExplanation full() {
  api::FileExplanation e;
  e.piece_size = 262144;
  e.pieces_total = 10;
  e.pieces_from_origin = 3;
  e.pieces_from_peers = 6;
  e.pieces_from_earlier_run = 1;
  e.note("mode lan");
  e.notes_omitted = 2;
  e.peers.push_back({"10.0.0.2:6881", "lsd", 1 << 20, 4096, "used"});
  e.peers.push_back({"[::1]:7000", "listed", 0, 0, "had no piece this machine lacked"});
  e.peers_omitted = 4;
  e.origin_request(0, 1 << 20, "owned piece");
  e.origin_request(1 << 20, 2 << 20, "owned piece");
  e.origin_requests_omitted = 1;
  return e;
}

TEST(ExplanationJson, RoundTripsEveryField) {
  const std::vector<api::FileExplanation> files{full(), api::FileExplanation{}};
  const auto json = explanations_to_json(files);
  auto back = explanations_from_json(json);
  ASSERT_TRUE(back) << back.error().describe();
  EXPECT_EQ(*back, files);
  EXPECT_EQ(json["files"][0]["origin_requests"][0]["requests"], 2);
}

TEST(ExplanationJson, AMalformedAnswerNamesTheField) {
  auto json = explanations_to_json({full()});
  json["files"][0]["peers"][1]["bytes_down"] = "many";
  auto back = explanations_from_json(json);
  ASSERT_FALSE(back);
  EXPECT_NE(back.error().message.find("files[0].peers[1].bytes_down"), std::string::npos)
      << back.error().message;
  EXPECT_FALSE(explanations_from_json(nlohmann::json::array()));
  EXPECT_FALSE(explanations_from_json({{"files", 3}}));
}

}  // namespace
}  // namespace swarmcopy::ipc
