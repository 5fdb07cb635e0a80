// Export and copy, in the CSV columns of the view library (view/export.hpp).
#include "export_command.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <system_error>

#include "kill_command.hpp"
#include "selection.hpp"
#include "actorscope/view/export.hpp"

namespace actorscope::tui {

namespace {

// A file of our own, never one that is there already: "-2", "-3", ... when a name is taken.
std::optional<std::filesystem::path> new_file(const std::string& dir, const std::string& name) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path base = fs::absolute(fs::path(dir.empty() ? "." : dir), ec);
  if (ec) return std::nullopt;
  const std::string stem = name.substr(0, name.size() - 4);  // name ends in ".csv"
  for (int i = 1; i < 1000; ++i) {
    fs::path p = base / (i == 1 ? name : stem + "-" + std::to_string(i) + ".csv");
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

}  // namespace actorscope::tui
