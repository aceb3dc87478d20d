// Replies to Lua values and back (see lua_convert.hpp for the table of shapes).

#include "kv/lua_convert.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>

extern "C" {
#include <lauxlib.h>
}

namespace tcpkit::kv {

void LuaReplyWriter::push_field_table(const char* field, std::string_view s) {
  lua_checkstack(lua_, 4);
  lua_newtable(lua_);
  lua_pushstring(lua_, field);
  lua_pushlstring(lua_, s.data(), s.size());
  lua_rawset(lua_, -3);
  finished();
}

void LuaReplyWriter::integer(std::int64_t n) {
  lua_checkstack(lua_, 2);
  lua_pushnumber(lua_, static_cast<lua_Number>(n));
  finished();
}

void LuaReplyWriter::bulk(std::string_view s) {
  lua_checkstack(lua_, 2);
  lua_pushlstring(lua_, s.data(), s.size());
  finished();
}

void LuaReplyWriter::null() {
  lua_checkstack(lua_, 2);
  if (resp3_) {
    lua_pushnil(lua_);
  } else {
    lua_pushboolean(lua_, 0);
  }
  finished();
}

// The text RespWriter::floating() sends (INCRBYFLOAT's bulk), so a script sees what a
// client would.
void LuaReplyWriter::floating(double d) {
  if (std::isnan(d)) return bulk("nan");
  if (std::isinf(d)) return bulk(d > 0 ? "inf" : "-inf");
  char text[400];
  const auto r = std::to_chars(text, text + sizeof text, d, std::chars_format::fixed);
  bulk({text, static_cast<std::size_t>(r.ptr - text)});
}

void LuaReplyWriter::map(std::size_t n) {
  if (!resp3_) return array(2 * n);
  begin(n, Kind::kMap);
}

void LuaReplyWriter::set(std::size_t n) {
  if (!resp3_) return array(n);
  begin(n, Kind::kSet);
}

void LuaReplyWriter::boolean(bool b) {
  if (!resp3_) return integer(b ? 1 : 0);
  lua_checkstack(lua_, 2);
  lua_pushboolean(lua_, b ? 1 : 0);
  finished();
}

void LuaReplyWriter::double_value(double d) {
  if (!resp3_) return bulk(codec::double_text(d).view());
  lua_checkstack(lua_, 4);
  lua_newtable(lua_);
  lua_pushstring(lua_, "double");
  lua_pushnumber(lua_, d);
  lua_rawset(lua_, -3);
  finished();
}

void LuaReplyWriter::big_number(std::string_view digits) {
  if (!resp3_) return bulk(digits);
  push_field_table("big_number", digits);
}

void LuaReplyWriter::verbatim(std::string_view format, std::string_view text) {
  if (!resp3_) return bulk(text);
  lua_checkstack(lua_, 6);
  lua_newtable(lua_);
  lua_pushstring(lua_, "verbatim_string");
  lua_newtable(lua_);
  lua_pushstring(lua_, "format");
  lua_pushlstring(lua_, format.data(), format.size());
  lua_rawset(lua_, -3);
  lua_pushstring(lua_, "string");
  lua_pushlstring(lua_, text.data(), text.size());
  lua_rawset(lua_, -3);
  lua_rawset(lua_, -3);
  finished();
}

void LuaReplyWriter::begin(std::size_t n, Kind kind) {
  lua_checkstack(lua_, 4);
  lua_newtable(lua_);
  if (n == 0) {
    wrap_finished_table(kind);
    return finished();
  }
  frames_.push_back(Frame{kind, n});
}

void LuaReplyWriter::wrap_finished_table(Kind kind) {
  if (kind == Kind::kArray) return;
  // {map = t} or {set = t}: the RESP3 shapes Redis hands a script.
  lua_newtable(lua_);
  lua_pushstring(lua_, kind == Kind::kMap ? "map" : "set");
  lua_pushvalue(lua_, -3);
  lua_rawset(lua_, -3);
  lua_remove(lua_, -2);
}

void LuaReplyWriter::finished() {
  while (!frames_.empty()) {
    Frame& f = frames_.back();
    switch (f.kind) {
      case Kind::kArray:
        lua_rawseti(lua_, -2, f.next_index++);
        break;
      case Kind::kSet:
        lua_pushboolean(lua_, 1);
        lua_rawset(lua_, -3);
        break;
      case Kind::kMap:
        if (!f.key_pending) {
          f.key_pending = true;  // the key stays on the stack until its value arrives
          return;
        }
        f.key_pending = false;
        lua_rawset(lua_, -3);
        break;
    }
    if (--f.remaining > 0) return;
    const Kind kind = f.kind;
    frames_.pop_back();
    wrap_finished_table(kind);
  }
  ++values_;
}

namespace {

// t[field] (raw) of the table at `index`, left on the stack; its Lua type is returned.
int get_field(lua_State* L, int index, const char* field) {
  lua_pushstring(L, field);
  lua_rawget(L, index < 0 ? index - 1 : index);
  return lua_type(L, -1);
}

std::string_view view_at(lua_State* L, int index) {
  std::size_t n = 0;
  const char* s = lua_tolstring(L, index, &n);
  return {s, n};
}

// Writes a table: one of the tagged shapes, or an array up to the first nil.
void write_table(lua_State* L, int index, codec::ReplyWriter& out, bool resp3_script, int depth) {
  if (get_field(L, index, "err") == LUA_TSTRING) {
    out.error(view_at(L, -1));
    return lua_pop(L, 1);
  }
  lua_pop(L, 1);
  if (get_field(L, index, "ok") == LUA_TSTRING) {
    out.simple(view_at(L, -1));
    return lua_pop(L, 1);
  }
  lua_pop(L, 1);
  if (get_field(L, index, "double") == LUA_TNUMBER) {
    out.double_value(lua_tonumber(L, -1));
    return lua_pop(L, 1);
  }
  lua_pop(L, 1);
  if (get_field(L, index, "big_number") == LUA_TSTRING) {
    out.big_number(view_at(L, -1));
    return lua_pop(L, 1);
  }
  lua_pop(L, 1);
  for (const char* tag : {"map", "set"}) {
    if (get_field(L, index, tag) != LUA_TTABLE) {
      lua_pop(L, 1);
      continue;
    }
    const bool is_map = tag[0] == 'm';
    const int t = lua_gettop(L);
    std::size_t n = 0;
    for (lua_pushnil(L); lua_next(L, t) != 0; lua_pop(L, 1)) ++n;
    is_map ? out.map(n) : out.set(n);
    for (lua_pushnil(L); lua_next(L, t) != 0; lua_pop(L, 1)) {
      write_lua_value(L, -2, out, resp3_script, depth - 1);
      if (is_map) write_lua_value(L, -1, out, resp3_script, depth - 1);
    }
    return lua_pop(L, 1);
  }
  const int t = lua_gettop(L) + 1;
  lua_pushvalue(L, index);
  std::size_t n = 0;
  for (;; ++n) {
    lua_rawgeti(L, t, static_cast<int>(n + 1));
    const bool end = lua_isnil(L, -1);
    lua_pop(L, 1);
    if (end) break;
  }
  out.array(n);
  for (std::size_t i = 1; i <= n; ++i) {
    lua_rawgeti(L, t, static_cast<int>(i));
    write_lua_value(L, -1, out, resp3_script, depth - 1);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

}  // namespace

void write_lua_value(lua_State* L, int index, codec::ReplyWriter& out, bool resp3_script,
                     int max_depth) {
  if (max_depth <= 0 || lua_checkstack(L, 8) == 0) {
    return out.error("ERR reached lua stack limit");
  }
  if (index < 0) index = lua_gettop(L) + index + 1;
  switch (lua_type(L, index)) {
    case LUA_TSTRING:
      return out.bulk(view_at(L, index));
    case LUA_TBOOLEAN:
      if (resp3_script) return out.boolean(lua_toboolean(L, index) != 0);
      return lua_toboolean(L, index) != 0 ? out.integer(1) : out.null();
    case LUA_TNUMBER: {
      // (long long) of the number as Redis does; out of range and NaN give what x86's
      // conversion gives (INT64_MIN) rather than undefined behaviour.
      const double d = lua_tonumber(L, index);
      const bool fits = d >= -9223372036854775808.0 && d < 9223372036854775808.0;
      return out.integer(fits ? static_cast<std::int64_t>(d) : INT64_MIN);
    }
    case LUA_TTABLE:
      return write_table(L, index, out, resp3_script, max_depth);
    default:
      return out.null();
  }
}

}  // namespace tcpkit::kv
