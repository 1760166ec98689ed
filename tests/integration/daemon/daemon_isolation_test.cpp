// Per-user isolation through the real socket: the test (root) creates two local users and
// connects as each (SO_PEERCRED shows their uid). One user cannot list, read, change, cancel,
// complete or watch the other's jobs (the same 404 as an unknown id), cannot make the daemon
// write where they could not write themselves, and gets files owned by them. Root sees every
// job with ?all=1.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "daemon/daemon_process.h"
#include "daemon_test_support.h"
#include "http_connection.h"
#include "nginx/nginx_server.h"
#include "nginx/test_files.h"
#include "test_dir/test_dir.h"
#include "test_user.h"

namespace swarmcopy::test {
namespace {

using nlohmann::json;

class DaemonIsolationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "the isolation tests create users: run them as root";
    auto owner = TestUser::create();
    ASSERT_TRUE(owner) << owner.error();
    owner_ = std::move(*owner);
    auto intruder = TestUser::create();
    ASSERT_TRUE(intruder) << intruder.error();
    intruder_ = std::move(*intruder);

    // Users must reach the socket and their own directory inside the test dir.
    std::filesystem::permissions(dir_.path(), std::filesystem::perms(0755));
    std::filesystem::create_directories(dir_.path() / "www");
    std::filesystem::create_directories(dir_.path() / "owner-out");
    std::filesystem::create_directories(dir_.path() / "root-only");
    ASSERT_EQ(::chown((dir_.path() / "owner-out").c_str(), owner_->uid(), owner_->gid()), 0);
    std::filesystem::permissions(dir_.path() / "owner-out", std::filesystem::perms(0755));
    std::filesystem::permissions(dir_.path() / "root-only", std::filesystem::perms(0755));
    auto sha = write_test_file(dir_.path() / "www" / "f.bin", 1 << 20, 3);
    ASSERT_TRUE(sha) << sha.error();
    sha_ = *sha;

    NginxOptions nginx_options;
    nginx_options.docroot = dir_.path() / "www";
    auto nginx = NginxServer::start(nginx_options);
    ASSERT_TRUE(nginx) << nginx.error();
    nginx_ = std::move(*nginx);
    auto daemon = DaemonProcess::start(daemon_options(dir_.path()));
    ASSERT_TRUE(daemon) << daemon.error();
    daemon_ = std::move(*daemon);
  }

  void TearDown() override {
    if (HasFailure() && daemon_) std::cerr << "daemon log:\n" << daemon_->log_text();
    daemon_.reset();  // before the users go: nothing of theirs may be running
  }

  std::filesystem::path socket() const { return dir_.path() / "d.sock"; }

  HttpResponse as(const TestUser& user, std::string_view method, const std::string& target,
                  std::string_view body = {}) {
    auto response = http_request(socket(), method, target, body, user.identity());
    EXPECT_TRUE(response) << response.error();
    return response.value_or(HttpResponse{});
  }
  HttpResponse as_root(std::string_view method, const std::string& target,
                       std::string_view body = {}) {
    auto response = http_request(socket(), method, target, body);
    EXPECT_TRUE(response) << response.error();
    return response.value_or(HttpResponse{});
  }

  static std::vector<std::string> ids_in(const HttpResponse& list) {
    std::vector<std::string> ids;
    const auto body = list.json();  // kept alive: the loop walks into it
    for (const auto& job : body["jobs"]) ids.push_back(job["id"]);
    return ids;
  }

