// The command table (what kv enforces) and Redis's metadata (what COMMAND INFO reports) agree,
// and key specs find keys as Redis's COMMAND GETKEYS does.

#include "kv/command_meta.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "kv/command.hpp"
#include "kv_test_support.hpp"

namespace tcpkit::kv::testing {
namespace {

// The RedisFlag bits the table's own flags can name (redis_flags_from_table's image).
constexpr std::uint32_t kComparable = kFlagWrite | kFlagReadonly | kFlagDenyoom | kFlagAdmin |
                                      kFlagNoscript | kFlagLoading | kFlagStale | kFlagFast |
                                      kFlagNoAuth | kFlagMovablekeys;

bool newer_than_redis_70(std::string_view name) {
  return std::find(std::begin(kNewerThanRedis70), std::end(kNewerThanRedis70), name) !=
         std::end(kNewerThanRedis70);
}

void expect_same_flags(std::string_view name, std::uint32_t ours) {
  const CommandMeta* meta = find_command_meta(name);
  if (newer_than_redis_70(name)) {
    EXPECT_EQ(meta, nullptr) << name << " is listed as newer than 7.0 but has 7.0 metadata";
    return;
  }
  ASSERT_NE(meta, nullptr) << name << " has no metadata: re-run scripts/kv-command-meta";
  EXPECT_EQ(redis_flags_from_table(ours), meta->flags & kComparable)
      << name << ": the table and Redis disagree on its flags";
}

TEST(KvCommandMeta, EveryCommandHasMetadataThatAgreesWithTheTable) {
  for (const CommandSpec& spec : all_commands()) {
    expect_same_flags(spec.name, spec.flags);
    for (const SubcommandSpec& sub : spec.subcommands) expect_same_flags(sub.full_name, sub.flags);
  }
}

// Each name of the newer-than-7.0 list is one the table runs, so the list holds no stale name.
TEST(KvCommandMeta, NamesNewerThanRedis70AreInTheTable) {
  for (std::string_view name : kNewerThanRedis70) {
    bool found = false;
    for (const CommandSpec& spec : all_commands()) {
      found = found || spec.name == name;
      for (const SubcommandSpec& sub : spec.subcommands) found = found || sub.full_name == name;
    }
    EXPECT_TRUE(found) << name;
  }
}

TEST(KvCommandMeta, TheTableIsSortedForBinarySearch) {
  const auto meta = all_command_meta();
  for (std::size_t i = 1; i < meta.size(); ++i) EXPECT_LT(meta[i - 1].name, meta[i].name);
  EXPECT_EQ(find_command_meta("nosuchcommand"), nullptr);
  ASSERT_NE(find_command_meta("object|encoding"), nullptr);
}

std::string keys_of(std::string_view line) {
  const std::vector<std::string> words = split_words(line);
  std::vector<std::string_view> args(words.begin(), words.end());
  const CommandMeta* meta = find_command_meta(words[0]);
  if (meta == nullptr) return "no meta";
  auto keys = keys_by_specs(meta->key_specs, args);
  if (!keys) return "invalid";
  std::string out;
  for (const KeyPosition& k : *keys) out += (out.empty() ? "" : " ") + words[k.index];
  return out;
}

TEST(KvCommandMeta, KeySpecsFindKeys) {
  EXPECT_EQ(keys_of("get k"), "k");
  EXPECT_EQ(keys_of("mset a 1 b 2"), "a b");
  EXPECT_EQ(keys_of("del a b c"), "a b c");
  EXPECT_EQ(keys_of("lmove s d left right"), "s d");
  EXPECT_EQ(keys_of("lmpop 2 a b left count 3"), "a b");
  EXPECT_EQ(keys_of("lmpop 0 a left"), "invalid");
  EXPECT_EQ(keys_of("lmpop 5 a left"), "invalid");
  EXPECT_EQ(keys_of("lmpop x a left"), "invalid");
  EXPECT_EQ(keys_of("ping"), "");
}

TEST(KvCommandMeta, GetkeysReplies) {
  Harness h;
  EXPECT_EQ(h.run("COMMAND GETKEYS MSET a 1 b 2"), "[\"a\", \"b\"]");
  EXPECT_EQ(h.run("COMMAND GETKEYS SORT k BY w_* LIMIT 0 1 GET g STORE d"), "[\"k\", \"d\"]");
  EXPECT_EQ(h.run("COMMAND GETKEYS OBJECT ENCODING k"), "[\"k\"]");
  EXPECT_EQ(h.run("COMMAND GETKEYSANDFLAGS SET k v GET"), "[[\"k\", [+RW, +access, +update]]]");
  EXPECT_EQ(h.run("COMMAND GETKEYSANDFLAGS SET k v"), "[[\"k\", [+OW, +update]]]");
  EXPECT_EQ(h.run("COMMAND GETKEYS PING x"), "-ERR The command has no key arguments");
  EXPECT_EQ(h.run("COMMAND GETKEYS NOSUCH k"), "-ERR Invalid command specified");
  EXPECT_EQ(h.run("COMMAND GETKEYS GET a b"),
            "-ERR Invalid number of arguments specified for command");
  EXPECT_EQ(h.run("COMMAND GETKEYS LMPOP 0 a LEFT"),
            "-ERR Invalid arguments specified for command");
  EXPECT_EQ(h.run("COMMAND GETKEYS GET"),
            "-ERR wrong number of arguments for 'command|getkeys' command");
}

}  // namespace
}  // namespace tcpkit::kv::testing
