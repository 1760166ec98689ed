// Content nobody published, end to end: `swarmcopy get` engines as separate processes on
// loopback, an origin with no .torrent, each engine given the file's SHA-256. The first fetches
// it over HTTP and offers the metainfo it made at the content's rendezvous; the second learns
// that metainfo from it and takes the file from it. Lying peers (a real libtorrent session in
// this process offering a metainfo for other bytes under the same SHA-256) are refuted by the
// content and never leave a wrong byte in the file or the cache.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <fstream>
#include <iterator>
#include <thread>

#include "daemon/daemon_process.h"
#include "fault_server/fault_server.h"
#include "nginx/test_files.h"
#include "swarm_fixture.h"
#include "swarmcopy/cache/content_store.h"
#include "swarmcopy/peer/metainfo.h"
#include "swarmcopy/peer/session.h"
#include "swarmcopy/util/unique_fd.h"

namespace swarmcopy::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr std::uint64_t kSize = 8ull << 20;

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A peer that lies: it seeds `bytes` as if they were content `sha256`. kSiteMetainfo: it offers,
// at the content's rendezvous, the site metainfo of those bytes named as that content.
// kProvisional: it offers nothing there, but holds them in the content's provisional swarm and
// vouches for them with their piece roots. kProvisionalWithholding: the same, but it never sends
// a byte (every piece looks available from it; none comes).
class LyingPeer {
 public:
  enum class Lie { kSiteMetainfo, kProvisional, kProvisionalWithholding };

  LyingPeer(const fs::path& dir, const std::string& bytes, const std::string& sha256,
            Lie lie = Lie::kSiteMetainfo) {
    const auto path = dir / "lie.bin";
    std::ofstream(path, std::ios::binary) << bytes;
    peer::SessionOptions options;
    options.listen_interfaces = "127.0.0.1:0";
    auto session = peer::Session::open(io_, options);
    EXPECT_TRUE(session) << session.error().describe();
    session_ = std::move(*session);
    if (lie != Lie::kSiteMetainfo) {
      if (lie == Lie::kProvisionalWithholding) session_->allow_uploads(false);
      auto meta = peer::make_provisional_metainfo(sha256, bytes.size());
      EXPECT_TRUE(meta) << meta.error().describe();
      meta_ = *meta;
      auto swarm = session_->add_swarm(meta_, dir, "provisional.bin", false, {}, true);
      EXPECT_TRUE(swarm);
      for (std::uint32_t piece = 0; swarm && piece < meta_.pieces; ++piece) {
        const auto offset = std::size_t{piece} * meta_.piece_size;
        std::vector<char> data(bytes.begin() + static_cast<std::ptrdiff_t>(offset),
                               bytes.begin() + static_cast<std::ptrdiff_t>(std::min(
                                                   bytes.size(), offset + meta_.piece_size)));
        session_->learn_piece_root(*swarm, piece, peer::piece_root(meta_, piece, data));
        EXPECT_TRUE(session_->add_piece(*swarm, piece, std::move(data)));
      }
    } else {
      util::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
      auto meta = peer::make_site_metainfo(fd.get(), bytes.size(), sha256);
      EXPECT_TRUE(meta) << meta.error().describe();
      meta_ = *meta;
      EXPECT_TRUE(session_->add_swarm(meta_, dir, "lie.bin", true, {}));
      auto rendezvous = session_->join_rendezvous(sha256, {});
      EXPECT_TRUE(rendezvous);
      session_->offer_in_rendezvous(*rendezvous, meta_);
    }
    thread_ = std::thread([this] { io_.run(); });
  }
  ~LyingPeer() {
    work_.reset();
    io_.stop();
    thread_.join();
    session_.reset();
  }
  std::uint16_t port() const { return session_->listen_port(); }
  const peer::Metainfo& meta() const { return meta_; }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      io_.get_executor()};
  std::unique_ptr<peer::Session> session_;
  peer::Metainfo meta_;
  std::thread thread_;
};

class SiteMetadataTest : public SwarmFixture {
 protected:
  void SetUp() override {
    sha_ = write_test_file(docroot_.path() / "update.bin", kSize, 7).value_or("");
    ASSERT_EQ(sha_.size(), 64u);
    content_ = read_bytes(docroot_.path() / "update.bin");
    origin_.set_content_at("/update.bin", content_);
    origin_.set_fault("/update.bin.torrent", Fault::http_status(404));
    url_ = origin_.url("/update.bin");
  }

