// The glob matcher: Redis's stringmatchlen semantics, quirks included (each expectation below
// was checked against redis-server 7.0.15; tests/clients/glob_differential.py compares random
// patterns with it), and a polynomial bound on the work, measured in steps, not time.

#include "kv/glob.hpp"

#include <gtest/gtest.h>

#include <string>

#include "kv_test_support.hpp"

namespace tcpkit::kv::testing {
namespace {

// The bound glob.hpp promises.
std::uint64_t bound(std::string_view pattern, std::string_view text) {
  return (pattern.size() + 1) * (text.size() + 1);
}

TEST(KvGlob, MatchesLikeRedis) {
  EXPECT_TRUE(glob_match("h?llo", "hello"));
  EXPECT_FALSE(glob_match("h?llo", "hllo"));
  EXPECT_TRUE(glob_match("h*llo", "heeeello"));
  EXPECT_TRUE(glob_match("h*llo", "hllo"));
  EXPECT_TRUE(glob_match("h[ae]llo", "hallo"));
  EXPECT_FALSE(glob_match("h[ae]llo", "hillo"));
  EXPECT_TRUE(glob_match("h[^e]llo", "hallo"));
  EXPECT_FALSE(glob_match("h[^e]llo", "hello"));
  EXPECT_TRUE(glob_match("h[a-b]llo", "hbllo"));
  EXPECT_TRUE(glob_match("h[b-a]llo", "hallo"));
  EXPECT_TRUE(glob_match("h\\*llo", "h*llo"));
  EXPECT_FALSE(glob_match("h\\*llo", "hello"));
  EXPECT_TRUE(glob_match("a*b*c", "axxbyyc"));
  EXPECT_FALSE(glob_match("a*b*c", "axxbyy"));
  EXPECT_TRUE(glob_match("a*", "a"));
  EXPECT_FALSE(glob_match("a", "ab"));
  EXPECT_TRUE(glob_match("MAX*", "maxmemory", true));
  EXPECT_FALSE(glob_match("MAX*", "maxmemory", false));
  EXPECT_TRUE(glob_match("[A-Z]x", "qx", true));
}

TEST(KvGlob, RedisQuirks) {
  // An empty text matches only the empty pattern.
  EXPECT_FALSE(glob_match("*", ""));
  EXPECT_FALSE(glob_match("**", ""));
  EXPECT_TRUE(glob_match("", ""));
  EXPECT_FALSE(glob_match("", "a"));
  // Unterminated classes run to the end of the pattern; "[" matches nothing, "[^" anything.
  EXPECT_TRUE(glob_match("[abc", "b"));
  EXPECT_FALSE(glob_match("[", "["));
  EXPECT_TRUE(glob_match("[^", "x"));
  EXPECT_FALSE(glob_match("[^", "xy"));
  // "[a-]" is the range a..']' (swapped), and the class goes on: "]x" are members too.
  EXPECT_TRUE(glob_match("[a-]x", "^"));
  EXPECT_TRUE(glob_match("[a-]x", "x"));
  EXPECT_FALSE(glob_match("[a-]x", "^x"));
  // Escapes: inside a class, case-sensitive even in nocase mode; a trailing '\' is literal.
  EXPECT_TRUE(glob_match("[\\]]", "]"));
  EXPECT_FALSE(glob_match("[\\A]", "a", true));
  EXPECT_TRUE(glob_match("[A]", "a", true));
  EXPECT_TRUE(glob_match("a\\", "a\\"));
  EXPECT_TRUE(glob_match("\\a", "a"));
  // Ranges compare signed chars: 0x80 sorts below 'a'.
  EXPECT_TRUE(glob_match("[\x80-a]", "0"));
  EXPECT_FALSE(glob_match("[a-\x80]", "z"));
  // The nesting guard: the 1001st star that is not last ends the match.
  std::string thousand, thousand_and_one;
  for (int i = 0; i < 1000; ++i) thousand += "*a";
  thousand_and_one = thousand + "*a";
  EXPECT_TRUE(glob_match(thousand, std::string(1000, 'a')));
  EXPECT_FALSE(glob_match(thousand_and_one, std::string(1001, 'a')));
  EXPECT_TRUE(glob_match(thousand + "*", std::string(1000, 'a')));
}

TEST(KvGlob, WorstCasesArePolynomial) {
  struct Case {
    std::string pattern;
    std::string text;
    bool match;
  };
  std::string stars_a;
  for (int i = 0; i < 14; ++i) stars_a += "*a";
  const std::vector<Case> cases = {
      {stars_a + "*b", std::string(5000, 'a'), false},
      {stars_a + "*b", std::string(5000, 'a') + "b", true},
      {stars_a + "*[b]", std::string(5000, 'a'), false},
      {"*?*?*?*?*?*?*?*?*?*?*?*?*x", std::string(5000, 'a'), false},
      {std::string(200, '*') + "ab", std::string(5000, 'a'), false},
      {"a*" + std::string(100, 'a') + "b", std::string(5000, 'a'), false},
      {"*[^a]*[^a]*[^a]*[^a]*[^a]*c", std::string(3000, 'b') + "ac", true},
  };
  for (const Case& c : cases) {
    std::uint64_t steps = 0;
    EXPECT_EQ(glob_match(c.pattern, c.text, false, &steps), c.match) << c.pattern;
    EXPECT_LE(steps, bound(c.pattern, c.text)) << c.pattern;
    EXPECT_EQ(glob_match(c.pattern, c.text, true, &steps), c.match) << c.pattern;
    EXPECT_LE(steps, bound(c.pattern, c.text)) << c.pattern;
  }
}

TEST(KvGlob, StepBoundHoldsForRandomPatterns) {
  std::uint64_t seed = 42;
  auto next = [&seed](std::uint64_t n) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return (seed >> 33) % n;
  };
  const std::string_view alphabet = "ab*?[]^-\\";
  for (int i = 0; i < 20000; ++i) {
    std::string pattern, text;
    for (std::uint64_t k = next(16); k > 0; --k) pattern += alphabet[next(alphabet.size())];
    for (std::uint64_t k = next(40); k > 0; --k) text += "ab-]"[next(4)];
    std::uint64_t steps = 0;
    glob_match(pattern, text, next(2) == 1, &steps);
    ASSERT_LE(steps, bound(pattern, text)) << pattern << " / " << text;
  }
}

// Through the commands that match: KEYS, SCAN MATCH, CONFIG GET.
TEST(KvGlob, CommandsUseTheMatcher) {
  Harness h;
  const std::string key(3000, 'a');
  EXPECT_EQ(h.run_args({"SET", key, "v"}), "+OK");
  EXPECT_EQ(h.run("SET ab v"), "+OK");
  std::string stars_a;
  for (int i = 0; i < 14; ++i) stars_a += "*a";
  EXPECT_EQ(h.run_args({"KEYS", stars_a + "*b"}), "[]");
  EXPECT_EQ(h.run_args({"SCAN", "0", "MATCH", stars_a + "*b", "COUNT", "100"}), "[\"0\", []]");
  EXPECT_EQ(h.run("KEYS a?"), "[\"ab\"]");
  EXPECT_EQ(h.run("CONFIG GET *a*a*a*a*a*a*a*a*a*b"), "[]");
  EXPECT_EQ(h.run("CONFIG GET PROTO-MAX-*"), "[\"proto-max-bulk-len\", \"536870912\"]");
  // The empty key: "*" is special-cased to match it, "**" is not (as in Redis); SCAN MATCH ""
  // matches only the empty key.
  EXPECT_EQ(h.run_args({"SET", "", "x"}), "+OK");
  EXPECT_EQ(h.run_args({"DEL", key}), ":1");
  EXPECT_EQ(h.run("KEYS **"), "[\"ab\"]");
  EXPECT_EQ(h.run_args({"SCAN", "0", "MATCH", "", "COUNT", "100"}), "[\"0\", [\"\"]]");
}

}  // namespace
}  // namespace tcpkit::kv::testing
