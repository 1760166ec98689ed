// RemoteContext: what a RemoteManager and all its Job handles share: the daemon calls (the
// connection pool), the callbacks and their event thread, and whether the manager is closed
// (then every call answers kUnavailable, as the embedded engine's handles do after their
// manager is gone). Thread-safe.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "daemon_rpc.h"
#include "notifications.h"
#include "swarmcopy/api/job_id.h"
#include "swarmcopy/api/job_info.h"
#include "swarmcopy/client/connect_options.h"

namespace swarmcopy::client {

class RemoteContext : public std::enable_shared_from_this<RemoteContext> {
 public:
  static std::shared_ptr<RemoteContext> create(const std::filesystem::path& socket,
                                               const ConnectOptions& options);
  RemoteContext(const RemoteContext&) = delete;
  RemoteContext& operator=(const RemoteContext&) = delete;

  api::Result<nlohmann::json> call(HttpRequest::Method method, const std::string& target,
                                   const std::optional<nlohmann::json>& body = std::nullopt);
  // GET /v1/jobs/{id}, decoded.
  api::Result<api::JobInfo> job_info(const api::JobId& id);

  Notifications& notifications() { return *notifications_; }
  bool all_users() const { return options_.all_users; }
  const std::filesystem::path& socket() const { return rpc_->socket(); }

  // Ends the threads; calls answer kUnavailable from now on. Idempotent.
  void close();

 private:
  RemoteContext(const std::filesystem::path& socket, const ConnectOptions& options);

  const ConnectOptions options_;
  std::shared_ptr<DaemonRpc> rpc_;
  std::unique_ptr<Notifications> notifications_;
  std::atomic<bool> closed_{false};
};

// "/v1/jobs/{id}" + suffix.
std::string job_target(const api::JobId& id, const std::string& suffix = {});

// The error for an answer this client cannot read (a daemon of another version, or a bug).
api::Error bad_answer(const std::filesystem::path& socket, const std::string& why);

}  // namespace swarmcopy::client
