#include "swarmcopy/client/remote_manager.h"

#include <charconv>
#include <fstream>
#include <optional>
#include <string>

#include "remote_context.h"
#include "remote_job.h"
#include "swarmcopy/client/daemon_status.h"
#include "swarmcopy/ipc/codec.h"

namespace swarmcopy::client {
namespace {

using Method = HttpRequest::Method;

// This process's umask, from /proc/self/status ("Umask:\t0022"): umask() itself can only be
// read by setting it, which races with other threads creating files. nullopt when unreadable
// (the daemon then makes the files 0600).
std::optional<std::uint32_t> process_umask() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Umask:", 0) != 0) continue;
    const auto digits = line.find_first_not_of(" \t", 6);
    if (digits == std::string::npos) return std::nullopt;
    std::uint32_t umask = 0;
    const auto [end, error] =
        std::from_chars(line.data() + digits, line.data() + line.size(), umask, 8);
    if (error != std::errc{}) return std::nullopt;
    return umask & 0777;
  }
  return std::nullopt;
}

// The daemon's Manager: owns the context's life. Its destructor ends the event and
// notification threads; Job handles that outlive it answer kUnavailable (as the engine's).
class RemoteManager final : public api::Manager {
 public:
  explicit RemoteManager(std::shared_ptr<RemoteContext> context) : context_(std::move(context)) {}
  ~RemoteManager() override { context_->close(); }

  api::Result<std::shared_ptr<api::Job>> create_job(const std::string& display_name,
                                                    api::JobType type) override {
    nlohmann::json body{{"name", display_name}, {"type", api::to_string(type)}};
    // The daemon writes the job's files; it cannot see this process's umask, so it is sent.
    if (auto umask = process_umask()) body["umask"] = *umask;
    auto answer = context_->call(Method::kPost, "/v1/jobs", body);
    if (!answer) return std::unexpected(answer.error());
    auto id = id_of(*answer);
    if (!id) return std::unexpected(id.error());
    return std::make_shared<RemoteJob>(context_, *id);
  }

  api::Result<std::shared_ptr<api::Job>> get_job(const api::JobId& id) override {
    auto answer = context_->call(Method::kGet, job_target(id));
    if (!answer) return std::unexpected(answer.error());
    return std::make_shared<RemoteJob>(context_, id);
  }

  api::Result<std::vector<std::shared_ptr<api::Job>>> jobs() override {
    auto answer = list();
    if (!answer) return std::unexpected(answer.error());
    std::vector<std::shared_ptr<api::Job>> handles;
    for (const auto& job : (*answer)["jobs"]) {
      auto id = id_of(job);
      if (!id) return std::unexpected(id.error());
      handles.push_back(std::make_shared<RemoteJob>(context_, *id));
    }
    return handles;
  }

  api::Result<std::vector<api::JobInfo>> job_infos() override {
    auto answer = list();
    if (!answer) return std::unexpected(answer.error());
    std::vector<api::JobInfo> infos;
    infos.reserve((*answer)["jobs"].size());
    for (const auto& job : (*answer)["jobs"]) {
      auto info = ipc::job_info_from_json(job);
      if (!info) return std::unexpected(bad_answer(context_->socket(), info.error().message));
      infos.push_back(std::move(*info));
    }
    return infos;
  }

 private:
  // GET /v1/jobs: {"jobs": [Job, ...]}, checked for that shape.
  api::Result<nlohmann::json> list() {
    auto answer =
        context_->call(Method::kGet, context_->all_users() ? "/v1/jobs?all=1" : "/v1/jobs");
    if (!answer) return answer;
    if (!answer->is_object() || !answer->contains("jobs") || !(*answer)["jobs"].is_array()) {
      return std::unexpected(bad_answer(context_->socket(), "GET /v1/jobs: no \"jobs\" array"));
    }
    return answer;
  }

  api::Result<api::JobId> id_of(const nlohmann::json& job) {
    if (job.is_object() && job.contains("id") && job["id"].is_string()) {
      if (auto id = api::JobId::parse(job["id"].get<std::string>())) return *id;
    }
    return std::unexpected(bad_answer(context_->socket(), "a job without a valid \"id\""));
  }

  std::shared_ptr<RemoteContext> context_;
};

}  // namespace

api::Result<std::shared_ptr<api::Manager>> connect(const std::filesystem::path& socket) {
  return connect(socket, ConnectOptions{});
}

api::Result<std::shared_ptr<api::Manager>> connect(const std::filesystem::path& socket,
                                                   const ConnectOptions& options) {
  // A manager that cannot reach its daemon is useless: say so now, as open_local says when
  // it cannot open its directory.
  auto status = daemon_status(socket, options.call_timeout);
  if (!status) return std::unexpected(status.error());
  if (status->api != 1) {
    return api::fail(
        api::ErrorContext::kGeneralQueueManager, api::ErrorKind::kUnavailable,
        "swarmcopyd speaks API version " + std::to_string(status->api) + ", this client version 1",
        0, socket.string(), api::Protocol::kLocal);
  }
  return std::make_shared<RemoteManager>(RemoteContext::create(socket, options));
}

}  // namespace swarmcopy::client
