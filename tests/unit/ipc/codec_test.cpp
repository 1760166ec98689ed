#include "swarmcopy/ipc/codec.h"

#include <gtest/gtest.h>

#include <limits>

namespace swarmcopy::ipc {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

api::Clock::time_point at_ns(std::int64_t ns) {
  return api::Clock::time_point(
      std::chrono::duration_cast<api::Clock::duration>(std::chrono::nanoseconds(ns)));
}

api::FileStatus sample_file() {
  api::FileStatus file;
  file.url = "http://127.0.0.1:8080/f.bin";
  file.local_path = "/home/me/f.bin";
  file.sha256 = std::string(64, 'a');
  file.bytes_total = std::numeric_limits<std::uint64_t>::max();
  file.bytes_transferred = 52428800;
  file.completed = true;
  file.from_origin = 1;
  file.from_peers = 2;
  file.from_cache = 3;
  file.refetched = 6;
  file.origin_ignores_range = true;
  file.uploaded = 4;
  file.metadata_url = "http://127.0.0.1:8080/f.bin.torrent";
  file.mode = api::DownloadMode::kHttpOnly;
  file.peers_seen = 5;
  file.peers_connected = 2;
  file.peers = {{"10.0.0.2:6881", 7, 8}, {"[::1]:6882", 0, 9}};
  file.peers_unused_reason = "no peer found";
  return file;
}

api::Error sample_error() {
  return {api::ErrorContext::kRemoteFile, api::ErrorKind::kHttpStatus, 404, "not found",
          "http://127.0.0.1:8080/f.bin",  api::Protocol::kHttp};
}

api::JobInfo sample_job() {
  api::JobInfo job;
  job.id = *api::JobId::parse("6f9619ff-8b86-4011-b42d-00c04fc964ff");
  job.display_name = "nightly \"quoted\" ünïcode";
  job.state = api::JobState::kTransientError;
  job.priority = api::Priority::kForeground;
  job.progress = {std::uint64_t{1073741824}, 52428800, 2, 1};
  job.times = {at_ns(1'795'671'391'123'456'789), at_ns(1'795'671'392'000'000'001), {}};
  job.error = sample_error();
  job.no_progress_timeout = std::chrono::seconds(1209600);
  job.notify_flags = api::NotifyFlags::kJobTransferred | api::NotifyFlags::kFileTransferred;
  job.http_headers = {"X-Token: abc", "Accept: */*"};
  job.max_bytes_per_second = 1 << 20;
  job.description = "mirror of \"stable\" ünïcode";
  job.min_retry_delay = std::chrono::milliseconds(600'000);
  job.error_count = 17;
  job.notify_cmd = {"/usr/local/bin/on-done", "--job", "x y"};
  job.notify_cmd_status = 3;
  job.proxy = {api::ProxyUsage::kOverride, "http://proxy.example:3128", {"127.0.0.1", ".lan"}};
  job.owner_uid = 1000;
  api::FileStatus plain;
  plain.url = "http://h/g";
  plain.local_path = "/tmp/g";
  job.files = {sample_file(), plain};
  return job;
}

void expect_invalid(const api::Result<auto>& result, const std::string& field_prefix) {
  ASSERT_FALSE(result) << "accepted, expected an error about " << field_prefix;
  EXPECT_EQ(result.error().kind, api::ErrorKind::kInvalidArgument);
  EXPECT_EQ(result.error().context, api::ErrorContext::kCaller);
  EXPECT_TRUE(result.error().message.starts_with(field_prefix + ":")) << result.error().message;
}

// ---------------------------------------------------------------- times

TEST(TimeJson, FormatsRfc3339UtcWithNanoseconds) {
  EXPECT_EQ(time_to_json(at_ns(1'795'671'391'123'456'789)), "2026-11-26T05:36:31.123456789Z");
  EXPECT_EQ(time_to_json(at_ns(1'000'000'000)), "1970-01-01T00:00:01.000000000Z");
}

TEST(TimeJson, ZeroTimeIsNullBothWays) {
  EXPECT_TRUE(time_to_json(api::Clock::time_point{}).is_null());
  auto parsed = time_from_json(nullptr);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, api::Clock::time_point{});
}

TEST(TimeJson, RoundTripsToTheNanosecond) {
  for (const std::int64_t ns :
       {std::int64_t{1}, std::int64_t{-1}, std::int64_t{999'999'999},
        std::int64_t{-86'400'000'000'001}, std::int64_t{951'782'400'000'000'000} /* 2000-02-29 */,
        std::int64_t{4'102'444'799'999'999'999}, std::int64_t{-5'000'000'000'000'000'000},
        std::int64_t{9'000'000'000'123'456'789}}) {
    const auto time = at_ns(ns);
    const auto text = time_to_json(time);
    auto back = time_from_json(text);
    ASSERT_TRUE(back) << text << ": " << back.error().message;
    EXPECT_EQ(*back, time) << text;
  }
}

TEST(TimeJson, AcceptsShortFractionsAndOffsets) {
  EXPECT_EQ(time_from_json("2026-11-26T05:36:31Z").value(), at_ns(1'795'671'391'000'000'000));
  EXPECT_EQ(time_from_json("2026-11-26T05:36:31.5Z").value(), at_ns(1'795'671'391'500'000'000));
  EXPECT_EQ(time_from_json("2026-11-26T07:36:31.5+02:00").value(),
            at_ns(1'795'671'391'500'000'000));
  EXPECT_EQ(time_from_json("2026-11-26t05:06:31.5-00:30").value(),
            at_ns(1'795'671'391'500'000'000));
}

TEST(TimeJson, RefusesWhatIsNotAnRfc3339Time) {
  for (const char* text :
       {"", "2026-11-26", "2026-11-26 05:36:31Z", "2026-11-26T05:36:31", "2026-02-30T00:00:00Z",
        "2026-13-01T00:00:00Z", "2026-11-26T24:00:00Z", "2026-11-26T05:36:60Z",
        "2026-11-26T05:36:31.Z", "2026-11-26T05:36:31.1234567890Z", "2026-11-26T05:36:31Zjunk",
        "2026-11-26T05:36:31+0200", "9999-01-01T00:00:00Z", "1500-01-01T00:00:00Z",
        "2026-11-26T05:36:3aZ"}) {
    expect_invalid(time_from_json(text), "time");
  }
  expect_invalid(time_from_json(12345), "time");
}

// ---------------------------------------------------------------- Error

TEST(ErrorJson, HasTheSpecFieldsAndStableNames) {
  const auto body = to_json(sample_error());
  EXPECT_EQ(body, json::parse(R"({"context": "remote_file", "kind": "http_status", "code": 404,
      "message": "not found", "file": "http://127.0.0.1:8080/f.bin", "protocol": "http"})"));
}

TEST(ErrorJson, EveryNameRoundTrips) {
  for (int kind = 0; kind <= static_cast<int>(api::ErrorKind::kInternal); ++kind) {
    for (int context = 0; context <= static_cast<int>(api::ErrorContext::kCaller); ++context) {
      for (int protocol = 0; protocol <= static_cast<int>(api::Protocol::kLocal); ++protocol) {
        const api::Error error{static_cast<api::ErrorContext>(context),
                               static_cast<api::ErrorKind>(kind),
                               -7,
                               "m",
                               "f",
                               static_cast<api::Protocol>(protocol)};
        auto back = error_from_json(to_json(error));
        ASSERT_TRUE(back) << back.error().message;
        EXPECT_EQ(*back, error);
      }
    }
  }
}

TEST(ErrorJson, StrictFields) {
  auto body = to_json(sample_error());
  body.erase("file");
  expect_invalid(error_from_json(body), "file");
  body = to_json(sample_error());
  body["kind"] = "no_such_kind";
  expect_invalid(error_from_json(body), "kind");
  body = to_json(sample_error());
  body["code"] = 1.5;
  expect_invalid(error_from_json(body), "code");
  body["code"] = 1ll << 40;
  expect_invalid(error_from_json(body), "code");
  body = to_json(sample_error());
  body["protocol"] = 3;
  expect_invalid(error_from_json(body), "protocol");
  expect_invalid(error_from_json(json::array()), "body");
}

TEST(ErrorJson, FailureBodyAndStatuses) {
  EXPECT_EQ(error_body(sample_error()), json({{"error", to_json(sample_error())}}));
  EXPECT_EQ(http_status_for(api::ErrorKind::kInvalidArgument), 400);
  EXPECT_EQ(http_status_for(api::ErrorKind::kNotFound), 404);
  EXPECT_EQ(http_status_for(api::ErrorKind::kJobIsFinal), 409);
  EXPECT_EQ(http_status_for(api::ErrorKind::kInvalidState), 409);
  EXPECT_EQ(http_status_for(api::ErrorKind::kNoFiles), 409);
  EXPECT_EQ(http_status_for(api::ErrorKind::kLimitExceeded), 429);
  EXPECT_EQ(http_status_for(api::ErrorKind::kUnavailable), 503);
  for (const auto kind :
       {api::ErrorKind::kHttpStatus, api::ErrorKind::kTransport, api::ErrorKind::kContentChanged,
        api::ErrorKind::kRangeNotSupported, api::ErrorKind::kBadContentEncoding,
        api::ErrorKind::kChecksumMismatch, api::ErrorKind::kLocalIo, api::ErrorKind::kDiskFull,
        api::ErrorKind::kNoProgressTimeout, api::ErrorKind::kStoreFailure,
        api::ErrorKind::kInternal}) {
    EXPECT_EQ(http_status_for(kind), 500) << api::to_string(kind);
  }
}

// ---------------------------------------------------------------- FileSpec

TEST(FileSpecJson, RoundTripsWithAndWithoutHash) {
  const api::FileSpec with{"https://o/f", "/a/f", std::string(64, 'F'), "https://o/f.meta",
                           api::DownloadMode::kBypass};
  const api::FileSpec without{"https://o/g", "/a/g", std::nullopt};
  for (const auto& spec : {with, without}) {
    auto back = file_spec_from_json(to_json(spec));
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->url, spec.url);
    EXPECT_EQ(back->local_path, spec.local_path);
    EXPECT_EQ(back->metadata_url, spec.metadata_url);
    EXPECT_EQ(back->mode, spec.mode);
    EXPECT_EQ(back->sha256, spec.sha256);
  }
  EXPECT_FALSE(to_json(without).contains("sha256"));
  auto null_hash = file_spec_from_json(json::parse(R"({"url":"u","path":"/p","sha256":null})"));
  ASSERT_TRUE(null_hash);
  EXPECT_FALSE(null_hash->sha256);
}

TEST(FileSpecJson, IsStrict) {
  expect_invalid(file_spec_from_json(json::parse(R"({"url":"u"})")), "path");
  expect_invalid(file_spec_from_json(json::parse(R"({"url":1,"path":"/p"})")), "url");
  expect_invalid(file_spec_from_json(json::parse(R"({"url":"u","path":"/p","sha":"x"})")), "sha");
  expect_invalid(file_spec_from_json(json::parse(R"({"url":"u","path":"/p","sha256":"abc"})")),
                 "sha256");
  expect_invalid(
      file_spec_from_json(json({{"url", "u"}, {"path", "/p"}, {"sha256", std::string(64, 'g')}})),
      "sha256");
  expect_invalid(file_spec_from_json(json::parse(R"("u")")), "body");
}

// ---------------------------------------------------------------- FileStatus

TEST(FileStatusJson, RoundTripsExactly) {
  for (const auto& file : {sample_file(), api::FileStatus{}}) {
    auto back = file_status_from_json(to_json(file));
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, file);
  }
  EXPECT_TRUE(to_json(api::FileStatus{})["bytes_total"].is_null());
  EXPECT_TRUE(to_json(api::FileStatus{})["sha256"].is_null());
  EXPECT_EQ(to_json(sample_file())["path"], "/home/me/f.bin");
}

TEST(FileStatusJson, EveryFieldIsRequired) {
  for (const char* field :
       {"url", "path", "sha256", "bytes_total", "bytes_transferred", "completed", "from_origin",
        "from_peers", "from_cache", "refetched", "origin_ignores_range"}) {
    auto body = to_json(sample_file());
    body.erase(field);
    expect_invalid(file_status_from_json(body), field);
  }
  auto body = to_json(sample_file());
  body["bytes_transferred"] = -1;
  expect_invalid(file_status_from_json(body), "bytes_transferred");
  body = to_json(sample_file());
  body["completed"] = 1;
  expect_invalid(file_status_from_json(body), "completed");
  body = to_json(sample_file());
  body["bytes_total"] = "12";
  expect_invalid(file_status_from_json(body), "bytes_total");
}

// ---------------------------------------------------------------- JobInfo

TEST(JobInfoJson, MatchesTheSpecShape) {
  const auto body = to_json(sample_job());
  for (const char* field : {"id",
                            "name",
                            "type",
                            "state",
                            "priority",
                            "owner_uid",
                            "bytes_total",
                            "bytes_transferred",
                            "files_total",
                            "files_transferred",
                            "files",
                            "error",
                            "times",
                            "no_progress_timeout",
                            "notify_flags",
                            "http_headers",
                            "max_bytes_per_second",
                            "description",
                            "min_retry_delay_ms",
                            "error_count",
                            "notify_cmd",
                            "notify_cmd_status",
                            "proxy",
                            "from_origin",
                            "from_peers",
                            "from_cache",
                            "refetched",
                            "origin_ignores_range",
                            "uploaded",
                            "peers_seen",
                            "peers_connected",
                            "peers",
                            "peers_unused_reason"}) {
    EXPECT_TRUE(body.contains(field)) << field;
  }
  EXPECT_EQ(body.size(), 33u);
  // The job's totals are its files' sums; it ignores Range when any of its files' origins does.
  EXPECT_EQ(body["from_peers"], 2);
  EXPECT_EQ(body["refetched"], 6);
  EXPECT_EQ(body["origin_ignores_range"], true);
  EXPECT_EQ(body["files"][0]["refetched"], 6);
  EXPECT_EQ(body["files"][1]["origin_ignores_range"], false);
  EXPECT_EQ(body["uploaded"], 4);
  EXPECT_EQ(body["peers"].size(), 2u);
  EXPECT_EQ(body["peers"][0]["addr"], "10.0.0.2:6881");
  EXPECT_EQ(body["peers_connected"], 2);
  // Peers gave bytes to the job: nothing to explain.
  EXPECT_TRUE(body["peers_unused_reason"].is_null());
  EXPECT_EQ(body["id"], "6f9619ff-8b86-4011-b42d-00c04fc964ff");
  EXPECT_EQ(body["state"], "TRANSIENT_ERROR");
  EXPECT_EQ(body["priority"], "foreground");
  EXPECT_EQ(body["type"], "DOWNLOAD");
  EXPECT_EQ(body["times"]["created"], "2026-11-26T05:36:31.123456789Z");
  EXPECT_TRUE(body["times"]["transferred"].is_null());
  EXPECT_EQ(body["notify_flags"], 0x11);
  EXPECT_EQ(body["no_progress_timeout"], 1209600);
  EXPECT_EQ(body["error"]["kind"], "http_status");
}

TEST(JobInfoJson, RoundTripsExactly) {
  const auto job = sample_job();
  auto back = job_info_from_json(json::parse(to_json(job).dump()));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->id, job.id);
  EXPECT_EQ(back->display_name, job.display_name);
  EXPECT_EQ(back->type, job.type);
  EXPECT_EQ(back->state, job.state);
  EXPECT_EQ(back->priority, job.priority);
  EXPECT_EQ(back->progress, job.progress);
  EXPECT_EQ(back->times, job.times);
  EXPECT_EQ(back->error, job.error);
  EXPECT_EQ(back->no_progress_timeout, job.no_progress_timeout);
  EXPECT_EQ(back->notify_flags, job.notify_flags);
  EXPECT_EQ(back->http_headers, job.http_headers);
  EXPECT_EQ(back->max_bytes_per_second, job.max_bytes_per_second);
  EXPECT_EQ(back->description, job.description);
  EXPECT_EQ(back->min_retry_delay, job.min_retry_delay);
  EXPECT_EQ(back->error_count, job.error_count);
  EXPECT_EQ(back->notify_cmd, job.notify_cmd);
  EXPECT_EQ(back->notify_cmd_status, job.notify_cmd_status);
  EXPECT_EQ(back->proxy, job.proxy);
  EXPECT_EQ(back->owner_uid, job.owner_uid);
  EXPECT_EQ(back->files, job.files);

  api::JobInfo empty;  // every optional unset, zero times, no files
  auto empty_back = job_info_from_json(to_json(empty));
  ASSERT_TRUE(empty_back) << empty_back.error().message;
  EXPECT_FALSE(empty_back->error);
  EXPECT_FALSE(empty_back->progress.bytes_total);
  EXPECT_EQ(empty_back->times, api::JobTimes{});
  EXPECT_TRUE(empty_back->files.empty());
}

TEST(JobInfoJson, TheDescriptionRetryDelayAndErrorCountAreChecked) {
  auto body = to_json(sample_job());
  body["description"] = 5;
  expect_invalid(job_info_from_json(body), "description");
  body = to_json(sample_job());
  body["error_count"] = -1;
  expect_invalid(job_info_from_json(body), "error_count");
  body = to_json(sample_job());
  body["min_retry_delay_ms"] = "10s";
  expect_invalid(job_info_from_json(body), "min_retry_delay_ms");
  body = to_json(sample_job());
  body["notify_cmd_status"] = 256;
  expect_invalid(job_info_from_json(body), "notify_cmd_status");
  body["notify_cmd_status"] = nullptr;
  EXPECT_FALSE(job_info_from_json(body).value().notify_cmd_status);
}

TEST(JobInfoJson, TheProxysCredentialsNeverLeaveTheDaemon) {
  auto job = sample_job();
  job.proxy = {api::ProxyUsage::kOverride, "http://alice:hunter2@proxy:3128", {"10.0.0.0/8"}};
  const auto body = to_json(job);
  EXPECT_EQ(body.dump().find("hunter2"), std::string::npos) << body.dump();
  EXPECT_EQ(body["proxy"]["usage"], "override");
  EXPECT_EQ(body["proxy"]["url"], "http://alice:***@proxy:3128");
  EXPECT_EQ(body["proxy"]["bypass"], json::array({"10.0.0.0/8"}));
  auto back = job_info_from_json(body);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->proxy.proxy, "http://alice:***@proxy:3128");

  job.proxy = {};
  EXPECT_EQ(to_json(job)["proxy"], json::parse(R"({"usage":"system","url":"","bypass":[]})"));
}

TEST(JobInfoJson, TheProxyIsChecked) {
  auto body = to_json(sample_job());
  body["proxy"]["usage"] = "auto";
  expect_invalid(job_info_from_json(body), "proxy.usage");
  body = to_json(sample_job());
  body["proxy"]["bypass"] = "127.0.0.1";
  expect_invalid(job_info_from_json(body), "proxy.bypass");
  body = to_json(sample_job());
  body.erase("proxy");
  expect_invalid(job_info_from_json(body), "proxy");
}

TEST(JobInfoJson, EveryStateAndPriorityRoundTrips) {
  for (int s = 0; s <= static_cast<int>(api::JobState::kCancelled); ++s) {
    for (int p = 0; p <= static_cast<int>(api::Priority::kLow); ++p) {
      auto job = sample_job();
      job.state = static_cast<api::JobState>(s);
      job.priority = static_cast<api::Priority>(p);
      auto back = job_info_from_json(to_json(job));
      ASSERT_TRUE(back) << back.error().message;
      EXPECT_EQ(back->state, job.state);
      EXPECT_EQ(back->priority, job.priority);
    }
  }
}

TEST(JobInfoJson, MasksCredentialHeaders) {
  auto job = sample_job();
  job.http_headers = {"Authorization: Bearer secret", "proxy-authorization:Basic xyz",
                      "COOKIE: a=b", "X-Api-Key: visible", "Accept: */*"};
  const auto body = to_json(job);
  EXPECT_EQ(body["http_headers"], json({"Authorization: ***", "proxy-authorization: ***",
                                        "COOKIE: ***", "X-Api-Key: visible", "Accept: */*"}));
  EXPECT_EQ(body.dump().find("secret"), std::string::npos);
  EXPECT_EQ(mask_credentials("Authorization : x"), "Authorization: ***");
  EXPECT_EQ(mask_credentials("no colon"), "no colon");
  EXPECT_EQ(mask_credentials("Authorization-Extra: x"), "Authorization-Extra: x");
}

TEST(JobInfoJson, ErrorsNameTheFieldWhereItSits) {
  auto body = to_json(sample_job());
  body["files"][1].erase("completed");
  expect_invalid(job_info_from_json(body), "files[1].completed");

  body = to_json(sample_job());
  body["times"]["created"] = "yesterday";
  expect_invalid(job_info_from_json(body), "times.created");

  body = to_json(sample_job());
  body["error"]["protocol"] = "gopher";
  expect_invalid(job_info_from_json(body), "error.protocol");

  body = to_json(sample_job());
  body["http_headers"][1] = 7;
  expect_invalid(job_info_from_json(body), "http_headers[1]");

  body = to_json(sample_job());
  body["id"] = "not-a-guid";
  expect_invalid(job_info_from_json(body), "id");

  body = to_json(sample_job());
  body["state"] = "transferring";  // states are upper case
  expect_invalid(job_info_from_json(body), "state");

  body = to_json(sample_job());
  body["priority"] = "NORMAL";  // priorities are lower case
  expect_invalid(job_info_from_json(body), "priority");

  body = to_json(sample_job());
  body["owner_uid"] = 1ull << 32;
  expect_invalid(job_info_from_json(body), "owner_uid");

  body = to_json(sample_job());
  body["files"] = json::object();
  expect_invalid(job_info_from_json(body), "files");

  const auto full = to_json(sample_job());
  for (const auto& [key, value] : full.items()) {
    auto missing = to_json(sample_job());
    missing.erase(key);
    expect_invalid(job_info_from_json(missing), key);
  }
}

TEST(JobInfoJson, ToleratesFieldsAddedByALaterDaemon) {
  auto body = to_json(sample_job());
  body["swarm_groups"] = 3;
  body["files"][0]["pieces"] = json::array();
  auto back = job_info_from_json(body);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->files[0], sample_file());
}

