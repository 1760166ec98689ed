// The CLI's pure helpers: unit parsing, formatting, URL file names, JSON shapes, the
// progress line. No engine, no network.
#include <unistd.h>

#include <cerrno>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "error_text.h"
#include "file_list.h"
#include "format_units.h"
#include "get_outcome.h"
#include "job_json.h"
#include "job_reference.h"
#include "job_text.h"
#include "parse_units.h"
#include "progress_bar.h"
#include "progress_lines.h"
#include "rate_meter.h"
#include "repeat_limiter.h"
#include "suggest.h"
#include "url_path.h"

namespace swarmcopy::cli {
namespace {

using namespace std::chrono_literals;

TEST(FileList, OneUrlAndPathPerLineSkippingBlanksAndComments) {
  const auto lines = parse_file_list(
      "# mirror\n\nhttp://o/a a.bin\n  https://o/b\t dir/with space/b.bin  \r\n# end", "list");
  ASSERT_TRUE(lines) << lines.error();
  ASSERT_EQ(lines->size(), 2u);
  EXPECT_EQ((*lines)[0].url, "http://o/a");
  EXPECT_EQ((*lines)[0].path, "a.bin");
  EXPECT_EQ((*lines)[0].where, "list:3");
  EXPECT_EQ((*lines)[1].url, "https://o/b");
  EXPECT_EQ((*lines)[1].path, "dir/with space/b.bin");
  EXPECT_TRUE(parse_file_list("", "empty").value().empty());
}

TEST(FileList, ALineWithoutAPathIsAnErrorNamingIt) {
  const auto lines = parse_file_list("http://o/a a\n\nhttp://o/b\n", "files.txt");
  ASSERT_FALSE(lines);
  EXPECT_EQ(lines.error(), "files.txt:3: expected 'URL PATH', got only 'http://o/b'");
}

TEST(ParseRate, AcceptsCurlStyleSuffixes) {
  EXPECT_EQ(parse_rate("1000").value(), 1000u);
  EXPECT_EQ(parse_rate("500K").value(), 500u * 1024);
  EXPECT_EQ(parse_rate("500k").value(), 500u * 1024);
  EXPECT_EQ(parse_rate("10M").value(), 10u << 20);
  EXPECT_EQ(parse_rate("1.5m").value(), 3u << 19);
  EXPECT_EQ(parse_rate("2G").value(), 2ull << 30);
  EXPECT_EQ(parse_rate("1MiB").value(), 1u << 20);
  EXPECT_EQ(parse_rate("1MB/s").value(), 1u << 20);
  EXPECT_EQ(parse_rate("0").value(), 0u);
}

TEST(ParseRate, RejectsGarbage) {
  for (const char* text : {"", "fast", "-1", "1X", "M", "1.2.3", "nan", "inf", " 1", "0.1"}) {
    EXPECT_FALSE(parse_rate(text).has_value()) << text;
  }
}

TEST(ParseDuration, APlainNumberIsSecondsAndUnitsMultiply) {
  EXPECT_EQ(parse_duration("90").value(), 90s);
  EXPECT_EQ(parse_duration("0").value(), 0s);
  EXPECT_EQ(parse_duration("90s").value(), 90s);
  EXPECT_EQ(parse_duration("10m").value(), 600s);
  EXPECT_EQ(parse_duration("2h").value(), 7200s);
  EXPECT_EQ(parse_duration("3d").value(), 259200s);
  EXPECT_EQ(parse_duration("2H").value(), 7200s);
}

TEST(ParseDuration, RejectsGarbage) {
  for (const char* text : {"", "s", "-5", "-5m", "1.5h", "10x", "10 m", " 10", "10ms", "1w",
                           "99999999999999999999d"}) {
    const auto parsed = parse_duration(text);
    EXPECT_FALSE(parsed.has_value()) << text;
    if (!parsed) {
      EXPECT_NE(parsed.error().find("90s, 10m, 2h, 3d"), std::string::npos) << parsed.error();
    }
  }
}

TEST(ParseSha256, LowerCasesAndChecksLength) {
  const std::string upper(64, 'A');
  EXPECT_EQ(parse_sha256(upper).value(), std::string(64, 'a'));
  EXPECT_FALSE(parse_sha256(std::string(63, 'a')).has_value());
  EXPECT_FALSE(parse_sha256(std::string(64, 'g')).has_value());
}

TEST(ParseHeader, NeedsANameAndNoLineBreaks) {
  EXPECT_EQ(parse_header("X-Token: abc").value(), "X-Token: abc");
  EXPECT_FALSE(parse_header("no colon").has_value());
  EXPECT_FALSE(parse_header(": value").has_value());
  EXPECT_FALSE(parse_header("Bad Name: value").has_value());
  EXPECT_FALSE(parse_header("X: a\r\nHost: evil").has_value());
}

TEST(FileNameFromUrl, TakesTheLastPathSegment) {
  EXPECT_EQ(file_name_from_url("http://h/a/b.iso").value(), "b.iso");
  EXPECT_EQ(file_name_from_url("HTTPS://h:8080/b.iso?x=1#f").value(), "b.iso");
  EXPECT_EQ(file_name_from_url("http://h/a%20b.iso").value(), "a b.iso");
  for (const char* url : {"http://h", "http://h/", "http://h/dir/", "http://h/..", "http://h/a%2Fb",
                          "ftp://h/x", "http://h/%2e%2e"}) {
    EXPECT_FALSE(file_name_from_url(url).has_value()) << url;
  }
}

TEST(IsHttpUrl, OnlyHttpAndHttpsWithAHost) {
  EXPECT_TRUE(is_http_url("http://127.0.0.1:8080/x"));
  EXPECT_TRUE(is_http_url("HTTPS://example.org"));
  EXPECT_FALSE(is_http_url("ftp://h/x"));
  EXPECT_FALSE(is_http_url("http:///x"));
  EXPECT_FALSE(is_http_url("http://"));
  EXPECT_FALSE(is_http_url("file.bin"));
}

TEST(FormatUnits, ReadableBytesRatesAndDurations) {
  EXPECT_EQ(format_bytes(512), "512 B");
  EXPECT_EQ(format_bytes(1536), "1.5 KiB");
  EXPECT_EQ(format_bytes(256ull << 20), "256.0 MiB");
  EXPECT_EQ(format_rate(1024 * 1024 * 12.5), "12.5 MiB/s");
  EXPECT_EQ(format_duration(75s), "1:15");
  EXPECT_EQ(format_duration(3725s), "1:02:05");
}

TEST(RateMeter, AveragesOverItsWindow) {
  RateMeter meter(5s);
  const RateMeter::Clock::time_point start{};
  EXPECT_EQ(meter.rate(), 0.0);
  meter.add(start, 0);
  meter.add(start + 1s, 1000);
  meter.add(start + 2s, 2000);
  EXPECT_DOUBLE_EQ(meter.rate(), 1000.0);
  EXPECT_EQ(meter.eta(5000).value(), 5s);
  meter.add(start + 3s, 10);  // restarted from scratch: old samples are meaningless
  EXPECT_EQ(meter.rate(), 0.0);
}

TEST(ProgressBar, RendersPercentBytesRateEtaAndTransientErrors) {
  api::JobInfo info;
  info.state = api::JobState::kTransferring;
  info.progress.bytes_total = 100u << 20;
  info.progress.bytes_transferred = 25u << 20;
  const auto line = ProgressBar::render(info, 5u << 20, 200);
  EXPECT_NE(line.find(" 25%"), std::string::npos) << line;
  EXPECT_NE(line.find("25.0 MiB / 100.0 MiB"), std::string::npos) << line;
  EXPECT_NE(line.find("5.0 MiB/s"), std::string::npos) << line;
  EXPECT_NE(line.find("ETA 0:15"), std::string::npos) << line;
  EXPECT_EQ(line.find("peers"), std::string::npos) << "no peers, no peer share: " << line;

  // Peers in play: their share of the bytes so far, and how many are connected.
  api::FileStatus file;
  file.from_origin = 10u << 20;
  file.from_peers = 30u << 20;
  file.peers_connected = 3;
  info.files = {file};
  const auto shared = ProgressBar::render(info, 5u << 20, 200);
  EXPECT_NE(shared.find("peers 75% (3)"), std::string::npos) << shared;
  EXPECT_EQ(shared.find("Range"), std::string::npos) << shared;

  // An origin that sends the whole file to a Range request: a resume starts from byte 0, and
  // once it has (bytes came again), the line says so.
  info.files[0].origin_ignores_range = true;
  const auto no_resume = ProgressBar::render(info, 5u << 20, 200);
  EXPECT_NE(no_resume.find("origin ignores Range: no resume"), std::string::npos) << no_resume;
  info.files[0].refetched = 1u << 20;
  const auto restarted = ProgressBar::render(info, 5u << 20, 200);
  EXPECT_NE(restarted.find("origin ignores Range: restarted from 0"), std::string::npos)
      << restarted;
  info.files[0].origin_ignores_range = false;
  info.files[0].refetched = 0;

  info.state = api::JobState::kTransientError;
  info.error = api::Error{api::ErrorContext::kGeneralTransport,
                          api::ErrorKind::kTransport,
                          7,
                          "connection refused",
                          "http://h/x",
                          api::Protocol::kHttp};
  const auto retrying = ProgressBar::render(info, 0, 200);
  EXPECT_NE(retrying.find("retrying: connection refused (network error)"), std::string::npos)
      << retrying;
  EXPECT_LE(ProgressBar::render(info, 0, 30).size(), 30u);
}

TEST(RepeatLimiter, LetsEachKeyThroughOncePerInterval) {
  RepeatLimiter limiter(std::chrono::seconds(60));
  const auto start = RepeatLimiter::Clock::time_point{} + std::chrono::hours(1);
  EXPECT_TRUE(limiter.admit("refused", start));
  EXPECT_FALSE(limiter.admit("refused", start + 1s));
  EXPECT_FALSE(limiter.admit("refused", start + 59s));
  EXPECT_TRUE(limiter.admit("unreachable", start + 59s)) << "another error is heard at once";
  EXPECT_TRUE(limiter.admit("refused", start + 60s)) << "heard again after the interval";
  EXPECT_FALSE(limiter.admit("refused", start + 61s));
  EXPECT_TRUE(limiter.admit("unreachable", start + 119s));
}

// Every kind, in every context and protocol, with and without a code: the line a person reads
// never ends in the machine's names ("(engine invalid_argument)", "(local 11)").
TEST(ErrorText, EveryKindAndContextIsWords) {
  const std::vector<api::ErrorKind> kinds = {api::ErrorKind::kInvalidArgument,
                                             api::ErrorKind::kNotFound,
                                             api::ErrorKind::kJobIsFinal,
                                             api::ErrorKind::kInvalidState,
                                             api::ErrorKind::kNoFiles,
                                             api::ErrorKind::kLimitExceeded,
                                             api::ErrorKind::kHttpStatus,
                                             api::ErrorKind::kTransport,
                                             api::ErrorKind::kContentChanged,
                                             api::ErrorKind::kRangeNotSupported,
                                             api::ErrorKind::kBadContentEncoding,
                                             api::ErrorKind::kChecksumMismatch,
                                             api::ErrorKind::kLocalIo,
                                             api::ErrorKind::kDiskFull,
                                             api::ErrorKind::kNoProgressTimeout,
                                             api::ErrorKind::kStoreFailure,
                                             api::ErrorKind::kUnavailable,
                                             api::ErrorKind::kInternal};
  const std::vector<api::ErrorContext> contexts = {api::ErrorContext::kNone,
                                                   api::ErrorContext::kUnknown,
                                                   api::ErrorContext::kGeneralQueueManager,
                                                   api::ErrorContext::kLocalFile,
                                                   api::ErrorContext::kRemoteFile,
                                                   api::ErrorContext::kGeneralTransport,
                                                   api::ErrorContext::kRemoteApplication,
                                                   api::ErrorContext::kPeer,
                                                   api::ErrorContext::kCache,
                                                   api::ErrorContext::kCaller};
  const std::vector<api::Protocol> protocols = {api::Protocol::kNone, api::Protocol::kHttp,
                                                api::Protocol::kPeer, api::Protocol::kLocal};
  const std::regex machine_names(R"(\((engine|local|peer|none) [0-9a-z_]+\))");
  for (const auto kind : kinds) {
    EXPECT_FALSE(kind_words(kind).empty());
    for (const auto context : contexts) {
      for (const auto protocol : protocols) {
        for (const int code : {0, EAGAIN}) {
          for (const std::string message : {"", "something went wrong"}) {
            const api::Error error{context, kind, code, message, "/some/file", protocol};
            const auto text = error_text(error);
            SCOPED_TRACE(text);
            EXPECT_TRUE(text.ends_with(": /some/file"));
            EXPECT_FALSE(std::regex_search(text, machine_names)) << "no (protocol kind/code)";
            EXPECT_EQ(text.find('_'), std::string::npos) << "no snake_case names";
            if (kind == api::ErrorKind::kHttpStatus && code != 0) {
              continue;  // "(http 11)": the status, as people look it up
            }
            EXPECT_EQ(text.find(" 11)"), std::string::npos) << "no bare numbers";
          }
        }
      }
    }
  }
}

TEST(ErrorText, RealCasesReadAsAPersonWouldSayThem) {
  EXPECT_EQ(error_text(api::Error{api::ErrorContext::kRemoteFile, api::ErrorKind::kHttpStatus, 404,
                                  "HTTP 404 Not Found", "http://h/f", api::Protocol::kHttp}),
            "HTTP 404 Not Found (http 404): http://h/f");
  EXPECT_EQ(
      error_text(api::Error{api::ErrorContext::kGeneralQueueManager, api::ErrorKind::kUnavailable,
                            EWOULDBLOCK, "state directory is in use by another swarmcopy (pid 42)",
                            "/home/u/.local/state/swarmcopy", api::Protocol::kLocal}),
      "state directory is in use by another swarmcopy (pid 42): "
      "/home/u/.local/state/swarmcopy");
  EXPECT_EQ(error_text(api::Error{api::ErrorContext::kLocalFile, api::ErrorKind::kLocalIo, EACCES,
                                  "cannot create the destination's directory", "/x",
                                  api::Protocol::kLocal}),
            "cannot create the destination's directory (permission denied): /x");
  EXPECT_EQ(error_text(api::Error{api::ErrorContext::kLocalFile, api::ErrorKind::kLocalIo, EACCES,
                                  "cannot open lock file: Permission denied", "/x/lock",
                                  api::Protocol::kLocal}),
            "cannot open lock file: Permission denied: /x/lock")
      << "the errno's words once";
  EXPECT_EQ(
      error_text(api::Error{api::ErrorContext::kGeneralTransport, api::ErrorKind::kTransport, 7,
                            "Couldn't connect to server", "http://h/f", api::Protocol::kHttp}),
      "Couldn't connect to server (network error): http://h/f");
  EXPECT_EQ(error_text(api::Error{api::ErrorContext::kCaller, api::ErrorKind::kJobIsFinal, 0,
                                  "job is final (CANCELLED)", "", api::Protocol::kNone}),
            "job is final (CANCELLED)");
}

TEST(ProgressLines, OneJsonLinePerIntervalAndAlwaysTheCompletingOne) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const auto start = ProgressLines::Clock::now();
  ProgressLines lines(fds[1], true, start, std::chrono::milliseconds(250));
  GetOutcome outcome;
  outcome.bytes_total = 100;
  outcome.bytes = 10;
  outcome.from_origin = 4;
  outcome.from_peers = 6;
  lines.update(outcome, start + std::chrono::milliseconds(100));  // first: written
  outcome.bytes = 20;
  lines.update(outcome, start + std::chrono::milliseconds(200));  // too soon: skipped
  outcome.bytes = 100;
  lines.update(outcome, start + std::chrono::milliseconds(300));  // complete: written
  lines.update(outcome, start + std::chrono::milliseconds(900));  // complete again: skipped
  ::close(fds[1]);
  std::string text;
  char buffer[4096];
  for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) text.append(buffer, n);
  ::close(fds[0]);
  std::vector<nlohmann::json> parsed;
  for (size_t at = 0, end; (end = text.find('\n', at)) != std::string::npos; at = end + 1) {
    parsed.push_back(nlohmann::json::parse(text.substr(at, end - at)));
  }
  ASSERT_EQ(parsed.size(), 2u) << text;
  EXPECT_EQ(parsed[0]["progress"]["bytes"], 10);
  EXPECT_EQ(parsed[0]["progress"]["from_peers"], 6);
  EXPECT_NEAR(parsed[0]["progress"]["seconds"].get<double>(), 0.1, 1e-9);
  EXPECT_EQ(parsed[1]["progress"]["bytes"], 100);
  EXPECT_EQ(parsed[1]["progress"]["bytes_total"], 100);
}

