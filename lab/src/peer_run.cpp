#include "peer_run.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <system_error>

#include <spdlog/spdlog.h>

#include "content.h"
#include "proc_stats.h"

namespace swarmcopy::lab {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string read_from(const fs::path& path, std::size_t offset) {
  std::ifstream in(path, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

void add_point(PeerRun& peer, double seconds, std::uint64_t bytes) {
  if (!peer.timeline.empty() && peer.timeline.back().bytes >= bytes) return;
  peer.timeline.push_back({seconds, bytes});
  peer.bytes = bytes;
}

std::vector<std::string> downloader_argv(const RunSettings& settings, const PeerRun& peer,
                                         const std::string& url, const std::string& curl,
                                         const std::string& sha256,
                                         const std::string& tracker_url) {
  if (settings.mode == "curl") return {curl, "-s", "-o", peer.output.string(), url};
  std::vector<std::string> argv = {settings.swarmcopy.string(),
                                   "get",
                                   url,
                                   "-o",
                                   peer.output.string(),
                                   "--home",
                                   (peer.dir / "home").string(),
                                   "--mode",
                                   settings.mode,
                                   "--priority",
                                   settings.priority,
                                   "--json",
                                   "--json-progress",
                                   "-q"};
  argv.insert(argv.end(), settings.peer_args.begin(), settings.peer_args.end());
  if (!settings.publish) argv.insert(argv.end(), {"--sha256", sha256});
  if (settings.mode == "group") {
    argv.insert(argv.end(), {"--group-id", settings.group_id, "--tracker", tracker_url});
  }
  if (peering_mode(settings.mode)) {
    // Seeds after its download until the lab stops it: longer than a round may last.
    argv.insert(argv.end(),
                {"--listen", "0", "--seed-time", std::to_string(settings.timeout.count() + 120)});
  }
  return argv;
}

void read_progress(const RunSettings& settings, PeerRun& peer, double now_seconds) {
  if (!peer.process) return;
  if (settings.mode == "curl") {
    std::error_code error;
    const auto size = fs::file_size(peer.output, error);
    if (!error) add_point(peer, now_seconds, size);
    return;
  }
  const std::string text = read_from(peer.process->stderr_path(), peer.stderr_consumed);
  // Whole lines only: the last one may still be being written.
  for (std::size_t at = 0, end; (end = text.find('\n', at)) != std::string::npos; at = end + 1) {
    peer.stderr_consumed += end + 1 - at;
    const std::string_view line(text.data() + at, end - at);
    if (!line.starts_with("{\"progress\"")) continue;
    const auto parsed = json::parse(line, nullptr, false);
    if (parsed.is_discarded()) continue;
    const auto& progress = parsed["progress"];
    peer.from_origin = progress.value("from_origin", peer.from_origin);
    peer.from_peers = progress.value("from_peers", peer.from_peers);
    peer.from_cache = progress.value("from_cache", peer.from_cache);
    peer.uploaded = progress.value("uploaded", peer.uploaded);
    add_point(peer, peer.start_offset + progress.value("seconds", 0.0),
              progress.value("bytes", std::uint64_t{0}));
  }
}

void sample_usage(PeerRun& peer) {
  if (!peer.process) return;
  const pid_t pid = peer.process->pid();
  if (auto rss = peak_rss_of(pid)) peer.max_rss = std::max(peer.max_rss, *rss);
  if (auto cpu = cpu_seconds_of(pid)) peer.cpu_seconds = std::max(peer.cpu_seconds, *cpu);
}

void read_result(const RunSettings& settings, PeerRun& peer, const std::string& expected_sha256) {
  if (settings.mode == "curl") {
    std::error_code error;
    const auto size = fs::file_size(peer.output, error);
    peer.from_origin = error ? 0 : size;
  } else if (peer.process && !peer.killed) {
    const std::string out = read_from(peer.process->stdout_path(), 0);
    auto result = json::parse(out.substr(0, out.find('\n')), nullptr, false);
    if (result.is_object()) {
      peer.from_origin = result.value("from_origin", std::uint64_t{0});
      peer.from_peers = result.value("from_peers", std::uint64_t{0});
      peer.from_cache = result.value("from_cache", std::uint64_t{0});
      peer.uploaded = std::max(peer.uploaded, result.value("uploaded", std::uint64_t{0}));
      for (const auto& source : result.value("peers", json::array())) {
        const std::string addr = source.value("addr", "");
        peer.downloaded_from.emplace_back(addr.substr(0, addr.rfind(':')),
                                          source.value("bytes_down", std::uint64_t{0}));
      }
      if (result.value("state", "") != "ACKNOWLEDGED") {
        peer.error = result.contains("error") ? result["error"].dump() : "no success";
      }
    } else {
      peer.error = "no JSON result";
    }
    if (!peer.error.empty()) {
      spdlog::warn("{}: {}; its log: {}", peer.name, peer.error,
                   peer.process->stderr_path().string());
    }
  }
  if (!fs::exists(peer.output)) {
    peer.file_state = "absent";
  } else {
    auto sha = sha256_of(peer.output);
    peer.file_state = sha && *sha == expected_sha256 ? "ok" : "wrong";
  }
  // A killed swarmcopy peer must not leave a partial file at its destination (a killed curl
  // does: that is the baseline); anyone else must have the file.
  if (peer.file_state != "ok" && !(peer.killed && settings.mode == "curl")) {
    if (!(peer.killed && peer.file_state == "absent")) {
      spdlog::warn("{}: destination {} is {}", peer.name, peer.output.string(), peer.file_state);
    }
  }
}

}  // namespace swarmcopy::lab
