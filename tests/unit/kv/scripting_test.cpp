// Scripting: SHA1, the reply <-> Lua conversions both ways (lua_convert.hpp), and EVAL through
// a session: the cache, KEYS/ARGV, errors, the Lua memory cap and atomicity across threads.

#include "kv/scripting.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "kv/lua_convert.hpp"
#include "kv/sha1.hpp"
#include "kv_test_support.hpp"

extern "C" {
#include <lauxlib.h>
#include <lualib.h>
}

namespace tcpkit::kv {
namespace {

using testing::Harness;
using testing::RecordingWriter;

TEST(Sha1, KnownDigestsAcrossBlockBoundaries) {
  EXPECT_EQ(sha1_hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(sha1_hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(sha1_hex(std::string(55, 'a')), "c1c8bbdc22796e28c0e15163d20899b65621d65a");
  EXPECT_EQ(sha1_hex(std::string(56, 'a')), "c2db330f6083854c99d4b5bfb6e8f29f201be699");
  EXPECT_EQ(sha1_hex(std::string(64, 'a')), "0098ba824b5c16427bd7a1122a5a442a25ec644d");
  EXPECT_EQ(sha1_hex(std::string(1000000, 'a')), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

class LuaConvert : public ::testing::Test {
 protected:
  LuaConvert() : L(luaL_newstate()) { luaL_openlibs(L); }
  ~LuaConvert() override { lua_close(L); }

  // The reply text of the value a chunk returns (RESP2 script unless resp3).
  std::string from_lua(const char* chunk, bool resp3 = false) {
    EXPECT_EQ(luaL_dostring(L, chunk), 0) << lua_tostring(L, -1);
    RecordingWriter out;
    write_lua_value(L, -1, out, resp3);
    lua_settop(L, 0);
    return out.take();
  }
  // Stores the Lua value of a reply in the global `v`; writing is done by `say`.
  template <class Say>
  void to_lua(Say say, bool resp3 = false) {
    LuaReplyWriter writer(L, resp3);
    say(writer);
    ASSERT_TRUE(writer.complete());
    ASSERT_EQ(lua_gettop(L), 1);
    lua_setglobal(L, "v");
  }
  // Evaluates an expression over `v` to a string.
  std::string eval(const std::string& expression) {
    EXPECT_EQ(luaL_dostring(L, ("return tostring(" + expression + ")").c_str()), 0)
        << lua_tostring(L, -1);
    std::string s = lua_tostring(L, -1);
    lua_settop(L, 0);
    return s;
  }

  lua_State* L;
};

TEST_F(LuaConvert, LuaValuesToReplies) {
  EXPECT_EQ(from_lua("return 1"), ":1");
  EXPECT_EQ(from_lua("return 3.99"), ":3");
  EXPECT_EQ(from_lua("return -3.99"), ":-3");
  EXPECT_EQ(from_lua("return 1e300"), ":-9223372036854775808");
  EXPECT_EQ(from_lua("return 'hi'"), "\"hi\"");
  EXPECT_EQ(from_lua("return true"), ":1");
  EXPECT_EQ(from_lua("return false"), "(nil)");
  EXPECT_EQ(from_lua("return nil"), "(nil)");
  EXPECT_EQ(from_lua("return {}"), "[]");
  EXPECT_EQ(from_lua("return {1, 'a', {2, {}}, false}"), "[:1, \"a\", [:2, []], (nil)]");
  EXPECT_EQ(from_lua("return {1, 2, nil, 3}"), "[:1, :2]");  // cut at the first nil
  EXPECT_EQ(from_lua("return {ok = 'fine'}"), "+fine");
  EXPECT_EQ(from_lua("return {err = 'CODE text'}"), "-CODE text");
  EXPECT_EQ(from_lua("return {err = 'e', ok = 'o'}"), "-e");  // err wins
  EXPECT_EQ(from_lua("return {err = 5}"), "[]");              // not a string: an array
  EXPECT_EQ(from_lua("return {double = 1.5}"), "\"1.5\"");    // RESP2 shape of a double
  EXPECT_EQ(from_lua("return {map = {a = 1}}"), "[\"a\", :1]");
  EXPECT_EQ(from_lua("return {set = {x = true}}"), "[\"x\"]");
  EXPECT_EQ(from_lua("return function() end"), "(nil)");
}

TEST_F(LuaConvert, BooleansFollowTheScriptsResp) {
  EXPECT_EQ(from_lua("return true", true), ":1");  // RecordingWriter says booleans as :1/:0
  EXPECT_EQ(from_lua("return false", true), ":0");
}

TEST_F(LuaConvert, SelfReferencingTableIsBounded) {
  EXPECT_NE(from_lua("local t = {}; t[1] = t; return t").find("-ERR reached lua stack limit"),
            std::string::npos);
}

TEST_F(LuaConvert, RepliesToLuaResp2) {
  to_lua([](codec::ReplyWriter& w) { w.integer(42); });
  EXPECT_EQ(eval("v"), "42");
  to_lua([](codec::ReplyWriter& w) { w.bulk(std::string_view("a\0b", 3)); });
  EXPECT_EQ(eval("#v"), "3");
  to_lua([](codec::ReplyWriter& w) { w.null(); });
  EXPECT_EQ(eval("v"), "false");
  to_lua([](codec::ReplyWriter& w) { w.null_array(); });
  EXPECT_EQ(eval("v"), "false");
  to_lua([](codec::ReplyWriter& w) { w.simple("OK"); });
  EXPECT_EQ(eval("v.ok"), "OK");
  to_lua([](codec::ReplyWriter& w) { w.error("ERR bad"); });
  EXPECT_EQ(eval("v.err"), "ERR bad");
  to_lua([](codec::ReplyWriter& w) {
    w.array(3);
    w.integer(1);
    w.array(2);
    w.bulk("x");
    w.null();
    w.array(0);
  });
  EXPECT_EQ(eval("#v .. v[2][1] .. tostring(v[2][2]) .. #v[3]"), "3xfalse0");
  to_lua([](codec::ReplyWriter& w) {
    w.map(1);
    w.bulk("f");
    w.bulk("v");
  });
  EXPECT_EQ(eval("#v .. v[1] .. v[2]"), "2fv");
  to_lua([](codec::ReplyWriter& w) { w.double_value(1.5); });
  EXPECT_EQ(eval("v"), "1.5");
  to_lua([](codec::ReplyWriter& w) { w.floating(0.1); });
  EXPECT_EQ(eval("v"), "0.1");
  to_lua([](codec::ReplyWriter& w) { w.boolean(true); });
  EXPECT_EQ(eval("v"), "1");
}

TEST_F(LuaConvert, RepliesToLuaResp3) {
  to_lua([](codec::ReplyWriter& w) { w.null(); }, true);
  EXPECT_EQ(eval("v"), "nil");
  to_lua(
      [](codec::ReplyWriter& w) {
        w.map(2);
        w.bulk("a");
        w.integer(1);
        w.bulk("b");
        w.array(1);
        w.bulk("x");
      },
      true);
  EXPECT_EQ(eval("v.map.a .. v.map.b[1]"), "1x");
  to_lua(
      [](codec::ReplyWriter& w) {
        w.set(2);
        w.bulk("m");
        w.bulk("n");
      },
      true);
  EXPECT_EQ(eval("tostring(v.set.m) .. tostring(v.set.n)"), "truetrue");
  to_lua([](codec::ReplyWriter& w) { w.double_value(2.5); }, true);
  EXPECT_EQ(eval("v.double"), "2.5");
  to_lua([](codec::ReplyWriter& w) { w.boolean(false); }, true);
  EXPECT_EQ(eval("v"), "false");
  to_lua([](codec::ReplyWriter& w) { w.big_number("123456789012345678901234"); }, true);
  EXPECT_EQ(eval("v.big_number"), "123456789012345678901234");
  to_lua([](codec::ReplyWriter& w) { w.map(0); }, true);
  EXPECT_EQ(eval("next(v.map)"), "nil");
}

TEST(Eval, CacheKeysArgvAndErrors) {
  Harness h;
  EXPECT_EQ(h.run("EVAL \"return {KEYS[1], ARGV[1], #KEYS, #ARGV}\" 1 k a b"),
            "[\"k\", \"a\", :1, :2]");
  EXPECT_EQ(h.run("SCRIPT LOAD \"return 1\""), "\"e0e1f9fabfc9d4800c877a703b823ac0578ff8db\"");
  EXPECT_EQ(h.run("EVALSHA e0e1f9fabfc9d4800c877a703b823ac0578ff8db 0"), ":1");
  EXPECT_EQ(h.run("SCRIPT EXISTS e0e1f9fabfc9d4800c877a703b823ac0578ff8db 00"), "[:1, :0]");
  EXPECT_EQ(h.run("SCRIPT FLUSH"), "+OK");
  EXPECT_EQ(h.run("EVALSHA e0e1f9fabfc9d4800c877a703b823ac0578ff8db 0"),
            "-NOSCRIPT No matching script. Please use EVAL.");
  EXPECT_EQ(h.run("EVAL \"return 1\" -1"), "-ERR Number of keys can't be negative");
  EXPECT_EQ(h.run("EVAL \"return 1\" 2 a"),
            "-ERR Number of keys can't be greater than number of args");
  EXPECT_EQ(h.run("EVAL \"return redis.call('incr', 'k', 'x')\" 0"),
            "-ERR Wrong number of args calling Redis command from script script: "
            "67372b46c7feef29f1e9149c91cc04ea6b9dec58, on @user_script:1.");
  EXPECT_EQ(h.run("SCRIPT KILL"), "-NOTBUSY No scripts in execution right now.");
  // SELECT inside a script does not outlive it.
  EXPECT_EQ(h.run("EVAL \"redis.call('select', 3); return redis.call('set', 'k', 'v')\" 0"), "+OK");
  EXPECT_EQ(h.run("EXISTS k"), ":0");
  EXPECT_EQ(h.run("SELECT 3"), "+OK");
  EXPECT_EQ(h.run("GET k"), "\"v\"");
}

// Redis's struct and cmsgpack have no Debian package: a clear error naming them, not the
// generic nonexistent-global one.
TEST(Eval, StructAndCmsgpackAreNotAvailable) {
  Harness h;
  EXPECT_EQ(h.run("EVAL \"return cmsgpack.pack(1)\" 0"),
            "-ERR user_script:1: Script attempted to access 'cmsgpack': Redis's cmsgpack library "
            "is not available in kv (no Lua 5.1 package of it exists in Debian) script: "
            "43b26a55c844c1bea5d58ec163f7a4235e51a18e, on @user_script:1.");
  EXPECT_NE(h.run("EVAL \"return struct.pack('>I', 1)\" 0")
                .find("Script attempted to access 'struct': Redis's struct library is not "
                      "available in kv"),
            std::string::npos);
  EXPECT_NE(h.run("EVAL \"return nosuch\" 0")
                .find("Script attempted to access nonexistent global variable 'nosuch'"),
            std::string::npos);
}

// math.random is Redis's: lrand48 from rand.c's initial state, never reset between scripts,
// shared with FCALL; math.randomseed seeds it. The numbers are redis-server 7.0.15's.
TEST(Eval, MathRandomIsRedissGenerator) {
  Harness h;
  EXPECT_EQ(h.run("EVAL \"return {tostring(math.random()), math.random(1000), "
                  "math.random(5,10)}\" 0"),
            "[\"0.39646477363839\", :841, :7]");
  EXPECT_EQ(h.run("EVAL \"return {tostring(math.random()), math.random(1000), "
                  "math.random(5,10)}\" 0"),
            "[\"0.44658343468168\", :319, :10]");
  EXPECT_EQ(h.run("EVAL \"math.randomseed(42); return {tostring(math.random()), "
                  "math.random(1000)}\" 0"),
            "[\"0.74452500033403\", :343]");
  EXPECT_EQ(h.run("EVAL \"return math.random(1000)\" 0"), ":112");
  EXPECT_NE(h.run("EVAL \"return math.random(0)\" 0")
                .find("bad argument #1 to 'random' (interval is empty)"),
            std::string::npos);
  EXPECT_NE(h.run("EVAL \"return math.random(1, 2, 3)\" 0").find("wrong number of arguments"),
            std::string::npos);
}

TEST(Rand48, IsPosixLrand48) {
  Rand48 r;  // rand.c's initial state: x = 0x1234ABCD330E
  EXPECT_EQ(r.next(), 851401618);
  r.seed(0);  // srand48(0): x = 0x330E
  EXPECT_EQ(r.next(), 366850414);
  r.seed(-1);  // the seed's low 32 bits
  Rand48 same;
  same.seed(static_cast<std::int32_t>(0xffffffffu));
  EXPECT_EQ(r.next(), same.next());
}

TEST(Eval, InfoReportsLuaMemory) {
  Harness h;
  EXPECT_NE(h.run("INFO memory").find("used_memory_lua:0"), std::string::npos);
  h.run("EVAL \"return 1\" 0");
  const std::string info = h.run("INFO memory");
  EXPECT_EQ(info.find("used_memory_lua:0\r\n"), std::string::npos);
  EXPECT_NE(info.find("number_of_cached_scripts:1"), std::string::npos);
}

TEST(Eval, LuaMemoryIsCapped) {
  Harness h;
  ScriptEngine engine(4u << 20);
  ClientState client;
  const std::vector<std::string_view> grow = {
      "EVAL", "local t = {} for i = 1, 1e8 do t[i] = i end return #t", "0"};
  RecordingWriter out;
  CommandContext ctx{grow, out, *h.service, h.service->store(), client, 0};
  engine.eval(ctx, false, false);
  EXPECT_NE(out.take().find("not enough memory"), std::string::npos);
  EXPECT_LE(engine.lua_memory(), 4u << 20);
  const std::vector<std::string_view> small = {"EVAL", "return 7", "0"};
  CommandContext again{small, out, *h.service, h.service->store(), client, 0};
  engine.eval(again, false, false);
  EXPECT_EQ(out.take(), ":7");
}

TEST(Eval, ScriptsAreAtomicAcrossThreads) {
  // A read-modify-write that would lose updates if two scripts interleaved.
  Harness h;
  constexpr int kThreads = 4, kRounds = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&h] {
      auto session = h.open();
      const std::vector<std::string_view> args = {
          "EVAL",
          "local v = tonumber(redis.call('get', KEYS[1]) or 0); "
          "redis.call('set', KEYS[1], v + 1)",
          "1", "counter"};
      for (int i = 0; i < kRounds; ++i) {
        RecordingWriter out;
        session->execute(args, out);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(h.run("GET counter"), "\"800\"");
}

TEST(ShardLockGiveUp, AWaiterGivesUpWhenToldAndHoldsNothing) {
  // What a session waiting for a busy script's shards does: it stops waiting once the probe
  // says so, holding none of the shards it had taken on the way.
  Store store(nullptr);
  auto holder = std::make_unique<ShardLock>(store.shards(), ShardMask{1} << 40);
  std::atomic<bool> busy{false};
  bool locked = true;
  ShardMask held_after = 1;
  std::thread waiter([&] {
    ShardLock lock;
    locked = lock.lock(
        store.shards(), (ShardMask{1} << 3) | (ShardMask{1} << 40),
        [](const void* flag) { return static_cast<const std::atomic<bool>*>(flag)->load(); },
        &busy);
    held_after = lock.held();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(120));
  busy = true;
  waiter.join();
  EXPECT_FALSE(locked);
  EXPECT_EQ(held_after, 0u);
  holder.reset();                                      // a thread holds one ShardLock at a time
  ShardLock again(store.shards(), ShardMask{1} << 3);  // shard 3 was released
  EXPECT_EQ(again.held(), ShardMask{1} << 3);
}

TEST(ShardLockGiveUp, AWaiterThatIsNotToldGetsTheLock) {
  Store store(nullptr);
  auto holder = std::make_unique<ShardLock>(store.shards(), ShardMask{1} << 5);
  bool locked = false;
  std::thread waiter([&] {
    ShardLock lock;
    locked = lock.lock(
        store.shards(), ShardMask{1} << 5, [](const void*) { return false; }, nullptr);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(80));
  holder.reset();
  waiter.join();
  EXPECT_TRUE(locked);
}

}  // namespace
}  // namespace tcpkit::kv
