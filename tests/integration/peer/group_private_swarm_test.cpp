// Content private to a group, between real sessions on loopback: its swarm (the published
// metainfo with the group's CA as "ssl-cert") is joined over SSL, each side showing a
// certificate of that CA. A machine of the group gets the file; one whose certificate another CA
// signed, and one with no certificate at all, get nothing of it.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <functional>

#include "nginx/test_files.h"
#include "pki/group_pki.h"
#include "swarmcopy/peer/metainfo.h"
#include "swarmcopy/peer/session.h"
#include "test_dir/test_dir.h"

namespace swarmcopy::test {
namespace {

using namespace std::chrono_literals;

class GroupPrivateSwarmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sha = write_test_file(seed_dir_.path() / "private.bin", kSize);
    ASSERT_TRUE(sha);
    sha_ = *sha;
    auto meta = peer::publish(seed_dir_.path() / "private.bin", 256 << 10);
    ASSERT_TRUE(meta) << meta.error().describe();
    auto group = GroupPki::make(pki_dir_.path() / "group");
    ASSERT_TRUE(group) << group.error();
    auto other = GroupPki::make(pki_dir_.path() / "other", "other-ca");
    ASSERT_TRUE(other) << other.error();
    for (const auto* name : {"seed", "member"}) ASSERT_TRUE(group->issue(name));
    ASSERT_TRUE(other->issue("stranger"));
    auto private_meta = peer::make_group_private_metainfo(*meta, read_text(group->ca_pem()));
    ASSERT_TRUE(private_meta) << private_meta.error().describe();
    meta_ = *private_meta;
    public_hash_ = meta->info_hash_v2;
    group_.emplace(*group);
    other_.emplace(*other);
  }

  std::unique_ptr<peer::Session> open(const GroupPki* pki, const std::string& name) {
    peer::SessionOptions options;
    options.listen_interfaces = "127.0.0.1:0";
    if (pki != nullptr) {
      options.group_cert_pem = read_text(pki->cert(name));
      options.group_key_pem = read_text(pki->key(name));
    }
    auto session = peer::Session::open(io_, options);
    EXPECT_TRUE(session) << session.error().describe();
    return session ? std::move(*session) : nullptr;
  }

  bool run_until(const std::function<bool()>& done, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      io_.run_for(50ms);
      io_.restart();
    }
    return true;
  }

  static constexpr std::uint64_t kSize = 4 << 20;
  TestDir seed_dir_, pki_dir_, member_dir_, stranger_dir_, outsider_dir_;
  std::string sha_;
  std::string public_hash_;
  peer::Metainfo meta_;
  std::optional<GroupPki> group_, other_;
  boost::asio::io_context io_;
};

TEST_F(GroupPrivateSwarmTest, TheGroupsCaMakesASwarmOfItsOwn) {
  EXPECT_NE(meta_.info_hash_v2, public_hash_);
  EXPECT_EQ(meta_.piece_roots.size(), meta_.pieces * 32u);  // the same pieces
  EXPECT_FALSE(peer::make_group_private_metainfo(meta_, "not a certificate"));
}

TEST_F(GroupPrivateSwarmTest, OnlyAMachineWithTheGroupsCertificateGetsThePieces) {
  auto seed = open(&*group_, "seed");
  auto member = open(&*group_, "member");
  auto stranger = open(&*other_, "stranger");
  auto outsider = open(nullptr, "");
  ASSERT_TRUE(seed && member && stranger && outsider);
  auto seeding = seed->add_swarm(meta_, seed_dir_.path(), "private.bin", true, {});
  ASSERT_TRUE(seeding) << seeding.error().describe();
  ASSERT_TRUE(run_until([&] { return seed->listen_port() != 0; }, 10s));
  // Without a certificate, this machine cannot even join the swarm.
  auto refused = outsider->add_swarm(meta_, outsider_dir_.path(), "x.part", false, {});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("group certificate"), std::string::npos)
      << refused.error().message;

  bool member_done = false;
  peer::SwarmEvents events;
  events.finished = [&] { member_done = true; };
  auto stranger_swarm = stranger->add_swarm(meta_, stranger_dir_.path(), "s.part", false, {});
  ASSERT_TRUE(stranger_swarm) << stranger_swarm.error().describe();
  auto member_swarm = member->add_swarm(meta_, member_dir_.path(), "m.part", false, events);
  ASSERT_TRUE(member_swarm) << member_swarm.error().describe();
  stranger->connect_peer(*stranger_swarm, "127.0.0.1", seed->listen_port());
  member->connect_peer(*member_swarm, "127.0.0.1", seed->listen_port());
  ASSERT_TRUE(run_until([&] { return member_done; }, 60s));
  EXPECT_EQ(sha256_file(member_dir_.path() / "m.part").value_or(""), sha_);
  // The stranger dialled first and had every chance since: nothing.
  const auto stranger_stats = stranger->stats(*stranger_swarm);
  EXPECT_EQ(stranger_stats.from_peers, 0u);
  EXPECT_EQ(stranger_stats.pieces_have, 0u);
  EXPECT_EQ(stranger_stats.peers_connected, 0);
}

}  // namespace
}  // namespace swarmcopy::test
