#include "file_disk.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <libtorrent/add_torrent_params.hpp>
#include <libtorrent/disk_buffer_holder.hpp>
#include <libtorrent/disk_interface.hpp>
#include <libtorrent/error_code.hpp>
#include <libtorrent/file_storage.hpp>
#include <libtorrent/hasher.hpp>
#include <libtorrent/peer_request.hpp>
#include <libtorrent/session.hpp>
#include <libtorrent/storage_defs.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "swarmcopy/util/file_io.h"
#include "swarmcopy/util/unique_fd.h"

namespace swarmcopy::peer {
namespace {

constexpr int kBlockSize = lt::default_block_size;
// Pieces held in memory until they are complete, at most (all torrents together); past it,
// blocks go to the file as they come.
constexpr std::size_t kWriteBufferBytes = 8 * 1024 * 1024;
// Checked pieces kept for uploads, at most; the oldest go first.
constexpr std::size_t kRecentBytes = 8 * 1024 * 1024;

lt::storage_error storage_error(lt::error_code code, lt::operation_t operation) {
  lt::storage_error error;
  error.ec = code;
  error.file(lt::file_index_t{0});
  error.operation = operation;
  return error;
}

lt::storage_error system_error(int error, lt::operation_t operation) {
  return storage_error(lt::error_code(error, boost::system::system_category()), operation);
}

// A piece being assembled: its blocks' SHA-256, taken as they are written, and while the write
// budget allows, the blocks themselves, written to the file in one call when the piece is
// checked (one pwrite per piece instead of one per 16 KiB block).
struct PendingPiece {
  std::vector<std::optional<lt::sha256_hash>> hashes;  // per block
  std::unique_ptr<char[]> bytes;                       // the piece; null: blocks went to the file
  std::vector<bool> held;                              // per block: in `bytes`
  std::vector<bool> buffered;                          // per block: in `bytes`, not in the file
};

// A piece that passed its check, kept whole for the peers that will ask for it next: every
// other machine of a site wants the piece this one just got, and answering from memory saves
// a pread per 16 KiB block sent (14 k per 256 MiB in the lab).
struct RecentPiece {
  std::uint32_t storage = 0;
  int piece = 0;
  std::size_t size = 0;
  std::unique_ptr<char[]> bytes;
};

// One torrent's file, its geometry, and the pieces being assembled.
struct Storage {
  std::string path;  // the save path joined with the file's (renamed) name
  std::int64_t size = 0;
  int piece_length = 0;
  int pieces = 0;
  bool single_file = true;
  std::shared_ptr<const PieceHashes> hashes;  // null: not a torrent the registry knows
  // The file the engine opened for this torrent (StorageFiles); null: opened here, by path.
  std::shared_ptr<const util::UniqueFd> offered;
  util::UniqueFd opened;
  int fd() const { return offered ? offered->get() : opened.get(); }
  std::map<int, PendingPiece> pending;  // dropped when the piece is checked or cleared

  int piece_size(int piece) const {
    return static_cast<int>(
        std::min<std::int64_t>(piece_length, size - std::int64_t{piece} * piece_length));
  }
  int blocks_in(int piece) const { return (piece_size(piece) + kBlockSize - 1) / kBlockSize; }
  std::int64_t offset_of(int piece, int start) const {
    return std::int64_t{piece} * piece_length + start;
  }
  bool in_range(int piece, int start, int length) const {
    return piece >= 0 && piece < pieces && start >= 0 && length >= 0 &&
           start + length <= piece_size(piece);
  }
};

// Read buffers are plain malloc'd blocks. Their allocator lives as long as the process: a
// buffer libtorrent still holds (in a handler not yet run when the session shuts down) may be
// freed after the disk layer is gone.
struct MallocBuffers final : lt::buffer_allocator_interface {
  void free_disk_buffer(char* buffer) override { std::free(buffer); }
};
MallocBuffers malloc_buffers;

class FileDisk final : public lt::disk_interface {
 public:
  FileDisk(lt::io_context& io, std::shared_ptr<PieceHashRegistry> registry,
           std::shared_ptr<StorageFiles> files)
      : io_(io), registry_(std::move(registry)), files_(std::move(files)) {}

