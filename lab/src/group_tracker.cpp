#include "group_tracker.h"

#include <fcntl.h>

#include <spdlog/spdlog.h>

#include "stop_signal.h"
#include "swarmcopy/harness/run_command.h"
#include "swarmcopy/peer/session.h"
#include "swarmcopy/util/unique_fd.h"

namespace swarmcopy::lab {

std::expected<std::vector<std::string>, std::string> group_info_hashes(
    const std::string& group_id, const std::filesystem::path& content, const std::string& sha256,
    const std::optional<peer::Metainfo>& published) {
  if (published) {
    return std::vector<std::string>{
        peer::Session::group_announce_info_hash(group_id, published->info_hash_v2)};
  }
  // Nobody published it: the peers meet at the group's rendezvous first, then in the content's
  // provisional swarm (its metainfo follows from the SHA-256 and the size), and once they hold
  // it they announce the swarm of the metainfo they made. Made here from the same bytes, it is
  // the same metainfo.
  util::UniqueFd fd(::open(content.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return std::unexpected("cannot open " + content.string());
  std::error_code error;
  const auto size = std::filesystem::file_size(content, error);
  if (error) return std::unexpected("cannot stat " + content.string() + ": " + error.message());
  auto site = peer::make_site_metainfo(fd.get(), size, sha256);
  if (!site) return std::unexpected(site.error().describe());
  auto provisional = peer::make_provisional_metainfo(sha256, size);
  if (!provisional) return std::unexpected(provisional.error().describe());
  return std::vector<std::string>{
      peer::Session::rendezvous_info_hash(sha256, group_id),
      peer::Session::group_announce_info_hash(group_id, provisional->info_hash_v2),
      peer::Session::group_announce_info_hash(group_id, site->info_hash_v2)};
}

std::expected<harness::TrackerServer, std::string> start_group_tracker(
    harness::NetworkLab& lab, const std::string& group_id, const std::filesystem::path& content,
    const std::string& sha256, const std::optional<peer::Metainfo>& published) {
  auto opentracker = harness::find_program("opentracker");
  if (!opentracker) {
    return std::unexpected("--tracker needs Debian's opentracker (package opentracker): " +
                           opentracker.error().message);
  }
  auto hashes = group_info_hashes(group_id, content, sha256, published);
  if (!hashes) return std::unexpected(hashes.error());
  harness::TrackerOptions options;
  options.opentracker = *opentracker;
  options.ns = "origin";
  options.address = lab.address_of("origin").value();
  options.port = kTrackerPort;
  options.info_hashes = *hashes;
  options.give_up = stop_requested;
  auto tracker = harness::start_tracker_server(lab, options);
  if (!tracker) return std::unexpected(tracker.error().message);
  spdlog::info("opentracker at {} tracks group {}'s {} hash(es)", tracker->announce_url, group_id,
               hashes->size());
  return std::move(*tracker);
}

}  // namespace swarmcopy::lab
