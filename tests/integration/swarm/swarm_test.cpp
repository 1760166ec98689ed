// The swarm end to end: `swarmcopy get` engines as separate processes on loopback, dialling
// each other with --peer, a real nginx origin with published metadata, a malicious peer. What
// is asserted is where bytes came from and that every file ends with the right SHA-256.
#include <signal.h>

#include <fstream>
#include <iterator>
#include <regex>

#include "bad_peer/bad_peer.h"
#include "fault_server/fault_server.h"
#include "nginx/test_files.h"
#include "swarm_fixture.h"
#include "swarmcopy/peer/metainfo.h"

namespace swarmcopy::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr std::uint64_t kSize = 16ull << 20;

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The bytes of the last `--json-progress` line in `err` (0: none yet).
std::uint64_t progress_bytes(const std::string& err) {
  static const std::regex bytes(R"("bytes":([0-9]+))");
  std::uint64_t last = 0;
  for (auto it = std::sregex_iterator(err.begin(), err.end(), bytes); it != std::sregex_iterator();
       ++it) {
    last = std::stoull((*it)[1].str());
  }
  return last;
}

class EngineSwarmTest : public SwarmFixture {
 protected:
  void SetUp() override {
    sha_ = make_published_file("update.bin", kSize);
    start_origin();
    url_ = nginx_->url("update.bin");
  }

  // An origin that answers every Range request with the whole file (200): `body` at
  // /update.bin, the published update.bin.torrent beside it.
  std::unique_ptr<FaultServer> start_range_ignoring_origin(std::string body) {
    auto origin = std::make_unique<FaultServer>();
    origin->set_content_at("/update.bin", std::move(body));
    origin->set_content_at("/update.bin.torrent",
                           read_bytes(docroot_.path() / "update.bin.torrent"));
    origin->set_fault("/update.bin", Fault::ignore_range());
    return origin;
  }

  std::string sha_;
  std::string url_;
};

TEST_F(EngineSwarmTest, ASecondEngineTakesTheFileFromTheFirst) {
  const auto port = free_loopback_port();
  auto seeder = start_seeder(url_, port);
  ASSERT_TRUE(seeder);
  const auto origin_before = nginx_->body_bytes_sent("/update.bin");

  auto second = json_of(run_get(url_, out_ / "b.bin", home_b_.path(), {"--peer", peer_arg(port)}));
  EXPECT_EQ(second["state"], "ACKNOWLEDGED");
  EXPECT_EQ(sha256_file(out_ / "b.bin").value_or(""), sha_);
  EXPECT_GT(second["from_peers"].get<std::uint64_t>(), 0u);
  EXPECT_GT(second["from_peers"].get<std::uint64_t>(), second["from_origin"].get<std::uint64_t>())
      << second.dump();
  EXPECT_EQ(second["from_peers"].get<std::uint64_t>() + second["from_origin"].get<std::uint64_t>(),
            kSize);
  EXPECT_GE(second["peers_seen"].get<int>(), 1);
  ASSERT_FALSE(second["peers"].empty());
  EXPECT_GT(second["peers"][0]["bytes_down"].get<std::uint64_t>(), 0u);
  EXPECT_TRUE(second["peers_unused_reason"].is_null());
  // What the JSON says came from the origin is what nginx sent for the file (no more).
  EXPECT_LE(nginx_->body_bytes_sent("/update.bin") - origin_before,
            second["from_origin"].get<std::uint64_t>() + 4 * kPiece);
  seeder->send_signal(SIGTERM);
  EXPECT_EQ(seeder->wait(30s).exit_code, 0);
}

