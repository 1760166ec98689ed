#include "job_store.h"

#include <sqlite3.h>

#include <array>
#include <bit>
#include <chrono>
#include <climits>
#include <cstdint>
#include <limits>
#include <optional>
#include <ratio>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "explanation_codec.h"
#include "swarmcopy/sqlite/connection.h"
#include "swarmcopy/sqlite/statement.h"
#include "swarmcopy/sqlite/transaction.h"

namespace swarmcopy::engine {
namespace {

using sqlite::SqliteConnection;
using sqlite::SqliteStatement;
using sqlite::SqliteTransaction;

using api::Clock;

// Times are stored as integer nanoseconds since the epoch. That is exact only while the clock
// counts in whole nanoseconds or coarser, which libstdc++'s system_clock does.
static_assert(std::ratio_less_equal_v<std::nano, Clock::period>,
              "Clock ticks finer than 1 ns would not round-trip through the job store");

// The schema version this code writes. Each entry of kMigrations takes the file from version
// i to i + 1; a new version appends an entry and never edits an old one.
constexpr int kSchemaVersion = 11;

// Unsigned 64-bit counters are stored as SQLite's signed INTEGER with the same bits, so even
// values above INT64_MAX round-trip exactly. Nothing orders or sums them in SQL.
// Ranges are a BLOB of (begin, end) pairs, 8 bytes little-endian each, in the files row
// itself: update_file then replaces them wholly with the one UPDATE.
// http_headers is the lines joined by '\n' (a header line cannot hold a newline), NULL for no
// headers, so that one empty line and no lines stay different.
constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE jobs (
  id TEXT PRIMARY KEY NOT NULL,
  owner_uid INTEGER NOT NULL,
  display_name TEXT NOT NULL,
  type TEXT NOT NULL,
  state TEXT NOT NULL,
  priority TEXT NOT NULL,
  notify_flags INTEGER NOT NULL,
  no_progress_timeout_s INTEGER NOT NULL,
  creation_time_ns INTEGER NOT NULL,
  modification_time_ns INTEGER NOT NULL,
  transfer_completion_time_ns INTEGER NOT NULL,
  error_context TEXT,
  error_kind TEXT,
  error_code INTEGER,
  error_message TEXT,
  error_file TEXT,
  error_protocol TEXT,
  http_headers TEXT,
  max_bytes_per_second INTEGER NOT NULL,
  transient_since_ns INTEGER NOT NULL,
  retry_count INTEGER NOT NULL
);
CREATE INDEX jobs_by_creation ON jobs (creation_time_ns, id);
CREATE TABLE files (
  job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  url TEXT NOT NULL,
  local_path TEXT NOT NULL,
  temp_path TEXT NOT NULL,
  sha256 TEXT,
  size INTEGER,
  etag TEXT NOT NULL,
  last_modified TEXT NOT NULL,
  accepts_ranges INTEGER NOT NULL,
  completed INTEGER NOT NULL,
  verified BLOB NOT NULL,
  from_origin INTEGER NOT NULL,
  from_peers INTEGER NOT NULL,
  from_cache INTEGER NOT NULL,
  PRIMARY KEY (job_id, idx)
);
)sql",
    // 2: the owner's group, for file operations under the owner's credentials.
    "ALTER TABLE jobs ADD COLUMN owner_gid INTEGER NOT NULL DEFAULT 0;",
    // 3: the swarm: metadata, download mode, content identity and where bytes came from.
    R"sql(
ALTER TABLE files ADD COLUMN metadata_url TEXT;
ALTER TABLE files ADD COLUMN mode TEXT NOT NULL DEFAULT 'lan';
ALTER TABLE files ADD COLUMN info_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE files ADD COLUMN uploaded INTEGER NOT NULL DEFAULT 0;
ALTER TABLE files ADD COLUMN peers_seen INTEGER NOT NULL DEFAULT 0;
ALTER TABLE files ADD COLUMN peers TEXT NOT NULL DEFAULT '';
ALTER TABLE files ADD COLUMN peers_unused_reason TEXT;
)sql",
    // 4: the mode of the owner's files (NULL: as the process's umask makes them), and the most
    // bytes a file ever had verified (progress is measured against it).
    R"sql(
ALTER TABLE jobs ADD COLUMN file_mode INTEGER;
ALTER TABLE files ADD COLUMN high_water INTEGER NOT NULL DEFAULT 0;
)sql",
    // 5: the description (SetDescription), the job's own minimum retry delay (NULL: the
    // engine's) and its count of transient errors (GetErrorCount).
    R"sql(
ALTER TABLE jobs ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN min_retry_delay_ms INTEGER;
ALTER TABLE jobs ADD COLUMN error_count INTEGER NOT NULL DEFAULT 0;
)sql",
    // 6: the notify command line (NULL: none) and how its last run ended (NULL: not run).
    R"sql(
ALTER TABLE jobs ADD COLUMN notify_cmd BLOB;
ALTER TABLE jobs ADD COLUMN notify_cmd_status INTEGER;
)sql",
    // 7: bytes received again (refetched), and every range ever received (so that a range that
    // arrives again is known). A row from before starts with what it had synced: its counts
    // stay as they were (they may hold a refetch twice), only later arrivals split.
    R"sql(
