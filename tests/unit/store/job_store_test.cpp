// JobStore against real SQLite files in a fresh temporary directory per test. A second
// connection opened with the plain SQLite C API checks what actually reached the file.
#include "job_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "test_dir/test_dir.h"

namespace swarmcopy::engine {
namespace {

namespace fs = std::filesystem;
using api::Clock;
using std::chrono::nanoseconds;

Clock::time_point at_ns(std::int64_t ns) {
  return Clock::time_point(std::chrono::duration_cast<Clock::duration>(nanoseconds(ns)));
}

// A connection that bypasses the JobStore, to see what another process would see.
class RawDb {
 public:
  explicit RawDb(const fs::path& file) {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
    db_.reset(raw);
    if (rc != SQLITE_OK) ADD_FAILURE() << "raw open failed: " << sqlite3_errstr(rc);
  }

  void exec(const std::string& sql) {
    char* message = nullptr;
    const int rc = sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &message);
    if (rc != SQLITE_OK) ADD_FAILURE() << sql << ": " << (message ? message : "?");
    sqlite3_free(message);
  }

  // The first column of the first row, as text ("" when there is no row).
  std::string query(const std::string& sql) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_.get(), sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_.get());
      return {};
    }
    std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> stmt(raw, &sqlite3_finalize);
    if (sqlite3_step(stmt.get()) != SQLITE_ROW) return {};
    const auto* text = sqlite3_column_text(stmt.get(), 0);
    return text ? reinterpret_cast<const char*>(text) : "";
  }

 private:
  struct Close {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  std::unique_ptr<sqlite3, Close> db_;
};

FileRecord make_file(std::uint32_t index) {
  FileRecord file;
  file.index = index;
  file.url = "https://origin.example/pkg/file" + std::to_string(index) + ".bin";
  file.local_path = "/srv/dest/file" + std::to_string(index) + ".bin";
  file.temp_path = "/srv/dest/.file" + std::to_string(index) + ".bin.job.swarmcopy";
  return file;
}

JobRecord make_job(std::int64_t created_ns = 1'700'000'000'000'000'000) {
  JobRecord job;
  job.id = api::JobId::generate();
  job.display_name = "job";
  job.times.creation_time = at_ns(created_ns);
  job.times.modification_time = at_ns(created_ns);
  return job;
}

// Every field away from its default, with nanosecond times that a microsecond store would
// lose.
JobRecord make_full_job() {
  JobRecord job = make_job(1'700'000'000'123'456'789);
  job.owner_uid = 1000;
  job.owner_gid = 1001;
  job.display_name = "Full job — ünïcode & 'quotes'";
  job.state = api::JobState::kTransientError;
  job.priority = api::Priority::kForeground;
  job.notify_flags = api::NotifyFlags::kJobError | api::NotifyFlags::kFileTransferred |
                     api::NotifyFlags::kJobModification;
  job.no_progress_timeout = std::chrono::seconds(1209600);
  job.times.modification_time = at_ns(1'700'000'100'987'654'321);
  job.times.transfer_completion_time = at_ns(1'700'000'200'000'000'001);
  job.error = api::Error{api::ErrorContext::kRemoteFile,
                         api::ErrorKind::kHttpStatus,
                         503,
                         "service unavailable",
                         "https://origin.example/pkg/file0.bin",
                         api::Protocol::kHttps};
  job.http_headers = {"Authorization: Bearer abc", "X-Empty:", "X-Trace: a=b; c=d"};
  job.max_bytes_per_second = 12'345'678;
  job.transient_since = at_ns(1'700'000'150'000'000'007);
  job.retry_count = 7;
  job.file_mode = 0640;
  job.description = "nightly — ünïcode & 'quotes'";
  job.min_retry_delay = std::chrono::milliseconds(86'400'000);
  job.error_count = 42;
  job.notify_cmd = {"/usr/bin/notify-send", "", "two words", "ünïcode\nline"};
  job.notify_cmd_status = 137;
  // Credentials and all: the store is the engine's private state, and the job must still reach
  // its proxy after a restart.
  job.proxy = api::ProxySettings{api::ProxyUsage::kOverride,
                                 "http://alice:s3cret@proxy:3128",
                                 {"127.0.0.1", ".example.org", "10.0.0.0/8"}};

  FileRecord first = make_file(0);
  first.sha256 = std::string(64, 'a');
  first.size = 10'000'000'000ULL;
  first.etag = "\"abc-123\"";
  first.last_modified = "Tue, 14 Nov 2023 22:13:20 GMT";
  first.accepts_ranges = false;
  first.completed = true;
  first.verified = RangeSet({{0, 4096}, {8192, 1'000'000}, {9'999'000'000ULL, 10'000'000'000ULL}});
  first.from_origin = 111;
  first.from_peers = 222;
  first.from_cache = 333;
  first.refetched = 555;
  first.received = RangeSet({{0, 2'000'000}, {9'999'000'000ULL, 10'000'000'000ULL}});
  first.metadata_url = "http://origin/f.torrent";
  first.mode = api::DownloadMode::kBypass;
  first.info_hash = std::string(64, 'c');
  first.uploaded = 444;
  first.peers_seen = 3;
  first.peers = {{"10.1.2.3:6881", 1, 2}, {"[::1]:7000", 1ULL << 40, 0}};
  first.peers_unused_reason = "peers had no pieces";
  first.metadata_source = "made here";
  first.explanation.piece_size = 262144;
  first.explanation.pieces_total = 9;
  first.explanation.pieces_from_origin = 2;
  first.explanation.pieces_from_peers = 6;
  first.explanation.pieces_from_earlier_run = 1;
  first.explanation.note("mode lan");
  first.explanation.note("origin in play after 12 ms: background jobs have no HTTP delay");
  first.explanation.peers.push_back(
      api::PeerExplanation{"10.0.0.7:6881", "lsd", 1572864, 262144, "used"});
  first.explanation.peers_omitted = 3;
  first.explanation.origin_request(0, 524288, "owned piece: ránked first of 4 downloaders");
  first.explanation.origin_requests_omitted = 2;
  first.explanation.notes_omitted = 1;
  first.high_water = 9'999'999'999ULL;
  FileRecord second = make_file(1);
  second.verified = RangeSet({{16, 32}});
  job.files = {first, second};
  return job;
}

class JobStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<JobStore> open_store() {
    auto store = JobStore::open(path_);
    EXPECT_TRUE(store.has_value()) << (store ? "" : store.error().describe());
    return store ? std::move(*store) : nullptr;
  }

  std::vector<JobRecord> load(JobStore& store) {
    auto jobs = store.load_all();
    EXPECT_TRUE(jobs.has_value()) << (jobs ? "" : jobs.error().describe());
    return jobs ? std::move(*jobs) : std::vector<JobRecord>{};
  }

  void expect_ok(const api::Result<void>& result) {
    EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().describe());
  }

  void expect_error(const api::Result<void>& result, api::ErrorKind kind) {
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().kind, kind) << result.error().describe();
    EXPECT_EQ(result.error().context, api::ErrorContext::kGeneralQueueManager);
    EXPECT_EQ(result.error().protocol, api::Protocol::kLocal);
    EXPECT_EQ(result.error().file, path_.string());
  }

  test::TestDir dir_{"job_store_test."};
  fs::path path_ = dir_ / "jobs.db";
};

TEST_F(JobStoreTest, StartsEmpty) {
  auto store = open_store();
  ASSERT_TRUE(store);
  EXPECT_TRUE(load(*store).empty());
}

TEST_F(JobStoreTest, RoundTripsEveryField) {
  auto store = open_store();
  ASSERT_TRUE(store);
  const JobRecord job = make_full_job();
  expect_ok(store->insert_job(job));
  const auto jobs = load(*store);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0], job);
}

TEST_F(JobStoreTest, RoundTripsExtremeValues) {
  auto store = open_store();
  ASSERT_TRUE(store);
  constexpr auto kMax64 = std::numeric_limits<std::uint64_t>::max();
  JobRecord job = make_job(-1'234'567'891);  // before the epoch
  job.owner_uid = std::numeric_limits<std::uint32_t>::max();
  job.retry_count = std::numeric_limits<std::uint32_t>::max();
  job.error_count = std::numeric_limits<std::uint32_t>::max();
  job.max_bytes_per_second = kMax64;
  job.notify_flags = static_cast<api::NotifyFlags>(api::kAllNotifyBits);
  job.transient_since = at_ns(std::numeric_limits<std::int64_t>::max());
  job.error = api::Error{api::ErrorContext::kLocalFile,
                         api::ErrorKind::kLocalIo,
                         std::numeric_limits<int>::min(),
                         "",
                         "",
                         api::Protocol::kNone};
  FileRecord file = make_file(std::numeric_limits<std::uint32_t>::max());
  file.size = kMax64;
  file.sha256 = "";
  file.verified = RangeSet({{0, 1}, {kMax64 - 1, kMax64}});
  file.from_origin = kMax64;
  file.from_peers = kMax64 - 1;
  file.from_cache = 1ULL << 63;
  job.files = {file};
  expect_ok(store->insert_job(job));
  const auto jobs = load(*store);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0], job);
}

TEST_F(JobStoreTest, HeadersRoundTripIncludingEmptyLines) {
  auto store = open_store();
  ASSERT_TRUE(store);
  JobRecord none = make_job(1);
  JobRecord one_empty = make_job(2);
  one_empty.http_headers = {""};
  JobRecord mixed = make_job(3);
  mixed.http_headers = {"", "A: b\r", "", "C: d: e", ""};
  for (const auto* job : {&none, &one_empty, &mixed}) expect_ok(store->insert_job(*job));
  const auto jobs = load(*store);
  ASSERT_EQ(jobs.size(), 3u);
  EXPECT_EQ(jobs[0], none);
  EXPECT_EQ(jobs[1], one_empty);
  EXPECT_EQ(jobs[2], mixed);
}