  // Complete items of a state directory's cache, by key.
  static std::vector<std::string> complete_cache_items(const fs::path& home) {
    std::vector<std::string> keys;
    auto store = cache::ContentStore::open(home / "cache");
    EXPECT_TRUE(store) << store.error().describe();
    if (!store) return keys;
    for (const auto& item : (*store)->list()) {
      if (!item.partial) keys.push_back(item.key);
    }
    return keys;
  }

  FaultServer origin_;
  // Three engines of `priority` start together; the origin sends the file about once.
  void expect_three_engines_fetch_it_once(const std::string& priority);

  std::string sha_, content_, url_;
};

TEST_F(SiteMetadataTest, ASecondEngineTakesUnpublishedContentFromTheFirst) {
  const auto port = free_loopback_port();
  auto seeder = start_seeder(url_, port, {"--sha256", sha_});
  ASSERT_TRUE(seeder);
  origin_.clear_requests();

  auto second = json_of(
      run_get(url_, out_ / "b.bin", home_b_.path(), {"--peer", peer_arg(port), "--sha256", sha_}));
  EXPECT_EQ(second["state"], "ACKNOWLEDGED") << second.dump();
  EXPECT_EQ(sha256_file(out_ / "b.bin").value_or(""), sha_);
  EXPECT_GE(second["from_peers"].get<std::uint64_t>(), kSize * 9 / 10) << second.dump();
  EXPECT_EQ(second["from_peers"].get<std::uint64_t>() + second["from_origin"].get<std::uint64_t>(),
            kSize);
  EXPECT_EQ(second["metadata_source"], "peers") << second.dump();
  EXPECT_EQ(second["content_sha256"], sha_);
  seeder->send_signal(SIGTERM);
  EXPECT_EQ(seeder->wait(30s).exit_code, 0);
}

TEST_F(SiteMetadataTest, WithTheOriginAnswering503TheSecondCompletesFromThePeerAlone) {
  const auto port = free_loopback_port();
  auto seeder = start_seeder(url_, port, {"--sha256", sha_});
  ASSERT_TRUE(seeder);
  origin_.set_fault("/update.bin", Fault::http_status(503));

  auto second = json_of(
      run_get(url_, out_ / "b.bin", home_b_.path(), {"--peer", peer_arg(port), "--sha256", sha_}));
  EXPECT_EQ(second["state"], "ACKNOWLEDGED") << second.dump();
  EXPECT_EQ(sha256_file(out_ / "b.bin").value_or(""), sha_);
  EXPECT_EQ(second["from_peers"], kSize) << second.dump();
  EXPECT_EQ(second["from_origin"], 0);
  seeder->send_signal(SIGTERM);
  EXPECT_EQ(seeder->wait(30s).exit_code, 0);
}

// Nobody holds the content: the engine waits briefly for an offer, then fetches from the origin
// alone and says why peers gave nothing.
TEST_F(SiteMetadataTest, WithNobodyHoldingItTheOriginServesItAndThePeerReasonSaysSo) {
  auto result = json_of(run_get(url_, out_ / "a.bin", home_a_.path(), {"--sha256", sha_}));
  EXPECT_EQ(result["state"], "ACKNOWLEDGED") << result.dump();
  EXPECT_EQ(result["from_origin"], kSize);
  EXPECT_EQ(sha256_file(out_ / "a.bin").value_or(""), sha_);
  EXPECT_NE(result["peers_unused_reason"].get<std::string>().find("no peer holds content"),
            std::string::npos)
      << result.dump();
  EXPECT_TRUE(result["metadata_source"].is_null());
}

