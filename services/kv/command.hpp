#pragma once
// The command layer: what a command is (CommandSpec, in the table of command_table.cpp), the
// per-connection state it may change (ClientState) and what it is handed (CommandContext).
//
// A handler parses its arguments, applies them to the store and writes exactly one reply
// through the ReplyWriter, so the same code serves RESP and the native protocol. Handlers run
// holding the shards of the keys they touch (command_shards()); they never block and never
// throw.

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "kv/errors.hpp"
#include "kv/store.hpp"
#include "tcpkit/base/futex_mutex.hpp"
#include "tcpkit/base/relaxed.hpp"
#include "tcpkit/codec/reply_writer.hpp"
#include "tcpkit/server/outlet.hpp"

namespace tcpkit::kv {

class KvService;
class AofBatch;
struct CommandContext;

using Handler = void (*)(CommandContext&);

// The command flags kv's own behaviour reads (arity and key positions aside). COMMAND INFO
// reports Redis's full set from command_meta.hpp; redis_flags_from_table() maps these onto it.
enum CommandFlag : std::uint32_t {
  kWrite = 1u << 0,
  kReadonly = 1u << 1,
  kDenyOom = 1u << 2,
  kFast = 1u << 3,
  kNoAuth = 1u << 4,
  kAdmin = 1u << 5,
  kNoScript = 1u << 6,
  kLoading = 1u << 7,
  kStale = 1u << 8,
  kNoMultiQueue = 1u << 9,  // runs at once inside MULTI (EXEC, DISCARD, MULTI, WATCH, QUIT, RESET)
  kMovableKeys = 1u << 10,  // keys found by parsing the arguments (LMPOP's numkeys)
  kWholeKeyspace =
      1u << 11,         // reaches keys beyond its arguments (KEYS, FLUSHALL, INFO): all shards
  kNoMulti = 1u << 12,  // refused inside MULTI (Redis's no_multi: SAVE, SHUTDOWN)
};

struct SubcommandSpec {
  std::string_view full_name;  // "config|get"
  int arity;                   // counts the command name too, as Redis does
  std::uint32_t flags;
};

struct CommandSpec {
  std::string_view name;  // lowercase
  Handler handler;
  int arity;  // n: exactly n arguments (name included); -n: at least n
  std::uint32_t flags;
  int first_key, last_key, key_step;
  std::span<const SubcommandSpec> subcommands;  // empty unless a container (CLIENT, CONFIG)
};

// Case-insensitive lookup without allocating; nullptr for an unknown name.
const CommandSpec* find_command(std::string_view name);
// The subcommand of a container named by `name`, or nullptr.
const SubcommandSpec* find_subcommand(const CommandSpec& spec, std::string_view name);
std::span<const CommandSpec> all_commands();

// A command queued by MULTI: its own copy of the arguments.
struct QueuedCommand {
  const CommandSpec* spec;
  std::vector<std::string> args;
};

struct WatchedKey {
  int db;
  std::string key;
  std::uint64_t version;
};

// The state of one connection, owned by its session and changed only on the thread running it.
// What CLIENT LIST shows of other connections is safe to read from any thread: fixed at
// creation (id, peer, local, fd, created_ms), Relaxed (db, last_ms, last_command, multi), or
// guarded by name_mutex (name: its owner writes it under the mutex, other threads read it under
// the mutex, the owner reads it freely).
struct ClientState {
  std::uint64_t id = 0;
  std::string peer;
  std::string local;
  int fd = -1;
  std::string name;
  mutable FutexMutex name_mutex;
  std::int64_t created_ms = 0;
  Relaxed<std::int64_t> last_ms = 0;
  // A full name from the command table (static storage: a pointer can be read atomically).
  Relaxed<const std::string_view*> last_command = &kNoCommand;
  Relaxed<int> db = 0;
  Relaxed<std::int64_t> multi = -1;  // commands queued since MULTI, -1 outside one
  // The RESP version replies are written in: 2, or 3 after HELLO 3 (RESET: 2 again). The
  // native protocol ignores it. Relaxed: CLIENT LIST shows it.
  Relaxed<int> resp = 2;
  bool authenticated = true;
  bool close_requested = false;  // QUIT: close once the reply is flushed
  // MULTI: present from MULTI to EXEC/DISCARD.
  struct Transaction {
    std::vector<QueuedCommand> queued;
    bool failed = false;      // a command was rejected while queueing: EXEC replies EXECABORT
    std::uint32_t flags = 0;  // union of the queued commands' flags
  };
  std::unique_ptr<Transaction> tx;
  std::vector<WatchedKey> watched;
  // The connection's handle for pushed output (pub/sub messages); null when the model cannot
  // push (fork) or the session is driven directly.
  std::shared_ptr<server::Outlet> outlet;
  // Pub/sub: this client's own names (its session's thread only), and their counts (Relaxed:
  // CLIENT LIST shows them). The registry side is PubSub's.
  struct Subscriptions {
    std::unordered_set<std::string> channels, patterns, shard_channels;
  };
  std::unique_ptr<Subscriptions> subscriptions;
  Relaxed<std::int32_t> sub = 0, psub = 0, ssub = 0;
  Relaxed<bool> blocked = false;  // in a blocking command (CLIENT LIST's flag b)
  // ClientRegistry's list links (under its mutex).
  ClientState* registry_prev = nullptr;
  ClientState* registry_next = nullptr;
  Relaxed<bool> monitor = false;
  Relaxed<bool> no_evict = false;  // CLIENT NO-EVICT (flag e; kv never evicts clients)
  // CLIENT REPLY: OFF mutes every reply; SKIP mutes the next command's (its own session only).
  bool reply_off = false;
  bool reply_skip_next = false;
  bool reply_skip = false;  // in MONITOR mode (flag O): gets every command, runs none
                            // that reads or writes keys
  // Redis's CLIENT_PUBSUB: subscribed to anything (RESP2 then allows only the pub/sub commands).
  bool subscribed() const { return sub.load() + psub.load() + ssub.load() > 0; }