TEST_F(JobStoreTest, RejectsHeaderWithNewline) {
  auto store = open_store();
  ASSERT_TRUE(store);
  JobRecord job = make_job();
  job.http_headers = {"A: b\nC: d"};
  auto inserted = store->insert_job(job);
  ASSERT_FALSE(inserted.has_value());
  EXPECT_EQ(inserted.error().kind, api::ErrorKind::kInvalidArgument);
  EXPECT_TRUE(load(*store).empty());
}

TEST_F(JobStoreTest, SurvivesReopen) {
  const JobRecord job = make_full_job();
  {
    auto store = open_store();
    ASSERT_TRUE(store);
    expect_ok(store->insert_job(job));
  }
  auto store = open_store();
  ASSERT_TRUE(store);
  const auto jobs = load(*store);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0], job);
}

TEST_F(JobStoreTest, CommittedChangeIsVisibleToAnotherConnection) {
  auto store = open_store();
  ASSERT_TRUE(store);
  JobRecord job = make_full_job();
  const auto id = job.id.to_string();
  expect_ok(store->insert_job(job));

  // The store stays open: what the other connection sees was committed before the call
  // returned, not at close.
  RawDb raw(path_);
  EXPECT_EQ(raw.query("SELECT state FROM jobs WHERE id = '" + id + "'"), "TRANSIENT_ERROR");
  EXPECT_EQ(raw.query("SELECT count(*) FROM files WHERE job_id = '" + id + "'"), "2");

  job.state = api::JobState::kTransferring;
  expect_ok(store->update_job(job));
  EXPECT_EQ(raw.query("SELECT state FROM jobs WHERE id = '" + id + "'"), "TRANSFERRING");

  FileRecord file = job.files[1];
  file.from_peers = 4242;
  expect_ok(store->update_file(job.id, file));
  EXPECT_EQ(raw.query("SELECT from_peers FROM files WHERE job_id = '" + id + "' AND idx = 1"),
            "4242");

  job.priority = api::Priority::kLow;
  file.from_cache = 77;
  expect_ok(store->update_job_and_file(job, file));
  EXPECT_EQ(raw.query("SELECT priority FROM jobs WHERE id = '" + id + "'"), "low");
  EXPECT_EQ(raw.query("SELECT from_cache FROM files WHERE job_id = '" + id + "' AND idx = 1"),
            "77");

  expect_ok(store->add_files(job.id, std::vector<FileRecord>{make_file(2)}));
  EXPECT_EQ(raw.query("SELECT count(*) FROM files WHERE job_id = '" + id + "'"), "3");

  expect_ok(store->delete_job(job.id));
  EXPECT_EQ(raw.query("SELECT count(*) FROM jobs"), "0");
}

TEST_F(JobStoreTest, UpdateJobReplacesItsFieldsAndKeepsFiles) {
  auto store = open_store();
  ASSERT_TRUE(store);
  JobRecord job = make_full_job();
  expect_ok(store->insert_job(job));

  JobRecord changed = job;
  changed.state = api::JobState::kSuspended;
  changed.error.reset();
  changed.http_headers.clear();
  changed.display_name = "renamed";
  changed.times.modification_time += nanoseconds(1);
  changed.files.clear();  // update_job does not touch files
  expect_ok(store->update_job(changed));

  const auto jobs = load(*store);
  ASSERT_EQ(jobs.size(), 1u);
  JobRecord expected = changed;
  expected.files = job.files;
  EXPECT_EQ(jobs[0], expected);
  EXPECT_FALSE(jobs[0].error.has_value());
}

TEST_F(JobStoreTest, AddFilesAppendsInIndexOrder) {
  auto store = open_store();
  ASSERT_TRUE(store);
  JobRecord job = make_job();
  expect_ok(store->insert_job(job));
  expect_ok(store->add_files(job.id, std::vector<FileRecord>{make_file(2), make_file(0)}));
  expect_ok(store->add_files(job.id, std::vector<FileRecord>{make_file(1)}));
  expect_ok(store->add_files(job.id, std::vector<FileRecord>{}));

  const auto jobs = load(*store);
  ASSERT_EQ(jobs.size(), 1u);
  job.files = {make_file(0), make_file(1), make_file(2)};
  EXPECT_EQ(jobs[0], job);
}