// The rollout: three machines want the content at once and nobody holds it. Nobody offers it at
// its rendezvous, so they meet in its provisional swarm and share the origin's pieces as they
// arrive: the origin sends it about once, not three times, and every byte one machine did not
// take from the origin came from a peer. Jobs of `priority` on all three.
void SiteMetadataTest::expect_three_engines_fetch_it_once(const std::string& priority) {
  const std::uint16_t ports[] = {free_loopback_port(), free_loopback_port(), free_loopback_port()};
  const fs::path homes[] = {home_a_.path(), home_b_.path(), home_c_.path()};
  std::vector<std::unique_ptr<ChildProcess>> engines;
  for (int i = 0; i < 3; ++i) {
    std::vector<std::string> extra{"--listen",    SwarmFixture::peer_arg(ports[i]),
                                   "--seed-time", "120",
                                   "--priority",  priority,
                                   "--sha256",    sha_};
    for (int j = 0; j < 3; ++j) {
      if (j != i) extra.insert(extra.end(), {"--peer", SwarmFixture::peer_arg(ports[j])});
    }
    engines.push_back(
        spawn_get(url_, out_ / ("f" + std::to_string(i)), homes[i], std::move(extra)));
    ASSERT_TRUE(engines.back());
  }
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(engines[i]->wait_for_output("\"state\"", 90s)) << "engine " << i;
  }
  std::uint64_t from_origin = 0;
  std::uint64_t from_peers = 0;
  for (int i = 0; i < 3; ++i) {
    engines[i]->send_signal(SIGTERM);
    auto json = SwarmFixture::json_of(engines[i]->wait(30s));
    EXPECT_EQ(sha256_file(out_ / ("f" + std::to_string(i))).value_or(""), sha_) << i;
    EXPECT_EQ(json["from_origin"].get<std::uint64_t>() + json["from_peers"].get<std::uint64_t>(),
              kSize)
        << json.dump();
    from_origin += json["from_origin"].get<std::uint64_t>();
    from_peers += json["from_peers"].get<std::uint64_t>();
  }
  EXPECT_LE(from_origin, kSize + kSize / 20);
  EXPECT_GE(from_peers, 2 * kSize - kSize / 20);
}

TEST_F(SiteMetadataTest, ThreeEnginesStartingTogetherFetchItFromTheOriginOnce) {
  expect_three_engines_fetch_it_once("normal");
}

// The same rollout as FOREGROUND jobs (apt's: a person waits): they wait less for an offer, and
// share the origin's pieces like background jobs do: three fetches at once from one origin link
// would take three times as long each, and triple its bytes.
TEST_F(SiteMetadataTest, ThreeForegroundEnginesStartingTogetherFetchItFromTheOriginOnce) {
  expect_three_engines_fetch_it_once("foreground");
}

