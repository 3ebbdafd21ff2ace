// Replays inputs through a fuzz target's LLVMFuzzerTestOneInput without libFuzzer, so
// that the regression inputs and the seed corpus run in every build (gcc included).
//   <target>_replay FILE_OR_DIR...
// A target that finds a bug aborts (or a sanitizer reports it), which fails the test.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  std::set<fs::path> inputs;
  for (int arg_idx = 1; arg_idx < argc; ++arg_idx) {
    fs::path arg(argv[arg_idx]);
    if (fs::is_directory(arg)) {
      for (const auto& entry : fs::recursive_directory_iterator(arg)) {
        if (entry.is_regular_file()) inputs.insert(entry.path());
      }
    } else if (fs::exists(arg)) {
      inputs.insert(arg);
    }
  }
  for (const auto& path : inputs) {
    std::ifstream in(path, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), {});
    std::fprintf(stderr, "replay %s (%zu bytes)\n", path.c_str(), bytes.size());
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
  std::fprintf(stderr, "replayed %zu inputs\n", inputs.size());
  return 0;
}
