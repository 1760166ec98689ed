// Mirror::State: what the listener and every connection share. The counters are atomics; the
// rest is set before start() and read only afterwards.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <memory>

#include "swarmcopy/registry/blob_source.h"
#include "swarmcopy/registry/mirror.h"
#include "swarmcopy/registry/mirror_options.h"

namespace swarmcopy::registry {

struct Mirror::State {
  State(boost::asio::io_context& io, MirrorOptions options, std::shared_ptr<BlobSource> blobs);
  boost::asio::io_context& io;
  MirrorOptions options;
  std::shared_ptr<BlobSource> blobs;
  boost::asio::ip::tcp::acceptor acceptor;
  // Blob fetches block until the blob is verified: they wait here, not on the I/O threads.
  boost::asio::thread_pool fetchers;
  // The client side of https upstreams (thread-safe: each call makes its own SSL object), and
  // what went wrong making it (listen() then fails with it).
  boost::asio::ssl::context tls;
  std::string tls_error;
  std::atomic<int> connections{0};
  std::atomic<bool> stopped{false};
};

}  // namespace swarmcopy::registry