TEST_F(JobStoreTest, AddFilesIsAtomic) {
  auto store = open_store();
  ASSERT_TRUE(store);
  JobRecord job = make_job();
  job.files = {make_file(0)};
  expect_ok(store->insert_job(job));

  // File 1 would be fine alone; the duplicate index 0 after it must take it down too.
  auto added = store->add_files(job.id, std::vector<FileRecord>{make_file(1), make_file(0)});
  expect_error(added, api::ErrorKind::kStoreFailure);
  EXPECT_EQ(added.error().code, SQLITE_CONSTRAINT_PRIMARYKEY);

  const auto jobs = load(*store);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0], job);

  // The failed transaction left nothing open: the store still works.
  expect_ok(store->add_files(job.id, std::vector<FileRecord>{make_file(1)}));
  EXPECT_EQ(load(*store).at(0).files.size(), 2u);
}

TEST_F(JobStoreTest, InsertJobIsAtomic) {
  auto store = open_store();
  ASSERT_TRUE(store);
  JobRecord job = make_job();
  job.files = {make_file(0), make_file(0)};
  expect_error(store->insert_job(job), api::ErrorKind::kStoreFailure);
  EXPECT_TRUE(load(*store).empty());
}

TEST_F(JobStoreTest, DuplicateJobIdIsStoreFailure) {
  auto store = open_store();
  ASSERT_TRUE(store);
  const JobRecord job = make_job();
  expect_ok(store->insert_job(job));
  auto again = store->insert_job(job);
  expect_error(again, api::ErrorKind::kStoreFailure);
  EXPECT_EQ(again.error().code, SQLITE_CONSTRAINT_PRIMARYKEY);
  EXPECT_NE(again.error().message.find(job.id.to_string()), std::string::npos);
  EXPECT_EQ(load(*store).size(), 1u);
}

TEST_F(JobStoreTest, UpdateFileReplacesRanges) {
  auto store = open_store();
  ASSERT_TRUE(store);
  JobRecord job = make_full_job();
  expect_ok(store->insert_job(job));

  FileRecord file = job.files[0];
  file.verified = RangeSet({{500, 600}});  // disjoint from, and fewer than, the old ranges
  file.completed = false;
  file.size = std::nullopt;
  file.etag = "\"new\"";
  file.from_origin += 1000;
  expect_ok(store->update_file(job.id, file));

  auto jobs = load(*store);
  ASSERT_EQ(jobs.size(), 1u);
  job.files[0] = file;
  EXPECT_EQ(jobs[0], job);

  file.verified.clear();
  expect_ok(store->update_file(job.id, file));
  jobs = load(*store);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_TRUE(jobs[0].files[0].verified.empty());
  EXPECT_EQ(jobs[0].files[1], job.files[1]);  // the other file is untouched
}

TEST_F(JobStoreTest, UpdateJobAndFileIsAtomic) {
  auto store = open_store();
  ASSERT_TRUE(store);
  JobRecord job = make_full_job();
  expect_ok(store->insert_job(job));

  JobRecord changed = job;
  changed.state = api::JobState::kError;
  FileRecord missing = make_file(9);
  expect_error(store->update_job_and_file(changed, missing), api::ErrorKind::kNotFound);

  const auto jobs = load(*store);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0], job);  // the job row did not move without its file
}

TEST_F(JobStoreTest, DeleteCascadesToFiles) {
  auto store = open_store();
  ASSERT_TRUE(store);
  const JobRecord gone = make_full_job();
  JobRecord kept = make_job(1'800'000'000'000'000'000);
  kept.files = {make_file(0)};
  expect_ok(store->insert_job(gone));
  expect_ok(store->insert_job(kept));

  expect_ok(store->delete_job(gone.id));

  RawDb raw(path_);
  EXPECT_EQ(raw.query("SELECT count(*) FROM files WHERE job_id = '" + gone.id.to_string() + "'"),
            "0");
  const auto jobs = load(*store);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0], kept);
}

TEST_F(JobStoreTest, UnknownJobIsNotFound) {
  auto store = open_store();
  ASSERT_TRUE(store);
  JobRecord known = make_job();
  known.files = {make_file(0)};
  expect_ok(store->insert_job(known));
  const JobRecord unknown = make_job();

  expect_error(store->update_job(unknown), api::ErrorKind::kNotFound);
  expect_error(store->update_file(unknown.id, make_file(0)), api::ErrorKind::kNotFound);
  expect_error(store->update_job_and_file(unknown, make_file(0)), api::ErrorKind::kNotFound);
  expect_error(store->delete_job(unknown.id), api::ErrorKind::kNotFound);
  expect_error(store->add_files(unknown.id, std::vector<FileRecord>{make_file(0)}),
               api::ErrorKind::kNotFound);
  // A known job but an unknown file.
  expect_error(store->update_file(known.id, make_file(5)), api::ErrorKind::kNotFound);

  const auto jobs = load(*store);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0], known);
}