  lt::storage_holder new_torrent(const lt::storage_params& params,
                                 const std::shared_ptr<void>&) override {
    auto storage = std::make_unique<Storage>();
    const lt::file_storage& files = params.mapped_files ? *params.mapped_files : params.files;
    storage->single_file = files.num_files() == 1;
    if (storage->single_file) storage->path = files.file_path(lt::file_index_t{0}, params.path);
    storage->size = files.total_size();
    storage->piece_length = files.piece_length();
    storage->pieces = files.num_pieces();
    storage->hashes = registry_->find(params.info_hash);
    storage->offered = files_->find(params.info_hash);
    std::size_t slot = 0;
    while (slot < storages_.size() && storages_[slot]) ++slot;
    if (slot == storages_.size()) storages_.emplace_back();
    storages_[slot] = std::move(storage);
    return lt::storage_holder(lt::storage_index_t{static_cast<std::uint32_t>(slot)}, *this);
  }

  ~FileDisk() override {
    for (auto& storage : storages_) {
      if (storage && storage->hashes && storage->hashes->provisional) {
        storage->hashes->provisional->drop_waiters(storage.get());
      }
    }
  }

  void remove_torrent(lt::storage_index_t index) override {
    // Held answers of a provisional swarm go unanswered: libtorrent has let the torrent go.
    if (auto& storage = at(index); storage->hashes && storage->hashes->provisional) {
      storage->hashes->provisional->drop_waiters(storage.get());
    }
    drop_pending(*at(index));
    forget_recent(index, std::nullopt);
    at(index).reset();
  }

  void async_read(lt::storage_index_t index, const lt::peer_request& request,
                  std::function<void(lt::disk_buffer_holder, const lt::storage_error&)> handler,
                  lt::disk_job_flags_t) override {
    Storage& storage = *at(index);
    lt::storage_error error;
    char* buffer = nullptr;
    if (!storage.in_range(static_cast<int>(request.piece), request.start, request.length) ||
        request.length > kBlockSize) {
      error = storage_error(lt::errors::invalid_piece_index, lt::operation_t::file_read);
    } else if (error = open(storage, Access::kRead); !error) {
      buffer = static_cast<char*>(std::malloc(kBlockSize));
      if (buffer == nullptr) {
        error = system_error(ENOMEM, lt::operation_t::alloc_cache_piece);
      } else if (!read_pending(storage, request, buffer) && !read_recent(index, request, buffer)) {
        error = read_at(storage, {buffer, request.length},
                        storage.offset_of(static_cast<int>(request.piece), request.start));
      }
    }
    if (error && buffer != nullptr) {
      std::free(buffer);
      buffer = nullptr;
    }
    lt::disk_buffer_holder holder(malloc_buffers, buffer, buffer == nullptr ? 0 : request.length);
    boost::asio::post(io_, [handler = std::move(handler), holder = std::move(holder),
                            error]() mutable { handler(std::move(holder), error); });
  }

  bool async_write(lt::storage_index_t index, const lt::peer_request& request, const char* buffer,
                   std::shared_ptr<lt::disk_observer>,
                   std::function<void(const lt::storage_error&)> handler,
                   lt::disk_job_flags_t) override {
    Storage& storage = *at(index);
    const int piece = static_cast<int>(request.piece);
    lt::storage_error error;
    if (!storage.in_range(piece, request.start, request.length) || request.length > kBlockSize ||
        request.start % kBlockSize != 0) {
      error = storage_error(lt::errors::invalid_piece_index, lt::operation_t::file_write);
    } else {
      forget_recent(index, piece);
      error = write_block(storage, piece, request.start / kBlockSize, {buffer, request.length});
    }
    boost::asio::post(io_, [handler = std::move(handler), error] { handler(error); });
    return false;  // never a queue to wait for: the bytes are in the file or in our buffer
  }

