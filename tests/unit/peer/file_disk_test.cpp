// FileDisk driven as libtorrent drives it: blocks written, pieces hashed, blocks read for
// peers, the file checked on add, and flush_cache's release; every answer checked against the
// published metainfo and the bytes on disk.
#include "file_disk.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <fstream>
#include <libtorrent/add_torrent_params.hpp>
#include <libtorrent/disk_buffer_holder.hpp>
#include <libtorrent/disk_interface.hpp>
#include <libtorrent/hasher.hpp>
#include <libtorrent/peer_request.hpp>
#include <libtorrent/performance_counters.hpp>
#include <libtorrent/settings_pack.hpp>
#include <libtorrent/storage_defs.hpp>
#include <libtorrent/torrent_flags.hpp>
#include <random>

#include "swarmcopy/peer/metainfo.h"
#include "test_dir/test_dir.h"

namespace swarmcopy::peer {
namespace {

constexpr int kBlock = 16 * 1024;

class FileDiskTest : public ::testing::Test {
 protected:
  // Publishes a random file of `size` bytes with `piece_size` pieces in source/, and opens a
  // storage for it in the empty directory out/ (as a swarm joining without the file would).
  // `offered`: the file the engine opened for the torrent, instead of out/'s.
  void open_storage(std::size_t size, std::uint32_t piece_size, util::UniqueFd offered = {}) {
    std::mt19937 rng(static_cast<unsigned>(size));
    data_.assign(size, '\0');
    for (auto& c : data_) c = static_cast<char>(rng());
    std::filesystem::create_directories(dir_.path() / "source");
    std::filesystem::create_directories(dir_.path() / "out");
    const auto source = dir_.path() / "source" / "file.bin";
    std::ofstream(source, std::ios::binary) << data_;
    auto meta = publish(source, piece_size);
    ASSERT_TRUE(meta) << meta.error().describe();
    info_ = std::make_shared<lt::torrent_info>(meta->bytes.data(),
                                               static_cast<int>(meta->bytes.size()));
    hashes_ = registry_->expect(*info_);
    ASSERT_TRUE(hashes_);
    if (offered) offered_ = files_->offer(info_->info_hashes().get_best(), std::move(offered));
    disk_ = file_disk(registry_, files_)(io_, settings_, counters_);
    priorities_.resize(1, lt::default_priority);
    path_ = (dir_.path() / "out").string();
    lt::storage_params params(info_->files(), nullptr, path_, lt::storage_mode_sparse, priorities_,
                              info_->info_hashes().get_best());
    holder_ = disk_->new_torrent(params, nullptr);
    storage_ = holder_;
  }

  // The same for a provisional swarm of the file (make_provisional_metainfo): its pieces are
  // checked against roots_.
  void open_provisional_storage(std::size_t size) {
    std::mt19937 rng(static_cast<unsigned>(size));
    data_.assign(size, '\0');
    for (auto& c : data_) c = static_cast<char>(rng());
    std::filesystem::create_directories(dir_.path() / "out");
    auto meta = make_provisional_metainfo(std::string(64, 'c'), size);
    ASSERT_TRUE(meta) << meta.error().describe();
    info_ = std::make_shared<lt::torrent_info>(meta->bytes.data(),
                                               static_cast<int>(meta->bytes.size()));
    roots_ = std::make_shared<ProvisionalRoots>(static_cast<std::uint32_t>(info_->num_pieces()));
    hashes_ = registry_->expect_provisional(*info_, roots_);
    ASSERT_TRUE(hashes_);
    disk_ = file_disk(registry_, files_)(io_, settings_, counters_);
    priorities_.resize(1, lt::default_priority);
    path_ = (dir_.path() / "out").string();
    lt::storage_params params(info_->files(), nullptr, path_, lt::storage_mode_sparse, priorities_,
                              info_->info_hashes().get_best());
    holder_ = disk_->new_torrent(params, nullptr);
    storage_ = holder_;
  }

  ProvisionalRoots::Root root_of(int piece) const {
    std::vector<lt::sha256_hash> blocks;
    const std::size_t base = std::size_t(piece) * info_->piece_length();
    for (int start = 0; start < piece_size(piece); start += kBlock) {
      const int length = std::min(kBlock, piece_size(piece) - start);
      blocks.push_back(lt::hasher256(data_.data() + base + start, length).final());
    }
    return merkle_root(blocks, hashes_->leaves_per_piece);
  }

  void TearDown() override {
    holder_ = lt::storage_holder();  // before the disk it refers to
    disk_.reset();
  }

  // Runs what the disk posted, as libtorrent's network thread would.
  void run() {
    io_.restart();
    io_.run();
  }

