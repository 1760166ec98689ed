#include "registry_blobs.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <system_error>

#include "swarmcopy/api/job.h"
#include "swarmcopy/api/manager.h"

namespace swarmcopy::daemon {
namespace {

using namespace std::chrono_literals;

constexpr auto kPollInterval = 100ms;
// BlobStream::wait returns after this long even when nothing moved: the mirror's pool threads
// are shared by every client, and one stalled blob must not hold one for minutes.
constexpr auto kLongestWait = 1s;
// Blobs fetched at once, each on a thread of its own that runs until its job ends (a client
// that goes away does not stop it): more would let a client start fetches without bound. The
// next client gets an error (502) and retries, as runtimes do.
constexpr std::size_t kMaxFetches = 32;
// A blob job that moves no byte for this long is cancelled and the client gets 502.
constexpr auto kStallTimeout = 120s;
constexpr std::string_view kFilePrefix = "blob-";

class Stream final : public registry::BlobStream {
 public:
  Stream(std::shared_ptr<RegistryBlobs::Fetch> fetch, util::UniqueFd fd)
      : fetch_(std::move(fetch)), fd_(std::move(fd)) {}

  int fd() const override { return fd_.get(); }

  registry::BlobProgress progress() const override {
    std::lock_guard lock(fetch_->mutex);
    return fetch_->progress;
  }

  registry::BlobProgress wait(std::uint64_t ready, const std::atomic<bool>& stopping) override {
    const auto until = std::chrono::steady_clock::now() + kLongestWait;
    std::unique_lock lock(fetch_->mutex);
    while (!fetch_->done() && fetch_->progress.ready <= ready) {
      if (stopping) {
        registry::BlobProgress stopped = fetch_->progress;
        stopped.error = "the daemon is stopping";
        return stopped;
      }
      if (std::chrono::steady_clock::now() >= until) break;
      fetch_->changed.wait_for(lock, kPollInterval);
    }
    return fetch_->progress;
  }

 private:
  std::shared_ptr<RegistryBlobs::Fetch> fetch_;
  util::UniqueFd fd_;
};

// The same file: the temporary file the engine may have replaced keeps its name, not its inode.
bool same_file(int fd, const std::string& path) {
  struct stat opened {};
  struct stat named {};
  return ::fstat(fd, &opened) == 0 && ::lstat(path.c_str(), &named) == 0 &&
         opened.st_dev == named.st_dev && opened.st_ino == named.st_ino;
}

bool same_inode(int a, int b) {
  struct stat first {};
  struct stat second {};
  return ::fstat(a, &first) == 0 && ::fstat(b, &second) == 0 && first.st_dev == second.st_dev &&
         first.st_ino == second.st_ino;
}

}  // namespace

api::Result<std::shared_ptr<RegistryBlobs>> RegistryBlobs::open(
    std::shared_ptr<engine::Service> service, std::filesystem::path dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (!ec) std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  if (ec) {
    return std::unexpected(api::Error{api::ErrorContext::kLocalFile, api::ErrorKind::kLocalIo,
                                      ec.value(), dir.string() + ": " + ec.message(), "",
                                      api::Protocol::kNone});
  }
  // Files of a run that stopped mid-blob: their jobs are the engine's business, the names ours.
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().filename().string().starts_with(kFilePrefix)) {
      std::filesystem::remove(entry.path(), ec);
    }
  }
  return std::shared_ptr<RegistryBlobs>(new RegistryBlobs(std::move(service), std::move(dir)));
}

RegistryBlobs::RegistryBlobs(std::shared_ptr<engine::Service> service, std::filesystem::path dir)
    : service_(std::move(service)), dir_(std::move(dir)) {}

RegistryBlobs::~RegistryBlobs() {
  stopping_ = true;
  std::vector<Worker> workers;
  {
    std::lock_guard lock(mutex_);
    workers = std::move(workers_);
  }
  workers.clear();  // joins: each fetch sees stopping_ within a poll and cancels its job
}

std::expected<std::shared_ptr<registry::BlobStream>, std::string> RegistryBlobs::open(
    const registry::BlobFetch& blob, const std::atomic<bool>& stopping) {
  // A shared fetch that failed before this client got anything: one fetch of its own.
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto fetch = start(blob);
    if (!fetch) {
      return std::unexpected("too many blobs are being fetched at once (" +
                             std::to_string(kMaxFetches) + "); try again");
    }
    std::unique_lock lock(fetch->mutex);
    while (!fetch->done() && !fetch->fd.valid()) {
      if (stopping) return std::unexpected(std::string("the daemon is stopping"));
      fetch->changed.wait_for(lock, kPollInterval);
    }
    if (fetch->progress.error) {
      if (attempt == 0) continue;
      return std::unexpected(*fetch->progress.error);
    }
    util::UniqueFd fd(::fcntl(fetch->fd.get(), F_DUPFD_CLOEXEC, 0));
    if (!fd.valid()) return std::unexpected(std::string("cannot duplicate the blob's descriptor"));
    return std::make_shared<Stream>(fetch, std::move(fd));
  }
  return std::unexpected(std::string("unreachable"));
}

