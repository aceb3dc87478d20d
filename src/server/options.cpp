#include "tcpkit/server/options.hpp"

#include <array>
#include <thread>
#include <utility>

namespace tcpkit::server {

namespace {
constexpr std::array<std::pair<Model, std::string_view>, 5> kModelNames = {{
    {Model::kIterative, "iterative"},
    {Model::kFork, "fork"},
    {Model::kThread, "thread"},
    {Model::kEpoll, "epoll"},
    {Model::kReactors, "reactors"},
}};
}  // namespace

std::string_view to_string(Model model) {
  for (const auto& [m, name] : kModelNames) {
    if (m == model) return name;
  }
  return "unknown";
}

std::optional<Model> parse_model(std::string_view name) {
  for (const auto& [m, n] : kModelNames) {
    if (n == name) return m;
  }
  return std::nullopt;
}

unsigned ServerOptions::loop_count() const {
  if (model != Model::kReactors) return 1;
  if (threads > 0) return threads;
  unsigned cores = std::thread::hardware_concurrency();
  return cores > 0 ? cores : 1;
}

}  // namespace tcpkit::server
