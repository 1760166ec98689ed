#include "home_history.h"

#include <spdlog/spdlog.h>

#include <memory>
#include <system_error>

#include "swarmcopy/engine/service.h"
#include "swarmcopy/metrics/metrics.h"
#include "swarmcopy/metrics/metrics_store.h"
#include "swarmcopy/metrics/traffic_json.h"

namespace swarmcopy::cli {
namespace {

std::filesystem::path history_file(const std::filesystem::path& home) {
  return home / "metrics.sqlite";  // where swarmcopyd keeps it in its state directory
}

api::Result<std::unique_ptr<metrics::Metrics>> open_history(const std::filesystem::path& home) {
  auto store = metrics::MetricsStore::open(history_file(home));
  if (!store) return std::unexpected(store.error());
  return metrics::Metrics::open(std::make_unique<metrics::MetricsStore>(std::move(*store)));
}

}  // namespace

void record_in_home_history(const std::filesystem::path& home, const api::JobInfo& info) {
  auto history = open_history(home);
  if (history) {
    engine::JobEvent event;
    event.job = info.id;
    if (info.state == api::JobState::kError && info.error) {
      event.type = engine::JobEvent::Type::kError;
      event.error = info.error;
      (*history)->on_event(event);
    } else {
      event.type = engine::JobEvent::Type::kFileTransferred;
      for (const auto& file : info.files) {
        if (!file.completed) continue;
        event.file = file;
        (*history)->on_event(event);
      }
    }
    auto saved = (*history)->checkpoint();
    if (saved) return;
    history = std::unexpected(saved.error());
  }
  spdlog::warn("not added to the traffic history in {}: {}", home.string(),
               history.error().describe());
}

api::Result<nlohmann::json> home_traffic(const std::filesystem::path& home, int days) {
  std::error_code error;
  if (!std::filesystem::is_directory(home, error)) {
    return api::fail(api::ErrorContext::kLocalFile, api::ErrorKind::kInvalidArgument,
                     home.string() + ": no such home (not a directory)");
  }
  // Never through a link, nor into a FIFO or device someone put there (root may read the
  // home of a user, who owns what lies in it).
  const auto kind = std::filesystem::symlink_status(history_file(home), error).type();
  if (kind == std::filesystem::file_type::not_found) {
    auto empty = metrics::Metrics::open(nullptr);
    if (!empty) return std::unexpected(empty.error());
    return metrics::traffic_json(**empty, days);
  }
  if (kind != std::filesystem::file_type::regular) {
    return api::fail(api::ErrorContext::kLocalFile, api::ErrorKind::kInvalidArgument,
                     history_file(home).string() + ": not a regular file");
  }
  auto history = open_history(home);
  if (!history) return std::unexpected(history.error());
  return metrics::traffic_json(**history, days);
}

}  // namespace swarmcopy::cli
