// JobRecord / FileRecord: the engine's durable view of a job, exactly what the JobStore keeps.
// Owned by the engine thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "range_set.h"
#include "swarmcopy/api/download_mode.h"
#include "swarmcopy/api/error.h"
#include "swarmcopy/api/file_explanation.h"
#include "swarmcopy/api/file_status.h"
#include "swarmcopy/api/job_id.h"
#include "swarmcopy/api/job_state.h"
#include "swarmcopy/api/job_times.h"
#include "swarmcopy/api/notify_flags.h"
#include "swarmcopy/api/proxy_settings.h"

namespace swarmcopy::engine {

struct FileRecord {
  std::uint32_t index = 0;  // position in the job, from 0
  std::string url;
  std::string local_path;
  std::string temp_path;  // beside local_path: ".<name>.<job id>.swarmcopy"
  std::optional<std::string> sha256;
  // The origin's identity of the file, learned on the first request (size unknown = nullopt).
  std::optional<std::uint64_t> size;
  std::string etag;
  std::string last_modified;
  bool accepts_ranges = true;
  bool completed = false;  // every byte on disk, synced and (when asked) hash-checked
  RangeSet verified;       // bytes on disk and synced
  // The most bytes ever verified at once (kept by the engine, not the transfers): only growth
  // beyond it is progress. An origin that ignores Range restarts from byte 0 after each
  // failure, and counting that refetch as progress reset the no-progress clock forever.
  std::uint64_t high_water = 0;
  // Per source, and refetched, as api::FileStatus defines them; counted by count_received
  // (received_bytes.h), which keeps from_origin + from_peers + from_cache == received.total().
  std::uint64_t from_origin = 0;
  std::uint64_t from_peers = 0;
  std::uint64_t from_cache = 0;
  std::uint64_t refetched = 0;
  // Every byte of the file that ever arrived (and was committed), synced or not: a superset of
  // `verified` that a crash does not shrink, so that what arrives again is known as refetched.
  RangeSet received;
  // The swarm (see api::FileStatus): as the caller asked, and as the engine learned.
  std::optional<std::string> metadata_url;
  api::DownloadMode mode = api::DownloadMode::kLan;
  std::string info_hash;  // the metadata's v2 info-hash once fetched; "" without metadata
  std::uint64_t uploaded = 0;
  std::uint32_t peers_seen = 0;
  std::vector<api::PeerTraffic> peers;
  std::optional<std::string> peers_unused_reason;
  // Where the metadata came from: "origin", "peers" (a claim, see swarm/site_rendezvous.h),
  // "made here" (content this machine holds); none: no metadata.
  std::optional<std::string> metadata_source;
  // Why its bytes came from where they came (`job explain`), bounded; kept after completion.
  api::FileExplanation explanation;
  bool operator==(const FileRecord&) const = default;
};

struct JobRecord {
  api::JobId id;
  std::uint32_t owner_uid = 0;
  std::uint32_t owner_gid = 0;
  std::string display_name;
  std::string description;
  api::JobType type = api::JobType::kDownload;
  api::JobState state = api::JobState::kSuspended;
  api::Priority priority = api::Priority::kNormal;
  api::NotifyFlags notify_flags = api::kDefaultNotifyFlags;
  std::chrono::seconds no_progress_timeout{};
  api::JobTimes times;
  std::optional<api::Error> error;
  std::vector<std::string> http_headers;
  std::uint64_t max_bytes_per_second = 0;
  // The mode of files made for the owner: 0666 less the umask the creating client sent (a
  // daemon's job; 0600 when it sent none). nullopt: as this process's umask makes them.
  std::optional<std::uint32_t> file_mode;
  // When the current run of transient errors began (zero: none), and how many retries so far.
  api::Clock::time_point transient_since{};
  std::uint32_t retry_count = 0;
  // The job's own first retry delay (nullopt: the engine's), and its transient errors ever.
  std::optional<std::chrono::milliseconds> min_retry_delay;
  std::uint32_t error_count = 0;
  // SetNotifyCmdLine, and how its last run ended (api::JobInfo::notify_cmd_status).
  std::vector<std::string> notify_cmd;
  std::optional<int> notify_cmd_status;
  // SetProxySettings (the proxy URL as given, credentials included: the store is the engine's
  // private state).
  api::ProxySettings proxy;
  std::vector<FileRecord> files;
  bool operator==(const JobRecord&) const = default;
};

}  // namespace swarmcopy::engine
