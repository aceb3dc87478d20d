#pragma once
// CommandMeta: how Redis 7.0 describes a command to clients in COMMAND INFO beyond what the
// command table (command_table.cpp) needs to run it — every command flag Redis reports, the
// ACL categories, the tips and the key specs — and the key finding the key specs define
// (COMMAND GETKEYS).
//
// The data (command_meta_table.cpp) is a transcription of redis-server 7.0.15's COMMAND INFO
// for the commands kv implements, written by scripts/kv-command-meta; the differential test
// tests/differential/command_info.py compares every entry with redis-server's, byte for byte.
// After adding a command to the table, re-run the script (see its --help).

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace tcpkit::kv {

// Command flags as COMMAND INFO names them, in Redis's order.
enum RedisFlag : std::uint32_t {
  kFlagWrite = 1u << 0,
  kFlagReadonly = 1u << 1,
  kFlagDenyoom = 1u << 2,
  kFlagModule = 1u << 3,
  kFlagAdmin = 1u << 4,
  kFlagPubsub = 1u << 5,
  kFlagNoscript = 1u << 6,
  kFlagBlocking = 1u << 7,
  kFlagLoading = 1u << 8,
  kFlagStale = 1u << 9,
  kFlagSkipMonitor = 1u << 10,
  kFlagSkipSlowlog = 1u << 11,
  kFlagAsking = 1u << 12,
  kFlagFast = 1u << 13,
  kFlagNoAuth = 1u << 14,
  kFlagMayReplicate = 1u << 15,
  kFlagSentinel = 1u << 16,
  kFlagOnlySentinel = 1u << 17,
  kFlagNoMandatoryKeys = 1u << 18,
  kFlagProtected = 1u << 19,
  kFlagNoAsyncLoading = 1u << 20,
  kFlagNoMulti = 1u << 21,
  kFlagMovablekeys = 1u << 22,
  kFlagAllowBusy = 1u << 23,
};
std::span<const std::string_view> redis_flag_names();  // index i names bit i

// ACL categories, in Redis's order.
enum AclCategory : std::uint32_t {
  kAclKeyspace = 1u << 0,
  kAclRead = 1u << 1,
  kAclWrite = 1u << 2,
  kAclSet = 1u << 3,
  kAclSortedset = 1u << 4,
  kAclList = 1u << 5,
  kAclHash = 1u << 6,
  kAclString = 1u << 7,
  kAclBitmap = 1u << 8,
  kAclHyperloglog = 1u << 9,
  kAclGeo = 1u << 10,
  kAclStream = 1u << 11,
  kAclPubsub = 1u << 12,
  kAclAdmin = 1u << 13,
  kAclFast = 1u << 14,
  kAclSlow = 1u << 15,
  kAclBlocking = 1u << 16,
  kAclDangerous = 1u << 17,
  kAclConnection = 1u << 18,
  kAclTransaction = 1u << 19,
  kAclScripting = 1u << 20,
};
std::span<const std::string_view> acl_category_names();  // index i names bit i, no '@'

// Key-spec flags, in Redis's order.
enum KeySpecFlag : std::uint32_t {
  kKsRO = 1u << 0,
  kKsRW = 1u << 1,
  kKsOW = 1u << 2,
  kKsRM = 1u << 3,
  kKsAccess = 1u << 4,
  kKsUpdate = 1u << 5,
  kKsInsert = 1u << 6,
  kKsDelete = 1u << 7,
  kKsNotKey = 1u << 8,
  kKsIncomplete = 1u << 9,
  kKsVariableFlags = 1u << 10,
};
std::span<const std::string_view> key_spec_flag_names();  // index i names bit i

// Where the search for a spec's keys begins: at an argument index, or after a keyword
// searched from `startfrom` (negative: from the end, backwards).
struct BeginSearch {
  enum class Type : std::uint8_t { kUnknown, kIndex, kKeyword };
  Type type = Type::kUnknown;
  int index = 0;             // kIndex
  std::string_view keyword;  // kKeyword
  int startfrom = 0;         // kKeyword
};

// How the keys are found from there: a range (lastkey relative to the start, -1 the last
// argument; keystep; limit: 0 all, n a 1/n share of the rest) or a count argument.
struct FindKeys {
  enum class Type : std::uint8_t { kUnknown, kRange, kKeynum };
  Type type = Type::kUnknown;
  int lastkey = 0, keystep = 1, limit = 0;          // kRange
  int keynumidx = 0, firstkey = 0, numkeystep = 1;  // kKeynum
};

struct KeySpec {
  std::string_view notes;  // empty: none
  std::uint32_t flags;     // KeySpecFlag bits
  BeginSearch begin;
  FindKeys find;
};

struct CommandMeta {
  std::string_view name;  // lowercase, "object|encoding" for a subcommand
  std::uint32_t flags;    // RedisFlag bits
  std::uint32_t acl;      // AclCategory bits
  std::span<const std::string_view> tips;
  std::span<const KeySpec> key_specs;
};

// Names kv answers as a newer Redis does, which 7.0.15 lacks and so has no metadata for: the
// only names of the command table without a CommandMeta (COMMAND INFO describes them from the
// table's flags: redis_flags_from_table, and @read/@write, @fast/@slow, @admin).
// scripts/kv-command-meta and tests/differential/command_info.py read this list from here, one
// quoted name a line.
constexpr std::string_view kNewerThanRedis70[] = {
    "client|setinfo",  // Redis 7.2
};

// The RedisFlag bits that the command table's own flags (command.hpp's CommandFlag) name: the
// same properties under Redis's names. kNoMultiQueue has no Redis counterpart.
std::uint32_t redis_flags_from_table(std::uint32_t table_flags);

// The metadata of `full_name` (lowercase), or nullptr for a command Redis 7.0 does not have.
const CommandMeta* find_command_meta(std::string_view full_name);
std::span<const CommandMeta> all_command_meta();

struct KeyPosition {
  std::size_t index;    // into the arguments, the command name at 0
  std::uint32_t flags;  // KeySpecFlag bits of the spec that found it
};

// The keys in `args` (the command name at 0) as the key specs find them, in spec order;
// nullopt when the arguments do not fit a spec (a numkeys out of range). Specs whose
// begin_search or find_keys is unknown contribute nothing.
std::optional<std::vector<KeyPosition>> keys_by_specs(std::span<const KeySpec> specs,
                                                      std::span<const std::string_view> args);
// SORT's and SORT_RO's keys as Redis's sortGetKeys finds them: the sorted key, then STORE's
// argument (skipping the arguments of LIMIT, GET and BY). BY/GET patterns name no fixed key.
std::vector<KeyPosition> sort_keys(std::span<const std::string_view> args);

}  // namespace tcpkit::kv