TEST(GetOutcomeJson, HasTheContractFields) {
  GetOutcome outcome;
  outcome.job = api::JobId::generate();
  outcome.state = api::JobState::kError;
  outcome.path = "/tmp/x";
  outcome.seconds = 1.5;
  outcome.refetched = 12345;
  outcome.origin_ignores_range = true;
  outcome.error = api::Error{api::ErrorContext::kRemoteFile,
                             api::ErrorKind::kHttpStatus,
                             404,
                             "not found",
                             "http://h/x",
                             api::Protocol::kHttp};
  const auto json = get_outcome_to_json(outcome);
  EXPECT_EQ(json["job"], outcome.job->to_string());
  EXPECT_EQ(json["state"], "ERROR");
  for (const char* field :
       {"path", "bytes", "bytes_total", "mode", "from_origin", "from_peers", "from_cache",
        "refetched", "origin_ignores_range", "uploaded", "peers_seen", "peers_connected", "peers",
        "peers_unused_reason", "seconds", "resumed", "joined"}) {
    EXPECT_TRUE(json.contains(field)) << field;
  }
  EXPECT_EQ(json["refetched"], 12345);
  EXPECT_EQ(json["origin_ignores_range"], true);
  EXPECT_TRUE(json["peers"].is_array());
  EXPECT_TRUE(json["peers_unused_reason"].is_null());
  EXPECT_EQ(json["error"]["context"], "remote_file");
  EXPECT_EQ(json["error"]["kind"], "http_status");
  EXPECT_EQ(json["error"]["code"], 404);
  EXPECT_EQ(json["error"]["protocol"], "http");
  EXPECT_EQ(json["error"]["message"], "not found");

  const auto empty = get_outcome_to_json(GetOutcome{});
  EXPECT_TRUE(empty["job"].is_null());
  EXPECT_TRUE(empty["state"].is_null());
  EXPECT_FALSE(empty.contains("error"));
}

