// TransferHooks / TransferSettings: how a file's transfer (over HTTP alone, or through the
// swarm) talks back to the engine, and what of its job it needs to know. Engine thread only.
#pragma once

#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "job_record.h"
#include "swarmcopy/api/credentials.h"
#include "swarmcopy/origin/http_client.h"
#include "swarmcopy/util/byte_budget.h"

namespace swarmcopy::engine {

using FileOutcome = std::expected<void, origin::FetchError>;

struct TransferHooks {
  std::function<void()> data_flowing;              // the first byte of this run arrived
  std::function<void(const FileRecord&)> persist;  // commit this state of the file
  std::function<void(FileOutcome)> done;           // called once, never after stop()
};

struct TransferSettings {
  std::vector<std::string> http_headers;
  std::uint64_t max_bytes_per_second = 0;
  std::uint32_t owner_uid = 0;  // the temporary file is created with these credentials
  std::uint32_t owner_gid = 0;
  bool foreground = false;  // FOREGROUND priority: the origin at once, no delay for peers
  std::optional<std::uint32_t> file_mode;  // JobRecord::file_mode
  // EngineOptions::allow_loopback_origins decided for the job's owner.
  bool allow_local_origin = true;
  // The job's proxy setting as CURLOPT_PROXY / CURLOPT_NOPROXY (proxy_route()).
  std::optional<std::string> proxy;
  std::optional<std::string> no_proxy;
  // The download rate the file draws on (its class's cap, and the job's own within it:
  // BandwidthGovernor), origin and peers together; and the class cap's rule, for `explain`.
  std::shared_ptr<util::ByteBudget> budget;
  std::string download_cap_rule;

  // Fetched with credentials (URL userinfo, a secret query parameter or an access header):
  // private content, never peered, never given to another user from the cache.
  bool sends_credentials(const std::string& url) const {
    return api::sends_credentials(url, http_headers);
  }

  // How every request of the job goes to the origin.
  origin::RequestOptions request_options() const {
    return origin::RequestOptions{
        http_headers, max_bytes_per_second, allow_local_origin, proxy, no_proxy, budget};
  }
};

}  // namespace swarmcopy::engine