  static constexpr std::string_view kNoCommand = "NULL";
  void set_name(std::string_view n) {
    std::lock_guard lock(name_mutex);
    name.assign(n);
  }
  std::string name_copy() const {
    std::lock_guard lock(name_mutex);
    return name;
  }
};

// The shards a command (not EXEC: see KvSession) must hold: its keys' shards from the key specs,
// or every shard for a kWholeKeyspace command or a SORT with BY or GET.
ShardMask command_shards(const CommandSpec& spec, std::span<const std::string_view> args);

class PubSub;
// Unsubscribes `client` from everything, without replies (RESET, a closing connection).
void leave_all_subscriptions(PubSub& pubsub, ClientState& client);

// A blocking command that found nothing: asks to block on `keys` (ctx.block), or, where it may
// not block, answers the timeout's null (a null bulk for BLMOVE/BRPOPLPUSH, else a null array).
void block_or_null(CommandContext& ctx, std::span<const std::string_view> keys, ValueType type,
                   std::optional<std::chrono::steady_clock::time_point> deadline, bool null_bulk,
                   std::optional<std::string_view> destination = std::nullopt);

struct CommandContext {
  std::span<const std::string_view> args;
  codec::ReplyWriter& out;
  KvService& service;
  Store& store;
  ClientState& client;
  std::int64_t now_ms;
  // Where a blocking command asks to block when it finds nothing; null where it may not block
  // (inside MULTI or a script, or a connection that cannot be woken): it answers null then.
  BlockRequest* block = nullptr;
  // Set when a blocked command runs again on its waiter's behalf, served by a write to this
  // key: it looks at this key only, and writes nothing if there is nothing to pop after all.
  const std::string_view* serving = nullptr;
  // Where the records of what this command changes go (aof_propagate.hpp); null while the
  // append-only file is off.
  AofBatch* aof = nullptr;