TEST(ParseNotifyFlags, AcceptsNumbersAndNames) {
  using api::NotifyFlags;
  EXPECT_EQ(parse_notify_flags("3").value(), NotifyFlags::kJobTransferred | NotifyFlags::kJobError);
  EXPECT_EQ(parse_notify_flags("0x1f").value(), static_cast<NotifyFlags>(0x1f));
  EXPECT_EQ(parse_notify_flags("0").value(), NotifyFlags::kNone);
  EXPECT_EQ(parse_notify_flags("none").value(), NotifyFlags::kNone);
  EXPECT_EQ(parse_notify_flags("transferred,modification").value(),
            NotifyFlags::kJobTransferred | NotifyFlags::kJobModification);
  EXPECT_EQ(parse_notify_flags("Error+file-transferred").value(),
            NotifyFlags::kJobError | NotifyFlags::kFileTransferred);
  EXPECT_EQ(parse_notify_flags("disable").value(), NotifyFlags::kDisable);
  for (const char* bad : {"", "0x20", "64", "everything", "transferred,", "0x", "3x"}) {
    EXPECT_FALSE(parse_notify_flags(bad)) << bad;
  }
  EXPECT_EQ(notify_flags_names(static_cast<NotifyFlags>(0x1b)),
            "transferred,error,modification,file_transferred");
  EXPECT_EQ(notify_flags_names(NotifyFlags::kNone), "none");
}