  TestDir dir_;
  std::unique_ptr<TestUser> owner_;
  std::unique_ptr<TestUser> intruder_;
  std::string sha_;
  std::unique_ptr<NginxServer> nginx_;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(DaemonIsolationTest, AnotherUserCannotSeeOrTouchAJob) {
  const auto created = as(*owner_, "POST", "/v1/jobs", R"({"name": "mine"})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.json()["owner_uid"], owner_->uid());
  const std::string id = created.json()["id"];
  const std::string job = "/v1/jobs/" + id;
  const std::string unknown_id = "6f9619ff-8b86-4011-b42d-00c04fc964ff";

  EXPECT_EQ(ids_in(as(*owner_, "GET", "/v1/jobs")), std::vector<std::string>{id});
  EXPECT_TRUE(ids_in(as(*intruder_, "GET", "/v1/jobs")).empty());
  EXPECT_TRUE(ids_in(as(*intruder_, "GET", "/v1/jobs?all=1")).empty());  // not an administrator
  EXPECT_EQ(as(*owner_, "GET", "/v1/status").json()["jobs"], 1);
  EXPECT_EQ(as(*intruder_, "GET", "/v1/status").json()["jobs"], 0);

  // Exactly what an unknown id gets, id aside.
  const auto foreign = as(*intruder_, "GET", job);
  const auto unknown = as(*intruder_, "GET", "/v1/jobs/" + unknown_id);
  EXPECT_EQ(foreign.status, 404);
  EXPECT_EQ(foreign.error_kind(), "not_found");
  auto foreign_body = foreign.body;
  if (const auto at = foreign_body.find(id); at != std::string::npos) {
    foreign_body.replace(at, id.size(), unknown_id);
  }
  EXPECT_EQ(foreign_body, unknown.body);

  const auto files =
      files_body({{nginx_->url("f.bin"), (dir_.path() / "owner-out" / "x").string()}});
  for (const auto& [method, target, body] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"PATCH", job, R"({"priority": "high"})"},
           {"POST", job + "/files", files},
           {"POST", job + "/resume", ""},
           {"POST", job + "/suspend", ""},
           {"POST", job + "/cancel", ""},
           {"POST", job + "/complete", ""},
           {"GET", "/v1/events?job=" + id, ""}}) {
    const auto response = as(*intruder_, method, target, body);
    EXPECT_EQ(response.status, 404) << method << " " << target << ": " << response.body;
    EXPECT_EQ(response.error_kind(), "not_found");
  }
  const auto after = as(*owner_, "GET", job).json();
  EXPECT_EQ(after["state"], "SUSPENDED");
  EXPECT_EQ(after["priority"], "normal");
  EXPECT_EQ(after["files_total"], 0);

  // Root: its own list without all=1, every job with it, and may act on any job.
  EXPECT_TRUE(ids_in(as_root("GET", "/v1/jobs")).empty());
  EXPECT_EQ(ids_in(as_root("GET", "/v1/jobs?all=1")), std::vector<std::string>{id});
  EXPECT_EQ(as_root("GET", job).status, 200);
  EXPECT_EQ(as_root("PATCH", job, R"({"priority": "low"})").status, 200);
  EXPECT_EQ(as(*owner_, "GET", job).json()["priority"], "low");
}

TEST_F(DaemonIsolationTest, EventsReachOnlyTheOwnerAndTheAdministrator) {
  const std::string mine = as(*owner_, "POST", "/v1/jobs", R"({"name": "mine"})").json()["id"];
  const std::string theirs =
      as(*intruder_, "POST", "/v1/jobs", R"({"name": "theirs"})").json()["id"];
  const auto open = [&](std::optional<Identity> who, const std::string& target) {
    auto connection = HttpConnection::open(socket(), who);
    EXPECT_TRUE(connection) << connection.error();
    EXPECT_TRUE(connection->send("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n"));
    EXPECT_EQ(connection->read_head().value_or(HttpResponse{}).status, 200);
    return std::move(*connection);
  };
  auto owner_stream = open(owner_->identity(), "/v1/events");
  auto intruder_stream = open(intruder_->identity(), "/v1/events?all=1");  // all=1 ignored
  auto root_stream = open(std::nullopt, "/v1/events?all=1");
  auto root_own_stream = open(std::nullopt, "/v1/events");

  ASSERT_EQ(as(*owner_, "PATCH", "/v1/jobs/" + mine, R"({"priority": "high"})").status, 200);
  ASSERT_EQ(as(*intruder_, "PATCH", "/v1/jobs/" + theirs, R"({"priority": "high"})").status, 200);

  const auto next_job = [](HttpConnection& stream) {
    auto line = stream.read_line(std::chrono::seconds(10));
    EXPECT_TRUE(line) << line.error();
    return line ? json::parse(*line)["job"].get<std::string>() : std::string();
  };
  EXPECT_EQ(next_job(owner_stream), mine);
  // The intruder's first event is of its own job: the owner's came before it and was not sent.
  EXPECT_EQ(next_job(intruder_stream), theirs);
  EXPECT_EQ(next_job(root_stream), mine);
  EXPECT_EQ(next_job(root_stream), theirs);
  // Root without all=1 hears only of its own jobs.
  EXPECT_FALSE(root_own_stream.read_line(std::chrono::milliseconds(300)));
  // The owner hears nothing of the intruder's job.
  EXPECT_FALSE(owner_stream.read_line(std::chrono::milliseconds(300)));
}

