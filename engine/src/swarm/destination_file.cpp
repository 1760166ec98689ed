#include "destination_file.h"

#include <unistd.h>

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include "file_ops.h"
#include "fs_credentials.h"
#include "swarmcopy/cache/content_store.h"
#include "swarmcopy/util/sha256.h"

namespace swarmcopy::engine::swarm {
namespace {

using Clock = std::chrono::steady_clock;

// Verified pieces go to the temporary file this often (each time after a libtorrent flush, a
// fence on its disk jobs): what is left to copy and sync when the last piece arrives.
constexpr auto kCopyInterval = std::chrono::milliseconds(200);

}  // namespace

DestinationFile::DestinationFile(Deps deps, const TransferSettings& settings,
                                 std::filesystem::path temp_path,
                                 std::shared_ptr<const peer::Metainfo> meta)
    : deps_(deps), settings_(settings), temp_path_(std::move(temp_path)), meta_(std::move(meta)) {}

DestinationFile::~DestinationFile() { *alive_ = false; }

api::Result<void> DestinationFile::open(bool keep) {
  {
    ScopedFsCredentials as_owner(settings_.owner_uid, settings_.owner_gid);
    auto temp = TempFile::open(temp_path_, settings_.file_mode);
    if (!temp) return std::unexpected(temp.error());
    temp_ = std::move(*temp);
  }
  if (auto truncated = temp_->truncate(keep ? meta_->size : 0); !truncated) return truncated;
  return temp_->reserve(meta_->size);
}

void DestinationFile::follow(const std::filesystem::path& object, bool adopt) {
  mirror_ = std::make_shared<ProgressiveCopy>(temp_, object, meta_);
  if (!adopt) return;
  copy_in_flight_ = true;
  boost::asio::post(deps_.pool,
                    [this, mirror = mirror_, earlier = deps_.ledger.earlier_run_pieces(),
                     path = temp_path_, alive = alive_, &io = deps_.io] {
                      auto kept = mirror->adopt(earlier);
                      boost::asio::post(io, [this, alive, kept, path] {
                        if (!*alive) return;
                        copy_in_flight_ = false;
                        if (!kept) {
                          spdlog::debug("{}: keeping the pieces of the last run: {}", path.string(),
                                        kept.error().describe());
                        }
                        deps_.ledger.adopted(kept ? *kept : std::vector<bool>{});
                      });
                    });
}

void DestinationFile::copy_verified(const FlushItem& flush) {
  const auto now = Clock::now();
  if (!mirror_ || copy_in_flight_ || now - last_copy_ < kCopyInterval) return;
  auto batch = deps_.ledger.take_copy_batch();
  if (batch.empty()) return;
  copy_in_flight_ = true;
  last_copy_ = now;
  flush([this, batch = std::move(batch), alive = alive_](bool flushed) mutable {
    if (!*alive) return;
    if (!flushed) {  // the swarm was reloaded meanwhile: the next tick asks again
      on_copied(batch, false);
      return;
    }
    boost::asio::post(
        deps_.pool, [this, mirror = mirror_, batch = std::move(batch), alive, &io = deps_.io] {
          auto copied = mirror->copy_new(batch);
          if (!copied) {
            // Copied again later, or by finish(), which reports what still fails.
            spdlog::debug("copying verified pieces early: {}", copied.error().describe());
          }
          boost::asio::post(io, [this, alive, batch, ok = copied.has_value()] {
            if (*alive) on_copied(batch, ok);
          });
        });
  });
}

void DestinationFile::on_copied(const std::vector<bool>& batch, bool copied) {
  copy_in_flight_ = false;
  deps_.ledger.copied(batch, copied);
}

// Progress counts once it is on disk: the pieces copied into the temporary file are synced,
// then committed. (The cache item's copy needs no sync: after a reboot it is checked again.)
void DestinationFile::checkpoint(const RangeSet& committed, Durable durable) {
  const auto now = Clock::now();
  if (!temp_ || sync_in_flight_ || now - last_checkpoint_ < deps_.checkpoint_interval) return;
  auto snapshot = deps_.ledger.in_file();
  if (snapshot == committed) return;
  sync_in_flight_ = true;
  last_checkpoint_ = now;
  boost::asio::post(deps_.pool, [this, temp = temp_, snapshot = std::move(snapshot),
                                 durable = std::move(durable), alive = alive_, &io = deps_.io] {
    auto synced = temp->sync();
    boost::asio::post(io, [this, alive, snapshot, synced, durable] {
      if (!*alive) return;
      sync_in_flight_ = false;
      if (!synced) return;  // the next checkpoint tries again
      deps_.ledger.made_durable(snapshot);
      durable(snapshot);
    });
  });
}

void DestinationFile::finish(const std::filesystem::path& object, bool hash, Finished done) {
  if (mirror_) {
    // Most of the file is in the temporary file already: the rest, then one fsync.
    boost::asio::post(deps_.pool, [mirror = mirror_, temp = temp_, hash, done = std::move(done),
                                   alive = alive_, &io = deps_.io] {
      auto copied = mirror->finish();
      std::optional<api::Result<std::string>> sha256;
      if (copied && hash) sha256 = util::sha256_of_fd(temp->fd(), temp->path());
      boost::asio::post(io, [alive, copied, sha256, done] {
        if (*alive) done(copied, sha256);
      });
    });
    return;
  }
  if (auto opened = open(false); !opened) {
    boost::asio::post(deps_.io, [error = opened.error(), done = std::move(done), alive = alive_] {
      if (*alive) done(std::unexpected(error), std::nullopt);
    });
    return;
  }
  boost::asio::post(deps_.pool, [temp = temp_, object, size = meta_->size, hash,
                                 done = std::move(done), alive = alive_, &io = deps_.io] {
    auto copied = cache::ContentStore::copy_object(object, size, temp->fd());
    if (copied) copied = temp->sync();
    std::optional<api::Result<std::string>> sha256;
    if (copied && hash) sha256 = util::sha256_of_fd(temp->fd(), temp->path());
    boost::asio::post(io, [alive, copied, sha256, done] {
      if (*alive) done(copied, sha256);
    });
  });
}

void DestinationFile::discard() {
  ScopedFsCredentials as_owner(settings_.owner_uid, settings_.owner_gid);
  temp_.reset();
  (void)remove_file(temp_path_);
}

}  // namespace swarmcopy::engine::swarm
