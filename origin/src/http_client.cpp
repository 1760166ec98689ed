#include "swarmcopy/origin/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cassert>
#include <chrono>
#include <unordered_map>
#include <utility>
#include <vector>

#include "curl_global.h"
#include "curl_multi_driver.h"
#include "failure_classifier.h"
#include "transfer.h"

namespace swarmcopy::engine::origin {

struct HttpClient::Impl {
  struct Entry {
    std::unique_ptr<Transfer> transfer;
    ProbeDone probe_done;  // set for probes
    OnDone on_done;        // set for fetches
    bool started = false;  // added to the multi handle
    // Set while the transfer waits out its budget's debt, paused (resume_later).
    std::unique_ptr<boost::asio::steady_timer> resume_timer;
  };

  Impl(boost::asio::io_context& io_context, Options client_options)
      : io(io_context),
        options(std::move(client_options)),
        driver(
            io, [this](CURL* easy, CURLcode result) { complete(easy, result); },
            [this] { apply_deferred(); }) {}

  ~Impl() {
    assert(!driver.inside_curl() && "HttpClient destroyed inside OnData");
    // No callback runs from here on: remove every handle, then the driver closes the
    // connection cache. Transfers (their easy handles) go with `entries`.
    for (auto& [id, entry] : entries) {
      if (entry.started) driver.remove(entry.transfer->easy());
    }
    entries.clear();
  }

  RequestId submit(std::unique_ptr<Transfer> transfer, ProbeDone probe_done, OnDone on_done) {
    const RequestId id = transfer->id();
    auto configured = transfer->configure(options);
    entries.emplace(
        id, Entry{std::move(transfer), std::move(probe_done), std::move(on_done), false, nullptr});
    if (!configured) {
      fail_later(id, std::move(configured.error()));
    } else if (driver.inside_curl()) {
      deferred_adds.push_back(id);  // curl_multi_add_handle is not allowed inside curl
    } else {
      start(id);
    }
    return id;
  }

  void start(RequestId id) {
    const auto it = entries.find(id);
    if (it == entries.end() || it->second.started) return;
    const CURLMcode code = driver.add(it->second.transfer->easy());
    if (code != CURLM_OK) {
      fail_later(
          id, make_failure(api::ErrorContext::kGeneralTransport, api::ErrorKind::kTransport, false,
                           std::string("curl_multi_add_handle: ") + curl_multi_strerror(code),
                           it->second.transfer->url(), static_cast<int>(code)));
      return;
    }
    it->second.started = true;
    it->second.transfer->started(std::chrono::steady_clock::now());
    arm_watchdog();
  }

  // curl's low-speed check averages over its last ~5 s, so a transfer that stalls after a
  // burst is noticed only ~5 s late. This watchdog notices "nothing for stall_timeout" itself;
  // it ticks only while requests exist.
  void arm_watchdog() {
    if (watchdog_armed || entries.empty()) return;
    watchdog_armed = true;
    const auto tick = std::clamp<std::chrono::steady_clock::duration>(
        options.stall_timeout / 4, std::chrono::milliseconds(100), std::chrono::seconds(1));
    watchdog.expires_after(tick);
    watchdog.async_wait(
        [this, alive = std::weak_ptr<char>(alive_token)](const boost::system::error_code& ec) {
          if (ec || alive.expired()) return;
          watchdog_armed = false;
          fail_stalled();
          if (!alive.expired()) arm_watchdog();
        });
  }

  // An idle client leaves no work in the io_context (so io_context::run() can return).
  void disarm_watchdog_if_idle() {
    if (!entries.empty() || !watchdog_armed) return;
    watchdog_armed = false;
    watchdog.cancel();
  }

  void fail_stalled() {
    const auto now = std::chrono::steady_clock::now();
    std::vector<RequestId> stalled;
    for (const auto& [id, entry] : entries) {
      if (entry.started && !entry.transfer->cancelled() &&
          entry.transfer->stalled(now, options.stall_timeout)) {
        stalled.push_back(id);
      }
    }
    const std::weak_ptr<char> alive = alive_token;
    for (const RequestId id : stalled) {
      auto node = entries.extract(id);  // a callback before may have cancelled it
      if (node.empty()) continue;
      driver.remove(node.mapped().transfer->easy());
      disarm_watchdog_if_idle();
      deliver(node.mapped(),
              std::unexpected(node.mapped().transfer->stall_failure(options.stall_timeout)));
      if (alive.expired()) return;
    }
  }

  // A request that could not even start still reports through its callback, but never from
  // inside probe()/fetch(): the caller may not be ready for a callback yet.
  void fail_later(RequestId id, FetchError error) {
    boost::asio::post(io, [this, alive = std::weak_ptr<char>(alive_token), id,
                           error = std::move(error)]() mutable {
      if (alive.expired()) return;
      auto node = entries.extract(id);
      if (node.empty()) return;  // cancelled meanwhile
      disarm_watchdog_if_idle();
      deliver(node.mapped(), std::unexpected(std::move(error)));
    });
  }

  void cancel(RequestId id) {
    const auto it = entries.find(id);
    if (it == entries.end() || it->second.transfer->cancelled()) return;
    it->second.transfer->cancel();
    if (driver.inside_curl()) {
      // Inside curl's callbacks (on_data): curl_multi_remove_handle would be refused. The
      // transfer stays alive, silent, until the action returns.
      deferred_removals.push_back(id);
      return;
    }
    if (it->second.started) driver.remove(it->second.transfer->easy());
    entries.erase(it);
    disarm_watchdog_if_idle();
  }

