// Checks that bytes a client received form a sequence of well-formed HTTP/1.1 responses: a
// status line "HTTP/1.1 NNN reason", header lines "Name: value", an empty line, and a body of
// exactly Content-Length bytes (interim 1xx answers have none). Used by the fuzz test, where
// every answer must be well formed or the connection simply closed. Pure: any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace swarmcopy::test {

// The statuses of the responses in `bytes`, or an explanation of what is malformed.
inline std::string validate_responses(std::string_view bytes, std::vector<int>& statuses) {
  while (!bytes.empty()) {
    const auto head_end = bytes.find("\r\n\r\n");
    if (head_end == std::string_view::npos)
      return "no end of header in: " + std::string(bytes.substr(0, 200));
    const auto head = bytes.substr(0, head_end);
    bytes.remove_prefix(head_end + 4);
    auto line_end = head.find("\r\n");
    const auto status_line = head.substr(0, line_end);
    if (!status_line.starts_with("HTTP/1.1 ") || status_line.size() < 13 ||
        status_line[12] != ' ') {
      return "bad status line: " + std::string(status_line);
    }
    int status = 0;
    for (int i = 9; i < 12; ++i) {
      if (status_line[i] < '0' || status_line[i] > '9')
        return "bad status: " + std::string(status_line);
      status = status * 10 + (status_line[i] - '0');
    }
    long long length = -1;
    bool chunked = false;
    while (line_end != std::string_view::npos) {
      const auto start = line_end + 2;
      line_end = head.find("\r\n", start);
      const auto line = head.substr(
          start, line_end == std::string_view::npos ? std::string_view::npos : line_end - start);
      const auto colon = line.find(':');
      if (colon == std::string_view::npos || colon == 0)
        return "bad header line: " + std::string(line);
      std::string name(line.substr(0, colon));
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (name == "content-length") length = std::stoll(std::string(line.substr(colon + 1)));
      if (name == "transfer-encoding") chunked = true;
    }
    statuses.push_back(status);
    if (status >= 100 && status < 200) continue;
    if (chunked) {
      // An event stream: whole chunks until the terminating one, or until the daemon closed
      // the connection (it does when the client hangs up).
      while (!bytes.empty()) {
        const auto size_end = bytes.find("\r\n");
        if (size_end == std::string_view::npos) return "chunk size line cut";
        const auto size = std::stoull(std::string(bytes.substr(0, size_end)), nullptr, 16);
        if (bytes.size() < size_end + 2 + size + 2) return "chunk cut short";
        if (bytes.substr(size_end + 2 + size, 2) != "\r\n") return "chunk without CRLF";
        bytes.remove_prefix(size_end + 2 + size + 2);
        if (size == 0) break;
      }
      continue;
    }
    if (length < 0) return "final answer without Content-Length";
    if (static_cast<std::size_t>(length) > bytes.size()) return "body shorter than Content-Length";
    bytes.remove_prefix(static_cast<std::size_t>(length));
  }
  return "";
}

}  // namespace swarmcopy::test