// `get --explain`: the listed peer that gave the bytes, and each origin request with its reason.
TEST_F(EngineSwarmTest, ExplainSaysWhichPeerGaveTheBytesAndWhyTheOriginWasAsked) {
  const auto port = free_loopback_port();
  auto seeder = start_seeder(url_, port);
  ASSERT_TRUE(seeder);
  auto second = json_of(
      run_get(url_, out_ / "b.bin", home_b_.path(), {"--peer", peer_arg(port), "--explain"}));
  EXPECT_EQ(second["state"], "ACKNOWLEDGED");
  ASSERT_TRUE(second.contains("explanation")) << second.dump();
  const auto& file = second["explanation"]["files"].at(0);
  EXPECT_EQ(file["from_peers"], second["from_peers"]);
  EXPECT_EQ(file["pieces_total"], kSize / kPiece);
  EXPECT_EQ(file["pieces_from_peers"].get<std::uint64_t>() +
                file["pieces_from_origin"].get<std::uint64_t>(),
            kSize / kPiece);
  EXPECT_EQ(file["pieces_from_peers"].get<std::uint64_t>() * kPiece, second["from_peers"]);
  // The seeder: found because it was listed, used, its bytes the job's from_peers.
  bool seeder_seen = false;
  for (const auto& peer : file["peers"]) {
    if (peer["addr"] != peer_arg(port)) continue;
    seeder_seen = true;
    EXPECT_EQ(peer["found_by"], "listed") << peer.dump();
    EXPECT_EQ(peer["verdict"], "used") << peer.dump();
    EXPECT_EQ(peer["bytes_down"], second["from_peers"]) << peer.dump();
  }
  EXPECT_TRUE(seeder_seen) << file.dump();
  // Every origin byte was asked for with a reason, and the notes say how the swarm was set up.
  std::uint64_t asked = 0;
  for (const auto& request : file["origin_requests"]) {
    EXPECT_FALSE(request["why"].get<std::string>().empty());
    asked += request["end_byte"].get<std::uint64_t>() - request["first_byte"].get<std::uint64_t>();
  }
  EXPECT_GE(asked, second["from_origin"].get<std::uint64_t>()) << file.dump();
  const auto notes = file["notes"].dump();
  EXPECT_NE(notes.find("mode lan"), std::string::npos) << notes;
  EXPECT_NE(notes.find("metadata from origin"), std::string::npos) << notes;
  seeder->send_signal(SIGTERM);
  EXPECT_EQ(seeder->wait(30s).exit_code, 0);
}

// Without metadata the file comes over HTTP alone, and the explanation says so and why.
TEST_F(EngineSwarmTest, ExplainSaysWhyAFileCameOverHttpAlone) {
  ASSERT_TRUE(write_test_file(docroot_.path() / "plain.bin", 1 << 20, 7));
  auto result =
      json_of(run_get(nginx_->url("plain.bin"), out_ / "plain.bin", home_b_.path(), {"--explain"}));
  EXPECT_EQ(result["state"], "ACKNOWLEDGED");
  const auto& file = result["explanation"]["files"].at(0);
  EXPECT_EQ(file["pieces_total"], 0);
  ASSERT_FALSE(file["origin_requests"].empty()) << file.dump();
  std::uint64_t asked = 0;
  for (const auto& request : file["origin_requests"]) {
    EXPECT_EQ(request["why"].get<std::string>().rfind("HTTP alone: ", 0), 0u) << request.dump();
    asked += request["end_byte"].get<std::uint64_t>() - request["first_byte"].get<std::uint64_t>();
  }
  EXPECT_EQ(asked, 1u << 20);
  EXPECT_NE(file["notes"].dump().find("from the origin alone, no peers: no metadata at the origin"),
            std::string::npos)
      << file.dump();
}

