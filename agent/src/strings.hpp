// Process-wide string interning (types, names, child ids, reasons, event names, keys).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace actorscope::agent {

class StringTable {
 public:
  // The id of s (0 for ""), interning it if new. Over max_strings or the memory budget
  // the result is 0 and a String drop is counted.
  uint32_t intern(std::string_view s);
  // The text of an id; "" for unknown ids.
  std::string text(uint32_t id) const;
  void set_max(uint32_t max_strings);
  uint32_t size() const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, uint32_t> ids_;
  std::vector<const std::string*> texts_{nullptr};  // index = id; 0 is ""
  uint32_t max_ = 65536;
};

StringTable& strings();

// Exit reason texts, held from the exit until the flusher reports it, then forgotten: a
// crash reason is usually unique, so interning it would grow the string table (and the
// collector's) by one entry per crash, for as long as the app runs. Bounded by the memory
// budget; over it the text is dropped (a String drop), never the exit.
class ReasonTexts {
 public:
  // A handle for text (0 when empty or over the budget).
  uint32_t put(std::string_view text);
  // The text of a handle, which is freed; "" for 0.
  std::string take(uint32_t handle);

 private:
  static constexpr size_t kOverhead = sizeof(std::string) + 16;
  mutable std::mutex mu_;
  std::vector<std::string> texts_{std::string()};  // index = handle; 0 is ""
  std::vector<uint32_t> free_;
};

ReasonTexts& reason_texts();

// Per-type index (cells hold a u16): the interned id of each type name.
uint16_t type_index(uint32_t type_string);
uint32_t type_string(uint16_t index);
size_t type_count();

}  // namespace actorscope::agent
