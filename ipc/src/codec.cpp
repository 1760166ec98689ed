#include "swarmcopy/ipc/codec.h"

#include <array>
#include <cctype>
#include <limits>
#include <utility>

#include "codec_internal.h"
#include "object_reader.h"
#include "swarmcopy/api/credentials.h"
#include "time_json.h"

namespace swarmcopy::ipc {
namespace {

template <class T>
nlohmann::json nullable(const std::optional<T>& value) {
  if (!value) return nullptr;
  return *value;
}

constexpr std::array<std::pair<Event::Type, std::string_view>, 4> kEventTypeNames{{
    {Event::Type::kTransferred, "transferred"},
    {Event::Type::kError, "error"},
    {Event::Type::kModification, "modification"},
    {Event::Type::kFileTransferred, "file_transferred"},
}};

std::string_view event_type_name(Event::Type type) {
  for (const auto& [value, name] : kEventTypeNames) {
    if (value == type) return name;
  }
  return "modification";
}

template <class Enum>
api::Result<Enum> enum_field(const ObjectReader& reader, std::string_view key) {
  auto text = reader.string(key);
  if (!text) return std::unexpected(text.error());
  Enum value{};
  if (!api::parse(*text, value)) {
    return field_error(reader.path(key), "unknown name \"" + *text + "\"");
  }
  return value;
}

api::Result<api::JobId> job_id_field(const ObjectReader& reader, std::string_view key) {
  SWARMCOPY_READ(text, reader.string(key));
  auto id = api::JobId::parse(*text);
  if (!id) return field_error(reader.path(key), "not a job id: \"" + *text + "\"");
  return *id;
}

bool is_sha256_hex(const std::string& text) {
  if (text.size() != 64) return false;
  for (const char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

api::Result<std::uint32_t> u32_field(const ObjectReader& reader, std::string_view key) {
  SWARMCOPY_READ(value, reader.unsigned_integer(key, std::numeric_limits<std::uint32_t>::max()));
  return static_cast<std::uint32_t>(*value);
}

api::Result<std::vector<api::PeerTraffic>> peer_traffic_list(const ObjectReader& reader,
                                                             std::string_view key) {
  SWARMCOPY_READ(list, reader.required(key));
  if (!(*list)->is_array()) return field_error(reader.path(key), "expected an array");
  std::vector<api::PeerTraffic> peers;
  for (std::size_t i = 0; i < (*list)->size(); ++i) {
    SWARMCOPY_READ(peer, ObjectReader::open((**list)[i], index_path(reader.path(key), i)));
    SWARMCOPY_READ(addr, peer->string("addr"));
    SWARMCOPY_READ(down, peer->unsigned_integer("bytes_down"));
    SWARMCOPY_READ(up, peer->unsigned_integer("bytes_up"));
    peers.push_back(api::PeerTraffic{std::move(*addr), *down, *up});
  }
  return peers;
}

}  // namespace

// ---------------------------------------------------------------- Error

nlohmann::json to_json(const api::Error& error) {
  return {
      {"context", api::to_string(error.context)},
      {"kind", api::to_string(error.kind)},
      {"code", error.code},
      {"message", error.message},
      {"file", api::mask_url(error.file)},
      {"protocol", api::to_string(error.protocol)},
  };
}

api::Result<api::Error> error_from_json_at(const nlohmann::json& value, const std::string& where) {
  SWARMCOPY_READ(reader, ObjectReader::open(value, where));
  SWARMCOPY_READ(context, enum_field<api::ErrorContext>(*reader, "context"));
  SWARMCOPY_READ(kind, enum_field<api::ErrorKind>(*reader, "kind"));
  SWARMCOPY_READ(code, reader->integer("code", std::numeric_limits<int>::min(),
                                       std::numeric_limits<int>::max()));
  SWARMCOPY_READ(message, reader->string("message"));
  SWARMCOPY_READ(file, reader->string("file"));
  SWARMCOPY_READ(protocol, enum_field<api::Protocol>(*reader, "protocol"));
  return api::Error{*context,         *kind,    static_cast<int>(*code), std::move(*message),
                    std::move(*file), *protocol};
}

api::Result<api::Error> error_from_json(const nlohmann::json& value) {
  return error_from_json_at(value, "");
}

// ---------------------------------------------------------------- FileSpec

nlohmann::json to_json(const api::FileSpec& spec) {
  nlohmann::json json = {{"url", spec.url}, {"path", spec.local_path}};
  if (spec.sha256) json["sha256"] = *spec.sha256;
  if (spec.metadata_url) json["metadata_url"] = *spec.metadata_url;
  if (spec.mode) json["mode"] = api::to_string(*spec.mode);
  return json;
}

api::Result<api::FileSpec> file_spec_from_json_at(const nlohmann::json& value,
                                                  const std::string& where) {
  SWARMCOPY_READ(reader, ObjectReader::open(value, where));
  // A request object: a misspelt optional field must not be dropped silently.
  if (auto known = reader->reject_unknown({"url", "path", "sha256", "metadata_url", "mode"});
      !known) {
    return std::unexpected(known.error());
  }
  SWARMCOPY_READ(url, reader->string("url"));
  SWARMCOPY_READ(path, reader->string("path"));
  SWARMCOPY_READ(sha256, reader->optional_string("sha256"));
  if (*sha256 && !is_sha256_hex(**sha256)) {
    return field_error(reader->path("sha256"), "expected 64 hex digits");
  }
  SWARMCOPY_READ(metadata_url, reader->optional_string("metadata_url"));
  SWARMCOPY_READ(mode_name, reader->optional_string("mode"));
  std::optional<api::DownloadMode> mode;
  if (*mode_name) {
    mode = api::parse_download_mode(**mode_name);
    if (!mode) {
      return field_error(reader->path("mode"),
                         "unknown mode \"" + **mode_name + "\" (lan, group, http-only or bypass)");
    }
  }
  return api::FileSpec{std::move(*url), std::move(*path), std::move(*sha256),
                       std::move(*metadata_url), mode};
}

api::Result<api::FileSpec> file_spec_from_json(const nlohmann::json& value) {
  return file_spec_from_json_at(value, "");
}

// ---------------------------------------------------------------- FileStatus

nlohmann::json to_json(const api::FileStatus& file) {
  nlohmann::json peers = nlohmann::json::array();
  for (const auto& peer : file.peers) {
    peers.push_back(
        {{"addr", peer.addr}, {"bytes_down", peer.bytes_down}, {"bytes_up", peer.bytes_up}});
  }
  return {
      {"url", api::mask_url(file.url)},
      {"path", file.local_path},
      {"sha256", nullable(file.sha256)},
      {"bytes_total", nullable(file.bytes_total)},
      {"bytes_transferred", file.bytes_transferred},
      {"completed", file.completed},
      {"from_origin", file.from_origin},
      {"from_peers", file.from_peers},
      {"from_cache", file.from_cache},
      {"refetched", file.refetched},
      {"origin_ignores_range", file.origin_ignores_range},
      {"uploaded", file.uploaded},
      {"metadata_url", file.metadata_url ? nlohmann::json(api::mask_url(*file.metadata_url))
                                         : nlohmann::json(nullptr)},
      {"mode", api::to_string(file.mode)},
      {"peers_seen", file.peers_seen},
      {"peers_connected", file.peers_connected},
      {"peers", peers},
      {"peers_unused_reason", nullable(file.peers_unused_reason)},
      {"metadata_source", nullable(file.metadata_source)},
  };
}

api::Result<api::FileStatus> file_status_from_json_at(const nlohmann::json& value,
                                                      const std::string& where) {
  SWARMCOPY_READ(reader, ObjectReader::open(value, where));
  api::FileStatus file;
  SWARMCOPY_READ(url, reader->string("url"));
  SWARMCOPY_READ(path, reader->string("path"));
  SWARMCOPY_READ(sha256, reader->nullable_string("sha256"));
  SWARMCOPY_READ(bytes_total, reader->nullable_unsigned("bytes_total"));
  SWARMCOPY_READ(bytes_transferred, reader->unsigned_integer("bytes_transferred"));
  SWARMCOPY_READ(completed, reader->boolean("completed"));
  SWARMCOPY_READ(from_origin, reader->unsigned_integer("from_origin"));
  SWARMCOPY_READ(from_peers, reader->unsigned_integer("from_peers"));
  SWARMCOPY_READ(from_cache, reader->unsigned_integer("from_cache"));
  SWARMCOPY_READ(refetched, reader->unsigned_integer("refetched"));
  SWARMCOPY_READ(ignores_range, reader->boolean("origin_ignores_range"));
  SWARMCOPY_READ(uploaded, reader->unsigned_integer("uploaded"));
  SWARMCOPY_READ(metadata_url, reader->nullable_string("metadata_url"));
  SWARMCOPY_READ(mode, reader->string("mode"));
  SWARMCOPY_READ(peers_seen, u32_field(*reader, "peers_seen"));
  SWARMCOPY_READ(peers_connected, u32_field(*reader, "peers_connected"));
  SWARMCOPY_READ(peers, peer_traffic_list(*reader, "peers"));
  SWARMCOPY_READ(reason, reader->nullable_string("peers_unused_reason"));
  SWARMCOPY_READ(metadata_source, reader->nullable_string("metadata_source"));
  const auto parsed_mode = api::parse_download_mode(*mode);
  if (!parsed_mode) return field_error(reader->path("mode"), "unknown mode \"" + *mode + "\"");
  file.uploaded = *uploaded;
  file.metadata_url = std::move(*metadata_url);
  file.mode = *parsed_mode;
  file.peers_seen = *peers_seen;
  file.peers_connected = *peers_connected;
  file.peers = std::move(*peers);
  file.peers_unused_reason = std::move(*reason);
  file.metadata_source = std::move(*metadata_source);
  file.url = std::move(*url);
  file.local_path = std::move(*path);
  file.sha256 = std::move(*sha256);
  file.bytes_total = *bytes_total;
  file.bytes_transferred = *bytes_transferred;
  file.completed = *completed;
  file.from_origin = *from_origin;
  file.from_peers = *from_peers;
  file.from_cache = *from_cache;
  file.refetched = *refetched;
  file.origin_ignores_range = *ignores_range;
  return file;
}

api::Result<api::FileStatus> file_status_from_json(const nlohmann::json& value) {
  return file_status_from_json_at(value, "");
}

// ---------------------------------------------------------------- JobInfo

std::string mask_credentials(const std::string& header) { return api::mask_header(header); }

nlohmann::json proxy_to_json(const api::ProxySettings& proxy, bool mask) {
  return {
      {"usage", api::to_string(proxy.usage)},
      {"url", mask ? api::mask_proxy_url(proxy.proxy) : proxy.proxy},
      {"bypass", proxy.bypass},
  };
}

api::Result<api::ProxySettings> proxy_from_json_at(const nlohmann::json& value,
                                                   const std::string& where) {
  SWARMCOPY_READ(reader, ObjectReader::open(value, where));
  if (auto known = reader->reject_unknown({"usage", "url", "bypass"}); !known) {
    return std::unexpected(known.error());
  }
  api::ProxySettings proxy;
  SWARMCOPY_READ(usage_text, reader->string("usage"));
  const auto usage = api::parse_proxy_usage(*usage_text);
  if (!usage) {
    return field_error(reader->path("usage"),
                       "unknown proxy usage \"" + *usage_text + "\" (system, none or override)");
  }
  proxy.usage = *usage;
  if (reader->find("url")) {
    SWARMCOPY_READ(url, reader->string("url"));
    proxy.proxy = std::move(*url);
  }
  if (reader->find("bypass")) {
    SWARMCOPY_READ(bypass, reader->string_array("bypass"));
    proxy.bypass = std::move(*bypass);
  }
  return proxy;
}

nlohmann::json to_json(const api::JobInfo& job) {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& file : job.files) files.push_back(to_json(file));
  nlohmann::json headers = nlohmann::json::array();
  for (const auto& header : job.http_headers) headers.push_back(mask_credentials(header));
  // Where the job's bytes came from, summed over its files (each file has its own, too).
  std::uint64_t from_origin = 0, from_peers = 0, from_cache = 0, refetched = 0, uploaded = 0;
  bool ignores_range = false;  // any of its files'
  std::uint32_t peers_seen = 0, peers_connected = 0;
  nlohmann::json peers = nlohmann::json::array();
  nlohmann::json reason = nullptr;
  for (const auto& file : job.files) {
    from_origin += file.from_origin;
    from_peers += file.from_peers;
    from_cache += file.from_cache;
    refetched += file.refetched;
    ignores_range = ignores_range || file.origin_ignores_range;
    uploaded += file.uploaded;
    peers_seen += file.peers_seen;
    peers_connected += file.peers_connected;
    for (const auto& peer : file.peers) {
      peers.push_back(
          {{"addr", peer.addr}, {"bytes_down", peer.bytes_down}, {"bytes_up", peer.bytes_up}});
    }
    if (reason.is_null() && file.peers_unused_reason) reason = *file.peers_unused_reason;
  }
  if (from_peers > 0) reason = nullptr;
  return {
      {"id", job.id.to_string()},
      {"from_origin", from_origin},
      {"from_peers", from_peers},
      {"from_cache", from_cache},
      {"refetched", refetched},
      {"origin_ignores_range", ignores_range},
      {"uploaded", uploaded},
      {"peers_seen", peers_seen},
      {"peers_connected", peers_connected},
      {"peers", std::move(peers)},
      {"peers_unused_reason", std::move(reason)},
      {"name", job.display_name},
      {"type", api::to_string(job.type)},
      {"state", api::to_string(job.state)},
      {"priority", api::to_string(job.priority)},
      {"owner_uid", job.owner_uid},
      {"bytes_total", nullable(job.progress.bytes_total)},
      {"bytes_transferred", job.progress.bytes_transferred},
      {"files_total", job.progress.files_total},
      {"files_transferred", job.progress.files_transferred},
      {"files", std::move(files)},
      {"error", job.error ? to_json(*job.error) : nlohmann::json(nullptr)},
      {"times",
       {
           {"created", time_to_json(job.times.creation_time)},
           {"modified", time_to_json(job.times.modification_time)},
           {"transferred", time_to_json(job.times.transfer_completion_time)},
       }},
      {"no_progress_timeout", job.no_progress_timeout.count()},
      {"notify_flags", static_cast<std::uint32_t>(job.notify_flags)},
      {"http_headers", std::move(headers)},
      {"max_bytes_per_second", job.max_bytes_per_second},
      {"description", job.description},
      {"min_retry_delay_ms", job.min_retry_delay.count()},
      {"error_count", job.error_count},
      {"notify_cmd", job.notify_cmd},
      {"notify_cmd_status",
       job.notify_cmd_status ? nlohmann::json(*job.notify_cmd_status) : nlohmann::json(nullptr)},
      {"proxy", proxy_to_json(job.proxy, true)},
  };
}

api::Result<api::JobInfo> job_info_from_json(const nlohmann::json& value) {
  SWARMCOPY_READ(reader, ObjectReader::open(value, ""));
  api::JobInfo job;
  SWARMCOPY_READ(id, job_id_field(*reader, "id"));
  job.id = *id;
  SWARMCOPY_READ(name, reader->string("name"));
  job.display_name = std::move(*name);
  // The job's source totals are sums over its files (read there); here they are only checked.
  for (const char* total : {"from_origin", "from_peers", "from_cache", "refetched", "uploaded"}) {
    SWARMCOPY_READ(checked, reader->unsigned_integer(total));
  }
  SWARMCOPY_READ(ignores_range, reader->boolean("origin_ignores_range"));
  SWARMCOPY_READ(peers_seen, u32_field(*reader, "peers_seen"));
  SWARMCOPY_READ(peers_connected, u32_field(*reader, "peers_connected"));
  SWARMCOPY_READ(peers, peer_traffic_list(*reader, "peers"));
  SWARMCOPY_READ(reason, reader->nullable_string("peers_unused_reason"));

  SWARMCOPY_READ(type_text, reader->string("type"));
  const auto type = api::parse_job_type(*type_text);
  if (!type) return field_error("type", "unknown job type \"" + *type_text + "\"");
  job.type = *type;
  SWARMCOPY_READ(state_text, reader->string("state"));
  const auto state = api::parse_job_state(*state_text);
  if (!state) return field_error("state", "unknown state \"" + *state_text + "\"");
  job.state = *state;
  SWARMCOPY_READ(priority_text, reader->string("priority"));
  const auto priority = api::parse_priority(*priority_text);
  if (!priority) return field_error("priority", "unknown priority \"" + *priority_text + "\"");
  job.priority = *priority;

  SWARMCOPY_READ(owner, u32_field(*reader, "owner_uid"));
  job.owner_uid = *owner;
  SWARMCOPY_READ(bytes_total, reader->nullable_unsigned("bytes_total"));
  job.progress.bytes_total = *bytes_total;
  SWARMCOPY_READ(bytes_transferred, reader->unsigned_integer("bytes_transferred"));
  job.progress.bytes_transferred = *bytes_transferred;
  SWARMCOPY_READ(files_total, u32_field(*reader, "files_total"));
  job.progress.files_total = *files_total;
  SWARMCOPY_READ(files_transferred, u32_field(*reader, "files_transferred"));
  job.progress.files_transferred = *files_transferred;

  SWARMCOPY_READ(files, reader->required("files"));
  if (!(*files)->is_array()) {
    return field_error("files", "expected an array, got " + type_name(**files));
  }
  for (std::size_t i = 0; i < (*files)->size(); ++i) {
    SWARMCOPY_READ(file, file_status_from_json_at((**files)[i], index_path("files", i)));
    job.files.push_back(std::move(*file));
  }

  SWARMCOPY_READ(error, reader->required("error"));
  if (!(*error)->is_null()) {
    SWARMCOPY_READ(parsed, error_from_json_at(**error, "error"));
    job.error = std::move(*parsed);
  }

  SWARMCOPY_READ(times_value, reader->required("times"));
  SWARMCOPY_READ(times, ObjectReader::open(**times_value, "times"));
  const std::pair<const char*, api::Clock::time_point*> time_fields[] = {
      {"created", &job.times.creation_time},
      {"modified", &job.times.modification_time},
      {"transferred", &job.times.transfer_completion_time},
  };
  for (const auto& [key, target] : time_fields) {
    SWARMCOPY_READ(field, times->required(key));
    SWARMCOPY_READ(time, time_from_json_at(**field, times->path(key)));
    *target = *time;
  }

  SWARMCOPY_READ(timeout, reader->unsigned_integer("no_progress_timeout",
                                                   static_cast<std::uint64_t>(
                                                       std::numeric_limits<std::int64_t>::max())));
  job.no_progress_timeout = std::chrono::seconds(static_cast<std::int64_t>(*timeout));
  SWARMCOPY_READ(flags, u32_field(*reader, "notify_flags"));
  job.notify_flags = static_cast<api::NotifyFlags>(*flags);
  SWARMCOPY_READ(headers, reader->string_array("http_headers"));
  job.http_headers = std::move(*headers);
  SWARMCOPY_READ(rate, reader->unsigned_integer("max_bytes_per_second"));
  job.max_bytes_per_second = *rate;
  SWARMCOPY_READ(description, reader->string("description"));
  job.description = std::move(*description);
  SWARMCOPY_READ(delay, reader->unsigned_integer(
                            "min_retry_delay_ms",
                            static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())));
  job.min_retry_delay = std::chrono::milliseconds(static_cast<std::int64_t>(*delay));
  SWARMCOPY_READ(error_count, u32_field(*reader, "error_count"));
  job.error_count = *error_count;
  SWARMCOPY_READ(notify_cmd, reader->string_array("notify_cmd"));
  job.notify_cmd = std::move(*notify_cmd);
  SWARMCOPY_READ(status, reader->nullable_unsigned("notify_cmd_status"));
  if (*status && **status > 255) {
    return field_error("notify_cmd_status", "expected null or an exit status (0-255)");
  }
  if (*status) job.notify_cmd_status = static_cast<int>(**status);
  SWARMCOPY_READ(proxy_json, reader->required("proxy"));
  SWARMCOPY_READ(proxy, proxy_from_json_at(**proxy_json, reader->path("proxy")));
  job.proxy = std::move(*proxy);
  return job;
}

// ---------------------------------------------------------------- Event

nlohmann::json to_json(const Event& event) {
  return {
      {"type", event_type_name(event.type)},
      {"job", event.job.to_string()},
      {"owner_uid", event.owner_uid},
      {"notify_flags", static_cast<std::uint32_t>(event.notify_flags)},
      {"error", event.error ? to_json(*event.error) : nlohmann::json(nullptr)},
      {"file", event.file ? to_json(*event.file) : nlohmann::json(nullptr)},
  };
}

api::Result<Event> event_from_json(const nlohmann::json& value) {
  SWARMCOPY_READ(reader, ObjectReader::open(value, ""));
  Event event;
  SWARMCOPY_READ(type_text, reader->string("type"));
  bool known = false;
  for (const auto& [type, name] : kEventTypeNames) {
    if (name == *type_text) event.type = type, known = true;
  }
  if (!known) return field_error("type", "unknown event type \"" + *type_text + "\"");
  SWARMCOPY_READ(id, job_id_field(*reader, "job"));
  event.job = *id;
  SWARMCOPY_READ(owner, u32_field(*reader, "owner_uid"));
  event.owner_uid = *owner;
  SWARMCOPY_READ(flags, u32_field(*reader, "notify_flags"));
  event.notify_flags = static_cast<api::NotifyFlags>(*flags);
  SWARMCOPY_READ(error, reader->required("error"));
  if (!(*error)->is_null()) {
    SWARMCOPY_READ(parsed, error_from_json_at(**error, "error"));
    event.error = std::move(*parsed);
  }
  SWARMCOPY_READ(file, reader->required("file"));
  if (!(*file)->is_null()) {
    SWARMCOPY_READ(parsed, file_status_from_json_at(**file, "file"));
    event.file = std::move(*parsed);
  }
  return event;
}

// ---------------------------------------------------------------- failures

nlohmann::json error_body(const api::Error& error) { return {{"error", to_json(error)}}; }

int http_status_for(api::ErrorKind kind) {
  switch (kind) {
    case api::ErrorKind::kInvalidArgument:
      return 400;
    case api::ErrorKind::kNotFound:
      return 404;
    case api::ErrorKind::kJobIsFinal:
    case api::ErrorKind::kInvalidState:
    case api::ErrorKind::kNoFiles:
      return 409;
    case api::ErrorKind::kLimitExceeded:
      return 429;
    case api::ErrorKind::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

}  // namespace swarmcopy::ipc
