#pragma once
// What a command that changed the store puts in the append-only file (aof_log.hpp).
//
// A command is logged as it was sent, unless replaying it could give another result:
//   - a relative or absolute TTL becomes an absolute time in ms (SET ... PXAT, PEXPIREAT, or
//     PERSIST / DEL when that is what it left), so a reload never extends a TTL;
//   - INCRBYFLOAT becomes SET ... KEEPTTL and HINCRBYFLOAT HSET of the result, as Redis logs
//     them; SPOP becomes SREM of the members its reply named;
//   - a script logs the commands it ran, each by these rules, wrapped in MULTI/EXEC (Redis's
//     effects replication), and a transaction is wrapped in MULTI/EXEC;
//   - a blocked pop served by another client's write is logged as its non-blocking form on
//     the key that served it (LPOP, LMOVE, ZPOPMIN, LMPOP 1 key ...).
// Keys the server deletes because they expired are logged as DEL by AofLog::expired().
// "Changed" is the store's own change counter for this thread (Keyspace::thread_changes())
// moving while the command ran; FLUSHALL, FLUSHDB, SWAPDB and FUNCTION's writes are logged
// whatever they changed.

#include <span>
#include <string_view>

#include "kv/aof_log.hpp"
#include "kv/command.hpp"

namespace tcpkit::kv::aof {

// Runs spec.handler(ctx); when ctx.aof is set, adds the records of what it did to ctx.aof.
void run_and_log(const CommandSpec& spec, CommandContext& ctx);

// A blocked command (args as its client sent them) served on `key` in database `db`.
void log_served(AofBatch& batch, const CommandSpec& spec, std::span<const std::string> args, int db,
                std::string_view key);

}  // namespace tcpkit::kv::aof