ALTER TABLE files ADD COLUMN refetched INTEGER NOT NULL DEFAULT 0;
ALTER TABLE files ADD COLUMN received BLOB NOT NULL DEFAULT x'';
UPDATE files SET received = verified;
)sql",
    // 8: the proxy setting (SetProxySettings): usage by name, the proxy URL as given
    // (credentials included), the bypass list joined by ','. Older jobs: 'system'.
    R"sql(
ALTER TABLE jobs ADD COLUMN proxy_usage TEXT NOT NULL DEFAULT 'system';
ALTER TABLE jobs ADD COLUMN proxy_url TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN proxy_bypass TEXT NOT NULL DEFAULT '';
)sql",
    // 9: where a file's metadata came from (origin, peers, made here; NULL: none or unknown),
    // so that a restarted engine still says it.
    "ALTER TABLE files ADD COLUMN metadata_source TEXT;",
    // 10: why the file's bytes came from where they came (`job explain`), explanation_codec.h.
    "ALTER TABLE files ADD COLUMN explanation TEXT NOT NULL DEFAULT '';",
    // 11: small numbers the engine keeps across restarts (JobStore::counter).
    "CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;",
};
static_assert(std::size(kMigrations) == kSchemaVersion);

// Column order shared by the SELECT below and read_job(); parameters ?1..?31 in the same order
// for INSERT and UPDATE (bind_job()).
constexpr std::string_view kSelectJobs = R"sql(
SELECT id, owner_uid, display_name, type, state, priority, notify_flags, no_progress_timeout_s,
       creation_time_ns, modification_time_ns, transfer_completion_time_ns, error_context,
       error_kind, error_code, error_message, error_file, error_protocol, http_headers,
       max_bytes_per_second, transient_since_ns, retry_count, owner_gid, file_mode, description,
       min_retry_delay_ms, error_count, notify_cmd, notify_cmd_status, proxy_usage, proxy_url,
       proxy_bypass
FROM jobs ORDER BY creation_time_ns, id)sql";

constexpr std::string_view kInsertJob = R"sql(
INSERT INTO jobs (id, owner_uid, display_name, type, state, priority, notify_flags,
                  no_progress_timeout_s, creation_time_ns, modification_time_ns,
                  transfer_completion_time_ns, error_context, error_kind, error_code,
                  error_message, error_file, error_protocol, http_headers, max_bytes_per_second,
                  transient_since_ns, retry_count, owner_gid, file_mode, description,
                  min_retry_delay_ms, error_count, notify_cmd, notify_cmd_status, proxy_usage,
                  proxy_url, proxy_bypass)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,
        ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31))sql";

constexpr std::string_view kUpdateJob = R"sql(
UPDATE jobs SET owner_uid = ?2, display_name = ?3, type = ?4, state = ?5, priority = ?6,
                notify_flags = ?7, no_progress_timeout_s = ?8, creation_time_ns = ?9,
                modification_time_ns = ?10, transfer_completion_time_ns = ?11,
                error_context = ?12, error_kind = ?13, error_code = ?14, error_message = ?15,
                error_file = ?16, error_protocol = ?17, http_headers = ?18,
                max_bytes_per_second = ?19, transient_since_ns = ?20, retry_count = ?21,
                owner_gid = ?22, file_mode = ?23, description = ?24, min_retry_delay_ms = ?25,
                error_count = ?26, notify_cmd = ?27, notify_cmd_status = ?28, proxy_usage = ?29,
                proxy_url = ?30, proxy_bypass = ?31
WHERE id = ?1)sql";

constexpr std::string_view kDeleteJob = "DELETE FROM jobs WHERE id = ?1";
constexpr std::string_view kJobExists = "SELECT 1 FROM jobs WHERE id = ?1";

// Column order shared by the SELECT below and read_file(); parameters ?1..?27 in the same
// order for INSERT and UPDATE (bind_file()).
constexpr std::string_view kSelectFiles = R"sql(
SELECT job_id, idx, url, local_path, temp_path, sha256, size, etag, last_modified,
       accepts_ranges, completed, verified, from_origin, from_peers, from_cache, metadata_url,
       mode, info_hash, uploaded, peers_seen, peers, peers_unused_reason, high_water, refetched,
       received, metadata_source, explanation
FROM files ORDER BY job_id, idx)sql";

constexpr std::string_view kInsertFile = R"sql(
INSERT INTO files (job_id, idx, url, local_path, temp_path, sha256, size, etag, last_modified,
                   accepts_ranges, completed, verified, from_origin, from_peers, from_cache,
                   metadata_url, mode, info_hash, uploaded, peers_seen, peers,
                   peers_unused_reason, high_water, refetched, received, metadata_source,
                   explanation)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,
        ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27))sql";

// Every column but the key: after update_file the row is exactly the record that was passed.
constexpr std::string_view kUpdateFile = R"sql(
UPDATE files SET url = ?3, local_path = ?4, temp_path = ?5, sha256 = ?6, size = ?7, etag = ?8,
                 last_modified = ?9, accepts_ranges = ?10, completed = ?11, verified = ?12,
                 from_origin = ?13, from_peers = ?14, from_cache = ?15, metadata_url = ?16,
                 mode = ?17, info_hash = ?18, uploaded = ?19, peers_seen = ?20, peers = ?21,
                 peers_unused_reason = ?22, high_water = ?23, refetched = ?24, received = ?25,
                 metadata_source = ?26, explanation = ?27
WHERE job_id = ?1 AND idx = ?2)sql";

std::int64_t to_ns(Clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
}

Clock::time_point from_ns(std::int64_t ns) {
  return Clock::time_point(
      std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(ns)));
}

