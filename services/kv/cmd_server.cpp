// Server commands: INFO DBSIZE FLUSHDB FLUSHALL TIME FUNCTION (CONFIG: cmd_config.cpp,
// COMMAND: cmd_command.cpp).

#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <string>

#include "kv/cmd_util.hpp"
#include "kv/scripting.hpp"
#include "kv/snapshots.hpp"
#include "tcpkit/server/stats.hpp"

namespace tcpkit::kv::cmd {

namespace {

// Redis's bytesToHuman: "1023B", "1.00K", "2.50M", "1.00G".
std::string human_bytes(std::uint64_t n) {
  char buf[32];
  const double d = static_cast<double>(n);
  if (n < 1024) return std::to_string(n) + "B";
  if (n < 1024ull * 1024)
    std::snprintf(buf, sizeof(buf), "%.2fK", d / 1024);
  else if (n < 1024ull * 1024 * 1024)
    std::snprintf(buf, sizeof(buf), "%.2fM", d / (1024 * 1024));
  else
    std::snprintf(buf, sizeof(buf), "%.2fG", d / (1024.0 * 1024 * 1024));
  return buf;
}

class InfoText {
 public:
  void section(std::string_view title) {
    if (!text_.empty()) text_ += "\r\n";
    text_ += "# ", text_ += title, text_ += "\r\n";
  }
  void field(std::string_view name, std::string_view value) {
    text_ += name, text_ += ':', text_ += value, text_ += "\r\n";
  }
  void field(std::string_view name, std::uint64_t value) { field(name, std::to_string(value)); }
  std::string& text() { return text_; }

 private:
  std::string text_;
};

void info_server(InfoText& info, CommandContext& ctx) {
  const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::steady_clock::now() - ctx.service.started())
                          .count();
  info.section("Server");
  info.field("redis_version", "7.0.15");
  info.field("redis_mode", "standalone");
  info.field("tcpkit_service", "kv");
  info.field("arch_bits", "64");
  info.field("multiplexing_api", "epoll");
  info.field("process_id", static_cast<std::uint64_t>(::getpid()));
  info.field("uptime_in_seconds", static_cast<std::uint64_t>(uptime));
  info.field("uptime_in_days", static_cast<std::uint64_t>(uptime / 86400));
  info.field("hz", "10");
  info.field("config_file", "");
}

void info_clients(InfoText& info, CommandContext& ctx) {
  info.section("Clients");
  info.field("connected_clients", ctx.service.clients().size());
  info.field("maxclients", ctx.service.config().max_clients);
  info.field("blocked_clients", std::to_string(ctx.store.blocked().count()));
}

void info_memory(InfoText& info, CommandContext& ctx) {
  const std::uint64_t used = ctx.store.used_memory();
  const std::uint64_t peak = ctx.service.peak_memory();
  const std::uint64_t max = ctx.service.config().maxmemory;
  info.section("Memory");
  info.field("used_memory", used);
  info.field("used_memory_human", human_bytes(used));
  info.field("used_memory_peak", peak);
  info.field("used_memory_peak_human", human_bytes(peak));
  info.field("maxmemory", max);
  info.field("maxmemory_human", human_bytes(max));
  info.field("maxmemory_policy",
             eviction_policy_name(ctx.service.config().maxmemory_policy.load()));
  const ScriptEngine* scripts = ctx.service.scripting_if_started();
  const std::size_t lua = scripts != nullptr ? scripts->lua_memory() : 0;
  const std::size_t cached = scripts != nullptr ? scripts->scripts_memory() : 0;
  info.field("used_memory_lua", lua);
  info.field("used_memory_lua_human", human_bytes(lua));
  info.field("used_memory_scripts_eval", cached);
  info.field("number_of_cached_scripts", scripts != nullptr ? scripts->scripts_count() : 0);
  info.field("used_memory_scripts", cached);
  info.field("used_memory_scripts_human", human_bytes(cached));
}

void info_persistence(InfoText& info, CommandContext& ctx) {
  const Snapshots& s = ctx.service.snapshots();
  const auto now_s = static_cast<std::int64_t>(std::time(nullptr));
  info.section("Persistence");
  info.field("loading", "0");
  info.field("async_loading", "0");
  info.field("rdb_changes_since_last_save", ctx.store.changes() - s.changes_at_last_save());
  info.field("rdb_bgsave_in_progress", s.in_progress() ? "1" : "0");
  info.field("rdb_last_save_time", std::to_string(s.last_save_s()));
  info.field("rdb_last_bgsave_status", s.last_bgsave_ok() ? "ok" : "err");
  info.field("rdb_last_bgsave_time_sec", std::to_string(s.last_bgsave_seconds()));
  info.field("rdb_current_bgsave_time_sec", std::to_string(s.current_bgsave_seconds(now_s)));
  info.field("rdb_saves", s.saves());
  info.field("rdb_last_load_keys_expired", s.loaded_expired());
  info.field("rdb_last_load_keys_loaded", s.loaded_keys());
  const AofLog& aof = ctx.service.aof();
  info.field("aof_enabled", aof.enabled() ? "1" : "0");
  info.field("aof_rewrite_in_progress", aof.rewrite_in_progress() ? "1" : "0");
  info.field("aof_rewrite_scheduled", "0");
  info.field("aof_last_rewrite_time_sec", std::to_string(aof.last_rewrite_seconds()));
  info.field("aof_current_rewrite_time_sec",
             std::to_string(aof.rewrite_in_progress() ? now_s - aof.rewrite_started_s() : -1));
  info.field("aof_last_bgrewrite_status", aof.last_rewrite_ok() ? "ok" : "err");
  info.field("aof_rewrites", aof.rewrites());
  info.field("aof_rewrites_consecutive_failures", aof.rewrite_failures_in_a_row());
  info.field("aof_last_write_status", aof.write_failed() ? "err" : "ok");
  if (!aof.enabled()) return;
  info.field("aof_current_size", aof.current_size());
  info.field("aof_base_size", aof.base_size());
  info.field("aof_pending_rewrite", "0");
  info.field("aof_buffer_length", aof.buffer_length());
  info.field("aof_pending_bio_fsync", "0");
  info.field("aof_delayed_fsync", "0");
}

void info_stats(InfoText& info, CommandContext& ctx) {
  const server::Stats* stats = ctx.service.stats();
  auto counter = [stats](const std::atomic<std::uint64_t> server::Stats::*member) {
    return stats ? server::Stats::get(stats->*member) : 0;
  };
  info.section("Stats");
  info.field("total_connections_received", stats ? counter(&server::Stats::connections_accepted)
                                                 : ctx.service.clients().total_added());
  info.field("total_commands_processed", ctx.service.commands_processed());
  info.field("instantaneous_ops_per_sec", ctx.service.ops_per_sec());
  info.field("total_net_input_bytes", counter(&server::Stats::bytes_read));
  info.field("total_net_output_bytes", counter(&server::Stats::bytes_written));
  info.field("rejected_connections", counter(&server::Stats::connections_rejected));
  info.field("expired_keys", ctx.store.expired_keys());
  info.field("evicted_keys", std::to_string(ctx.store.evicted_keys()));
  info.field("keyspace_hits", ctx.service.keyspace_hits());
  info.field("keyspace_misses", ctx.service.keyspace_misses());
}

void info_keyspace(InfoText& info, CommandContext& ctx) {
  info.section("Keyspace");
  for (int i = 0; i < Store::kDatabases; ++i) {
    Database& db = ctx.store.db(i);
    if (db.size() == 0) continue;
    info.field("db" + std::to_string(i), "keys=" + std::to_string(db.size()) + ",expires=" +
                                             std::to_string(db.expires_size()) + ",avg_ttl=0");
  }
}

}  // namespace

