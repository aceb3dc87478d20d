// ZSkipList: the ordered index of a large sorted set (see zskiplist.hpp).

#include "kv/zskiplist.hpp"

#include <new>
#include <utility>

namespace tcpkit::kv {

ZSkipList::ZSkipList() : head_(make_node(kMaxLevel, 0, std::string())) {}

ZSkipList::~ZSkipList() {
  Node* x = head_->links()[0].forward;
  while (x != nullptr) {
    Node* next = x->links()[0].forward;
    free_node(x);
    x = next;
  }
  free_node(head_);
}

ZSkipList::Node* ZSkipList::make_node(int height, double score, std::string member) {
  void* memory = ::operator new(node_bytes(height));
  Node* node = ::new (memory) Node{std::move(member), score, nullptr, height};
  for (int i = 0; i < height; ++i) ::new (&node->links()[i]) Link{};
  return node;
}

void ZSkipList::free_node(Node* node) {
  node->~Node();
  ::operator delete(node);
}

int ZSkipList::random_height() {
  int height = 1;
  while (height < kMaxLevel && (rng_() & 3) == 0) ++height;
  return height;
}

void ZSkipList::find_path(double score, std::string_view member, Node** update,
                          std::size_t* rank) const {
  Node* x = head_;
  for (int i = level_ - 1; i >= 0; --i) {
    rank[i] = i == level_ - 1 ? 0 : rank[i + 1];
    for (Node* f = x->links()[i].forward;
         f != nullptr && zset_less(f->score, f->member, score, member); f = x->links()[i].forward) {
      rank[i] += x->links()[i].span;
      x = f;
    }
    update[i] = x;
  }
}

ZSkipList::Node* ZSkipList::insert(double score, std::string member) {
  Node* node = make_node(random_height(), score, std::move(member));
  link(node);
  return node;
}

void ZSkipList::link(Node* node) {
  Node* update[kMaxLevel];
  std::size_t rank[kMaxLevel];
  find_path(node->score, node->member, update, rank);
  if (node->height > level_) {
    for (int i = level_; i < node->height; ++i) {
      rank[i] = 0;
      update[i] = head_;
      head_->links()[i].span = length_;
    }
    level_ = node->height;
  }
  for (int i = 0; i < node->height; ++i) {
    Link& before = update[i]->links()[i];
    node->links()[i].forward = before.forward;
    node->links()[i].span = before.span - (rank[0] - rank[i]);
    before.forward = node;
    before.span = rank[0] - rank[i] + 1;
  }
  for (int i = node->height; i < level_; ++i) ++update[i]->links()[i].span;
  node->backward = update[0] == head_ ? nullptr : update[0];
  if (Node* next = node->links()[0].forward) {
    next->backward = node;
  } else {
    tail_ = node;
  }
  ++length_;
}

void ZSkipList::unlink(Node* node, Node** update) {
  for (int i = 0; i < level_; ++i) {
    Link& before = update[i]->links()[i];
    if (before.forward == node) {
      before.span += node->links()[i].span - 1;
      before.forward = node->links()[i].forward;
    } else {
      --before.span;
    }
  }
  if (Node* next = node->links()[0].forward) {
    next->backward = node->backward;
  } else {
    tail_ = node->backward;
  }
  while (level_ > 1 && head_->links()[level_ - 1].forward == nullptr) --level_;
  --length_;
}

void ZSkipList::update_score(Node* node, double score) {
  Node* prev = node->backward;
  Node* next = node->links()[0].forward;
  if ((prev == nullptr || zset_less(prev->score, prev->member, score, node->member)) &&
      (next == nullptr || zset_less(score, node->member, next->score, next->member))) {
    node->score = score;  // stays in place
    return;
  }
  Node* update[kMaxLevel];
  std::size_t rank[kMaxLevel];
  find_path(node->score, node->member, update, rank);
  unlink(node, update);
  node->score = score;
  link(node);
}

void ZSkipList::erase(Node* node) {
  Node* update[kMaxLevel];
  std::size_t rank[kMaxLevel];
  find_path(node->score, node->member, update, rank);
  unlink(node, update);
  free_node(node);
}

std::size_t ZSkipList::rank(const Node* node) const {
  Node* x = head_;
  std::size_t traversed = 0;
  for (int i = level_ - 1; i >= 0; --i) {
    for (Node* f = x->links()[i].forward;
         f != nullptr && !zset_less(node->score, node->member, f->score, f->member);
         f = x->links()[i].forward) {
      traversed += x->links()[i].span;
      x = f;
    }
    if (x == node) return traversed - 1;
  }
  return traversed - 1;
}

ZSkipList::Node* ZSkipList::at(std::size_t r) const {
  const std::size_t target = r + 1;
  Node* x = head_;
  std::size_t traversed = 0;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->links()[i].forward != nullptr && traversed + x->links()[i].span <= target) {
      traversed += x->links()[i].span;
      x = x->links()[i].forward;
    }
    if (traversed == target) return x;
  }
  return nullptr;
}

std::size_t ZSkipList::count_score_below(double score, bool inclusive) const {
  Node* x = head_;
  std::size_t traversed = 0;
  for (int i = level_ - 1; i >= 0; --i) {
    for (Node* f = x->links()[i].forward;
         f != nullptr && (inclusive ? f->score <= score : f->score < score);
         f = x->links()[i].forward) {
      traversed += x->links()[i].span;
      x = f;
    }
  }
  return traversed;
}

std::size_t ZSkipList::count_member_below(std::string_view member, bool inclusive) const {
  Node* x = head_;
  std::size_t traversed = 0;
  for (int i = level_ - 1; i >= 0; --i) {
    for (Node* f = x->links()[i].forward;
         f != nullptr &&
         (inclusive ? std::string_view(f->member) <= member : std::string_view(f->member) < member);
         f = x->links()[i].forward) {
      traversed += x->links()[i].span;
      x = f;
    }
  }
  return traversed;
}

}  // namespace tcpkit::kv
