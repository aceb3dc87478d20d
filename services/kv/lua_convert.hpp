#pragma once
// The two conversions between replies and Lua values that scripting needs, as Redis 7.0 does
// them (docs/kv.md, "Scripting"):
//
//   a command's reply ──LuaReplyWriter──▶ one Lua value   (what redis.call returns)
//   a script's result ──write_lua_value──▶ a ReplyWriter  (what EVAL replies)
//
//   reply            to Lua, RESP2 script           to Lua, RESP3 script (redis.setresp(3))
//   integer          number                         number
//   bulk / null      string / false                 string / nil
//   status / error   {ok=s} / {err=s}               {ok=s} / {err=s}
//   array            table (1..n)                   table (1..n)
//   map / set        flat array                     {map={k=v}} / {set={m=true}}
//   double, boolean  bulk text, integer 1/0          {double=d}, true/false
//
//   Lua value        reply
//   number           integer (truncated toward zero)
//   string           bulk
//   true / false     :1 / null bulk (RESP3 script: boolean)
//   {err=s} {ok=s}   error s / status s
//   {double=d}       double; {map=t} map; {set=t} set (RESP3 shapes, said in RESP2 to a
//                    RESP2 client as the ReplyWriter does)
//   other table      array of t[1], t[2], ... up to the first nil
//   nil, other       null bulk
//
// Thread affinity: whatever thread owns the lua_State.

#include <cstddef>
#include <string_view>
#include <vector>

#include "tcpkit/codec/reply_writer.hpp"

extern "C" {
#include <lua.h>
}

namespace tcpkit::kv {

// Builds the Lua value of one reply on `L`'s stack: after a whole reply has been written,
// complete() is true and exactly one value was pushed. Aggregates are built in place, so a
// reply of any shape needs no intermediate tree. Raises a Lua error (memory) like any
// lua_push*; the caller runs it where Lua errors are caught.
class LuaReplyWriter final : public codec::ReplyWriter {
 public:
  LuaReplyWriter(lua_State* L, bool resp3) : lua_(L), resp3_(resp3) {}

  bool complete() const { return values_ == 1 && frames_.empty(); }

  void simple(std::string_view s) override { push_field_table("ok", s); }
  void error(std::string_view message) override { push_field_table("err", message); }
  void integer(std::int64_t n) override;
  void bulk(std::string_view s) override;
  void null() override;
  void null_array() override { null(); }
  void array(std::size_t n) override { begin(n, Kind::kArray); }
  void floating(double d) override;
  void map(std::size_t n) override;
  void set(std::size_t n) override;
  void push(std::size_t n) override { array(n); }
  void boolean(bool b) override;
  void double_value(double d) override;
  void big_number(std::string_view digits) override;
  void verbatim(std::string_view format, std::string_view text) override;

 private:
  enum class Kind { kArray, kMap, kSet };
  struct Frame {
    Kind kind;
    std::size_t remaining;  // elements (array, set) or pairs (map) still to come
    int next_index = 1;
    bool key_pending = false;
  };
  void begin(std::size_t n, Kind kind);
  void push_field_table(const char* field, std::string_view s);
  // The value on top of the stack is whole: stores it into the open aggregate, closing every
  // aggregate it completes.
  void finished();
  void wrap_finished_table(Kind kind);

  lua_State* lua_;
  bool resp3_;
  std::vector<Frame> frames_;
  int values_ = 0;  // whole top-level values pushed
};

// Writes the Lua value at `index` as a reply (table above). `resp3_script` is the script's
// redis.setresp() version: it picks how booleans are said. Tables nested deeper than
// `max_depth` are replied as an error rather than recursing without bound.
void write_lua_value(lua_State* L, int index, codec::ReplyWriter& out, bool resp3_script,
                     int max_depth = 1000);

}  // namespace tcpkit::kv