TEST_F(EngineSwarmTest, WithTheOriginDownAPeerStillServesTheWholeFile) {
  const auto port = free_loopback_port();
  auto seeder = start_seeder(url_, port);
  ASSERT_TRUE(seeder);
  // The metadata from another server (a management server, say); the content origin stops.
  TestDir meta_root;
  fs::copy_file(docroot_.path() / "update.bin.torrent", meta_root.path() / "update.bin.torrent");
  NginxOptions options;
  options.docroot = meta_root.path();
  auto meta_server = NginxServer::start(options);
  ASSERT_TRUE(meta_server) << meta_server.error();
  nginx_.reset();

  auto result = json_of(
      run_get(url_, out_ / "b.bin", home_b_.path(),
              {"--peer", peer_arg(port), "--metadata", (*meta_server)->url("update.bin.torrent")}));
  EXPECT_EQ(result["state"], "ACKNOWLEDGED");
  EXPECT_EQ(result["from_peers"], kSize);
  EXPECT_EQ(result["from_origin"], 0);
  EXPECT_EQ(sha256_file(out_ / "b.bin").value_or(""), sha_);
}

TEST_F(EngineSwarmTest, ThreeEnginesStartingTogetherShareTheOriginsBytes) {
  const std::uint16_t ports[] = {free_loopback_port(), free_loopback_port(), free_loopback_port()};
  const fs::path homes[] = {home_a_.path(), home_b_.path(), home_c_.path()};
  // Machines of a fleet keep serving what they have (the daemon seeds for an hour): each engine
  // stays until the test ends, so a piece it fetched from the origin reaches the others.
  std::vector<std::unique_ptr<ChildProcess>> engines;
  for (int i = 0; i < 3; ++i) {
    std::vector<std::string> extra{"--listen", peer_arg(ports[i]), "--seed-time", "120"};
    for (int j = 0; j < 3; ++j) {
      if (j != i) extra.insert(extra.end(), {"--peer", peer_arg(ports[j])});
    }
    engines.push_back(
        spawn_get(url_, out_ / ("f" + std::to_string(i)), homes[i], std::move(extra)));
    ASSERT_TRUE(engines.back());
  }
  std::uint64_t from_origin = 0, from_peers = 0;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(engines[i]->wait_for_output("\"state\"", 60s)) << "engine " << i;
  }
  for (int i = 0; i < 3; ++i) {
    engines[i]->send_signal(SIGTERM);
    auto json = json_of(engines[i]->wait(30s));
    EXPECT_EQ(sha256_file(out_ / ("f" + std::to_string(i))).value_or(""), sha_) << i;
    from_origin += json["from_origin"].get<std::uint64_t>();
    from_peers += json["from_peers"].get<std::uint64_t>();
    EXPECT_GT(json["from_peers"].get<std::uint64_t>(), 0u) << json.dump();
  }
  EXPECT_EQ(from_origin + from_peers, 3 * kSize);
  // Each piece from the origin once across the three (origin deconfliction; measured 1.000x
  // in six runs in a row). The lab measures it for more peers under a shaped link.
  const auto origin_sent = nginx_->body_bytes_sent("/update.bin");
  std::cout << "origin egress: " << static_cast<double>(origin_sent) / kSize << " x the file\n";
  EXPECT_LE(origin_sent, kSize + kSize / 20);
}

TEST_F(EngineSwarmTest, WhenTheOnlyPeerDiesTheOriginFinishesTheFile) {
  const auto port = free_loopback_port();
  // Both the seeder and the origin slow (2 and 1 MiB/s): the download is still going when the
  // seeder dies, and the origin alone could not have finished it by then.
  auto seeder = start_seeder(url_, port, {"--upload-limit", "2M"});
  ASSERT_TRUE(seeder);
  auto downloader = spawn_get(url_, out_ / "b.bin", home_b_.path(),
                              {"--peer", peer_arg(port), "--limit-rate", "1M", "--json-progress"});
  ASSERT_TRUE(downloader);
  // The seeder dies once it has given a verified piece (a fixed wait was too short on a slow,
  // sanitized build: the peer had sent 0.2 MB, no whole piece).
  const std::regex from_peers_seen(R"("from_peers":[1-9])");
  ASSERT_TRUE(downloader->wait_for_error_output(
      [&](const std::string& err) { return std::regex_search(err, from_peers_seen); }, 60s))
      << "no piece came from the seeder";
  seeder->send_signal(SIGKILL);
  (void)seeder->wait(10s);
  auto json = json_of(downloader->wait(120s));
  EXPECT_EQ(json["state"], "ACKNOWLEDGED");
  EXPECT_EQ(sha256_file(out_ / "b.bin").value_or(""), sha_);
  EXPECT_GT(json["from_peers"].get<std::uint64_t>(), 0u) << json.dump();
  EXPECT_GT(json["from_origin"].get<std::uint64_t>(), 0u) << json.dump();
}

