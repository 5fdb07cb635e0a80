// Interning under a short lock: only cold paths (spawn, exit, the flusher) take it.
#include "strings.hpp"

#include "actorscope/protocol/messages.hpp"
#include "shared.hpp"

namespace actorscope::agent {

StringTable& strings() {
  static StringTable* t = new StringTable();
  return *t;
}

uint32_t StringTable::intern(std::string_view s) {
  if (s.empty()) return 0;
  if (s.size() > proto::kMaxStringLen) s = s.substr(0, proto::kMaxStringLen);
  try {
    std::lock_guard<std::mutex> lock(mu_);
    std::string key(s);
    auto it = ids_.find(key);
    if (it != ids_.end()) return it->second;
    uint64_t cost = key.size() * 2 + 96;  // key + map node + index slot, roughly
    if (texts_.size() > max_ || !budget_take(cost)) {
      count_drop(DropKind::String);
      return 0;
    }
    auto [pos, inserted] = ids_.emplace(std::move(key), static_cast<uint32_t>(texts_.size()));
    (void)inserted;
    texts_.push_back(&pos->first);
    return pos->second;
  } catch (...) {
    count_drop(DropKind::String);
    return 0;
  }
}

std::string StringTable::text(uint32_t id) const {
  std::lock_guard<std::mutex> lock(mu_);
  return id < texts_.size() && texts_[id] ? *texts_[id] : std::string();
}

void StringTable::set_max(uint32_t max_strings) {
  std::lock_guard<std::mutex> lock(mu_);
  max_ = max_strings;
}

uint32_t StringTable::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<uint32_t>(texts_.size() - 1);
}

ReasonTexts& reason_texts() {
  static ReasonTexts* t = new ReasonTexts();
  return *t;
}

uint32_t ReasonTexts::put(std::string_view text) {
  if (text.empty()) return 0;
  if (text.size() > proto::kMaxStringLen) text = text.substr(0, proto::kMaxStringLen);
  try {
    if (!budget_take(text.size() + kOverhead)) {
      count_drop(DropKind::String);
      return 0;
    }
    std::lock_guard<std::mutex> lock(mu_);
    uint32_t h;
    if (!free_.empty()) {
      h = free_.back();
      free_.pop_back();
      texts_[h].assign(text);
    } else {
      h = static_cast<uint32_t>(texts_.size());
      texts_.emplace_back(text);
    }
    return h;
  } catch (...) {
    count_drop(DropKind::String);
    return 0;
  }
}

std::string ReasonTexts::take(uint32_t handle) {
  if (handle == 0) return std::string();
  std::string out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (handle >= texts_.size()) return std::string();
    out.swap(texts_[handle]);  // the slot keeps the empty string out held
    try {
      free_.push_back(handle);
    } catch (...) {
      // The slot is simply not reused.
    }
  }
  budget_give(out.size() + kOverhead);
  return out;
}

namespace {
std::mutex g_types_mu;
std::vector<uint32_t>* g_types = new std::vector<uint32_t>{0};  // index 0: unknown type
std::unordered_map<uint32_t, uint16_t>* g_type_index = new std::unordered_map<uint32_t, uint16_t>();
}  // namespace

uint16_t type_index(uint32_t type_string) {
  try {
    std::lock_guard<std::mutex> lock(g_types_mu);
    auto it = g_type_index->find(type_string);
    if (it != g_type_index->end()) return it->second;
    if (g_types->size() >= UINT16_MAX) return 0;
    uint16_t idx = static_cast<uint16_t>(g_types->size());
    g_types->push_back(type_string);
    g_type_index->emplace(type_string, idx);
    return idx;
  } catch (...) {
    return 0;
  }
}

uint32_t type_string(uint16_t index) {
  std::lock_guard<std::mutex> lock(g_types_mu);
  return index < g_types->size() ? (*g_types)[index] : 0;
}

size_t type_count() {
  std::lock_guard<std::mutex> lock(g_types_mu);
  return g_types->size();
}

}  // namespace actorscope::agent
