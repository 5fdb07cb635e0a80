// Export and copy: the Actors table or the Events as a CSV file, and the selected row to the
// terminal's clipboard (OSC 52), both in the view library's CSV columns.
#pragma once

#include <string>

#include "keys.hpp"
#include "options.hpp"

namespace actorscope::tui {

// The export key: writes the list shown (Actors or Events, filtered and ordered as on screen)
// to a new file in ui.export_dir and names it in the status line.
unsigned export_csv(ActionContext& ctx);
// The file as the status line names it: as the directory was given (--export-dir), nothing
// before the name for the current directory, so that the name fits on an 80-column line.
std::string shown_path(const std::string& dir, const std::string& file);
// The copy key: the selected row as one CSV line, sent to the terminal's clipboard with an
// OSC 52 sequence (queued in ui.terminal_out) and shown in the status line.
unsigned copy_row(ActionContext& ctx);
// The OSC 52 sequence that puts `text` on the terminal's clipboard.
std::string osc52(const std::string& text);

// The history key (W): pulls the collector's flight recorder (or the open recording's) into a
// new record file in ui.export_dir; show_history_export() names it in the status line once done.
unsigned export_history(ActionContext& ctx);
void show_history_export(UiState& ui, const view::Client& client);
// --export-history FILE: the same, from the command line; prints what was written (or why
// not) and returns the exit code (0 written, 1 not).
int run_export_history(view::Client& client, const Options& o);
// "10:42:17 to 11:42:17 (1h 0m 0s), 12.3 MiB": what an export holds.
std::string export_summary(const view::ExportStatus& s);

}  // namespace actorscope::tui