TEST(JobJson, IsTheDaemonsJobObject) {
  api::JobInfo info;
  info.id = api::JobId::generate();
  info.display_name = "nightly";
  info.state = api::JobState::kTransientError;
  info.priority = api::Priority::kHigh;
  info.progress.bytes_transferred = 5;
  api::FileStatus file;
  file.url = "http://h/f";
  file.local_path = "/tmp/f";
  file.bytes_total = 10;
  info.files.push_back(file);
  const auto json = job_to_json(info);
  EXPECT_EQ(json["id"], info.id.to_string());
  EXPECT_EQ(json["name"], "nightly");
  EXPECT_EQ(json["state"], "TRANSIENT_ERROR");
  EXPECT_EQ(json["priority"], "high");
  EXPECT_TRUE(json["bytes_total"].is_null());
  EXPECT_EQ(json["bytes_transferred"], 5);
  EXPECT_TRUE(json["error"].is_null());
  EXPECT_TRUE(json["times"].is_object());
  EXPECT_EQ(json["files"][0]["url"], "http://h/f");
  EXPECT_EQ(json["files"][0]["path"], "/tmp/f");
  EXPECT_EQ(json["files"][0]["bytes_total"], 10);
  EXPECT_EQ(json["files"][0]["bytes_transferred"], 0);
  EXPECT_EQ(json["files"][0]["completed"], false);
  const auto list = jobs_to_json({info, info});
  ASSERT_TRUE(list.is_array());
  EXPECT_EQ(list.size(), 2u);
}

