// Group mode: machines of one group find each other at a BitTorrent tracker (Debian's
// opentracker, started by the test on loopback), with neither a listed peer nor local
// discovery; machines of another group at the same tracker never meet them; and no tracker ever
// hears the content's own info-hash, only a hash of the group and the content.
#include <signal.h>

#include <filesystem>

#include "nginx/test_files.h"
#include "opentracker/opentracker.h"
#include "swarm_fixture.h"
#include "swarmcopy/peer/session.h"
#include "tracker/tracker.h"

namespace swarmcopy::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr std::uint64_t kSize = 8ull << 20;

class GroupModeTest : public SwarmFixture {
 protected:
  void SetUp() override {
    if (!fs::exists(Opentracker::kBinary)) {
      GTEST_SKIP() << "opentracker is needed (scripts/install-deps.sh)";
    }
    sha_ = make_published_file("update.bin", kSize);
    start_origin();
    url_ = nginx_->url("update.bin");
    auto tracker = Opentracker::start();
    ASSERT_TRUE(tracker) << tracker.error();
    tracker_ = std::move(*tracker);
    info_hash_v2_ = published_metainfo("update.bin").info_hash_v2;
  }

  // The flags of a machine of `group` meeting others at `tracker` only. Background priority:
  // it gives peers their chance before the origin (a FOREGROUND job goes to the origin at once).
  std::vector<std::string> group_flags(const std::string& group, const std::string& tracker) {
    return {"--mode", "group", "--group-id", group, "--tracker", tracker, "--priority", "normal"};
  }

  // Debian's opentracker tracks whitelisted hashes only: the group's hash of the content.
  void allow_group(const std::string& group) {
    auto allowed = tracker_->allow(peer::Session::group_announce_info_hash(group, info_hash_v2_));
    ASSERT_TRUE(allowed) << allowed.error();
  }

  std::string sha_;
  std::string url_;
  std::string info_hash_v2_;
  std::unique_ptr<Opentracker> tracker_;
};

TEST_F(GroupModeTest, AMachineOfTheGroupFindsAnotherAtTheTrackerAndTakesTheFileFromIt) {
  ASSERT_NO_FATAL_FAILURE(allow_group("site-a"));
  const auto port = free_loopback_port();
  auto seeder = start_seeder(url_, port, group_flags("site-a", tracker_->announce_url()));
  ASSERT_TRUE(seeder);
  const auto origin_before = nginx_->body_bytes_sent("/update.bin");

  auto second = json_of(run_get(url_, out_ / "b.bin", home_b_.path(),
                                group_flags("site-a", tracker_->announce_url())));
  EXPECT_EQ(second["state"], "ACKNOWLEDGED") << second.dump();
  EXPECT_EQ(second["mode"], "group") << second.dump();
  EXPECT_EQ(sha256_file(out_ / "b.bin").value_or(""), sha_);
  EXPECT_EQ(second["from_peers"].get<std::uint64_t>(), kSize) << second.dump();
  // Nothing but the identity probe (Range: bytes=0-0) from the origin.
  EXPECT_LE(nginx_->body_bytes_sent("/update.bin") - origin_before, 1u);
  seeder->send_signal(SIGTERM);
  EXPECT_EQ(seeder->wait(30s).exit_code, 0);
}

TEST_F(GroupModeTest, TwoGroupsAtOneTrackerNeverMeet) {
  ASSERT_NO_FATAL_FAILURE(allow_group("site-a"));
  ASSERT_NO_FATAL_FAILURE(allow_group("site-b"));
  const auto port = free_loopback_port();
  auto seeder = start_seeder(url_, port, group_flags("site-a", tracker_->announce_url()));
  ASSERT_TRUE(seeder);

  auto other = json_of(run_get(url_, out_ / "b.bin", home_b_.path(),
                               group_flags("site-b", tracker_->announce_url())));
  EXPECT_EQ(other["state"], "ACKNOWLEDGED") << other.dump();
  EXPECT_EQ(sha256_file(out_ / "b.bin").value_or(""), sha_);
  EXPECT_EQ(other["from_peers"], 0) << other.dump();
  EXPECT_EQ(other["from_origin"], kSize) << other.dump();
  EXPECT_EQ(other["peers_seen"], 0) << other.dump();
  seeder->send_signal(SIGTERM);
  EXPECT_EQ(seeder->wait(30s).exit_code, 0);
}

TEST_F(GroupModeTest, TrackersHearAHashOfTheGroupAndTheContentNeverTheContentsOwn) {
  Tracker recorder;  // records every announce
  auto result = json_of(run_get(url_, out_ / "b.bin", home_b_.path(),
                                group_flags("site-a", recorder.announce_url())));
  EXPECT_EQ(result["state"], "ACKNOWLEDGED") << result.dump();
  const auto announces = recorder.announces();
  ASSERT_FALSE(announces.empty()) << "the group's machine never announced";
  const auto group_hash = peer::Session::group_announce_info_hash("site-a", info_hash_v2_);
  const auto meta = published_metainfo("update.bin");
  for (const auto& announce : announces) {
    EXPECT_EQ(announce.info_hash, group_hash);
    EXPECT_NE(announce.info_hash, info_hash_v2_.substr(0, 40));
    EXPECT_NE(announce.info_hash, meta.info_hash_v1);
  }
  EXPECT_NE(group_hash, peer::Session::group_announce_info_hash("site-b", info_hash_v2_));
}

TEST_F(GroupModeTest, ModeGroupWithoutAGroupIsRefused) {
  auto refused = run_get(url_, out_ / "b.bin", home_b_.path(), {"--mode", "group"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("mode group needs this machine's group"), std::string::npos)
      << refused.err;
  EXPECT_FALSE(fs::exists(out_ / "b.bin"));
}

}  // namespace
}  // namespace swarmcopy::test
