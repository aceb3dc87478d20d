#pragma once
// Blocking commands (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP):
// who waits on which key, and how a write serves them (Redis's blocked.c, on every core).
//
// A blocking command that finds nothing to pop registers a Waiter on each of its keys (while
// holding their shards) and its session stops running requests. A write that creates a list
// or sorted set (Database::add) notes the key if anyone waits on it (note_key; one relaxed load
// when nobody waits anywhere). After the writing command (after EXEC for a transaction),
// still holding its shards, the writer's session serves the key's waiters first come, first
// served (KvSession::serve_ready_keys): it claims a waiter, runs its command against the ready
// key on the waiter's behalf, stores the reply in the Waiter and wakes the waiter's
// connection, whose session then writes the reply and goes on with the requests it held back.
// So, as in Redis, a push is served to a blocked client before any other client can pop it.
//
// A BLMOVE/BRPOPLPUSH whose destination lies in a shard the writer does not hold: the writer
// takes that shard too if it is free (ShardLock::try_add: never waiting, so out of order is
// safe). If another thread holds it, the waiter is woken to retry on its own thread (kRetry):
// it runs its command again as if just sent, taking both shards, and blocks again (at the end
// of the queue) if another client popped the element first. Only then can the order differ
// from Redis's.
//
// Who may change a Waiter's state: the registry's users through compare-and-swap from
// kBlocked (a server claims it, its own session times it out, CLIENT UNBLOCK unblocks it,
// a closing session abandons it); only the claimer moves kClaimed on. The reply is written
// before the release store of kServed, and read after the acquire load that sees it.
//
// Lock order: a shard -> the registry's mutex -> an outlet's mutex.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "kv/value.hpp"
#include "tcpkit/server/outlet.hpp"

namespace tcpkit::kv {

struct CommandSpec;

// What a blocking handler asks for when it finds nothing to pop (CommandContext::block).
struct BlockRequest {
  bool active = false;
  std::vector<std::string_view> keys;
  ValueType type = ValueType::kList;                              // the type that serves it
  std::optional<std::string_view> destination;                    // BLMOVE, BRPOPLPUSH
  std::optional<std::chrono::steady_clock::time_point> deadline;  // none: wait forever
  bool zero_on_timeout = false;  // WAIT: its timeout answers 0 (replicas reached), not null
};

struct Waiter {
  enum State : int {
    kBlocked,
    kClaimed,
    kServed,
    kTimedOut,
    kRetry,
    kUnblockTimeout,
    kUnblockError,
    kGone
  };

  std::atomic<int> state{kBlocked};
  std::uint64_t client_id = 0;
  int db = 0;
  int resp = 2;  // its reply's RESP version
  const CommandSpec* spec = nullptr;
  std::vector<std::string> args;  // the command as sent
  std::vector<std::string> keys;  // distinct, in argument order
  ValueType type = ValueType::kList;
  std::optional<std::string> destination;
  std::optional<std::chrono::steady_clock::time_point> deadline;
  bool zero_on_timeout = false;
  std::shared_ptr<server::Outlet> outlet;
  std::string reply;           // set by whoever served it, before state becomes kServed
  std::uint64_t aof_mark = 0;  // the log position its serving reached (set with reply)

  bool move(int from, int to) { return state.compare_exchange_strong(from, to); }
};

class BlockedClients {
 public:
  // Registers `w` on each of its keys (the caller holds their shards).
  void add(const std::shared_ptr<Waiter>& w);
  // Removes `w` from every key and from the client index.
  void remove(const Waiter& w);
  // A list or sorted set appeared at `key`: remembered for this thread's serve_ready_keys()
  // when someone waits on it. The caller holds the key's shard.
  void note_key(int db, std::string_view key) {
    if (count_.load(std::memory_order_relaxed) == 0) return;
    note_key_slow(db, key);
  }
  // Every key of `db` that someone waits on (SWAPDB brought new contents).
  void note_db(int db);
  // The waiters on `key`, oldest first (a copy: serving changes the queue).
  std::vector<std::shared_ptr<Waiter>> waiters(int db, std::string_view key);
  // The waiter of client `id`, if it is blocked (CLIENT UNBLOCK).
  std::shared_ptr<Waiter> of_client(std::uint64_t id);
  std::size_t count() const { return count_.load(std::memory_order_relaxed); }

  struct ReadyKey {
    int db;
    std::string key;
  };
  // The keys this thread's current command made ready, in the order they appeared.
  static std::vector<ReadyKey>& ready();

 private:
  void note_key_slow(int db, std::string_view key);

  std::mutex mutex_;
  std::map<std::pair<int, std::string>, std::deque<std::shared_ptr<Waiter>>> by_key_;
  std::unordered_map<std::uint64_t, std::shared_ptr<Waiter>> by_client_;
  std::atomic<std::size_t> count_{0};
};

// A blocking command's timeout argument, in seconds with decimals as Redis takes it (0 or a
// negative zero: forever). nullopt after writing Redis's error to `error`.
std::optional<std::optional<std::chrono::steady_clock::time_point>> parse_block_timeout(
    std::string_view arg, std::string& error);

}  // namespace tcpkit::kv
