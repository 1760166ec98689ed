// The API of daemon/API.md end to end: the real swarmcopyd on a socket in a temp dir, a real
// nginx as the origin, raw HTTP over the UNIX socket. Every endpoint, its answers and its
// error statuses.
#include <gtest/gtest.h>

#include <map>

#include "daemon/daemon_process.h"
#include "daemon_test_support.h"
#include "http_connection.h"
#include "nginx/nginx_server.h"
#include "nginx/test_files.h"
#include "swarmcopy/ipc/codec.h"
#include "test_dir/test_dir.h"

namespace swarmcopy::test {
namespace {

using nlohmann::json;

class DaemonApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_.path() / "www" / "slow");
    std::filesystem::create_directories(dir_.path() / "out");
    for (const auto& [name, size] : std::map<std::string, std::uint64_t>{
             {"a.bin", 3 << 20}, {"b.bin", 100000}, {"slow/big.bin", 8 << 20}}) {
      auto sha = write_test_file(dir_.path() / "www" / name, size, size);
      ASSERT_TRUE(sha) << sha.error();
      sha_[name] = *sha;
    }
    NginxOptions nginx_options;
    nginx_options.docroot = dir_.path() / "www";
    nginx_options.server_config = "location /slow/ { limit_rate 200k; }";
    auto nginx = NginxServer::start(nginx_options);
    ASSERT_TRUE(nginx) << nginx.error();
    nginx_ = std::move(*nginx);
    auto daemon = DaemonProcess::start(daemon_options(
        dir_.path(),
        {"--max-request-bytes", "65536", "--max-files-per-job", "4", "--max-jobs-per-user", "8"}));
    ASSERT_TRUE(daemon) << daemon.error();
    daemon_ = std::move(*daemon);
  }

  void TearDown() override {
    if (HasFailure() && daemon_) std::cerr << "daemon log:\n" << daemon_->log_text();
  }

  std::filesystem::path socket() const { return dir_.path() / "d.sock"; }
  std::string out(const std::string& name) const { return (dir_.path() / "out" / name).string(); }

  HttpResponse call(std::string_view method, const std::string& target,
                    std::string_view body = {}) {
    auto response = http_request(socket(), method, target, body);
    EXPECT_TRUE(response) << method << " " << target << ": " << response.error();
    return response.value_or(HttpResponse{});
  }

  std::string new_job(const std::string& name = "job") {
    const auto response = call("POST", "/v1/jobs", json{{"name", name}}.dump());
    EXPECT_EQ(response.status, 201) << response.body;
    return response.json().value("id", "");
  }

  TestDir dir_;
  std::map<std::string, std::string> sha_;
  std::unique_ptr<NginxServer> nginx_;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(DaemonApiTest, StatusReportsVersionModeUidAndJobCount) {
  auto status = call("GET", "/v1/status");
  ASSERT_EQ(status.status, 200);
  EXPECT_EQ(status.header("content-type"), "application/json");
  auto body = status.json();
  EXPECT_EQ(body["api"], 1);
  EXPECT_EQ(body["mode"], "system");
  EXPECT_EQ(body["uid"], 0);
  EXPECT_EQ(body["jobs"], 0);
  EXPECT_TRUE(body["version"].is_string());
  new_job();
  EXPECT_EQ(call("GET", "/v1/status").json()["jobs"], 1);
}