TEST(JobText, ShowsTheJobAndTheTable) {
  api::JobInfo info;
  info.id = api::JobId::generate();
  info.display_name = "nightly";
  info.state = api::JobState::kError;
  info.error = api::Error{api::ErrorContext::kRemoteFile,
                          api::ErrorKind::kHttpStatus,
                          404,
                          "not found",
                          "http://h/f",
                          api::Protocol::kHttp};
  info.http_headers = {"Authorization: Bearer secret"};
  api::FileStatus file;
  file.url = "http://h/f";
  file.local_path = "/tmp/f";
  info.files.push_back(file);
  const auto details = job_details_text(info);
  EXPECT_NE(details.find(info.id.to_string()), std::string::npos);
  EXPECT_NE(details.find("ERROR"), std::string::npos);
  EXPECT_NE(details.find("not found (http 404): http://h/f"), std::string::npos);
  EXPECT_NE(details.find("http://h/f -> /tmp/f"), std::string::npos);
  EXPECT_EQ(details.find("secret"), std::string::npos) << "credentials masked";
  const auto table = job_list_text({info});
  EXPECT_EQ(std::count(table.begin(), table.end(), '\n'), 2);
  EXPECT_NE(table.find("nightly"), std::string::npos);
  EXPECT_EQ(job_list_text({}), "no jobs\n");
  EXPECT_EQ(progress_text(512, std::nullopt), "512 B / ?");
  EXPECT_EQ(progress_text(512, 1024), "512 B / 1.0 KiB (50%)");
}