// One peer per line: "ADDR BYTES_DOWN BYTES_UP".
std::string encode_peers(const std::vector<api::PeerTraffic>& peers) {
  std::string text;
  for (const auto& peer : peers) {
    text += peer.addr + ' ' + std::to_string(peer.bytes_down) + ' ' +
            std::to_string(peer.bytes_up) + '\n';
  }
  return text;
}

std::optional<std::vector<api::PeerTraffic>> decode_peers(const std::string& text) {
  std::vector<api::PeerTraffic> peers;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    api::PeerTraffic peer;
    if (!(fields >> peer.addr >> peer.bytes_down >> peer.bytes_up)) return std::nullopt;
    peers.push_back(std::move(peer));
  }
  return peers;
}

std::vector<unsigned char> encode_ranges(const RangeSet& set) {
  std::vector<unsigned char> bytes;
  bytes.reserve(set.ranges().size() * 16);
  auto put = [&bytes](std::uint64_t value) {
    for (int shift = 0; shift < 64; shift += 8) {
      bytes.push_back(static_cast<unsigned char>(value >> shift));
    }
  };
  for (const auto& range : set.ranges()) {
    put(range.begin);
    put(range.end);
  }
  return bytes;
}

std::optional<RangeSet> decode_ranges(std::span<const unsigned char> bytes) {
  if (bytes.size() % 16 != 0) return std::nullopt;
  auto get = [&bytes](std::size_t at) {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < 8; ++i) {
      value |= static_cast<std::uint64_t>(bytes[at + i]) << (8 * i);
    }
    return value;
  };
  std::vector<ByteRange> ranges;
  ranges.reserve(bytes.size() / 16);
  for (std::size_t at = 0; at < bytes.size(); at += 16) {
    ByteRange range{get(at), get(at + 8)};
    // RangeSet drops empty ranges; one here means the row was not written by us.
    if (range.begin >= range.end) return std::nullopt;
    ranges.push_back(range);
  }
  return RangeSet(std::move(ranges));
}

api::Result<std::optional<std::string>> encode_headers(const std::vector<std::string>& headers) {
  if (headers.empty()) return std::nullopt;
  std::string joined;
  for (std::size_t i = 0; i < headers.size(); ++i) {
    if (headers[i].find('\n') != std::string::npos) {
      return api::fail(api::ErrorContext::kGeneralQueueManager, api::ErrorKind::kInvalidArgument,
                       "an HTTP header line contains a newline: " + headers[i]);
    }
    if (i != 0) joined += '\n';
    joined += headers[i];
  }
  return joined;
}

std::vector<std::string> decode_headers(std::string_view joined) {
  std::vector<std::string> headers;
  for (;;) {
    const auto newline = joined.find('\n');
    headers.emplace_back(joined.substr(0, newline));
    if (newline == std::string_view::npos) break;
    joined.remove_prefix(newline + 1);
  }
  return headers;
}

// A proxy bypass list joined by ',' (an entry cannot hold one: api::check_proxy_bypass); ""
// is the empty list.
std::string join_bypass(const std::vector<std::string>& hosts) {
  std::string joined;
  for (const auto& host : hosts) {
    if (!joined.empty()) joined += ',';
    joined += host;
  }
  return joined;
}

std::vector<std::string> split_bypass(std::string_view joined) {
  std::vector<std::string> hosts;
  while (!joined.empty()) {
    const auto comma = joined.find(',');
    hosts.emplace_back(joined.substr(0, comma));
    if (comma == std::string_view::npos) break;
    joined.remove_prefix(comma + 1);
  }
  return hosts;
}

// A command line as its arguments, each ended by a NUL (which no argument can hold).
std::vector<unsigned char> encode_argv(const std::vector<std::string>& argv) {
  std::vector<unsigned char> bytes;
  for (const auto& arg : argv) {
    bytes.insert(bytes.end(), arg.begin(), arg.end());
    bytes.push_back(0);
  }
  return bytes;
}

std::optional<std::vector<std::string>> decode_argv(std::span<const unsigned char> bytes) {
  if (bytes.empty() || bytes.back() != 0) return std::nullopt;
  std::vector<std::string> argv;
  std::string arg;
  for (const unsigned char c : bytes) {
    if (c == 0) {
      argv.push_back(std::move(arg));
      arg.clear();
    } else {
      arg.push_back(static_cast<char>(c));
    }
  }
  return argv;
}

// Binds parameters and keeps the first failure, so binding reads as a flat list and is
// checked once.
class Binder {
 public:
  explicit Binder(SqliteStatement& stmt) : stmt_(stmt) {}

  void integer(int index, std::int64_t value) { keep(stmt_.bind(index, value)); }
  void unsigned64(int index, std::uint64_t value) {
    keep(stmt_.bind(index, std::bit_cast<std::int64_t>(value)));
  }
  void time(int index, Clock::time_point value) { keep(stmt_.bind(index, to_ns(value))); }
  void text(int index, std::string_view value) { keep(stmt_.bind(index, value)); }
  void optional_text(int index, const std::optional<std::string>& value) {
    keep(value ? stmt_.bind(index, *value) : stmt_.bind_null(index));
  }
  void blob(int index, std::span<const unsigned char> value) {
    keep(stmt_.bind_blob(index, value));
  }
  void null(int index) { keep(stmt_.bind_null(index)); }

  int result() const { return rc_; }