TEST_F(DaemonApiTest, CreateAddResumeCompleteDeliversTheFiles) {
  const auto created = call("POST", "/v1/jobs", R"({"name": "nightly", "type": "DOWNLOAD"})");
  ASSERT_EQ(created.status, 201) << created.body;
  auto job = ipc::job_info_from_json(created.json());
  ASSERT_TRUE(job) << job.error().message;  // the answer is a well-formed Job
  EXPECT_EQ(job->state, api::JobState::kSuspended);
  EXPECT_EQ(job->display_name, "nightly");
  EXPECT_EQ(job->owner_uid, 0u);
  const auto id = job->id.to_string();

  json files = {
      {"files",
       {{{"url", nginx_->url("a.bin")}, {"path", out("a.bin")}, {"sha256", sha_["a.bin"]}},
        {{"url", nginx_->url("b.bin")}, {"path", out("b.bin")}}}}};
  const auto added = call("POST", "/v1/jobs/" + id + "/files", files.dump());
  ASSERT_EQ(added.status, 200) << added.body;
  EXPECT_EQ(added.json()["files_total"], 2);
  EXPECT_EQ(added.json()["files"][0]["sha256"], sha_["a.bin"]);

  const auto listed = call("GET", "/v1/jobs");
  ASSERT_EQ(listed.status, 200);
  ASSERT_EQ(listed.json()["jobs"].size(), 1u);
  EXPECT_EQ(listed.json()["jobs"][0]["id"], id);

  const auto resumed = call("POST", "/v1/jobs/" + id + "/resume");
  ASSERT_EQ(resumed.status, 200) << resumed.body;
  EXPECT_NE(resumed.json()["state"], "SUSPENDED");
  // Resuming a running job is a no-op that succeeds.
  EXPECT_EQ(call("POST", "/v1/jobs/" + id + "/resume", "{}").status, 200);

  const auto transferred = wait_job(socket(), id, in_state("TRANSFERRED"));
  ASSERT_EQ(transferred.value("state", ""), "TRANSFERRED") << transferred.dump();
  EXPECT_EQ(transferred["bytes_total"], (3 << 20) + 100000);
  EXPECT_EQ(transferred["bytes_transferred"], (3 << 20) + 100000);
  EXPECT_EQ(transferred["files_transferred"], 2);
  EXPECT_TRUE(transferred["times"]["transferred"].is_string());
  EXPECT_FALSE(std::filesystem::exists(out("a.bin")));  // still temporary until Complete

  const auto completed = call("POST", "/v1/jobs/" + id + "/complete");
  ASSERT_EQ(completed.status, 200) << completed.body;
  EXPECT_EQ(completed.json()["state"], "ACKNOWLEDGED");
  EXPECT_EQ(sha256_file(out("a.bin")).value_or(""), sha_["a.bin"]);
  EXPECT_EQ(sha256_file(out("b.bin")).value_or(""), sha_["b.bin"]);
  EXPECT_EQ(TestDir::list(dir_.path() / "out"), (std::vector<std::string>{"a.bin", "b.bin"}));
}