  int piece_size(int piece) const {
    return static_cast<int>(std::min<std::size_t>(
        info_->piece_length(), data_.size() - std::size_t(piece) * info_->piece_length()));
  }

  lt::storage_error write(int piece, int start, const char* bytes, int length) {
    lt::storage_error result;
    disk_->async_write(storage_, lt::peer_request{lt::piece_index_t{piece}, start, length}, bytes,
                       nullptr, [&](const lt::storage_error& error) { result = error; }, {});
    run();
    return result;
  }

  // Writes every block of `piece` from data_.
  void write_piece(int piece) {
    const std::size_t base = std::size_t(piece) * info_->piece_length();
    for (int start = 0; start < piece_size(piece); start += kBlock) {
      const int length = std::min(kBlock, piece_size(piece) - start);
      ASSERT_FALSE(write(piece, start, data_.data() + base + start, length).ec);
    }
  }

  struct Hashed {
    lt::sha1_hash v1;
    std::vector<lt::sha256_hash> blocks;
    lt::storage_error error;
  };
  Hashed hash(int piece) {
    Hashed hashed;
    hashed.blocks.resize(std::size_t((piece_size(piece) + kBlock - 1) / kBlock));
    disk_->async_hash(
        storage_, lt::piece_index_t{piece}, hashed.blocks, lt::disk_interface::v1_hash,
        [&](lt::piece_index_t, const lt::sha1_hash& v1, const lt::storage_error& error) {
          hashed.v1 = v1;
          hashed.error = error;
        });
    run();
    return hashed;
  }

  std::string read(int piece, int start, int length) {
    std::string bytes;
    disk_->async_read(storage_, lt::peer_request{lt::piece_index_t{piece}, start, length},
                      [&](lt::disk_buffer_holder buffer, const lt::storage_error& error) {
                        EXPECT_FALSE(error.ec) << error.ec.message();
                        if (buffer) bytes.assign(buffer.data(), std::size_t(length));
                      },
                      {});
    run();
    return bytes;
  }

  lt::status_t check_files(const lt::add_torrent_params* resume) {
    lt::status_t status = lt::status_t::fatal_disk_error;
    disk_->async_check_files(
        storage_, resume, {},
        [&](lt::status_t result, const lt::storage_error&) { status = result; });
    run();
    return status;
  }

