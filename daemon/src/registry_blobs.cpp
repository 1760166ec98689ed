#include "registry_blobs.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <system_error>
#include <thread>

#include "swarmcopy/api/job.h"
#include "swarmcopy/api/manager.h"

namespace swarmcopy::daemon {
namespace {

using namespace std::chrono_literals;

constexpr auto kPollInterval = 100ms;
// A blob job that moves no byte for this long is cancelled and the client gets 502.
constexpr auto kStallTimeout = 120s;
constexpr std::string_view kFilePrefix = "blob-";

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

std::expected<registry::BlobFile, std::string> RegistryBlobs::fetch(
    const registry::BlobFetch& blob, const std::atomic<bool>& stopping) {
  std::shared_ptr<Shared> shared;
  bool leader = false;
  {
    std::lock_guard lock(mutex_);
    auto& slot = fetching_[blob.sha256];
    if (!slot) {
      slot = std::make_shared<Shared>();
      leader = true;
    }
    shared = slot;
  }
  if (!leader) {
    if (auto joined = join(*shared, stopping)) return std::move(*joined);
    spdlog::info("registry mirror: the shared fetch of sha256:{} failed; fetching it again",
                 blob.sha256.substr(0, 12));
    return fetch_alone(blob, stopping);
  }
  auto result = fetch_alone(blob, stopping);
  {
    std::lock_guard lock(mutex_);
    fetching_.erase(blob.sha256);
  }
  std::lock_guard lock(shared->mutex);
  if (result) {
    // Joiners get duplicates of this descriptor; the last one closed frees the bytes.
    const int fd = ::fcntl(result->fd.get(), F_DUPFD_CLOEXEC, 0);
    shared->result = fd >= 0 ? std::expected<registry::BlobFile, std::string>(
                                   registry::BlobFile{util::UniqueFd(fd), result->size})
                             : std::unexpected(std::string("dup failed"));
  } else {
    shared->result = std::unexpected(result.error());
  }
  shared->done = true;
  shared->done_cv.notify_all();
  return result;
}

std::optional<std::expected<registry::BlobFile, std::string>> RegistryBlobs::join(
    Shared& shared, const std::atomic<bool>& stopping) {
  std::unique_lock lock(shared.mutex);
  while (!shared.done) {
    if (stopping) return std::unexpected(std::string("the daemon is stopping"));
    shared.done_cv.wait_for(lock, kPollInterval);
  }
  if (!shared.result) return std::nullopt;
  const int fd = ::fcntl(shared.result->fd.get(), F_DUPFD_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  return registry::BlobFile{util::UniqueFd(fd), shared.result->size};
}

std::expected<registry::BlobFile, std::string> RegistryBlobs::fetch_alone(
    const registry::BlobFetch& blob, const std::atomic<bool>& stopping) {
  auto manager =
      service_->manager_for(engine::Caller{static_cast<std::uint32_t>(::geteuid()),
                                           static_cast<std::uint32_t>(::getegid()), false, 077u});
  const auto path = dir_ / (std::string(kFilePrefix) + std::to_string(::getpid()) + "-" +
                            std::to_string(++next_));
  const auto short_digest = "sha256:" + blob.sha256.substr(0, 12);
  auto created = manager->create_job("registry " + short_digest);
  if (!created) return std::unexpected(created.error().describe());
  auto job = *created;
  const auto give_up = [&](std::string why) {
    (void)job->cancel();
    std::error_code ec;
    std::filesystem::remove(path, ec);
    return std::unexpected(std::move(why));
  };
  api::JobPatch patch;
  // HIGH, not FOREGROUND: a FOREGROUND job waits 500 ms at most for a peer's offer and does
  // not take part in the site's election, so a node whose peer session is still connecting,
  // or a fleet pulling one image at once, would each go to the registry. HIGH waits for the
  // machine elected to fetch it (site_metainfo_wait, 2 s, when nobody holds it) and still runs
  // before NORMAL and LOW jobs.
  patch.priority = api::Priority::kHigh;
  patch.description = "registry mirror: " + blob.repository + "@sha256:" + blob.sha256;
  if (!blob.headers.empty()) patch.http_headers = blob.headers;
  if (auto done = job->update(patch); !done) return give_up(done.error().describe());
  if (auto added = job->add_file({blob.url, path.string(), blob.sha256}); !added) {
    return give_up(added.error().describe());
  }
  if (auto resumed = job->resume(); !resumed) return give_up(resumed.error().describe());
  spdlog::info("registry mirror: job {} fetches {} of {}", job->id().to_string(), short_digest,
               blob.repository);

  std::uint64_t last_bytes = 0;
  auto last_move = std::chrono::steady_clock::now();
  for (;;) {
    if (stopping) return give_up("the daemon is stopping");
    auto info = job->info();
    if (!info) return give_up(info.error().describe());
    if (info->state == api::JobState::kTransferred) break;
    if (!api::is_active(info->state) || info->state == api::JobState::kTransientError) {
      std::string why = "swarmcopyd job " + std::string(api::to_string(info->state));
      if (info->error) why += ": " + info->error->describe();
      return give_up(why);
    }
    const auto now = std::chrono::steady_clock::now();
    if (info->progress.bytes_transferred != last_bytes) {
      last_bytes = info->progress.bytes_transferred;
      last_move = now;
    } else if (now - last_move > kStallTimeout) {
      return give_up("the blob made no progress for 120 s");
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  // Complete renames the verified temporary file to `path` (as BITS does).
  if (auto completed = job->complete(); !completed) return give_up(completed.error().describe());
  util::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  std::error_code ec;
  if (!fd) {
    const std::error_code error(errno, std::generic_category());
    std::filesystem::remove(path, ec);
    return std::unexpected(path.string() + ": " + error.message());
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    std::filesystem::remove(path, ec);
    return std::unexpected(path.string() + ": fstat failed");
  }
  std::filesystem::remove(path, ec);  // the descriptor keeps the bytes until the client has them
  return registry::BlobFile{std::move(fd), static_cast<std::uint64_t>(st.st_size)};
}

}  // namespace swarmcopy::daemon
