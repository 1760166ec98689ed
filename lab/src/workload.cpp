#include "workload.h"

#include <signal.h>

#include <chrono>
#include <fstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "apt_workload.h"
#include "file_workload.h"
#include "oci_workload.h"
#include "origin_log.h"
#include "stop_signal.h"

namespace swarmcopy::lab {

std::expected<harness::OriginServer, std::string> start_static_origin(
    harness::NetworkLab& lab, const std::string& nginx, const std::string& address,
    const std::filesystem::path& docroot) {
  harness::OriginOptions options;
  options.nginx = nginx;
  options.ns = "origin";
  options.address = address;
  options.port = kOriginPort;
  options.docroot = docroot;
  options.log_format = kOriginLogFormat;
  options.give_up = stop_requested;
  auto origin = harness::start_origin_server(lab, options);
  if (!origin) return std::unexpected(origin.error().message);
  return std::move(*origin);
}

std::filesystem::path quit_nginx(harness::LabProcess& nginx,
                                 const std::filesystem::path& access_log) {
  nginx.kill(SIGQUIT);
  if (auto code = nginx.wait(std::chrono::seconds(15)); !code || !*code) {
    spdlog::warn("nginx did not quit within 15 s: its log may lack the last requests");
  }
  return access_log;
}

std::string exit_error(PeerRun& peer, const std::string& program) {
  std::optional<int> exit_code;
  if (peer.process) {
    if (auto code = peer.process->wait(std::chrono::milliseconds(0))) exit_code = *code;
  }
  if (!exit_code) return program + " did not end";
  if (*exit_code == 0) return {};
  return fmt::format("{} exited {}: {}", program, *exit_code,
                     last_line_of(peer.process->stderr_path()));
}

std::string last_line_of(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line)) {
    if (!line.empty()) last = line;
  }
  return last;
}

// Each peer is a machine of its own, so it has a user state directory of its own. The peers
// are one user's programs on one host, and a user's homes share their caches
// (util::user_cache_list_dir under XDG_STATE_HOME): sharing one, each peer would take the file
// from another's cache instead of over the lab's network.
harness::RunOptions Workload::round_options(const PeerRun& peer) const {
  harness::RunOptions options;
  options.env = {{"XDG_STATE_HOME", (peer.dir / "state").string()}};
  return options;
}

std::unique_ptr<Workload> make_workload(const RunSettings& settings) {
  if (settings.workload == "apt") return std::make_unique<AptWorkload>(settings);
  if (settings.workload == "oci") return std::make_unique<OciWorkload>(settings);
  return std::make_unique<FileWorkload>(settings);
}

}  // namespace swarmcopy::lab
