#include "v2_hashing_disk.h"

#include <bit>
#include <libtorrent/hasher.hpp>
#include <libtorrent/session.hpp>
#include <libtorrent/session_params.hpp>
#include <utility>

namespace swarmcopy::peer {
namespace {

constexpr int kBlockSize = 16 * 1024;

// Forwards every call to libtorrent's own disk I/O, but for async_hash (see the header).
class V2HashingDisk final : public lt::disk_interface {
 public:
  V2HashingDisk(std::unique_ptr<lt::disk_interface> inner,
                std::shared_ptr<PieceHashRegistry> registry)
      : inner_(std::move(inner)), registry_(std::move(registry)) {}

  lt::storage_holder new_torrent(const lt::storage_params& params,
                                 const std::shared_ptr<void>& torrent) override {
    auto holder = inner_->new_torrent(params, torrent);
    const lt::storage_index_t index = holder;
    std::lock_guard lock(mutex_);
    // libtorrent releases the storage through the holder we return: ours, so that the entry
    // goes with it; dropping the entry releases libtorrent's own holder.
    storages_[index] = Storage{std::move(holder), registry_->find(params.info_hash)};
    return lt::storage_holder(index, *this);
  }

  void remove_torrent(lt::storage_index_t index) override {
    // Taken out under the lock, dropped after it: dropping libtorrent's holder calls its
    // remove_torrent, which need not wait for our lock.
    Storage gone;
    {
      std::lock_guard lock(mutex_);
      auto it = storages_.find(index);
      if (it == storages_.end()) return;
      gone = std::move(it->second);
      storages_.erase(it);
    }
  }

  void async_hash(
      lt::storage_index_t storage, lt::piece_index_t piece, lt::span<lt::sha256_hash> v2,
      lt::disk_job_flags_t flags,
      std::function<void(lt::piece_index_t, const lt::sha1_hash&, const lt::storage_error&)>
          handler) override {
    auto hashes = hashes_of(storage);
    const int index = static_cast<int>(piece);
    const bool v2_decides = hashes && (flags & v1_hash) && !v2.empty() && index >= 0 &&
                            index < static_cast<int>(hashes->v1.size());
    if (!v2_decides) {
      inner_->async_hash(storage, piece, v2, flags, std::move(handler));
      return;
    }
    // The span points into the vector that libtorrent's handler owns: valid until it runs.
    inner_->async_hash(
        storage, piece, v2, flags & ~v1_hash,
        [hashes = std::move(hashes), v2, index, handler = std::move(handler)](
            lt::piece_index_t done, const lt::sha1_hash&, const lt::storage_error& error) {
          if (error) {
            handler(done, lt::sha1_hash(), error);
            return;
          }
          const bool intact =
              merkle_root(v2, hashes->leaves_per_piece) == hashes->layer[std::size_t(index)];
          handler(done, intact ? hashes->v1[std::size_t(index)] : lt::sha1_hash(), error);
        });
  }

  void async_read(lt::storage_index_t storage, const lt::peer_request& request,
                  std::function<void(lt::disk_buffer_holder, const lt::storage_error&)> handler,
                  lt::disk_job_flags_t flags) override {
    inner_->async_read(storage, request, std::move(handler), flags);
  }
  bool async_write(lt::storage_index_t storage, const lt::peer_request& request, const char* buffer,
                   std::shared_ptr<lt::disk_observer> observer,
                   std::function<void(const lt::storage_error&)> handler,
                   lt::disk_job_flags_t flags) override {
    return inner_->async_write(storage, request, buffer, std::move(observer), std::move(handler),
                               flags);
  }
  void async_hash2(
      lt::storage_index_t storage, lt::piece_index_t piece, int offset, lt::disk_job_flags_t flags,
      std::function<void(lt::piece_index_t, const lt::sha256_hash&, const lt::storage_error&)>
          handler) override {
    inner_->async_hash2(storage, piece, offset, flags, std::move(handler));
  }
  void async_move_storage(
      lt::storage_index_t storage, std::string path, lt::move_flags_t flags,
      std::function<void(lt::status_t, const std::string&, const lt::storage_error&)> handler)
      override {
    inner_->async_move_storage(storage, std::move(path), flags, std::move(handler));
  }
  void async_release_files(lt::storage_index_t storage, std::function<void()> handler) override {
    inner_->async_release_files(storage, std::move(handler));
  }
  void async_check_files(
      lt::storage_index_t storage, const lt::add_torrent_params* resume_data,
      lt::aux::vector<std::string, lt::file_index_t> links,
      std::function<void(lt::status_t, const lt::storage_error&)> handler) override {
    inner_->async_check_files(storage, resume_data, std::move(links), std::move(handler));
  }
  void async_stop_torrent(lt::storage_index_t storage, std::function<void()> handler) override {
    inner_->async_stop_torrent(storage, std::move(handler));
  }
  void async_rename_file(
      lt::storage_index_t storage, lt::file_index_t index, std::string name,
      std::function<void(const std::string&, lt::file_index_t, const lt::storage_error&)> handler)
      override {
    inner_->async_rename_file(storage, index, std::move(name), std::move(handler));
  }
  void async_delete_files(lt::storage_index_t storage, lt::remove_flags_t options,
                          std::function<void(const lt::storage_error&)> handler) override {
    inner_->async_delete_files(storage, options, std::move(handler));
  }
  void async_set_file_priority(
      lt::storage_index_t storage, lt::aux::vector<lt::download_priority_t, lt::file_index_t> prio,
      std::function<void(const lt::storage_error&,
                         lt::aux::vector<lt::download_priority_t, lt::file_index_t>)>
          handler) override {
    inner_->async_set_file_priority(storage, std::move(prio), std::move(handler));
  }
  void async_clear_piece(lt::storage_index_t storage, lt::piece_index_t index,
                         std::function<void(lt::piece_index_t)> handler) override {
    inner_->async_clear_piece(storage, index, std::move(handler));
  }
  void update_stats_counters(lt::counters& counters) const override {
    inner_->update_stats_counters(counters);
  }
  std::vector<lt::open_file_state> get_status(lt::storage_index_t storage) const override {
    return inner_->get_status(storage);
  }
  void abort(bool wait) override { inner_->abort(wait); }
  void submit_jobs() override { inner_->submit_jobs(); }
  void settings_updated() override { inner_->settings_updated(); }