TEST_F(DaemonApiTest, EventsStreamCarriesTheJobsEvents) {
  const auto id = new_job();
  auto stream = HttpConnection::open(socket());
  ASSERT_TRUE(stream) << stream.error();
  ASSERT_TRUE(stream->send("GET /v1/events?job=" + id + " HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto head = stream->read_head();
  ASSERT_TRUE(head) << head.error();
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("content-type"), "application/x-ndjson");
  EXPECT_EQ(head->header("transfer-encoding"), "chunked");

  // Another job's events do not reach a stream filtered by job.
  const auto other = new_job("other");
  ASSERT_EQ(call("PATCH", "/v1/jobs/" + other, R"({"priority": "low"})").status, 200);

  ASSERT_EQ(
      call("POST", "/v1/jobs/" + id + "/files", files_body({{nginx_->url("b.bin"), out("b.bin")}}))
          .status,
      200);
  ASSERT_EQ(call("POST", "/v1/jobs/" + id + "/resume").status, 200);
  std::vector<ipc::Event> events;
  bool transferred = false;
  while (!transferred) {
    auto line = stream->read_line(std::chrono::seconds(30));
    ASSERT_TRUE(line) << line.error();
    auto event = ipc::event_from_json(json::parse(*line, nullptr, false));
    ASSERT_TRUE(event) << *line << ": " << event.error().message;
    EXPECT_EQ(event->job.to_string(), id);
    EXPECT_EQ(event->owner_uid, 0u);
    transferred = event->type == ipc::Event::Type::kTransferred;
    events.push_back(*event);
  }
  EXPECT_GE(events.size(), 2u);  // modifications before the transfer ended

  // An unknown job cannot be watched.
  EXPECT_EQ(call("GET", "/v1/events?job=6f9619ff-8b86-4011-b42d-00c04fc964ff").status, 404);
  EXPECT_EQ(call("GET", "/v1/events?job=nonsense").status, 404);
  EXPECT_EQ(call("GET", "/v1/events?jobs=1").status, 400);
}

TEST_F(DaemonApiTest, UnknownJobsPathsAndMethods) {
  const std::string unknown = "/v1/jobs/6f9619ff-8b86-4011-b42d-00c04fc964ff";
  for (const auto& [method, target] :
       std::vector<std::pair<std::string, std::string>>{{"GET", unknown},
                                                        {"PATCH", unknown},
                                                        {"POST", unknown + "/files"},
                                                        {"POST", unknown + "/resume"},
                                                        {"POST", unknown + "/suspend"},
                                                        {"POST", unknown + "/cancel"},
                                                        {"POST", unknown + "/complete"},
                                                        {"GET", "/v1/jobs/not-a-guid"},
                                                        {"GET", "/v1/nothing"},
                                                        {"GET", "/"},
                                                        {"GET", "/v2/jobs"}}) {
    const std::string body = method == "PATCH" ? R"({"priority":"low"})"
                             : target.ends_with("/files")
                                 ? files_body({{nginx_->url("b.bin"), out("b.bin")}})
                                 : "";
    const auto response = call(method, target, body);
    EXPECT_EQ(response.status, 404) << method << " " << target << ": " << response.body;
    EXPECT_EQ(response.error_kind(), "not_found") << response.body;
  }
  for (const auto& [method, target] :
       std::vector<std::pair<std::string, std::string>>{{"DELETE", "/v1/jobs"},
                                                        {"PUT", "/v1/status"},
                                                        {"GET", unknown + "/resume"},
                                                        {"POST", "/v1/events"},
                                                        {"DELETE", unknown},
                                                        {"BREW", "/v1/jobs"}}) {
    const auto response = call(method, target);
    EXPECT_EQ(response.status, 405) << method << " " << target << ": " << response.body;
    EXPECT_EQ(response.error_kind(), "invalid_argument");
    EXPECT_FALSE(response.header("allow").empty());
  }
}

TEST_F(DaemonApiTest, BadBodiesAndQueriesAre400NamingTheField) {
  struct Case {
    std::string target;
    std::string body;
    std::string in_message;
  };
  const auto id = new_job();
  const std::string job = "/v1/jobs/" + id;
  for (const auto& c : std::vector<Case>{
           {"/v1/jobs", "", "body"},
           {"/v1/jobs", "{", "not JSON"},
           {"/v1/jobs", R"({"name": "a"} trailing)", "not JSON"},
           {"/v1/jobs", R"({"name": 1})", "name"},
           {"/v1/jobs", R"({"name": "a", "owner": 0})", "owner"},
           {"/v1/jobs", R"({"name": "a", "type": "UPLOAD"})", "type"},
           {"/v1/jobs", R"(["name"])", "object"},
           {job + "/files", R"({"files": []})", "files"},
           {job + "/files", R"({"files": [{"url": "http://x/f"}]})", "files[0].path"},
           {job + "/files", R"({"files": [{"url": "http://x/f", "path": "/tmp/f", "mode": 1}]})",
            "files[0].mode"},
           {job + "/files",
            R"({"files": [{"url": "http://x/f", "path": "/tmp/f", "sha256": "12"}]})", "sha256"},
           {job + "/files", files_body({{"ftp://x/f", out("f")}}), ""},
           {job + "/files", files_body({{nginx_->url("b.bin"), "relative/f"}}), ""},
           {job + "/files",
            files_body({{nginx_->url("b.bin"), out("same")}, {nginx_->url("a.bin"), out("same")}}),
            ""},
           {job + "/resume", R"({"now": true})", "body"},
           {job + "/cancel", "[]", "body"},
       }) {
    const auto response = call("POST", c.target, c.body);
    EXPECT_EQ(response.status, 400) << c.target << " " << c.body << ": " << response.body;
    EXPECT_EQ(response.error_kind(), "invalid_argument") << response.body;
    const auto message = response.json()["error"].value("message", "");
    EXPECT_NE(message.find(c.in_message), std::string::npos) << message;
  }
  for (const auto& body :
       {R"({"priority": "urgent"})", R"({"notify_flags": 64})", R"({"no_progress_timeout": -1})",
        R"({"http_headers": "X: y"})", R"({"http_headers": ["no colon"]})",
        R"({"max_bytes_per_second": 1.5})", R"({"state": "QUEUED"})", "nonsense"}) {
    const auto response = call("PATCH", job, body);
    EXPECT_EQ(response.status, 400) << body << ": " << response.body;
  }
  EXPECT_EQ(call("GET", "/v1/jobs?everything=1").status, 400);
  EXPECT_EQ(call("GET", "/v1/jobs?all=maybe").status, 400);
  EXPECT_EQ(call("GET", "/v1/jobs?all=%zz").status, 400);
  // Nothing of the refused calls changed the job.
  const auto after = call("GET", job).json();
  EXPECT_EQ(after["files_total"], 0);
  EXPECT_EQ(after["priority"], "normal");
  EXPECT_EQ(after["state"], "SUSPENDED");
}

TEST_F(DaemonApiTest, StateConflictsAre409AndFinalJobsRefuseChanges) {
  const auto id = new_job();
  const std::string job = "/v1/jobs/" + id;
  auto response = call("POST", job + "/resume");
  EXPECT_EQ(response.status, 409) << response.body;
  EXPECT_EQ(response.error_kind(), "no_files");
  response = call("POST", job + "/complete");
  EXPECT_EQ(response.status, 409);
  EXPECT_EQ(response.error_kind(), "invalid_state");
  // Suspending a suspended job succeeds (no-op).
  EXPECT_EQ(call("POST", job + "/suspend").status, 200);

  response = call("POST", job + "/cancel");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.json()["state"], "CANCELLED");
  for (const auto& [method, target, body] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"POST", job + "/resume", ""},
           {"POST", job + "/suspend", ""},
           {"POST", job + "/cancel", ""},
           {"POST", job + "/complete", ""},
           {"POST", job + "/files", files_body({{nginx_->url("b.bin"), out("b.bin")}})},
           {"PATCH", job, R"({"priority": "high"})"}}) {
    response = call(method, target, body);
    EXPECT_EQ(response.status, 409) << method << " " << target << ": " << response.body;
    EXPECT_EQ(response.error_kind(), "job_is_final");
  }
  EXPECT_EQ(call("GET", job).json()["state"], "CANCELLED");  // getters still work
}

