// Decoding of the external term format into Term.
#include "term.hpp"

namespace actorscope::beam {

const Term* Term::get(std::string_view key) const {
  if (kind != Kind::List) return nullptr;
  for (const Term& t : items)
    if (t.kind == Kind::Tuple && t.items.size() == 2 && t.items[0].kind == Kind::Atom && t.items[0].text == key)
      return &t.items[1];
  return nullptr;
}

bool decode_term(const char* buf, int* index, Term& out) {
  int type = 0, size = 0;
  if (ei_get_type(buf, index, &type, &size) != 0) return false;
  switch (type) {
    case ERL_SMALL_INTEGER_EXT:
    case ERL_INTEGER_EXT:
    case ERL_SMALL_BIG_EXT:
    case ERL_LARGE_BIG_EXT: {
      long long v = 0;
      if (ei_decode_longlong(buf, index, &v) == 0) {
        out.kind = Term::Kind::Integer;
        out.integer = v;
        return true;
      }
      unsigned long long u = 0;
      if (ei_decode_ulonglong(buf, index, &u) == 0) {
        out.kind = Term::Kind::Integer;
        out.integer = static_cast<int64_t>(u > INT64_MAX ? INT64_MAX : u);
        return true;
      }
      out.kind = Term::Kind::Other;
      return ei_skip_term(buf, index) == 0;
    }
    case ERL_FLOAT_EXT:
    case NEW_FLOAT_EXT:
      out.kind = Term::Kind::Float;
      return ei_decode_double(buf, index, &out.real) == 0;
    case ERL_ATOM_EXT:
    case ERL_SMALL_ATOM_EXT:
    case ERL_ATOM_UTF8_EXT:
    case ERL_SMALL_ATOM_UTF8_EXT: {
      char a[MAXATOMLEN_UTF8];
      if (ei_decode_atom(buf, index, a) != 0) return false;
      out.kind = Term::Kind::Atom;
      out.text = a;
      return true;
    }
    case ERL_BINARY_EXT: {
      out.kind = Term::Kind::Binary;
      out.text.resize(static_cast<size_t>(size));
      long len = 0;
      return ei_decode_binary(buf, index, out.text.data(), &len) == 0;
    }
    case ERL_STRING_EXT: {
      out.kind = Term::Kind::String;
      out.text.resize(static_cast<size_t>(size) + 1);
      if (ei_decode_string(buf, index, out.text.data()) != 0) return false;
      out.text.resize(static_cast<size_t>(size));
      return true;
    }
    case ERL_PID_EXT:
    case ERL_NEW_PID_EXT: {
      erlang_pid p;
      if (ei_decode_pid(buf, index, &p) != 0) return false;
      out.kind = Term::Kind::Pid;
      out.pid = Pid{p.num, p.serial, p.creation};
      return true;
    }
    case ERL_SMALL_TUPLE_EXT:
    case ERL_LARGE_TUPLE_EXT: {
      int arity = 0;
      if (ei_decode_tuple_header(buf, index, &arity) != 0) return false;
      out.kind = Term::Kind::Tuple;
      out.items.resize(static_cast<size_t>(arity));
      for (auto& t : out.items)
        if (!decode_term(buf, index, t)) return false;
      return true;
    }
    case ERL_NIL_EXT:
    case ERL_LIST_EXT: {
      int arity = 0;
      if (ei_decode_list_header(buf, index, &arity) != 0) return false;
      out.kind = Term::Kind::List;
      out.items.resize(static_cast<size_t>(arity));
      for (auto& t : out.items)
        if (!decode_term(buf, index, t)) return false;
      if (arity > 0) {  // the tail: [] for a proper list
        Term tail;
        if (!decode_term(buf, index, tail)) return false;
      }
      return true;
    }
    default:
      out.kind = Term::Kind::Other;
      return ei_skip_term(buf, index) == 0;
  }
}

uint64_t actor_id(const Pid& p) {
  return ((static_cast<uint64_t>(p.serial) << 32) | p.num) + 1;
}

std::string pid_text(const Pid& p) {
  return "<0." + std::to_string(p.num) + "." + std::to_string(p.serial) + ">";
}

std::string display_name(std::string_view atom) {
  constexpr std::string_view kElixir = "Elixir.";
  if (atom.substr(0, kElixir.size()) == kElixir) atom.remove_prefix(kElixir.size());
  return std::string(atom);
}

}  // namespace actorscope::beam