TEST_F(DaemonIsolationTest, FilesGoOnlyWhereTheOwnerMayWriteAndBelongToTheOwner) {
  const std::string id = as(*owner_, "POST", "/v1/jobs", R"({"name": "mine"})").json()["id"];
  const std::string job = "/v1/jobs/" + id;
  // A root-only directory: the daemon (root) could write there, the owner could not.
  auto refused =
      as(*owner_, "POST", job + "/files",
         files_body({{nginx_->url("f.bin"), (dir_.path() / "root-only" / "f").string()}}));
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(refused.error_kind(), "invalid_argument");
  EXPECT_FALSE(refused.json()["error"].value("message", "").empty());
  // The intruder cannot use the owner's directory either.
  const std::string other = as(*intruder_, "POST", "/v1/jobs", R"({"name": "other"})").json()["id"];
  refused = as(*intruder_, "POST", "/v1/jobs/" + other + "/files",
               files_body({{nginx_->url("f.bin"), (dir_.path() / "owner-out" / "g").string()}}));
  EXPECT_EQ(refused.status, 400) << refused.body;

  const auto dest = dir_.path() / "owner-out" / "f.bin";
  ASSERT_EQ(as(*owner_, "POST", job + "/files", files_body({{nginx_->url("f.bin"), dest.string()}}))
                .status,
            200);
  ASSERT_EQ(as(*owner_, "POST", job + "/resume").status, 200);
  const auto transferred =
      wait_job(socket(), id, in_state("TRANSFERRED"), std::chrono::seconds(30), owner_->identity());
  ASSERT_EQ(transferred.value("state", ""), "TRANSFERRED") << transferred.dump();
  ASSERT_EQ(as(*owner_, "POST", job + "/complete").status, 200);
  struct stat info {};
  ASSERT_EQ(::stat(dest.c_str(), &info), 0);
  EXPECT_EQ(info.st_uid, owner_->uid());
  EXPECT_EQ(info.st_gid, owner_->gid());
  EXPECT_EQ(sha256_file(dest).value_or(""), sha_);
  EXPECT_EQ(TestDir::list(dir_.path() / "owner-out"), std::vector<std::string>{"f.bin"});
  EXPECT_TRUE(TestDir::list(dir_.path() / "root-only").empty());
}