TEST_F(JobStoreTest, OrdersByCreationTime) {
  auto store = open_store();
  ASSERT_TRUE(store);
  std::vector<JobRecord> jobs;
  for (std::int64_t created : {50, 10, 40, 10, 30, 10, -5}) {
    jobs.push_back(make_job(created));
    jobs.back().files = {make_file(0)};
  }
  for (const auto& job : jobs) expect_ok(store->insert_job(job));

  std::sort(jobs.begin(), jobs.end(), [](const JobRecord& a, const JobRecord& b) {
    if (a.times.creation_time != b.times.creation_time) {
      return a.times.creation_time < b.times.creation_time;
    }
    return a.id < b.id;
  });
  EXPECT_EQ(load(*store), jobs);
}

TEST_F(JobStoreTest, LoadsThousandJobs) {
  auto store = open_store();
  ASSERT_TRUE(store);
  std::vector<JobRecord> jobs;
  for (int i = 0; i < 1000; ++i) {
    JobRecord job = make_job(1'000'000 + i);
    job.display_name = "job " + std::to_string(i);
    for (std::uint32_t f = 0; f < static_cast<std::uint32_t>(i % 3); ++f) {
      FileRecord file = make_file(f);
      file.verified = RangeSet({{0, static_cast<std::uint64_t>(i) + 1}});
      job.files.push_back(file);
    }
    expect_ok(store->insert_job(job));
    jobs.push_back(std::move(job));
  }
  const auto loaded = load(*store);
  ASSERT_EQ(loaded.size(), jobs.size());
  EXPECT_TRUE(loaded == jobs);
}

TEST_F(JobStoreTest, WalModeIsOn) {
  auto store = open_store();
  ASSERT_TRUE(store);
  RawDb raw(path_);
  EXPECT_EQ(raw.query("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw.query("PRAGMA user_version"), "11");
}

// What a store from before version 7 holds: no refetched count, no received ranges.
void drop_version7_columns(RawDb& raw) {
  raw.exec("ALTER TABLE files DROP COLUMN refetched");
  raw.exec("ALTER TABLE files DROP COLUMN received");
}

// What migration 7 gives rows that had neither: received is what was verified.
void without_version7_fields(JobRecord& job) {
  for (auto& file : job.files) {
    file.refetched = 0;
    file.received = file.verified;
  }
}

// What a store from before version 8 holds: no proxy setting.
void drop_version8_columns(RawDb& raw) {
  for (const char* column : {"proxy_usage", "proxy_url", "proxy_bypass"}) {
    raw.exec(std::string("ALTER TABLE jobs DROP COLUMN ") + column);
  }
}

// What migration 8 gives rows that had none: the default, system.
void without_version8_fields(JobRecord& job) { job.proxy = api::ProxySettings{}; }

// What a store from before version 9 holds: no metadata source.
void drop_version9_columns(RawDb& raw) {
  raw.exec("ALTER TABLE files DROP COLUMN metadata_source");
}

// What migration 9 gives rows that had none: unknown.
void without_version9_fields(JobRecord& job) {
  for (auto& file : job.files) file.metadata_source.reset();
}

// What a store from before version 10 holds: no explanation.
void drop_version10_columns(RawDb& raw) { raw.exec("ALTER TABLE files DROP COLUMN explanation"); }
void drop_version11_tables(RawDb& raw) { raw.exec("DROP TABLE counters"); }

// What migration 10 gives rows that had none: an empty explanation.
void without_version10_fields(JobRecord& job) {
  for (auto& file : job.files) file.explanation = {};
}

// What a store from before version 6 holds: no notify command.
void drop_version6_columns(RawDb& raw) {
  raw.exec("ALTER TABLE jobs DROP COLUMN notify_cmd");
  raw.exec("ALTER TABLE jobs DROP COLUMN notify_cmd_status");
}

void without_version6_fields(JobRecord& job) {
  job.notify_cmd.clear();
  job.notify_cmd_status.reset();
}

// What a store from before version 5 holds: no description, retry delay or error count.
void drop_version5_columns(RawDb& raw) {
  for (const char* column : {"description", "min_retry_delay_ms", "error_count"}) {
    raw.exec(std::string("ALTER TABLE jobs DROP COLUMN ") + column);
  }
}

// What migration 5 gives rows that had none of them.
void without_version5_fields(JobRecord& job) {
  job.description.clear();
  job.min_retry_delay.reset();
  job.error_count = 0;
}

// What a store from before version 4 holds: no file mode, no high-water mark.
void drop_version4_columns(RawDb& raw) {
  raw.exec("ALTER TABLE jobs DROP COLUMN file_mode");
  raw.exec("ALTER TABLE files DROP COLUMN high_water");
}

// What migration 4 gives rows that had neither.
void without_version4_fields(JobRecord& job) {
  job.file_mode.reset();
  for (auto& file : job.files) file.high_water = 0;
}

// What a store from before version 3 holds: no swarm columns.
void drop_swarm_columns(RawDb& raw) {
  for (const char* column : {"metadata_url", "mode", "info_hash", "uploaded", "peers_seen", "peers",
                             "peers_unused_reason"}) {
    raw.exec(std::string("ALTER TABLE files DROP COLUMN ") + column);
  }
}

// What migration 3 gives rows that had no swarm columns.
void without_swarm_fields(FileRecord& file) {
  file.metadata_url.reset();
  file.mode = api::DownloadMode::kLan;
  file.info_hash.clear();
  file.uploaded = 0;
  file.peers_seen = 0;
  file.peers.clear();
  file.peers_unused_reason.reset();
}

TEST_F(JobStoreTest, CountersKeepTheirValueAcrossAReopen) {
  {
    auto store = open_store();
    ASSERT_TRUE(store);
    auto absent = store->counter("upload_month_bytes");
    ASSERT_TRUE(absent) << absent.error().describe();
    EXPECT_EQ(*absent, std::nullopt);
    const std::pair<std::string_view, std::uint64_t> first[] = {{"upload_month_bytes", 5}};
    expect_ok(store->set_counters(first));
    // Replaced, every bit kept; two in one go.
    const std::pair<std::string_view, std::uint64_t> second[] = {{"upload_month_bytes", UINT64_MAX},
                                                                 {"upload_month", 202612}};
    expect_ok(store->set_counters(second));
  }
  auto store = open_store();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->counter("upload_month_bytes").value_or(std::nullopt), UINT64_MAX);
  EXPECT_EQ(store->counter("upload_month").value_or(std::nullopt), 202612u);
}

TEST_F(JobStoreTest, RejectsNewerSchemaVersion) {
  { ASSERT_TRUE(open_store()); }
  {
    RawDb raw(path_);
    raw.exec("PRAGMA user_version = 12");
  }
  auto store = JobStore::open(path_);
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().kind, api::ErrorKind::kStoreFailure);
  EXPECT_EQ(store.error().file, path_.string());
  EXPECT_NE(store.error().message.find("newer"), std::string::npos) << store.error().describe();
  // Refusing leaves the version as it was.
  RawDb raw(path_);
  EXPECT_EQ(raw.query("PRAGMA user_version"), "12");
}

