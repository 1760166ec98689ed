// DaemonTestEnv: what a test of the client against the real daemon needs, made fresh for each
// test and torn down with it: a temp directory (docroot, outputs, the daemon's home, state
// and socket), a real nginx serving the docroot (/slow/ is the same files, throttled, for
// downloads that last long enough to interrupt), and swarmcopyd started on demand.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "daemon/daemon_process.h"
#include "loopback/loopback_peers.h"
#include "nginx/nginx_server.h"
#include "nginx/test_files.h"
#include "test_dir/test_dir.h"

namespace swarmcopy::test {

class DaemonTestEnv {
 public:
  DaemonTestEnv() {
    docroot_ = dir_ / "docroot";
    out_ = dir_ / "out";
    for (const auto& d : {docroot_, out_, dir_ / "home"}) std::filesystem::create_directories(d);
    NginxOptions options;
    options.docroot = docroot_;
    // nginx sends the first second's worth at once: with 4 ranges per file, 8 MiB under
    // /slow/ take about 3 s.
    options.server_config =
        "location /slow/ { alias " + docroot_.string() + "/; limit_rate 512k; }";
    auto server = NginxServer::start(options);
    EXPECT_TRUE(server) << server.error();
    if (server) nginx_ = std::move(*server);
  }

  // Starts (or, after stop, restarts) swarmcopyd on socket() with state in state_dir().
  ::testing::AssertionResult start_daemon(std::vector<std::string> extra_args = {}) {
    DaemonOptions options;
    options.socket = socket();
    options.state_dir = state_dir();
    options.log = dir_ / "state.swarmcopyd.log";
    options.home = dir_ / "home";  // HOME, XDG dirs of its own: no user config is read
    // No request rate limit and quick retries.
    options.args = {"--user", "--requests-per-second", "0", "--min-retry-delay-ms", "200"};
    const auto loopback = loopback_daemon_peer_args();
    options.args.insert(options.args.end(), loopback.begin(), loopback.end());
    options.args.insert(options.args.end(), extra_args.begin(), extra_args.end());
    auto daemon = DaemonProcess::start(options);
    if (!daemon) return ::testing::AssertionFailure() << daemon.error();
    daemon_ = std::move(*daemon);
    return ::testing::AssertionSuccess();
  }

  // Puts a file of `size` bytes at docroot/`name`; returns its SHA-256.
  std::string serve(const std::string& name, std::uint64_t size, std::uint64_t seed = 7) {
    auto sha = write_test_file(docroot_ / name, size, seed);
    EXPECT_TRUE(sha) << sha.error();
    return sha.value_or("");
  }
  std::string url(const std::string& path) const { return nginx_ ? nginx_->url(path) : ""; }

  const std::filesystem::path& dir() const { return dir_.path(); }
  const std::filesystem::path& out() const { return out_; }
  std::filesystem::path socket() const { return dir_ / "d.sock"; }
  std::filesystem::path state_dir() const { return dir_ / "state"; }
  DaemonProcess* daemon() { return daemon_.get(); }
  void forget_daemon() { daemon_.reset(); }

 private:
  TestDir dir_;
  std::filesystem::path docroot_;
  std::filesystem::path out_;
  std::unique_ptr<NginxServer> nginx_;
  std::unique_ptr<DaemonProcess> daemon_;
};

}  // namespace swarmcopy::test
