#pragma once
// ZSkipList: the ordered index of a large sorted set — elements ordered by (score, member bytes)
// in a skiplist whose links carry spans, so rank queries and "the element at rank r" are
// O(log N) expected, like Redis's zskiplist (the published algorithm: Pugh's skiplist with a
// span per link, level probability 1/4, at most 32 levels).
//
// Theory of operation. Every node has a random height h (P(h > k) = 4^-k). Level i of the list
// links the nodes of height > i; each link records its span, the number of level-0 steps it
// jumps, so summing spans along a search path gives a rank.
//
//   level 2  head ─────────────(3)──────────────▶ c ──────(2)──────▶ nil
//   level 1  head ──(1)──▶ a ──────(2)────────▶ c ──(1)──▶ d ─(1)─▶ nil
//   level 0  head ──(1)──▶ a ──(1)──▶ b ──(1)──▶ c ──(1)──▶ d ─(1)─▶ nil
//
// Nodes own their member string and never move, so the member → node Dict of SortedSet keys
// its entries by views into the nodes. Levels are drawn from a fixed-seed generator, so a run is
// reproducible. Not thread-safe: guarded by the Store's mutex.

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>

namespace tcpkit::kv {

class ZSkipList {
 public:
  static constexpr int kMaxLevel = 32;

  struct Node;
  struct Link {
    Node* forward = nullptr;
    std::size_t span = 0;
  };
  struct Node {
    std::string member;
    double score = 0;
    Node* backward = nullptr;
    int height = 0;

    Link* links() { return reinterpret_cast<Link*>(this + 1); }
    Node* next() { return links()[0].forward; }
    Node* prev() { return backward; }
  };

  ZSkipList();
  ZSkipList(const ZSkipList&) = delete;
  ZSkipList& operator=(const ZSkipList&) = delete;
  ~ZSkipList();

  std::size_t size() const { return length_; }
  Node* first() const { return head_->links()[0].forward; }
  Node* last() const { return tail_; }

  // Allocates and links a node for (score, member), which must be absent.
  Node* insert(double score, std::string member);
  // Moves `node` to its place for `score` (the node stays the same object).
  void update_score(Node* node, double score);
  // Unlinks and frees `node`.
  void erase(Node* node);
  // Unlinks and frees the `count` nodes from 0-based rank `start` on, calling before_free(Node&)
  // for each: O(log N + count).
  template <class Fn>
  void erase_ranks(std::size_t start, std::size_t count, Fn&& before_free);

  // The 0-based rank of `node`: O(log N).
  std::size_t rank(const Node* node) const;
  // The node at 0-based rank `r` (< size()): O(log N).
  Node* at(std::size_t r) const;
  // How many elements have a score below `score` (or at most `score` when `inclusive`).
  std::size_t count_score_below(double score, bool inclusive) const;
  // How many elements come before the first one whose member is at least `member` (above it
  // when `inclusive`), searching by member alone: exact when all scores are equal, as Redis
  // requires for its lex commands.
  std::size_t count_member_below(std::string_view member, bool inclusive) const;

  // Bytes of one node of `height` levels (the member's buffer not included).
  static std::size_t node_bytes(int height) {
    return sizeof(Node) + static_cast<std::size_t>(height) * sizeof(Link);
  }

 private:
  static Node* make_node(int height, double score, std::string member);
  static void free_node(Node* node);
  int random_height();
  // Fills update[i] with the last node at level i that comes before (score, member), and
  // rank[i] with its rank (1-based, 0 for the head).
  void find_path(double score, std::string_view member, Node** update, std::size_t* rank) const;
  void link(Node* node);
  void unlink(Node* node, Node** update);

  Node* head_;
  Node* tail_ = nullptr;
  std::size_t length_ = 0;
  int level_ = 1;
  std::mt19937_64 rng_{0x7a5e7u};
};

// Orders (score, member) as a sorted set does: by score, then by member bytes (memcmp).
inline bool zset_less(double s1, std::string_view m1, double s2, std::string_view m2) {
  return s1 < s2 || (s1 == s2 && m1 < m2);
}

template <class Fn>
void ZSkipList::erase_ranks(std::size_t start, std::size_t count, Fn&& before_free) {
  if (count == 0) return;
  Node* update[kMaxLevel];
  Node* x = head_;
  std::size_t traversed = 0;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->links()[i].forward != nullptr && traversed + x->links()[i].span <= start) {
      traversed += x->links()[i].span;
      x = x->links()[i].forward;
    }
    update[i] = x;
  }
  // The predecessors in update[] stay the predecessors of each next victim.
  x = x->links()[0].forward;
  while (x != nullptr && count-- > 0) {
    Node* next = x->links()[0].forward;
    unlink(x, update);
    before_free(*x);
    free_node(x);
    x = next;
  }
}

}  // namespace tcpkit::kv
