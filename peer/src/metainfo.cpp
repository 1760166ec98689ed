#include "swarmcopy/peer/metainfo.h"

#include "piece_hashes.h"
#include "piece_hashing.h"
#include "swarmcopy/util/unique_fd.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <iterator>
#include <libtorrent/bencode.hpp>
#include <libtorrent/create_torrent.hpp>
#include <libtorrent/error_code.hpp>
#include <libtorrent/hasher.hpp>
#include <libtorrent/hex.hpp>
#include <libtorrent/load_torrent.hpp>
#include <libtorrent/torrent_info.hpp>

namespace swarmcopy::peer {
namespace {

api::Error invalid(std::string message, const std::string& source) {
  return api::Error{api::ErrorContext::kRemoteFile,
                    api::ErrorKind::kInvalidArgument,
                    0,
                    std::move(message),
                    source,
                    api::Protocol::kNone};
}

api::Error local(std::string message, const std::string& path, int err) {
  return api::Error{
      api::ErrorContext::kLocalFile, api::ErrorKind::kLocalIo, err, std::move(message), path,
      api::Protocol::kLocal};
}

Metainfo describe(const lt::torrent_info& info, const PieceHashes& piece_hashes,
                  std::vector<char> bytes) {
  Metainfo meta;
  meta.name = info.name();
  meta.size = static_cast<std::uint64_t>(info.total_size());
  meta.piece_size = static_cast<std::uint32_t>(info.piece_length());
  meta.pieces = static_cast<std::uint32_t>(info.num_pieces());
  const auto hashes = info.info_hashes();
  meta.info_hash_v2 = lt::aux::to_hex(hashes.v2);
  meta.info_hash_v1 = lt::aux::to_hex(hashes.v1);
  meta.piece_roots.reserve(piece_hashes.layer.size() * lt::sha256_hash::size());
  for (const auto& root : piece_hashes.layer) meta.piece_roots.append(root.data(), root.size());
  meta.leaves_per_piece = static_cast<std::uint32_t>(piece_hashes.leaves_per_piece);
  meta.bytes = std::move(bytes);
  return meta;
}

bool is_sha256_hex(const std::string& text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool is_power_of_two(std::uint32_t value) { return value != 0 && (value & (value - 1)) == 0; }

// The bencoded hybrid (v1 + v2) metainfo of the one file `storage` names, its pieces hashed
// from `fd`; `creator` left out when empty. No creation date: the same bytes give the same
// metainfo.
std::optional<std::vector<char>> hybrid_metainfo(lt::file_storage& storage, int fd,
                                                 std::uint64_t size, std::uint32_t piece_size,
                                                 const char* creator, HashFailure& failure) {
  // No flags: libtorrent 2.0 makes a hybrid (v1 + v2) torrent by default.
  lt::create_torrent torrent(storage, static_cast<int>(piece_size));
  if (creator != nullptr) torrent.set_creator(creator);
  torrent.set_creation_date(0);
  const PieceGeometry geometry{
      size, static_cast<std::uint32_t>(torrent.piece_length()),
      leaves_per_piece(size, static_cast<std::uint32_t>(torrent.piece_length()))};
  const auto digests = hash_pieces(fd, geometry, true, failure);
  if (!digests) return std::nullopt;
  for (int piece = 0; piece < torrent.num_pieces(); ++piece) {
    torrent.set_hash(lt::piece_index_t{piece}, digests->v1[std::size_t(piece)]);
    torrent.set_hash2(lt::file_index_t{0}, lt::piece_index_t::diff_type{piece},
                      digests->roots[std::size_t(piece)]);
  }
  std::vector<char> bytes;
  lt::bencode(std::back_inserter(bytes), torrent.generate());
  return bytes;
}

}  // namespace

std::uint32_t site_piece_size(std::uint64_t size) {
  // Our own rule, not libtorrent's automatic choice, so that machines with different libtorrent
  // versions agree: the smallest power of two from 16 KiB to 16 MiB that keeps the file within
  // 2048 pieces (a 256 MiB file: 128 KiB pieces; 4 GiB: 2 MiB).
  constexpr std::uint32_t kMin = 16 * 1024;
  constexpr std::uint32_t kMax = 16 * 1024 * 1024;
  constexpr std::uint64_t kTargetPieces = 2048;
  std::uint32_t piece = kMin;
  while (piece < kMax && (size + piece - 1) / piece > kTargetPieces) piece *= 2;
  return piece;
}

api::Result<Metainfo> make_site_metainfo(int fd, std::uint64_t size, const std::string& sha256) {
  if (!is_sha256_hex(sha256)) {
    return std::unexpected(api::Error{api::ErrorContext::kCaller, api::ErrorKind::kInvalidArgument,
                                      0, "a content's SHA-256 is 64 lower-case hex digits", sha256,
                                      api::Protocol::kNone});
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
      static_cast<std::uint64_t>(st.st_size) < size || size == 0) {
    return std::unexpected(local("not a regular file of the content's size", sha256, EINVAL));
  }
  lt::file_storage storage;
  storage.add_file(sha256, static_cast<std::int64_t>(size));
  HashFailure failure;
  auto bytes = hybrid_metainfo(storage, fd, size, site_piece_size(size), nullptr, failure);
  if (!bytes) return std::unexpected(local("cannot hash the content", sha256, failure.error));
  return parse_metainfo(*bytes, "sha256:" + sha256);
}

api::Result<Metainfo> make_provisional_metainfo(const std::string& sha256, std::uint64_t size) {
  if (!is_sha256_hex(sha256)) {
    return std::unexpected(api::Error{api::ErrorContext::kCaller, api::ErrorKind::kInvalidArgument,
                                      0, "a content's SHA-256 is 64 lower-case hex digits", sha256,
                                      api::Protocol::kNone});
  }
  if (size == 0) {
    return std::unexpected(api::Error{api::ErrorContext::kCaller, api::ErrorKind::kInvalidArgument,
                                      0, "an empty file has no pieces to share", sha256,
                                      api::Protocol::kNone});
  }
  const auto piece_size = site_piece_size(size);
  const auto pieces = static_cast<std::uint32_t>((size + piece_size - 1) / piece_size);
  // Placeholders, never all zero (FileDisk answers a failed check with zeros): SHA-1 of the
  // SHA-256 and the piece's index, so that no two pieces look alike.
  std::string placeholders;
  placeholders.reserve(std::size_t{pieces} * 20);
  for (std::uint32_t piece = 0; piece < pieces; ++piece) {
    lt::hasher hasher;
    hasher.update("swarmcopy provisional ");
    hasher.update(sha256);
    hasher.update(" " + std::to_string(piece));
    const auto hash = hasher.final();
    placeholders.append(hash.data(), hash.size());
  }
  lt::entry info(lt::entry::dictionary_t);
  info["name"] = sha256 + ".provisional";
  info["length"] = static_cast<std::int64_t>(size);
  info["piece length"] = static_cast<std::int64_t>(piece_size);
  info["pieces"] = std::move(placeholders);
  std::vector<char> info_bytes;
  lt::bencode(std::back_inserter(info_bytes), info);
  lt::entry torrent(lt::entry::dictionary_t);
  torrent["info"] = std::move(info);
  Metainfo meta;
  lt::bencode(std::back_inserter(meta.bytes), torrent);
  meta.name = sha256 + ".provisional";
  meta.size = size;
  meta.piece_size = piece_size;
  meta.pieces = pieces;
  meta.info_hash_v1 = lt::aux::to_hex(lt::hasher(info_bytes).final());
  meta.info_hash_v2 = lt::aux::to_hex(lt::hasher256(info_bytes).final());
  meta.leaves_per_piece = static_cast<std::uint32_t>(leaves_per_piece(size, piece_size));
  meta.provisional = true;
  return meta;
}

api::Result<Metainfo> publish(const std::filesystem::path& file, std::uint32_t piece_size) {
  if (piece_size != 0 && (piece_size < 16 * 1024 || !is_power_of_two(piece_size))) {
    return std::unexpected(api::Error{api::ErrorContext::kCaller, api::ErrorKind::kInvalidArgument,
                                      0, "piece size must be a power of two of at least 16 KiB",
                                      file.string(), api::Protocol::kLocal});
  }
  std::error_code fs_error;
  if (!std::filesystem::is_regular_file(file, fs_error)) {
    return std::unexpected(local("not a regular file", file.string(), ENOENT));
  }
  util::UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!fd) return std::unexpected(local("cannot read the file", file.string(), errno));
  lt::file_storage storage;
  lt::add_files(storage, file.string());
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || storage.num_files() != 1 ||
      static_cast<std::uint64_t>(st.st_size) != static_cast<std::uint64_t>(storage.total_size())) {
    return std::unexpected(
        local("the file changed while it was being published", file.string(), EAGAIN));
  }
  if (st.st_size == 0)
    return std::unexpected(local("an empty file has no pieces to publish", file.string(), EINVAL));
  HashFailure failure;
  auto hashed = hybrid_metainfo(storage, fd.get(), static_cast<std::uint64_t>(st.st_size),
                                piece_size, "swarmcopy", failure);
  if (!hashed) return std::unexpected(local("cannot hash the file", file.string(), failure.error));
  std::vector<char> bytes = std::move(*hashed);

