// PrometheusText: writes the Prometheus text exposition format, version 0.0.4: per metric
// family a `# HELP` and a `# TYPE` line, then its samples, `name{label="value",...} value`.
// Label values and help text are escaped as the format says (\\, \" and \n in values; \\ and
// \n in help). Families must be written whole, one after another: the format forbids a
// family's samples apart. Plain value type; pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace swarmcopy::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

class PrometheusText {
 public:
  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

  // `type`: "counter", "gauge", "untyped" ...
  void family(std::string_view name, std::string_view help, std::string_view type);
  void sample(std::string_view name, const Labels& labels, std::uint64_t value);
  void sample(std::string_view name, const Labels& labels, double value);

  const std::string& text() const { return text_; }

 private:
  void head(std::string_view name, const Labels& labels);
  std::string text_;
};

// `value` escaped for a label value between double quotes.
std::string escape_label_value(std::string_view value);
// `text` escaped for a # HELP line.
std::string escape_help(std::string_view text);
// `{a="x",b="y"}`, or "" for no labels; values escaped.
std::string format_labels(const Labels& labels);

}  // namespace swarmcopy::metrics