TEST_F(DaemonApiTest, PatchChangesSettingsAndMasksCredentials) {
  const auto id = new_job();
  const auto response = call("PATCH", "/v1/jobs/" + id, R"({"priority": "foreground",
      "no_progress_timeout": 60, "notify_flags": 27, "max_bytes_per_second": 1048576,
      "http_headers": ["Authorization: Bearer s3cret", "X-Trace: 1"]})");
  ASSERT_EQ(response.status, 200) << response.body;
  const auto job = response.json();
  EXPECT_EQ(job["priority"], "foreground");
  EXPECT_EQ(job["no_progress_timeout"], 60);
  EXPECT_EQ(job["notify_flags"], 27);
  EXPECT_EQ(job["max_bytes_per_second"], 1048576);
  EXPECT_EQ(job["http_headers"], json({"Authorization: ***", "X-Trace: 1"}));
  EXPECT_EQ(response.body.find("s3cret"), std::string::npos);
  EXPECT_EQ(call("GET", "/v1/jobs/" + id).body.find("s3cret"), std::string::npos);
  // An empty patch changes nothing and answers the job.
  EXPECT_EQ(call("PATCH", "/v1/jobs/" + id, "{}").json()["priority"], "foreground");
}

// SetDisplayName, SetDescription, SetMinimumRetryDelay over PATCH: applied together, read
// back in the job object; a bad one refuses the whole patch.
TEST_F(DaemonApiTest, PatchRenamesDescribesAndSetsTheRetryDelay) {
  const auto id = new_job("before");
  const std::string job = "/v1/jobs/" + id;
  EXPECT_EQ(call("GET", job).json()["description"], "");
  EXPECT_EQ(call("GET", job).json()["error_count"], 0);
  const auto response = call("PATCH", job, R"({"name": "after", "description": "nightly mirror",
      "min_retry_delay_ms": 2500})");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.json()["name"], "after");
  EXPECT_EQ(response.json()["description"], "nightly mirror");
  EXPECT_EQ(response.json()["min_retry_delay_ms"], 2500);
  for (const auto& body : {R"({"name": "x\u001b[31m", "description": "changed"})",
                           R"({"description": "changed", "min_retry_delay_ms": 0})",
                           R"({"description": "changed", "min_retry_delay_ms": 86400001})"}) {
    const auto refused = call("PATCH", job, body);
    EXPECT_EQ(refused.status, 400) << body << ": " << refused.body;
    EXPECT_EQ(refused.error_kind(), "invalid_argument") << refused.body;
  }
  const auto after = call("GET", job).json();
  EXPECT_EQ(after["name"], "after");
  EXPECT_EQ(after["description"], "nightly mirror") << "a refused patch changes nothing";
  EXPECT_EQ(after["min_retry_delay_ms"], 2500);
}