  // Beside the file, replaced atomically: an origin never serves a half-written metainfo.
  const auto target = file.string() + ".torrent";
  const auto temp = target + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) return std::unexpected(local("cannot write metainfo", temp, errno));
  }
  if (::rename(temp.c_str(), target.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    return std::unexpected(local("cannot write metainfo", target, err));
  }
  return parse_metainfo(bytes, target);
}

api::Result<Metainfo> parse_metainfo(std::span<const char> bytes, const std::string& source) {
  lt::error_code ec;
  lt::torrent_info info(bytes.data(), static_cast<int>(bytes.size()), ec);
  if (ec) return std::unexpected(invalid("metainfo not understood: " + ec.message(), source));
  if (info.num_files() != 1) {
    return std::unexpected(invalid("metainfo describes " + std::to_string(info.num_files()) +
                                       " files; swarmcopy needs one per URL",
                                   source));
  }
  if (!info.info_hashes().has_v2()) {
    return std::unexpected(
        invalid("metainfo has no v2 part (publish it with swarmcopy publish)", source));
  }
  // v1-only peers (and libtorrent's answer to its own v1 check, FileDisk) need the v1 part.
  if (!info.info_hashes().has_v1()) {
    return std::unexpected(invalid(
        "metainfo has no v1 part (a hybrid one is needed: publish it with swarmcopy publish)",
        source));
  }
  // Every piece is checked against the piece layer: without it, none could be.
  const auto piece_hashes = PieceHashes::of(info);
  if (!piece_hashes) {
    return std::unexpected(invalid("metainfo has no piece layer for its file", source));
  }
  return describe(info, *piece_hashes, std::vector<char>(bytes.begin(), bytes.end()));
}

}  // namespace swarmcopy::peer

