// The job store's text form of an api::FileExplanation: one record a line, fields split by
// tabs ("note", "peer", "origin", plus the piece counts). Texts are one line without tabs
// (FileExplanation keeps them so; the encoder replaces any that slipped through).
#pragma once

#include <optional>
#include <string>

#include "swarmcopy/api/file_explanation.h"

namespace swarmcopy::engine {

std::string encode_explanation(const api::FileExplanation& explanation);
// nullopt: not a text encode_explanation made.
std::optional<api::FileExplanation> decode_explanation(const std::string& text);

}  // namespace swarmcopy::engine
