// Mirror: the pull-through mirror of the OCI distribution API (README.md). It listens on TCP,
// parses each request strictly (parse_oci_target), passes manifests, tags, referrers, the /v2/
// ping and every error through to the upstream untouched (status, headers, body), and serves
// GET of a sha256 blob from the BlobSource (the swarm). Push is refused (405).
//
// Accepting, reading and writing run on the given io_context; blob fetches on the mirror's own
// pool. listen/start/stop from one thread (the daemon's main thread); stop is idempotent and
// makes waiting fetches give up.
#pragma once

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <expected>
#include <memory>
#include <string>

#include "swarmcopy/registry/blob_source.h"
#include "swarmcopy/registry/mirror_options.h"

namespace swarmcopy::registry {

class Mirror {
 public:
  Mirror(boost::asio::io_context& io, MirrorOptions options, std::shared_ptr<BlobSource> blobs);
  ~Mirror();
  Mirror(const Mirror&) = delete;
  Mirror& operator=(const Mirror&) = delete;

  // Binds `address` (an IP literal) and `port` (SO_REUSEADDR); the error names them.
  std::expected<void, std::string> listen(const std::string& address, std::uint16_t port);
  void start();
  void stop();
  std::uint16_t port() const;

  struct State;  // shared with the connections; defined in mirror_state.h

 private:
  std::shared_ptr<State> state_;
};

}  // namespace swarmcopy::registry
