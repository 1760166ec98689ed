#include "file_transfer.h"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include "received_bytes.h"
#include "swarmcopy/peer/metainfo.h"
#include "vpn_interfaces.h"

namespace swarmcopy::engine {
namespace {

constexpr std::chrono::milliseconds kForegroundSiteMetainfoWait{500};
// How often a file waiting for another home of the user to fetch it looks again.
constexpr std::chrono::milliseconds kSiblingPoll{500};

}  // namespace

FileTransfer::FileTransfer(Deps deps, FileRecord file, Settings settings, Hooks hooks)
    : deps_(deps),
      file_(std::move(file)),
      settings_(std::move(settings)),
      hooks_(std::move(hooks)) {}

FileTransfer::~FileTransfer() { *alive_ = false; }

const FileRecord& FileTransfer::file() const {
  if (swarm_) return swarm_->file();
  if (http_) return http_->file();
  return file_;
}

std::uint64_t FileTransfer::bytes_written() const {
  if (swarm_) return swarm_->bytes_written();
  if (http_) return http_->bytes_written();
  // What an earlier run verified counts from the start, not only once a transfer runs.
  return file_.verified.total();
}

void FileTransfer::start() {
  if (file_.completed) {
    boost::asio::post(deps_.io, [done = hooks_.done] { done({}); });
    return;
  }
  // One more user of the class's rate while this file runs: a swarm's share is the rate divided
  // among them (the HTTP requests of the others wait on the budget).
  budget_user_ = util::ByteBudget::User(settings_.budget);
  if (!settings_.download_cap_rule.empty()) {
    file_.explanation.note("download cap: " + settings_.download_cap_rule);
  }
  if (settings_.max_bytes_per_second > 0) {
    file_.explanation.note("the job's rate cap: " + std::to_string(settings_.max_bytes_per_second) +
                           " bytes/s, origin and peers together");
  }
  // Known content may be in another home's cache of this user: copied into this cache first,
  // the routes below find it here like anything cached.
  if (file_.sha256 && file_.mode != api::DownloadMode::kBypass) {
    take_from_sibling_caches(cache::ContentStore::sha256_key(*file_.sha256), {},
                             [this] { route(); });
    return;
  }
  route();
}

void FileTransfer::take_from_sibling_caches(std::string key, cache::ContentStore::Verifier verify,
                                            std::function<void()> next) {
  if (deps_.cache == nullptr || !deps_.cache->shares_with_siblings()) {
    next();
    return;
  }
  boost::asio::post(deps_.pool, [this, cache = deps_.cache, key = std::move(key),
                                 verify = std::move(verify), uid = settings_.owner_uid,
                                 next = std::move(next), alive = alive_, &io = deps_.io]() mutable {
    auto taken = cache->import_from_siblings(key, uid, verify);
    if (!taken) {
      // The other cache is an optimisation: the file still comes as it would without it.
      spdlog::warn("{}: not taken from another cache: {}", key, taken.error().describe());
    }
    std::optional<cache::SiblingCaches::FetchClaim> claim;
    if (!taken || !*taken) claim = cache->claim_fetch(key);
    const bool wait = taken && !*taken && !claim;
    boost::asio::post(
        io, [this, key = std::move(key), verify = std::move(verify), next = std::move(next),
             claim = std::move(claim), wait, alive]() mutable {
          if (!*alive || stopped_) return;
          if (claim) fetch_claims_.push_back(std::move(*claim));
          if (!wait) {
            next();
            return;
          }
          // Another home of this user fetches it now: it is taken from there once it is done (or
          // fetched here, if that home stops without it).
          if (!told_waiting_) {
            told_waiting_ = true;
            spdlog::info("{}: another home of this user is fetching {}; waiting for it", file_.url,
                         key);
          }
          if (!sibling_wait_) sibling_wait_ = std::make_unique<boost::asio::steady_timer>(deps_.io);
          sibling_wait_->expires_after(kSiblingPoll);
          sibling_wait_->async_wait([this, key = std::move(key), verify = std::move(verify),
                                     next = std::move(next), alive](auto error) mutable {
            if (error || !*alive || stopped_) return;
            take_from_sibling_caches(std::move(key), std::move(verify), std::move(next));
          });
        });
  });
}

void FileTransfer::route() {
  file_.explanation.note(
      "mode " + std::string(api::to_string(file_.mode)) +
      (file_.mode == api::DownloadMode::kGroup && !deps_.options.peer.group_id.empty()
           ? " (group " + deps_.options.peer.group_id + ")"
           : std::string()));
  switch (file_.mode) {
    case api::DownloadMode::kBypass:
      start_http("mode bypass");
      return;
    case api::DownloadMode::kHttpOnly:
      start_http("mode http-only");
      return;
    case api::DownloadMode::kLan:
    case api::DownloadMode::kGroup:  // the engine's group (checked when the file was added)
      if (settings_.sends_credentials(file_.url)) {
        if (!deps_.options.peer.peers_private_content()) {
          start_http(
              "the job sends credentials (URL userinfo, a secret query parameter or an access "
              "header): private content is peered only within a group whose certificates this "
              "machine holds (group_ca_file, group_cert_file, group_key_file)");
          return;
        }
        private_ = true;
        file_.explanation.note(
            "private content (the job sends credentials): peered only with "
            "machines holding a certificate of group " +
            deps_.options.peer.group_id + "'s CA");
      }
      if (deps_.cache == nullptr || !deps_.swarm_hub) {
        start_http("the content cache is disabled (the swarm keeps its data there)");
        return;
      }
      if (auto vpn = vpn_interface_up(deps_.options.peer.vpn_interfaces)) {
        start_http("the VPN or tunnel interface " + *vpn +
                   " is up: no peering over a VPN (vpn_interfaces)");
        return;
      }
      start_metadata();
      return;
  }
}

// min_peer_file_size: why a file of `size` bytes is not peered, or nothing (size unknown, or
// large enough).
std::optional<std::string> FileTransfer::too_small_to_peer(
    std::optional<std::uint64_t> size) const {
  const auto minimum = deps_.options.min_peer_file_size;
  if (!size || *size >= minimum) return std::nullopt;
  return "the file has " + std::to_string(*size) + " bytes, below min_peer_file_size (" +
         std::to_string(minimum) + ")";
}

void FileTransfer::start_http(std::optional<std::string> peers_unused_reason,
                              std::shared_ptr<const peer::Metainfo> expected_pieces) {
  file_.explanation.note("from the origin alone, no peers: " +
                         peers_unused_reason.value_or("no reason recorded"));
  file_.peers_unused_reason = std::move(peers_unused_reason);
  if (offer_when_fetched_ && file_.sha256) {
    if (auto hub = deps_.swarm_hub(); hub && *hub) {
      (*hub)->rendezvous().fetching(*file_.sha256, true);
    }
  }
  http_ = std::make_unique<HttpTransfer>(
      HttpTransfer::Deps{deps_.io, deps_.pool, deps_.http, deps_.options, deps_.cache}, file_,
      settings_, offering_hooks(), std::move(expected_pieces));
  http_->start();
}

void FileTransfer::start_metadata() {
  file_.metadata_source.reset();  // learned again in this run
  const auto url = file_.metadata_url.value_or(swarm::default_metadata_url(file_.url));
  metadata_ = std::make_unique<swarm::MetadataFetch>(
      deps_.http, url, file_.metadata_url.has_value(), settings_.request_options(),
      [this](auto result) { on_metadata(std::move(result)); });
}

void FileTransfer::on_metadata(std::expected<swarm::MetadataResult, origin::FetchError> result) {
  // Destroyed later: this runs inside its callback.
  boost::asio::post(deps_.io,
                    [fetch = std::shared_ptr<swarm::MetadataFetch>(std::move(metadata_))] {});
  if (!result) {
    stopped_ = true;
    boost::asio::post(deps_.io, [done = hooks_.done, error = std::move(result.error())] {
      done(std::unexpected(error));
    });
    return;
  }
  if (result->absent_reason && private_) {
    // A site metainfo is offered at a rendezvous anyone on the link can ask: not for private
    // content.
    start_http("private content is peered only under metadata its origin publishes: " +
               *result->absent_reason);
    return;
  }
  if (result->absent_reason && file_.sha256) {
    find_site_metainfo(*result->absent_reason);
    return;
  }
  if (result->absent_reason) {
    ask_origin_for_digest(*result->absent_reason);
    return;
  }
  // The origin's metadata names the content: another home's cache of this user may hold it,
  // checked piece by piece against that metadata before it is taken.
  auto meta = std::make_shared<peer::Metainfo>(std::move(*result->meta));
  if (private_) {
    // Its own swarm and cache item: the published metainfo with the group's CA (an SSL swarm).
    auto group_private = peer::make_group_private_metainfo(*meta, deps_.options.peer.group_ca_pem);
    if (!group_private) {
      start_http(group_private.error().message);
      return;
    }
    *meta = std::move(*group_private);
  }
  take_from_sibling_caches(
      cache::ContentStore::metadata_key(meta->info_hash_v2),
      [meta](const std::filesystem::path& copy) { return peer::verify_file(*meta, copy); },
      [this, meta] {
        auto hub = deps_.swarm_hub();
        if (!hub) {
          spdlog::warn("{}: peers unavailable: {}", file_.url, hub.error().describe());
          start_http("peer session unavailable: " + hub.error().message);
          return;
        }
        if (auto small = too_small_to_peer(meta->size)) {
          start_http(std::move(*small));
          return;
        }
        file_.metadata_source = "origin";
        start_swarm(**hub, std::move(*meta), std::nullopt);
      });
}

FileTransfer::Hooks FileTransfer::offering_hooks() {
  auto hooks = hooks_;
  if (offer_when_fetched_ && file_.sha256) {
    hooks.done = [this, done = hooks_.done, alive = alive_](FileOutcome outcome) {
      if (*alive) end_fetching_for_site(outcome.has_value());
      done(std::move(outcome));
    };
  }
  return hooks;
}

// From here the swarm has the file; its hooks are ours, unless it gives the file back.
void FileTransfer::start_swarm(swarm::SwarmHub& hub, peer::Metainfo meta,
                               std::optional<peer::MetainfoClaim> claim,
                               std::optional<Hooks> hooks) {
  swarm_ = std::make_unique<swarm::SwarmTransfer>(
      swarm::SwarmTransfer::Deps{deps_.io, deps_.pool, deps_.http, deps_.options, hub}, file_,
      std::move(meta), settings_, hooks ? std::move(*hooks) : hooks_,
      [this, alive = alive_](std::string reason) {
        if (*alive) on_swarm_fell_back(std::move(reason));
      });
  if (claim) swarm_->use_claim(std::move(*claim));
  if (origin_answer_) swarm_->use_origin_answer(*std::exchange(origin_answer_, std::nullopt));
  swarm_->start();
}

// No metadata and no SHA-256 from the caller: the origin may say the file's SHA-256 itself
// (`Repr-Digest: sha-256=:…:`, RFC 9530, or the older `Digest: SHA-256=`). Then that is the
// file's identity: the file is checked against it, and found on the site by it. Otherwise HTTP.
void FileTransfer::ask_origin_for_digest(std::string absent_reason) {
  probe_ = std::make_unique<OriginFetcher>(deps_.http, file_.url, settings_.request_options());
  // Only the digest is asked for: what the file's record learned before is the transfer's to
  // compare (a resume after the content changed starts afresh there).
  probe_->probe(
      FileRecord{}, false,
      [this, absent_reason = std::move(absent_reason),
       alive = alive_](std::expected<origin::RemoteIdentity, origin::FetchError> identity) {
        if (!*alive || stopped_) return;
        // Destroyed later: this runs inside its callback.
        boost::asio::post(deps_.io, [probe = std::shared_ptr<OriginFetcher>(std::move(probe_))] {});
        if (!identity) {
          // The transfer's own error: its kind (permanent, or transient with the origin's
          // Retry-After) decides what the job does, as for any first request.
          stopped_ = true;
          boost::asio::post(deps_.io, [done = hooks_.done, error = std::move(identity.error())] {
            done(std::unexpected(error));
          });
          return;
        }
        if (auto small = too_small_to_peer(identity->size)) {
          start_http(std::move(*small));
          return;
        }
        origin_size_ = identity->size;
        origin_answer_ = *identity;
        if (identity->sha256) {
          spdlog::info("{}: the origin names its SHA-256: {}", file_.url, *identity->sha256);
          file_.sha256 = *identity->sha256;
          take_from_sibling_caches(cache::ContentStore::sha256_key(*file_.sha256), {},
                                   [this, absent_reason = std::move(absent_reason)] {
                                     find_site_metainfo(absent_reason);
                                   });
          return;
        }
        spdlog::info("{}: {}; HTTP only", file_.url, absent_reason);
        start_http(absent_reason);
      });
}

// Content nobody published, but its SHA-256 is known: machines of the site that hold it offer
// the metainfo they made for it at its rendezvous. Whoever answers within the wait, the swarm
// takes the file (checking the claim against the content); nobody: HTTP, and once the file is
// verified this machine offers it in turn.
void FileTransfer::find_site_metainfo(std::string absent_reason) {
  // Known small already (an earlier run learned the size): no rendezvous at all.
  if (auto small = too_small_to_peer(file_.size)) {
    start_http(std::move(*small));
    return;
  }
  // In this cache already: served from there (HTTP's path takes the cache first, and asks the
  // origin for another user's copy), without a wait at the rendezvous; then offered.
  when_cached(*file_.sha256, [this, absent_reason = std::move(absent_reason)](bool cached) mutable {
    if (cached) {
      offer_when_fetched_ = true;
      start_http("content sha256:" + *file_.sha256 + " is in the local cache");
      return;
    }
    ask_rendezvous(std::move(absent_reason));
  });
}

void FileTransfer::when_cached(const std::string& sha256, std::function<void(bool cached)> then) {
  if (deps_.cache == nullptr) {
    boost::asio::post(deps_.io, [then = std::move(then)] { then(false); });
    return;
  }
  boost::asio::post(deps_.pool,
                    [cache = deps_.cache, key = cache::ContentStore::sha256_key(sha256),
                     then = std::move(then), alive = alive_, this, &io = deps_.io]() mutable {
                      auto pin = cache->acquire(key);
                      const bool cached = pin && *pin;
                      boost::asio::post(io, [then = std::move(then), cached, alive, this] {
                        if (*alive && !stopped_) then(cached);
                      });
                    });
}

void FileTransfer::ask_rendezvous(std::string absent_reason) {
  auto hub = deps_.swarm_hub();
  if (!hub) {
    spdlog::warn("{}: peers unavailable: {}", file_.url, hub.error().describe());
    start_http("peer session unavailable: " + hub.error().message);
    return;
  }
  // Nobody can answer when no peer can be known (no listed peer, no discovery): no wait.
  const bool peers_knowable = !(*hub)->explicit_peers().empty() || (*hub)->discovery();
  // A FOREGROUND job (a person waits: apt, an interactive get) waits for an offer a short
  // while only: on a LAN a holder answers within milliseconds, and apt asks for many files in a
  // row. Nobody offering, every machine that wants the content meets in its provisional swarm
  // (start_provisional): machines that start together share one origin link, so N fetches at
  // once each take N times as long (8 apt-gets of one package: 9.2x the time one fetch takes,
  // 8x the origin's bytes); in one swarm they share the origin's pieces as they arrive.
  auto wait = peers_knowable ? deps_.options.site_metainfo_wait : std::chrono::milliseconds(0);
  // An administrator's foreground_http_delay gives the site that long.
  if (settings_.foreground && peers_knowable) {
    wait = std::max(
        std::min(wait, kForegroundSiteMetainfoWait),
        std::chrono::duration_cast<std::chrono::milliseconds>(deps_.options.foreground_http_delay));
  }
  (*hub)->rendezvous().find(
      *file_.sha256, wait,
      [this, hub = *hub, absent_reason = std::move(absent_reason), peers_knowable,
       alive = alive_](std::optional<peer::MetainfoClaim> claim) {
        if (!*alive || stopped_) return;
        if (!claim && peers_knowable) {
          start_provisional(*hub, absent_reason);
          return;
        }
        if (!claim) {
          spdlog::info("{}: {}, and no peer offered content sha256:{}; HTTP", file_.url,
                       absent_reason, *file_.sha256);
          offer_when_fetched_ = true;
          start_http(hub->rendezvous()
                         .refutation(*file_.sha256)
                         .value_or("no peer holds content sha256:" + *file_.sha256 + " (" +
                                   absent_reason + ")"));
          return;
        }
        auto meta = claim->meta;
        if (auto small = too_small_to_peer(meta.size)) {
          start_http(std::move(*small));
          return;
        }
        file_.explanation.note(
            claim->address.empty()
                ? "content nobody published: this machine holds it and made its metainfo"
                : "content nobody published: peer " + claim->address + " offered metainfo " +
                      claim->meta.info_hash_v2 + " (a claim, checked against the content)");
        if (claim->address.empty()) {
          file_.metadata_source = "made here";
          start_swarm(*hub, std::move(meta), std::nullopt);
        } else {
          file_.metadata_source = "peers";
          start_swarm(*hub, std::move(meta), std::move(*claim));
        }
      });
}

// Nobody on the site offered content nobody published. Every machine that wants it now derives
// the same provisional metainfo from its SHA-256 and size and meets the others in that swarm:
// the pieces are shared as the machines fetch them from the origin (deconflicted as in any
// swarm), each checked against the root its fetcher announces, the whole file against the
// SHA-256. Once verified here it is offered under its site metainfo, for machines that come
// later.
void FileTransfer::start_provisional(swarm::SwarmHub& hub, std::string absent_reason) {
  const auto size = file_.size ? file_.size : origin_size_;
  if (!size) {
    // The origin is asked for the size first (a job given the SHA-256 by its caller).
    probe_ = std::make_unique<OriginFetcher>(deps_.http, file_.url, settings_.request_options());
    probe_->probe(
        FileRecord{}, false,
        [this, &hub, absent_reason = std::move(absent_reason),
         alive = alive_](std::expected<origin::RemoteIdentity, origin::FetchError> identity) {
          if (!*alive || stopped_) return;
          boost::asio::post(deps_.io,
                            [probe = std::shared_ptr<OriginFetcher>(std::move(probe_))] {});
          if (!identity) {
            stopped_ = true;
            boost::asio::post(deps_.io, [done = hooks_.done, error = std::move(identity.error())] {
              done(std::unexpected(error));
            });
            return;
          }
          if (!identity->size) {
            offer_when_fetched_ = true;
            start_http("the origin does not say the file's size: no provisional swarm (" +
                       absent_reason + ")");
            return;
          }
          origin_size_ = identity->size;
          origin_answer_ = *identity;
          start_provisional(hub, absent_reason);
        });
    return;
  }
  if (auto small = too_small_to_peer(size)) {
    start_http(std::move(*small));
    return;
  }
  auto meta = peer::make_provisional_metainfo(*file_.sha256, *size);
  if (!meta) {
    offer_when_fetched_ = true;
    start_http(meta.error().message + " (" + absent_reason + ")");
    return;
  }
  spdlog::info("{}: {}, and no peer offered content sha256:{}; its provisional swarm", file_.url,
               absent_reason, *file_.sha256);
  file_.explanation.note(
      "content nobody published, offered by no peer: the provisional swarm of the machines that "
      "want it (metainfo from the SHA-256 and the size; each piece checked against the root its "
      "fetcher announces; the whole file against the SHA-256)");
  file_.metadata_source = "provisional";
  offer_when_fetched_ = true;
  // Kept at the rendezvous meanwhile: machines that arrive there later see this one (a wait
  // for a listed peer ends at once) and join the swarm too, instead of waiting out their
  // patience for a machine that left.
  hub.rendezvous().fetching(*file_.sha256, true);
  start_swarm(hub, std::move(*meta), std::nullopt, offering_hooks());
}

// Neither the origin (it ignores Range requests) nor any peer could serve pieces, but the
// origin can still send the whole file in one stream: the HTTP-only path takes over, with the
// swarm's view of the file (identity, peers seen) and its metadata for the final check.
void FileTransfer::on_swarm_fell_back(std::string reason) {
  if (stopped_) return;
  file_ = swarm_->file();
  file_.explanation.note("the swarm gave the file back: " + reason);
  file_.verified.clear();  // the swarm's ranges are of its cache item, not of our temporary file
  if (swarm_->provisional_failed() || swarm_->claim_refuted()) {
    // Nothing that came through the swarm is part of the file: it is all fetched again.
    const bool provisional = swarm_->provisional_failed();
    restart_counts(file_);
    file_.info_hash.clear();
    file_.metadata_source.reset();
    swarm_.reset();  // ended already; posted here, so none of its code is running
    if (provisional) {
      // The provisional swarm cannot be trusted for it: from the origin, checked against the
      // SHA-256 (and offered once verified).
      start_http(std::move(reason));
    } else {
      // A refuted claim: back to the rendezvous, where the refuted metainfo and its supplier
      // are not taken again: another machine's claim, or the content's provisional swarm, as at
      // the start. Straight to the origin, every machine a liar fooled fetched the whole file:
      // a lab run of 8 machines and one liar sent it 8 times.
      find_site_metainfo(std::move(reason));
    }
    return;
  }
  auto pieces = swarm_->metadata();
  swarm_.reset();  // ended already; posted here, so none of its code is running
  start_http(std::move(reason), std::move(pieces));
}

// This machine fetched content nobody published from the origin (see find_site_metainfo): it
// offers it once it has it; either way the machines waiting for it stop waiting.
void FileTransfer::end_fetching_for_site(bool fetched) {
  if (!offer_when_fetched_ || !file_.sha256) return;
  offer_when_fetched_ = false;
  auto hub = deps_.swarm_hub();
  if (!hub || !*hub) return;
  if (fetched) {
    (*hub)->seed_fetched(*file_.sha256);
  } else {
    (*hub)->rendezvous().fetching(*file_.sha256, false);
  }
}

void FileTransfer::stop() {
  if (http_ || swarm_) end_fetching_for_site(false);
  stopped_ = true;
  budget_user_ = {};
  if (sibling_wait_) sibling_wait_->cancel();
  if (metadata_) metadata_->cancel();
  if (probe_) probe_->cancel_all();
  if (swarm_) swarm_->stop();
  if (http_) http_->stop();
}

}  // namespace swarmcopy::engine