TEST_F(JobStoreTest, MigratesAVersion1Store) {
  JobRecord job = make_full_job();
  {
    auto store = open_store();
    ASSERT_TRUE(store);
    expect_ok(store->insert_job(job));
  }
  {
    // Make the file what version 1 wrote: no owner_gid column, no swarm columns.
    RawDb raw(path_);
    raw.exec("ALTER TABLE jobs DROP COLUMN owner_gid");
    drop_swarm_columns(raw);
    drop_version4_columns(raw);
    drop_version5_columns(raw);
    drop_version6_columns(raw);
    drop_version7_columns(raw);
    drop_version8_columns(raw);
    drop_version9_columns(raw);
    drop_version10_columns(raw);
    drop_version11_tables(raw);
    raw.exec("PRAGMA user_version = 1");
  }
  auto store = open_store();
  ASSERT_TRUE(store);
  const auto loaded = load(*store);
  ASSERT_EQ(loaded.size(), 1u);
  job.owner_gid = 0;  // what the migrations give rows that had none
  for (auto& file : job.files) without_swarm_fields(file);
  without_version4_fields(job);
  without_version5_fields(job);
  without_version6_fields(job);
  without_version7_fields(job);
  without_version8_fields(job);
  without_version9_fields(job);
  without_version10_fields(job);
  EXPECT_EQ(loaded.front(), job);
  RawDb raw(path_);
  EXPECT_EQ(raw.query("PRAGMA user_version"), "11");
}

TEST_F(JobStoreTest, MigratesAVersion2Store) {
  JobRecord job = make_full_job();
  {
    auto store = open_store();
    ASSERT_TRUE(store);
    expect_ok(store->insert_job(job));
  }
  {
    RawDb raw(path_);
    drop_swarm_columns(raw);
    drop_version4_columns(raw);
    drop_version5_columns(raw);
    drop_version6_columns(raw);
    drop_version7_columns(raw);
    drop_version8_columns(raw);
    drop_version9_columns(raw);
    drop_version10_columns(raw);
    drop_version11_tables(raw);
    raw.exec("PRAGMA user_version = 2");
  }
  auto store = open_store();
  ASSERT_TRUE(store);
  const auto loaded = load(*store);
  ASSERT_EQ(loaded.size(), 1u);
  for (auto& file : job.files) without_swarm_fields(file);
  without_version4_fields(job);
  without_version5_fields(job);
  without_version6_fields(job);
  without_version7_fields(job);
  without_version8_fields(job);
  without_version9_fields(job);
  without_version10_fields(job);
  EXPECT_EQ(loaded.front(), job);
  // And the new columns take values from then on.
  JobRecord changed = loaded.front();
  changed.files[0].mode = api::DownloadMode::kHttpOnly;
  changed.files[0].peers = {{"10.0.0.9:1", 5, 6}};
  expect_ok(store->update_job_and_file(changed, changed.files[0]));
  EXPECT_EQ(load(*store).front(), changed);
}

