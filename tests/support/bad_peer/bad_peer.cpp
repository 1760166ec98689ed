#include "bad_peer/bad_peer.h"

// Before any Boost header: Boost 1.74's awaitable.hpp uses std::exchange without including it.
#include <utility>

#include <algorithm>
#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <vector>

namespace swarmcopy::test {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

constexpr std::string_view kProtocol = "\023BitTorrent protocol";  // length 19, then the name
constexpr std::size_t kHandshakeSize = 68;  // protocol, 8 reserved, info-hash, peer id
constexpr std::size_t kInfoHashOffset = 28;
constexpr char kUnchoke = 1;
constexpr char kBitfield = 5;
constexpr char kRequest = 6;
constexpr char kPiece = 7;
// Far above anything a downloader sends us (requests, haves, its bitfield); a longer length
// prefix means the stream is not BitTorrent, so we hang up rather than allocate it.
constexpr std::uint32_t kMaxMessage = 1 << 20;
// Clients refuse larger requests too (libtorrent asks for 16 KiB blocks).
constexpr std::uint32_t kMaxBlock = 128 << 10;
// Bounds one connection's message loop: 4 Mi messages is 64 GiB of 16 KiB requests.
constexpr std::uint64_t kMaxMessagesPerConnection = 1 << 22;

void put_u32(std::string& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}

std::uint32_t get_u32(const char* in) {
  std::uint32_t value = 0;
  for (int i = 0; i < 4; ++i) value = (value << 8) | static_cast<unsigned char>(in[i]);
  return value;
}

std::array<char, 20> parse_info_hash(const std::string& hex) {
  if (hex.size() != 40) throw std::invalid_argument("BadPeer: info_hash_v1 needs 40 hex digits");
  auto digit = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    throw std::invalid_argument("BadPeer: info_hash_v1 is not hex");
  };
  std::array<char, 20> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = static_cast<char>(digit(hex[2 * i]) * 16 + digit(hex[2 * i + 1]));
  }
  return bytes;
}

// Azureus-style, so that a client's logs name us; random, so that two BadPeers in one test are
// not taken for one peer connected twice.
std::array<char, 20> make_peer_id() {
  std::array<char, 20> id{};
  constexpr std::string_view kPrefix = "-SB0001-";
  std::copy(kPrefix.begin(), kPrefix.end(), id.begin());
  std::random_device random;
  for (std::size_t i = kPrefix.size(); i < id.size(); ++i) {
    id[i] = static_cast<char>('a' + random() % 26);
  }
  return id;
}

void validate(const BadPeerOptions& options) {
  if (options.pieces == 0 || options.piece_size == 0) {
    throw std::invalid_argument("BadPeer: pieces and piece_size must be positive");
  }
  const std::uint64_t full = std::uint64_t{options.pieces - 1} * options.piece_size;
  if (options.size <= full || options.size > full + options.piece_size) {
    throw std::invalid_argument("BadPeer: size does not match pieces and piece_size");
  }
  if (options.max_connections <= 0) {
    throw std::invalid_argument("BadPeer: max_connections must be positive");
  }
  if (options.mode == BadPeerOptions::Mode::kGarbageForSomePieces) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(options.source_file, ec);
    if (ec) throw std::filesystem::filesystem_error("BadPeer", options.source_file, ec);
    if (size < options.size) {
      throw std::invalid_argument("BadPeer: source_file is shorter than size");
    }
  }
}

// Pseudo-random bytes that depend on where they claim to be, so that a log or a hexdump tells
// blocks apart; never the true data in practice (2^-64 per 8 bytes).
void fill_garbage(std::vector<char>& block, std::uint32_t piece, std::uint32_t begin) {
  std::uint64_t state = (std::uint64_t{piece} << 32 | begin) ^ 0x5eed'ba0d'f00d'0001ULL;
  for (std::size_t i = 0; i < block.size(); i += 8) {
    state += 0x9e37'79b9'7f4a'7c15ULL;  // splitmix64
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xbf58'476d'1ce4'e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d0'49bb'1331'11ebULL;
    z ^= z >> 31;
    for (std::size_t j = 0; j < 8 && i + j < block.size(); ++j) {
      block[i + j] = static_cast<char>(z >> (8 * j));
    }
  }
}

