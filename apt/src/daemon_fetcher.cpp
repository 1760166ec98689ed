#include "swarmcopy/apt/daemon_fetcher.h"

#include <unistd.h>

#include <filesystem>
#include <system_error>

#include "swarmcopy/api/job.h"
#include "swarmcopy/api/manager.h"
#include "swarmcopy/client/connect_options.h"
#include "swarmcopy/client/default_sockets.h"
#include "swarmcopy/client/remote_manager.h"

namespace swarmcopy::apt {
namespace {

using namespace std::chrono_literals;

constexpr auto kPollInterval = 200ms;

std::string printable_name(const std::string& text) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 32 && u != 127) out += c;
  }
  if (out.size() > 200) out.resize(200);
  return out;
}

}  // namespace

DaemonFetcher::DaemonFetcher(const MethodConfig& config, Log log)
    : config_(config), log_(std::move(log)) {}

DaemonFetcher::~DaemonFetcher() = default;

bool DaemonFetcher::wants(const AcquireRequest& request) const {
  if (!config_.use_daemon || unreachable_ || request.index_file || !request.expected_sha256) {
    return false;
  }
  const auto size = request.expected_size.value_or(request.maximum_size);
  return size > 0 && size >= config_.min_peer_file_size;
}

std::expected<FetchResult, std::string> DaemonFetcher::fetch(const AcquireRequest& request,
                                                             const OnStart& on_start,
                                                             const OnProgress& on_progress,
                                                             const Wait& wait) {
  const auto socket = config_.socket.empty() ? client::system_socket_path() : config_.socket;
  if (!manager_) {
    client::ConnectOptions options;
    options.call_timeout = config_.daemon_timeout;
    auto manager = client::connect(socket, options);
    if (!manager) {
      unreachable_ = true;
      return std::unexpected(manager.error().describe());
    }
    manager_ = std::move(*manager);
  }
  // Cancels the job (when there is one and the daemon answers) and says why.
  const auto give_up = [&](const std::shared_ptr<api::Job>& job, std::string why) {
    if (job && !unreachable_) (void)job->cancel();
    return std::unexpected(std::move(why));
  };
  const auto call_failed = [&](const std::shared_ptr<api::Job>& job, const api::Error& error) {
    if (error.kind == api::ErrorKind::kUnavailable) unreachable_ = true;
    return give_up(job, error.describe());
  };

  auto created = manager_->create_job(
      "apt " + printable_name(std::filesystem::path(request.filename).filename().string()));
  if (!created) return call_failed(nullptr, created.error());
  auto job = *created;
  // apt's partial file is ours to replace; the daemon writes a new one beside it and renames.
  std::error_code ec;
  std::filesystem::remove(request.filename, ec);
  api::JobPatch patch;
  patch.priority = api::Priority::kForeground;
  patch.description = "apt: " + printable_name(request.uri);
  // apt's proxy for this URL is the job's too (none configured: the daemon's own).
  if (auto proxy = proxy_for(config_, request.url, request.proxy)) {
    api::ProxySettings settings;
    settings.usage = proxy->empty() ? api::ProxyUsage::kNone : api::ProxyUsage::kOverride;
    settings.proxy = *proxy;
    patch.proxy = settings;
  }
  if (auto done = job->update(patch); !done) return call_failed(job, done.error());
  if (auto added = job->add_file({request.url, request.filename, request.expected_sha256});
      !added) {
    return call_failed(job, added.error());
  }
  if (auto resumed = job->resume(); !resumed) return call_failed(job, resumed.error());
  log_("swarmcopyd job " + job->id().to_string() + " for " + request.url);
  on_start(request.expected_size);

  std::uint64_t last_bytes = 0;
  auto last_move = std::chrono::steady_clock::now();
  while (true) {
    auto info = job->info();
    if (!info) return call_failed(job, info.error());
    if (info->state == api::JobState::kTransferred) break;
    if (!api::is_active(info->state) || info->state == api::JobState::kTransientError) {
      std::string why = "swarmcopyd job " + std::string(api::to_string(info->state));
      if (info->error) why += ": " + info->error->describe();
      return give_up(job, why);
    }
    const auto now = std::chrono::steady_clock::now();
    if (info->progress.bytes_transferred != last_bytes) {
      last_bytes = info->progress.bytes_transferred;
      last_move = now;
      on_progress(last_bytes);
    } else if (now - last_move > config_.stall_timeout) {
      return give_up(job, "swarmcopyd job made no progress for " +
                              std::to_string(config_.stall_timeout.count()) + " s");
    }
    if (!wait(kPollInterval)) return give_up(job, "apt went away");
  }
  if (auto completed = job->complete(); !completed) return call_failed(job, completed.error());
  auto hashes = hash_file(request.filename);
  if (!hashes) return std::unexpected(hashes.error());
  FetchResult result;
  result.hashes = std::move(*hashes);
  return result;
}

}  // namespace swarmcopy::apt
