// The include order: every `#include "..."` in src/ must point down the declared order
// of layers, and inside delta/ down the declared order of its sub-folders. This file is
// the one place where that order is declared (docs/architecture.md describes it and
// points here). A wrong-way include fails this test, naming file:line and both folders.
//
// The rule, for a source under src/:
// - Layers (DeclaredLayers): a file may include its own layer and any lower-ranked layer.
//   Layers of equal rank are siblings and never include each other.
// - delta/'s sub-folders (DeclaredDeltaFolders): the same, by sub-folder rank. A file
//   directly in src/delta/ or in an undeclared folder is itself an error: declare the
//   folder here first.
// - `*_internal.h` is private to its folder: only files of that folder include it.
// - Library sources never include test, benchmark or fuzz headers.
// - Tests (`*_test.cc` under src/) are looser inside their layer: a test may include
//   any folder of its OWN layer (a skipping test may use the writer to build a table),
//   never a higher layer, and may include the test support library (tests/).
// - `deltaline/version.h` is generated into the build tree and open to everyone.
//
// tests/, bench/ and fuzz/ sit above every layer: they are clients of the whole
// library, as the CLI is, so the layer order says nothing about what they include. They
// are scanned only for includes that do not resolve (a stale path after a move) and for
// `*_internal.h` headers used outside a `*_test.cc` beside them.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "test_util.h"

