// Export and copy, in the CSV columns of the view library (view/export.hpp).
#include "export_command.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <system_error>

#include <cstdio>
#include <thread>

#include "kill_command.hpp"
#include "selection.hpp"
#include "actorscope/view/export.hpp"
#include "actorscope/view/format.hpp"

namespace actorscope::tui {

namespace {

// A file of our own, never one that is there already: "-2", "-3", ... when a name is taken.
std::optional<std::filesystem::path> new_file(const std::string& dir, const std::string& name) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path base = fs::absolute(fs::path(dir.empty() ? "." : dir), ec);
  if (ec) return std::nullopt;
  const std::string ext = fs::path(name).extension().string();  // ".csv", ".rec"
  const std::string stem = name.substr(0, name.size() - ext.size());
  for (int i = 1; i < 1000; ++i) {
    fs::path p = base / (i == 1 ? name : stem + "-" + std::to_string(i) + ext);
    if (!fs::exists(p, ec)) return p;
  }
  return std::nullopt;
}

uint64_t now_ns() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

}  // namespace

unsigned export_csv(ActionContext& ctx) {
  UiState& ui = ctx.ui;
  if (ui.view != ViewId::Actors && ui.view != ViewId::Events) {
    ui.message = "export: go to Actors (2) or Events (3) first";
    return kRedraw;
  }
  const bool actors = ui.view == ViewId::Actors;
  std::string csv;
  size_t rows = 0;
  {
    // The text is made under the lock, the file written after it: the client goes on meanwhile.
    auto lock = ctx.client.lock();
    const view::Replica& r = ctx.client.replica();
    follow_selection(ui, ui.view, r);
    if (actors) {
      csv = view::actors_csv_header();
      for (const view::Actor* a : ui.actors.window(0, ui.actors.size())) csv += view::actors_csv_row(r, *a), ++rows;
    } else {
      csv = view::events_csv_header();
      for (const view::pv::Event* e : ui.events.events()) csv += view::events_csv_row(r, *e), ++rows;
    }
  }
  auto path = new_file(ui.export_dir, view::export_file_name(actors ? "actors" : "events", now_ns()));
  std::ofstream out;
  if (path) out.open(*path, std::ios::binary | std::ios::trunc);
  if (!path || !(out << csv) || !(out.flush())) {
    ui.message = "export: cannot write a file in " + (ui.export_dir.empty() ? std::string(".") : ui.export_dir) +
                 " (start with --export-dir DIR)";
    return kRedraw;
  }
  ui.message = "exported " + std::to_string(rows) + (actors ? " actors to " : " events to ") +
               shown_path(ui.export_dir, path->filename().string());
  return kRedraw;
}

std::string shown_path(const std::string& dir, const std::string& file) {
  if (dir.empty() || dir == ".") return file;
  return (std::filesystem::path(dir) / file).lexically_normal().string();
}

unsigned copy_row(ActionContext& ctx) {
  UiState& ui = ctx.ui;
  std::string line;
  if (ui.view == ViewId::Events) {
    auto lock = ctx.client.lock();
    const view::Replica& r = ctx.client.replica();
    follow_selection(ui, ui.view, r);
    size_t sel = ui.cursor[static_cast<size_t>(ui.view)].selected;
    if (sel < ui.events.size()) line = view::events_csv_row(r, *ui.events.rows()[sel]);
  } else if (auto key = selected_actor(ctx)) {
    auto lock = ctx.client.lock();
    const view::Replica& r = ctx.client.replica();
    if (const view::Actor* a = r.actor(*key)) line = view::actors_csv_row(r, *a);
  }
  if (line.empty()) {
    ui.message = "copy: select an actor or an event";
    return kRedraw;
  }
  if (line.back() == '\n') line.pop_back();
  ui.terminal_out += osc52(line);
  ui.message = "copied (OSC 52): " + line;
  return kRedraw;
}