  void async_hash(
      lt::storage_index_t index, lt::piece_index_t piece_index, lt::span<lt::sha256_hash> v2,
      lt::disk_job_flags_t flags,
      std::function<void(lt::piece_index_t, const lt::sha1_hash&, const lt::storage_error&)>
          handler) override {
    Storage& storage = *at(index);
    const int piece = static_cast<int>(piece_index);
    lt::sha1_hash v1;
    auto error = flush_piece(storage, piece);
    bool intact = false;
    if (!error && storage.hashes && storage.hashes->provisional) {
      lt::sha256_hash root;
      error = provisional_root(storage, piece, root);
      const auto& roots = *storage.hashes->provisional;
      const auto known = error ? std::nullopt : roots.root(static_cast<std::uint32_t>(piece));
      if (!error && !known) {
        hold_for_root(storage, piece_index, root, std::move(handler));
        drop_piece(storage, piece);
        return;
      }
      if (!error) {
        intact = *known == root;
        v1 = intact ? storage.hashes->v1[static_cast<std::size_t>(piece)] : lt::sha1_hash();
      }
    } else if (!error) {
      error = hash_piece(storage, piece, v2, bool(flags & v1_hash), v1, intact);
    }
    if (!error && intact) keep_recent(index, storage, piece);
    drop_piece(storage, piece);
    boost::asio::post(io_, [handler = std::move(handler), piece_index, v1, error] {
      handler(piece_index, v1, error);
    });
  }

  void async_hash2(
      lt::storage_index_t index, lt::piece_index_t piece_index, int offset, lt::disk_job_flags_t,
      std::function<void(lt::piece_index_t, const lt::sha256_hash&, const lt::storage_error&)>
          handler) override {
    Storage& storage = *at(index);
    lt::sha256_hash hash;
    lt::storage_error error;
    const int piece = static_cast<int>(piece_index);
    if (!storage.in_range(piece, offset, 0) || offset % kBlockSize != 0 ||
        offset >= storage.piece_size(piece)) {
      error = storage_error(lt::errors::invalid_piece_index, lt::operation_t::file_read);
    } else {
      auto hashes =
          block_hashes(storage, piece, offset / kBlockSize, offset / kBlockSize + 1, error);
      if (!error) hash = hashes.front();
    }
    boost::asio::post(io_, [handler = std::move(handler), piece_index, hash, error] {
      handler(piece_index, hash, error);
    });
  }

  void async_move_storage(
      lt::storage_index_t, std::string path, lt::move_flags_t,
      std::function<void(lt::status_t, const std::string&, const lt::storage_error&)> handler)
      override {
    const auto error = storage_error(lt::error_code(boost::system::errc::operation_not_supported,
                                                    boost::system::generic_category()),
                                     lt::operation_t::file_rename);
    boost::asio::post(io_, [handler = std::move(handler), path = std::move(path), error] {
      handler(lt::status_t::fatal_disk_error, path, error);
    });
  }

  // What libtorrent's flush_cache asks for: every block it wrote is in the file afterwards.
  void async_release_files(lt::storage_index_t index, std::function<void()> handler) override {
    flush_pending(*at(index));
    at(index)->opened.reset();  // an offered file stays open: the engine holds it
    if (handler) boost::asio::post(io_, std::move(handler));
  }

  void async_check_files(
      lt::storage_index_t index, const lt::add_torrent_params* resume,
      lt::aux::vector<std::string, lt::file_index_t>,
      std::function<void(lt::status_t, const lt::storage_error&)> handler) override {
    Storage& storage = *at(index);
    lt::storage_error error;
    lt::status_t status = lt::status_t::no_error;
    struct stat file {};
    if (!storage.single_file) {
      error = unsupported();
      status = lt::status_t::fatal_disk_error;
    } else if (stat_file(storage, file) != 0) {
      // No file: nothing to check, whatever the resume data says it had.
      if (errno != ENOENT) {
        error = system_error(errno, lt::operation_t::file_stat);
        status = lt::status_t::fatal_disk_error;
      }
    } else if (!S_ISREG(file.st_mode)) {
      error = system_error(EINVAL, lt::operation_t::file_stat);
      status = lt::status_t::fatal_disk_error;
    } else if (resume != nullptr && (resume->flags & lt::torrent_flags::seed_mode)) {
      // Trusted as complete (the engine verified it) only when it has the whole size.
      if (file.st_size != storage.size) status = lt::status_t::need_full_check;
    } else if (resume == nullptr || resume->have_pieces.empty()) {
      // Bytes nobody vouched for: libtorrent checks every piece (through async_hash).
      if (file.st_size > 0) status = lt::status_t::need_full_check;
    }
    boost::asio::post(io_,
                      [handler = std::move(handler), status, error] { handler(status, error); });
  }

  void async_stop_torrent(lt::storage_index_t index, std::function<void()> handler) override {
    flush_pending(*at(index));
    at(index)->opened.reset();  // an offered file stays open: the engine holds it
    if (handler) boost::asio::post(io_, std::move(handler));
  }