TEST_F(JobStoreTest, MigratesAVersion3Store) {
  JobRecord job = make_full_job();
  {
    auto store = open_store();
    ASSERT_TRUE(store);
    expect_ok(store->insert_job(job));
  }
  {
    RawDb raw(path_);
    drop_version4_columns(raw);
    drop_version5_columns(raw);
    drop_version6_columns(raw);
    drop_version7_columns(raw);
    drop_version8_columns(raw);
    drop_version9_columns(raw);
    drop_version10_columns(raw);
    drop_version11_tables(raw);
    raw.exec("PRAGMA user_version = 3");
  }
  auto store = open_store();
  ASSERT_TRUE(store);
  ASSERT_EQ(load(*store).size(), 1u);
  without_version4_fields(job);
  without_version5_fields(job);
  without_version6_fields(job);
  without_version7_fields(job);
  without_version8_fields(job);
  without_version9_fields(job);
  without_version10_fields(job);
  EXPECT_EQ(load(*store).front(), job);
  // The mode and the mark take values from then on.
  job.file_mode = 0600;
  job.files[1].high_water = 32;
  expect_ok(store->update_job_and_file(job, job.files[1]));
  EXPECT_EQ(load(*store).front(), job);
}

TEST_F(JobStoreTest, MigratesAVersion4Store) {
  JobRecord job = make_full_job();
  {
    auto store = open_store();
    ASSERT_TRUE(store);
    expect_ok(store->insert_job(job));
  }
  {
    RawDb raw(path_);
    drop_version5_columns(raw);
    drop_version6_columns(raw);
    drop_version7_columns(raw);
    drop_version8_columns(raw);
    drop_version9_columns(raw);
    drop_version10_columns(raw);
    drop_version11_tables(raw);
    raw.exec("PRAGMA user_version = 4");
  }
  auto store = open_store();
  ASSERT_TRUE(store);
  ASSERT_EQ(load(*store).size(), 1u);
  without_version5_fields(job);
  without_version6_fields(job);
  without_version7_fields(job);
  without_version8_fields(job);
  without_version9_fields(job);
  without_version10_fields(job);
  EXPECT_EQ(load(*store).front(), job);
  // The new columns take values from then on.
  job.description = "set after the upgrade";
  job.min_retry_delay = std::chrono::milliseconds(1500);
  job.error_count = 3;
  expect_ok(store->update_job(job));
  EXPECT_EQ(load(*store).front(), job);
}

TEST_F(JobStoreTest, MigratesAVersion6Store) {
  JobRecord job = make_full_job();
  {
    auto store = open_store();
    ASSERT_TRUE(store);
    expect_ok(store->insert_job(job));
  }
  {
    RawDb raw(path_);
    drop_version7_columns(raw);
    drop_version8_columns(raw);
    drop_version9_columns(raw);
    drop_version10_columns(raw);
    drop_version11_tables(raw);
    raw.exec("PRAGMA user_version = 6");
  }
  auto store = open_store();
  ASSERT_TRUE(store);
  ASSERT_EQ(load(*store).size(), 1u);
  without_version7_fields(job);
  without_version8_fields(job);
  without_version9_fields(job);
  without_version10_fields(job);
  EXPECT_EQ(load(*store).front(), job);
  EXPECT_EQ(load(*store).front().files[0].received.total(), job.files[0].verified.total());
  // The count and the ranges take values from then on, and survive a reopen.
  job.files[0].refetched = 4096;
  job.files[0].received.add(ByteRange{1'000'000, 3'000'000});
  expect_ok(store->update_job_and_file(job, job.files[0]));
  store.reset();
  store = open_store();
  ASSERT_TRUE(store);
  EXPECT_EQ(load(*store).front(), job);
}

TEST_F(JobStoreTest, MigratesAVersion7StoreAndKeepsTheProxyFromThenOn) {
  JobRecord job = make_full_job();
  {
    auto store = open_store();
    ASSERT_TRUE(store);
    expect_ok(store->insert_job(job));
  }
  {
    RawDb raw(path_);
    drop_version8_columns(raw);
    drop_version9_columns(raw);
    drop_version10_columns(raw);
    drop_version11_tables(raw);
    raw.exec("PRAGMA user_version = 7");
  }
  auto store = open_store();
  ASSERT_TRUE(store);
  without_version8_fields(job);
  without_version9_fields(job);
  without_version10_fields(job);
  EXPECT_EQ(load(*store).front(), job);
  job.proxy = api::ProxySettings{api::ProxyUsage::kNone, "", {}};
  expect_ok(store->update_job(job));
  EXPECT_EQ(load(*store).front(), job);
  job.proxy = api::ProxySettings{api::ProxyUsage::kOverride, "socks5h://u:p@127.0.0.1:1080", {}};
  expect_ok(store->update_job(job));
  EXPECT_EQ(load(*store).front(), job);
  RawDb raw(path_);
  EXPECT_EQ(raw.query("PRAGMA user_version"), "11");
}