namespace deltaline {
namespace {

namespace fs = std::filesystem;

struct Folder {
  std::string name;
  int rank;
};

// delta/ ← storage/ ← engine/ ← pipeline/, obs/ ← anatomy/, runs/ ← cli/, python/
// (engine, pipeline, obs, anatomy and python are declared before they exist.)
const std::vector<Folder>& DeclaredLayers() {
  static const std::vector<Folder> kLayers = {
      {"delta", 0},   {"storage", 1}, {"engine", 2}, {"pipeline", 3}, {"obs", 3},
      {"anatomy", 4}, {"runs", 4},    {"cli", 5},    {"python", 5},
  };
  return kLayers;
}

// delta/: base/ ← table/ ← predicate/ ← checkpoint/ ← log/ ← scan/ ← write/ ← ops/
const std::vector<Folder>& DeclaredDeltaFolders() {
  static const std::vector<Folder> kFolders = {
      {"base", 0}, {"table", 1}, {"predicate", 2}, {"checkpoint", 3},
      {"log", 4},  {"scan", 5},  {"write", 6},     {"ops", 7},
  };
  return kFolders;
}

// Generated headers (src/version.h.in → build/.../deltaline/version.h): open to all.
bool IsGenerated(const std::string& spelled) { return spelled == "deltaline/version.h"; }

std::optional<int> RankOf(const std::vector<Folder>& folders, const std::string& name) {
  for (const auto& folder : folders) {
    if (folder.name == name) return folder.rank;
  }
  return std::nullopt;
}

std::vector<std::string> Components(const std::string& path) {
  std::vector<std::string> parts;
  for (const auto& part : fs::path(path)) parts.push_back(part.string());
  return parts;
}

// Where a repository-relative file sits in the declared order.
struct Place {
  std::string top;     // "src", "tests", "bench", "fuzz"
  std::string layer;   // for src/: "delta", "storage", ...
  std::string sub;     // for src/delta/: "base", "table", ...; "" directly in delta/
  std::string folder;  // the file's folder, e.g. "src/delta/log"
};

Place PlaceOf(const std::string& rel) {
  Place place;
  const auto parts = Components(rel);
  place.folder = fs::path(rel).parent_path().generic_string();
  if (!parts.empty()) place.top = parts[0];
  if (place.top == "src" && parts.size() > 2) place.layer = parts[1];
  if (place.layer == "delta" && parts.size() > 3) place.sub = parts[2];
  return place;
}

std::string Describe(const Place& place) {
  if (place.top != "src") return place.top + "/";
  if (place.layer.empty()) return "src/";
  if (place.layer == "delta" && !place.sub.empty()) return "delta/" + place.sub + "/";
  return place.layer + "/";
}

bool IsTestSource(const std::string& rel) {
  return rel.size() > 8 && rel.compare(rel.size() - 8, 8, "_test.cc") == 0;
}

bool IsInternalHeader(const std::string& rel) {
  return rel.size() > 11 && rel.compare(rel.size() - 11, 11, "_internal.h") == 0;
}

/// \brief Resolves an include as the build does: a path naming a declared layer is
/// under src/; otherwise the includer's own folder, then tests/ (the test support
/// library's include directory). Returns "" when nothing matches. `exists` answers for
/// repository-relative paths.
std::string Resolve(const std::string& includer, const std::string& spelled,
                    const std::function<bool(const std::string&)>& exists) {
  const auto parts = Components(spelled);
  if (!parts.empty() && RankOf(DeclaredLayers(), parts[0])) return "src/" + spelled;
  const std::string beside =
      (fs::path(includer).parent_path() / spelled).lexically_normal().generic_string();
  if (exists(beside)) return beside;
  if (exists("tests/" + spelled)) return "tests/" + spelled;
  return "";
}

/// \brief The whole rule for one include. Returns why it is wrong, or nullopt.
/// `includer` is repository-relative ("src/delta/log/snapshot.cc"); `spelled` is the
/// text between the quotes.
std::optional<std::string> CheckInclude(
    const std::string& includer, const std::string& spelled,
    const std::function<bool(const std::string&)>& exists) {
  if (IsGenerated(spelled)) return std::nullopt;
  const std::string target = Resolve(includer, spelled, exists);
  if (target.empty()) return "does not resolve to a file of the repository";
  const Place from = PlaceOf(includer);
  const Place to = PlaceOf(target);
  const bool test = IsTestSource(includer) || from.top != "src";

  if (IsInternalHeader(target) && from.folder != to.folder) {
    return "includes " + target + ", private (*_internal.h) to " + to.folder + "/";
  }
  if (from.top != "src") return std::nullopt;  // tests/, bench/, fuzz/: clients of all

  const auto from_layer = RankOf(DeclaredLayers(), from.layer);
  if (!from_layer) {
    return "sits in " + Describe(from) + ", which is not a declared layer: declare it";
  }
  if (to.top != "src") {
    if (IsTestSource(includer) && to.top == "tests") return std::nullopt;
    return "library code (" + Describe(from) + ") includes " + Describe(to) + " code (" +
           target + ")";
  }
  const auto to_layer = RankOf(DeclaredLayers(), to.layer);
  if (!to_layer) return "includes " + Describe(to) + ", which is not a declared layer";
  if (from.layer != to.layer) {
    if (*to_layer > *from_layer) {
      return Describe(from) + " includes the higher layer " + Describe(to);
    }
    if (*to_layer == *from_layer) {
      return Describe(from) + " includes its sibling layer " + Describe(to);
    }
    return std::nullopt;
  }
  if (from.layer != "delta") return std::nullopt;

  const auto from_sub = RankOf(DeclaredDeltaFolders(), from.sub);
  const auto to_sub = RankOf(DeclaredDeltaFolders(), to.sub);
  if (!from_sub) {
    return "sits in " + Describe(from) + ", which is not a declared delta/ folder";
  }
  if (!to_sub) {
    return "includes " + Describe(to) + ", which is not a declared delta/ folder";
  }
  if (*to_sub > *from_sub && !test) {
    return Describe(from) + " includes the later folder " + Describe(to) +
           " (order: base table predicate checkpoint log scan write ops)";
  }
  return std::nullopt;
}

struct Violation {
  std::string where;  // file:line
  std::string include;
  std::string why;
};

std::vector<Violation> ScanTree() {
  const fs::path root = DELTALINE_SOURCE_DIR;
  const auto exists = [&root](const std::string& rel) {
    return fs::is_regular_file(root / rel);
  };
  const std::regex include_line(R"re(^\s*#\s*include\s*"([^"]+)")re");
  std::vector<Violation> violations;
  for (const char* top : {"src", "tests", "bench", "fuzz"}) {
    if (!fs::exists(root / top)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(root / top)) {
      const auto ext = entry.path().extension().string();
      if (!entry.is_regular_file() || (ext != ".cc" && ext != ".h")) continue;
      const std::string rel = fs::relative(entry.path(), root).generic_string();
      std::ifstream in(entry.path());
      std::string line;
      for (int line_no = 1; std::getline(in, line); ++line_no) {
        std::smatch match;
        if (!std::regex_search(line, match, include_line)) continue;
        if (auto why = CheckInclude(rel, match[1].str(), exists)) {
          violations.push_back(
              {rel + ":" + std::to_string(line_no), match[1].str(), *why});
        }
      }
    }
  }
  std::sort(violations.begin(), violations.end(),
            [](const Violation& a, const Violation& b) { return a.where < b.where; });
  return violations;
}

TEST(IncludeOrder, EveryIncludePointsDown) {
  const auto violations = ScanTree();
  for (const auto& violation : violations) {
    ADD_FAILURE() << violation.where << ": #include \"" << violation.include
                  << "\": " << violation.why;
  }
}

TEST(IncludeOrder, ScanSeesTheTree) {
  // Guards against a scan that silently reads nothing (a wrong root, a broken regex).
  const fs::path root = DELTALINE_SOURCE_DIR;
  ASSERT_TRUE(fs::is_regular_file(root / "src/delta/log/snapshot.h"))
      << "the declared tree moved: update this test and docs/architecture.md";
}

// Every folder under src/ (and under src/delta/) is declared.
TEST(IncludeOrder, EveryFolderIsDeclared) {
  const fs::path root = DELTALINE_SOURCE_DIR;
  for (const auto& entry : fs::directory_iterator(root / "src")) {
    if (!entry.is_directory()) continue;
    EXPECT_TRUE(RankOf(DeclaredLayers(), entry.path().filename().string()))
        << "src/" << entry.path().filename().string() << "/ is not a declared layer";
  }
  for (const auto& entry : fs::directory_iterator(root / "src/delta")) {
    EXPECT_TRUE(entry.is_directory())
        << entry.path() << " sits directly in src/delta/: put it in a sub-folder";
    if (!entry.is_directory()) continue;
    EXPECT_TRUE(RankOf(DeclaredDeltaFolders(), entry.path().filename().string()))
        << "src/delta/" << entry.path().filename().string()
        << "/ is not a declared delta/ folder";
  }
}

// The checker must be able to fail: fabricated includes, each checked alone.
TEST(IncludeOrder, CheckerReportsWrongWayIncludes) {
  // Only the test support library exists beside fabricated files; layer paths resolve
  // without asking.
  const auto support_exists = [](const std::string& rel) {
    return rel == "tests/test_util.h";
  };
  const auto check = [&](const std::string& from, const std::string& spelled) {
    return CheckInclude(from, spelled, support_exists);
  };
  const std::vector<std::pair<std::string, std::string>> wrong = {
      {"src/delta/base/x.cc", "delta/log/snapshot.h"},  // later delta/ folder
      {"src/delta/base/x.h", "delta/table/schema.h"},
      {"src/delta/log/x.cc", "delta/write/write.h"},
      {"src/delta/y.cc", "storage/storage_writer.h"},  // higher layer
      {"src/delta/scan/y.cc", "storage/storage_writer.h"},
      {"src/storage/x.cc", "cli/json_values.h"},
      {"src/storage/x_test.cc", "cli/json_values.h"},  // tests never go up a layer
      {"src/delta/write/x_test.cc", "storage/output_config.h"},
      {"src/cli/x.cc", "python/module.h"},  // sibling layers
      {"src/pipeline/x.cc", "obs/metrics.h"},
      {"src/delta/x.cc", "delta/base/errors.h"},  // not in a declared folder
      {"src/misc/x.cc", "delta/base/errors.h"},
      {"src/delta/log/x.cc", "test_util.h"},                 // library code uses tests/
      {"src/storage/x.cc", "delta/write/write_internal.h"},  // private header
      {"src/delta/write/x_test.cc", "delta/checkpoint/checkpoint_internal.h"},
      {"tests/x_test.cc", "delta/write/stats_internal.h"},
  };
  for (const auto& [from, spelled] : wrong) {
    const auto why = check(from, spelled);
    EXPECT_TRUE(why.has_value())
        << from << " including " << spelled << " was not reported";
  }
  // The message names both folders.
  const auto why = check("src/delta/base/x.cc", "delta/log/snapshot.h");
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("delta/base/"), std::string::npos) << *why;
  EXPECT_NE(why->find("delta/log/"), std::string::npos) << *why;
  const auto up = check("src/delta/y.cc", "storage/storage_writer.h");
  ASSERT_TRUE(up.has_value());
  EXPECT_NE(up->find("delta/"), std::string::npos) << *up;

  const std::vector<std::pair<std::string, std::string>> right = {
      {"src/delta/log/x.cc", "delta/log/snapshot.h"},
      {"src/delta/log/x.cc", "delta/base/errors.h"},
      {"src/delta/ops/x.cc", "delta/write/write.h"},
      {"src/storage/x.cc", "delta/write/write.h"},
      {"src/cli/x.cc", "storage/storage_writer.h"},
      {"src/python/x.cc", "engine/engine.h"},
      {"src/delta/predicate/x_test.cc", "delta/write/write.h"},  // tests: same layer
      {"src/delta/predicate/x_test.cc", "test_util.h"},
      {"src/delta/write/x_test.cc", "delta/write/stats_internal.h"},
      {"src/delta/base/x.cc", "deltaline/version.h"},
      {"tests/x_test.cc", "cli/json_values.h"},
      {"bench/x.cc", "storage/storage_writer.h"},
  };
  for (const auto& [from, spelled] : right) {
    const auto why = check(from, spelled);
    EXPECT_FALSE(why.has_value()) << from << " including " << spelled << ": " << *why;
  }
  const auto nothing_exists = [](const std::string&) { return false; };
  EXPECT_TRUE(CheckInclude("tests/x_test.cc", "gone.h", nothing_exists).has_value());
}

}  // namespace
}  // namespace deltaline