// ---------------------------------------------------------------- Event

TEST(EventJson, EveryTypeRoundTrips) {
  for (const auto type : {Event::Type::kTransferred, Event::Type::kError,
                          Event::Type::kModification, Event::Type::kFileTransferred}) {
    Event event;
    event.type = type;
    event.job = api::JobId::generate();
    event.owner_uid = 4242;
    event.notify_flags = api::NotifyFlags::kDisable;
    if (type == Event::Type::kError) event.error = sample_error();
    if (type == Event::Type::kFileTransferred) event.file = sample_file();
    const auto body = to_json(event);
    EXPECT_EQ(body.size(), 6u);
    auto back = event_from_json(json::parse(body.dump()));
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->type, event.type);
    EXPECT_EQ(back->job, event.job);
    EXPECT_EQ(back->owner_uid, event.owner_uid);
    EXPECT_EQ(back->notify_flags, event.notify_flags);
    EXPECT_EQ(back->error, event.error);
    EXPECT_EQ(back->file, event.file);
  }
}

TEST(EventJson, UsesTheSpecNames) {
  Event event;
  event.type = Event::Type::kFileTransferred;
  event.file = sample_file();
  const auto body = to_json(event);
  EXPECT_EQ(body["type"], "file_transferred");
  EXPECT_TRUE(body["error"].is_null());
  EXPECT_EQ(body["file"]["path"], "/home/me/f.bin");
  EXPECT_EQ(body["notify_flags"], 3);
}

TEST(EventJson, IsStrict) {
  Event event;
  auto body = to_json(event);
  body["type"] = "progress";
  expect_invalid(event_from_json(body), "type");
  body = to_json(event);
  body["file"] = json::object();
  expect_invalid(event_from_json(body), "file.url");
  body = to_json(event);
  body.erase("error");
  expect_invalid(event_from_json(body), "error");
}

}  // namespace
}  // namespace swarmcopy::ipc
