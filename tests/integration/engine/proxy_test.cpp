// A job's proxy setting (BITS SetProxySettings) end to end: the embedded engine against a real
// nginx origin and a second nginx as a forward HTTP proxy, both on loopback. Each test sets the
// proxy environment variables it depends on before the engine opens and puts them back after it
// closes (libcurl reads them on the engine's thread).
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "job_waiter.h"
#include "nginx/nginx_server.h"
#include "nginx/test_files.h"
#include "swarmcopy/engine/local_manager.h"
#include "test_dir/test_dir.h"

namespace swarmcopy::test {
namespace {

using api::JobState;
using api::ProxySettings;
using api::ProxyUsage;
using namespace std::chrono_literals;

// The proxy variables libcurl reads, set for a scope and restored (or unset) after it.
class ProxyEnvironment {
 public:
  explicit ProxyEnvironment(const std::map<std::string, std::string>& values) {
    for (const char* name : {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
                             "ALL_PROXY", "no_proxy", "NO_PROXY"}) {
      if (const char* old = std::getenv(name))
        saved_[name] = old;
      else
        saved_[name] = std::nullopt;
      ::unsetenv(name);
    }
    for (const auto& [name, value] : values) ::setenv(name.c_str(), value.c_str(), 1);
  }
  ~ProxyEnvironment() {
    for (const auto& [name, value] : saved_) {
      if (value) {
        ::setenv(name.c_str(), value->c_str(), 1);
      } else {
        ::unsetenv(name.c_str());
      }
    }
  }
  ProxyEnvironment(const ProxyEnvironment&) = delete;
  ProxyEnvironment& operator=(const ProxyEnvironment&) = delete;

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

// A loopback port bound but never listening: a connection to it is refused at once.
class DeadPort {
 public:
  DeadPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    if (fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
      port_ = ntohs(address.sin_port);
    }
  }
  ~DeadPort() {
    if (fd_ >= 0) ::close(fd_);
  }
  DeadPort(const DeadPort&) = delete;
  DeadPort& operator=(const DeadPort&) = delete;
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

class ProxyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    NginxOptions origin;
    origin.docroot = docroot_.path();
    auto server = NginxServer::start(origin);
    ASSERT_TRUE(server) << server.error();
    origin_ = std::move(*server);
    // A forward proxy: it takes absolute-form requests ("GET http://host:port/path") and passes
    // them on; its access log keeps the request line as it came.
    NginxOptions proxy;
    proxy.server_config =
        "location / { proxy_pass http://$http_host$request_uri; proxy_http_version 1.1; }";
    auto proxy_server = NginxServer::start(proxy);
    ASSERT_TRUE(proxy_server) << proxy_server.error();
    proxy_ = std::move(*proxy_server);
    ASSERT_NE(dead_.port(), 0);
    sha_ = write_test_file(docroot_.path() / "file.bin", 3 << 20).value_or("");
    ASSERT_FALSE(sha_.empty());
  }

  std::string proxy_url() const { return "http://127.0.0.1:" + std::to_string(proxy_->port()); }

  // http-only unless told: no peer session needed. In lan mode the job also asks for the
  // metadata (file.bin.torrent; nginx answers 404).
  std::shared_ptr<api::Manager> open(engine::EngineOptions options = {},
                                     api::DownloadMode mode = api::DownloadMode::kHttpOnly) {
    options.min_retry_delay = 50ms;
    options.max_retry_delay = 200ms;
    options.checkpoint_interval = 50ms;
    options.default_mode = mode;
    options.peer.local_discovery = false;
    auto manager = engine::open_local(state_.path(), options);
    EXPECT_TRUE(manager) << manager.error().describe();
    return manager.value_or(nullptr);
  }

  // Creates a job for file.bin with `proxy`, runs it and waits for TRANSFERRED or an error.
  api::JobInfo run_job(api::Manager& manager, const ProxySettings& proxy,
                       std::shared_ptr<api::Job>* out = nullptr) {
    auto created = manager.create_job("proxy test");
    EXPECT_TRUE(created);
    auto job = *created;
    EXPECT_TRUE(job->add_file({origin_->url("file.bin"), out_ / "file.bin", std::nullopt}));
    auto set = job->set_proxy_settings(proxy);
    EXPECT_TRUE(set) << set.error().describe();
    auto waiter = JobWaiter::attach(*job);
    EXPECT_TRUE(job->resume());
    if (out != nullptr) *out = job;
    return waiter->wait_until(*job, [](const api::JobInfo& info) {
      return info.state == JobState::kTransferred || info.state == JobState::kError ||
             info.state == JobState::kTransientError;
    });
  }

  void expect_intact(api::Manager& manager, const api::JobInfo& info) {
    ASSERT_EQ(info.state, JobState::kTransferred) << (info.error ? info.error->describe() : "");
    auto job = manager.get_job(info.id);
    ASSERT_TRUE(job);
    ASSERT_TRUE((*job)->complete());
    EXPECT_EQ(sha256_file(out_ / "file.bin").value_or(""), sha_);
  }

