// The configuration file: one long option per line, checked line by line.
#include "config_file.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "options.hpp"

namespace actorscope::collector {

namespace {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// One option on its own, parsed as the command line would parse it.
bool check_one(const std::vector<std::string>& option, std::string& error) {
  std::vector<std::string> args = {"actorscope-collector"};
  args.insert(args.end(), option.begin(), option.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  DaemonOptions ignored;
  return parse_options(static_cast<int>(argv.size()), argv.data(), ignored, error) != ParseOutcome::Error;
}

}  // namespace

bool read_config_file(const std::string& path, std::vector<std::string>& args, std::string& error) {
  struct stat st{};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    error = "configuration file '" + path + "' is a directory";
    return false;
  }
  std::ifstream in(path);
  if (!in) {
    error = "cannot read configuration file '" + path + "': " + std::strerror(errno);
    return false;
  }
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const std::string where = path + ":" + std::to_string(number) + ": ";
    if (size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    line = trim(line);
    if (line.empty()) continue;
    size_t split = line.find_first_of("= \t");
    std::string name = trim(line.substr(0, split));
    std::string value = split == std::string::npos ? std::string() : trim(line.substr(split + 1));
    if (!value.empty() && value.front() == '=') value = trim(value.substr(1));
    if (name.empty() || name.rfind("-", 0) == 0) {
      error = where + "expected 'name = value' with an option's name without dashes (e.g. 'listen = tcp:127.0.0.1:7411')";
      return false;
    }
    if (name == "config" || name == "check-config" || name == "help") {
      error = where + "'" + name + "' belongs on the command line, not in a configuration file";
      return false;
    }
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    std::vector<std::string> option;
    if (value == "true" || value == "yes") {
      option = {"--" + name};
    } else if (value == "false" || value == "no") {
      continue;
    } else if (value.empty()) {
      error = where + "'" + name + "' has no value (flags take 'true' or 'false')";
      return false;
    } else {
      option = {"--" + name, value};
    }
    std::string why;
    if (!check_one(option, why)) {
      error = where + why;
      return false;
    }
    args.insert(args.end(), option.begin(), option.end());
  }
  return true;
}

bool expand_config_args(int argc, char** argv, ExpandedArgs& out, std::string& error) {
  // The files' options first, then the command line's: a flag given on the command line wins
  // over the file wherever it stands.
  out.args.assign(argv, argv + (argc > 0 ? 1 : 0));
  std::vector<std::string> command_line;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--check-config") {
      out.check = true;
      continue;
    }
    std::string file;
    if (a == "--config") {
      if (i + 1 >= argc) {
        error = "--config needs a file";
        return false;
      }
      file = argv[++i];
    } else if (a.rfind("--config=", 0) == 0) {
      file = a.substr(9);
    } else {
      command_line.push_back(a);
      continue;
    }
    if (!read_config_file(file, out.args, error)) return false;
    out.files.push_back(file);
  }
  out.args.insert(out.args.end(), command_line.begin(), command_line.end());
  return true;
}

std::string config_usage() {
  return "Configuration file:\n"
         "  --config FILE              read options from FILE, one 'name = value' per line (names as\n"
         "                             above without the dashes; flags take true/false; # comments);\n"
         "                             flags on the command line win over the file's\n"
         "  --check-config             check the options and files (tokens, TLS) and exit: 0 when valid\n";
}

}  // namespace actorscope::collector
