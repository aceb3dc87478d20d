// The command table: names, handlers, arities, flags and key positions (as Redis 7.0 declares
// them, for COMMAND INFO), and the allocation-free case-insensitive lookup.

#include <array>
#include <cctype>

#include "kv/command.hpp"
#include "kv/text.hpp"

namespace tcpkit::kv {

namespace {

constexpr std::uint32_t kR = kReadonly;
constexpr std::uint32_t kW = kWrite;
constexpr std::uint32_t kConn = kNoScript | kLoading | kStale | kFast;
constexpr std::uint32_t kClientSub = kNoScript | kLoading | kStale;

constexpr SubcommandSpec kClientSubs[] = {
    {"client|id", 2, kClientSub},
    {"client|setname", 3, kClientSub},
    {"client|getname", 2, kClientSub},
    {"client|list", -2, kAdmin | kNoScript | kLoading | kStale},
    {"client|info", 2, kClientSub},
    {"client|help", 2, kLoading | kStale},
    // Redis 7.2's; current node-redis and redis-py send it on connect (kNewerThanRedis70).
    {"client|setinfo", 4, kClientSub},
    {"client|unblock", -3, kAdmin | kNoScript | kLoading | kStale},
    {"client|kill", -3, kAdmin | kNoScript | kLoading | kStale},
    {"client|reply", 3, kClientSub},
    {"client|pause", -3, kAdmin | kNoScript | kLoading | kStale},
    {"client|unpause", 2, kAdmin | kNoScript | kLoading | kStale},
    {"client|no-evict", 3, kAdmin | kNoScript | kLoading | kStale},
};
constexpr SubcommandSpec kConfigSubs[] = {
    {"config|get", -3, kAdmin | kNoScript | kLoading | kStale},
    {"config|set", -4, kAdmin | kNoScript | kLoading | kStale},
    {"config|resetstat", 2, kAdmin | kNoScript | kLoading | kStale},
    {"config|rewrite", 2, kAdmin | kNoScript | kLoading | kStale},
    {"config|help", 2, kLoading | kStale},
};
constexpr SubcommandSpec kCommandSubs[] = {
    {"command|count", 2, kLoading | kStale},    {"command|info", -2, kLoading | kStale},
    {"command|docs", -2, kLoading | kStale},    {"command|list", -2, kLoading | kStale},
    {"command|getkeys", -4, kLoading | kStale}, {"command|getkeysandflags", -4, kLoading | kStale},
    {"command|help", 2, kLoading | kStale},
};
constexpr SubcommandSpec kObjectSubs[] = {
    {"object|encoding", 3, kR},
    {"object|freq", 3, kR},
    {"object|idletime", 3, kR},
    {"object|refcount", 3, kR},
    {"object|help", 2, kLoading | kStale},
};
constexpr SubcommandSpec kFunctionSubs[] = {
    {"function|load", -3, kW | kDenyOom | kNoScript},
    {"function|delete", 3, kW | kNoScript},
    {"function|flush", -2, kW | kNoScript},
    {"function|list", -2, kNoScript},
    {"function|stats", 2, kNoScript},
    {"function|kill", 2, kNoScript},
    {"function|dump", 2, kNoScript},
    {"function|restore", -3, kW | kDenyOom | kNoScript},
    {"function|help", 2, kLoading | kStale},
};

constexpr std::uint32_t kScript = kNoScript | kStale | kMovableKeys | kWholeKeyspace;
constexpr SubcommandSpec kScriptSubs[] = {
    {"script|load", 3, kNoScript | kStale}, {"script|exists", -3, kNoScript},
    {"script|flush", -2, kNoScript},        {"script|kill", 2, kNoScript},
    {"script|help", 2, kLoading | kStale},
};

constexpr std::uint32_t kSub = kNoScript | kLoading | kStale;
constexpr SubcommandSpec kPubSubSubs[] = {
    {"pubsub|channels", -2, kLoading | kStale},    {"pubsub|numsub", -2, kLoading | kStale},
    {"pubsub|numpat", 2, kLoading | kStale},       {"pubsub|shardchannels", -2, kLoading | kStale},
    {"pubsub|shardnumsub", -2, kLoading | kStale}, {"pubsub|help", 2, kLoading | kStale},
};

constexpr CommandSpec kCommands[] = {
    // connection
    {"ping", cmd::ping, -1, kFast, 0, 0, 0, {}},
    {"echo", cmd::echo, 2, kLoading | kStale | kFast, 0, 0, 0, {}},
    {"quit", cmd::quit, -1, kConn | kNoAuth | kNoMultiQueue, 0, 0, 0, {}},
    {"select", cmd::select, 2, kLoading | kStale | kFast, 0, 0, 0, {}},
    {"hello", cmd::hello, -1, kConn | kNoAuth, 0, 0, 0, {}},
    {"auth", cmd::auth, -2, kConn | kNoAuth, 0, 0, 0, {}},
    {"client", cmd::client, -2, 0, 0, 0, 0, kClientSubs},
    {"reset", cmd::reset, 1, kConn | kNoAuth | kNoMultiQueue, 0, 0, 0, {}},
    {"monitor", cmd::monitor, 1, kAdmin | kNoScript | kLoading | kStale, 0, 0, 0, {}},
    {"wait", cmd::wait, 3, kNoScript, 0, 0, 0, {}},
    // pub/sub
    {"subscribe", cmd::subscribe, -2, kSub, 0, 0, 0, {}},
    {"psubscribe", cmd::psubscribe, -2, kSub, 0, 0, 0, {}},
    {"ssubscribe", cmd::ssubscribe, -2, kSub, 1, -1, 1, {}},
    {"unsubscribe", cmd::unsubscribe, -1, kSub, 0, 0, 0, {}},
    {"punsubscribe", cmd::punsubscribe, -1, kSub, 0, 0, 0, {}},
    {"sunsubscribe", cmd::sunsubscribe, -1, kSub, 1, -1, 1, {}},
    {"publish", cmd::publish, 3, kLoading | kStale | kFast, 0, 0, 0, {}},
    {"spublish", cmd::spublish, 3, kLoading | kStale | kFast, 1, 1, 1, {}},
    {"pubsub", cmd::pubsub, -2, 0, 0, 0, 0, kPubSubSubs},
    // server
    {"info", cmd::info, -1, kLoading | kStale | kWholeKeyspace, 0, 0, 0, {}},
    {"dbsize", cmd::dbsize, 1, kR | kFast | kWholeKeyspace, 0, 0, 0, {}},
    {"flushdb", cmd::flushdb, -1, kW | kWholeKeyspace, 0, 0, 0, {}},
    {"flushall", cmd::flushall, -1, kW | kWholeKeyspace, 0, 0, 0, {}},
    {"time", cmd::time, 1, kLoading | kStale | kFast, 0, 0, 0, {}},
    {"save", cmd::save, 1, kAdmin | kNoScript | kNoMulti | kWholeKeyspace, 0, 0, 0, {}},
    {"bgsave", cmd::bgsave, -1, kAdmin | kNoScript | kWholeKeyspace, 0, 0, 0, {}},
    {"bgrewriteaof", cmd::bgrewriteaof, 1, kAdmin | kNoScript | kWholeKeyspace, 0, 0, 0, {}},
    {"lastsave", cmd::lastsave, 1, kLoading | kStale | kFast, 0, 0, 0, {}},
    {"shutdown",
     cmd::shutdown,
     -1,
     kAdmin | kNoScript | kLoading | kStale | kNoMulti | kWholeKeyspace,
     0,
     0,
     0,
     {}},
    {"config", cmd::config, -2, 0, 0, 0, 0, kConfigSubs},
    {"function", cmd::function, -2, 0, 0, 0, 0, kFunctionSubs},
    {"command", cmd::command, -1, kLoading | kStale, 0, 0, 0, kCommandSubs},
    // strings
    {"get", cmd::get, 2, kR | kFast, 1, 1, 1, {}},
    {"set", cmd::set, -3, kW | kDenyOom, 1, 1, 1, {}},
    {"setnx", cmd::setnx, 3, kW | kDenyOom | kFast, 1, 1, 1, {}},
    {"setex", cmd::setex, 4, kW | kDenyOom, 1, 1, 1, {}},
    {"psetex", cmd::psetex, 4, kW | kDenyOom, 1, 1, 1, {}},
    {"getset", cmd::getset, 3, kW | kDenyOom | kFast, 1, 1, 1, {}},
    {"getdel", cmd::getdel, 2, kW | kFast, 1, 1, 1, {}},
    {"getex", cmd::getex, -2, kW | kFast, 1, 1, 1, {}},
    {"mget", cmd::mget, -2, kR | kFast, 1, -1, 1, {}},
    {"mset", cmd::mset, -3, kW | kDenyOom, 1, -1, 2, {}},
    {"msetnx", cmd::msetnx, -3, kW | kDenyOom, 1, -1, 2, {}},
    {"append", cmd::append, 3, kW | kDenyOom | kFast, 1, 1, 1, {}},
    {"strlen", cmd::strlen, 2, kR | kFast, 1, 1, 1, {}},
    {"getrange", cmd::getrange, 4, kR, 1, 1, 1, {}},
    {"setrange", cmd::setrange, 4, kW | kDenyOom, 1, 1, 1, {}},
    {"incr", cmd::incr, 2, kW | kDenyOom | kFast, 1, 1, 1, {}},
    {"decr", cmd::decr, 2, kW | kDenyOom | kFast, 1, 1, 1, {}},
    {"incrby", cmd::incrby, 3, kW | kDenyOom | kFast, 1, 1, 1, {}},
    {"decrby", cmd::decrby, 3, kW | kDenyOom | kFast, 1, 1, 1, {}},
    {"incrbyfloat", cmd::incrbyfloat, 3, kW | kDenyOom | kFast, 1, 1, 1, {}},
    // keys
    {"del", cmd::del, -2, kW, 1, -1, 1, {}},
    {"unlink", cmd::del, -2, kW | kFast, 1, -1, 1, {}},
    {"exists", cmd::exists, -2, kR | kFast, 1, -1, 1, {}},
    {"type", cmd::type, 2, kR | kFast, 1, 1, 1, {}},
    {"keys", cmd::keys, 2, kR | kWholeKeyspace, 0, 0, 0, {}},
    {"scan", cmd::scan, -2, kR | kWholeKeyspace, 0, 0, 0, {}},
    {"randomkey", cmd::randomkey, 1, kR | kWholeKeyspace, 0, 0, 0, {}},
    {"rename", cmd::rename, 3, kW, 1, 2, 1, {}},
    {"renamenx", cmd::renamenx, 3, kW | kFast, 1, 2, 1, {}},
    {"touch", cmd::touch, -2, kR | kFast, 1, -1, 1, {}},
    {"sort", cmd::sort, -2, kW | kDenyOom | kMovableKeys, 1, 1, 1, {}},
    {"sort_ro", cmd::sort_ro, -2, kR | kMovableKeys, 1, 1, 1, {}},
    {"copy", cmd::copy, -3, kW | kDenyOom, 1, 2, 1, {}},
    {"move", cmd::move, 3, kW | kFast, 1, 1, 1, {}},
    {"swapdb", cmd::swapdb, 3, kW | kFast | kWholeKeyspace, 0, 0, 0, {}},
    {"object", cmd::object, -2, 0, 0, 0, 0, kObjectSubs},
    // expire
    {"expire", cmd::expire, -3, kW | kFast, 1, 1, 1, {}},
    {"pexpire", cmd::pexpire, -3, kW | kFast, 1, 1, 1, {}},
    {"expireat", cmd::expireat, -3, kW | kFast, 1, 1, 1, {}},
    {"pexpireat", cmd::pexpireat, -3, kW | kFast, 1, 1, 1, {}},
    {"ttl", cmd::ttl, 2, kR | kFast, 1, 1, 1, {}},
    {"pttl", cmd::pttl, 2, kR | kFast, 1, 1, 1, {}},
    {"expiretime", cmd::expiretime, 2, kR | kFast, 1, 1, 1, {}},
    {"pexpiretime", cmd::pexpiretime, 2, kR | kFast, 1, 1, 1, {}},
    {"persist", cmd::persist, 2, kW | kFast, 1, 1, 1, {}},
    // lists
    {"lpush", cmd::lpush, -3, kW | kDenyOom | kFast, 1, 1, 1, {}},
    {"rpush", cmd::rpush, -3, kW | kDenyOom | kFast, 1, 1, 1, {}},
    {"lpushx", cmd::lpushx, -3, kW | kDenyOom | kFast, 1, 1, 1, {}},
    {"rpushx", cmd::rpushx, -3, kW | kDenyOom | kFast, 1, 1, 1, {}},
    {"lpop", cmd::lpop, -2, kW | kFast, 1, 1, 1, {}},
    {"rpop", cmd::rpop, -2, kW | kFast, 1, 1, 1, {}},
    {"llen", cmd::llen, 2, kR | kFast, 1, 1, 1, {}},
    {"lrange", cmd::lrange, 4, kR, 1, 1, 1, {}},
    {"lindex", cmd::lindex, 3, kR, 1, 1, 1, {}},
    {"lset", cmd::lset, 4, kW | kDenyOom, 1, 1, 1, {}},
    {"linsert", cmd::linsert, 5, kW | kDenyOom, 1, 1, 1, {}},
    {"lrem", cmd::lrem, 4, kW, 1, 1, 1, {}},
    {"ltrim", cmd::ltrim, 4, kW, 1, 1, 1, {}},
    {"lpos", cmd::lpos, -3, kR, 1, 1, 1, {}},
    {"lmove", cmd::lmove, 5, kW | kDenyOom, 1, 2, 1, {}},
    {"rpoplpush", cmd::rpoplpush, 3, kW | kDenyOom, 1, 2, 1, {}},
    {"lmpop", cmd::lmpop, -4, kW | kMovableKeys, 0, 0, 0, {}},
    {"blpop", cmd::blpop, -3, kW | kNoScript, 1, -2, 1, {}},
    {"brpop", cmd::brpop, -3, kW | kNoScript, 1, -2, 1, {}},
    {"blmove", cmd::blmove, 6, kW | kDenyOom | kNoScript, 1, 2, 1, {}},
    {"brpoplpush", cmd::brpoplpush, 4, kW | kDenyOom | kNoScript, 1, 2, 1, {}},
    {"blmpop", cmd::blmpop, -5, kW | kMovableKeys, 0, 0, 0, {}},
    // hashes
    {"hset", cmd::hset, -4, kW | kDenyOom | kFast, 1, 1, 1, {}},
    {"hsetnx", cmd::hsetnx, 4, kW | kDenyOom | kFast, 1, 1, 1, {}},
    {"hget", cmd::hget, 3, kR | kFast, 1, 1, 1, {}},
    {"hmset", cmd::hmset, -4, kW | kDenyOom | kFast, 1, 1, 1, {}},
    {"hmget", cmd::hmget, -3, kR | kFast, 1, 1, 1, {}},
    {"hgetall", cmd::hgetall, 2, kR, 1, 1, 1, {}},
    {"hdel", cmd::hdel, -3, kW | kFast, 1, 1, 1, {}},
    {"hexists", cmd::hexists, 3, kR | kFast, 1, 1, 1, {}},
    {"hlen", cmd::hlen, 2, kR | kFast, 1, 1, 1, {}},
    {"hkeys", cmd::hkeys, 2, kR, 1, 1, 1, {}},
    {"hvals", cmd::hvals, 2, kR, 1, 1, 1, {}},
    {"hstrlen", cmd::hstrlen, 3, kR | kFast, 1, 1, 1, {}},
    {"hincrby", cmd::hincrby, 4, kW | kDenyOom | kFast, 1, 1, 1, {}},
    {"hincrbyfloat", cmd::hincrbyfloat, 4, kW | kDenyOom | kFast, 1, 1, 1, {}},
    {"hrandfield", cmd::hrandfield, -2, kR, 1, 1, 1, {}},
    {"hscan", cmd::hscan, -3, kR, 1, 1, 1, {}},
    // sets
    {"sadd", cmd::sadd, -3, kW | kDenyOom | kFast, 1, 1, 1, {}},
    {"srem", cmd::srem, -3, kW | kFast, 1, 1, 1, {}},
    {"smembers", cmd::smembers, 2, kR, 1, 1, 1, {}},
    {"sismember", cmd::sismember, 3, kR | kFast, 1, 1, 1, {}},
    {"smismember", cmd::smismember, -3, kR | kFast, 1, 1, 1, {}},
    {"scard", cmd::scard, 2, kR | kFast, 1, 1, 1, {}},
    {"spop", cmd::spop, -2, kW | kFast, 1, 1, 1, {}},
    {"srandmember", cmd::srandmember, -2, kR, 1, 1, 1, {}},
    {"smove", cmd::smove, 4, kW | kFast, 1, 2, 1, {}},
    {"sinter", cmd::sinter, -2, kR, 1, -1, 1, {}},
    {"sintercard", cmd::sintercard, -3, kR | kMovableKeys, 0, 0, 0, {}},
    {"sunion", cmd::sunion, -2, kR, 1, -1, 1, {}},
    {"sdiff", cmd::sdiff, -2, kR, 1, -1, 1, {}},
    {"sinterstore", cmd::sinterstore, -3, kW | kDenyOom, 1, -1, 1, {}},
    {"sunionstore", cmd::sunionstore, -3, kW | kDenyOom, 1, -1, 1, {}},
    {"sdiffstore", cmd::sdiffstore, -3, kW | kDenyOom, 1, -1, 1, {}},
    {"sscan", cmd::sscan, -3, kR, 1, 1, 1, {}},
    // sorted sets
    {"zadd", cmd::zadd, -4, kW | kDenyOom | kFast, 1, 1, 1, {}},
    {"zincrby", cmd::zincrby, 4, kW | kDenyOom | kFast, 1, 1, 1, {}},
    {"zrem", cmd::zrem, -3, kW | kFast, 1, 1, 1, {}},
    {"zscore", cmd::zscore, 3, kR | kFast, 1, 1, 1, {}},
    {"zmscore", cmd::zmscore, -3, kR | kFast, 1, 1, 1, {}},
    {"zcard", cmd::zcard, 2, kR | kFast, 1, 1, 1, {}},
    {"zcount", cmd::zcount, 4, kR | kFast, 1, 1, 1, {}},
    {"zlexcount", cmd::zlexcount, 4, kR | kFast, 1, 1, 1, {}},
    {"zrange", cmd::zrange, -4, kR, 1, 1, 1, {}},
    {"zrangestore", cmd::zrangestore, -5, kW | kDenyOom, 1, 2, 1, {}},
    {"zrevrange", cmd::zrevrange, -4, kR, 1, 1, 1, {}},
    {"zrangebyscore", cmd::zrangebyscore, -4, kR, 1, 1, 1, {}},
    {"zrevrangebyscore", cmd::zrevrangebyscore, -4, kR, 1, 1, 1, {}},
    {"zrangebylex", cmd::zrangebylex, -4, kR, 1, 1, 1, {}},
    {"zrevrangebylex", cmd::zrevrangebylex, -4, kR, 1, 1, 1, {}},
    {"zrank", cmd::zrank, 3, kR | kFast, 1, 1, 1, {}},
    {"zrevrank", cmd::zrevrank, 3, kR | kFast, 1, 1, 1, {}},
    {"zpopmin", cmd::zpopmin, -2, kW | kFast, 1, 1, 1, {}},
    {"zpopmax", cmd::zpopmax, -2, kW | kFast, 1, 1, 1, {}},
    {"zmpop", cmd::zmpop, -4, kW | kMovableKeys, 0, 0, 0, {}},
    {"bzpopmin", cmd::bzpopmin, -3, kW | kFast | kNoScript, 1, -2, 1, {}},
    {"bzpopmax", cmd::bzpopmax, -3, kW | kFast | kNoScript, 1, -2, 1, {}},
    {"bzmpop", cmd::bzmpop, -5, kW | kMovableKeys, 0, 0, 0, {}},
    {"zrandmember", cmd::zrandmember, -2, kR, 1, 1, 1, {}},
    {"zremrangebyrank", cmd::zremrangebyrank, 4, kW, 1, 1, 1, {}},
    {"zremrangebyscore", cmd::zremrangebyscore, 4, kW, 1, 1, 1, {}},
    {"zremrangebylex", cmd::zremrangebylex, 4, kW, 1, 1, 1, {}},
    {"zunion", cmd::zunion, -3, kR | kMovableKeys, 0, 0, 0, {}},
    {"zinter", cmd::zinter, -3, kR | kMovableKeys, 0, 0, 0, {}},
    {"zdiff", cmd::zdiff, -3, kR | kMovableKeys, 0, 0, 0, {}},
    {"zunionstore", cmd::zunionstore, -4, kW | kDenyOom | kMovableKeys, 1, 1, 1, {}},
    {"zinterstore", cmd::zinterstore, -4, kW | kDenyOom | kMovableKeys, 1, 1, 1, {}},
    {"zdiffstore", cmd::zdiffstore, -4, kW | kDenyOom | kMovableKeys, 1, 1, 1, {}},
    {"zintercard", cmd::zintercard, -3, kR | kMovableKeys, 0, 0, 0, {}},
    {"zscan", cmd::zscan, -3, kR, 1, 1, 1, {}},
    // transactions
    {"multi", cmd::multi, 1, kConn | kNoMultiQueue, 0, 0, 0, {}},
    {"exec", cmd::exec, 1, kNoScript | kLoading | kStale | kNoMultiQueue, 0, 0, 0, {}},
    {"discard", cmd::discard, 1, kConn | kNoMultiQueue, 0, 0, 0, {}},
    {"watch", cmd::watch, -2, kConn | kNoMultiQueue, 1, -1, 1, {}},
    {"unwatch", cmd::unwatch, 1, kConn, 0, 0, 0, {}},
    // bitmaps, LCS, SUBSTR
    {"setbit", cmd::setbit, 4, kW | kDenyOom, 1, 1, 1, {}},
    {"getbit", cmd::getbit, 3, kR | kFast, 1, 1, 1, {}},
    {"bitcount", cmd::bitcount, -2, kR, 1, 1, 1, {}},
    {"bitpos", cmd::bitpos, -3, kR, 1, 1, 1, {}},
    {"bitop", cmd::bitop, -4, kW | kDenyOom, 2, -1, 1, {}},
    {"bitfield", cmd::bitfield, -2, kW | kDenyOom, 1, 1, 1, {}},
    {"bitfield_ro", cmd::bitfield_ro, -2, kR | kFast, 1, 1, 1, {}},
    {"lcs", cmd::lcs, -3, kR, 1, 2, 1, {}},
    {"substr", cmd::getrange, 4, kR, 1, 1, 1, {}},
    // HyperLogLog (PFCOUNT is readonly in 7.0's table although it may rewrite its cache)
    {"pfadd", cmd::pfadd, -2, kW | kDenyOom | kFast, 1, 1, 1, {}},
    {"pfcount", cmd::pfcount, -2, kR, 1, -1, 1, {}},
    {"pfmerge", cmd::pfmerge, -2, kW | kDenyOom, 1, -1, 1, {}},
    // scripting (cmd_scripting.cpp): a script may touch any key, so it holds every shard
    {"eval", cmd::eval, -3, kScript, 0, 0, 0, {}},
    {"evalsha", cmd::evalsha, -3, kScript, 0, 0, 0, {}},
    {"eval_ro", cmd::eval_ro, -3, kScript | kR, 0, 0, 0, {}},
    {"evalsha_ro", cmd::evalsha_ro, -3, kScript | kR, 0, 0, 0, {}},
    {"script", cmd::script, -2, 0, 0, 0, 0, kScriptSubs},
    {"fcall", cmd::fcall, -3, kScript, 0, 0, 0, {}},
    {"fcall_ro", cmd::fcall_ro, -3, kScript | kR, 0, 0, 0, {}},
};

constexpr std::size_t kMaxNameLength = 16;  // longer names are unknown without a lookup
constexpr std::size_t kSlots = 512;         // open addressing, load < 30%

std::size_t name_hash(std::string_view lower) {
  std::size_t h = 2166136261u;  // FNV-1a
  for (char c : lower) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  return h;
}

// Lowercase names → table entries, built once.
class Index {
 public:
  Index() {
    for (const CommandSpec& spec : kCommands) {
      std::size_t i = name_hash(spec.name) % kSlots;
      while (slots_[i] != nullptr) i = (i + 1) % kSlots;
      slots_[i] = &spec;
    }
  }
  const CommandSpec* find(std::string_view lower) const {
    for (std::size_t i = name_hash(lower) % kSlots; slots_[i] != nullptr; i = (i + 1) % kSlots) {
      if (slots_[i]->name == lower) return slots_[i];
    }
    return nullptr;
  }

 private:
  std::array<const CommandSpec*, kSlots> slots_{};
};

}  // namespace

const CommandSpec* find_command(std::string_view name) {
  static const Index index;
  if (name.empty() || name.size() > kMaxNameLength) return nullptr;
  char lower[kMaxNameLength];
  for (std::size_t i = 0; i < name.size(); ++i) {
    lower[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[i])));
  }
  return index.find(std::string_view(lower, name.size()));
}

const SubcommandSpec* find_subcommand(const CommandSpec& spec, std::string_view name) {
  for (const SubcommandSpec& sub : spec.subcommands) {
    std::string_view short_name = sub.full_name.substr(spec.name.size() + 1);
    if (iequals(short_name, name)) return &sub;
  }
  return nullptr;
}

std::span<const CommandSpec> all_commands() { return kCommands; }

}  // namespace tcpkit::kv
