// Reading Prometheus' text exposition format in tests: samples, and sums over label filters.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace actorscope::testing {

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

class MetricsText {
 public:
  explicit MetricsText(const std::string& text);
  const std::vector<Sample>& samples() const { return samples_; }
  // Sum of `name` over the samples whose labels include every pair of `filter`;
  // nullopt when no sample matches.
  std::optional<double> sum(const std::string& name, const std::map<std::string, std::string>& filter = {}) const;
  bool has(const std::string& name) const;

 private:
  std::vector<Sample> samples_;
};

// The "loadgen: key=value ..." line of actorscope-loadgen, as numbers by key.
std::map<std::string, double> parse_counts_line(const std::string& line);

}  // namespace actorscope::testing