  // Every request the origin served came through the proxy, in absolute form. Call it once the
  // engine is closed: nginx logs a request when its connection ends, and libcurl keeps its
  // connection to the proxy alive.
  void expect_all_through_proxy(bool with_metadata = false) {
    ASSERT_TRUE(origin_->wait_until_idle(10s));
    ASSERT_TRUE(proxy_->wait_until_idle(10s));
    const auto at_origin = origin_->access_log();
    const auto at_proxy = proxy_->access_log();
    ASSERT_FALSE(at_proxy.empty());
    EXPECT_EQ(at_proxy.size(), at_origin.size());
    const std::string absolute = "http://127.0.0.1:" + std::to_string(origin_->port()) + "/";
    bool file_seen = false;
    bool metadata_seen = false;
    for (const auto& entry : at_proxy) {
      EXPECT_TRUE(entry.uri.starts_with(absolute)) << entry.method << " " << entry.uri;
      file_seen = file_seen || entry.uri == absolute + "file.bin";
      metadata_seen = metadata_seen || entry.uri == absolute + "file.bin.torrent";
    }
    EXPECT_TRUE(file_seen);
    EXPECT_EQ(metadata_seen, with_metadata);
  }

  TestDir docroot_;
  TestDir state_;
  TestDir out_;
  DeadPort dead_;
  std::string sha_;
  std::unique_ptr<NginxServer> origin_;
  std::unique_ptr<NginxServer> proxy_;
};

TEST_F(ProxyTest, AnExplicitProxyCarriesEveryRequestAndWinsOverTheEnvironment) {
  // The environment says "direct for 127.0.0.1" and names another (dead) proxy: the job's own
  // setting must win over both.
  ProxyEnvironment env({{"no_proxy", "127.0.0.1"}, {"http_proxy", dead_.url()}});
  auto manager = open({}, api::DownloadMode::kLan);  // the metadata request too
  const auto info = run_job(*manager, ProxySettings{ProxyUsage::kOverride, proxy_url(), {}});
  expect_intact(*manager, info);
  manager.reset();
  expect_all_through_proxy(true);
}

TEST_F(ProxyTest, ProxyCredentialsWorkAndAreStoredButTheJobSaysWhichProxy) {
  ProxyEnvironment env({});
  auto manager = open();
  const std::string with_password =
      "http://alice:s3cret@127.0.0.1:" + std::to_string(proxy_->port());
  const auto info = run_job(*manager, ProxySettings{ProxyUsage::kOverride, with_password, {}});
  // The embedded engine answers its own caller with what it set (the daemon masks it).
  EXPECT_EQ(info.proxy.proxy, with_password);
  expect_intact(*manager, info);
  manager.reset();
  expect_all_through_proxy();
}

TEST_F(ProxyTest, NoneIgnoresTheEnvironmentsProxy) {
  ProxyEnvironment env({{"http_proxy", dead_.url()}, {"HTTP_PROXY", dead_.url()}});
  auto manager = open();
  // Control: with `system` the environment's dead proxy is used, and the job cannot connect.
  std::shared_ptr<api::Job> system_job;
  const auto failed = run_job(*manager, ProxySettings{}, &system_job);
  EXPECT_EQ(failed.state, JobState::kTransientError);
  ASSERT_TRUE(system_job->cancel());

  const auto info = run_job(*manager, ProxySettings{ProxyUsage::kNone, "", {}});
  expect_intact(*manager, info);
  EXPECT_TRUE(proxy_->access_log().empty());
}

TEST_F(ProxyTest, ABypassedHostGoesDirect) {
  ProxyEnvironment env({});
  auto manager = open();
  // The job's proxy is dead: only a direct connection can succeed.
  const auto info = run_job(
      *manager, ProxySettings{ProxyUsage::kOverride, dead_.url(), {"localhost", "127.0.0.1"}});
  expect_intact(*manager, info);

  // Without the bypass entry the same dead proxy is used.
  const auto failed = run_job(*manager, ProxySettings{ProxyUsage::kOverride, dead_.url(), {}});
  EXPECT_EQ(failed.state, JobState::kTransientError);
  ASSERT_TRUE(failed.error);
  EXPECT_EQ(failed.error->kind, api::ErrorKind::kTransport) << failed.error->describe();
}

TEST_F(ProxyTest, SystemUsesTheEnginesConfiguredProxyOverTheEnvironment) {
  ProxyEnvironment env({{"http_proxy", dead_.url()}, {"no_proxy", "127.0.0.1"}});
  engine::EngineOptions options;
  options.proxy = proxy_url();
  auto manager = open(options);
  const auto info = run_job(*manager, ProxySettings{});
  expect_intact(*manager, info);
  manager.reset();
  expect_all_through_proxy();
}

TEST_F(ProxyTest, TheSettingSurvivesAReopenAndBadOnesAreRefused) {
  ProxyEnvironment env({});
  api::JobId id;
  const ProxySettings setting{ProxyUsage::kOverride, "http://u:p@127.0.0.1:3128", {".lan"}};
  {
    auto manager = open();
    auto job = manager->create_job("kept");
    ASSERT_TRUE(job);
    id = (*job)->id();
    ASSERT_TRUE((*job)->set_proxy_settings(setting));
    for (const auto& bad : {ProxySettings{ProxyUsage::kOverride, "http://a:1,http://b:2", {}},
                            ProxySettings{ProxyUsage::kOverride, "ftp://a:21", {}},
                            ProxySettings{ProxyUsage::kNone, "", {"127.0.0.1"}},
                            ProxySettings{ProxyUsage::kOverride, "http://a:1", {"two words"}}}) {
      auto refused = (*job)->set_proxy_settings(bad);
      ASSERT_FALSE(refused) << bad.proxy;
      EXPECT_EQ(refused.error().kind, api::ErrorKind::kInvalidArgument);
    }
  }
  auto manager = open();
  auto job = manager->get_job(id);
  ASSERT_TRUE(job);
  EXPECT_EQ((*job)->info().value().proxy, setting);
}

}  // namespace
}  // namespace swarmcopy::test
