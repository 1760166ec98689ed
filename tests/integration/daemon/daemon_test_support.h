// Helpers shared by the daemon's integration tests: the standard daemon options for a test
// directory, JSON bodies, and a bounded poll of a job until a condition holds (wait_until: a
// short poll interval under a deadline, no fixed sleeps).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/daemon_process.h"
#include "http_connection.h"
#include "loopback/loopback_peers.h"
#include "wait/wait_until.h"

namespace swarmcopy::test {

// A daemon in `dir`: socket dir/d.sock, state dir/state, log dir/daemon.log, short retry and
// checkpoint intervals, no request rate limit unless `args` sets one, every user's jobs may
// fetch from loopback (the tests' origins are there; daemon_security_test checks the default),
// and its peers on loopback (loopback_peers.h; `args` may name others).
inline DaemonOptions daemon_options(const std::filesystem::path& dir,
                                    std::vector<std::string> args = {}) {
  DaemonOptions options;
  options.socket = dir / "d.sock";
  options.state_dir = dir / "state";
  options.log = dir / "daemon.log";
  options.args = {"--min-retry-delay-ms",
                  "100",
                  "--checkpoint-interval-ms",
                  "100",
                  "--requests-per-second",
                  "0",
                  "--log-level",
                  "debug",
                  "--allow-loopback-origins",
                  "all"};
  const auto loopback = loopback_daemon_peer_args();
  options.args.insert(options.args.end(), loopback.begin(), loopback.end());
  options.args.insert(options.args.end(), args.begin(), args.end());
  return options;
}

inline std::string files_body(const std::vector<std::pair<std::string, std::string>>& files) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [url, path] : files) list.push_back({{"url", url}, {"path", path}});
  return nlohmann::json{{"files", list}}.dump();
}

// POST /v1/jobs; the new job's id, or "" (with the answer in `failure`).
inline std::string create_job(const std::filesystem::path& socket, const std::string& name,
                              std::optional<Identity> as = {}, std::string* failure = nullptr) {
  auto response =
      http_request(socket, "POST", "/v1/jobs", nlohmann::json{{"name", name}}.dump(), as);
  if (!response || response->status != 201) {
    if (failure) *failure = response ? response->body : response.error();
    return "";
  }
  return response->json().value("id", "");
}

// Polls GET /v1/jobs/{id} every 50 ms until `done(job)` or the deadline; the last job seen
// (null when none could be read).
inline nlohmann::json wait_job(const std::filesystem::path& socket, const std::string& id,
                               const std::function<bool(const nlohmann::json&)>& done,
                               std::chrono::milliseconds timeout = std::chrono::seconds(60),
                               std::optional<Identity> as = {}) {
  nlohmann::json last;
  wait_until(
      [&] {
        auto response = http_request(socket, "GET", "/v1/jobs/" + id, {}, as);
        if (!response || response->status != 200) return false;
        last = response->json();
        return done(last);
      },
      timeout, std::chrono::milliseconds(50));
  return last;
}

inline std::function<bool(const nlohmann::json&)> in_state(std::string state) {
  return [state](const nlohmann::json& job) { return job.value("state", "") == state; };
}

}  // namespace swarmcopy::test