  void async_rename_file(
      lt::storage_index_t index, lt::file_index_t file, std::string name,
      std::function<void(const std::string&, lt::file_index_t, const lt::storage_error&)> handler)
      override {
    Storage& storage = *at(index);
    lt::storage_error error;
    const auto slash = storage.path.rfind('/');
    const std::string target =
        (slash == std::string::npos ? std::string() : storage.path.substr(0, slash + 1)) + name;
    if (!storage.single_file || name.empty() || name.find('/') != std::string::npos) {
      error = system_error(EINVAL, lt::operation_t::file_rename);
    } else if (::rename(storage.path.c_str(), target.c_str()) != 0 && errno != ENOENT) {
      error = system_error(errno, lt::operation_t::file_rename);
    } else {
      storage.path = target;
    }
    boost::asio::post(io_, [handler = std::move(handler), name = std::move(name), file, error] {
      handler(name, file, error);
    });
  }

  void async_delete_files(lt::storage_index_t index, lt::remove_flags_t options,
                          std::function<void(const lt::storage_error&)> handler) override {
    Storage& storage = *at(index);
    drop_pending(storage);
    forget_recent(index, std::nullopt);
    storage.opened.reset();  // an offered file is the engine's to close
    lt::storage_error error;
    if ((options & lt::session::delete_files) && storage.single_file &&
        ::unlink(storage.path.c_str()) != 0 && errno != ENOENT) {
      error = system_error(errno, lt::operation_t::file_remove);
    }
    boost::asio::post(io_, [handler = std::move(handler), error] { handler(error); });
  }

  void async_set_file_priority(
      lt::storage_index_t, lt::aux::vector<lt::download_priority_t, lt::file_index_t> priorities,
      std::function<void(const lt::storage_error&,
                         lt::aux::vector<lt::download_priority_t, lt::file_index_t>)>
          handler) override {
    // One file, never given priority 0: there is no part file to move bytes into or out of.
    boost::asio::post(io_,
                      [handler = std::move(handler), priorities = std::move(priorities)]() mutable {
                        handler(lt::storage_error(), std::move(priorities));
                      });
  }

  void async_clear_piece(lt::storage_index_t index, lt::piece_index_t piece,
                         std::function<void(lt::piece_index_t)> handler) override {
    drop_piece(*at(index), static_cast<int>(piece));
    forget_recent(index, static_cast<int>(piece));
    boost::asio::post(io_, [handler = std::move(handler), piece] { handler(piece); });
  }

  void update_stats_counters(lt::counters&) const override {}
  std::vector<lt::open_file_state> get_status(lt::storage_index_t) const override { return {}; }
  void abort(bool) override {
    for (auto& storage : storages_) {
      if (!storage) continue;
      flush_pending(*storage);
      storage->opened.reset();
    }
  }
  void submit_jobs() override {}
  void settings_updated() override {}

 private:
  std::unique_ptr<Storage>& at(lt::storage_index_t index) {
    return storages_[static_cast<std::size_t>(static_cast<std::uint32_t>(index))];
  }

  static lt::storage_error unsupported() {
    return storage_error(
        lt::error_code(boost::system::errc::not_supported, boost::system::generic_category()),
        lt::operation_t::file_open);
  }

  enum class Access { kRead, kWrite };

  // The file's status: the offered descriptor's, else the path's (a link is not followed).
  static int stat_file(const Storage& storage, struct stat& file) {
    return storage.offered ? ::fstat(storage.offered->get(), &file)
                           : ::lstat(storage.path.c_str(), &file);
  }