TEST_F(JobStoreTest, MigratesAVersion8StoreAndKeepsTheMetadataSourceFromThenOn) {
  JobRecord job = make_full_job();
  {
    auto store = open_store();
    ASSERT_TRUE(store);
    expect_ok(store->insert_job(job));
  }
  {
    RawDb raw(path_);
    drop_version9_columns(raw);
    drop_version10_columns(raw);
    drop_version11_tables(raw);
    raw.exec("PRAGMA user_version = 8");
  }
  auto store = open_store();
  ASSERT_TRUE(store);
  without_version9_fields(job);
  without_version10_fields(job);
  EXPECT_EQ(load(*store).front(), job);
  job.files[0].metadata_source = "peers";
  expect_ok(store->update_job_and_file(job, job.files[0]));
  store.reset();
  store = open_store();
  ASSERT_TRUE(store);
  EXPECT_EQ(load(*store).front(), job);
  RawDb raw(path_);
  EXPECT_EQ(raw.query("PRAGMA user_version"), "11");
}

TEST_F(JobStoreTest, AMalformedExplanationIsAClearError) {
  const JobRecord job = make_full_job();
  {
    auto store = open_store();
    ASSERT_TRUE(store);
    expect_ok(store->insert_job(job));
  }
  {
    RawDb raw(path_);
    raw.exec("UPDATE files SET explanation = 'peer\tonly two fields'");
  }
  auto store = open_store();
  ASSERT_TRUE(store);
  auto loaded = store->load_all();
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().message.find("explanation"), std::string::npos)
      << loaded.error().describe();
}

TEST_F(JobStoreTest, CorruptFileIsClearError) {
  std::string garbage(8192, '\0');
  for (std::size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>(i * 7 + 3);
  {
    std::ofstream out(path_, std::ios::binary);
    out << garbage;
  }
  auto store = JobStore::open(path_);
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().kind, api::ErrorKind::kStoreFailure);
  EXPECT_EQ(store.error().context, api::ErrorContext::kGeneralQueueManager);
  EXPECT_EQ(store.error().code, SQLITE_NOTADB) << store.error().describe();
  EXPECT_EQ(store.error().file, path_.string());
  EXPECT_NE(store.error().describe().find(path_.string()), std::string::npos);

  // The file is left as it was, for whoever investigates.
  std::ifstream in(path_, std::ios::binary);
  const std::string after{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  EXPECT_EQ(after, garbage);
}

TEST_F(JobStoreTest, MissingDirectoryIsClearError) {
  auto store = JobStore::open(dir_ / "no-such-dir" / "jobs.db");
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().kind, api::ErrorKind::kStoreFailure);
  EXPECT_EQ(store.error().code & 0xff, SQLITE_CANTOPEN) << store.error().describe();
  EXPECT_EQ(store.error().file, (dir_ / "no-such-dir" / "jobs.db").string());
}

TEST_F(JobStoreTest, UnknownEnumNameIsStoreFailure) {
  auto store = open_store();
  ASSERT_TRUE(store);
  const JobRecord job = make_full_job();
  expect_ok(store->insert_job(job));
  const auto where = " WHERE id = '" + job.id.to_string() + "'";
  const char* damages[] = {
      "state = 'FLYING'",    "priority = 'urgent'",       "type = 'UPLOAD'",
      "error_kind = 'oops'", "error_context = 'nowhere'", "error_protocol = 'ftp'",
      "owner_uid = -1",      "proxy_usage = 'auto'"};
  for (const char* damage : damages) {
    {
      RawDb raw(path_);
      raw.exec("SAVEPOINT damage");
      raw.exec(std::string("UPDATE jobs SET ") + damage + where);
      raw.exec("RELEASE damage");
    }
    auto jobs = store->load_all();
    ASSERT_FALSE(jobs.has_value()) << damage;
    EXPECT_EQ(jobs.error().kind, api::ErrorKind::kStoreFailure) << damage;
    EXPECT_EQ(jobs.error().file, path_.string());
    // Put the good row back for the next damage.
    expect_ok(store->update_job(job));
  }
  EXPECT_EQ(load(*store).at(0), job);
}

TEST_F(JobStoreTest, MalformedRangesAreStoreFailure) {
  auto store = open_store();
  ASSERT_TRUE(store);
  const JobRecord job = make_full_job();
  expect_ok(store->insert_job(job));
  {
    RawDb raw(path_);
    raw.exec("UPDATE files SET verified = x'0102030405' WHERE idx = 0");
  }
  auto jobs = store->load_all();
  ASSERT_FALSE(jobs.has_value());
  EXPECT_EQ(jobs.error().kind, api::ErrorKind::kStoreFailure);
  EXPECT_NE(jobs.error().message.find("verified"), std::string::npos) << jobs.error().describe();
}

}  // namespace
}  // namespace swarmcopy::engine
