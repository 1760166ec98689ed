// Fuzzes the body of PATCH /v1/jobs/{id} (ipc/job_patch.h) as the daemon reads it: the text
// through parse_body, then job_patch_from_json. Properties: no exception; a refusal is
// kInvalidArgument; an accepted patch keeps the limits the header states (notify flags within
// kAllNotifyBits, a timeout of at most 2^31-1 seconds) and comes back equal from its own JSON
// (the client writes a patch with to_json, the daemon reads it with job_patch_from_json).
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

#include "fuzz_check.h"
#include "request_body.h"
#include "swarmcopy/ipc/job_patch.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using swarmcopy::api::ErrorKind;
  const std::string body(reinterpret_cast<const char*>(data), size);
  auto value = swarmcopy::daemon::parse_body(body);
  if (!value) {
    FUZZ_CHECK(value.error().kind == ErrorKind::kInvalidArgument, "a bad body must be a 400");
    return 0;
  }
  auto patch = swarmcopy::ipc::job_patch_from_json(*value);
  if (!patch) {
    FUZZ_CHECK(patch.error().kind == ErrorKind::kInvalidArgument, "a bad patch must be a 400");
    return 0;
  }
  if (patch->notify_flags) {
    FUZZ_CHECK(
        (static_cast<std::uint32_t>(*patch->notify_flags) & ~swarmcopy::api::kAllNotifyBits) == 0,
        "notify flags outside kAllNotifyBits accepted");
  }
  if (patch->no_progress_timeout) {
    FUZZ_CHECK(patch->no_progress_timeout->count() >= 0 &&
                   patch->no_progress_timeout->count() <= std::numeric_limits<std::int32_t>::max(),
               "a no-progress timeout over 2^31-1 seconds accepted");
  }
  FUZZ_CHECK(patch->empty() == value->empty(), "an empty patch is the empty object, only");
  auto again = swarmcopy::ipc::job_patch_from_json(swarmcopy::ipc::to_json(*patch));
  FUZZ_CHECK(again.has_value() && *again == *patch, "a patch does not survive its own JSON");
  return 0;
}
