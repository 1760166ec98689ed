// Service: one engine shared by many callers — what the daemon owns. Each caller gets its own
// Manager view (manager_for): a job belongs to the uid that created it; other callers neither
// see nor change it (an unknown and a foreign job id get the same kNotFound); an administrator
// view sees and may act on every job. Files of a job are created, replaced and removed with
// its owner's file-system credentials (setfsuid/setfsgid on the engine thread), so the service
// never writes where the owner could not.
//
// Thread-safe. Events of every job reach the observer (set before any job runs) on the
// notification thread, whatever the jobs' notify flags: the daemon streams them to clients.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "swarmcopy/api/cache_admin.h"
#include "swarmcopy/api/error.h"
#include "swarmcopy/api/file_status.h"
#include "swarmcopy/api/job_id.h"
#include "swarmcopy/api/manager.h"
#include "swarmcopy/api/notify_flags.h"
#include "swarmcopy/engine/engine_options.h"

namespace swarmcopy::engine {

// Who is calling: the uid/gid the daemon read with SO_PEERCRED.
struct Caller {
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  bool admin = false;  // sees and acts on every user's jobs (root)
  // The umask for the files of the jobs this caller creates (0666 & ~umask): swarmcopyd passes
  // the client's, or 077 (files 0600) when it sent none. nullopt: as this process's own umask
  // makes them (a program embedding the engine).
  std::optional<std::uint32_t> umask;
};

// One event of one job, as a Callback would receive it.
struct JobEvent {
  enum class Type { kTransferred, kError, kModification, kFileTransferred };
  Type type = Type::kModification;
  api::JobId job;
  std::uint32_t owner_uid = 0;
  api::NotifyFlags notify_flags = api::kDefaultNotifyFlags;  // the job's, for client filtering
  std::optional<api::Error> error;                           // kError
  std::optional<api::FileStatus> file;                       // kFileTransferred
};

using EventObserver = std::function<void(const JobEvent&)>;

// What the engine's network did since it opened, for metrics (counts start at 0 with each
// open_service).
struct NetworkTally {
  // Origin requests that ended (succeeded or failed; cancelled ones are not counted), and the
  // failed ones by class (origin::failure_class: http_4xx, http_5xx, transport, content, ...).
  std::uint64_t origin_requests = 0;
  std::map<std::string, std::uint64_t> origin_failures;
  // Bans: a peer cut off for data that failed a hash check (each time it is), or the supplier
  // of a metainfo claim the content refuted.
  std::uint64_t peers_banned = 0;
};

// How much of a running file a reader may take already (FileReady): the registry mirror
// streams a blob to its client as it arrives.
struct FileReady {
  std::optional<std::uint64_t> size;  // nullopt until the origin or the metadata told it
  // Bytes [0, ready) are in `temp_path`, synced. Not yet checked against the whole file's
  // SHA-256 (that happens when the last byte is in); if the transfer starts over, `ready`
  // shrinks and what was read of it may not be the file.
  std::uint64_t ready = 0;
  std::string temp_path;
  bool completed = false;  // every byte in, checked: the file is `temp_path` until complete()
};

class Service {
 public:
  virtual ~Service() = default;
  // A Manager view for one caller; cheap, any number, valid until shutdown().
  virtual std::shared_ptr<api::Manager> manager_for(const Caller& caller) = 0;
  // Every job's events, for the service's life. Replaces an earlier observer.
  virtual void set_observer(EventObserver observer) = 0;
  // Number of jobs in the store (all users), and of one user's.
  virtual api::Result<std::size_t> job_count(std::optional<std::uint32_t> owner_uid) = 0;
  // True while content no job holds is served to peers for the rest of its seed time (a user
  // daemon that exits when idle waits for it).
  virtual api::Result<bool> seeding() = 0;
  // See NetworkTally. Runs on the engine thread (a scrape waits behind its queue).
  virtual api::Result<NetworkTally> network_tally() = 0;
  // File `index` of job `id` as `caller` may see it (FileReady). Runs on the engine thread.
  virtual api::Result<FileReady> file_ready(const Caller& caller, const api::JobId& id,
                                            std::uint32_t index) = 0;

  // The engine's content cache while it serves jobs, as `caller` sees it (`swarmcopy cache`
  // through the daemon; open_cache_admin cannot open a directory the service holds): every
  // item for an admin or the service's own user, else the caller's own. Calls run on the
  // calling thread, not the engine thread: prune and clear remove files, and jobs must not
  // wait behind that; items pinned by a job or a seeding swarm stay. Who may prune or clear is
  // the daemon's decision. Calls answer kInvalidState when the cache is disabled, kUnavailable
  // after shutdown().
  virtual std::shared_ptr<api::CacheAdmin> cache_admin(const Caller& caller) = 0;

  // Takes the running policy of `options` (copy_running_policy): files that start from now
  // on, and the swarm's upload rule and cap at once. Runs on the engine thread.
  virtual api::Result<void> apply_policy(const EngineOptions& options) = 0;

  // Stops transfers (they sync what they wrote and resume at the next open), delivers queued
  // events, joins threads. Calls on views answer kUnavailable afterwards. Idempotent.
  virtual void shutdown() = 0;
};

// Opens the engine in `state_dir` (locked: one process at a time). Jobs active at the last
// stop resume by themselves.
api::Result<std::shared_ptr<Service>> open_service(const std::filesystem::path& state_dir,
                                                   const EngineOptions& options = {});

}  // namespace swarmcopy::engine
