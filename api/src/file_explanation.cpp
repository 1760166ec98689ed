#include "swarmcopy/api/file_explanation.h"

#include <algorithm>

namespace swarmcopy::api {
namespace {

// One line of text, at most kMaxTextBytes: the explanation is stored line by line and shown on
// a terminal, so a reason taken from a server or a peer cannot break either.
std::string one_line(std::string text) {
  std::replace_if(
      text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r' || c == '\t'; }, ' ');
  if (text.size() > FileExplanation::kMaxTextBytes) text.resize(FileExplanation::kMaxTextBytes);
  return text;
}

}  // namespace

void FileExplanation::note(std::string text) {
  text = one_line(std::move(text));
  if (!notes.empty() && notes.back() == text) return;
  // The latest decisions are kept: a job retried many times is explained by its last runs.
  if (notes.size() >= kMaxNotes) {
    notes.erase(notes.begin());
    ++notes_omitted;
  }
  notes.push_back(std::move(text));
}

void FileExplanation::origin_request(std::uint64_t first_byte, std::uint64_t end_byte,
                                     std::string why) {
  why = one_line(std::move(why));
  if (!origin_requests.empty()) {
    auto& last = origin_requests.back();
    if (last.why == why && last.end_byte == first_byte) {
      last.end_byte = end_byte;
      ++last.requests;
      return;
    }
  }
  if (origin_requests.size() >= kMaxOriginRequests) {
    ++origin_requests_omitted;
    return;
  }
  origin_requests.push_back(OriginRequestExplanation{first_byte, end_byte, std::move(why), 1});
}

}  // namespace swarmcopy::api
