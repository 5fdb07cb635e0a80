// Erlang terms as the C node sees them: a small tree decoded from the external format.
#pragma once

#include <ei.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace actorscope::beam {

// A pid of the attached node, without its node name (the same for every pid we keep):
// 12 bytes instead of erl_interface's 1 KiB erlang_pid.
struct Pid {
  uint32_t num = 0;
  uint32_t serial = 0;
  uint32_t creation = 0;
};

struct Term {
  enum class Kind : uint8_t { Integer, Float, Atom, Binary, String, Pid, Tuple, List, Other };
  Kind kind = Kind::Other;
  int64_t integer = 0;
  double real = 0;
  std::string text;        // atom name, binary bytes, or a STRING_EXT charlist
  Pid pid{};
  std::vector<Term> items; // tuple elements, list elements

  bool is_atom(std::string_view a) const { return kind == Kind::Atom && text == a; }
  bool is_tuple(size_t arity) const { return kind == Kind::Tuple && items.size() == arity; }
  // Lists: an empty list decodes as a List with no items; a charlist as a String.
  bool is_list() const { return kind == Kind::List || kind == Kind::String; }
  size_t length() const { return kind == Kind::String ? text.size() : items.size(); }
  int64_t as_int(int64_t otherwise = 0) const { return kind == Kind::Integer ? integer : otherwise; }
  // The value of {Key, Value} in a proplist; nullptr when absent.
  const Term* get(std::string_view key) const;
};

// Decodes one term at buf[*index], advancing *index. False on a term it cannot represent
// at the top level (never on odd leaves, which become Kind::Other).
bool decode_term(const char* buf, int* index, Term& out);

// A pid as one 64-bit actor id, unique within the node's incarnation; never 0.
uint64_t actor_id(const Pid& p);
// "<0.123.0>" as the target prints it (the node index is 0 for local pids).
std::string pid_text(const Pid& p);
// An atom or module for display: Elixir's 'Elixir.Foo.Bar' becomes Foo.Bar.
std::string display_name(std::string_view atom);

}  // namespace actorscope::beam