  void apply_deferred() {
    for (const RequestId id : std::exchange(deferred_removals, {})) {
      const auto it = entries.find(id);
      if (it == entries.end()) continue;
      if (it->second.started) driver.remove(it->second.transfer->easy());
      entries.erase(it);
    }
    for (const RequestId id : std::exchange(deferred_adds, {})) start(id);
    for (auto& [id, entry] : entries) {
      if (!entry.resume_timer && entry.transfer->paused_for()) resume_later(id, entry);
    }
    disarm_watchdog_if_idle();
  }

  // A request paused by its budget (RequestOptions::budget) goes on once the debt is paid.
  void resume_later(RequestId id, Entry& entry) {
    entry.resume_timer = std::make_unique<boost::asio::steady_timer>(io);
    entry.resume_timer->expires_after(*entry.transfer->paused_for());
    entry.resume_timer->async_wait(
        [this, alive = std::weak_ptr<char>(alive_token), id](const boost::system::error_code& ec) {
          if (ec || alive.expired()) return;
          const auto it = entries.find(id);
          if (it == entries.end() || it->second.transfer->cancelled()) return;
          // Kept alive until curl is done with this call: the handler runs on it.
          auto timer = std::move(it->second.resume_timer);
          it->second.transfer->resumed(std::chrono::steady_clock::now());
          driver.resume(it->second.transfer->easy());
        });
  }

  void complete(CURL* easy, CURLcode result) {
    void* private_id = nullptr;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, &private_id);
    const auto id = static_cast<RequestId>(reinterpret_cast<std::uintptr_t>(private_id));
    const auto it = entries.find(id);
    // Every erased entry was removed from the multi first, whose messages went with it.
    if (it == entries.end() || it->second.transfer->easy() != easy) return;
    // Out of the map before the callback, which may cancel, fetch again or destroy the client.
    auto node = entries.extract(it);
    driver.remove(easy);
    disarm_watchdog_if_idle();
    if (node.mapped().transfer->cancelled()) return;
    deliver(node.mapped(), node.mapped().transfer->outcome(result));
  }

  void deliver(Entry& entry, std::expected<RemoteIdentity, FetchError> outcome) {
    ++tally.ended;
    if (!outcome) ++tally.failed[std::string(failure_class(outcome.error()))];
    if (entry.probe_done) {
      entry.probe_done(std::move(outcome));
    } else if (outcome) {
      entry.on_done({});
    } else {
      entry.on_done(std::unexpected(std::move(outcome.error())));
    }
  }

  std::size_t active() const {
    std::size_t count = 0;
    for (const auto& [id, entry] : entries) count += entry.transfer->cancelled() ? 0 : 1;
    return count;
  }

  boost::asio::io_context& io;
  Options options;
  RequestId next_id = 1;
  std::shared_ptr<char> alive_token = std::make_shared<char>();
  // Declared before `entries`: destroyed after them, so every easy handle is gone before
  // curl_multi_cleanup.
  CurlMultiDriver driver;
  std::unordered_map<RequestId, Entry> entries;
  std::vector<RequestId> deferred_removals;
  std::vector<RequestId> deferred_adds;
  boost::asio::steady_timer watchdog{io};
  bool watchdog_armed = false;
  RequestTally tally;
};

HttpClient::HttpClient(boost::asio::io_context& io, Options options) {
  ensure_curl_global_init();
  impl_ = std::make_unique<Impl>(io, std::move(options));
}

HttpClient::~HttpClient() = default;

HttpClient::RequestId HttpClient::probe(const std::string& url, const RequestOptions& options,
                                        ProbeDone done) {
  RangeRequest request;
  request.url = url;
  request.options = options;
  const RequestId id = impl_->next_id++;
  return impl_->submit(
      std::make_unique<Transfer>(id, Transfer::Kind::kProbe, std::move(request), nullptr),
      std::move(done), nullptr);
}

HttpClient::RequestId HttpClient::fetch(const RangeRequest& request, OnData on_data, OnDone done) {
  const RequestId id = impl_->next_id++;
  if (!request.whole_body && request.end <= request.begin) {
    // An empty or inverted range has no valid Range header; it is the caller's mistake.
    auto transfer = std::make_unique<Transfer>(id, Transfer::Kind::kRange, request, nullptr);
    impl_->entries.emplace(
        id, Impl::Entry{std::move(transfer), nullptr, std::move(done), false, nullptr});
    impl_->fail_later(
        id, make_failure(api::ErrorContext::kCaller, api::ErrorKind::kInvalidArgument, false,
                         "empty range [" + std::to_string(request.begin) + ", " +
                             std::to_string(request.end) + ")",
                         request.url));
    return id;
  }
  const auto kind = request.whole_body ? Transfer::Kind::kWholeBody : Transfer::Kind::kRange;
  return impl_->submit(std::make_unique<Transfer>(id, kind, request, std::move(on_data)), nullptr,
                       std::move(done));
}

void HttpClient::cancel(RequestId id) { impl_->cancel(id); }

std::size_t HttpClient::active_requests() const { return impl_->active(); }

const RequestTally& HttpClient::tally() const { return impl_->tally; }

std::string_view failure_class(const FetchError& failure) {
  switch (failure.error.kind) {
    case api::ErrorKind::kHttpStatus:
      if (failure.error.code >= 400 && failure.error.code < 500) return "http_4xx";
      if (failure.error.code >= 500 && failure.error.code < 600) return "http_5xx";
      return "http_other";
    case api::ErrorKind::kTransport:
      return "transport";
    case api::ErrorKind::kContentChanged:
    case api::ErrorKind::kRangeNotSupported:
    case api::ErrorKind::kBadContentEncoding:
      return "content";
    case api::ErrorKind::kDiskFull:
    case api::ErrorKind::kLocalIo:
      return "local";
    case api::ErrorKind::kInvalidArgument:
      return "refused";
    default:
      return "other";
  }
}

}  // namespace swarmcopy::engine::origin
