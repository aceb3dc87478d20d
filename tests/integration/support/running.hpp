#pragma once
// Running: a Server on its own thread, for in-process tests of the concurrency models.

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "tcpkit/server/server.hpp"

namespace tcpkit::server {

// A Server on 127.0.0.1:0 running on a thread of its own.
class Running {
 public:
  Running(ServerOptions options, Service& service) : server_(std::move(options), service) {
    options_ok_ = server_.open().ok();
    start();
  }
  ~Running() { stop(); }

  bool ok() const { return options_ok_; }
  Server& server() { return server_; }
  std::string address() const { return server_.local_endpoints().at(0); }

  void start() {
    if (!options_ok_) return;
    thread_ = std::thread([this] { result_ok_ = server_.run().ok(); });
  }
  // stop() from this (another) thread; returns how long run() took to return.
  std::chrono::milliseconds stop() {
    if (!thread_.joinable()) return std::chrono::milliseconds(0);
    const auto t0 = std::chrono::steady_clock::now();
    server_.stop();
    thread_.join();
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 t0);
  }
  bool run_ok() const { return result_ok_; }

 private:
  Server server_;
  bool options_ok_ = false;
  std::atomic<bool> result_ok_{false};
  std::thread thread_;
};

}  // namespace tcpkit::server