namespace swarmcopy::peer {

std::string piece_root(const Metainfo& meta, std::uint32_t piece, std::span<const char> data) {
  constexpr std::size_t kBlock = 16 * 1024;
  if (piece >= meta.pieces) return {};
  const std::uint64_t offset = std::uint64_t{piece} * meta.piece_size;
  if (data.size() != std::min<std::uint64_t>(meta.piece_size, meta.size - offset)) return {};
  std::vector<lt::sha256_hash> blocks;
  blocks.reserve((data.size() + kBlock - 1) / kBlock);
  for (std::size_t at = 0; at < data.size(); at += kBlock) {
    lt::hasher256 block(data.data() + at, static_cast<int>(std::min(kBlock, data.size() - at)));
    blocks.push_back(block.final());
  }
  const auto root = merkle_root(blocks, static_cast<int>(meta.leaves_per_piece));
  return std::string(root.data(), root.size());
}

bool piece_matches(const Metainfo& meta, std::uint32_t piece, std::span<const char> data) {
  constexpr std::size_t kRoot = lt::sha256_hash::size();
  if (piece >= meta.pieces || meta.piece_roots.size() < (piece + 1ull) * kRoot) return false;
  const auto root = piece_root(meta, piece, data);
  return !root.empty() && root == meta.piece_roots.substr(std::size_t{piece} * kRoot, kRoot);
}

bool verify_fd(const Metainfo& meta, int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return false;
  if (static_cast<std::uint64_t>(st.st_size) != meta.size || meta.size == 0) return false;
  constexpr std::size_t kRoot = lt::sha256_hash::size();
  if (meta.piece_roots.size() != std::size_t{meta.pieces} * kRoot) return false;
  HashFailure failure;
  const auto digests = hash_pieces(
      fd, PieceGeometry{meta.size, meta.piece_size, static_cast<int>(meta.leaves_per_piece)}, false,
      failure);
  if (!digests || digests->roots.size() != meta.pieces) return false;
  for (std::uint32_t piece = 0; piece < meta.pieces; ++piece) {
    if (digests->roots[piece] != lt::sha256_hash(meta.piece_roots.data() + piece * kRoot)) {
      return false;
    }
  }
  return true;
}

bool verify_file(const Metainfo& meta, const std::filesystem::path& file) {
  // O_NONBLOCK: a FIFO in the item's place fails the regular-file check instead of waiting.
  util::UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  return fd.valid() && verify_fd(meta, fd.get());
}

}  // namespace swarmcopy::peer
