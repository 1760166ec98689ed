// MessageReader: splits the byte stream apt writes to a method's stdin into Messages. apt
// pipelines: several messages may arrive in one read, and one message may arrive in pieces, so
// bytes are fed as they come and complete messages taken out in order. A block that is not a
// message (no "NNN " status line, a field line without ':') is returned as an error carrying
// the block's first line and the URI field when one could be read, so the method can answer
// 400 URI Failure for that URI or 401 General Failure, and go on with the next message.
// Not thread-safe; one owner (the method's loop).
#pragma once

#include <cstddef>
#include <deque>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include "swarmcopy/apt/message.h"

namespace swarmcopy::apt {

struct MalformedMessage {
  std::string reason;              // for people: "no status code: ..."
  std::optional<std::string> uri;  // the block's URI field, when it had one
};

class MessageReader {
 public:
  // A message longer than this without its blank line is malformed (apt's whole configuration,
  // the longest message it sends, is some 100 KiB).
  static constexpr std::size_t kMaxMessageBytes = 16u << 20;

  void feed(std::string_view bytes);
  // The next complete message, in order; nullopt when none is complete yet.
  std::optional<std::expected<Message, MalformedMessage>> next();
  // Bytes buffered that do not yet make a message.
  std::size_t pending_bytes() const { return buffer_.size(); }

 private:
  std::string buffer_;
};

// Parses one block (the text between blank lines, without them).
std::expected<Message, MalformedMessage> parse_message(std::string_view block);

}  // namespace swarmcopy::apt
