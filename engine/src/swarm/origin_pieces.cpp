#include "origin_pieces.h"

#include "content_identity.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace swarmcopy::engine::swarm {

OriginPieces::OriginPieces(boost::asio::io_context& io, origin::HttpClient& http,
                           const std::string& url, origin::RequestOptions options,
                           const PieceLedger& ledger, Handlers handlers)
    : fetcher_(http, url, std::move(options)),
      ledger_(ledger),
      handlers_(std::move(handlers)),
      probe_timer_(io) {}

OriginPieces::~OriginPieces() {
  *alive_ = false;
  // A pending timer would keep the engine thread (and a CLI's exit) waiting for it.
  probe_timer_.cancel();
}

void OriginPieces::start(const FileRecord& file, std::optional<origin::RemoteIdentity> answered) {
  known_ = file;
  if (!answered) {
    probe();
    return;
  }
  // Judged as a probe's answer is (a record that learned something compares it).
  std::expected<origin::RemoteIdentity, origin::FetchError> result = *answered;
  if (auto change = identity_change(file, *answered, false)) {
    result = std::unexpected(content_changed(file, *change));
  }
  // Never inline: the caller is still starting.
  probe_timer_.expires_after(std::chrono::seconds(0));
  probe_timer_.async_wait([this, result = std::move(result),
                           alive = alive_](const boost::system::error_code& ec) mutable {
    if (!ec && *alive) on_probe(std::move(result));
  });
}

void OriginPieces::probe() {
  fetcher_.probe(*known_, false, [this](auto result) { on_probe(std::move(result)); });
}

bool OriginPieces::usable(Clock::time_point now) const {
  return ready_ && !ignores_ranges_ && !backoff_.resting(now);
}

void OriginPieces::on_probe(std::expected<origin::RemoteIdentity, origin::FetchError> result) {
  if (!result) {
    failed(std::move(result.error()));
    return;
  }
  if (!handlers_.identified(*result)) return;
  if (!result->accepts_ranges) {
    // Pieces need ranges; peers may still serve the whole file.
    failed(origin::FetchError{
        api::Error{api::ErrorContext::kRemoteApplication, api::ErrorKind::kRangeNotSupported, 0,
                   "the origin ignores Range requests, so it cannot serve pieces", fetcher_.url(),
                   origin::protocol_of(fetcher_.url())},
        false,
        {}});
    return;
  }
  ready_ = true;
  error_.reset();
}

void OriginPieces::launch(std::uint32_t first, std::uint32_t end, const FileRecord& file) {
  spdlog::debug("{}: origin pieces {}-{}", fetcher_.url(), first, end - 1);
  const std::uint64_t key = next_key_++;
  auto& run = runs_[key];
  run.piece = first;
  run.end = end;
  run.buffer.reserve(ledger_.size_of(first));
  const ByteRange range{ledger_.offset_of(first), ledger_.range_of(end - 1).end};
  fetcher_.fetch(
      key, range, false, file,
      [this, key](std::uint64_t, std::span<const char> bytes) { return on_data(key, bytes); },
      [this, key](auto result) { on_done(key, std::move(result)); });
}

std::vector<OpenRequest> OriginPieces::open_requests() const {
  std::vector<OpenRequest> open;
  for (const auto& [key, run] : runs_) open.push_back({key, run.piece, run.end});
  return open;
}

api::Result<void> OriginPieces::on_data(std::uint64_t key, std::span<const char> bytes) {
  if (!flowing_) {
    flowing_ = true;
    handlers_.first_byte();
  }
  while (!bytes.empty()) {
    auto it = runs_.find(key);  // again after each handler: it may have cancelled the run
    if (it == runs_.end() || it->second.piece >= it->second.end) break;
    auto& run = it->second;
    const auto piece = run.piece;
    const std::size_t need = ledger_.size_of(piece) - run.buffer.size();
    const std::size_t take = std::min(need, bytes.size());
    run.buffer.insert(run.buffer.end(), bytes.begin(), bytes.begin() + take);
    bytes = bytes.subspan(take);
    if (run.buffer.size() < ledger_.size_of(piece)) break;
    auto data = std::exchange(run.buffer, {});
    ++run.piece;
    if (run.piece < run.end) run.buffer.reserve(ledger_.size_of(run.piece));
    handlers_.piece(piece, std::move(data));
  }
  return {};
}

void OriginPieces::on_done(std::uint64_t key, std::expected<void, origin::FetchError> result) {
  auto node = runs_.extract(key);
  if (node.empty()) return;
  const auto& run = node.mapped();
  if (run.piece < run.end) handlers_.not_delivered(run.piece, run.end);
  if (!result) {
    failed(std::move(result.error()));
    return;
  }
  backoff_.succeeded();
  handlers_.run_done();
}

void OriginPieces::cancel(std::uint64_t key) {
  auto node = runs_.extract(key);
  if (node.empty()) return;
  const auto& run = node.mapped();
  spdlog::debug("{}: origin pieces {}-{} are another peer's now; request cancelled", fetcher_.url(),
                run.piece, run.end - 1);
  fetcher_.cancel(key);
  if (run.piece < run.end) handlers_.not_delivered(run.piece, run.end);
}

void OriginPieces::cancel_all() {
  fetcher_.cancel_all();
  probe_timer_.cancel();
  auto runs = std::exchange(runs_, {});
  for (const auto& [key, run] : runs) {
    if (run.piece < run.end) handlers_.not_delivered(run.piece, run.end);
  }
}

void OriginPieces::failed(origin::FetchError error) {
  if (error.error.kind == api::ErrorKind::kRangeNotSupported) {
    // Asking again would bring the whole file again: the origin is out of play for this run.
    // The owner decides whether the peers can do without it.
    spdlog::info("{}: {}; peers only", fetcher_.url(), error.error.message);
    ignores_ranges_ = true;
    error_ = std::move(error);
    return;
  }
  if (error.error.kind == api::ErrorKind::kContentChanged) {
    handlers_.content_changed(std::move(error));
    return;
  }
  // The origin is one source among others: peers go on while it rests.
  const auto wait = backoff_.failed(Clock::now(), error.retry_after);
  spdlog::info("{}: origin unavailable ({}); peers only for {} ms", fetcher_.url(),
               error.error.message, wait.count());
  if (!ready_ && !fetcher_.probing()) {
    // The probe itself failed: ask again when the wait is over.
    probe_timer_.expires_after(wait);
    probe_timer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
      if (!ec && *alive && !ready_ && !fetcher_.probing()) probe();
    });
  }
  error_ = std::move(error);
}

}  // namespace swarmcopy::engine::swarm