TEST_F(EngineSwarmTest, AGarbagePeerIsBannedAndTheOriginFillsTheGaps) {
  const auto meta = published_metainfo("update.bin");
  ASSERT_FALSE(meta.info_hash_v1.empty());
  BadPeerOptions options;
  options.info_hash_v1 = meta.info_hash_v1;
  options.size = meta.size;
  options.piece_size = meta.piece_size;
  options.pieces = meta.pieces;
  options.mode = BadPeerOptions::Mode::kAllGarbage;
  BadPeer bad(options);

  // The origin slowed down (4 MiB/s) so that the peer is met before the origin alone is done.
  auto json = json_of(run_get(url_, out_ / "b.bin", home_b_.path(),
                              {"--peer", peer_arg(bad.port()), "--limit-rate", "4M"}));
  EXPECT_EQ(json["state"], "ACKNOWLEDGED");
  EXPECT_EQ(sha256_file(out_ / "b.bin").value_or(""), sha_);
  EXPECT_EQ(json["from_peers"], 0);
  EXPECT_EQ(json["from_origin"], kSize);
  const auto stats = bad.stats();
  EXPECT_GT(stats.garbage_blocks_sent, 0u) << "the bad peer was never asked";
  EXPECT_GE(stats.remote_closes, 1u) << "the bad peer was not disconnected";
}

TEST_F(EngineSwarmTest, NoMetadataMeansHttpOnlyWithAReason) {
  ASSERT_TRUE(write_test_file(docroot_.path() / "plain.bin", 1 << 20, 7));
  auto json = json_of(run_get(nginx_->url("plain.bin"), out_ / "plain.bin", home_b_.path(), {}));
  EXPECT_EQ(json["from_origin"], 1 << 20);
  EXPECT_EQ(json["peers_unused_reason"], "no metadata at the origin (HTTP 404)");
  EXPECT_EQ(json["mode"], "lan");
}

TEST_F(EngineSwarmTest, WithNoPeerAnOriginThatIgnoresRangeServesTheWholeFileInOneStream) {
  auto origin = start_range_ignoring_origin(read_bytes(docroot_.path() / "update.bin"));
  auto json = json_of(run_get(origin->url("/update.bin"), out_ / "b.bin", home_b_.path(), {}));
  EXPECT_EQ(json["state"], "ACKNOWLEDGED") << json.dump();
  EXPECT_EQ(json["mode"], "lan");
  EXPECT_EQ(sha256_file(out_ / "b.bin").value_or(""), sha_);
  EXPECT_EQ(json["from_origin"], kSize) << json.dump();
  EXPECT_EQ(json["from_peers"], 0);
  ASSERT_TRUE(json["peers_unused_reason"].is_string()) << json.dump();
  EXPECT_NE(json["peers_unused_reason"].get<std::string>().find("ignores Range"), std::string::npos)
      << json.dump();
  // The metadata was fetched (lan mode used it), and the file came in a request without Range.
  EXPECT_FALSE(origin->requests_for("/update.bin.torrent").empty());
  bool whole_body_request = false;
  for (const auto& request : origin->requests_for("/update.bin")) {
    if (request.method == "GET" && request.range.empty()) whole_body_request = true;
  }
  EXPECT_TRUE(whole_body_request);
}

