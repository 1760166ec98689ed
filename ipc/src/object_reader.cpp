#include "object_reader.h"

#include <utility>

namespace swarmcopy::ipc {

std::unexpected<api::Error> field_error(const std::string& where, const std::string& what) {
  return api::fail(api::ErrorContext::kCaller, api::ErrorKind::kInvalidArgument,
                   (where.empty() ? std::string("body") : where) + ": " + what);
}

std::string type_name(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null:
      return "null";
    case nlohmann::json::value_t::object:
      return "object";
    case nlohmann::json::value_t::array:
      return "array";
    case nlohmann::json::value_t::string:
      return "string";
    case nlohmann::json::value_t::boolean:
      return "boolean";
    case nlohmann::json::value_t::number_integer:
      return value.get<std::int64_t>() < 0 ? "negative integer" : "integer";
    case nlohmann::json::value_t::number_unsigned:
      return "unsigned integer";
    case nlohmann::json::value_t::number_float:
      return "number with a fraction or exponent";
    default:
      return "binary or invalid value";
  }
}

std::string join_path(const std::string& parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return parent + "." + std::string(key);
}

std::string index_path(const std::string& parent, std::size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

api::Result<ObjectReader> ObjectReader::open(const nlohmann::json& value, std::string where) {
  if (!value.is_object()) {
    return field_error(where, "expected an object, got " + type_name(value));
  }
  return ObjectReader(value, std::move(where));
}

const nlohmann::json* ObjectReader::find(std::string_view key) const {
  const auto it = object_->find(key);
  return it == object_->end() ? nullptr : &*it;
}

api::Result<const nlohmann::json*> ObjectReader::required(std::string_view key) const {
  const auto* value = find(key);
  if (value == nullptr) return field_error(path(key), "missing");
  return value;
}

api::Result<std::string> ObjectReader::string(std::string_view key) const {
  auto value = required(key);
  if (!value) return std::unexpected(value.error());
  if (!(*value)->is_string()) {
    return field_error(path(key), "expected a string, got " + type_name(**value));
  }
  return (*value)->get<std::string>();
}

api::Result<std::optional<std::string>> ObjectReader::nullable_string(std::string_view key) const {
  auto value = required(key);
  if (!value) return std::unexpected(value.error());
  if ((*value)->is_null()) return std::nullopt;
  if (!(*value)->is_string()) {
    return field_error(path(key), "expected a string or null, got " + type_name(**value));
  }
  return (*value)->get<std::string>();
}

api::Result<std::optional<std::string>> ObjectReader::optional_string(std::string_view key) const {
  if (find(key) == nullptr) return std::nullopt;
  return nullable_string(key);
}

api::Result<bool> ObjectReader::boolean(std::string_view key) const {
  auto value = required(key);
  if (!value) return std::unexpected(value.error());
  if (!(*value)->is_boolean()) {
    return field_error(path(key), "expected true or false, got " + type_name(**value));
  }
  return (*value)->get<bool>();
}

api::Result<std::vector<std::string>> ObjectReader::string_array(std::string_view key) const {
  auto value = required(key);
  if (!value) return std::unexpected(value.error());
  const auto where = path(key);
  if (!(*value)->is_array()) {
    return field_error(where, "expected an array of strings, got " + type_name(**value));
  }
  std::vector<std::string> items;
  for (std::size_t i = 0; i < (*value)->size(); ++i) {
    const auto& item = (**value)[i];
    if (!item.is_string()) {
      return field_error(index_path(where, i), "expected a string, got " + type_name(item));
    }
    items.push_back(item.get<std::string>());
  }
  return items;
}

api::Result<std::uint64_t> read_unsigned(const nlohmann::json& value, const std::string& where,
                                         std::uint64_t max) {
  // Parsed text keeps non-negative integers as number_unsigned, values built in memory may be
  // number_integer; "1.0", "1e3", "-1" and "1" (a string) are refused rather than converted.
  const bool negative =
      value.is_number_integer() && !value.is_number_unsigned() && value.get<std::int64_t>() < 0;
  if (!value.is_number_integer() || negative) {
    return field_error(where, "expected an unsigned integer, got " + type_name(value));
  }
  const auto number = value.get<std::uint64_t>();
  if (number > max) {
    return field_error(where, "out of range (at most " + std::to_string(max) + ")");
  }
  return number;
}

api::Result<std::uint64_t> ObjectReader::unsigned_integer(std::string_view key,
                                                          std::uint64_t max) const {
  auto value = required(key);
  if (!value) return std::unexpected(value.error());
  return read_unsigned(**value, path(key), max);
}

api::Result<std::optional<std::uint64_t>> ObjectReader::nullable_unsigned(
    std::string_view key) const {
  auto value = required(key);
  if (!value) return std::unexpected(value.error());
  if ((*value)->is_null()) return std::nullopt;
  if (!(*value)->is_number_integer()) {
    return field_error(path(key),
                       "expected an unsigned integer or null, got " + type_name(**value));
  }
  return read_unsigned(**value, path(key));
}

api::Result<std::int64_t> ObjectReader::integer(std::string_view key, std::int64_t min,
                                                std::int64_t max) const {
  auto value = required(key);
  if (!value) return std::unexpected(value.error());
  const auto& number = **value;
  std::int64_t result = 0;
  if (number.is_number_unsigned()) {
    const auto u = number.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(max)) {
      return field_error(path(key), "out of range (at most " + std::to_string(max) + ")");
    }
    result = static_cast<std::int64_t>(u);
  } else if (number.is_number_integer()) {
    result = number.get<std::int64_t>();
  } else {
    return field_error(path(key), "expected an integer, got " + type_name(number));
  }
  if (result < min || result > max) {
    return field_error(path(key),
                       "out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return result;
}

api::Result<void> ObjectReader::reject_unknown(
    std::initializer_list<std::string_view> known) const {
  for (const auto& [key, value] : object_->items()) {
    bool listed = false;
    for (const auto name : known) listed = listed || key == name;
    if (!listed) return field_error(path(key), "unknown field");
  }
  return {};
}

}  // namespace swarmcopy::ipc