std::string osc52(const std::string& text) {
  static constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string b64;
  for (size_t i = 0; i < text.size(); i += 3) {
    uint32_t v = static_cast<uint32_t>(static_cast<unsigned char>(text[i])) << 16;
    if (i + 1 < text.size()) v |= static_cast<uint32_t>(static_cast<unsigned char>(text[i + 1])) << 8;
    if (i + 2 < text.size()) v |= static_cast<unsigned char>(text[i + 2]);
    b64 += kBase64[v >> 18 & 63];
    b64 += kBase64[v >> 12 & 63];
    b64 += i + 1 < text.size() ? kBase64[v >> 6 & 63] : '=';
    b64 += i + 2 < text.size() ? kBase64[v & 63] : '=';
  }
  return "\033]52;c;" + b64 + "\a";
}

std::string export_summary(const view::ExportStatus& s) {
  std::string out;
  if (s.begins_wall_ns && s.ends_wall_ns >= s.begins_wall_ns) {
    out = view::format_clock(s.begins_wall_ns) + " to " + view::format_clock(s.ends_wall_ns) + " (" +
          view::format_duration_ns(s.ends_wall_ns - s.begins_wall_ns) + "), ";
  } else {
    out = "no history (the collector runs with --history-age 0), ";
  }
  return out + view::format_bytes(s.bytes);
}

unsigned export_history(ActionContext& ctx) {
  UiState& ui = ctx.ui;
  if (ui.history_exporting) {
    ui.message = "history: an export is running (" + view::format_bytes(ctx.client.export_status().bytes) + " so far)";
    return kRedraw;
  }
  const std::string csv_name = view::export_file_name("history", now_ns());  // actorscope-history-STAMP.csv
  auto path = new_file(ui.export_dir, csv_name.substr(0, csv_name.size() - 4) + ".rec");
  std::string error;
  if (!path || !ctx.client.start_export(path->string(), error)) {
    ui.message = "history: " + (path ? error : "cannot write a file in " + (ui.export_dir.empty() ? std::string(".") : ui.export_dir) +
                                                   " (start with --export-dir DIR)");
    return kRedraw;
  }
  ui.history_exporting = true;
  ui.message = "history: exporting the collector's flight recorder to " + shown_path(ui.export_dir, path->filename().string());
  return kRedraw;
}

void show_history_export(UiState& ui, const view::Client& client) {
  if (!ui.history_exporting) return;
  const view::ExportStatus s = client.export_status();
  if (s.state == view::ExportStatus::State::Running) return;
  ui.history_exporting = false;
  const std::string file = shown_path(ui.export_dir, std::filesystem::path(s.path).filename().string());
  if (s.state == view::ExportStatus::State::Done)
    ui.message = "history: " + export_summary(s) + " in " + file + " (open it with --open)";
  else
    ui.message = "history: export failed: " + s.error;
}

int run_export_history(view::Client& client, const Options& o) {
  std::string error;
  if (!client.start_export(o.export_history, error)) {
    std::fprintf(stderr, "actorscope-top: %s\n", error.c_str());
    return 1;
  }
  // Waits for the connection (as --batch does), then for the export, however long it takes.
  int waited = 0;
  for (;;) {
    const view::ExportStatus s = client.export_status();
    if (s.state == view::ExportStatus::State::Done) {
      std::printf("actorscope-top: the collector's history, %s, written to %s\n", export_summary(s).c_str(), s.path.c_str());
      return 0;
    }
    if (s.state == view::ExportStatus::State::Failed) {
      std::fprintf(stderr, "actorscope-top: export failed: %s\n", s.error.c_str());
      return 1;
    }
    if (client.state() == view::ClientState::Rejected) {
      std::fprintf(stderr, "actorscope-top: %s\n", client.status().c_str());
      return 1;
    }
    if (s.bytes == 0 && client.state() != view::ClientState::Connected && waited >= o.wait_ms) {
      const std::string why = client.connect_error();
      std::fprintf(stderr, "actorscope-top: cannot export: %s\n", why.empty() ? client.status().c_str() : why.c_str());
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    waited += 20;
  }
}

}  // namespace actorscope::tui