 private:
  void keep(int rc) {
    if (rc_ == SQLITE_OK) rc_ = rc;
  }
  SqliteStatement& stmt_;
  int rc_ = SQLITE_OK;
};

void bind_job(Binder& bind, const std::string& id, const JobRecord& job,
              const std::optional<std::string>& headers) {
  bind.text(1, id);
  bind.integer(2, job.owner_uid);
  bind.text(3, job.display_name);
  bind.text(4, api::to_string(job.type));
  bind.text(5, api::to_string(job.state));
  bind.text(6, api::to_string(job.priority));
  bind.integer(7, static_cast<std::uint32_t>(job.notify_flags));
  bind.integer(8, job.no_progress_timeout.count());
  bind.time(9, job.times.creation_time);
  bind.time(10, job.times.modification_time);
  bind.time(11, job.times.transfer_completion_time);
  if (job.error) {
    bind.text(12, api::to_string(job.error->context));
    bind.text(13, api::to_string(job.error->kind));
    bind.integer(14, job.error->code);
    bind.text(15, job.error->message);
    bind.text(16, job.error->file);
    bind.text(17, api::to_string(job.error->protocol));
  } else {
    for (int index = 12; index <= 17; ++index) bind.null(index);
  }
  bind.optional_text(18, headers);
  bind.unsigned64(19, job.max_bytes_per_second);
  bind.time(20, job.transient_since);
  bind.integer(21, job.retry_count);
  bind.integer(22, job.owner_gid);
  if (job.file_mode) {
    bind.integer(23, *job.file_mode);
  } else {
    bind.null(23);
  }
  bind.text(24, job.description);
  if (job.min_retry_delay) {
    bind.integer(25, job.min_retry_delay->count());
  } else {
    bind.null(25);
  }
  bind.integer(26, job.error_count);
  if (job.notify_cmd.empty()) {
    bind.null(27);
  } else {
    const auto argv = encode_argv(job.notify_cmd);
    bind.blob(27, argv);
  }
  if (job.notify_cmd_status) {
    bind.integer(28, *job.notify_cmd_status);
  } else {
    bind.null(28);
  }
  bind.text(29, api::to_string(job.proxy.usage));
  bind.text(30, job.proxy.proxy);
  bind.text(31, join_bypass(job.proxy.bypass));
}

void bind_file(Binder& bind, const std::string& job_id, const FileRecord& file,
               std::span<const unsigned char> verified, std::span<const unsigned char> received) {
  bind.text(1, job_id);
  bind.integer(2, file.index);
  bind.text(3, file.url);
  bind.text(4, file.local_path);
  bind.text(5, file.temp_path);
  bind.optional_text(6, file.sha256);
  if (file.size) {
    bind.unsigned64(7, *file.size);
  } else {
    bind.null(7);
  }
  bind.text(8, file.etag);
  bind.text(9, file.last_modified);
  bind.integer(10, file.accepts_ranges ? 1 : 0);
  bind.integer(11, file.completed ? 1 : 0);
  bind.blob(12, verified);
  bind.unsigned64(13, file.from_origin);
  bind.unsigned64(14, file.from_peers);
  bind.unsigned64(15, file.from_cache);
  bind.optional_text(16, file.metadata_url);
  bind.text(17, api::to_string(file.mode));
  bind.text(18, file.info_hash);
  bind.unsigned64(19, file.uploaded);
  bind.integer(20, file.peers_seen);
  bind.text(21, encode_peers(file.peers));
  bind.optional_text(22, file.peers_unused_reason);
  bind.unsigned64(23, file.high_water);
  bind.unsigned64(24, file.refetched);
  bind.blob(25, received);
  bind.optional_text(26, file.metadata_source);
  bind.text(27, encode_explanation(file.explanation));
}

// Reads columns of the current row and remembers the first value that does not fit its field
// (an unknown state name, a negative uid ...), so a damaged or foreign row becomes one error
// instead of a crash or a silently wrong record.
class Reader {
 public:
  Reader(const SqliteStatement& stmt, std::string_view table) : stmt_(stmt), table_(table) {}

  std::string text(int column) const { return stmt_.column_text(column); }
  std::optional<std::string> optional_text(int column) const {
    if (stmt_.is_null(column)) return std::nullopt;
    return stmt_.column_text(column);
  }
  bool is_null(int column) const { return stmt_.is_null(column); }
  std::int64_t integer(int column) const { return stmt_.column_int64(column); }
  std::uint64_t unsigned64(int column) const {
    return std::bit_cast<std::uint64_t>(stmt_.column_int64(column));
  }
  std::uint32_t unsigned32(int column, std::string_view name) {
    const auto value = stmt_.column_int64(column);
    if (value < 0 || value > std::numeric_limits<std::uint32_t>::max()) {
      bad(name, std::to_string(value));
      return 0;
    }
    return static_cast<std::uint32_t>(value);
  }
  int int32(int column, std::string_view name) {
    const auto value = stmt_.column_int64(column);
    if (value < INT_MIN || value > INT_MAX) {
      bad(name, std::to_string(value));
      return 0;
    }
    return static_cast<int>(value);
  }
  bool boolean(int column, std::string_view name) {
    const auto value = stmt_.column_int64(column);
    if (value != 0 && value != 1) bad(name, std::to_string(value));
    return value == 1;
  }
  Clock::time_point time(int column) const { return from_ns(stmt_.column_int64(column)); }

