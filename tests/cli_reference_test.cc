// The CLI reference (docs/cli/) checked against the real `deltaline --help`: every
// subcommand has a page in the agreed format, its `## Options` list is exactly what
// `--help` prints, the flags its examples use exist, the index links every page, and
// no page describes a command the binary does not have.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/cli_runner.h"
#include "test_util.h"

namespace deltaline {
namespace {

namespace fs = std::filesystem;

using testing::CliRun;
using testing::RunDeltaline;

const fs::path& DocsDir() {
  static const fs::path dir = fs::path(DELTALINE_SOURCE_DIR) / "docs" / "cli";
  return dir;
}

std::string ReadText(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string FirstWord(const std::string& text) {
  const size_t begin = text.find_first_not_of(' ');
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find(' ', begin) - begin);
}

// CLI11 prints an option or a positional at an indent of exactly two spaces, and wraps
// descriptions at a deeper indent; section titles ("Options:") are not indented.
bool IsItemLine(const std::string& line) {
  return line.size() > 2 && line[0] == ' ' && line[1] == ' ' && line[2] != ' ';
}

// The name an item goes by: `--long` of `-s,--long`, else the short or positional name.
std::string ItemName(const std::string& word) {
  std::string name = word;
  std::istringstream parts(word);
  for (std::string part; std::getline(parts, part, ',');) {
    if (part.rfind("--", 0) == 0) return part;
    if (name == word) name = part;
  }
  return name;
}

// Help text by section title ("Options", "Positionals", "Subcommands"...): the names
// of the items listed in it, in order.
std::map<std::string, std::vector<std::string>> HelpSections(const std::string& help) {
  std::map<std::string, std::vector<std::string>> sections;
  std::string section;
  for (const std::string& line : Lines(help)) {
    if (!line.empty() && line[0] != ' ' && line.back() == ':') {
      section = line.substr(0, line.size() - 1);
    } else if (!section.empty() && IsItemLine(line)) {
      sections[section].push_back(FirstWord(line));
    }
  }
  return sections;
}

std::string Help(const std::string& command) {
  static std::map<std::string, std::string> cache;
  auto it = cache.find(command);
  if (it != cache.end()) return it->second;
  CliRun run = RunDeltaline(command + " --help");
  EXPECT_EQ(run.exit_code, 0) << "deltaline " << command << " --help: " << run.out;
  return cache[command] = run.out;
}

const std::vector<std::string>& Subcommands() {
  static const std::vector<std::string> commands = HelpSections(Help(""))["Subcommands"];
  return commands;
}

// Every option and positional `deltaline <command> --help` prints, `--help` excepted.
std::set<std::string> HelpNames(const std::string& command) {
  std::set<std::string> names;
  for (const auto& [section, words] : HelpSections(Help(command))) {
    if (section == "Subcommands") continue;
    for (const std::string& word : words) {
      const std::string name = ItemName(word);
      if (name != "--help" && name != "-h") names.insert(name);
    }
  }
  return names;
}

// A page cut into its `## ` sections, code blocks kept whole (a `## ` inside a fence is
// text). Section "" holds what comes before the first `## `.
struct Page {
  std::string title;
  std::vector<std::string> order;
  std::map<std::string, std::vector<std::string>> body;
};

Page ParsePage(const std::string& text) {
  Page page;
  const std::vector<std::string> lines = Lines(text);
  if (!lines.empty()) page.title = lines[0];
  std::string section;
  bool in_fence = false;
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (line.rfind("```", 0) == 0) in_fence = !in_fence;
    if (!in_fence && line.rfind("## ", 0) == 0) {
      section = line.substr(3);
      page.order.push_back(section);
      continue;
    }
    page.body[section].push_back(line);
  }
  return page;
}

// The blocks fenced with ```<lang> in a section, one string per block.
std::vector<std::string> CodeBlocks(const std::vector<std::string>& section,
                                    const std::string& lang) {
  std::vector<std::string> blocks;
  bool in_block = false, wanted = false;
  for (const std::string& line : section) {
    if (line.rfind("```", 0) == 0) {
      if (!in_block) {
        in_block = true;
        wanted = line.substr(3) == lang;
        if (wanted) blocks.emplace_back();
      } else {
        in_block = false;
      }
    } else if (in_block && wanted) {
      blocks.back() += line + "\n";
    }
  }
  return blocks;
}

// The names of the top-level list items of `## Options`: `- `NAME ...`: text`.
std::vector<std::string> ListedOptions(const std::vector<std::string>& section) {
  std::vector<std::string> names;
  for (const std::string& line : section) {
    if (line.rfind("- `", 0) != 0 && line.rfind("* `", 0) != 0) continue;
    const size_t end = line.find('`', 3);
    if (end == std::string::npos) continue;
    names.push_back(ItemName(FirstWord(line.substr(3, end - 3))));
  }
  return names;
}

// Shell words of one command line: quotes grouped, a `#` word ends the line.
std::vector<std::string> ShellWords(const std::string& line) {
  std::vector<std::string> words;
  std::string word;
  char quote = 0;
  bool started = false;
  for (char c : line) {
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else {
        word += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      started = true;
    } else if (c == ' ' || c == '\t') {
      if (started) words.push_back(word);
      word.clear();
      started = false;
    } else {
      if (!started && c == '#') break;
      word += c;
      started = true;
    }
  }
  if (started) words.push_back(word);
  return words;
}

// Each `deltaline <subcommand> ...` call in a sh block (continuation lines joined),
// as (subcommand, flags used): the words up to the end of that command.
std::vector<std::pair<std::string, std::vector<std::string>>> DeltalineCalls(
    const std::string& block) {
  static const std::set<std::string> kEnds = {"|", "||", "&&", ";", ">", "2>", "<"};
  std::vector<std::pair<std::string, std::vector<std::string>>> calls;
  std::string joined;
  for (const std::string& line : Lines(block)) {
    if (!line.empty() && line.back() == '\\') {
      joined += line.substr(0, line.size() - 1) + " ";
      continue;
    }
    const std::vector<std::string> words = ShellWords(joined + line);
    joined.clear();
    for (size_t i = 0; i + 1 < words.size(); ++i) {
      const std::string& w = words[i];
      const bool is_cli =
          w == "deltaline" || (w.size() > 10 && w.substr(w.size() - 10) == "/deltaline");
      const auto& subs = Subcommands();
      if (!is_cli || std::find(subs.begin(), subs.end(), words[i + 1]) == subs.end()) {
        continue;
      }
      std::vector<std::string> flags;
      for (size_t j = i + 2; j < words.size() && kEnds.count(words[j]) == 0; ++j) {
        if (words[j].rfind("--", 0) == 0 && words[j].size() > 2) {
          flags.push_back(words[j].substr(0, words[j].find('=')));
        }
      }
      calls.emplace_back(words[i + 1], flags);
    }
  }
  return calls;
}

TEST(CliReferenceTest, TheBinaryListsItsSubcommands) {
  ASSERT_GE(Subcommands().size(), 10u) << "could not parse `deltaline --help`:\n"
                                       << Help("");
  const std::set<std::string> write = HelpNames("write");
  for (const char* name : {"TABLE", "--input", "--mode", "--json", "--run-mode"}) {
    EXPECT_EQ(write.count(name), 1u)
        << "`deltaline write --help` parsed without " << name;
  }
}

TEST(CliReferenceTest, EveryCommandHasAPageInTheFormat) {
  for (const std::string& command : Subcommands()) {
    const fs::path path = DocsDir() / (command + ".md");
    if (!fs::exists(path)) {
      ADD_FAILURE() << "deltaline " << command << ": no page " << path.string();
      continue;
    }
    const Page page = ParsePage(ReadText(path));
    EXPECT_EQ(page.title, "# deltaline " + command)
        << path.string() << " must start with `# deltaline " << command << "`";
    std::vector<std::string> wanted = {"Usage", "Options", "Examples"};
    std::vector<std::string> found;
    for (const std::string& s : page.order) {
      if (std::find(wanted.begin(), wanted.end(), s) != wanted.end()) found.push_back(s);
    }
    EXPECT_EQ(found, wanted) << path.string()
                             << ": needs `## Usage`, `## Options`, `## Examples`, "
                                "once each and in this order";
    auto body = [&](const std::string& s) {
      auto it = page.body.find(s);
      return it == page.body.end() ? std::vector<std::string>{} : it->second;
    };
    EXPECT_FALSE(CodeBlocks(body("Usage"), "text").empty())
        << path.string() << ": `## Usage` needs a ```text block with the synopsis";
    bool calls_command = false;
    for (const std::string& block : CodeBlocks(body("Examples"), "sh")) {
      for (const auto& call : DeltalineCalls(block)) {
        calls_command = calls_command || call.first == command;
      }
    }
    EXPECT_TRUE(calls_command) << path.string() << ": `## Examples` needs a ```sh block "
                               << "running `deltaline " << command << " ...`";
  }
}

TEST(CliReferenceTest, OptionsListExactlyWhatHelpPrints) {
  for (const std::string& command : Subcommands()) {
    const fs::path path = DocsDir() / (command + ".md");
    if (!fs::exists(path)) continue;  // reported by EveryCommandHasAPageInTheFormat
    const Page page = ParsePage(ReadText(path));
    const auto it = page.body.find("Options");
    const std::vector<std::string> listed =
        ListedOptions(it == page.body.end() ? std::vector<std::string>{} : it->second);
    const std::set<std::string> help = HelpNames(command);
    const std::set<std::string> documented(listed.begin(), listed.end());
    for (const std::string& name : help) {
      EXPECT_EQ(documented.count(name), 1u)
          << "deltaline " << command << ": `" << name << "` is in --help but not listed "
          << "under `## Options` of " << path.string();
    }
    for (const std::string& name : listed) {
      EXPECT_TRUE(help.count(name) == 1 || name == "--help")
          << "deltaline " << command << ": " << path.string() << " lists `" << name
          << "`, which `deltaline " << command << " --help` does not have";
    }
  }
}

TEST(CliReferenceTest, ExamplesUseOnlyFlagsTheCommandHas) {
  for (const std::string& command : Subcommands()) {
    const fs::path path = DocsDir() / (command + ".md");
    if (!fs::exists(path)) continue;
    const Page page = ParsePage(ReadText(path));
    for (const auto& [section, lines] : page.body) {
      for (const std::string& block : CodeBlocks(lines, "sh")) {
        for (const auto& [used, flags] : DeltalineCalls(block)) {
          const std::set<std::string> help = HelpNames(used);
          for (const std::string& flag : flags) {
            EXPECT_TRUE(help.count(flag) == 1 || flag == "--help")
                << path.string() << " (" << section << "): `deltaline " << used << " "
                << flag << "`: deltaline " << used << " has no option " << flag;
          }
        }
      }
    }
  }
}

TEST(CliReferenceTest, TheIndexLinksEveryPageAndNoPageIsStale) {
  const fs::path index = DocsDir() / "README.md";
  ASSERT_TRUE(fs::exists(index)) << index.string() << " is missing";
  const std::string text = ReadText(index);
  const auto& subs = Subcommands();
  for (const auto& entry : fs::directory_iterator(DocsDir())) {
    const std::string file = entry.path().filename().string();
    if (entry.path().extension() != ".md" || file == "README.md") continue;
    const std::string command = entry.path().stem().string();
    EXPECT_NE(text.find("(" + file + ")"), std::string::npos)
        << index.string() << " does not link " << file << " (deltaline " << command
        << ")";
    EXPECT_NE(std::find(subs.begin(), subs.end(), command), subs.end())
        << entry.path().string() << " documents `deltaline " << command
        << "`, which `deltaline --help` does not list";
  }
  for (const std::string& command : subs) {
    EXPECT_NE(text.find("(" + command + ".md)"), std::string::npos)
        << index.string() << " does not link deltaline " << command << " (" << command
        << ".md)";
  }
}

}  // namespace
}  // namespace deltaline
