// The library never prints: src/delta and src/storage report warnings and progress
// through delta::Reporter (delta/base/reporter.h) or a callback in their options, and
// the CLI decides what reaches the terminal. A write to the standard streams in a
// library source fails this test. Tests beside the sources (*_test.cc) may print.
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "test_util.h"

namespace deltaline {
namespace {

namespace fs = std::filesystem;

struct PrintPattern {
  std::string name;
  std::regex regex;
};

// Every ordinary way to the terminal: the iostreams, C stdio (snprintf into a buffer
// is fine), C++23 std::print, and the standard stream objects passed by name.
const std::vector<PrintPattern>& PrintPatterns() {
  static const std::vector<PrintPattern> kPatterns = {
      {"iostream object", std::regex(R"(\bstd::(cout|cerr|clog|wcout|wcerr)\b)")},
      {"<iostream>", std::regex(R"(#\s*include\s*<iostream>)")},
      {"stdio call",
       std::regex(R"(\b(printf|fprintf|vprintf|vfprintf|puts|fputs|putchar|)"
                  R"(perror|fwrite)\s*\()")},
      {"std::print", std::regex(R"(\bstd::(print|println)\s*\()")},
      {"C stream", std::regex(R"(\b(stdout|stderr)\b)")},
  };
  return kPatterns;
}

// Comments may talk about printing; only code counts. Strings stay (a "//" inside one
// only hides the rest of its line, which can hide a print but never invent one).
std::string StripComments(const std::string& text) {
  static const std::regex kBlock(R"(/\*[\s\S]*?\*/)");
  static const std::regex kLine(R"(//[^\n]*)");
  return std::regex_replace(std::regex_replace(text, kBlock, " "), kLine, "");
}

std::set<std::string> Matches(const std::string& code) {
  std::set<std::string> out;
  for (const auto& pattern : PrintPatterns()) {
    if (std::regex_search(code, pattern.regex)) out.insert(pattern.name);
  }
  return out;
}

TEST(LibraryNeverPrints, NoLibrarySourceWritesToTheStandardStreams) {
  const fs::path root = DELTALINE_SOURCE_DIR;
  int scanned = 0;
  for (const char* layer : {"src/delta", "src/storage"}) {
    for (const auto& entry : fs::recursive_directory_iterator(root / layer)) {
      const std::string ext = entry.path().extension().string();
      const std::string name = entry.path().filename().string();
      if (!entry.is_regular_file() || (ext != ".cc" && ext != ".h")) continue;
      if (name.size() > 8 && name.compare(name.size() - 8, 8, "_test.cc") == 0) continue;
      std::ifstream in(entry.path());
      std::stringstream text;
      text << in.rdbuf();
      ++scanned;
      auto found = Matches(StripComments(text.str()));
      std::string what;
      for (const auto& pattern : found) what += (what.empty() ? "" : ", ") + pattern;
      EXPECT_TRUE(found.empty())
          << fs::relative(entry.path(), root).generic_string() << " prints (" << what
          << "). The library reports through delta::Reporter or a callback in its "
             "options; the CLI installs one that writes to stderr.";
    }
  }
  EXPECT_GT(scanned, 50);  // the scan saw the library
}

TEST(LibraryNeverPrints, PatternsCatchTypicalUses) {
  for (const std::string use :
       {"std::cerr << \"x\";", "std::cout << v;", "#include <iostream>",
        "printf(\"%d\", n);", "fprintf(stderr, \"x\");", "std::fputs(s, f);",
        "std::println(\"{}\", x);", "std::fflush(stdout);"}) {
    EXPECT_FALSE(Matches(StripComments(use)).empty()) << use;
  }
  for (const std::string fine :
       {"std::snprintf(buf, sizeof(buf), \"%05zu\", n);", "reporter.Warn(message);",
        "// writes to std::cerr in the CLI", "/* printf(\"x\") */ int a;",
        "out << value;  // an ostringstream"}) {
    EXPECT_TRUE(Matches(StripComments(fine)).empty()) << fine;
  }
}

}  // namespace
}  // namespace deltaline
