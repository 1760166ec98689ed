// Content private to a group, end to end with `swarmcopy get`: a job that sends credentials is
// peered only with the group's machines that prove it (a certificate the group's CA signed; an
// SSL swarm). A member takes the file from a member; a machine that knows the CA and the content
// but holds a certificate another CA signed gets nothing from peers; without the group's
// certificates such content is not peered at all, as before.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "../engine/job_waiter.h"
#include "loopback/loopback_peers.h"
#include "nginx/test_files.h"
#include "pki/group_pki.h"
#include "swarm_fixture.h"
#include "swarmcopy/engine/service.h"

namespace swarmcopy::test {
namespace {

using namespace std::chrono_literals;

constexpr std::uint64_t kSize = 4ull << 20;
const std::string kCredentials = "Authorization: Bearer s3cret";

class GroupPrivateTest : public SwarmFixture {
 protected:
  void SetUp() override {
    sha_ = make_published_file("private.bin", kSize);
    start_origin();
    url_ = nginx_->url("private.bin");
    auto group = GroupPki::make(pki_.path() / "group", "site-ca");
    ASSERT_TRUE(group) << group.error();
    for (const auto* name : {"seed", "member"}) ASSERT_TRUE(group->issue(name));
    auto other = GroupPki::make(pki_.path() / "other", "other-ca");
    ASSERT_TRUE(other) << other.error();
    ASSERT_TRUE(other->issue("stranger"));
    group_.emplace(*group);
    other_.emplace(*other);
  }

  // The group's flags, with `pki`'s certificate `name` (the CA is always the group's).
  std::vector<std::string> member_args(const GroupPki& pki, const std::string& name) const {
    return {"--mode",       "group",
            "--group-id",   "site",
            "--group-ca",   group_->ca_pem().string(),
            "--group-cert", pki.cert(name).string(),
            "--group-key",  pki.key(name).string(),
            "-H",           kCredentials};
  }

