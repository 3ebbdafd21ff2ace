#include "anatomy/extract_all.h"

#include <atomic>
#include <filesystem>
#include <sstream>

#include <gtest/gtest.h>

#include "anatomy/extract.h"
#include "anatomy/source_tree.h"
#include "anatomy/source_tree_test_util.h"
#include "test_util.h"

namespace deltaline::anatomy {
namespace {

namespace fs = std::filesystem;
using deltaline::testing::TempDir;

void DumpSpan(std::ostream& o, const Span& s) {
  o << " [" << s.start_byte << "," << s.end_byte << " " << s.start_line << ":"
    << s.start_col << "/" << s.start_char_col << "-" << s.end_line << ":" << s.end_col
    << "/" << s.end_char_col << "]";
}

/// Every field of a file's facts, one line per row: equal dumps, equal facts.
std::string Dump(const FileFacts& f) {
  std::ostringstream o;
  const SourceFile& s = f.file;
  o << s.path << " " << s.file_id << " " << s.module << " " << s.is_package_init << " "
    << s.size << " " << s.mtime_ns << " " << s.sha256 << " " << s.encoding << " "
    << s.first_invalid_byte << " [" << s.skip_reason << "] " << s.line_count << " "
    << s.text.size() << " err=" << f.has_error << "\n";
  for (const auto& d : f.definitions) {
    o << "def " << d.def_id << " " << d.parent_def_id.value_or(-1) << " " << d.kind << " "
      << d.is_async << " " << d.name << " " << d.qualname << " " << d.fqn;
    DumpSpan(o, d.span);
    for (const auto& x : d.decorators) o << " @" << x;
    for (const auto& x : d.bases) o << " base:" << x;
    for (const auto& x : d.params) o << " p:" << x;
    o << " " << d.positional_params << " " << d.keyword_only_params << " "
      << d.has_varargs << d.has_kwargs << d.has_docstring << "\n";
  }
  for (const auto& i : f.imports) {
    o << "imp " << i.import_id << " " << i.enclosing_def_id << " " << i.kind << " "
      << i.module << " " << i.level << " " << i.name << " " << i.alias << " "
      << i.bound_name << " " << i.is_star;
    DumpSpan(o, i.span);
    o << "\n";
  }
  for (const auto& c : f.call_sites) {
    o << "call " << c.call_id << " " << c.caller_def_id << " " << c.callee_text << " "
      << c.callee_shape << " " << c.receiver_text << " " << c.attribute_name << " "
      << c.positional_args << c.keyword_args << c.star_args << c.double_star_args
      << c.in_comprehension << c.is_decorator;
    DumpSpan(o, c.span);
    o << "\n";
  }
  for (const auto& b : f.bindings) {
    o << "bind " << b.scope_def_id << " " << b.name << " " << b.kind << " " << b.def_id
      << " " << b.import_index << " " << b.value_text << " " << b.param_index << " "
      << b.start_byte << "\n";
  }
  for (const auto& d : f.diagnostics) {
    o << "diag " << d.diagnostic_id << " " << d.kind << " " << d.expected << " "
      << d.snippet << " " << d.message;
    DumpSpan(o, d.span);
    o << "\n";
  }
  return o.str();
}

/// The reference: one extractor, one file after another.
std::vector<std::string> SequentialDumps(const std::string& root,
                                         std::vector<SourceFile> files) {
  auto extractor = Extractor::Make().ValueOrDie();
  std::vector<std::string> out;
  for (auto& f : files) {
    EXPECT_TRUE(LoadSourceFile(root, &f).ok());
    auto facts = extractor->Extract(std::move(f)).ValueOrDie();
    facts.file.text.clear();
    out.push_back(Dump(facts));
  }
  return out;
}

/// The fixture package and the bad-input tree side by side under one root.
std::map<std::string, std::string> MakeTree(const fs::path& root) {
  fs::copy(fs::path(DELTALINE_SOURCE_DIR) / "tests/anatomy/fixture", root / "fixture",
           fs::copy_options::recursive);
  return MakeBadTree(root / "bad");
}

TEST(ExtractAllTest, EqualsASequentialExtractionInInputOrder) {
  TempDir dir;
  MakeTree(dir.path());
  ASSERT_OK_AND_ASSIGN(auto listed, ListSourceTree(dir.str()));
  ASSERT_GE(listed.size(), 20u);
  // Input order is kept whatever it is: reverse the listing.
  std::reverse(listed.begin(), listed.end());
  const auto expected = SequentialDumps(dir.str(), listed);
  for (int threads : {1, 3}) {
    SCOPED_TRACE(threads);
    ExtractAllOptions options;
    options.threads = threads;
    ASSERT_OK_AND_ASSIGN(auto facts, LoadAndExtract(dir.str(), listed, options));
    ASSERT_EQ(facts.size(), expected.size());
    for (size_t i = 0; i < facts.size(); ++i) {
      EXPECT_EQ(facts[i].file.text, "");  // dropped after extraction by default
      EXPECT_EQ(Dump(facts[i]), expected[i]);
    }
  }
}

TEST(ExtractAllTest, BadInputEveryPathHasAParseStatusOrASkipReason) {
  TempDir dir;
  const auto expected = MakeBadTree(dir.path());
  ASSERT_OK_AND_ASSIGN(auto listed, ListSourceTree(dir.str()));
  ExtractAllOptions options;
  options.keep_text = true;
  ASSERT_OK_AND_ASSIGN(auto facts, LoadAndExtract(dir.str(), listed, options));
  ASSERT_EQ(facts.size(), expected.size());
  auto want = expected.begin();
  for (const FileFacts& f : facts) {
    SCOPED_TRACE(f.file.path);
    ASSERT_EQ(f.file.path, want->first);
    EXPECT_EQ(f.file.skip_reason, want->second);
    ++want;
    // Parsed or not, every file has its module definition.
    ASSERT_GE(f.definitions.size(), 1u);
    EXPECT_EQ(f.definitions[0].kind, "module");
    if (!f.file.skip_reason.empty()) {
      EXPECT_EQ(f.definitions.size(), 1u);
      EXPECT_EQ(f.file.text, "");
    }
  }
  std::map<std::string, const FileFacts*> by;
  for (const auto& f : facts) by[f.file.path] = &f;
  // Undecodable bytes: parsed all the same, the first bad offset a diagnostic.
  const FileFacts& bad = *by.at("undecodable.py");
  EXPECT_EQ(bad.file.encoding, "invalid-utf-8");
  EXPECT_EQ(bad.file.text, "x = 1\n\xff\xfe = 2\ny = '\xc3\xa9'\n");
  bool decode = false;
  for (const auto& d : bad.diagnostics) decode |= d.kind == "decode";
  EXPECT_TRUE(decode);
  // The 50 MiB file: its 2000 functions, read in full.
  const FileFacts& big = *by.at("big.py");
  EXPECT_EQ(big.definitions.size(), 2001u);
  EXPECT_EQ(big.definitions.back().name, "f_1999");
  EXPECT_EQ(big.file.line_count, CountLines(big.file.text));
  EXPECT_FALSE(big.has_error);
  EXPECT_EQ(by.at("multibyte.py")->definitions[1].name, "na\xc3\xafve");
  EXPECT_EQ(by.at("bom.py")->file.text, "x = 1\n");
  EXPECT_FALSE(by.at("crlf.py")->has_error);
  EXPECT_EQ(by.at("pkg/link.py")->definitions[1].qualname, "f");
}

TEST(ExtractAllTest, ProgressIsSerialisedAndReachesTheTotal) {
  TempDir dir;
  MakeTree(dir.path());
  ASSERT_OK_AND_ASSIGN(auto listed, ListSourceTree(dir.str()));
  int64_t bytes = 0;
  for (const auto& f : listed) bytes += f.size;
  std::atomic<int> inside{0};
  std::atomic<bool> overlapped{false};
  std::vector<ExtractProgress> seen;
  ExtractAllOptions options;
  options.threads = 4;
  options.progress = [&](const ExtractProgress& p) {
    if (inside.fetch_add(1) != 0) overlapped = true;
    seen.push_back(p);  // unsynchronised on purpose: the driver serialises us
    inside.fetch_sub(1);
  };
  ASSERT_OK_AND_ASSIGN(auto facts, LoadAndExtract(dir.str(), listed, options));
  EXPECT_FALSE(overlapped.load());
  ASSERT_EQ(seen.size(), listed.size());
  for (size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].files_done, static_cast<int64_t>(i + 1));
    EXPECT_EQ(seen[i].files_total, static_cast<int64_t>(listed.size()));
    EXPECT_EQ(seen[i].bytes_total, bytes);
    if (i > 0) {
      EXPECT_GE(seen[i].bytes_done, seen[i - 1].bytes_done);
    }
  }
  EXPECT_EQ(seen.back().bytes_done, bytes);
}

TEST(ExtractAllTest, TextAlreadyLoadedIsNotReadAgainAndEmptyInputIsEmpty) {
  TempDir dir;
  WriteFile(dir.path() / "a.py", "def on_disk():\n    pass\n");
  ASSERT_OK_AND_ASSIGN(auto listed, ListSourceTree(dir.str()));
  ASSERT_EQ(listed.size(), 1u);
  ASSERT_OK(LoadSourceFile(dir.str(), &listed[0]));
  listed[0].text = "def in_memory():\n    pass\n";  // what a ChangeSet kept
  ASSERT_OK_AND_ASSIGN(auto facts, LoadAndExtract(dir.str(), listed));
  ASSERT_EQ(facts.size(), 1u);
  ASSERT_EQ(facts[0].definitions.size(), 2u);
  EXPECT_EQ(facts[0].definitions[1].name, "in_memory");
  ASSERT_OK_AND_ASSIGN(auto none, LoadAndExtract(dir.str(), {}));
  EXPECT_TRUE(none.empty());
}

}  // namespace
}  // namespace deltaline::anatomy