  // Stable enum names, parsed with whichever parser the api offers for the type.
  template <class Enum, class Parse>
  Enum name(int column, std::string_view column_name, Parse parse) {
    const auto text = stmt_.column_text(column);
    if (auto value = parse(text)) return *value;
    bad(column_name, "'" + text + "'");
    return Enum{};
  }

  void bad(std::string_view column, const std::string& value) {
    if (!problem_.empty()) return;
    problem_ = std::string(table_) + "." + std::string(column) + " holds " + value;
  }
  const std::string& problem() const { return problem_; }

 private:
  const SqliteStatement& stmt_;
  std::string_view table_;
  std::string problem_;
};

template <class Enum>
auto error_parser() {
  return [](std::string_view text) -> std::optional<Enum> {
    Enum value{};
    if (!api::parse(text, value)) return std::nullopt;
    return value;
  };
}

JobRecord read_job(Reader& row, const SqliteStatement& stmt) {
  JobRecord job;
  job.id = row.name<api::JobId>(0, "id", api::JobId::parse);
  job.owner_uid = row.unsigned32(1, "owner_uid");
  job.display_name = row.text(2);
  job.type = row.name<api::JobType>(3, "type", api::parse_job_type);
  job.state = row.name<api::JobState>(4, "state", api::parse_job_state);
  job.priority = row.name<api::Priority>(5, "priority", api::parse_priority);
  job.notify_flags = static_cast<api::NotifyFlags>(row.unsigned32(6, "notify_flags"));
  job.no_progress_timeout = std::chrono::seconds(row.integer(7));
  job.times.creation_time = row.time(8);
  job.times.modification_time = row.time(9);
  job.times.transfer_completion_time = row.time(10);
  // error_kind decides whether there is an error; the other error columns follow it.
  if (row.optional_text(12)) {
    api::Error error;
    error.context =
        row.name<api::ErrorContext>(11, "error_context", error_parser<api::ErrorContext>());
    error.kind = row.name<api::ErrorKind>(12, "error_kind", error_parser<api::ErrorKind>());
    error.code = row.int32(13, "error_code");
    error.message = row.text(14);
    error.file = row.text(15);
    error.protocol = row.name<api::Protocol>(16, "error_protocol", error_parser<api::Protocol>());
    job.error = std::move(error);
  }
  if (auto headers = row.optional_text(17)) job.http_headers = decode_headers(*headers);
  job.max_bytes_per_second = row.unsigned64(18);
  job.transient_since = row.time(19);
  job.retry_count = row.unsigned32(20, "retry_count");
  job.owner_gid = row.unsigned32(21, "owner_gid");
  if (!row.is_null(22)) job.file_mode = row.unsigned32(22, "file_mode") & 07777;
  job.description = row.text(23);
  if (!row.is_null(24)) {
    job.min_retry_delay = std::chrono::milliseconds(row.unsigned32(24, "min_retry_delay_ms"));
  }
  job.error_count = row.unsigned32(25, "error_count");
  if (!row.is_null(26)) {
    if (auto argv = decode_argv(stmt.column_blob(26))) {
      job.notify_cmd = std::move(*argv);
    } else {
      row.bad("notify_cmd", "a malformed argument list");
    }
  }
  if (!row.is_null(27)) job.notify_cmd_status = row.int32(27, "notify_cmd_status");
  if (auto usage = api::parse_proxy_usage(row.text(28))) {
    job.proxy.usage = *usage;
  } else {
    row.bad("proxy_usage", "an unknown proxy usage");
  }
  job.proxy.proxy = row.text(29);
  job.proxy.bypass = split_bypass(row.text(30));
  return job;
}

FileRecord read_file(Reader& row, const SqliteStatement& stmt) {
  FileRecord file;
  file.index = row.unsigned32(1, "idx");
  file.url = row.text(2);
  file.local_path = row.text(3);
  file.temp_path = row.text(4);
  file.sha256 = row.optional_text(5);
  if (!stmt.is_null(6)) file.size = row.unsigned64(6);
  file.etag = row.text(7);
  file.last_modified = row.text(8);
  file.accepts_ranges = row.boolean(9, "accepts_ranges");
  file.completed = row.boolean(10, "completed");
  if (auto verified = decode_ranges(stmt.column_blob(11))) {
    file.verified = std::move(*verified);
  } else {
    row.bad("verified", "a malformed range list");
  }
  file.from_origin = row.unsigned64(12);
  file.from_peers = row.unsigned64(13);
  file.from_cache = row.unsigned64(14);
  file.metadata_url = row.optional_text(15);
  if (auto mode = api::parse_download_mode(row.text(16))) {
    file.mode = *mode;
  } else {
    row.bad("mode", "an unknown download mode");
  }
  file.info_hash = row.text(17);
  file.uploaded = row.unsigned64(18);
  file.peers_seen = row.unsigned32(19, "peers_seen");
  if (auto peers = decode_peers(row.text(20))) {
    file.peers = std::move(*peers);
  } else {
    row.bad("peers", "a malformed peer list");
  }
  file.peers_unused_reason = row.optional_text(21);
  file.high_water = row.unsigned64(22);
  file.refetched = row.unsigned64(23);
  if (auto received = decode_ranges(stmt.column_blob(24))) {
    file.received = std::move(*received);
  } else {
    row.bad("received", "a malformed range list");
  }
  file.metadata_source = row.optional_text(25);
  if (auto explanation = decode_explanation(row.text(26))) {
    file.explanation = std::move(*explanation);
  } else {
    row.bad("explanation", "a malformed explanation");
  }
  return file;
}