TEST(JobText, ShowsTheTypeAndBytesBySource) {
  api::JobInfo info;
  info.progress.files_total = 2;
  info.progress.bytes_total = 6 << 20;
  api::FileStatus first;
  first.from_origin = 1 << 20;
  first.from_peers = 2 << 20;
  api::FileStatus second;
  second.from_origin = 1 << 20;
  second.from_cache = 512;
  info.files = {first, second};
  const auto details = job_details_text(info);
  EXPECT_NE(details.find("type                 DOWNLOAD\n"), std::string::npos) << details;
  EXPECT_NE(details.find("bytes by source      origin 2.0 MiB, peers 2.0 MiB, cache 512 B\n"),
            std::string::npos)
      << details;
  EXPECT_EQ(details.find("Range"), std::string::npos) << details;
}

TEST(JobText, ShowsRefetchedBytesAndAnOriginThatIgnoresRange) {
  api::JobInfo info;
  info.progress.files_total = 1;
  api::FileStatus file;
  file.url = "http://h/f";
  file.local_path = "/tmp/f";
  file.from_origin = 4 << 20;
  file.refetched = 1 << 20;
  file.origin_ignores_range = true;
  info.files = {file};
  const auto details = job_details_text(info);
  EXPECT_NE(details.find("origin 4.0 MiB, peers 0 B, cache 0 B; refetched 1.0 MiB\n"),
            std::string::npos)
      << details;
  EXPECT_NE(details.find("origin ignores Range (a resume starts from byte 0)"), std::string::npos)
      << details;
}