  std::string file_bytes() const {
    std::ifstream in(dir_.path() / "out" / "file.bin", std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  lt::sha1_hash expected_v1(int piece) const {
    return info_->hash_for_piece(lt::piece_index_t{piece});
  }

  test::TestDir dir_;
  std::string data_;
  std::shared_ptr<lt::torrent_info> info_;
  std::shared_ptr<PieceHashRegistry> registry_ = std::make_shared<PieceHashRegistry>();
  std::shared_ptr<const PieceHashes> hashes_;
  std::shared_ptr<ProvisionalRoots> roots_;
  std::shared_ptr<StorageFiles> files_ = std::make_shared<StorageFiles>();
  std::shared_ptr<const util::UniqueFd> offered_;
  boost::asio::io_context io_;
  lt::settings_pack settings_;
  lt::counters counters_;
  lt::aux::vector<lt::download_priority_t, lt::file_index_t> priorities_;
  std::string path_;
  std::unique_ptr<lt::disk_interface> disk_;
  lt::storage_holder holder_;
  lt::storage_index_t storage_{};
};

TEST_F(FileDiskTest, AnIntactPieceAnswersTheMetainfosV1HashAndLandsInTheFile) {
  open_storage(3 * 65536 + 20000, 65536);  // a short last piece
  for (int piece = 0; piece < info_->num_pieces(); ++piece) {
    SCOPED_TRACE("piece " + std::to_string(piece));
    write_piece(piece);
    const auto hashed = hash(piece);
    ASSERT_FALSE(hashed.error.ec) << hashed.error.ec.message();
    EXPECT_EQ(hashed.v1, expected_v1(piece));
    EXPECT_EQ(merkle_root(hashed.blocks, hashes_->leaves_per_piece),
              hashes_->layer[std::size_t(piece)]);
  }
  EXPECT_EQ(file_bytes(), data_);
}

TEST_F(FileDiskTest, OneBadBlockFailsThePieceAndNothingIsVouchedFor) {
  open_storage(4 * 65536, 65536);
  std::string bad(data_.begin() + 65536, data_.begin() + 2 * 65536);
  bad[2 * kBlock + 7] ^= 1;
  for (int start = 0; start < 65536; start += kBlock) {
    ASSERT_FALSE(write(1, start, bad.data() + start, kBlock).ec);
  }
  EXPECT_EQ(hash(1).v1, lt::sha1_hash());  // all zero: libtorrent's v1 check fails
  // libtorrent clears the piece and fetches it again; the good bytes then pass.
  disk_->async_clear_piece(storage_, lt::piece_index_t{1}, [](lt::piece_index_t) {});
  run();
  write_piece(1);
  EXPECT_EQ(hash(1).v1, expected_v1(1));
  EXPECT_EQ(read(1, 2 * kBlock, kBlock), data_.substr(65536 + 2 * kBlock, kBlock));
}

TEST_F(FileDiskTest, BlocksAreReadForPeersFromMemoryOrTheFile) {
  open_storage(8 * 65536, 65536);
  for (int piece = 0; piece < 8; ++piece) {
    write_piece(piece);
    ASSERT_EQ(hash(piece).v1, expected_v1(piece));
  }
  for (int piece = 0; piece < 8; ++piece) {
    EXPECT_EQ(read(piece, kBlock, kBlock),
              data_.substr(std::size_t(piece) * 65536 + kBlock, kBlock));
  }
  // After the descriptor is let go (flush_cache), the same answers come from the file.
  disk_->async_release_files(storage_, [] {});
  run();
  EXPECT_EQ(read(7, 3 * kBlock, 100), data_.substr(7 * 65536 + 3 * kBlock, 100));
}

TEST_F(FileDiskTest, ReleasingFilesWritesWhatWasHeldForAPieceNotYetComplete) {
  open_storage(4 * 65536, 65536);
  const std::size_t base = 2 * 65536;
  ASSERT_FALSE(write(2, 0, data_.data() + base, kBlock).ec);
  ASSERT_FALSE(write(2, kBlock, data_.data() + base + kBlock, kBlock).ec);
  disk_->async_release_files(storage_, [] {});
  run();
  const auto bytes = file_bytes();
  ASSERT_EQ(bytes.size(), data_.size());  // made at its full size, like libtorrent's own
  EXPECT_EQ(bytes.substr(base, 2 * kBlock), data_.substr(base, 2 * kBlock));
  // The rest of the piece arrives later: it is whole and checks.
  ASSERT_FALSE(write(2, 2 * kBlock, data_.data() + base + 2 * kBlock, kBlock).ec);
  ASSERT_FALSE(write(2, 3 * kBlock, data_.data() + base + 3 * kBlock, kBlock).ec);
  EXPECT_EQ(hash(2).v1, expected_v1(2));
  EXPECT_EQ(file_bytes().substr(base, 65536), data_.substr(base, 65536));
}

TEST_F(FileDiskTest, PiecesBeyondTheWriteBudgetGoStraightToTheFile) {
  // 12 pieces of 1 MiB started together: more than the 8 MiB held in memory.
  open_storage(12 * 1024 * 1024, 1024 * 1024);
  for (int piece = 0; piece < 12; ++piece) {
    const std::size_t base = std::size_t(piece) * 1024 * 1024;
    ASSERT_FALSE(write(piece, 0, data_.data() + base, kBlock).ec);
  }
  for (int piece = 0; piece < 12; ++piece) {
    const std::size_t base = std::size_t(piece) * 1024 * 1024;
    for (int start = kBlock; start < 1024 * 1024; start += kBlock) {
      ASSERT_FALSE(write(piece, start, data_.data() + base + start, kBlock).ec);
    }
  }
  for (int piece = 0; piece < 12; ++piece) EXPECT_EQ(hash(piece).v1, expected_v1(piece));
  EXPECT_EQ(file_bytes(), data_);
}

TEST_F(FileDiskTest, BytesNobodyVouchedForAreCheckedOnAdd) {
  open_storage(4 * 65536, 65536);
  EXPECT_EQ(check_files(nullptr), lt::status_t::no_error);  // no file: nothing to check
  std::ofstream(dir_.path() / "out" / "file.bin", std::ios::binary) << data_.substr(0, 65536);
  EXPECT_EQ(check_files(nullptr), lt::status_t::need_full_check);
  lt::add_torrent_params seed;
  seed.flags |= lt::torrent_flags::seed_mode;
  // Seed mode is trusted only for a file of the whole size.
  EXPECT_EQ(check_files(&seed), lt::status_t::need_full_check);
  std::ofstream(dir_.path() / "out" / "file.bin", std::ios::binary) << data_;
  EXPECT_EQ(check_files(&seed), lt::status_t::no_error);
  // A re-check reads the file back: every piece of the bytes on disk passes.
  for (int piece = 0; piece < 4; ++piece) EXPECT_EQ(hash(piece).v1, expected_v1(piece));
}

TEST_F(FileDiskTest, AReadOfAFileThatIsGoneFailsAndMakesNothing) {
  open_storage(2 * 65536, 65536);  // a seed whose file was deleted under it
  lt::storage_error failed;
  disk_->async_read(storage_, lt::peer_request{lt::piece_index_t{0}, 0, kBlock},
                    [&](lt::disk_buffer_holder, const lt::storage_error& error) { failed = error; },
                    {});
  run();
  EXPECT_TRUE(failed.ec);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "out" / "file.bin"));
}

TEST_F(FileDiskTest, ASymlinkInPlaceOfTheFileIsNotFollowed) {
  open_storage(2 * 65536, 65536);
  const auto elsewhere = dir_.path() / "elsewhere";
  std::ofstream(elsewhere) << "not yours";
  std::filesystem::create_symlink(elsewhere, dir_.path() / "out" / "file.bin");
  EXPECT_TRUE(write(0, 0, data_.data(), kBlock).ec || hash(0).error.ec);
  std::ifstream in(elsewhere);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "not yours");
}

// A cache item being filled is opened once, by the cache (cache::PartialItem): the disk layer
// reads, writes and checks through that descriptor, even after releasing its files, and never
// opens the save path.
TEST_F(FileDiskTest, AnOfferedFileIsUsedAndTheSavePathNeverOpened) {
  const auto item = dir_.path() / "item";
  util::UniqueFd fd(::open(item.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  ASSERT_TRUE(fd);
  open_storage(4 * 65536, 65536, std::move(fd));
  EXPECT_EQ(check_files(nullptr), lt::status_t::no_error);  // empty: nothing to check
  write_piece(0);
  EXPECT_EQ(hash(0).v1, expected_v1(0));
  disk_->async_release_files(storage_, [] {});
  run();
  write_piece(3);
  EXPECT_EQ(hash(3).v1, expected_v1(3));
  EXPECT_EQ(read(3, kBlock, kBlock), data_.substr(3 * 65536 + kBlock, kBlock));
  std::ifstream in(item, std::ios::binary);
  const std::string bytes(std::istreambuf_iterator<char>(in), {});
  ASSERT_EQ(bytes.size(), data_.size());
  EXPECT_EQ(bytes.substr(0, 65536), data_.substr(0, 65536));
  EXPECT_EQ(bytes.substr(3 * 65536), data_.substr(3 * 65536));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "out" / "file.bin"));
}

}  // namespace
}  // namespace swarmcopy::peer