// One-shot queries for the PRAGMAs read at open; not worth caching.
api::Result<SqliteStatement> query_row(SqliteConnection& db, std::string_view sql,
                                       std::string_view what) {
  auto stmt = db.prepare(sql, what);
  if (!stmt) return std::unexpected(std::move(stmt.error()));
  const int rc = stmt->step();
  if (rc != SQLITE_ROW) {
    // A PRAGMA the library does not know answers with no row at all.
    return std::unexpected(db.error(what, rc == SQLITE_DONE ? SQLITE_ERROR : rc));
  }
  return stmt;
}

}  // namespace

struct JobStore::Impl {
  explicit Impl(SqliteConnection connection) : db(std::move(connection)) {}

  // Declared first so that it is destroyed after the statements.
  SqliteConnection db;
  SqliteStatement select_jobs;
  SqliteStatement select_files;
  SqliteStatement insert_job;
  SqliteStatement update_job;
  SqliteStatement delete_job;
  SqliteStatement job_exists;
  SqliteStatement insert_file;
  SqliteStatement update_file;

  api::Result<void> configure();
  api::Result<void> migrate();
  api::Result<void> prepare_all();

  std::unexpected<api::Error> failure(std::string_view what, int rc) const {
    return std::unexpected(db.error(what, rc));
  }
  std::unexpected<api::Error> not_found(std::string message) const {
    return api::fail(api::ErrorContext::kGeneralQueueManager, api::ErrorKind::kNotFound,
                     std::move(message), 0, db.path(), api::Protocol::kLocal);
  }
  std::unexpected<api::Error> damaged(const std::string& problem) const {
    // Not an SQLite failure, so there is no SQLite code to give.
    return api::fail(api::ErrorContext::kGeneralQueueManager, api::ErrorKind::kStoreFailure,
                     "job store row not understood: " + problem, 0, db.path(),
                     api::Protocol::kLocal);
  }

  // Runs a prepared INSERT/UPDATE/DELETE to completion; returns the rows it changed.
  api::Result<std::int64_t> run(SqliteStatement& stmt, int bind_rc, std::string_view what) {
    if (bind_rc != SQLITE_OK) return failure(what, bind_rc);
    const int rc = stmt.step();
    if (rc != SQLITE_DONE) return failure(what, rc);
    return db.changes();
  }

  api::Result<bool> exists(const std::string& id);
  api::Result<void> write_job(SqliteStatement& stmt, const std::string& id, const JobRecord& job,
                              std::string_view what);
  api::Result<void> write_file(SqliteStatement& stmt, const std::string& id, const FileRecord& file,
                               std::string_view what);
  api::Result<void> change_job(const std::string& id, const JobRecord& job);
  api::Result<void> change_file(const std::string& id, const FileRecord& file);
};

api::Result<void> JobStore::Impl::configure() {
  // Another process (the CLI beside the daemon) may hold the write lock for a moment. Set
  // through the C call, which does not touch the file yet.
  sqlite3_busy_timeout(db.get(), 5000);
  // The first statement that reads the file: a file that is not a database fails here.
  {
    auto row = query_row(db, "PRAGMA journal_mode = WAL", "job store is not readable");
    if (!row) return std::unexpected(std::move(row.error()));
    const auto mode = row->column_text(0);
    if (mode != "wal") {
      return api::fail(api::ErrorContext::kGeneralQueueManager, api::ErrorKind::kStoreFailure,
                       "job store cannot use write-ahead logging (journal mode stays " + mode + ")",
                       0, db.path(), api::Protocol::kLocal);
    }
  }
  // FULL: a commit is on disk when COMMIT returns, which is what "committed before it is
  // acknowledged" needs; WAL's default NORMAL may lose the last commits at power loss.
  if (auto done = db.exec("cannot configure the job store",
                          "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON");
      !done) {
    return done;
  }
  // delete_job relies on ON DELETE CASCADE; a library built without foreign keys ignores the
  // PRAGMA silently, so ask.
  auto row = query_row(db, "PRAGMA foreign_keys", "cannot enable foreign keys in the job store");
  if (!row) return std::unexpected(std::move(row.error()));
  if (row->column_int64(0) != 1) {
    return api::fail(api::ErrorContext::kGeneralQueueManager, api::ErrorKind::kStoreFailure,
                     "this SQLite library does not enforce foreign keys", 0, db.path(),
                     api::Protocol::kLocal);
  }
  return {};
}

api::Result<void> JobStore::Impl::migrate() {
  // Read and raise the version inside one write transaction, so two processes opening a new
  // file at once cannot both create the schema, and a failed step leaves the old version.
  auto tx = SqliteTransaction::begin(db, SqliteTransaction::Mode::kWrite);
  if (!tx) return std::unexpected(std::move(tx.error()));
  std::int64_t version = 0;
  {
    auto row = query_row(db, "PRAGMA user_version", "cannot read the job store's schema version");
    if (!row) return std::unexpected(std::move(row.error()));
    version = row->column_int64(0);
  }
  if (version == kSchemaVersion) return tx->commit();
  if (version < 0 || version > kSchemaVersion) {
    return api::fail(api::ErrorContext::kGeneralQueueManager, api::ErrorKind::kStoreFailure,
                     "job store has schema version " + std::to_string(version) +
                         ", newer than this swarmcopy knows (" + std::to_string(kSchemaVersion) +
                         "); refusing to use it",
                     0, db.path(), api::Protocol::kLocal);
  }
  for (auto step = version; step < kSchemaVersion; ++step) {
    const auto what = "cannot upgrade the job store schema to version " + std::to_string(step + 1);
    if (auto done = db.exec(what, kMigrations[step]); !done) return done;
  }
  // PRAGMA takes no bound parameters; the value is our own constant.
  const auto set_version = "PRAGMA user_version = " + std::to_string(kSchemaVersion);
  if (auto done = db.exec("cannot record the job store schema version", set_version.c_str());
      !done) {
    return done;
  }
  return tx->commit();
}