std::string base64_of_hex(const std::string& hex) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  }
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    std::uint32_t chunk = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) chunk |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) chunk |= static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(chunk >> 18) & 63];
    out += kAlphabet[(chunk >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(chunk >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[chunk & 63] : '=';
  }
  return out;
}

// An nginx origin that names the file's SHA-256 in a Repr-Digest header (RFC 9530) and
// publishes no .torrent.
std::unique_ptr<NginxServer> origin_with_digest(const fs::path& docroot, const std::string& sha) {
  NginxOptions options;
  options.docroot = docroot;
  options.server_config =
      "location = /update.bin { add_header Repr-Digest \"sha-256=:" + base64_of_hex(sha) +
      ":\" always; }";
  auto server = NginxServer::start(options);
  EXPECT_TRUE(server) << (server ? "" : server.error());
  return server ? std::move(*server) : nullptr;
}

// No --sha256: the origin's Repr-Digest is the identity. The first machine checks the file
// against it and offers it; the second finds it on the site by it.
TEST_F(SiteMetadataTest, TheOriginsReprDigestIsTheIdentity) {
  auto origin = origin_with_digest(docroot_.path(), sha_);
  ASSERT_TRUE(origin);
  const auto url = origin->url("update.bin");
  const auto port = free_loopback_port();
  auto seeder = start_seeder(url, port);
  ASSERT_TRUE(seeder);
  auto second = json_of(run_get(url, out_ / "b.bin", home_b_.path(), {"--peer", peer_arg(port)}));
  EXPECT_EQ(second["state"], "ACKNOWLEDGED") << second.dump();
  EXPECT_EQ(sha256_file(out_ / "b.bin").value_or(""), sha_);
  EXPECT_EQ(second["content_sha256"], sha_);
  EXPECT_EQ(second["metadata_source"], "peers");
  EXPECT_GE(second["from_peers"].get<std::uint64_t>(), kSize * 9 / 10) << second.dump();
  seeder->send_signal(SIGTERM);
  EXPECT_EQ(seeder->wait(30s).exit_code, 0);
}

// A Repr-Digest that the bytes do not match: the job's error says so and nothing is kept.
TEST_F(SiteMetadataTest, AWrongReprDigestIsAnErrorAndNothingIsKept) {
  auto origin = origin_with_digest(docroot_.path(), std::string(64, 'a'));
  ASSERT_TRUE(origin);
  const auto result = run_get(origin->url("update.bin"), out_ / "a.bin", home_a_.path(), {});
  EXPECT_NE(result.exit_code, 0);
  auto json = nlohmann::json::parse(result.out, nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << result.out << result.err;
  EXPECT_EQ(json["state"], "ERROR") << json.dump();
  EXPECT_NE(json["error"]["message"].get<std::string>().find("SHA-256 mismatch"), std::string::npos)
      << json.dump();
  EXPECT_FALSE(fs::exists(out_ / "a.bin"));
  EXPECT_TRUE(complete_cache_items(home_a_.path()).empty());
}

// The same bytes under another URL of another host: one content, one swarm. The second host
// serves nothing (503): the file comes from the machine that fetched it from the first.
TEST_F(SiteMetadataTest, TheSameContentUnderTwoUrlsOfTwoHostsSharesOneSwarm) {
  const auto port = free_loopback_port();
  auto seeder = start_seeder(url_, port, {"--sha256", sha_});
  ASSERT_TRUE(seeder);
  FaultServer mirror;
  mirror.set_content_at("/pool/renamed.iso", content_);
  mirror.set_fault("/pool/renamed.iso.torrent", Fault::http_status(404));
  mirror.set_fault("/pool/renamed.iso", Fault::http_status(503));
  auto second = json_of(run_get(mirror.url("/pool/renamed.iso"), out_ / "b.iso", home_b_.path(),
                                {"--peer", peer_arg(port), "--sha256", sha_}));
  EXPECT_EQ(second["state"], "ACKNOWLEDGED") << second.dump();
  EXPECT_EQ(second["from_peers"], kSize);
  EXPECT_EQ(sha256_file(out_ / "b.iso").value_or(""), sha_);
  seeder->send_signal(SIGTERM);
  EXPECT_EQ(seeder->wait(30s).exit_code, 0);
}

// The smallest files: one byte is peered like any content; an empty file has nothing to peer
// and simply completes.
TEST_F(SiteMetadataTest, OneByteIsPeeredAndAnEmptyFileCompletes) {
  origin_.set_content_at("/one.bin", "x");
  origin_.set_fault("/one.bin.torrent", Fault::http_status(404));
  origin_.set_content_at("/empty.bin", "");
  origin_.set_fault("/empty.bin.torrent", Fault::http_status(404));
  const std::string one_sha = "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881";
  const std::string empty_sha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  const auto port = free_loopback_port();
  auto seeder = start_seeder(origin_.url("/one.bin"), port, {"--sha256", one_sha});
  ASSERT_TRUE(seeder);
  origin_.set_fault("/one.bin", Fault::http_status(503));
  auto one = json_of(run_get(origin_.url("/one.bin"), out_ / "one.bin", home_b_.path(),
                             {"--peer", peer_arg(port), "--sha256", one_sha}));
  EXPECT_EQ(one["state"], "ACKNOWLEDGED") << one.dump();
  EXPECT_EQ(one["from_peers"], 1) << one.dump();
  EXPECT_EQ(read_bytes(out_ / "one.bin"), "x");

  auto empty = json_of(run_get(origin_.url("/empty.bin"), out_ / "empty.bin", home_c_.path(),
                               {"--peer", peer_arg(port), "--sha256", empty_sha}));
  EXPECT_EQ(empty["state"], "ACKNOWLEDGED") << empty.dump();
  EXPECT_TRUE(fs::exists(out_ / "empty.bin"));
  EXPECT_EQ(fs::file_size(out_ / "empty.bin"), 0u);
  seeder->send_signal(SIGTERM);
  EXPECT_EQ(seeder->wait(30s).exit_code, 0);
}

// What a machine fetched over HTTP and offered is offered again after a restart (the metainfo
// it made is kept with the cache item): swarmcopyd on its state directory, with no job, serves
// it to a second machine while the origin answers 503.
TEST_F(SiteMetadataTest, ARestartedMachineOffersWhatItFetchedAgain) {
  auto first = start_seeder(url_, free_loopback_port(), {"--sha256", sha_});
  ASSERT_TRUE(first);
  first->send_signal(SIGTERM);
  ASSERT_EQ(first->wait(30s).exit_code, 0);
  const auto port = free_loopback_port();
  TestDir daemon_dir;
  DaemonOptions options;
  options.socket = daemon_dir.path() / "d.sock";
  options.state_dir = home_a_.path();
  options.log = daemon_dir.path() / "swarmcopyd.log";
  options.args = {"--user", "--peer-listen",       peer_arg(port), "--local-discovery",
                  "false",  "--seed-time-seconds", "300",          "--idle-exit-seconds",
                  "0"};
  options.env = {{"XDG_CONFIG_HOME", daemon_dir.path().string()},
                 {"XDG_RUNTIME_DIR", daemon_dir.path().string()}};
  auto daemon = DaemonProcess::start(options);
  ASSERT_TRUE(daemon) << daemon.error();
  origin_.set_fault("/update.bin", Fault::http_status(503));
  auto second = json_of(
      run_get(url_, out_ / "b.bin", home_b_.path(), {"--peer", peer_arg(port), "--sha256", sha_}));
  EXPECT_EQ(second["state"], "ACKNOWLEDGED") << second.dump() << (*daemon)->log_text();
  EXPECT_EQ(second["from_peers"], kSize);
  EXPECT_EQ(sha256_file(out_ / "b.bin").value_or(""), sha_);
  EXPECT_EQ((*daemon)->stop(30s), 0);
}

// A liar's metainfo describes other bytes under the content's SHA-256: the content refutes it
// (an origin piece, or at the latest the whole file's SHA-256), the liar is not believed again,
// and the file is fetched from the origin: right in the end, and nothing of the lie is cached.
TEST_F(SiteMetadataTest, ALiarsMetainfoIsRefutedAndTheFileIsRight) {
  std::string other = content_;
  for (std::size_t i = 0; i < other.size(); i += 4096) other[i] = static_cast<char>(~other[i]);
  TestDir liar_dir;
  LyingPeer liar(liar_dir.path(), other, sha_);

  auto result = json_of(run_get(url_, out_ / "b.bin", home_b_.path(),
                                {"--peer", peer_arg(liar.port()), "--sha256", sha_}));
  EXPECT_EQ(result["state"], "ACKNOWLEDGED") << result.dump();
  EXPECT_EQ(sha256_file(out_ / "b.bin").value_or(""), sha_);
  EXPECT_NE(result["peers_unused_reason"].get<std::string>().find("refuted"), std::string::npos)
      << result.dump();
  for (const auto& key : complete_cache_items(home_b_.path())) {
    EXPECT_NE(key, cache::ContentStore::metadata_key(liar.meta().info_hash_v2));
  }
}

// The subtle liar: its bytes differ from the content in one piece only, and its metainfo is
// right for every other piece. If the origin's share does not include that piece, only the
// whole file's SHA-256 catches it; either way the file is right and the lie is not cached.
TEST_F(SiteMetadataTest, ALiarRightInEveryPieceButOneIsCaughtAndTheFileIsRight) {
  std::string other = content_;
  const auto piece = peer::site_piece_size(kSize);
  other[3 * piece + 5] = static_cast<char>(~other[3 * piece + 5]);
  TestDir liar_dir;
  LyingPeer liar(liar_dir.path(), other, sha_);
  // The origin answers 503 for the data at first, so that the liar alone serves every piece
  // and the whole-file check is what catches it; then it recovers.
  origin_.push_fault("/update.bin", Fault::http_status(503), 3);

  auto run = run_get(url_, out_ / "b.bin", home_b_.path(),
                     {"--peer", peer_arg(liar.port()), "--sha256", sha_, "-v"});
  auto result = json_of(run);
  EXPECT_EQ(result["state"], "ACKNOWLEDGED") << result.dump();
  EXPECT_EQ(sha256_file(out_ / "b.bin").value_or(""), sha_);
  EXPECT_NE(result["peers_unused_reason"].get<std::string>().find("refuted"), std::string::npos)
      << result.dump() << run.err;
  for (const auto& key : complete_cache_items(home_b_.path())) {
    EXPECT_NE(key, cache::ContentStore::metadata_key(liar.meta().info_hash_v2));
  }
}

// A liar in the provisional swarm (nobody offers the content, so the engine goes there): it
// holds other bytes and vouches for each piece with its root, so everything it sends passes
// against the roots it announced. The whole file's SHA-256 refutes it: nothing of it is cached or
// kept, and the file comes from the origin alone, right.
TEST_F(SiteMetadataTest, ALiarInTheProvisionalSwarmIsCaughtByTheSha256AndTheFileIsRight) {
  std::string other = content_;
  for (std::size_t i = 0; i < other.size(); i += 4096) other[i] = static_cast<char>(~other[i]);
  TestDir liar_dir;
  LyingPeer liar(liar_dir.path(), other, sha_, LyingPeer::Lie::kProvisional);

  auto run = run_get(url_, out_ / "b.bin", home_b_.path(),
                     {"--peer", peer_arg(liar.port()), "--sha256", sha_, "--explain"});
  auto result = json_of(run);
  EXPECT_EQ(result["state"], "ACKNOWLEDGED") << result.dump();
  EXPECT_EQ(sha256_file(out_ / "b.bin").value_or(""), sha_);
  EXPECT_EQ(result["from_origin"], kSize) << result.dump();
  EXPECT_EQ(result["from_peers"], 0) << result.dump();
  EXPECT_NE(
      result["explanation"].dump().find("the provisional swarm cannot be trusted for this file"),
      std::string::npos)
      << result["explanation"].dump();
  // The one complete item is the content, verified: the liar's bytes never completed one.
  const auto items = complete_cache_items(home_b_.path());
  ASSERT_EQ(items, std::vector<std::string>{cache::ContentStore::sha256_key(sha_)});
  auto store = cache::ContentStore::open(home_b_.path() / "cache");
  ASSERT_TRUE(store);
  auto pin = (*store)->acquire(items[0]);
  ASSERT_TRUE(pin && *pin);
  EXPECT_EQ(sha256_file((*pin)->path()).value_or(""), sha_);
}

// A liar in the provisional swarm that announces a root for every piece and sends none: the
// transfer stalls on it, the origin takes the pieces over, and this machine's own root for the
// first of them contradicts the liar's. The liar is distrusted (its roots forgotten, its
// connection closed) and, since nothing it vouched for was taken, the swarm goes on: the file
// comes from the origin, right, without falling back to HTTP.
TEST_F(SiteMetadataTest, AProvisionalRootTheOriginContradictsGetsItsSupplierDistrusted) {
  std::string other = content_;
  for (std::size_t i = 0; i < other.size(); i += 4096) other[i] = static_cast<char>(~other[i]);
  TestDir liar_dir;
  LyingPeer liar(liar_dir.path(), other, sha_, LyingPeer::Lie::kProvisionalWithholding);

  auto run = run_get(url_, out_ / "b.bin", home_b_.path(),
                     {"--peer", peer_arg(liar.port()), "--sha256", sha_, "--explain"});
  auto result = json_of(run);
  EXPECT_EQ(result["state"], "ACKNOWLEDGED") << result.dump();
  EXPECT_EQ(sha256_file(out_ / "b.bin").value_or(""), sha_);
  EXPECT_EQ(result["from_origin"], kSize) << result.dump();
  EXPECT_EQ(result["metadata_source"], "provisional") << result.dump();
  const auto explained = result["explanation"].dump();
  EXPECT_NE(explained.find("that the origin's bytes contradict: distrusted for this content"),
            std::string::npos)
      << explained;
  EXPECT_EQ(explained.find("the provisional swarm cannot be trusted"), std::string::npos)
      << explained;
  EXPECT_NE(explained.find("distrusted: it announced a piece root that the origin's bytes"),
            std::string::npos)
      << "the peer's verdict: " << explained;
}

}  // namespace
}  // namespace swarmcopy::test