namespace swarmcopy::peer {
namespace {

// A provisional swarm's piece whose root nobody announced yet: libtorrent's hash job waits, and
// is answered once a root comes — the placeholder v1 hash when the bytes match it, zeros when
// they do not. A known root answers at once.
TEST_F(FileDiskTest, AProvisionalPieceWaitsForItsRootAndIsJudgedByIt) {
  open_provisional_storage(4 * 16384 + 999);
  bool answered = false;
  lt::sha1_hash v1;
  auto hash_async = [&](int piece) {
    answered = false;
    disk_->async_hash(
        storage_, lt::piece_index_t{piece}, {}, lt::disk_interface::v1_hash,
        [&](lt::piece_index_t, const lt::sha1_hash& hash, const lt::storage_error& e) {
          EXPECT_FALSE(e.ec);
          v1 = hash;
          answered = true;
        });
    run();
  };
  write_piece(0);
  hash_async(0);
  EXPECT_FALSE(answered);  // no root yet
  roots_->learn(0, root_of(0), "peer-a");
  run();
  ASSERT_TRUE(answered);
  EXPECT_EQ(v1, expected_v1(0));
  EXPECT_NE(v1, lt::sha1_hash());

  // Bytes that are not the announced root's: zeros, a failed check.
  write_piece(1);
  hash_async(1);
  EXPECT_FALSE(answered);
  roots_->learn(1, root_of(2), "peer-a");
  run();
  ASSERT_TRUE(answered);
  EXPECT_EQ(v1, lt::sha1_hash());

  // A root known before the bytes: answered at once.
  roots_->learn(4, root_of(4), "");
  write_piece(4);  // the short last piece
  hash_async(4);
  ASSERT_TRUE(answered);
  EXPECT_EQ(v1, expected_v1(4));
  std::ifstream in(dir_.path() / "out" / (std::string(64, 'c') + ".provisional"), std::ios::binary);
  const std::string written(std::istreambuf_iterator<char>(in), {});
  EXPECT_EQ(written.substr(4 * 16384), data_.substr(4 * 16384));

  // A storage removed while a piece waits: the wait goes with it, never answered.
  write_piece(3);
  hash_async(3);
  EXPECT_FALSE(answered);
  holder_ = lt::storage_holder();  // libtorrent lets the torrent go
  roots_->learn(3, root_of(3), "peer-a");
  run();
  EXPECT_FALSE(answered);
}

}  // namespace
}  // namespace swarmcopy::peer
