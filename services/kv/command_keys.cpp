// Which keys a command touches, and so which shards it must hold (see command.hpp).

#include <algorithm>

#include "kv/command.hpp"
#include "kv/command_meta.hpp"
#include "kv/text.hpp"

namespace tcpkit::kv {

std::vector<KeyPosition> sort_keys(std::span<const std::string_view> args) {
  std::vector<KeyPosition> keys{{1, kKsRO | kKsAccess}};
  for (std::size_t i = 2; i < args.size(); ++i) {
    const std::size_t left = args.size() - i - 1;
    if (iequals(args[i], "limit") && left >= 2) {
      i += 2;
    } else if ((iequals(args[i], "get") || iequals(args[i], "by")) && left >= 1) {
      i += 1;
    } else if (iequals(args[i], "store") && left >= 1) {
      keys.push_back({i + 1, kKsOW | kKsUpdate});
      i += 1;
    }
  }
  return keys;
}

namespace {

ShardMask shards_of(std::span<const KeyPosition> keys, std::span<const std::string_view> args) {
  ShardMask mask = 0;
  for (const KeyPosition& k : keys) mask |= shard_bit(args[k.index]);
  return mask;
}

// SORT and SORT_RO: a BY or GET pattern may name any key ("GET #" reads none, but is rare
// enough not to matter), so those take every shard.
ShardMask sort_shards(std::span<const std::string_view> args) {
  for (std::size_t i = 2; i < args.size(); ++i) {
    if (iequals(args[i], "by") || iequals(args[i], "get")) return kAllShards;
  }
  return shards_of(sort_keys(args), args);
}

}  // namespace

ShardMask command_shards(const CommandSpec& spec, std::span<const std::string_view> args) {
  if ((spec.flags & kWholeKeyspace) != 0) return kAllShards;
  if (spec.handler == cmd::object) return args.size() >= 3 ? shard_bit(args[2]) : 0;
  if (spec.handler == cmd::sort || spec.handler == cmd::sort_ro) return sort_shards(args);
  if ((spec.flags & kMovableKeys) != 0) {
    const CommandMeta* meta = find_command_meta(spec.name);
    if (meta == nullptr) return kAllShards;
    const auto keys = keys_by_specs(meta->key_specs, args);
    // Arguments the specs cannot read make the command fail, but holding everything is cheap
    // next to reasoning about what a failing parser might touch first.
    return keys ? shards_of(*keys, args) : kAllShards;
  }
  if (spec.first_key <= 0) return 0;
  const auto argc = static_cast<int>(args.size());
  const int last = spec.last_key < 0 ? argc + spec.last_key : std::min(spec.last_key, argc - 1);
  ShardMask mask = 0;
  for (int i = spec.first_key; i <= last; i += spec.key_step) {
    mask |= shard_bit(args[static_cast<std::size_t>(i)]);
  }
  return mask;
}

}  // namespace tcpkit::kv