std::shared_ptr<RegistryBlobs::Fetch> RegistryBlobs::start(const registry::BlobFetch& blob) {
  std::lock_guard lock(mutex_);
  if (auto it = fetching_.find(blob.sha256); it != fetching_.end()) {
    std::lock_guard fetch_lock(it->second->mutex);
    if (!it->second->progress.error) return it->second;
  }
  std::erase_if(workers_, [](const Worker& worker) { return worker.finished->load(); });
  if (workers_.size() >= kMaxFetches) return nullptr;
  auto fetch = std::make_shared<Fetch>();
  fetching_[blob.sha256] = fetch;
  auto finished = std::make_shared<std::atomic<bool>>(false);
  workers_.push_back(Worker{finished, std::jthread([this, blob, fetch, finished] {
                              fetch_job(blob, fetch);
                              {
                                std::lock_guard lock(mutex_);
                                if (auto it = fetching_.find(blob.sha256);
                                    it != fetching_.end() && it->second == fetch) {
                                  fetching_.erase(it);
                                }
                              }
                              *finished = true;
                            })});
  return fetch;
}

void RegistryBlobs::fetch_job(const registry::BlobFetch& blob,
                              const std::shared_ptr<Fetch>& fetch) {
  const engine::Caller caller{static_cast<std::uint32_t>(::geteuid()),
                              static_cast<std::uint32_t>(::getegid()), false, 077u};
  auto manager = service_->manager_for(caller);
  const auto path = dir_ / (std::string(kFilePrefix) + std::to_string(::getpid()) + "-" +
                            std::to_string(++next_));
  const auto short_digest = "sha256:" + blob.sha256.substr(0, 12);
  std::shared_ptr<api::Job> job;
  const auto fail = [&](std::string why) {
    if (job) (void)job->cancel();
    std::error_code ec;
    std::filesystem::remove(path, ec);
    spdlog::warn("registry mirror: {} of {}: {}", short_digest, blob.repository, why);
    std::lock_guard lock(fetch->mutex);
    fetch->progress.error = std::move(why);
    fetch->changed.notify_all();
  };
  auto created = manager->create_job("registry " + short_digest);
  if (!created) return fail(created.error().describe());
  job = *created;
  api::JobPatch patch;
  // HIGH, not FOREGROUND: a FOREGROUND job waits 500 ms at most for a peer's offer, so a node
  // whose peer session is still connecting would miss a holder's offer and fetch the blob in a
  // provisional swarm of its own. HIGH waits for an offer as background jobs do
  // (site_metainfo_wait, 2 s, when nobody holds it) and still runs before NORMAL and LOW jobs.
  patch.priority = api::Priority::kHigh;
  patch.description = "registry mirror: " + blob.repository + "@sha256:" + blob.sha256;
  if (!blob.headers.empty()) patch.http_headers = blob.headers;
  if (auto done = job->update(patch); !done) return fail(done.error().describe());
  if (auto added = job->add_file({blob.url, path.string(), blob.sha256}); !added) {
    return fail(added.error().describe());
  }
  if (auto resumed = job->resume(); !resumed) return fail(resumed.error().describe());
  spdlog::info("registry mirror: job {} fetches {} of {}", job->id().to_string(), short_digest,
               blob.repository);

  std::uint64_t last_bytes = 0;
  auto last_move = std::chrono::steady_clock::now();
  for (;; std::this_thread::sleep_for(kPollInterval)) {
    if (stopping_) return fail("the daemon is stopping");
    auto info = job->info();
    if (!info) return fail(info.error().describe());
    if (info->state != api::JobState::kTransferred &&
        (!api::is_active(info->state) || info->state == api::JobState::kTransientError)) {
      std::string why = "swarmcopyd job " + std::string(api::to_string(info->state));
      if (info->error) why += ": " + info->error->describe();
      return fail(why);
    }
    const auto now = std::chrono::steady_clock::now();
    if (info->progress.bytes_transferred != last_bytes) {
      last_bytes = info->progress.bytes_transferred;
      last_move = now;
    } else if (now - last_move > kStallTimeout) {
      return fail("the blob made no progress for 120 s");
    }
    if (info->state == api::JobState::kTransferred) break;
    auto ready = service_->file_ready(caller, job->id(), 0);
    if (!ready) return fail(ready.error().describe());
    if (!ready->size || ready->temp_path.empty()) continue;
    bool started_over = false;
    {
      std::lock_guard lock(fetch->mutex);
      if (!fetch->fd.valid()) {
        if (ready->ready == 0) continue;  // the file may not be there yet
        fetch->fd = util::UniqueFd(
            ::open(ready->temp_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY));
        if (!fetch->fd.valid()) continue;
        fetch->progress.size = *ready->size;
      }
      if (ready->ready < fetch->progress.ready || !same_file(fetch->fd.get(), ready->temp_path)) {
        started_over = true;
      } else if (ready->ready != fetch->progress.ready) {
        fetch->progress.ready = ready->ready;
        fetch->changed.notify_all();
      }
    }
    if (started_over) return fail("the blob's transfer started over");
  }
  // Complete renames the verified temporary file to `path` (as BITS does): the descriptor
  // opened on it stays good.
  if (auto completed = job->complete(); !completed) return fail(completed.error().describe());
  util::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY));
  struct stat st {};
  if (!fd.valid() || ::fstat(fd.get(), &st) != 0) {
    const std::error_code error(errno, std::generic_category());
    return fail(path.string() + ": " + error.message());
  }
  std::error_code ec;
  std::filesystem::remove(path, ec);  // the descriptors keep the bytes until the clients have them
  std::unique_lock lock(fetch->mutex);
  if (fetch->fd.valid() && !same_inode(fetch->fd.get(), fd.get())) {
    lock.unlock();
    return fail("the verified blob is not the file that was streamed");
  }
  if (!fetch->fd.valid()) fetch->fd = std::move(fd);
  fetch->progress.size = static_cast<std::uint64_t>(st.st_size);
  fetch->progress.ready = fetch->progress.size;
  fetch->progress.verified = true;
  fetch->changed.notify_all();
}

}  // namespace swarmcopy::daemon
