// A small parser of Prometheus' text format (comments skipped, quoted label values unescaped).
#include "metrics_text.hpp"

#include <cstdlib>
#include <sstream>

namespace actorscope::testing {
namespace {

bool parse_sample(const std::string& line, Sample& s) {
  size_t i = 0;
  while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
  s.name = line.substr(0, i);
  if (s.name.empty()) return false;
  if (i < line.size() && line[i] == '{') {
    ++i;
    while (i < line.size() && line[i] != '}') {
      size_t eq = line.find('=', i);
      if (eq == std::string::npos || eq + 1 >= line.size() || line[eq + 1] != '"') return false;
      std::string key = line.substr(i, eq - i);
      std::string value;
      size_t j = eq + 2;
      for (; j < line.size() && line[j] != '"'; ++j) {
        if (line[j] == '\\' && j + 1 < line.size()) {
          ++j;
          value += line[j] == 'n' ? '\n' : line[j];
        } else {
          value += line[j];
        }
      }
      if (j >= line.size()) return false;
      s.labels[key] = value;
      i = j + 1;
      if (i < line.size() && line[i] == ',') ++i;
    }
    if (i >= line.size()) return false;
    ++i;  // '}'
  }
  while (i < line.size() && line[i] == ' ') ++i;
  std::string v = line.substr(i, line.find(' ', i) - i);
  if (v.empty()) return false;
  char* end = nullptr;
  s.value = std::strtod(v.c_str(), &end);
  return end && *end == '\0';
}

}  // namespace

MetricsText::MetricsText(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    Sample s;
    if (parse_sample(line, s)) samples_.push_back(std::move(s));
  }
}

std::optional<double> MetricsText::sum(const std::string& name, const std::map<std::string, std::string>& filter) const {
  std::optional<double> total;
  for (const Sample& s : samples_) {
    if (s.name != name) continue;
    bool match = true;
    for (const auto& [k, v] : filter) {
      auto it = s.labels.find(k);
      if (it == s.labels.end() || it->second != v) match = false;
    }
    if (match) total = total.value_or(0) + s.value;
  }
  return total;
}

bool MetricsText::has(const std::string& name) const {
  for (const Sample& s : samples_)
    if (s.name == name) return true;
  return false;
}

std::map<std::string, double> parse_counts_line(const std::string& line) {
  std::map<std::string, double> out;
  std::istringstream in(line);
  std::string word;
  while (in >> word) {
    size_t eq = word.find('=');
    if (eq == std::string::npos) continue;
    out[word.substr(0, eq)] = std::strtod(word.c_str() + eq + 1, nullptr);
  }
  return out;
}

}  // namespace actorscope::testing