void info(CommandContext& ctx) {
  using Writer = void (*)(InfoText&, CommandContext&);
  static constexpr std::pair<std::string_view, Writer> kSections[] = {
      {"server", info_server},           {"clients", info_clients}, {"memory", info_memory},
      {"persistence", info_persistence}, {"stats", info_stats},     {"keyspace", info_keyspace}};
  InfoText text;
  for (const auto& [name, write] : kSections) {
    bool wanted = ctx.args.size() == 1;
    for (std::size_t i = 1; i < ctx.args.size() && !wanted; ++i) {
      wanted = iequals(ctx.args[i], name) || iequals(ctx.args[i], "all") ||
               iequals(ctx.args[i], "default") || iequals(ctx.args[i], "everything");
    }
    if (wanted) write(text, ctx);
  }
  ctx.out.verbatim("txt", text.text());
}

void dbsize(CommandContext& ctx) { ctx.out.integer(static_cast<std::int64_t>(ctx.db().size())); }

namespace {

// FLUSHDB and FLUSHALL take an optional ASYNC or SYNC (both flush at once here).
bool flush_mode_ok(CommandContext& ctx) {
  if (ctx.args.size() == 1) return true;
  if (ctx.args.size() == 2 && (iequals(ctx.args[1], "async") || iequals(ctx.args[1], "sync"))) {
    return true;
  }
  ctx.error(KvError::kSyntax);
  return false;
}

}  // namespace

void flushdb(CommandContext& ctx) {
  if (!flush_mode_ok(ctx)) return;
  ctx.db().clear();
  ctx.ok();
}

void flushall(CommandContext& ctx) {
  if (!flush_mode_ok(ctx)) return;
  for (int i = 0; i < Store::kDatabases; ++i) ctx.store.db(i).clear();
  // As Redis's FLUSHALL: a running background save would write the old data; with save points
  // configured the empty dataset is saved at once.
  Snapshots& snapshots = ctx.service.snapshots();
  snapshots.kill_child();
  if (!ctx.service.save_points().empty()) {
    Result<void> r = snapshots.save(ctx.store, ctx.service.dump_path(), ctx.store.used_memory());
    if (!r) std::fprintf(stderr, "kv: FLUSHALL: saving failed: %s\n", r.error().message().c_str());
  }
  ctx.ok();
}

void time(CommandContext& ctx) {
  const std::int64_t us = ctx.store.clock().now_us();
  ctx.out.array(2);
  ctx.out.bulk(std::to_string(us / 1000000));
  ctx.out.bulk(std::to_string(us % 1000000));
}

}  // namespace tcpkit::kv::cmd