TEST_F(EngineSwarmTest, AFileFromAnOriginThatIgnoresRangeIsCheckedAgainstItsMetadata) {
  // The right size and metadata, one wrong byte in the middle: only the piece check sees it.
  auto body = read_bytes(docroot_.path() / "update.bin");
  ASSERT_EQ(body.size(), kSize);
  body[kSize / 2] = static_cast<char>(body[kSize / 2] ^ 0x5a);
  auto origin = start_range_ignoring_origin(std::move(body));
  const auto result = run_get(origin->url("/update.bin"), out_ / "b.bin", home_b_.path(), {});
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
  auto json = nlohmann::json::parse(result.out, nullptr, false);
  EXPECT_EQ(json["state"], "ERROR") << result.out;
  EXPECT_NE(result.err.find("does not match its metadata"), std::string::npos) << result.err;
  EXPECT_FALSE(fs::exists(out_ / "b.bin"));
  for (const auto& entry : fs::directory_iterator(out_.path())) ADD_FAILURE() << entry.path();
}

TEST_F(EngineSwarmTest, WithAnOriginThatIgnoresRangeAPeerServesTheWholeFile) {
  const auto port = free_loopback_port();
  auto seeder = start_seeder(url_, port);  // from nginx, which honours Range
  ASSERT_TRUE(seeder);
  auto origin = start_range_ignoring_origin(read_bytes(docroot_.path() / "update.bin"));
  auto json = json_of(run_get(origin->url("/update.bin"), out_ / "b.bin", home_b_.path(),
                              {"--peer", peer_arg(port)}));
  EXPECT_EQ(json["state"], "ACKNOWLEDGED") << json.dump();
  EXPECT_EQ(sha256_file(out_ / "b.bin").value_or(""), sha_);
  EXPECT_EQ(json["from_peers"], kSize) << json.dump();
  EXPECT_EQ(json["from_origin"], 0) << json.dump();
  EXPECT_TRUE(json["peers_unused_reason"].is_null()) << json.dump();
  seeder->send_signal(SIGTERM);
  EXPECT_EQ(seeder->wait(30s).exit_code, 0);
}

TEST_F(EngineSwarmTest, MetadataOfAnotherSizeIsAClearErrorAndNothingIsWritten) {
  // other.bin.torrent describes update.bin (16 MiB); other.bin is 3 MiB.
  ASSERT_TRUE(write_test_file(docroot_.path() / "other.bin", 3 << 20, 9));
  fs::copy_file(docroot_.path() / "update.bin.torrent", docroot_.path() / "other.bin.torrent");
  const auto result = run_get(nginx_->url("other.bin"), out_ / "other.bin", home_b_.path(), {});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("the metadata describes a file of 16777216 bytes, but the origin "
                            "serves 3145728 bytes"),
            std::string::npos)
      << result.err;
  EXPECT_FALSE(fs::exists(out_ / "other.bin"));
  for (const auto& entry : fs::directory_iterator(out_.path())) ADD_FAILURE() << entry.path();
}

TEST_F(EngineSwarmTest, ContentChangedAtTheOriginMidTransferIsAnErrorAndNothingIsMixed) {
  auto downloader =
      spawn_get(url_, out_ / "b.bin", home_b_.path(), {"--limit-rate", "2M", "--json-progress"});
  ASSERT_TRUE(downloader);
  ASSERT_TRUE(downloader->wait_for_error_output(
      [](const std::string& err) { return progress_bytes(err) > 0; }, 60s))
      << "the download never started";
  // Re-published in place: new bytes, new metadata, same name.
  make_published_file("update.bin", kSize, 99);
  const auto result = downloader->wait(120s);
  EXPECT_EQ(result.exit_code, 2) << result.out;
  auto json = nlohmann::json::parse(result.out, nullptr, false);
  EXPECT_EQ(json["state"], "ERROR") << result.out;
  EXPECT_FALSE(fs::exists(out_ / "b.bin"));
  for (const auto& entry : fs::directory_iterator(out_.path())) ADD_FAILURE() << entry.path();
}

