// ObjectReader: strict, field-by-field reading of one JSON object for the codec. Every failure
// is a kInvalidArgument error whose message starts with the field's path from the top of the
// document ("files[2].sha256: expected a string, got number"), so a client or a daemon log can
// say exactly what was wrong. Private to ipc/. Pure: any thread.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "swarmcopy/api/error.h"

namespace swarmcopy::ipc {

// "where: what" as a kInvalidArgument error of context kCaller.
std::unexpected<api::Error> field_error(const std::string& where, const std::string& what);

// The JSON type of a value in words, for messages ("string", "unsigned integer", ...).
std::string type_name(const nlohmann::json& value);

// "files" + "url" -> "files.url"; "" + "url" -> "url"; "files" + 2 -> "files[2]".
std::string join_path(const std::string& parent, std::string_view key);
std::string index_path(const std::string& parent, std::size_t index);

class ObjectReader {
 public:
  // Fails unless `value` is an object. `where` names it ("" for the top level).
  static api::Result<ObjectReader> open(const nlohmann::json& value, std::string where);

  // A required field, of any type (null included).
  api::Result<const nlohmann::json*> required(std::string_view key) const;
  // The field when present, else nullptr.
  const nlohmann::json* find(std::string_view key) const;

  api::Result<std::string> string(std::string_view key) const;
  // Present and null, or a string.
  api::Result<std::optional<std::string>> nullable_string(std::string_view key) const;
  // Absent, null, or a string.
  api::Result<std::optional<std::string>> optional_string(std::string_view key) const;
  api::Result<bool> boolean(std::string_view key) const;
  api::Result<std::vector<std::string>> string_array(std::string_view key) const;
  api::Result<std::uint64_t> unsigned_integer(std::string_view key,
                                              std::uint64_t max = UINT64_MAX) const;
  api::Result<std::optional<std::uint64_t>> nullable_unsigned(std::string_view key) const;
  api::Result<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max) const;

  // Fails naming the first field not in `known`.
  api::Result<void> reject_unknown(std::initializer_list<std::string_view> known) const;

  // The path of one of this object's fields, for nested readers and messages.
  std::string path(std::string_view key) const { return join_path(where_, key); }
  const std::string& where() const { return where_; }

 private:
  ObjectReader(const nlohmann::json& object, std::string where)
      : object_(&object), where_(std::move(where)) {}

  const nlohmann::json* object_;
  std::string where_;
};

// Reads an unsigned integer value (not a field): no floats, no negatives, no strings.
api::Result<std::uint64_t> read_unsigned(const nlohmann::json& value, const std::string& where,
                                         std::uint64_t max = UINT64_MAX);

}  // namespace swarmcopy::ipc
