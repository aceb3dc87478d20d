// CONFIG GET / SET / RESETSTAT / REWRITE / HELP over the settings kv has. Settings that only
// exist for client compatibility (appendonly, databases, ...) report Redis's defaults.

#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "kv/cmd_util.hpp"
#include "kv/notify.hpp"
#include "kv/snapshots.hpp"

namespace tcpkit::kv::cmd {

namespace {

// Redis's memtoull: digits with an optional unit (b, k, kb, m, mb, g, gb; case-insensitive). A
// number too big for 64 bits saturates, as strtoull's does, so the caller's range check (not
// the parse) refuses it.
std::optional<std::uint64_t> parse_memory(std::string_view s) {
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec == std::errc::result_out_of_range) {
    n = std::numeric_limits<std::uint64_t>::max();
  } else if (ec != std::errc() || end == s.data()) {
    return std::nullopt;
  }
  std::string_view unit(end, static_cast<std::size_t>(s.data() + s.size() - end));
  static constexpr std::pair<std::string_view, std::uint64_t> kUnits[] = {
      {"", 1},
      {"b", 1},
      {"k", 1000},
      {"kb", 1024},
      {"m", 1000 * 1000},
      {"mb", 1024 * 1024},
      {"g", 1000ull * 1000 * 1000},
      {"gb", 1024ull * 1024 * 1024}};
  for (const auto& [name, factor] : kUnits) {
    if (!iequals(unit, name)) continue;
    if (__builtin_mul_overflow(n, factor, &n)) n = std::numeric_limits<std::uint64_t>::max();
    return n;
  }
  return std::nullopt;
}

constexpr std::int64_t kIntMin = std::numeric_limits<std::int32_t>::min();
constexpr std::int64_t kIntMax = std::numeric_limits<std::int32_t>::max();
constexpr std::int64_t kLongMax = std::numeric_limits<std::int64_t>::max();

// A setting: either get/set functions, or an encoding threshold (`field`), an integer in
// [min, max] or a memory value (`memory`, units allowed).
struct Param {
  std::string_view name;
  std::string (*get)(KvConfig&) = nullptr;
  // Applies `value`; returns the error reply text, or "" when accepted.
  std::string (*set)(KvConfig&, std::string_view name, std::string_view value) = nullptr;
  Relaxed<std::int64_t> EncodingLimits::*field = nullptr;
  bool memory = false;
  std::int64_t min = 0, max = kLongMax;
};

// A memory setting in [min, max] (units allowed); `max` is 2^63-1 unless the setting takes any
// 64-bit value (maxmemory).
std::string set_memory_in_range(std::string_view name, std::string_view value, std::uint64_t min,
                                std::uint64_t& target, std::uint64_t max = kLongMax) {
  auto v = parse_memory(value);
  if (!v) return config_set_failed_error(name, ConfigReason::kNotMemory);
  if (*v < min || *v > max) {
    return config_set_failed_error(name, ConfigReason::kTooSmall, static_cast<std::int64_t>(min),
                                   static_cast<std::int64_t>(max));
  }
  target = *v;
  return {};
}

// An integer setting in [min, max] (Redis's string2ll: no spaces, no overflow).
std::string set_integer(std::string_view name, std::string_view value, std::int64_t min,
                        std::int64_t max, std::int64_t& target) {
  auto v = parse_int(value);
  if (!v) return config_set_failed_error(name, ConfigReason::kNotInteger);
  if (*v < min || *v > max) return config_set_failed_error(name, ConfigReason::kTooSmall, min, max);
  target = *v;
  return {};
}

// An encoding threshold given as a memory value, in [0, 2^63-1].
std::string set_memory(std::string_view name, std::string_view value, std::int64_t& target) {
  std::uint64_t bytes = 0;
  std::string err = set_memory_in_range(name, value, 0, bytes);
  if (err.empty()) target = static_cast<std::int64_t>(bytes);
  return err;
}

std::string yes_no(const Relaxed<bool>& b) { return b.load() ? "yes" : "no"; }

std::string set_yes_no(std::string_view name, std::string_view value, Relaxed<bool>& target) {
  if (!iequals(value, "yes") && !iequals(value, "no")) {
    return config_set_failed_error(name, ConfigReason::kNotYesNo);
  }
  target = iequals(value, "yes");
  return {};
}

std::string immutable(KvConfig&, std::string_view name, std::string_view) {
  return config_set_failed_error(name, ConfigReason::kImmutable);
}

const Param kParams[] = {
    // Scripts: past this many milliseconds other clients get BUSY (lua-time-limit: its old
    // name, an alias).
    {"busy-reply-threshold",
     [](KvConfig& c) { return std::to_string(c.busy_reply_threshold_ms.load()); },
     [](KvConfig& c, std::string_view n, std::string_view v) {
       std::int64_t ms = 0;
       std::string err = set_integer(n, v, 0, kLongMax, ms);
       if (err.empty()) c.busy_reply_threshold_ms = ms;
       return err;
     }},
    {"lua-time-limit", [](KvConfig& c) { return std::to_string(c.busy_reply_threshold_ms.load()); },
     [](KvConfig& c, std::string_view n, std::string_view v) {
       std::int64_t ms = 0;
       std::string err = set_integer(n, v, 0, kLongMax, ms);
       if (err.empty()) c.busy_reply_threshold_ms = ms;
       return err;
     }},
    {"maxmemory", [](KvConfig& c) { return std::to_string(c.maxmemory.load()); },
     [](KvConfig& c, std::string_view n, std::string_view v) {
       std::uint64_t bytes = 0;
       std::string err =
           set_memory_in_range(n, v, 0, bytes, std::numeric_limits<std::uint64_t>::max());
       if (err.empty()) c.maxmemory = bytes;
       return err;
     }},
    {"notify-keyspace-events", [](KvConfig& c) { return notify_flags_text(c.events->flags()); },
     [](KvConfig& c, std::string_view n, std::string_view v) {
       auto flags = parse_notify_flags(v);
       if (!flags) return config_set_failed_error(n, error_text(KvError::kNotifyClass));
       c.events->set_flags(*flags);
       return std::string();
     }},
    {"requirepass", [](KvConfig& c) { return c.requirepass; },
     [](KvConfig& c, std::string_view, std::string_view v) {
       c.requirepass.assign(v);
       return std::string();
     }},
    {"maxclients", [](KvConfig& c) { return std::to_string(c.max_clients.load()); },
     [](KvConfig& c, std::string_view n, std::string_view v) {
       auto clients = parse_int(v);
       if (!clients) return config_set_failed_error(n, ConfigReason::kNotInteger);
       if (*clients < 1) return config_set_failed_error(n, ConfigReason::kTooSmall, 1);
       c.max_clients = static_cast<std::size_t>(*clients);
       return std::string();
     }},
    {"proto-max-bulk-len", [](KvConfig& c) { return std::to_string(c.max_bulk_length.load()); },
     [](KvConfig& c, std::string_view n, std::string_view v) {
       std::uint64_t bytes = 0;
       std::string err = set_memory_in_range(n, v, 1024 * 1024, bytes);
       if (err.empty()) c.max_bulk_length = static_cast<std::size_t>(bytes);
       return err;
     }},
    {"protected-mode", [](KvConfig& c) { return std::string(c.protected_mode ? "yes" : "no"); },
     [](KvConfig& c, std::string_view n, std::string_view v) {
       if (!iequals(v, "yes") && !iequals(v, "no")) {
         return config_set_failed_error(n, ConfigReason::kNotYesNo);
       }
       c.protected_mode = iequals(v, "yes");
       return std::string();
     }},
    {"save", [](KvConfig& c) { return c.save; },
     [](KvConfig& c, std::string_view n, std::string_view v) {
       if (!parse_save_points(v)) {
         return config_set_failed_error(n, error_text(KvError::kInvalidSaveParams));
       }
       c.save.assign(v);
       return std::string();
     }},
    {"dir", [](KvConfig& c) { return c.dir; },
     [](KvConfig& c, std::string_view n, std::string_view v) {
       // Redis chdir()s and reports getcwd(); kv keeps the process's directory and the path.
       const std::string wanted(v);
       char* real = ::realpath(wanted.c_str(), nullptr);
       struct stat st {};
       if (real == nullptr || ::stat(real, &st) != 0 || !S_ISDIR(st.st_mode)) {
         const int err = real == nullptr ? errno : ENOTDIR;
         std::free(real);
         return config_set_failed_error(n, std::strerror(err));
       }
       c.dir = real;
       std::free(real);
       return std::string();
     }},
    {"dbfilename", [](KvConfig& c) { return c.dbfilename; },
     [](KvConfig& c, std::string_view n, std::string_view v) {
       if (v.find('/') != std::string_view::npos) {
         return config_set_failed_error(n, error_text(KvError::kDbfilenameIsPath));
       }
       c.dbfilename.assign(v);
       return std::string();
     }},
    {"rdbcompression", [](KvConfig& c) { return yes_no(c.rdbcompression); },
     [](KvConfig& c, std::string_view n, std::string_view v) {
       return set_yes_no(n, v, c.rdbcompression);
     }},
    {"rdbchecksum", [](KvConfig& c) { return yes_no(c.rdbchecksum); },
     [](KvConfig& c, std::string_view n, std::string_view v) {
       return set_yes_no(n, v, c.rdbchecksum);
     }},
    {"stop-writes-on-bgsave-error",
     [](KvConfig& c) { return yes_no(c.stop_writes_on_bgsave_error); },
     [](KvConfig& c, std::string_view n, std::string_view v) {
       return set_yes_no(n, v, c.stop_writes_on_bgsave_error);
     }},
    // The append-only file (aof_log.hpp). appendonly is applied by config_set() below.
    {"appendonly", [](KvConfig& c) { return std::string(c.appendonly.load() ? "yes" : "no"); },
     [](KvConfig& c, std::string_view n, std::string_view v) {
       if (!iequals(v, "yes") && !iequals(v, "no")) {
         return config_set_failed_error(n, ConfigReason::kNotYesNo);
       }
       c.appendonly = iequals(v, "yes");
       return std::string();
     }},
    {"appendfsync", [](KvConfig& c) { return std::string(appendfsync_name(c.appendfsync)); },
     [](KvConfig& c, std::string_view n, std::string_view v) {
       auto policy = parse_appendfsync(v);
       if (!policy)
         return config_set_failed_error(
             n, "argument(s) must be one of the following: always, everysec, no");
       c.appendfsync = *policy;
       return std::string();
     }},
    {"appendfilename", [](KvConfig& c) { return c.appendfilename; }, immutable},
    {"appenddirname", [](KvConfig& c) { return c.appenddirname; }, immutable},
    {"auto-aof-rewrite-percentage",
     [](KvConfig& c) { return std::to_string(c.auto_aof_rewrite_percentage.load()); },
     [](KvConfig& c, std::string_view n, std::string_view v) {
       std::int64_t p = 0;
       std::string err = set_integer(n, v, 0, kIntMax, p);
       if (err.empty()) c.auto_aof_rewrite_percentage = p;
       return err;
     }},
    {"auto-aof-rewrite-min-size",
     [](KvConfig& c) { return std::to_string(c.auto_aof_rewrite_min_size.load()); },
     [](KvConfig& c, std::string_view n, std::string_view v) {
       std::uint64_t bytes = 0;
       std::string err = set_memory_in_range(n, v, 0, bytes);
       if (err.empty()) c.auto_aof_rewrite_min_size = bytes;
       return err;
     }},
    {"aof-use-rdb-preamble", [](KvConfig&) { return std::string("yes"); }, immutable},
    {"aof-load-truncated", [](KvConfig&) { return std::string("yes"); }, immutable},
    // Encoding thresholds, under 7.0's listpack names and the older ziplist aliases.
    {.name = "hash-max-listpack-entries", .field = &EncodingLimits::hash_max_listpack_entries},
    {.name = "hash-max-ziplist-entries", .field = &EncodingLimits::hash_max_listpack_entries},
    {.name = "hash-max-listpack-value",
     .field = &EncodingLimits::hash_max_listpack_value,
     .memory = true},
    {.name = "hash-max-ziplist-value",
     .field = &EncodingLimits::hash_max_listpack_value,
     .memory = true},
    {.name = "list-max-listpack-size",
     .field = &EncodingLimits::list_max_listpack_size,
     .min = kIntMin,
     .max = kIntMax},
    {.name = "list-max-ziplist-size",
     .field = &EncodingLimits::list_max_listpack_size,
     .min = kIntMin,
     .max = kIntMax},
    {.name = "list-compress-depth", .field = &EncodingLimits::list_compress_depth, .max = kIntMax},
    {.name = "set-max-intset-entries", .field = &EncodingLimits::set_max_intset_entries},
    {.name = "zset-max-listpack-entries", .field = &EncodingLimits::zset_max_listpack_entries},
    {.name = "zset-max-ziplist-entries", .field = &EncodingLimits::zset_max_listpack_entries},
    {.name = "zset-max-listpack-value",
     .field = &EncodingLimits::zset_max_listpack_value,
     .memory = true},
    {.name = "zset-max-ziplist-value",
     .field = &EncodingLimits::zset_max_listpack_value,
     .memory = true},
    {"databases", [](KvConfig&) { return std::string("16"); }, immutable},
    {"maxmemory-policy",
     [](KvConfig& c) { return std::string(eviction_policy_name(c.maxmemory_policy.load())); },
     [](KvConfig& c, std::string_view n, std::string_view v) {
       auto policy = parse_eviction_policy(v);
       if (policy) {
         c.maxmemory_policy = *policy;
         return std::string();
       }
       if (iequals(v, "allkeys-lfu") || iequals(v, "volatile-lfu")) {
         return config_set_failed_error(n, error_text(KvError::kLfuUnsupported));
       }
       return config_set_failed_error(n, error_text(KvError::kPolicyChoices));
     }},
    {.name = "maxmemory-samples",
     .get = [](KvConfig& c) { return std::to_string(c.maxmemory_samples.load()); },
     .set =
         [](KvConfig& c, std::string_view n, std::string_view v) {
           std::int64_t samples = 0;
           std::string err = set_integer(n, v, 1, kIntMax, samples);
           if (err.empty()) c.maxmemory_samples = samples;
           return err;
         }},
    {"timeout", [](KvConfig&) { return std::string("0"); }, immutable},
    {"client-output-buffer-limit",
     [](KvConfig&) {
       return std::string("normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
     },
     immutable},
};

std::string get_value(const Param& p, KvConfig& c) {
  return p.field ? std::to_string((c.encodings.*p.field).load()) : p.get(c);
}

std::string set_value(const Param& p, KvConfig& c, std::string_view value) {
  if (!p.field) return p.set(c, p.name, value);
  std::int64_t v = 0;
  std::string err =
      p.memory ? set_memory(p.name, value, v) : set_integer(p.name, value, p.min, p.max, v);
  if (err.empty()) c.encodings.*p.field = v;
  return err;
}

const Param* find_param(std::string_view name) {
  for (const Param& p : kParams) {
    if (iequals(p.name, name)) return &p;
  }
  return nullptr;
}

void config_get(CommandContext& ctx) {
  std::vector<const Param*> matched;
  for (const Param& p : kParams) {
    for (std::size_t i = 2; i < ctx.args.size(); ++i) {
      if (glob_match(ctx.args[i], p.name, true)) {
        matched.push_back(&p);
        break;
      }
    }
  }
  std::lock_guard lock(ctx.service.config_mutex());
  ctx.out.map(matched.size());
  for (const Param* p : matched) {
    ctx.out.bulk(p->name);
    ctx.out.bulk(get_value(*p, ctx.service.config()));
  }
}

void config_set(CommandContext& ctx) {
  if (ctx.args.size() % 2 != 0) return ctx.out.error(arity_error("config|set"));
  for (std::size_t i = 2; i < ctx.args.size(); i += 2) {
    if (find_param(ctx.args[i]) == nullptr) {
      return ctx.out.error(config_unknown_option_error(ctx.args[i]));
    }
  }
  // Applied to a copy first, so that a rejected value leaves every setting unchanged.
  std::lock_guard lock(ctx.service.config_mutex());
  KvConfig updated = ctx.service.config();
  for (std::size_t i = 2; i < ctx.args.size(); i += 2) {
    const Param* p = find_param(ctx.args[i]);
    if (p == nullptr) return ctx.out.error(config_unknown_option_error(ctx.args[i]));  // checked
    std::string err = set_value(*p, updated, ctx.args[i + 1]);
    if (!err.empty()) return ctx.out.error(err);
  }
  // appendonly: the log starts (a base written from the store, which CONFIG SET holds whole)
  // or stops before the setting changes; a log that cannot start leaves it "no".
  if (updated.appendonly.load() != ctx.service.aof().enabled()) {
    const AofLog::Paths paths{updated.dir, updated.appenddirname, updated.appendfilename};
    if (auto r = ctx.service.set_appendonly(updated.appendonly.load(), updated.appendfsync, paths);
        !r) {
      std::fprintf(stderr, "kv: cannot turn the append-only file on: %s\n",
                   r.error().message().c_str());
      return ctx.out.error(
          config_set_failed_error("appendonly", "Unable to turn on AOF. Check server logs."));
    }
  }
  if (ctx.service.aof().enabled()) ctx.service.aof().set_fsync(updated.appendfsync);
  ctx.service.config() = std::move(updated);
  ctx.service.config_changed();
  ctx.ok();
}

}  // namespace

void config(CommandContext& ctx) {
  std::string_view sub = ctx.args[1];
  if (iequals(sub, "get")) return config_get(ctx);
  if (iequals(sub, "set")) return config_set(ctx);
  if (iequals(sub, "resetstat")) return ctx.ok();
  if (iequals(sub, "rewrite")) return ctx.error(KvError::kConfigRewrite);
  static constexpr std::string_view kHelp[] = {
      "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "GET <pattern>",
      "    Return parameters matching the glob-like <pattern> and their values.",
      "SET <directive> <value>",
      "    Set the configuration <directive> to <value>.",
      "RESETSTAT",
      "    Reset statistics reported by the INFO command.",
      "REWRITE",
      "    Rewrite the configuration file.",
      "HELP",
      "    Prints this help."};
  ctx.out.array(std::size(kHelp));
  for (std::string_view line : kHelp) ctx.out.simple(line);
}

}  // namespace tcpkit::kv::cmd
