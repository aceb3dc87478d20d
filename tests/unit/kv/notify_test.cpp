// notify-keyspace-events: the setting's text both ways, as redis-server 7.0.15 parses and
// prints it (CONFIG SET then CONFIG GET, asked of redis-server by hand for these cases).
#include "kv/notify.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace tcpkit::kv {
namespace {

TEST(KvNotify, SettingRoundTripsAsRedisPrintsIt) {
  const std::pair<std::string, std::string> cases[] = {
      {"", ""},          {"KEA", "AKE"}, {"Ag", "A"},
      {"gK", "gK"},      {"g", "g"},     {"AKEm", "AKEm"},
      {"AKEmn", "AKEm"},  // n hides behind A
      {"ng", "gn"},      {"mn", "nm"},   {"KEn", "nKE"},
      {"xe", "xe"},      {"E", "E"},     {"KElshz$xegtdn", "AKE"}};
  for (const auto& [in, out] : cases) {
    auto flags = parse_notify_flags(in);
    ASSERT_TRUE(flags.has_value()) << in;
    EXPECT_EQ(notify_flags_text(*flags), out) << in;
  }
}

TEST(KvNotify, UnknownCharactersAreRefused) {
  EXPECT_FALSE(parse_notify_flags("Q").has_value());
  EXPECT_FALSE(parse_notify_flags("KEA ").has_value());
  EXPECT_FALSE(parse_notify_flags("a").has_value());
}

TEST(KvNotify, NothingIsPublishedWithoutKOrE) {
  KeyspaceEvents events;  // no PubSub attached: a publish would be a no-op, so ask wants()
  events.set_flags(*parse_notify_flags("g$"));
  EXPECT_TRUE(events.wants(kNotifyGeneric));
  EXPECT_FALSE(events.wants(kNotifyList));
  events.notify(kNotifyGeneric, "del", "k", 0);  // must not crash without K/E or PubSub
}

}  // namespace
}  // namespace tcpkit::kv