 private:
  struct Storage {
    lt::storage_holder inner;
    std::shared_ptr<const PieceHashes> hashes;  // null: libtorrent hashes as usual
  };

  std::shared_ptr<const PieceHashes> hashes_of(lt::storage_index_t storage) const {
    std::lock_guard lock(mutex_);
    auto it = storages_.find(storage);
    return it == storages_.end() ? nullptr : it->second.hashes;
  }

  // Declared first: destroyed last, after the holders that refer to it.
  std::unique_ptr<lt::disk_interface> inner_;
  std::shared_ptr<PieceHashRegistry> registry_;
  mutable std::mutex mutex_;
  std::map<lt::storage_index_t, Storage> storages_;
};

}  // namespace

std::optional<PieceHashes> PieceHashes::of(const lt::torrent_info& info) {
  const auto& files = info.files();
  if (!info.info_hashes().has_v1() || !info.info_hashes().has_v2() || files.num_files() != 1)
    return std::nullopt;
  const lt::file_index_t file{0};
  const auto layer = info.piece_layer(file);
  const int pieces = info.num_pieces();
  if (pieces <= 0 || std::size_t(layer.size()) != std::size_t(pieces) * lt::sha256_hash::size())
    return std::nullopt;
  PieceHashes hashes;
  for (int piece = 0; piece < pieces; ++piece) {
    hashes.v1.push_back(info.hash_for_piece(lt::piece_index_t{piece}));
    hashes.layer.emplace_back(layer.data() + std::size_t(piece) * lt::sha256_hash::size());
  }
  // A file of one piece or less has no piece layer: its "layer" is the file's root, over its
  // blocks padded to a power of two. Longer files pad each piece to the piece's block count.
  const auto blocks_in_file =
      static_cast<unsigned>((files.file_size(file) + kBlockSize - 1) / kBlockSize);
  hashes.leaves_per_piece = pieces == 1 ? static_cast<int>(std::bit_ceil(blocks_in_file))
                                        : info.piece_length() / kBlockSize;
  return hashes;
}

lt::sha256_hash merkle_root(lt::span<const lt::sha256_hash> blocks, int leaves) {
  std::vector<lt::sha256_hash> level(blocks.begin(), blocks.end());
  level.resize(std::size_t(std::max(leaves, 1)));  // padding leaves are all zero
  while (level.size() > 1) {
    for (std::size_t i = 0; i < level.size() / 2; ++i) {
      lt::hasher256 pair;
      pair.update(level[2 * i]).update(level[2 * i + 1]);
      level[i] = pair.final();
    }
    level.resize(level.size() / 2);
  }
  return level.front();
}

std::shared_ptr<const PieceHashes> PieceHashRegistry::expect(const lt::torrent_info& info) {
  auto copied = PieceHashes::of(info);
  if (!copied) return nullptr;
  auto hashes = std::make_shared<const PieceHashes>(std::move(*copied));
  std::lock_guard lock(mutex_);
  std::erase_if(torrents_, [](const auto& entry) { return entry.second.expired(); });
  torrents_[info.info_hashes().get_best()] = hashes;
  return hashes;
}

std::shared_ptr<const PieceHashes> PieceHashRegistry::find(const lt::sha1_hash& best) const {
  std::lock_guard lock(mutex_);
  auto it = torrents_.find(best);
  return it == torrents_.end() ? nullptr : it->second.lock();
}

lt::disk_io_constructor_type v2_hashing_disk(std::shared_ptr<PieceHashRegistry> registry) {
  return [registry = std::move(registry)](
             lt::io_context& io, const lt::settings_interface& settings, lt::counters& counters) {
    return std::unique_ptr<lt::disk_interface>(
        new V2HashingDisk(lt::default_disk_io_constructor(io, settings, counters), registry));
  };
}

}  // namespace swarmcopy::peer