// How a connection ended: the remote hung up (FIN or RST, seen on a read or a write), or we
// ended it (a protocol violation, our destructor).
bool remote_hung_up(const boost::system::error_code& ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::error::connection_aborted;
}

}  // namespace

struct BadPeer::Impl {
  explicit Impl(BadPeerOptions opts)
      : options(std::move(opts)),
        info_hash(parse_info_hash(options.info_hash_v1)),
        peer_id(make_peer_id()),
        acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    if (options.mode == BadPeerOptions::Mode::kGarbageForSomePieces) {
      source.open(options.source_file, std::ios::binary);
      if (!source) {
        throw std::filesystem::filesystem_error(
            "BadPeer", options.source_file,
            std::make_error_code(std::errc::no_such_file_or_directory));
      }
    }
    port = acceptor.local_endpoint().port();
    asio::co_spawn(io, accept_loop(), asio::detached);
    thread = std::thread([this] { io.run(); });
  }

  ~Impl() {
    asio::post(io, [this] {
      stopping = true;
      boost::system::error_code ignored;
      acceptor.close(ignored);
      // Every coroutine waits on one of these sockets (or the acceptor); closing them wakes
      // each with an error, it ends, and with the last one the io_context runs out of work.
      for (tcp::socket* socket : open_sockets) socket->close(ignored);
    });
    work.reset();
    thread.join();
  }

  std::uint32_t piece_length(std::uint32_t piece) const {
    if (piece + 1 < options.pieces) return options.piece_size;
    return static_cast<std::uint32_t>(options.size -
                                      std::uint64_t{options.pieces - 1} * options.piece_size);
  }

  bool is_garbage(std::uint32_t piece) const {  // with `mutex` held
    if (options.mode == BadPeerOptions::Mode::kAllGarbage) return true;
    return stats.pieces_delivered.size() >= options.true_pieces_first &&
           options.corrupt_pieces.contains(piece);
  }

  std::string handshake() const {
    std::string out(kProtocol);
    out.append(8, '\0');  // reserved: no extensions, so the remote uses none
    out.append(info_hash.data(), info_hash.size());
    out.append(peer_id.data(), peer_id.size());
    return out;
  }

  // bitfield (every piece; spare bits clear, as BEP 3 requires) then unchoke.
  std::string bitfield_and_unchoke() const {
    std::string bits((options.pieces + 7) / 8, '\0');
    for (std::uint32_t p = 0; p < options.pieces; ++p) {
      bits[p / 8] = static_cast<char>(bits[p / 8] | (0x80 >> (p % 8)));
    }
    std::string out;
    put_u32(out, static_cast<std::uint32_t>(bits.size() + 1));
    out.push_back(kBitfield);
    out += bits;
    put_u32(out, 1);
    out.push_back(kUnchoke);
    return out;
  }

  // A connection slot, if any is left (io thread only).
  bool admit() {
    if (stopping || handled >= options.max_connections) return false;
    ++handled;
    return true;
  }

  // Registers a socket for closing by the destructor while its coroutine runs (io thread only).
  struct OpenSocket {
    OpenSocket(Impl& owner, tcp::socket& s) : impl(owner), socket(&s) {
      impl.open_sockets.insert(socket);
    }
    ~OpenSocket() { impl.open_sockets.erase(socket); }
    Impl& impl;
    tcp::socket* socket;
  };

  asio::awaitable<void> accept_loop() {
    // Bounded: max_connections accepts at most, and over once the acceptor closes.
    for (int turn = 0; turn < options.max_connections && acceptor.is_open(); ++turn) {
      boost::system::error_code ec;
      tcp::socket socket =
          co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) continue;  // closed (the loop ends) or a transient failure
      if (!admit()) {
        socket.close(ec);
        continue;
      }
      {
        std::lock_guard lock(mutex);
        ++stats.connections_accepted;
      }
      asio::co_spawn(io, serve_accepted(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> serve_accepted(tcp::socket socket) {
    OpenSocket registered(*this, socket);
    // The destructor's sweep may have run between the accept and this coroutine's start.
    if (stopping) co_return;
    co_await serve(socket, false);
  }

  asio::awaitable<void> dial_out(std::string address, std::uint16_t remote_port) {
    boost::system::error_code ec;
    const auto ip = asio::ip::make_address(address, ec);
    if (ec || !admit()) {
      std::lock_guard lock(mutex);
      ++stats.dial_failures;
      co_return;
    }
    tcp::socket socket(io);
    OpenSocket registered(*this, socket);
    co_await socket.async_connect(tcp::endpoint(ip, remote_port),
                                  asio::redirect_error(asio::use_awaitable, ec));
    {
      std::lock_guard lock(mutex);
      if (ec) {
        ++stats.dial_failures;
      } else {
        ++stats.connections_dialed;
      }
    }
    if (!ec) co_await serve(socket, true);
  }

  // One connection from handshake to hang-up, then its bookkeeping.
  asio::awaitable<void> serve(tcp::socket& socket, bool we_dialed) {
    {
      std::lock_guard lock(mutex);
      ++stats.open_connections;
    }
    const bool remote_closed = co_await converse(socket, we_dialed);
    boost::system::error_code ignored;
    socket.close(ignored);
    std::lock_guard lock(mutex);
    --stats.open_connections;
    if (remote_closed) {
      const auto now = std::chrono::steady_clock::now();
      ++stats.remote_closes;
      if (!stats.first_remote_close) stats.first_remote_close = now;
      stats.last_remote_close = now;
    }
  }

  // Returns whether the remote ended the conversation (false: we did).
  asio::awaitable<bool> converse(tcp::socket& socket, bool we_dialed) {
    boost::system::error_code ec;
    auto token = asio::redirect_error(asio::use_awaitable, ec);
    const std::string ours = handshake();
    // The side that connects speaks first; the other answers once it knows the torrent.
    if (we_dialed) {
      co_await asio::async_write(socket, asio::buffer(ours), token);
      if (ec) co_return remote_hung_up(ec);
    }
    std::array<char, kHandshakeSize> theirs{};
    co_await asio::async_read(socket, asio::buffer(theirs), token);
    if (ec) co_return remote_hung_up(ec);
    if (std::string_view(theirs.data(), kProtocol.size()) != kProtocol ||
        !std::equal(info_hash.begin(), info_hash.end(), theirs.begin() + kInfoHashOffset)) {
      std::lock_guard lock(mutex);
      ++stats.handshakes_refused;
      co_return false;
    }
    const std::string greeting = (we_dialed ? std::string() : ours) + bitfield_and_unchoke();
    co_await asio::async_write(socket, asio::buffer(greeting), token);
    if (ec) co_return remote_hung_up(ec);
    {
      std::lock_guard lock(mutex);
      ++stats.handshakes;
    }

    std::array<char, 4> length_prefix{};
    std::vector<char> message;
    for (std::uint64_t n = 0; n < kMaxMessagesPerConnection; ++n) {
      co_await asio::async_read(socket, asio::buffer(length_prefix), token);
      if (ec) co_return remote_hung_up(ec);
      const std::uint32_t length = get_u32(length_prefix.data());
      if (length == 0) continue;  // keep-alive
      if (length > kMaxMessage) co_return false;
      message.resize(length);
      co_await asio::async_read(socket, asio::buffer(message), token);
      if (ec) co_return remote_hung_up(ec);
      // Everything but a request (interested, have, cancel, ...) changes nothing we do: we
      // never choke, and answer each request as soon as it is read, so a cancel comes too late.
      if (message[0] != kRequest || length != 13) continue;
      const std::uint32_t piece = get_u32(message.data() + 1);
      const std::uint32_t begin = get_u32(message.data() + 5);
      const std::uint32_t block_length = get_u32(message.data() + 9);
      bool garbage = false;
      {
        std::lock_guard lock(mutex);
        ++stats.requests;
        garbage = is_garbage(piece);
      }
      if (piece >= options.pieces || block_length == 0 || block_length > kMaxBlock ||
          begin > piece_length(piece) || block_length > piece_length(piece) - begin) {
        continue;  // nothing sensible to send; a real client would not ask
      }
      std::vector<char> block(block_length);
      if (!make_block(piece, begin, garbage, block)) co_return false;
      std::string header;
      put_u32(header, 9 + block_length);
      header.push_back(kPiece);
      put_u32(header, piece);
      put_u32(header, begin);
      const std::array<asio::const_buffer, 2> buffers{asio::buffer(header), asio::buffer(block)};
      co_await asio::async_write(socket, buffers, token);
      if (ec) co_return remote_hung_up(ec);
      {
        std::lock_guard lock(mutex);
        record_block(piece, begin, block_length, garbage);
      }
    }
    co_return false;
  }

  // The block's bytes: garbage, or the true data from the source file. False if the file
  // cannot be read (it was long enough at construction; one that shrank since is the test's bug).
  bool make_block(std::uint32_t piece, std::uint32_t begin, bool garbage,
                  std::vector<char>& block) {
    if (garbage) {
      fill_garbage(block, piece, begin);
      return true;
    }
    source.clear();
    source.seekg(static_cast<std::streamoff>(std::uint64_t{piece} * options.piece_size + begin));
    source.read(block.data(), static_cast<std::streamsize>(block.size()));
    return static_cast<bool>(source);
  }

  // With `mutex` held, once a block is written.
  void record_block(std::uint32_t piece, std::uint32_t begin, std::uint32_t length, bool garbage) {
    ++stats.blocks_sent;
    stats.bytes_sent += length;
    if (garbage) {
      ++stats.garbage_blocks_sent;
      garbage_written.insert(piece);
    }
    auto& sent = sent_blocks[piece];
    sent[begin] = std::max(sent[begin], length);
    std::uint64_t covered = 0;
    std::uint32_t end = 0;  // a remote may ask for overlapping blocks: count each byte once
    for (const auto& [first, bytes] : sent) {
      const std::uint32_t last = first + bytes;
      if (last > end) covered += last - std::max(first, end);
      end = std::max(end, last);
    }
    if (covered == piece_length(piece) && delivered.insert(piece).second) {
      stats.pieces_delivered.push_back(piece);
      if (garbage_written.contains(piece)) stats.garbage_pieces_delivered.insert(piece);
    }
  }

  const BadPeerOptions options;
  const std::array<char, 20> info_hash;
  const std::array<char, 20> peer_id;
  asio::io_context io;
  // Keeps run() going while nothing is pending (accept budget spent, a dial() still to come).
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  tcp::acceptor acceptor;
  std::uint16_t port = 0;
  std::thread thread;

  // io thread only.
  bool stopping = false;
  int handled = 0;
  std::unordered_set<tcp::socket*> open_sockets;
  std::ifstream source;

  mutable std::mutex mutex;  // guards everything below
  BadPeerStats stats;
  std::map<std::uint32_t, std::map<std::uint32_t, std::uint32_t>> sent_blocks;  // begin → length
  std::set<std::uint32_t> garbage_written;
  std::set<std::uint32_t> delivered;
};

BadPeer::BadPeer(BadPeerOptions options) {
  validate(options);
  impl_ = std::make_unique<Impl>(std::move(options));
}

BadPeer::~BadPeer() = default;

std::uint16_t BadPeer::port() const { return impl_->port; }

void BadPeer::dial(const std::string& address, std::uint16_t port) {
  asio::post(impl_->io, [impl = impl_.get(), address, port] {
    asio::co_spawn(impl->io, impl->dial_out(address, port), asio::detached);
  });
}

BadPeerStats BadPeer::stats() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->stats;
}

}  // namespace swarmcopy::test
