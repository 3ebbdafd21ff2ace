// libFuzzer target: the commit file parser (`_delta_log/<version>.json`), one JSON
// action per line. Property: no crash, and whatever parses serialises to a commit
// file that parses back to the same serialisation (what we write, we read).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "delta/base/action_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace deltaline::delta;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto actions = ParseCommitFile(text, "fuzz.json");
  if (!actions.ok()) return 0;
  const std::string once = SerializeCommitFile(*actions);
  auto again = ParseCommitFile(once, "fuzz-reserialised.json");
  if (!again.ok()) {
    std::fprintf(stderr, "re-parse of our own serialisation failed: %s\n%s\n",
                 again.status().ToString().c_str(), once.c_str());
    std::abort();
  }
  if (SerializeCommitFile(*again) != once) {
    std::fprintf(stderr, "serialisation is not stable:\n%s\n", once.c_str());
    std::abort();
  }
  return 0;
}
