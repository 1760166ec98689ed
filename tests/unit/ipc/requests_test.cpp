#include <gtest/gtest.h>

#include "swarmcopy/ipc/add_files_request.h"
#include "swarmcopy/ipc/create_job_request.h"
#include "swarmcopy/ipc/job_patch.h"

namespace swarmcopy::ipc {
namespace {

using nlohmann::json;

void expect_invalid(const api::Result<auto>& result, const std::string& field_prefix) {
  ASSERT_FALSE(result) << "accepted, expected an error about " << field_prefix;
  EXPECT_EQ(result.error().kind, api::ErrorKind::kInvalidArgument);
  EXPECT_TRUE(result.error().message.starts_with(field_prefix + ":")) << result.error().message;
}

TEST(CreateJobRequest, RoundTripsAndDefaultsTheType) {
  const CreateJobRequest request{"nightly", api::JobType::kDownload, std::nullopt};
  EXPECT_EQ(create_job_request_from_json(to_json(request)).value(), request);
  const CreateJobRequest with_umask{"nightly", api::JobType::kDownload, 022};
  EXPECT_EQ(create_job_request_from_json(to_json(with_umask)).value(), with_umask);
  EXPECT_EQ(create_job_request_from_json(json::parse(R"({"name":"x"})")).value().name, "x");
}

TEST(CreateJobRequest, IsStrict) {
  expect_invalid(create_job_request_from_json(json::object()), "name");
  expect_invalid(create_job_request_from_json(json::parse(R"({"name":1})")), "name");
  expect_invalid(create_job_request_from_json(json::parse(R"({"name":"x","type":"UPLOAD"})")),
                 "type");
  expect_invalid(create_job_request_from_json(json::parse(R"({"name":"x","nmae":"y"})")), "nmae");
  expect_invalid(create_job_request_from_json(json::parse("[]")), "body");
  expect_invalid(create_job_request_from_json(json::parse(R"({"name":"x","umask":512})")), "umask");
  expect_invalid(create_job_request_from_json(json::parse(R"({"name":"x","umask":-1})")), "umask");
  expect_invalid(create_job_request_from_json(json::parse(R"({"name":"x","umask":"022"})")),
                 "umask");
}

TEST(AddFilesRequest, RoundTrips) {
  AddFilesRequest request;
  request.files = {{"http://o/a", "/d/a", std::nullopt},
                   {"http://o/b", "/d/b", std::string(64, '0')}};
  auto back = add_files_request_from_json(json::parse(to_json(request).dump()));
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_EQ(back->files.size(), 2u);
  EXPECT_EQ(back->files[1].url, "http://o/b");
  EXPECT_EQ(back->files[1].local_path, "/d/b");
  EXPECT_EQ(back->files[1].sha256, std::string(64, '0'));
  EXPECT_FALSE(back->files[0].sha256);
}

TEST(AddFilesRequest, NamesTheBadFile) {
  expect_invalid(add_files_request_from_json(json::parse(R"({"files":[]})")), "files");
  expect_invalid(add_files_request_from_json(json::parse(R"({"files":{}})")), "files");
  expect_invalid(add_files_request_from_json(json::parse(R"({})")), "files");
  expect_invalid(add_files_request_from_json(
                     json::parse(R"({"files":[{"url":"u","path":"/p"},{"url":"u"}]})")),
                 "files[1].path");
  expect_invalid(
      add_files_request_from_json(json::parse(R"({"files":[{"url":"u","path":"/p","mode":1}]})")),
      "files[0].mode");
  expect_invalid(add_files_request_from_json(json::parse(R"({"files":[],"x":1})")), "x");
}

TEST(JobPatch, RoundTripsEveryField) {
  JobPatch patch;
  patch.priority = api::Priority::kLow;
  patch.no_progress_timeout = std::chrono::seconds(0);
  patch.notify_flags = api::NotifyFlags::kDisable;
  patch.http_headers = std::vector<std::string>{"A: b"};
  patch.max_bytes_per_second = 123;
  patch.display_name = "renamed ünïcode";
  patch.description = "";  // an empty description is a value, not an absence
  patch.min_retry_delay = std::chrono::milliseconds(1500);
  patch.notify_cmd = std::vector<std::string>{"/bin/true", "a b"};
  // A PATCH carries the proxy as given, credentials included: the engine must store them.
  patch.proxy =
      api::ProxySettings{api::ProxyUsage::kOverride, "http://u:pw@p:3128", {"127.0.0.1", ".lan"}};
  EXPECT_EQ(job_patch_from_json(json::parse(to_json(patch).dump())).value(), patch);
  auto empty = job_patch_from_json(json::object());
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
  EXPECT_EQ(to_json(JobPatch{}), json::object());
}

TEST(JobPatch, IsStrict) {
  expect_invalid(job_patch_from_json(json::parse(R"({"priority":"urgent"})")), "priority");
  expect_invalid(job_patch_from_json(json::parse(R"({"priority":2})")), "priority");
  expect_invalid(job_patch_from_json(json::parse(R"({"notify_flags":32})")), "notify_flags");
  expect_invalid(job_patch_from_json(json::parse(R"({"notify_flags":-1})")), "notify_flags");
  expect_invalid(job_patch_from_json(json::parse(R"({"no_progress_timeout":1.5})")),
                 "no_progress_timeout");
  expect_invalid(job_patch_from_json(json::parse(R"({"no_progress_timeout":"1d"})")),
                 "no_progress_timeout");
  expect_invalid(job_patch_from_json(json::parse(R"({"http_headers":"A: b"})")), "http_headers");
  expect_invalid(job_patch_from_json(json::parse(R"({"http_headers":[null]})")), "http_headers[0]");
  expect_invalid(job_patch_from_json(json::parse(R"({"max_bytes_per_second":-5})")),
                 "max_bytes_per_second");
  expect_invalid(job_patch_from_json(json::parse(R"({"state":"QUEUED"})")), "state");
  expect_invalid(job_patch_from_json(json::parse(R"({"name":null})")), "name");
  expect_invalid(job_patch_from_json(json::parse(R"({"description":["x"]})")), "description");
  expect_invalid(job_patch_from_json(json::parse(R"({"min_retry_delay_ms":-1})")),
                 "min_retry_delay_ms");
  expect_invalid(job_patch_from_json(json::parse(R"({"min_retry_delay_ms":1e12})")),
                 "min_retry_delay_ms");
  expect_invalid(job_patch_from_json(json::parse(R"({"display_name":"x"})")), "display_name");
  expect_invalid(job_patch_from_json(json::parse(R"({"notify_cmd":"/bin/true"})")), "notify_cmd");
  expect_invalid(job_patch_from_json(json::parse(R"({"proxy":"none"})")), "proxy");
  expect_invalid(job_patch_from_json(json::parse(R"({"proxy":{"usage":"preconfig"}})")),
                 "proxy.usage");
  expect_invalid(job_patch_from_json(json::parse(R"({"proxy":{"usage":"none","port":1}})")),
                 "proxy.port");
  expect_invalid(job_patch_from_json(json::parse(R"({"proxy":{"url":"http://p:1"}})")),
                 "proxy.usage");
  EXPECT_EQ(job_patch_from_json(json::parse(R"({"proxy":{"usage":"none"}})")).value().proxy,
            (api::ProxySettings{api::ProxyUsage::kNone, "", {}}));
}

}  // namespace
}  // namespace swarmcopy::ipc
