// The longest common subsequence (see lcs.hpp).

#include "kv/lcs.hpp"

#include <algorithm>
#include <limits>

namespace tcpkit::kv::lcs {

namespace {

// The (a+1) x (b+1) table of prefix LCS lengths: at(i, j) is the LCS of a[0..i) and b[0..j).
template <class Cell>
class Table {
 public:
  Table(std::string_view a, std::string_view b)
      : a_(a), b_(b), width_(b.size() + 1), cells_((a.size() + 1) * width_, 0) {
    for (std::size_t i = 1; i <= a.size(); ++i) {
      for (std::size_t j = 1; j <= b.size(); ++j) {
        cells_[i * width_ + j] = a[i - 1] == b[j - 1] ? static_cast<Cell>(at(i - 1, j - 1) + 1)
                                                      : std::max(at(i - 1, j), at(i, j - 1));
      }
    }
  }
  Cell at(std::size_t i, std::size_t j) const { return cells_[i * width_ + j]; }

  // Walks back from the corner: on a match both strings step back, otherwise the side whose
  // prefix keeps the longer LCS (b on a tie), Redis's walk, so ties resolve to its answer.
  Result walk(std::uint64_t min_match_len) const {
    Result r;
    r.length = at(a_.size(), b_.size());
    r.common.assign(r.length, '\0');
    std::size_t i = a_.size(), j = b_.size(), out = r.length;
    bool in_run = false;
    Match run{};
    const auto close_run = [&] {
      if (in_run && run.size() >= min_match_len) r.matches.push_back(run);
      in_run = false;
    };
    while (i > 0 && j > 0) {
      if (a_[i - 1] == b_[j - 1]) {
        r.common[--out] = a_[i - 1];
        if (!in_run) run = {i - 1, i - 1, j - 1, j - 1};
        run.a_first = i - 1;
        run.b_first = j - 1;
        in_run = true;
        --i, --j;
      } else {
        close_run();
        at(i - 1, j) > at(i, j - 1) ? --i : --j;
      }
    }
    close_run();
    return r;
  }

 private:
  std::string_view a_, b_;
  std::size_t width_;
  std::vector<Cell> cells_;
};

}  // namespace

bool fits(std::size_t a, std::size_t b, std::uint64_t max_bytes) {
  const std::uint64_t rows = a + 1, cols = b + 1;
  if (rows > std::numeric_limits<std::uint64_t>::max() / cols / 4) return false;
  return rows * cols * 4 <= max_bytes;
}

std::uint64_t length(std::string_view a, std::string_view b) {
  if (a.size() < b.size()) std::swap(a, b);  // rows over the longer, columns the shorter
  std::vector<std::uint32_t> prev(b.size() + 1, 0), cur(b.size() + 1, 0);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      cur[j] = a[i - 1] == b[j - 1] ? prev[j - 1] + 1 : std::max(prev[j], cur[j - 1]);
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

Result compute(std::string_view a, std::string_view b, std::uint64_t min_match_len) {
  if (std::min(a.size(), b.size()) < std::numeric_limits<std::uint16_t>::max()) {
    return Table<std::uint16_t>(a, b).walk(min_match_len);
  }
  return Table<std::uint32_t>(a, b).walk(min_match_len);
}

}  // namespace tcpkit::kv::lcs