// --max-peers caps connections, LAN peers included (libtorrent's limit covers local peers
// too). The origin stops serving the data once the two seeders have it, and they upload slowly,
// so an uncapped downloader has time to connect to both; a capped one takes it all from one.
TEST_F(EngineSwarmTest, MaxPeersCapsConnectionsToPeers) {
  const auto port_a = free_loopback_port();
  auto a = start_seeder(url_, port_a, {"--upload-limit", "4M"});
  const auto port_b = free_loopback_port();
  auto b = start_seeder(url_, port_b, {"--upload-limit", "4M"}, home_b_.path());
  ASSERT_TRUE(a && b);
  fs::remove(docroot_.path() / "update.bin");  // 404 from now on; the metadata stays
  const std::vector<std::string> both_peers = {"--peer", peer_arg(port_a), "--peer",
                                               peer_arg(port_b)};

  auto uncapped = json_of(run_get(url_, out_ / "uncapped.bin", home_c_.path(), both_peers));
  EXPECT_EQ(uncapped["state"], "ACKNOWLEDGED") << uncapped.dump();
  EXPECT_EQ(uncapped["from_peers"], kSize) << uncapped.dump();
  EXPECT_EQ(uncapped["peers"].size(), 2u) << uncapped.dump();

  auto args = both_peers;
  args.insert(args.end(), {"--max-peers", "1"});
  auto capped = json_of(run_get(url_, out_ / "capped.bin", home_d_.path(), args));
  EXPECT_EQ(capped["state"], "ACKNOWLEDGED") << capped.dump();
  EXPECT_EQ(sha256_file(out_ / "capped.bin").value_or(""), sha_);
  EXPECT_EQ(capped["from_peers"], kSize) << capped.dump();
  EXPECT_EQ(capped["peers"].size(), 1u) << capped.dump();
}

TEST_F(EngineSwarmTest, HttpOnlyAndBypassModesLeavePeersAside) {
  auto http_only = json_of(
      run_get(url_, out_ / "a.bin", home_b_.path(), {"--mode", "http-only", "--sha256", sha_}));
  EXPECT_EQ(http_only["mode"], "http-only");
  EXPECT_EQ(http_only["peers_unused_reason"], "mode http-only");
  EXPECT_EQ(http_only["from_origin"], kSize);
  auto bypass = json_of(
      run_get(url_, out_ / "b.bin", home_c_.path(), {"--mode", "bypass", "--sha256", sha_}));
  EXPECT_EQ(bypass["peers_unused_reason"], "mode bypass");
  EXPECT_EQ(bypass["from_origin"], kSize);
  // bypass keeps nothing in the cache: the same file again comes from the origin.
  auto again = json_of(
      run_get(url_, out_ / "c.bin", home_c_.path(), {"--mode", "bypass", "--sha256", sha_}));
  EXPECT_EQ(again["from_cache"], 0);
  EXPECT_EQ(again["from_origin"], kSize);
  for (const auto* name : {"a.bin", "b.bin", "c.bin"}) {
    EXPECT_EQ(sha256_file(out_ / name).value_or(""), sha_) << name;
  }
}

TEST_F(EngineSwarmTest, TheSameContentUnderAnotherUrlComesFromTheCache) {
  auto first = json_of(run_get(url_, out_ / "a.bin", home_b_.path(), {}));
  EXPECT_EQ(first["from_origin"], kSize);
  EXPECT_EQ(first["peers_unused_reason"], "no peer found");
  fs::create_directories(docroot_.path() / "mirror");
  fs::copy_file(docroot_.path() / "update.bin", docroot_.path() / "mirror" / "copy.bin");
  fs::copy_file(docroot_.path() / "update.bin.torrent",
                docroot_.path() / "mirror" / "copy.bin.torrent");
  auto second =
      json_of(run_get(nginx_->url("mirror/copy.bin"), out_ / "b.bin", home_b_.path(), {}));
  EXPECT_EQ(second["from_cache"], kSize);
  EXPECT_EQ(second["from_origin"], 0);
  EXPECT_EQ(nginx_->body_bytes_sent("/mirror/copy.bin"), 0u);
  EXPECT_EQ(sha256_file(out_ / "b.bin").value_or(""), sha_);
  // The destination is a copy: changing it leaves the cache (and the next copy) intact.
  { std::ofstream(out_ / "b.bin", std::ios::binary | std::ios::in) << "scribble"; }
  auto third = json_of(run_get(url_, out_ / "c.bin", home_b_.path(), {}));
  EXPECT_EQ(third["from_cache"], kSize);
  EXPECT_EQ(sha256_file(out_ / "c.bin").value_or(""), sha_);
}

