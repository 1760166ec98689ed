#include "file_workload.h"

#include <signal.h>

#include <chrono>
#include <fstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "content.h"
#include "group_tracker.h"
#include "origin_log.h"
#include "peer_status.h"
#include "stop_signal.h"
#include "swarmcopy/harness/run_command.h"
#include "swarmcopy/peer/metainfo.h"
#include "units.h"

namespace swarmcopy::lab {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kFileName = "f.bin";

bool has_line(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  return std::getline(in, line) && !in.eof();
}

}  // namespace

std::expected<void, std::string> FileWorkload::prepare(harness::NetworkLab& lab) {
  auto nginx = harness::find_program("nginx");
  if (!nginx) return std::unexpected("nginx is needed for the origin: " + nginx.error().message);
  if (settings_.mode == "curl") {
    auto found = harness::find_program("curl");
    if (!found) return std::unexpected("curl is needed for --mode curl: " + found.error().message);
    curl_ = *found;
  }
  auto liars = LiarCrew::add_namespaces(lab, settings_.liars);
  if (!liars) return std::unexpected(liars.error());
  liars_ = std::move(*liars);
  const std::string origin_address = lab.address_of("origin").value();

  const fs::path docroot = lab.work_dir() / "docroot";
  fs::create_directories(docroot);
  const fs::path content = docroot / kFileName;
  const std::uint32_t piece = piece_size_for(settings_.size);
  spdlog::info("writing and publishing {} ({} pieces of {})", format_bytes(settings_.size),
               (settings_.size + piece - 1) / piece, format_bytes(piece));
  auto written = write_content(content, settings_.size);
  if (!written) return std::unexpected(written.error().message);
  if (!*written) return std::unexpected("stopped");
  auto expected_sha = sha256_of(content);
  if (!expected_sha) return std::unexpected(expected_sha.error().describe());
  expected_sha256_ = *expected_sha;
  std::optional<peer::Metainfo> published;
  if (settings_.publish) {
    auto meta = peer::publish(content, piece);
    if (!meta) return std::unexpected(meta.error().describe());
    published = std::move(*meta);
  }
  if (stop_requested()) return std::unexpected("stopped");

  auto origin = start_static_origin(lab, *nginx, origin_address, docroot);
  if (!origin) return std::unexpected(origin.error());
  origin_ = std::move(*origin);
  if (settings_.tracker) {
    auto tracker =
        start_group_tracker(lab, settings_.group_id, content, expected_sha256_, published);
    if (!tracker) return std::unexpected(tracker.error());
    tracker_ = std::move(*tracker);
  }
  url_ = fmt::format("http://{}:{}/{}", origin_address, kOriginPort, kFileName);
  return liars_->start(lab, expected_sha256_, settings_.size);
}

std::vector<std::string> FileWorkload::content_uris() const {
  return {std::string("/") + kFileName};
}

std::expected<void, std::string> FileWorkload::prepare_round(PeerRun& peer, int round) {
  peer.output =
      round == 1 ? peer.dir / kFileName : peer.dir / fmt::format("round{}", round) / kFileName;
  fs::create_directories(peer.output.parent_path());
  return {};
}

std::vector<std::string> FileWorkload::round_argv(const PeerRun& peer, int /*round*/) const {
  return downloader_argv(settings_, peer, url_, curl_, expected_sha256_,
                         tracker_ ? tracker_->announce_url : std::string());
}

bool FileWorkload::reported(const PeerRun& peer) const {
  // lan and group peers print their JSON line when complete, then seed; the others exit.
  return peering_mode(settings_.mode) && peer.process && has_line(peer.process->stdout_path());
}

void FileWorkload::read_progress(PeerRun& peer, double now_seconds) {
  lab::read_progress(settings_, peer, now_seconds);
}

void FileWorkload::sample_usage(PeerRun& peer) { lab::sample_usage(peer); }

void FileWorkload::read_result(PeerRun& peer) {
  lab::read_result(settings_, peer, expected_sha256_);
}

nlohmann::json FileWorkload::finish(harness::NetworkLab& lab, bool figures) {
  nlohmann::json extra = {{"liars", liars_ ? liars_->stop() : nlohmann::json::array()}};
  if (!figures) return extra;
  // Each peer's home's traffic history over every round; curl keeps none.
  nlohmann::json status = nlohmann::json::object();
  if (settings_.mode != "curl") {
    for (int index = 1; index <= settings_.peers; ++index) {
      const std::string name = fmt::format("peer{}", index);
      status[name] = swarmcopy_status(settings_.swarmcopy, name,
                                      {"--home", (lab.work_dir() / name / "home").string()});
    }
  }
  extra["peer_status"] = std::move(status);
  return extra;
}

fs::path FileWorkload::quit_origin() {
  return origin_ ? quit_nginx(origin_->process, origin_->access_log) : fs::path();
}

}  // namespace swarmcopy::lab