// BITS TakeOwnership: root takes a user's job over. Another user cannot (404, as for anything
// of that job); the owner's own call changes nothing. Taken over, the job leaves the owner's
// list, its notify command is dropped (it would run as root), the owner's temporary file is
// removed and the file starts over, written as root and private to root.
TEST_F(DaemonIsolationTest, RootTakesAJobOverAndItsFilesAreWrittenAsRoot) {
  const std::string id = as(*owner_, "POST", "/v1/jobs", R"({"name": "mine"})").json()["id"];
  const std::string job = "/v1/jobs/" + id;
  const auto dest = dir_.path() / "owner-out" / "f.bin";
  ASSERT_EQ(as(*owner_, "POST", job + "/files", files_body({{nginx_->url("f.bin"), dest.string()}}))
                .status,
            200);
  ASSERT_EQ(as(*owner_, "PATCH", job, R"({"notify_cmd": ["/bin/true"]})").status, 200);
  ASSERT_EQ(as(*owner_, "POST", job + "/resume").status, 200);
  const auto transferred =
      wait_job(socket(), id, in_state("TRANSFERRED"), std::chrono::seconds(30), owner_->identity());
  ASSERT_EQ(transferred.value("state", ""), "TRANSFERRED") << transferred.dump();
  const auto owners_files = TestDir::list(dir_.path() / "owner-out");
  ASSERT_EQ(owners_files.size(), 1u) << "the owner's temporary file";

  const auto intruder = as(*intruder_, "POST", job + "/take-ownership");
  EXPECT_EQ(intruder.status, 404) << intruder.body;
  const auto own = as(*owner_, "POST", job + "/take-ownership");
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(own.json()["owner_uid"], owner_->uid());
  EXPECT_EQ(own.json()["state"], "TRANSFERRED") << "one's own job: nothing to do";

  const auto taken = as_root("POST", job + "/take-ownership");
  ASSERT_EQ(taken.status, 200) << taken.body;
  EXPECT_EQ(taken.json()["owner_uid"], 0);
  EXPECT_TRUE(taken.json()["notify_cmd"].empty()) << taken.body;
  EXPECT_EQ(as(*owner_, "GET", job).status, 404) << "no longer the owner's";
  EXPECT_TRUE(ids_in(as(*owner_, "GET", "/v1/jobs")).empty());
  EXPECT_EQ(ids_in(as_root("GET", "/v1/jobs")), std::vector<std::string>{id}) << "root's own";

  const auto again = wait_job(socket(), id, in_state("TRANSFERRED"), std::chrono::seconds(30));
  ASSERT_EQ(again.value("state", ""), "TRANSFERRED") << again.dump();
  ASSERT_EQ(as_root("POST", job + "/complete").status, 200);
  struct stat info {};
  ASSERT_EQ(::stat(dest.c_str(), &info), 0);
  EXPECT_EQ(info.st_uid, 0u);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(sha256_file(dest).value_or(""), sha_);
  EXPECT_EQ(TestDir::list(dir_.path() / "owner-out"), std::vector<std::string>{"f.bin"})
      << "the owner's temporary file was removed";
}

// A job root owns in a directory its old owner can change: the owner swaps a directory on the
// path for a symbolic link to a directory only root may write. Root does not follow it: the
// job fails saying so, and nothing appears where the link pointed.
TEST_F(DaemonIsolationTest, RootNeverFollowsALinkTheOldOwnerPlanted) {
  const auto sub = dir_.path() / "owner-out" / "sub";
  std::filesystem::create_directories(sub);
  ASSERT_EQ(::chown(sub.c_str(), owner_->uid(), owner_->gid()), 0);
  const std::string id = as(*owner_, "POST", "/v1/jobs", R"({"name": "bait"})").json()["id"];
  const std::string job = "/v1/jobs/" + id;
  ASSERT_EQ(as(*owner_, "POST", job + "/files",
               files_body({{nginx_->url("f.bin"), (sub / "f.bin").string()}}))
                .status,
            200);
  ASSERT_EQ(as_root("POST", job + "/take-ownership").status, 200);

  // What the owner may do in a directory of their own.
  std::filesystem::rename(sub, dir_.path() / "owner-out" / "moved");
  std::filesystem::create_directory_symlink(dir_.path() / "root-only", sub);
  ASSERT_EQ(as_root("POST", job + "/resume").status, 200);
  const auto failed = wait_job(
      socket(), id, [](const nlohmann::json& job) { return job["error"].is_object(); },
      std::chrono::seconds(30));
  ASSERT_TRUE(failed["error"].is_object()) << failed.dump();
  EXPECT_NE(failed["error"].value("message", "").find("symbolic link"), std::string::npos)
      << failed.dump();
  EXPECT_TRUE(TestDir::list(dir_.path() / "root-only").empty());
}

TEST_F(DaemonIsolationTest, RequestRateIsCountedPerUser) {
  daemon_.reset();
  auto daemon = DaemonProcess::start(
      daemon_options(dir_.path(), {"--requests-per-second", "1", "--request-burst", "3"}));
  ASSERT_TRUE(daemon) << daemon.error();
  daemon_ = std::move(*daemon);
  int owner_limited = 0;
  for (int i = 0; i < 10; ++i) owner_limited += as(*owner_, "GET", "/v1/status").status == 429;
  EXPECT_GE(owner_limited, 5);
  // Another user has a bucket of their own.
  EXPECT_EQ(as(*intruder_, "GET", "/v1/status").status, 200);
}

}  // namespace
}  // namespace swarmcopy::test