  // Opens the file once, unless the engine offered it (then it is used as it is). A write creates
  // it at its full size (sparse) if it is missing, as libtorrent's own back-ends do: readers of a
  // partial cache item find every piece at its offset. A read never creates: a seeded file deleted
  // under us is an error, not zeros served to peers as if they were the content.
  static lt::storage_error open(Storage& storage, Access access) {
    if (storage.offered || storage.opened) return {};
    if (!storage.single_file) return unsupported();
    const int create = access == Access::kWrite ? O_CREAT : 0;
    util::UniqueFd fd(::open(storage.path.c_str(), O_RDWR | create | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd) return system_error(errno, lt::operation_t::file_open);
    struct stat file {};
    if (::fstat(fd.get(), &file) != 0) return system_error(errno, lt::operation_t::file_stat);
    if (!S_ISREG(file.st_mode)) return system_error(EINVAL, lt::operation_t::file_open);
    if (access == Access::kWrite && file.st_size < storage.size &&
        ::ftruncate(fd.get(), storage.size) != 0) {
      return system_error(errno, lt::operation_t::file_truncate);
    }
    storage.opened = std::move(fd);
    return {};
  }

  static lt::storage_error read_at(const Storage& storage, lt::span<char> buffer,
                                   std::int64_t offset) {
    const int error =
        util::pread_fully(storage.fd(), {buffer.data(), static_cast<std::size_t>(buffer.size())},
                          static_cast<std::uint64_t>(offset));
    if (error == ENODATA)
      return storage_error(lt::errors::file_too_short, lt::operation_t::file_read);
    if (error != 0) return system_error(error, lt::operation_t::file_read);
    return {};
  }

  static lt::storage_error write_at(const Storage& storage, lt::span<const char> buffer,
                                    std::int64_t offset) {
    const int error =
        util::pwrite_fully(storage.fd(), {buffer.data(), static_cast<std::size_t>(buffer.size())},
                           static_cast<std::uint64_t>(offset));
    if (error != 0) return system_error(error, lt::operation_t::file_write);
    return {};
  }

  // Keeps block `block` of `piece` in the piece's buffer (made while the budget allows) or
  // writes it to the file, and its hash either way.
  lt::storage_error write_block(Storage& storage, int piece, int block, lt::span<const char> data) {
    auto [it, made] = storage.pending.try_emplace(piece);
    PendingPiece& pending = it->second;
    const auto size = static_cast<std::size_t>(storage.piece_size(piece));
    if (made) {
      pending.hashes.resize(static_cast<std::size_t>(storage.blocks_in(piece)));
      pending.held.resize(pending.hashes.size(), false);
      pending.buffered.resize(pending.hashes.size(), false);
      if (buffered_bytes_ + size <= kWriteBufferBytes) {
        pending.bytes = std::make_unique_for_overwrite<char[]>(size);
        buffered_bytes_ += size;
      }
    }
    const auto at = static_cast<std::size_t>(block);
    if (pending.bytes) {
      std::memcpy(pending.bytes.get() + at * kBlockSize, data.data(),
                  static_cast<std::size_t>(data.size()));
      pending.held[at] = pending.buffered[at] = true;
    } else {
      if (auto error = open(storage, Access::kWrite); error) return error;
      const int start = block * kBlockSize;
      if (auto error = write_at(storage, data, storage.offset_of(piece, start)); error) {
        return error;
      }
    }
    pending.hashes[at] = lt::hasher256(data).final();
    return {};
  }

  // Serves a read from a piece's buffer when the block is there (true), else leaves it to the
  // file. libtorrent reads only pieces it has checked, which are in the file already; a peer's
  // request for a block in flight is the rare case this covers.
  static bool read_pending(const Storage& storage, const lt::peer_request& request, char* out) {
    const auto it = storage.pending.find(static_cast<int>(request.piece));
    if (it == storage.pending.end() || !it->second.bytes) return false;
    const auto first = static_cast<std::size_t>(request.start / kBlockSize);
    const auto last = static_cast<std::size_t>((request.start + request.length - 1) / kBlockSize);
    for (auto block = first; block <= last; ++block) {
      if (!it->second.held[block]) return false;
    }
    std::memcpy(out, it->second.bytes.get() + request.start,
                static_cast<std::size_t>(request.length));
    return true;
  }

  // Writes a piece's buffered blocks to the file, each run of adjacent blocks in one call. A
  // block that could not be written loses its kept hash too, so that a check reads the file
  // and fails rather than vouching for bytes that are not there.
  static lt::storage_error flush_piece(Storage& storage, int piece) {
    const auto it = storage.pending.find(piece);
    if (it == storage.pending.end() || !it->second.bytes) return {};
    PendingPiece& pending = it->second;
    const auto blocks = pending.buffered.size();
    const auto size = static_cast<std::size_t>(storage.piece_size(piece));
    lt::storage_error failed;
    for (std::size_t block = 0; block < blocks;) {
      if (!pending.buffered[block]) {
        ++block;
        continue;
      }
      std::size_t end = block;
      while (end < blocks && pending.buffered[end]) pending.buffered[end++] = false;
      const std::size_t from = block * kBlockSize;
      const std::size_t to = std::min(end * kBlockSize, size);
      auto error = open(storage, Access::kWrite);
      if (!error) {
        error =
            write_at(storage, {pending.bytes.get() + from, static_cast<std::ptrdiff_t>(to - from)},
                     storage.offset_of(piece, static_cast<int>(from)));
      }
      if (error) {
        for (auto lost = block; lost < end; ++lost) pending.hashes[lost].reset();
        if (!failed) failed = error;
      }
      block = end;
    }
    return failed;
  }

  // Moves a checked piece's bytes, when it has all of them, into the recent pieces.
  void keep_recent(lt::storage_index_t index, Storage& storage, int piece) {
    const auto it = storage.pending.find(piece);
    if (it == storage.pending.end() || !it->second.bytes) return;
    PendingPiece& pending = it->second;
    if (std::find(pending.held.begin(), pending.held.end(), false) != pending.held.end()) return;
    const auto size = static_cast<std::size_t>(storage.piece_size(piece));
    buffered_bytes_ -= size;
    recent_bytes_ += size;
    recent_.push_back(
        RecentPiece{static_cast<std::uint32_t>(index), piece, size, std::move(pending.bytes)});
    while (recent_bytes_ > kRecentBytes) {
      recent_bytes_ -= recent_.front().size;
      recent_.pop_front();
    }
  }

  bool read_recent(lt::storage_index_t index, const lt::peer_request& request, char* out) const {
    for (const auto& recent : recent_) {
      if (recent.storage != static_cast<std::uint32_t>(index) ||
          recent.piece != static_cast<int>(request.piece)) {
        continue;
      }
      std::memcpy(out, recent.bytes.get() + request.start,
                  static_cast<std::size_t>(request.length));
      return true;
    }
    return false;
  }

  // Forgets one piece of a storage, or all of them (nullopt), from the recent pieces.
  void forget_recent(lt::storage_index_t index, std::optional<int> piece) {
    std::erase_if(recent_, [&](const RecentPiece& recent) {
      const bool gone =
          recent.storage == static_cast<std::uint32_t>(index) && (!piece || recent.piece == *piece);
      if (gone) recent_bytes_ -= recent.size;
      return gone;
    });
  }

  void flush_pending(Storage& storage) {
    for (auto& [piece, pending] : storage.pending) (void)flush_piece(storage, piece);
  }

  void drop_piece(Storage& storage, int piece) {
    const auto it = storage.pending.find(piece);
    if (it == storage.pending.end()) return;
    if (it->second.bytes) buffered_bytes_ -= static_cast<std::size_t>(storage.piece_size(piece));
    storage.pending.erase(it);
  }

  void drop_pending(Storage& storage) {
    while (!storage.pending.empty()) drop_piece(storage, storage.pending.begin()->first);
  }

  // The SHA-256 of blocks [first, end) of `piece`: kept from the write where there is one,
  // read back and hashed otherwise (a re-check, a block written before a restart).
  static std::vector<lt::sha256_hash> block_hashes(Storage& storage, int piece, int first, int end,
                                                   lt::storage_error& error) {
    std::vector<lt::sha256_hash> hashes;
    hashes.reserve(static_cast<std::size_t>(end - first));
    const auto kept = storage.pending.find(piece);
    std::vector<char> buffer;
    for (int block = first; block < end; ++block) {
      if (kept != storage.pending.end() && kept->second.hashes[static_cast<std::size_t>(block)]) {
        hashes.push_back(*kept->second.hashes[static_cast<std::size_t>(block)]);
        continue;
      }
      if (error = open(storage, Access::kRead); error) return {};
      const int start = block * kBlockSize;
      buffer.resize(
          static_cast<std::size_t>(std::min(kBlockSize, storage.piece_size(piece) - start)));
      if (error = read_at(storage, buffer, storage.offset_of(piece, start)); error) return {};
      hashes.push_back(lt::hasher256(buffer.data(), static_cast<int>(buffer.size())).final());
    }
    return hashes;
  }

  // A provisional swarm's piece: the Merkle root of its blocks (see provisional_roots.h).
  static lt::storage_error provisional_root(Storage& storage, int piece, lt::sha256_hash& root) {
    if (!storage.single_file) return unsupported();
    if (piece < 0 || piece >= storage.pieces) {
      return storage_error(lt::errors::invalid_piece_index, lt::operation_t::file_read);
    }
    lt::storage_error error;
    const auto hashes = block_hashes(storage, piece, 0, storage.blocks_in(piece), error);
    if (!error) root = merkle_root(hashes, storage.hashes->leaves_per_piece);
    return error;
  }

  // A provisional swarm's piece whose root nobody announced yet: libtorrent's hash job is
  // answered once one is (its v1 check then compares the placeholder, or zeros: a mismatch).
  // The bytes came from a peer that verified the piece, and it sends the root too; the piece
  // waits in libtorrent's "hashing" state meanwhile.
  void hold_for_root(
      Storage& storage, lt::piece_index_t piece_index, const lt::sha256_hash& root,
      std::function<void(lt::piece_index_t, const lt::sha1_hash&, const lt::storage_error&)>
          handler) {
    const auto placeholder =
        storage.hashes->v1[static_cast<std::size_t>(static_cast<int>(piece_index))];
    storage.hashes->provisional->when_known(
        static_cast<std::uint32_t>(static_cast<int>(piece_index)), &storage,
        [io = &io_, handler = std::move(handler), piece_index, root,
         placeholder](const lt::sha256_hash& known) {
          const auto v1 = known == root ? placeholder : lt::sha1_hash();
          boost::asio::post(
              *io, [handler, piece_index, v1] { handler(piece_index, v1, lt::storage_error()); });
        });
  }

  // Fills `v2` with the piece's block hashes and `v1` with what libtorrent's v1 check compares
  // (see the header): for a torrent the registry knows, decided by the Merkle root alone.
  static lt::storage_error hash_piece(Storage& storage, int piece, lt::span<lt::sha256_hash> v2,
                                      bool want_v1, lt::sha1_hash& v1, bool& intact) {
    if (!storage.single_file) return unsupported();
    if (piece < 0 || piece >= storage.pieces) {
      return storage_error(lt::errors::invalid_piece_index, lt::operation_t::file_read);
    }
    const int blocks = storage.blocks_in(piece);
    const auto& known = storage.hashes;
    const bool root_decides = known && !v2.empty() && std::size_t(piece) < known->layer.size();
    if (!v2.empty()) {
      lt::storage_error error;
      auto hashes = block_hashes(storage, piece, 0, blocks, error);
      if (error) return error;
      for (std::size_t block = 0; block < hashes.size() && block < std::size_t(v2.size());
           ++block) {
        v2[static_cast<std::ptrdiff_t>(block)] = hashes[block];
      }
      if (root_decides && want_v1) {
        intact = merkle_root(hashes, known->leaves_per_piece) ==
                 known->layer[static_cast<std::size_t>(piece)];
        v1 = intact ? known->v1[static_cast<std::size_t>(piece)] : lt::sha1_hash();
      }
      if (root_decides || !want_v1) return {};
    }
    // A torrent without a v2 piece layer: libtorrent's SHA-1 over the piece, read back.
    if (auto error = open(storage, Access::kRead); error) return error;
    std::vector<char> buffer(static_cast<std::size_t>(storage.piece_size(piece)));
    if (auto error = read_at(storage, buffer, storage.offset_of(piece, 0)); error) return error;
    v1 = lt::hasher(buffer.data(), static_cast<int>(buffer.size())).final();
    return {};
  }

  lt::io_context& io_;
  std::shared_ptr<PieceHashRegistry> registry_;
  std::shared_ptr<StorageFiles> files_;
  std::vector<std::unique_ptr<Storage>> storages_;  // by storage index; null: a free slot
  std::size_t buffered_bytes_ = 0;                  // in PendingPiece::bytes, all storages
  std::deque<RecentPiece> recent_;                  // oldest first
  std::size_t recent_bytes_ = 0;
};

}  // namespace

lt::disk_io_constructor_type file_disk(std::shared_ptr<PieceHashRegistry> registry,
                                       std::shared_ptr<StorageFiles> files) {
  return [registry = std::move(registry), files = std::move(files)](
             lt::io_context& io, const lt::settings_interface&, lt::counters&) {
    return std::unique_ptr<lt::disk_interface>(new FileDisk(io, registry, files));
  };
}

}  // namespace swarmcopy::peer
