// The tracker of a `--tracker` run: Debian's opentracker in the origin's namespace
// (harness::start_tracker_server), whitelisting exactly what mode group's peers announce there.
// Those hashes are the engine's (peer::Session): for a published file, the group's hash of its
// metainfo's v2 info-hash; for content nobody published (--no-publish), the group's rendezvous
// hash of its SHA-256, the group's hash of its provisional swarm (peer::make_provisional_metainfo)
// and the group's hash of the metainfo every machine makes for it (peer::make_site_metainfo, the
// same bytes everywhere). One thread (the lab's).
#pragma once

#include <expected>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "swarmcopy/harness/network_lab.h"
#include "swarmcopy/harness/tracker_server.h"
#include "swarmcopy/peer/metainfo.h"

namespace swarmcopy::lab {

// The port opentracker listens on (TCP and UDP) in namespace "origin".
inline constexpr int kTrackerPort = 6969;

// The info-hashes the group's peers announce for `content` (SHA-256 `sha256`); `published`:
// the origin's metainfo, when it has one.
std::expected<std::vector<std::string>, std::string> group_info_hashes(
    const std::string& group_id, const std::filesystem::path& content, const std::string& sha256,
    const std::optional<peer::Metainfo>& published);

// Starts opentracker in "origin" on its address and kTrackerPort with those hashes listed.
std::expected<harness::TrackerServer, std::string> start_group_tracker(
    harness::NetworkLab& lab, const std::string& group_id, const std::filesystem::path& content,
    const std::string& sha256, const std::optional<peer::Metainfo>& published);

}  // namespace swarmcopy::lab
