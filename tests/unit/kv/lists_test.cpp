// List commands and the value model around them (WRONGTYPE, empty lists, keyspace commands,
// memory accounting), replies and errors as redis-server 7.0.15 gives them.

#include <gtest/gtest.h>

#include <deque>
#include <random>

#include "kv/list.hpp"
#include "kv/value.hpp"
#include "kv_test_support.hpp"

namespace tcpkit::kv::testing {
namespace {

TEST(KvLists, ValueStaysAsSmallAsAStringOnlyValue) {
  // CompactString + TTL + tags: a collection costs a pointer inside the string's room.
  static_assert(sizeof(Value) == sizeof(CompactString) + sizeof(std::int64_t) + 8);
  Value a = Value::new_list();
  a.list().push_back("x", EncodingLimits{});
  Value b = a;  // deep copy
  b.list().push_back("y", EncodingLimits{});
  EXPECT_EQ(a.list().size(), 1u);
  EXPECT_EQ(b.list().size(), 2u);
  Value c = std::move(b);
  EXPECT_EQ(b.type, ValueType::kString);
  EXPECT_EQ(c.list().size(), 2u);
}

// Every List operation, on a packed list and across its conversion to a deque (at 5 elements,
// then at 4 KiB), against a std::deque model, with random operations.
TEST(KvLists, PackedAndDequeFormsMatchAModel) {
  for (std::int64_t setting : {5, -1}) {
    EncodingLimits limits;
    limits.list_max_listpack_size = setting;
    std::mt19937_64 rng(static_cast<std::uint64_t>(setting + 100));
    List list;
    std::deque<std::string> model;
    bool was_packed_with_elements = false;
    bool became_deque = false;
    for (int step = 0; step < 4000; ++step) {
      const std::string s = std::to_string(rng() % 7) + std::string(rng() % 3 == 0 ? 300 : 1, 'v');
      const std::size_t n = model.size();
      switch (rng() % 9) {
        case 0:
          list.push_front(s, limits), model.push_front(s);
          break;
        case 1:
          list.push_back(s, limits), model.push_back(s);
          break;
        case 2:
          if (n > 0) {
            ASSERT_EQ(list.pop_front(), model.front());
            model.pop_front();
          }
          break;
        case 3:
          if (n > 0) {
            ASSERT_EQ(list.pop_back(), model.back());
            model.pop_back();
          }
          break;
        case 4:
          if (n > 0) {
            const std::size_t i = rng() % n;
            list.set(i, s, limits);
            model[i] = s;
          }
          break;
        case 5: {
          const std::size_t i = rng() % (n + 1);
          list.insert(i, s, limits);
          model.insert(model.begin() + static_cast<std::ptrdiff_t>(i), s);
          break;
        }
        case 6: {
          const std::size_t limit = rng() % 3;
          const bool tail = rng() % 2 == 0;
          std::size_t removed = 0;
          std::deque<std::string> kept;
          for (std::size_t k = 0; k < n; ++k) {
            const std::size_t i = tail ? n - 1 - k : k;
            if (model[i] == s && (limit == 0 || removed < limit)) {
              ++removed;
              continue;
            }
            tail ? kept.push_front(model[i]) : kept.push_back(model[i]);
          }
          ASSERT_EQ(list.remove(s, limit, tail), removed);
          model = kept;
          break;
        }
        case 7:
          if (n > 0 && rng() % 4 == 0) {
            const std::size_t first = rng() % n;
            const std::size_t last = first + rng() % (n - first);
            list.keep_range(first, last);
            model = std::deque<std::string>(model.begin() + static_cast<std::ptrdiff_t>(first),
                                            model.begin() + static_cast<std::ptrdiff_t>(last) + 1);
          }
          break;
        default:
          if (n > 0) {
            const std::size_t i = rng() % n;
            ASSERT_EQ(list.at(i), model[i]);
            std::vector<std::string> forward, backward;
            list.scan(i, false, [&](std::size_t, std::string_view v) {
              forward.emplace_back(v);
              return true;
            });
            list.scan(i, true, [&](std::size_t, std::string_view v) {
              backward.emplace_back(v);
              return true;
            });
            ASSERT_EQ(forward, std::vector<std::string>(
                                   model.begin() + static_cast<std::ptrdiff_t>(i), model.end()));
            ASSERT_EQ(backward.size(), i + 1);
            ASSERT_EQ(backward.front(), model[i]);
            ASSERT_EQ(backward.back(), model.front());
          }
      }
      ASSERT_EQ(list.size(), model.size());
      if (list.is_packed() && list.size() > 1) was_packed_with_elements = true;
      if (!list.is_packed()) became_deque = true;
      if (list.empty()) list.clear();  // what the keyspace does: an emptied list is deleted
    }
    EXPECT_TRUE(was_packed_with_elements);
    EXPECT_TRUE(became_deque) << "the list never went over " << setting;
  }
}

// A small list is one small allocation: 1,000 three-element lists cost under 200 bytes each
// (a std::deque alone reserves a 512-byte block and its map).
TEST(KvLists, SmallListsAreCompact) {
  Harness h;
  const std::size_t empty = h.service->store().used_memory();
  for (int i = 0; i < 1000; ++i) h.run("RPUSH list:" + std::to_string(i) + " a b c");
  const std::size_t per_list = (h.service->store().used_memory() - empty) / 1000;
  EXPECT_LT(per_list, 200u);
  EXPECT_EQ(h.run("LRANGE list:7 0 -1"), "[\"a\", \"b\", \"c\"]");
}

TEST(KvLists, PushPopBothEnds) {
  Harness h;
  EXPECT_EQ(h.run("LPUSH l b a"), ":2");
  EXPECT_EQ(h.run("RPUSH l c d"), ":4");
  EXPECT_EQ(h.run("LRANGE l 0 -1"), "[\"a\", \"b\", \"c\", \"d\"]");
  EXPECT_EQ(h.run("LPUSHX nokey x"), ":0");
  EXPECT_EQ(h.run("RPUSHX l e"), ":5");
  EXPECT_EQ(h.run("LPOP l"), "\"a\"");
  EXPECT_EQ(h.run("RPOP l"), "\"e\"");
  EXPECT_EQ(h.run("LPOP l 2"), "[\"b\", \"c\"]");
  EXPECT_EQ(h.run("LPOP l 0"), "[]");
  EXPECT_EQ(h.run("RPOP l 10"), "[\"d\"]");
  EXPECT_EQ(h.run("EXISTS l"), ":0");  // an emptied list deletes its key
  EXPECT_EQ(h.run("LPOP l"), "(nil)");
  EXPECT_EQ(h.run("LPOP l 0"), "(nil-array)");
  EXPECT_EQ(h.run("LPOP l -1"), "-ERR value is out of range, must be positive");
  EXPECT_EQ(h.run("LPOP l x"), "-ERR value is out of range, must be positive");
  EXPECT_EQ(h.run("LPOP l 1 2"), "-ERR wrong number of arguments for 'lpop' command");
  EXPECT_EQ(h.run("LPUSH l"), "-ERR wrong number of arguments for 'lpush' command");
}

TEST(KvLists, IndexesAndRanges) {
  Harness h;
  h.run("RPUSH l a b c d e");
  EXPECT_EQ(h.run("LLEN l"), ":5");
  EXPECT_EQ(h.run("LLEN nokey"), ":0");
  EXPECT_EQ(h.run("LINDEX l 0"), "\"a\"");
  EXPECT_EQ(h.run("LINDEX l -1"), "\"e\"");
  EXPECT_EQ(h.run("LINDEX l 5"), "(nil)");
  EXPECT_EQ(h.run("LINDEX l -6"), "(nil)");
  EXPECT_EQ(h.run("LINDEX nokey x"), "(nil)");  // the key is looked up before the index
  EXPECT_EQ(h.run("LINDEX l x"), "-ERR value is not an integer or out of range");
  EXPECT_EQ(h.run("LRANGE l -2 100"), "[\"d\", \"e\"]");
  EXPECT_EQ(h.run("LRANGE l -100 0"), "[\"a\"]");
  EXPECT_EQ(h.run("LRANGE l 3 1"), "[]");
  EXPECT_EQ(h.run("LRANGE l 5 10"), "[]");
  EXPECT_EQ(h.run("LRANGE l -9223372036854775808 9223372036854775807"),
            "[\"a\", \"b\", \"c\", \"d\", \"e\"]");
  EXPECT_EQ(h.run("LRANGE l 0 x"), "-ERR value is not an integer or out of range");
  EXPECT_EQ(h.run("LSET l -1 E"), "+OK");
  EXPECT_EQ(h.run("LSET l 5 x"), "-ERR index out of range");
  EXPECT_EQ(h.run("LSET nokey 0 x"), "-ERR no such key");
  EXPECT_EQ(h.run("LTRIM l 1 -2"), "+OK");
  EXPECT_EQ(h.run("LRANGE l 0 -1"), "[\"b\", \"c\", \"d\"]");
  EXPECT_EQ(h.run("LTRIM l 2 1"), "+OK");
  EXPECT_EQ(h.run("EXISTS l"), ":0");
  EXPECT_EQ(h.run("LTRIM nokey 0 1"), "+OK");
}

TEST(KvLists, InsertRemovePos) {
  Harness h;
  h.run("RPUSH l a b a c a");
  EXPECT_EQ(h.run("LINSERT l BEFORE c x"), ":6");
  EXPECT_EQ(h.run("LINSERT l after c y"), ":7");
  EXPECT_EQ(h.run("LINSERT l before nope z"), ":-1");
  EXPECT_EQ(h.run("LINSERT l middle a z"), "-ERR syntax error");
  EXPECT_EQ(h.run("LINSERT nokey before a z"), ":0");
  EXPECT_EQ(h.run("LPOS l a"), ":0");
  EXPECT_EQ(h.run("LPOS l a RANK 2"), ":2");
  EXPECT_EQ(h.run("LPOS l a RANK -1"), ":6");
  EXPECT_EQ(h.run("LPOS l a RANK -9223372036854775808"), ":6");  // acts as -1 in 7.0
  EXPECT_EQ(h.run("LPOS l a COUNT 0"), "[:0, :2, :6]");
  EXPECT_EQ(h.run("LPOS l a COUNT 2 RANK -1"), "[:6, :2]");
  EXPECT_EQ(h.run("LPOS l a COUNT 0 MAXLEN 3"), "[:0, :2]");
  EXPECT_EQ(h.run("LPOS l nope"), "(nil)");
  EXPECT_EQ(h.run("LPOS l nope COUNT 1"), "[]");
  EXPECT_EQ(h.run("LPOS nokey a"), "(nil)");
  EXPECT_EQ(h.run("LPOS l a RANK 0"),
            "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second "
            "... or use negative to start from the end of the list");
  EXPECT_EQ(h.run("LPOS l a COUNT -1"), "-ERR COUNT can't be negative");
  EXPECT_EQ(h.run("LPOS l a COUNT x"), "-ERR COUNT can't be negative");
  EXPECT_EQ(h.run("LPOS l a MAXLEN -1"), "-ERR MAXLEN can't be negative");
  EXPECT_EQ(h.run("LPOS l a RANK"), "-ERR syntax error");
  EXPECT_EQ(h.run("LREM l -1 a"), ":1");
  EXPECT_EQ(h.run("LRANGE l 0 -1"), "[\"a\", \"b\", \"a\", \"x\", \"c\", \"y\"]");
  EXPECT_EQ(h.run("LREM l 0 a"), ":2");
  EXPECT_EQ(h.run("LREM l 1 b"), ":1");
  EXPECT_EQ(h.run("LREM l x b"), "-ERR value is not an integer or out of range");
  EXPECT_EQ(h.run("LREM l 0 x"), ":1");
  EXPECT_EQ(h.run("LREM l 0 c"), ":1");
  EXPECT_EQ(h.run("LREM l 0 y"), ":1");
  EXPECT_EQ(h.run("EXISTS l"), ":0");
}

TEST(KvLists, MoveAndMpop) {
  Harness h;
  h.run("RPUSH src a b c");
  EXPECT_EQ(h.run("LMOVE src dst LEFT RIGHT"), "\"a\"");
  EXPECT_EQ(h.run("RPOPLPUSH src dst"), "\"c\"");
  EXPECT_EQ(h.run("LRANGE dst 0 -1"), "[\"c\", \"a\"]");
  EXPECT_EQ(h.run("LMOVE dst dst LEFT RIGHT"), "\"c\"");  // rotation
  EXPECT_EQ(h.run("LRANGE dst 0 -1"), "[\"a\", \"c\"]");
  EXPECT_EQ(h.run("LMOVE src src RIGHT LEFT"), "\"b\"");  // one element: the key stays
  EXPECT_EQ(h.run("LMOVE src dst up left"), "-ERR syntax error");
  EXPECT_EQ(h.run("LMOVE nokey dst left left"), "(nil)");
  h.run("SET str x");
  EXPECT_EQ(h.run("LMOVE src str left left"),
            "-WRONGTYPE Operation against a key holding the wrong kind of value");
  EXPECT_EQ(h.run("LLEN src"), ":1");  // nothing popped before the destination's type check
  EXPECT_EQ(h.run("LMPOP 2 nokey dst RIGHT COUNT 5"), "[\"dst\", [\"c\", \"a\"]]");
  EXPECT_EQ(h.run("LMPOP 2 nokey dst LEFT"), "(nil-array)");
  EXPECT_EQ(h.run("LMPOP 1 str LEFT"),
            "-WRONGTYPE Operation against a key holding the wrong kind of value");
  EXPECT_EQ(h.run("LMPOP 0 a LEFT"), "-ERR numkeys should be greater than 0");
  EXPECT_EQ(h.run("LMPOP x a LEFT"), "-ERR numkeys should be greater than 0");
  EXPECT_EQ(h.run("LMPOP 99999999999 a LEFT"), "-ERR syntax error");
  EXPECT_EQ(h.run("LMPOP 1 a UP"), "-ERR syntax error");
  EXPECT_EQ(h.run("LMPOP 1 a LEFT COUNT 0"), "-ERR count should be greater than 0");
  EXPECT_EQ(h.run("LMPOP 1 a LEFT COUNT 1 COUNT 2"), "-ERR syntax error");
  EXPECT_EQ(h.run("LMPOP 2 a"), "-ERR wrong number of arguments for 'lmpop' command");
}

TEST(KvLists, WrongTypeEverywhere) {
  Harness h;
  h.run("RPUSH l a");
  h.run("SET s x");
  const std::string wrongtype =
      "-WRONGTYPE Operation against a key holding the wrong kind of value";
  for (const char* line :
       {"GET l",          "APPEND l x",     "STRLEN l", "INCR l",       "INCRBYFLOAT l 1",
        "GETRANGE l 0 1", "SETRANGE l 0 x", "GETDEL l", "GETEX l",      "SET l x GET",
        "GETSET l x",     "LPUSH s x",      "LLEN s",   "LRANGE s 0 1", "LINDEX s 0",
        "LSET s 0 x",     "LPOS s a",       "LPOP s",   "RPOP s 0",     "HGET l f"}) {
    EXPECT_EQ(h.run(line), wrongtype) << line;
  }
  EXPECT_EQ(h.run("MGET l s"), "[(nil), \"x\"]");
  EXPECT_EQ(h.run("SET l plain"), "+OK");  // SET replaces a value of any type
  EXPECT_EQ(h.run("TYPE l"), "+string");
}

TEST(KvLists, KeyspaceCommandsOnLists) {
  Harness h;
  h.run("RPUSH l a b");
  EXPECT_EQ(h.run("TYPE l"), "+list");
  EXPECT_EQ(h.run("OBJECT ENCODING l"), "\"quicklist\"");  // Redis 7.0: every list
  EXPECT_EQ(h.run("SCAN 0 TYPE list"), "[\"0\", [\"l\"]]");
  EXPECT_EQ(h.run("SCAN 0 TYPE string"), "[\"0\", []]");
  EXPECT_EQ(h.run("COPY l c"), ":1");
  h.run("RPUSH c z");
  EXPECT_EQ(h.run("LLEN l"), ":2");  // the copy is deep
  EXPECT_EQ(h.run("RENAME c r"), "+OK");
  EXPECT_EQ(h.run("LRANGE r 0 -1"), "[\"a\", \"b\", \"z\"]");
  EXPECT_EQ(h.run("EXPIRE r 10"), ":1");
  EXPECT_EQ(h.run("MOVE r 1"), ":1");
  h.run("SELECT 1");
  EXPECT_EQ(h.run("TTL r"), ":10");
  h.clock->advance_ms(10'000);
  EXPECT_EQ(h.run("LLEN r"), ":0");
  h.run("SELECT 0");
  EXPECT_EQ(h.run("DEL l"), ":1");
}

TEST(KvLists, MemoryAccountingFollowsTheElements) {
  Harness h;
  const std::size_t empty = h.service->store().used_memory();
  std::vector<std::string> push = {"RPUSH", "l"};
  for (int i = 0; i < 1000; ++i) push.push_back(std::string(100, 'x'));
  h.run_args(push);
  const std::size_t full = h.service->store().used_memory();
  EXPECT_GT(full, empty + 100'000);
  h.run("LTRIM l 0 499");
  const std::size_t half = h.service->store().used_memory();
  EXPECT_LT(half, full - 50'000);
  h.run("COPY l c");
  EXPECT_GT(h.service->store().used_memory(), half + 50'000);
  h.run("DEL l c");
  EXPECT_LE(h.service->store().used_memory(), empty + 1024);  // bucket arrays may remain
}

TEST(KvLists, OomRefusesPushesAboveMaxmemory) {
  Harness h(with_options([](KvOptions& o) { o.maxmemory = 1; }));
  EXPECT_EQ(h.run("RPUSH l a"), "-OOM command not allowed when used memory > 'maxmemory'.");
  EXPECT_EQ(h.run("LPOP l"), "(nil)");  // not denyoom
}

TEST(KvLists, WatchSeesListChanges) {
  Harness h;
  h.run("RPUSH l a");
  auto other = h.open(2);
  h.run("WATCH l");
  h.run("LPOP l", other.get());  // deletes the key
  h.run("MULTI");
  h.run("RPUSH l b");
  EXPECT_EQ(h.run("EXEC"), "(nil-array)");
}

TEST(KvLists, CommandInfo) {
  Harness h;
  EXPECT_TRUE(h.run("COMMAND INFO lpush")
                  .starts_with("[[\"lpush\", :-3, [+write, +denyoom, +fast], :1, :1, :1, "
                               "[+@write, +@list, +@fast], [], [[\"flags\", [+RW, +insert], "));
  // LMPOP's keys follow its numkeys argument: a keynum key spec.
  EXPECT_EQ(h.run("COMMAND INFO lmpop"),
            "[[\"lmpop\", :-4, [+write, +movablekeys], :0, :0, :0, [+@write, +@list, +@slow], "
            "[], [[\"flags\", [+RW, +access, +delete], \"begin_search\", [\"type\", "
            "\"index\", \"spec\", [\"index\", :1]], \"find_keys\", [\"type\", \"keynum\", "
            "\"spec\", [\"keynumidx\", :0, \"firstkey\", :1, \"keystep\", :1]]]], []]]");
  EXPECT_TRUE(h.run("COMMAND INFO lmove")
                  .starts_with("[[\"lmove\", :5, [+write, +denyoom], :1, :2, :1, "
                               "[+@write, +@list, +@slow], [], [[\"flags\", "
                               "[+RW, +access, +delete], "));
}

}  // namespace
}  // namespace tcpkit::kv::testing
