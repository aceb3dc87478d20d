// Fuzzes the RDB loader (services/kv/rdb_loader.cpp): any input either loads or fails with an
// error that names the offset, never crashes or allocates past the input's size; a store that
// loaded saves to a file that loads again with the same keys. Run by ctest fuzz_replay.rdb_load
// over its corpus (tests/CMakeLists.txt): kv is not part of the fuzz preset's build.

#include <memory>

#include "fuzz_check.hpp"
#include "kv/rdb.hpp"

using namespace tcpkit::kv;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::int64_t kNowMs = 1'700'000'000'000;
  auto clock = std::make_shared<ManualClock>(kNowMs);
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  Store store(clock);
  auto loaded = rdb::load_string(store, input, "fuzz", EncodingLimits{}, kNowMs);
  if (!loaded) {
    FUZZ_CHECK(loaded.error().context().rfind("fuzz: offset ", 0) == 0);
    return 0;
  }
  std::string saved;
  {
    ShardLock all(store.shards(), kAllShards);
    saved = rdb::save_to_string(store, {kNowMs, 0, true, {}});
  }
  Store again(clock);
  auto reloaded = rdb::load_string(again, saved, "saved", EncodingLimits{}, kNowMs);
  FUZZ_CHECK(reloaded && reloaded->keys_loaded == loaded->keys_loaded);
  return 0;
}