api::Result<void> JobStore::Impl::prepare_all() {
  const std::pair<SqliteStatement*, std::string_view> statements[] = {
      {&select_jobs, kSelectJobs}, {&select_files, kSelectFiles}, {&insert_job, kInsertJob},
      {&update_job, kUpdateJob},   {&delete_job, kDeleteJob},     {&job_exists, kJobExists},
      {&insert_file, kInsertFile}, {&update_file, kUpdateFile},
  };
  for (const auto& [slot, sql] : statements) {
    auto prepared = db.prepare(sql);
    if (!prepared) return std::unexpected(std::move(prepared.error()));
    *slot = std::move(*prepared);
  }
  return {};
}

api::Result<bool> JobStore::Impl::exists(const std::string& id) {
  auto use = job_exists.use();
  Binder bind(job_exists);
  bind.text(1, id);
  if (bind.result() != SQLITE_OK) return failure("cannot look up job " + id, bind.result());
  const int rc = job_exists.step();
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return failure("cannot look up job " + id, rc);
}

api::Result<void> JobStore::Impl::write_job(SqliteStatement& stmt, const std::string& id,
                                            const JobRecord& job, std::string_view what) {
  auto headers = encode_headers(job.http_headers);
  if (!headers) return std::unexpected(std::move(headers.error()));
  auto use = stmt.use();
  Binder bind(stmt);
  bind_job(bind, id, job, *headers);
  auto changed = run(stmt, bind.result(), std::string(what) + " " + id);
  if (!changed) return std::unexpected(std::move(changed.error()));
  if (*changed == 0) return not_found("no job " + id + " in the job store");
  return {};
}

api::Result<void> JobStore::Impl::write_file(SqliteStatement& stmt, const std::string& id,
                                             const FileRecord& file, std::string_view what) {
  const auto verified = encode_ranges(file.verified);
  const auto received = encode_ranges(file.received);
  auto use = stmt.use();
  Binder bind(stmt);
  bind_file(bind, id, file, verified, received);
  const auto where = std::string(what) + " " + std::to_string(file.index) + " of job " + id;
  auto changed = run(stmt, bind.result(), where);
  if (!changed) return std::unexpected(std::move(changed.error()));
  if (*changed == 0) {
    auto job_known = exists(id);
    if (!job_known) return std::unexpected(std::move(job_known.error()));
    if (!*job_known) return not_found("no job " + id + " in the job store");
    return not_found("no file " + std::to_string(file.index) + " in job " + id);
  }
  return {};
}

api::Result<void> JobStore::Impl::change_job(const std::string& id, const JobRecord& job) {
  return write_job(update_job, id, job, "cannot update job");
}

api::Result<void> JobStore::Impl::change_file(const std::string& id, const FileRecord& file) {
  return write_file(update_file, id, file, "cannot update file");
}

JobStore::JobStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
JobStore::~JobStore() = default;

api::Result<std::unique_ptr<JobStore>> JobStore::open(const std::filesystem::path& file) {
  auto connection = SqliteConnection::open(file, "cannot open the job store");
  if (!connection) return std::unexpected(std::move(connection.error()));
  auto impl = std::make_unique<Impl>(std::move(*connection));
  if (auto done = impl->configure(); !done) return std::unexpected(std::move(done.error()));
  if (auto done = impl->migrate(); !done) return std::unexpected(std::move(done.error()));
  if (auto done = impl->prepare_all(); !done) return std::unexpected(std::move(done.error()));
  // The constructor is private, so make_unique cannot reach it; the pointer is owned at once.
  return std::unique_ptr<JobStore>(new JobStore(std::move(impl)));
}

api::Result<std::vector<JobRecord>> JobStore::load_all() {
  auto& s = *impl_;
  // One read transaction: jobs and files come from the same snapshot.
  auto tx = SqliteTransaction::begin(s.db, SqliteTransaction::Mode::kRead);
  if (!tx) return std::unexpected(std::move(tx.error()));

  std::vector<JobRecord> jobs;
  std::unordered_map<std::string, std::size_t> position;
  {
    auto use = s.select_jobs.use();
    for (;;) {
      const int rc = s.select_jobs.step();
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return s.failure("cannot read jobs", rc);
      Reader row(s.select_jobs, "jobs");
      auto job = read_job(row, s.select_jobs);
      if (!row.problem().empty()) return s.damaged(row.problem());
      position.emplace(s.select_jobs.column_text(0), jobs.size());
      jobs.push_back(std::move(job));
    }
  }
  {
    // Ordered by (job_id, idx), so each job's files arrive in index order.
    auto use = s.select_files.use();
    for (;;) {
      const int rc = s.select_files.step();
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return s.failure("cannot read files", rc);
      Reader row(s.select_files, "files");
      const auto job_id = row.text(0);
      const auto owner = position.find(job_id);
      if (owner == position.end()) return s.damaged("a file of unknown job " + job_id);
      auto file = read_file(row, s.select_files);
      if (!row.problem().empty()) return s.damaged(row.problem() + " (job " + job_id + ")");
      jobs[owner->second].files.push_back(std::move(file));
    }
  }
  if (auto done = tx->commit(); !done) return std::unexpected(std::move(done.error()));
  return jobs;
}

