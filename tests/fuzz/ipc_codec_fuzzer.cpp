// Fuzzes the IPC JSON codec (ipc/codec.h, ipc/explanation.h, the request bodies of POST /v1/jobs
// and POST /v1/jobs/{id}/files) the way the two sides meet it. The input is a body as the daemon
// reads it (daemon/src/request_body.cpp, parse_body); every decoder is tried on the one value,
// since each refuses a foreign shape in a few steps. Properties:
// - parse_body returns a value or a kInvalidArgument error, never throws;
// - a decoder returns a value or a kInvalidArgument error naming a field;
// - what the encoder writes for a decoded value decodes again, and encodes to the same JSON
//   (one normalisation at most: masking, sums, null times; an error's file is masked); the
//   text the daemon sends of it parses back the same on the client side;
// - a decoded time survives the round trip exactly (time_json.cpp promises nanoseconds).
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "request_body.h"
#include "swarmcopy/api/credentials.h"
#include "swarmcopy/ipc/add_files_request.h"
#include "swarmcopy/ipc/codec.h"
#include "swarmcopy/ipc/create_job_request.h"
#include "swarmcopy/ipc/explanation.h"

namespace {

using nlohmann::json;
using swarmcopy::api::ErrorKind;

template <class Result>
void check_refusal(const Result& result) {
  if (result) return;
  FUZZ_CHECK(result.error().kind == ErrorKind::kInvalidArgument,
             "a refusal must be invalid_argument");
  FUZZ_CHECK(!result.error().message.empty(), "a refusal must say why");
}

// The daemon writes with Reply::json (invalid UTF-8 replaced); the client reads without
// exceptions (client/src/daemon_rpc.cpp).
void check_wire(const json& value) {
  const std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  const json read = json::parse(text, nullptr, /*allow_exceptions=*/false);
  FUZZ_CHECK(!read.is_discarded(), "the client cannot parse what the daemon wrote");
  FUZZ_CHECK(read == value, "the client reads other JSON than the daemon wrote");
}

// decode(value) -> encode -> decode -> encode: the two encodings must agree.
template <class Decode>
void check_round_trip(const json& value, Decode decode) {
  auto first = decode(value);
  check_refusal(first);
  if (!first) return;
  const json encoded = swarmcopy::ipc::to_json(*first);
  auto second = decode(encoded);
  FUZZ_CHECK(second.has_value(), "the decoder refuses what the encoder wrote");
  FUZZ_CHECK(swarmcopy::ipc::to_json(*second) == encoded, "the encoding is not stable");
  check_wire(encoded);
}

// GET /v1/jobs/{id}/explain's answer, as the client reads it: decoded, it encodes to what
// decodes to the same explanations again.
void check_explanations(const json& value) {
  auto first = swarmcopy::ipc::explanations_from_json(value);
  check_refusal(first);
  if (!first) return;
  const json encoded = swarmcopy::ipc::explanations_to_json(*first);
  auto second = swarmcopy::ipc::explanations_from_json(encoded);
  FUZZ_CHECK(second.has_value() && *second == *first, "an explanation does not survive the trip");
  check_wire(encoded);
}

void check_time(const json& value) {
  auto time = swarmcopy::ipc::time_from_json(value);
  check_refusal(time);
  if (!time) return;
  auto again = swarmcopy::ipc::time_from_json(swarmcopy::ipc::time_to_json(*time));
  FUZZ_CHECK(again.has_value() && *again == *time, "a time does not survive the round trip");
}

void check_error(const json& value) {
  auto error = swarmcopy::ipc::error_from_json(value);
  check_refusal(error);
  if (!error) return;
  // Error has ==: only its file (a URL) is normalised, masked, so the rest must come back as is,
  // and the masked file masked again stays the same.
  auto expected = *error;
  expected.file = swarmcopy::api::mask_url(expected.file);
  auto again = swarmcopy::ipc::error_from_json(swarmcopy::ipc::error_body(*error)["error"]);
  FUZZ_CHECK(again.has_value() && *again == expected, "an error does not survive the round trip");
  FUZZ_CHECK(swarmcopy::api::mask_url(expected.file) == expected.file,
             "masking an error's file twice changes it");
  const int status = swarmcopy::ipc::http_status_for(error->kind);
  FUZZ_CHECK(status >= 400 && status <= 599, "an error's HTTP status is not an error status");
}

void check_masking(const json& value) {
  if (!value.is_object()) return;
  const auto headers = value.find("http_headers");
  if (headers == value.end() || !headers->is_array()) return;
  for (const auto& header : *headers) {
    if (!header.is_string()) continue;
    const auto masked = swarmcopy::ipc::mask_credentials(header.get<std::string>());
    FUZZ_CHECK(swarmcopy::ipc::mask_credentials(masked) == masked, "masking is not idempotent");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  auto parsed = swarmcopy::daemon::parse_body(body);
  check_refusal(parsed);
  if (!parsed) return 0;
  const json& value = *parsed;

  check_round_trip(value, swarmcopy::ipc::create_job_request_from_json);
  check_round_trip(value, swarmcopy::ipc::add_files_request_from_json);
  check_round_trip(value, swarmcopy::ipc::file_spec_from_json);
  check_round_trip(value, swarmcopy::ipc::file_status_from_json);
  check_round_trip(value, swarmcopy::ipc::job_info_from_json);
  check_round_trip(value, swarmcopy::ipc::event_from_json);
  check_explanations(value);
  check_error(value);
  check_time(value);
  check_masking(value);
  // Times and errors also sit one level down (a job's "times", an event's "error").
  if (value.is_object()) {
    for (const auto& [key, member] : value.items()) {
      check_time(member);
      check_error(member);
    }
  }
  return 0;
}