// SetProxySettings through the daemon: its config's `proxy` serves jobs left at `system` (the
// systemd unit gives the daemon no environment); a job's own proxy with credentials works, and
// the password appears in no answer and no log line.
TEST_F(DaemonApiTest, TheConfiguredProxyServesSystemJobsAndProxyPasswordsStayHidden) {
  NginxOptions proxy_options;
  proxy_options.server_config =
      "location / { proxy_pass http://$http_host$request_uri; proxy_http_version 1.1; }";
  auto proxy = NginxServer::start(proxy_options);
  ASSERT_TRUE(proxy) << proxy.error();
  const std::string proxy_address = "127.0.0.1:" + std::to_string((*proxy)->port());
  TestDir other;
  auto daemon = DaemonProcess::start(daemon_options(
      other.path(), {"--proxy", "http://" + proxy_address, "--download-mode", "http-only"}));
  ASSERT_TRUE(daemon) << daemon.error();
  const auto sock = other.path() / "d.sock";
  const auto request = [&](std::string_view method, const std::string& target,
                           std::string_view body = {}) {
    auto response = http_request(sock, method, target, body);
    EXPECT_TRUE(response) << method << " " << target << ": " << response.error();
    return response.value_or(HttpResponse{});
  };
  const auto run = [&](const std::string& name, const std::string& patch) {
    const auto id = create_job(sock, name);
    EXPECT_FALSE(id.empty());
    const auto patched = request("PATCH", "/v1/jobs/" + id, patch);
    EXPECT_EQ(patched.status, 200) << patched.body;
    EXPECT_EQ(patched.body.find("s3cret"), std::string::npos) << patched.body;
    EXPECT_EQ(request("POST", "/v1/jobs/" + id + "/files",
                      files_body({{nginx_->url("a.bin"), out(name)}}))
                  .status,
              200);
    EXPECT_EQ(request("POST", "/v1/jobs/" + id + "/resume").status, 200);
    const auto done = wait_job(sock, id, in_state("TRANSFERRED"));
    EXPECT_EQ(done.value("state", ""), "TRANSFERRED") << done.dump();
    EXPECT_EQ(request("POST", "/v1/jobs/" + id + "/complete").status, 200);
    EXPECT_EQ(sha256_file(out(name)).value_or(""), sha_["a.bin"]);
    return done;
  };

  const auto system = run("system.bin", "{}");
  EXPECT_EQ(system["proxy"], json::parse(R"({"usage":"system","url":"","bypass":[]})"));
  const auto own =
      run("own.bin", R"({"proxy": {"usage": "override", "url": "http://alice:s3cret@)" +
                         proxy_address + R"(", "bypass": [".example.org"]}})");
  EXPECT_EQ(own["proxy"]["usage"], "override");
  EXPECT_EQ(own["proxy"]["url"], "http://alice:***@" + proxy_address);
  EXPECT_EQ(own["proxy"]["bypass"], json::array({".example.org"}));
  EXPECT_EQ(request("GET", "/v1/jobs").body.find("s3cret"), std::string::npos);

  // A bad proxy is refused whole, with a clear error.
  const auto id = create_job(sock, "bad");
  const auto refused = request("PATCH", "/v1/jobs/" + id,
                               R"({"proxy": {"usage": "override", "url": "ftp://p:21"}})");
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(refused.error_kind(), "invalid_argument");
  EXPECT_NE(refused.body.find("http, https, socks5"), std::string::npos) << refused.body;
  (*daemon)->stop();  // its connections to the proxy end: nginx has logged every request
  EXPECT_EQ((*daemon)->log_text().find("s3cret"), std::string::npos);

  // Both jobs' requests reached the origin through the proxy, in absolute form.
  ASSERT_TRUE((*proxy)->wait_until_idle(std::chrono::seconds(10)));
  std::size_t through_proxy = 0;
  for (const auto& entry : (*proxy)->access_log()) {
    EXPECT_EQ(entry.uri, nginx_->url("a.bin")) << entry.method << " " << entry.uri;
    ++through_proxy;
  }
  EXPECT_GE(through_proxy, 4u);  // a probe and at least one range per job
  // And none went direct: the system job too used the configured proxy.
  ASSERT_TRUE(nginx_->wait_until_idle(std::chrono::seconds(10)));
  EXPECT_EQ(nginx_->access_log().size(), through_proxy);
}