api::Result<void> JobStore::insert_job(const JobRecord& job) {
  auto& s = *impl_;
  const auto id = job.id.to_string();
  auto tx = SqliteTransaction::begin(s.db, SqliteTransaction::Mode::kWrite);
  if (!tx) return std::unexpected(std::move(tx.error()));
  if (auto done = s.write_job(s.insert_job, id, job, "cannot insert job"); !done) return done;
  for (const auto& file : job.files) {
    if (auto done = s.write_file(s.insert_file, id, file, "cannot insert file"); !done) {
      return done;
    }
  }
  return tx->commit();
}

api::Result<void> JobStore::update_job(const JobRecord& job) {
  auto& s = *impl_;
  const auto id = job.id.to_string();
  auto tx = SqliteTransaction::begin(s.db, SqliteTransaction::Mode::kWrite);
  if (!tx) return std::unexpected(std::move(tx.error()));
  if (auto done = s.change_job(id, job); !done) return done;
  return tx->commit();
}

api::Result<void> JobStore::add_files(const api::JobId& id, std::span<const FileRecord> files) {
  auto& s = *impl_;
  const auto text = id.to_string();
  auto tx = SqliteTransaction::begin(s.db, SqliteTransaction::Mode::kWrite);
  if (!tx) return std::unexpected(std::move(tx.error()));
  // Asked first so an unknown job is kNotFound rather than a foreign key failure.
  auto known = s.exists(text);
  if (!known) return std::unexpected(std::move(known.error()));
  if (!*known) return s.not_found("no job " + text + " in the job store");
  for (const auto& file : files) {
    if (auto done = s.write_file(s.insert_file, text, file, "cannot add file"); !done) {
      return done;
    }
  }
  return tx->commit();
}

api::Result<void> JobStore::update_file(const api::JobId& id, const FileRecord& file) {
  auto& s = *impl_;
  const auto text = id.to_string();
  auto tx = SqliteTransaction::begin(s.db, SqliteTransaction::Mode::kWrite);
  if (!tx) return std::unexpected(std::move(tx.error()));
  if (auto done = s.change_file(text, file); !done) return done;
  return tx->commit();
}

api::Result<void> JobStore::update_job_and_file(const JobRecord& job, const FileRecord& file) {
  auto& s = *impl_;
  const auto id = job.id.to_string();
  auto tx = SqliteTransaction::begin(s.db, SqliteTransaction::Mode::kWrite);
  if (!tx) return std::unexpected(std::move(tx.error()));
  if (auto done = s.change_job(id, job); !done) return done;
  if (auto done = s.change_file(id, file); !done) return done;
  return tx->commit();
}

api::Result<void> JobStore::delete_job(const api::JobId& id) {
  auto& s = *impl_;
  const auto text = id.to_string();
  auto tx = SqliteTransaction::begin(s.db, SqliteTransaction::Mode::kWrite);
  if (!tx) return std::unexpected(std::move(tx.error()));
  {
    auto use = s.delete_job.use();
    Binder bind(s.delete_job);
    bind.text(1, text);
    // The files go with the job: files.job_id is ON DELETE CASCADE.
    auto changed = s.run(s.delete_job, bind.result(), "cannot delete job " + text);
    if (!changed) return std::unexpected(std::move(changed.error()));
    if (*changed == 0) return s.not_found("no job " + text + " in the job store");
  }
  return tx->commit();
}

}  // namespace swarmcopy::engine

namespace swarmcopy::engine {

api::Result<std::optional<std::uint64_t>> JobStore::counter(std::string_view name) {
  auto& s = *impl_;
  const auto what = "cannot read the counter " + std::string(name);
  auto stmt = s.db.prepare("SELECT value FROM counters WHERE name = ?1", what);
  if (!stmt) return std::unexpected(std::move(stmt.error()));
  Binder bind(*stmt);
  bind.text(1, name);
  if (bind.result() != SQLITE_OK) return s.failure(what, bind.result());
  const int rc = stmt->step();
  if (rc == SQLITE_DONE) return std::nullopt;
  if (rc != SQLITE_ROW) return s.failure(what, rc);
  return static_cast<std::uint64_t>(stmt->column_int64(0));  // the same bits (see above)
}

api::Result<void> JobStore::set_counters(
    std::span<const std::pair<std::string_view, std::uint64_t>> values) {
  auto& s = *impl_;
  auto tx = SqliteTransaction::begin(s.db, SqliteTransaction::Mode::kWrite);
  if (!tx) return std::unexpected(std::move(tx.error()));
  for (const auto& [name, value] : values) {
    const auto what = "cannot write the counter " + std::string(name);
    auto stmt = s.db.prepare(
        "INSERT INTO counters (name, value) VALUES (?1, ?2) "
        "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        what);
    if (!stmt) return std::unexpected(std::move(stmt.error()));
    Binder bind(*stmt);
    bind.text(1, name);
    bind.unsigned64(2, value);
    auto changed = s.run(*stmt, bind.result(), what);
    if (!changed) return std::unexpected(std::move(changed.error()));
  }
  return tx->commit();
}

}  // namespace swarmcopy::engine