  TestDir pki_;
  std::string sha_, url_;
  std::optional<GroupPki> group_, other_;
};

TEST_F(GroupPrivateTest, OnlyTheGroupsCertificateHoldersPeerContentFetchedWithCredentials) {
  const auto port = free_loopback_port();
  auto seeder = start_seeder(url_, port, member_args(*group_, "seed"));
  ASSERT_TRUE(seeder);

  auto extra = member_args(*group_, "member");
  extra.insert(extra.end(), {"--peer", peer_arg(port), "--explain"});
  auto member = json_of(run_get(url_, out_ / "member.bin", home_b_.path(), extra));
  EXPECT_EQ(member["state"], "ACKNOWLEDGED") << member.dump();
  EXPECT_EQ(sha256_file(out_ / "member.bin").value_or(""), sha_);
  EXPECT_GT(member["from_peers"].get<std::uint64_t>(), 0u) << member.dump();
  EXPECT_NE(member["explanation"]["files"][0]["notes"].dump().find(
                "private content (the job sends credentials): peered only with machines holding "
                "a certificate of group site's CA"),
            std::string::npos)
      << member.dump();

  // It knows the group's CA and the content, and dials the seeder: its certificate is another
  // CA's, so the SSL handshake fails and it gets the file from the origin.
  extra = member_args(*other_, "stranger");
  extra.insert(extra.end(), {"--peer", peer_arg(port)});
  auto stranger = json_of(run_get(url_, out_ / "stranger.bin", home_c_.path(), extra));
  EXPECT_EQ(stranger["state"], "ACKNOWLEDGED") << stranger.dump();
  EXPECT_EQ(sha256_file(out_ / "stranger.bin").value_or(""), sha_);
  EXPECT_EQ(stranger["from_peers"], 0) << stranger.dump();
  EXPECT_EQ(stranger["from_origin"], kSize) << stranger.dump();

  // No certificates: private content is not peered.
  auto plain = json_of(run_get(
      url_, out_ / "plain.bin", home_d_.path(),
      {"--mode", "group", "--group-id", "site", "-H", kCredentials, "--peer", peer_arg(port)}));
  EXPECT_EQ(plain["state"], "ACKNOWLEDGED") << plain.dump();
  EXPECT_EQ(plain["from_peers"], 0) << plain.dump();
  EXPECT_NE(plain["peers_unused_reason"].dump().find("peered only within a group whose "
                                                     "certificates this machine holds"),
            std::string::npos)
      << plain.dump();
  seeder->send_signal(SIGTERM);
  EXPECT_EQ(seeder->wait(30s).exit_code, 0);
}

TEST_F(GroupPrivateTest, TheGroupsCertificatesGoTogetherWithAGroup) {
  auto partial = run_get(url_, out_ / "x.bin", home_b_.path(),
                         {"--group-id", "site", "--group-ca", group_->ca_pem().string()});
  EXPECT_NE(partial.exit_code, 0);
  EXPECT_NE(partial.err.find("--group-ca, --group-cert and --group-key go together"),
            std::string::npos)
      << partial.err;
  const auto text = pki_.path() / "not-a-certificate.txt";
  std::ofstream(text) << "hello\n";
  auto not_pem =
      run_get(url_, out_ / "x.bin", home_b_.path(),
              {"--group-id", "site", "--group-ca", text.string(), "--group-cert",
               group_->cert("member").string(), "--group-key", group_->key("member").string()});
  EXPECT_NE(not_pem.exit_code, 0);
  EXPECT_NE(not_pem.err.find("not PEM"), std::string::npos) << not_pem.err;
}

// One machine, three local users of its daemon: two fetch the same private content, each with
// their own credentials. The second never gets the first's private cache item (an origin's
// answer for the size would prove nothing: the URL is the user's to choose): it fetches the
// file from its origin, with its own credentials — not an error ("not this user's"), as it was.
// The third, without credentials, fetches the public content and gets nothing of the private
// item either.
TEST_F(GroupPrivateTest, AnotherLocalUserFetchesPrivateContentItselfAndNeverGetsTheCachedItem) {
  if (::geteuid() != 0) GTEST_SKIP() << "jobs of other users need root";
  engine::EngineOptions options;
  options.default_mode = api::DownloadMode::kLan;
  keep_peers_on_loopback(options.peer);
  options.peer.group_id = "site";
  options.peer.group_ca_pem = read_text(group_->ca_pem());
  options.peer.group_cert_pem = read_text(group_->cert("member"));
  options.peer.group_key_pem = read_text(group_->key("member"));
  options.checkpoint_interval = 50ms;
  TestDir state;
  auto service = engine::open_service(state.path(), options);
  ASSERT_TRUE(service) << service.error().describe();

  const auto fetch = [&](std::uint32_t uid, std::vector<std::string> headers) {
    const auto home = out_.path() / ("user-" + std::to_string(uid));
    std::filesystem::create_directory(home);
    EXPECT_EQ(::chown(home.c_str(), uid, uid), 0);
    ::chmod(out_.path().c_str(), 0755);
    auto job = *(*service)
                    ->manager_for(engine::Caller{uid, uid, false, std::nullopt})
                    ->create_job("private");
    api::JobPatch patch;
    patch.http_headers = std::move(headers);
    EXPECT_TRUE(job->update(patch));
    const auto dest = (home / "private.bin").string();
    EXPECT_TRUE(job->add_file({url_, dest, std::nullopt}));
    auto waiter = JobWaiter::attach(*job);
    EXPECT_TRUE(job->resume());
    const auto info = waiter->wait_for_state(*job, api::JobState::kTransferred, 60s);
    EXPECT_EQ(info.state, api::JobState::kTransferred)
        << (info.error ? info.error->describe() : "");
    const auto files = job->files();
    EXPECT_TRUE(job->complete());
    EXPECT_EQ(sha256_file(dest).value_or(""), sha_);
    return files && files->size() == 1 ? files->front() : api::FileStatus{};
  };
  const auto first = fetch(5001, {kCredentials});
  EXPECT_EQ(first.from_origin, kSize);
  const auto second = fetch(5002, {"Authorization: Bearer another-token"});
  EXPECT_EQ(second.from_cache, 0u);
  EXPECT_EQ(second.from_origin, kSize);
  EXPECT_NE(second.peers_unused_reason.value_or("").find("private content is another user's"),
            std::string::npos)
      << second.peers_unused_reason.value_or("(none)");
  const auto third = fetch(5003, {});
  EXPECT_EQ(third.from_cache, 0u);  // public content: another item, not the private one
  EXPECT_EQ(third.from_origin, kSize);
}

}  // namespace
}  // namespace swarmcopy::test