TEST_F(DaemonApiTest, LimitsAnswer413And429) {
  const auto id = new_job();
  const std::string huge(70000, ' ');
  auto response = call("POST", "/v1/jobs", R"({"name": ")" + std::string(70000, 'x') + R"("})");
  EXPECT_EQ(response.status, 413) << response.body;
  response = call("POST", "/v1/jobs/" + id + "/files", huge);
  EXPECT_EQ(response.status, 413);

  // Files per job (4 here).
  std::vector<std::pair<std::string, std::string>> five;
  for (int i = 0; i < 5; ++i) five.emplace_back(nginx_->url("b.bin"), out("f" + std::to_string(i)));
  response = call("POST", "/v1/jobs/" + id + "/files", files_body(five));
  EXPECT_EQ(response.status, 429) << response.body;
  EXPECT_EQ(response.error_kind(), "limit_exceeded");
  EXPECT_EQ(call("GET", "/v1/jobs/" + id).json()["files_total"], 0);  // all or none

  // Jobs per user (8 here; one exists).
  int created = 1;
  for (int i = 0; i < 10; ++i) {
    response = call("POST", "/v1/jobs", R"({"name": "more"})");
    if (response.status != 201) break;
    ++created;
  }
  EXPECT_EQ(created, 8);
  EXPECT_EQ(response.status, 429) << response.body;
  EXPECT_EQ(response.error_kind(), "limit_exceeded");
}

TEST_F(DaemonApiTest, SuspendKeepsProgressAndCancelLeavesNoTrace) {
  const auto id = new_job();
  ASSERT_EQ(call("POST", "/v1/jobs/" + id + "/files",
                 files_body({{nginx_->url("slow/big.bin"), out("big.bin")}}))
                .status,
            200);
  ASSERT_EQ(call("POST", "/v1/jobs/" + id + "/resume").status, 200);
  auto job = wait_job(socket(), id, [](const json& j) {
    return j.value("state", "") == "TRANSFERRING" &&
           j["bytes_transferred"].get<std::uint64_t>() > 0;
  });
  ASSERT_EQ(job.value("state", ""), "TRANSFERRING") << job.dump();
  auto response = call("POST", "/v1/jobs/" + id + "/suspend");
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(response.json()["state"], "SUSPENDED");
  EXPECT_GT(response.json()["bytes_transferred"].get<std::uint64_t>(), 0u);
  EXPECT_FALSE(TestDir::list(dir_.path() / "out").empty());  // the temporary file is kept

  ASSERT_EQ(call("POST", "/v1/jobs/" + id + "/resume").status, 200);
  response = call("POST", "/v1/jobs/" + id + "/cancel");
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(response.json()["state"], "CANCELLED");
  EXPECT_TRUE(TestDir::list(dir_.path() / "out").empty());
}

TEST_F(DaemonApiTest, KeepAliveServesManyRequestsOnOneConnection) {
  auto connection = HttpConnection::open(socket());
  ASSERT_TRUE(connection) << connection.error();
  for (int i = 0; i < 50; ++i) {
    auto response = connection->request("GET", "/v1/status");
    ASSERT_TRUE(response) << response.error();
    ASSERT_EQ(response->status, 200);
  }
  // Two pipelined requests are answered in order.
  ASSERT_TRUE(connection->send(
      "GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/nothing HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(connection->read_response().value_or(HttpResponse{}).status, 200);
  EXPECT_EQ(connection->read_response().value_or(HttpResponse{}).status, 404);
  // curl's Expect: 100-continue is honoured.
  const std::string body = R"({"name": "expecting"})";
  ASSERT_TRUE(
      connection->send("POST /v1/jobs HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                       "Content-Length: " +
                       std::to_string(body.size()) + "\r\n\r\n"));
  auto interim = connection->read_head();
  ASSERT_TRUE(interim) << interim.error();
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(connection->send(body));
  EXPECT_EQ(connection->read_response().value_or(HttpResponse{}).status, 201);
}

}  // namespace
}  // namespace swarmcopy::test