  Database& db() { return store.db(client.db.load()); }
  void error(KvError e) { out.error(error_text(e)); }
  void ok() { out.simple("OK"); }
  // Redis 7.0 nests some flat RESP2 replies under RESP3 ([member, score] pairs of WITHSCORES).
  bool resp3() const { return client.resp.load() == 3; }
};

// The handlers, one file per family: cmd_connection.cpp, cmd_client.cpp, cmd_server.cpp,
// cmd_config.cpp, cmd_command.cpp, cmd_strings.cpp, cmd_counters.cpp, cmd_keys.cpp,
// cmd_expire.cpp, cmd_multi.cpp, cmd_lists.cpp, cmd_hashes.cpp, cmd_sort.cpp.
namespace cmd {
// connection
void ping(CommandContext&);
void echo(CommandContext&);
void quit(CommandContext&);
void select(CommandContext&);
void hello(CommandContext&);
void auth(CommandContext&);
void client(CommandContext&);
void reset(CommandContext&);
void subscribe(CommandContext&);
void psubscribe(CommandContext&);
void ssubscribe(CommandContext&);
void unsubscribe(CommandContext&);
void punsubscribe(CommandContext&);
void sunsubscribe(CommandContext&);
void publish(CommandContext&);
void spublish(CommandContext&);
void pubsub(CommandContext&);
void blpop(CommandContext&);
void brpop(CommandContext&);
void blmove(CommandContext&);
void brpoplpush(CommandContext&);
void blmpop(CommandContext&);
void bzpopmin(CommandContext&);
void bzpopmax(CommandContext&);
void bzmpop(CommandContext&);
void monitor(CommandContext&);
void wait(CommandContext&);
// server
void info(CommandContext&);
void dbsize(CommandContext&);
void flushdb(CommandContext&);
void flushall(CommandContext&);
void time(CommandContext&);
// persistence (cmd_persistence.cpp)
void save(CommandContext&);
void bgsave(CommandContext&);
void bgrewriteaof(CommandContext&);
void lastsave(CommandContext&);
void shutdown(CommandContext&);
void config(CommandContext&);
void function(CommandContext&);
void command(CommandContext&);
// strings
void get(CommandContext&);
void set(CommandContext&);
void setnx(CommandContext&);
void setex(CommandContext&);
void psetex(CommandContext&);
void getset(CommandContext&);
void getdel(CommandContext&);
void getex(CommandContext&);
void mget(CommandContext&);
void mset(CommandContext&);
void msetnx(CommandContext&);
void append(CommandContext&);
void strlen(CommandContext&);
void getrange(CommandContext&);
void setrange(CommandContext&);
void incr(CommandContext&);
void decr(CommandContext&);
void incrby(CommandContext&);
void decrby(CommandContext&);
void incrbyfloat(CommandContext&);
// keys
void del(CommandContext&);
void exists(CommandContext&);
void type(CommandContext&);
void keys(CommandContext&);
void scan(CommandContext&);
void randomkey(CommandContext&);
void rename(CommandContext&);
void renamenx(CommandContext&);
void copy(CommandContext&);
void move(CommandContext&);
void swapdb(CommandContext&);
void object(CommandContext&);
void touch(CommandContext&);
// sort
void sort(CommandContext&);
void sort_ro(CommandContext&);
// expire
void expire(CommandContext&);
void pexpire(CommandContext&);
void expireat(CommandContext&);
void pexpireat(CommandContext&);
void ttl(CommandContext&);
void pttl(CommandContext&);
void expiretime(CommandContext&);
void pexpiretime(CommandContext&);
void persist(CommandContext&);
// lists
void lpush(CommandContext&);
void rpush(CommandContext&);
void lpushx(CommandContext&);
void rpushx(CommandContext&);
void lpop(CommandContext&);
void rpop(CommandContext&);
void llen(CommandContext&);
void lrange(CommandContext&);
void lindex(CommandContext&);
void lset(CommandContext&);
void linsert(CommandContext&);
void lrem(CommandContext&);
void ltrim(CommandContext&);
void lpos(CommandContext&);
void lmove(CommandContext&);
void rpoplpush(CommandContext&);
void lmpop(CommandContext&);
// hashes
void hset(CommandContext&);
void hsetnx(CommandContext&);
void hget(CommandContext&);
void hmset(CommandContext&);
void hmget(CommandContext&);
void hgetall(CommandContext&);
void hdel(CommandContext&);
void hexists(CommandContext&);
void hlen(CommandContext&);
void hkeys(CommandContext&);
void hvals(CommandContext&);
void hstrlen(CommandContext&);
void hincrby(CommandContext&);
void hincrbyfloat(CommandContext&);
void hrandfield(CommandContext&);
void hscan(CommandContext&);
// sets (cmd_sets.cpp; SINTER SUNION SDIFF and friends: cmd_set_algebra.cpp)
void sadd(CommandContext&);
void srem(CommandContext&);
void smembers(CommandContext&);
void sismember(CommandContext&);
void smismember(CommandContext&);
void scard(CommandContext&);
void spop(CommandContext&);
void srandmember(CommandContext&);
void smove(CommandContext&);
void sscan(CommandContext&);
void sinter(CommandContext&);
void sintercard(CommandContext&);
void sunion(CommandContext&);
void sdiff(CommandContext&);
void sinterstore(CommandContext&);
void sunionstore(CommandContext&);
void sdiffstore(CommandContext&);
// sorted sets (cmd_zsets.cpp, cmd_zsets_range.cpp, cmd_zsets_setops.cpp)
void zadd(CommandContext&);
void zincrby(CommandContext&);
void zrem(CommandContext&);
void zscore(CommandContext&);
void zmscore(CommandContext&);
void zcard(CommandContext&);
void zcount(CommandContext&);
void zlexcount(CommandContext&);
void zrange(CommandContext&);
void zrangestore(CommandContext&);
void zrevrange(CommandContext&);
void zrangebyscore(CommandContext&);
void zrevrangebyscore(CommandContext&);
void zrangebylex(CommandContext&);
void zrevrangebylex(CommandContext&);
void zrank(CommandContext&);
void zrevrank(CommandContext&);
void zpopmin(CommandContext&);
void zpopmax(CommandContext&);
void zmpop(CommandContext&);
void zrandmember(CommandContext&);
void zremrangebyrank(CommandContext&);
void zremrangebyscore(CommandContext&);
void zremrangebylex(CommandContext&);
void zunion(CommandContext&);
void zinter(CommandContext&);
void zdiff(CommandContext&);
void zunionstore(CommandContext&);
void zinterstore(CommandContext&);
void zdiffstore(CommandContext&);
void zintercard(CommandContext&);
void zscan(CommandContext&);
// transactions
void multi(CommandContext&);
void exec(CommandContext&);
void discard(CommandContext&);
void watch(CommandContext&);
void unwatch(CommandContext&);
// Forgets the client's WATCHed keys (EXEC, DISCARD, UNWATCH, RESET).
void unwatch_all(CommandContext&);
// bitmaps and LCS (cmd_bits.cpp, cmd_bitfield.cpp, cmd_lcs.cpp; SUBSTR is getrange)
void setbit(CommandContext&);
void getbit(CommandContext&);
void bitcount(CommandContext&);
void bitpos(CommandContext&);
void bitop(CommandContext&);
void bitfield(CommandContext&);
void bitfield_ro(CommandContext&);
void lcs(CommandContext&);
// HyperLogLog (cmd_hll.cpp)
void pfadd(CommandContext&);
void pfcount(CommandContext&);
void pfmerge(CommandContext&);
// scripting (cmd_scripting.cpp, engine in scripting.cpp)
void eval(CommandContext&);
void evalsha(CommandContext&);
void eval_ro(CommandContext&);
void evalsha_ro(CommandContext&);
void script(CommandContext&);
// functions (cmd_function.cpp, engine in scripting_functions.cpp; FUNCTION itself: function())
void fcall(CommandContext&);
void fcall_ro(CommandContext&);
}  // namespace cmd

}  // namespace tcpkit::kv
