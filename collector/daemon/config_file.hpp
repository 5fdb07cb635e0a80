// The collector's configuration file: the command line's long options, one per line.
#pragma once

#include <string>
#include <vector>

namespace actorscope::collector {

// Reads FILE into command-line arguments: each line is `name = value` (or `name value`)
// where name is a long option without its dashes (`listen`, `metrics`, `token-file`, ...);
// `name = true` gives a flag without a value (`allow-remote`), `name = false` leaves it out;
// `#` starts a comment; a name may repeat where the option does (`listen`). False, with a
// one-line error naming FILE:LINE, for an unreadable file or a malformed line.
bool read_config_file(const std::string& path, std::vector<std::string>& args, std::string& error);

// Expands `--config FILE` (or `--config=FILE`) in argv: the file's options come first, then
// the command line's, so a flag on the command line overrides the file's. `check` is set when
// `--check-config` is given (and it is removed). Each option read from a file is checked on
// its own first, so that an error names the file and the line.
struct ExpandedArgs {
  std::vector<std::string> args;  // args[0] is the program
  bool check = false;
  std::vector<std::string> files;  // the configuration files read, in order
};
bool expand_config_args(int argc, char** argv, ExpandedArgs& out, std::string& error);

// The lines --help adds about these two options.
std::string config_usage();

}  // namespace actorscope::collector
