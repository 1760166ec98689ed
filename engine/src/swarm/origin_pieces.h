// OriginPieces: the origin as one source of whole pieces for a SwarmTransfer. It asks the origin
// what it serves (and asks again once a failed probe's rest is over), rests after failures
// (OriginBackoff: peers go on meanwhile), fetches runs of whole pieces over HTTP and hands each
// piece over as soon as its last byte arrives. Which pieces, and when, is not its business (the
// OriginPlanner's); whether a piece is still wanted, or good, is the owner's.
//
// An origin that ignores Range requests serves no piece in this run; one whose content changed
// ends the transfer. Engine thread only.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "origin_backoff.h"
#include "origin_fetcher.h"
#include "origin_planner.h"
#include "piece_ledger.h"

namespace swarmcopy::engine::swarm {

class OriginPieces {
 public:
  using Clock = std::chrono::steady_clock;

  struct Handlers {
    // The probe's answer, already checked against what the file learned before. The owner
    // checks it against its metadata and returns false when that ends the transfer.
    std::function<bool(const origin::RemoteIdentity&)> identified;
    // Piece `piece` arrived whole (not checked yet).
    std::function<void(std::uint32_t piece, std::vector<char> data)> piece;
    // Pieces [first, end) of a run that ended (or failed) before they arrived.
    std::function<void(std::uint32_t first, std::uint32_t end)> not_delivered;
    // A run ended well: room for the next.
    std::function<void()> run_done;
    // The origin's content changed: nothing of it may be mixed with what was fetched before.
    std::function<void(origin::FetchError)> content_changed;
    std::function<void()> first_byte;
  };

  // `ledger`: the pieces' geometry (sizes and offsets), read only.
  OriginPieces(boost::asio::io_context& io, origin::HttpClient& http, const std::string& url,
               origin::RequestOptions options, const PieceLedger& ledger, Handlers handlers);
  ~OriginPieces();
  OriginPieces(const OriginPieces&) = delete;
  OriginPieces& operator=(const OriginPieces&) = delete;

  // Probes the origin, with `file` as what was learned before. `answered`: the origin's answer
  // to a probe just made for a file that had learned nothing yet (FileTransfer asked it for the
  // size): taken as this probe's, without asking again.
  void start(const FileRecord& file, std::optional<origin::RemoteIdentity> answered = {});
  // The probe confirmed the file, ranges work, and the origin is not resting after a failure.
  bool usable(Clock::time_point now) const;
  bool ignores_ranges() const { return ignores_ranges_; }
  // The last failure, until the next probe succeeds.
  const std::optional<origin::FetchError>& error() const { return error_; }

  // Fetches pieces [first, end) as one range, checked against `file`'s identity.
  void launch(std::uint32_t first, std::uint32_t end, const FileRecord& file);
  // The runs in flight, from the piece each is assembling.
  std::vector<OpenRequest> open_requests() const;
  std::size_t runs() const { return runs_.size(); }
  // Ends a run; its pieces not handed over go to not_delivered.
  void cancel(std::uint64_t key);
  // Ends every run (their pieces go to not_delivered) and the probe.
  void cancel_all();

 private:
  struct Run {
    std::uint32_t piece = 0;  // the piece being assembled; [piece, end) not handed over yet
    std::uint32_t end = 0;
    std::vector<char> buffer;
  };

  void probe();
  void on_probe(std::expected<origin::RemoteIdentity, origin::FetchError> result);
  api::Result<void> on_data(std::uint64_t key, std::span<const char> bytes);
  void on_done(std::uint64_t key, std::expected<void, origin::FetchError> result);
  void failed(origin::FetchError error);

  OriginFetcher fetcher_;
  const PieceLedger& ledger_;
  Handlers handlers_;
  boost::asio::steady_timer probe_timer_;  // asks the origin again after a failed probe
  std::optional<FileRecord> known_;        // what the file learned, for the next probe
  bool ready_ = false;                     // the probe confirmed the file's identity
  bool ignores_ranges_ = false;
  bool flowing_ = false;
  OriginBackoff backoff_;
  std::optional<origin::FetchError> error_;
  std::map<std::uint64_t, Run> runs_;
  std::uint64_t next_key_ = 1;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace swarmcopy::engine::swarm