TEST(JobText, AJobWithoutFilesSaysNoFiles) {
  api::JobInfo info;
  info.display_name = "empty";
  info.progress.bytes_total = 0;  // what the engine reports: the sizes of no files are known
  const auto details = job_details_text(info);
  EXPECT_NE(details.find("progress             no files\n"), std::string::npos) << details;
  EXPECT_EQ(details.find("100%"), std::string::npos) << details;
  EXPECT_EQ(details.find("  files\n"), std::string::npos) << details;
  const auto table = job_list_text({info});
  EXPECT_NE(table.find("no files"), std::string::npos) << table;
  EXPECT_EQ(table.find("100%"), std::string::npos) << table;
}

TEST(ClosestName, SuggestsANameOneOrTwoEditsAway) {
  const std::vector<std::string> names = {"--json", "--json-progress", "--limit-rate", "-q", "list",
                                          "get",    "--verbose"};
  EXPECT_EQ(closest_name("--jsn", names).value(), "--json");
  EXPECT_EQ(closest_name("--josn", names).value(), "--json") << "a swap is one edit";
  EXPECT_EQ(closest_name("--jsno=1", names).value(), "--json") << "the value is not compared";
  EXPECT_EQ(closest_name("--limit-rat", names).value(), "--limit-rate");
  EXPECT_EQ(closest_name("--limt-rae", names).value(), "--limit-rate");
  EXPECT_EQ(closest_name("lst", names).value(), "list");
  EXPECT_EQ(closest_name("gte", names).value(), "get");
  EXPECT_EQ(closest_name("--verbsoe", names).value(), "--verbose");
}

TEST(ClosestName, StaysQuietWhenNothingIsClose) {
  const std::vector<std::string> names = {"--json", "-q", "list", "get"};
  EXPECT_FALSE(closest_name("--frobnicate", names));
  EXPECT_FALSE(closest_name("--jssn1", names)) << "two edits from a short name";
  EXPECT_FALSE(closest_name("-x", names)) << "one-letter options are never guessed";
  EXPECT_FALSE(closest_name("--json", names)) << "a known name is no typo";
  EXPECT_FALSE(closest_name("x", {}));
}

TEST(JobReference, APrefixNeedsFourCharacters) {
  for (const char* text : {"", "0", "ab", "abc"}) {
    const auto parsed = parse_job_reference(text);
    ASSERT_FALSE(parsed.has_value()) << text;
    EXPECT_NE(parsed.error().find("at least 4 characters"), std::string::npos) << parsed.error();
  }
  EXPECT_EQ(parse_job_reference("abcd").value(), "abcd");
  EXPECT_EQ(parse_job_reference("00000000-0000-4000-8000-000000000001").value(),
            "00000000-0000-4000-8000-000000000001");
}

TEST(JobJson, MasksCredentialHeaders) {
  api::JobInfo info;
  info.http_headers = {"Authorization: Bearer secret", "X-Trace: 1"};
  const auto json = job_to_json(info);
  EXPECT_EQ(json["http_headers"][0], "Authorization: ***");
  EXPECT_EQ(json["http_headers"][1], "X-Trace: 1");
  EXPECT_TRUE(json["times"]["created"].is_null());
}

}  // namespace
}  // namespace swarmcopy::cli