TEST_F(EngineSwarmTest, ACacheItemCorruptedBeforeAnUncleanShutdownIsFetchedAgain) {
  const auto port = free_loopback_port();
  auto seeder = start_seeder(url_, port);  // fills home_a_'s cache, then keeps it open
  ASSERT_TRUE(seeder);
  seeder->send_signal(SIGKILL);  // unclean: the cache must check its items again
  (void)seeder->wait(10s);
  int corrupted = 0;
  for (const auto& entry : fs::directory_iterator(home_a_.path() / "cache" / "objects")) {
    std::fstream file(entry.path(), std::ios::binary | std::ios::in | std::ios::out);
    file.seekp(5 << 20);
    file << "corrupt";
    ++corrupted;
  }
  ASSERT_EQ(corrupted, 1);
  auto json = json_of(run_get(url_, out_ / "again.bin", home_a_.path(), {}));
  EXPECT_EQ(json["from_cache"], 0) << json.dump();
  EXPECT_GT(json["from_origin"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(sha256_file(out_ / "again.bin").value_or(""), sha_);
}

// A killed download resumes from what it kept: the cache item's pieces (libtorrent checks them
// again) and the temporary file's, which checkpoints made durable — each checked against its
// hash before it is kept, so a temporary file damaged meanwhile (here: every byte) costs
// nothing but copies from the cache item.
TEST_F(EngineSwarmTest, AKilledDownloadResumesFromWhatItKeptAndChecksItsTemporaryFile) {
  const std::vector<std::string> limited = {"--limit-rate", "1M", "--json-progress"};
  auto first = spawn_get(url_, out_ / "b.bin", home_b_.path(), limited);
  ASSERT_TRUE(first);
  // ~6 of 16 MiB: checkpointed every second, so at least 5 MiB are durable.
  ASSERT_TRUE(first->wait_for_error_output(
      [](const std::string& err) { return progress_bytes(err) >= (6ull << 20); }, 60s))
      << "the first run never got 6 MiB";
  first->send_signal(SIGKILL);
  (void)first->wait(10s);
  fs::path temp;
  for (const auto& entry : fs::directory_iterator(out_.path())) {
    if (entry.path().filename().string().starts_with(".b.bin.")) temp = entry.path();
  }
  ASSERT_FALSE(temp.empty()) << "the killed job kept no temporary file";
  ASSERT_EQ(fs::file_size(temp), kSize);
  { std::ofstream(temp, std::ios::binary | std::ios::in) << std::string(kSize, 'Z'); }
  const auto sent_before = nginx_->body_bytes_sent("/update.bin");
  ASSERT_GT(sent_before, 3ull << 20);

  auto json = json_of(run_get(url_, out_ / "b.bin", home_b_.path(), {}));
  EXPECT_EQ(json["state"], "ACKNOWLEDGED") << json.dump();
  EXPECT_EQ(json["resumed"], true) << json.dump();
  EXPECT_EQ(sha256_file(out_ / "b.bin").value_or(""), sha_);
  // What the first run got is not fetched again (a request cut by the kill wastes <= 2 MiB).
  const auto sent = nginx_->body_bytes_sent("/update.bin");
  EXPECT_LT(sent, kSize + (3ull << 20)) << "first run: " << sent_before;
}

}  // namespace
}  // namespace swarmcopy::test
