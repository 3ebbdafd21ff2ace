// The extractor on broken, unusual and large inputs, and the stability of its ids.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "anatomy/extract_rows.h"
#include "anatomy/ids.h"

namespace deltaline::anatomy {
namespace {

using testing::CallRows;
using testing::DefRows;
using testing::ExtractOrDie;
using testing::MakeSource;
using Rows = std::vector<std::string>;

std::string DiagRow(const FileFacts&, const SyntaxDiagnostic& d) {
  const Span& s = d.span;
  return d.kind + " " + std::to_string(s.start_line) + ":" + std::to_string(s.start_col) +
         "-" + std::to_string(s.end_line) + ":" + std::to_string(s.end_col) + " bytes " +
         std::to_string(s.start_byte) + "-" + std::to_string(s.end_byte) + " expected '" +
         d.expected + "' snippet '" + d.snippet + "' " + d.message;
}

TEST(ExtractEdgeTest, UnclosedParenAndMissingColon) {
  const std::string text =
      "class A(B:\n"
      "    pass\n"
      "\n"
      "\n"
      "def f(x)\n"
      "    return g(x)\n";
  const FileFacts facts = ExtractOrDie(MakeSource("bad.py", "bad", text));
  EXPECT_TRUE(facts.has_error);
  EXPECT_EQ(
      testing::Rows(facts, facts.diagnostics, DiagRow),
      (Rows{
          "missing 1:9-1:9 bytes 9-9 expected ')' snippet ':' missing ')' at line 1, "
          "column 10",
          "error 5:0-6:15 bytes 22-46 expected '' snippet 'def f(x)' invalid syntax at "
          "line 5, column 1",
          "error 5:4-6:10 bytes 26-41 expected '' snippet 'f(x)' invalid syntax at "
          "line 5, column 5",
      }));
  EXPECT_EQ(facts.diagnostics[0].diagnostic_id,
            StableId({"diagnostic", "bad.py", "9", "9"}));
  // What tree-sitter recovers is still extracted.
  EXPECT_EQ(DefRows(facts), (Rows{"module  bad L1 ^- params= 0/0",
                                  "class A bad.A L1 ^<module> (B) params= 0/0"}));
}

TEST(ExtractEdgeTest, SnippetIsOneLineOfAtMost80BytesWithoutSplittingACharacter) {
  // An ERROR at the start of a long line of two-byte characters.
  std::string text = ")";
  for (int i = 0; i < 100; ++i) text += "é";
  text += "\nx = 1\n";
  const FileFacts facts = ExtractOrDie(MakeSource("long.py", "long", text));
  ASSERT_FALSE(facts.diagnostics.empty());
  const std::string& snippet = facts.diagnostics[0].snippet;
  EXPECT_EQ(snippet.size(), 79u);  // ")" + 39 × "é": the 40th would pass 80 bytes
  EXPECT_EQ(snippet.substr(0, 3), ")é");
  EXPECT_EQ(snippet.find('\n'), std::string::npos);
}

TEST(ExtractEdgeTest, MultibyteIdentifiersHaveByteAndCharColumns) {
  const std::string text =
      "def café(ñ):\n"
      "    return ñ\n"
      "s = \"üü\"; café(1)\n";
  const FileFacts facts = ExtractOrDie(MakeSource("m.py", "m", text));
  EXPECT_FALSE(facts.has_error);
  EXPECT_EQ(DefRows(facts), (Rows{"module  m L1 ^- params= 0/0",
                                  "function café m.café L1 ^<module> params=ñ 1/0"}));
  const Span& def = facts.definitions[1].span;
  EXPECT_EQ(def.end_line, 2);
  EXPECT_EQ(def.end_col, 13);  // "    return ñ": ñ is two bytes
  EXPECT_EQ(def.end_char_col, 12);
  ASSERT_EQ(CallRows(facts), (Rows{"café name 1/0/0/0 in <module> L3"}));
  const Span& call = facts.call_sites[0].span;
  EXPECT_EQ(call.start_col, 12);  // `s = "üü"; ` is 12 bytes, 10 characters
  EXPECT_EQ(call.start_char_col, 10);
  EXPECT_EQ(call.end_col, 20);  // café(1): 8 bytes, 7 characters
  EXPECT_EQ(call.end_char_col, 17);
  EXPECT_EQ(call.start_byte, 41);  // 15 + 14 bytes of the first two lines, then 12
}

TEST(ExtractEdgeTest, CrlfLineEndings) {
  const std::string text = "def f():\r\n    return g()\r\n\r\nclass C:\r\n    pass\r\n";
  const FileFacts facts = ExtractOrDie(MakeSource("crlf.py", "crlf", text));
  EXPECT_FALSE(facts.has_error);
  EXPECT_EQ(DefRows(facts), (Rows{"module  crlf L1 ^- params= 0/0",
                                  "function f crlf.f L1 ^<module> params= 0/0",
                                  "class C crlf.C L4 ^<module> params= 0/0"}));
  ASSERT_EQ(CallRows(facts), (Rows{"g name 0/0/0/0 in f L2"}));
  EXPECT_EQ(facts.call_sites[0].span.start_col, 11);
  EXPECT_EQ(facts.call_sites[0].span.end_col, 14);
  EXPECT_EQ(facts.call_sites[0].span.start_byte, 21);
}

TEST(ExtractEdgeTest, BomStrippedFileCountsFromTheTextAfterTheBom) {
  SourceFile file = MakeSource("bom.py", "bom", "import os\nos.getcwd()\n");
  file.encoding = "utf-8-sig";
  file.size = static_cast<int64_t>(file.text.size()) + 3;
  const FileFacts facts = ExtractOrDie(std::move(file));
  ASSERT_EQ(facts.imports.size(), 1u);
  EXPECT_EQ(facts.imports[0].span.start_byte, 7);
  EXPECT_EQ(facts.imports[0].span.start_col, 7);
  ASSERT_EQ(CallRows(facts),
            (Rows{"os.getcwd attribute [os|getcwd] 0/0/0/0 in <module> L2"}));
  EXPECT_EQ(facts.call_sites[0].span.start_byte, 10);
  EXPECT_TRUE(facts.diagnostics.empty());
}

TEST(ExtractEdgeTest, EmptyAndSkippedFilesYieldTheirModuleOnly) {
  const FileFacts empty = ExtractOrDie(MakeSource("pkg/__init__.py", "", ""));
  EXPECT_EQ(DefRows(empty), (Rows{"module   L1 ^- params= 0/0"}));
  EXPECT_EQ(empty.definitions[0].name, "__init__");
  EXPECT_FALSE(empty.has_error);
  EXPECT_TRUE(empty.diagnostics.empty() && empty.bindings.empty());

  SourceFile skipped = MakeSource("pkg/data.py", "pkg.data", "");
  skipped.skip_reason = "binary content (NUL byte at offset 3)";
  const FileFacts facts = ExtractOrDie(std::move(skipped));
  EXPECT_EQ(DefRows(facts), (Rows{"module  pkg.data L1 ^- params= 0/0"}));
  EXPECT_EQ(facts.definitions[0].name, "data");
  EXPECT_EQ(facts.file.skip_reason, "binary content (NUL byte at offset 3)");
  EXPECT_TRUE(facts.bindings.empty() && facts.diagnostics.empty() &&
              facts.call_sites.empty());
}

TEST(ExtractEdgeTest, InvalidUtf8IsADecodeDiagnosticAndRowsStayValid) {
  SourceFile file = MakeSource("latin.py", "latin", "x = 1\ny = '\xff'\nf\xe9(1)\n");
  file.encoding = "invalid-utf-8";
  file.first_invalid_byte = 11;
  const FileFacts facts = ExtractOrDie(std::move(file));
  ASSERT_FALSE(facts.diagnostics.empty());
  // In source order: the decode diagnostic (line 2) comes before any error on line 3.
  const SyntaxDiagnostic& decode = facts.diagnostics.front();
  EXPECT_EQ(DiagRow(facts, decode),
            "decode 2:5-2:6 bytes 11-12 expected '' snippet '?'' invalid UTF-8 byte 0xff "
            "at line 2, column 6");
  for (const CallSite& call : facts.call_sites) {
    EXPECT_EQ(call.callee_text.find('\xe9'), std::string::npos);
  }
  for (const Binding& b : facts.bindings)
    EXPECT_EQ(b.name.find('\xe9'), std::string::npos);
}

TEST(ExtractEdgeTest, DeepNestingDoesNotOverflow) {
  auto nested_calls = [](int depth) {
    std::string text = "x = ";
    for (int i = 0; i < depth; ++i) text += "f(";
    text += "1";
    for (int i = 0; i < depth; ++i) text += ")";
    return text + "\n";
  };
  // 1,000 deep (Python itself stops at 200): walked with the cursor, no recursion.
  const FileFacts deep = ExtractOrDie(MakeSource("deep.py", "deep", nested_calls(1000)));
  EXPECT_EQ(deep.call_sites.size(), 1000u);
  EXPECT_FALSE(deep.has_error);
  // Deeply nested tuple targets are bounded, not recursed into without limit.
  std::string targets(1000, '(');
  targets += "a" + std::string(1000, ')') + " = 1\n";
  const FileFacts nested = ExtractOrDie(MakeSource("t.py", "t", targets));
  EXPECT_EQ(nested.definitions.size(), 1u);
  // Deeper is not parsed (tree-sitter 0.20.7 corrupts its heap near 50,000): one
  // diagnostic at the bracket that goes past the limit. Brackets in comments and
  // plain strings do not count.
  const std::string prefix = "# ((((\ns = \"[[[[\"\n";
  const FileFacts refused =
      ExtractOrDie(MakeSource("refused.py", "refused", prefix + nested_calls(100000)));
  EXPECT_TRUE(refused.has_error);
  EXPECT_EQ(refused.definitions.size(), 1u);
  EXPECT_TRUE(refused.call_sites.empty());
  ASSERT_EQ(refused.diagnostics.size(), 1u);
  const SyntaxDiagnostic& d = refused.diagnostics[0];
  EXPECT_EQ(d.kind, "error");
  EXPECT_EQ(d.span.start_line, 3);
  EXPECT_EQ(d.span.start_col, 4 + 2 * 1000 + 1);  // the 1,001st "f("'s bracket
  EXPECT_EQ(d.message,
            "brackets nested 100000 deep (more than 1000; Python allows 200) at line 3, "
            "column 2006: the file is not parsed");
  // Long right-nested chains are refused too; shorter ones, and keywords in strings
  // and comments, are not.
  std::string ternaries = "x = ";
  for (int i = 0; i < 40000; ++i) ternaries += "a if b else ";
  const FileFacts chain =
      ExtractOrDie(MakeSource("chain.py", "chain", "y = 1\n" + ternaries + "a\n"));
  EXPECT_TRUE(chain.has_error);
  ASSERT_EQ(chain.diagnostics.size(), 1u);
  EXPECT_EQ(chain.diagnostics[0].span.start_line, 2);
  EXPECT_EQ(chain.diagnostics[0].message,
            "a statement chains 80001 'if'/'else'/'lambda'/'=' (more than 20000) at line "
            "2, column 1: the file is not parsed");
  std::string fine = "x = ";
  for (int i = 0; i < 5000; ++i) fine += "a if b else ";
  fine += "a  # if else if else\ns = '" + std::string(30000, '=') + "'\n";
  const FileFacts accepted = ExtractOrDie(MakeSource("fine.py", "fine", fine));
  EXPECT_FALSE(accepted.has_error);
  EXPECT_TRUE(accepted.diagnostics.empty());
  // An f-string's brackets count (tree-sitter parses its interpolations).
  const FileFacts fstring = ExtractOrDie(
      MakeSource("fs.py", "fs", "x = f\"{" + std::string(2000, '(') + "\"\n"));
  EXPECT_TRUE(fstring.has_error);
  EXPECT_TRUE(fstring.call_sites.empty());
}

TEST(ExtractEdgeTest, DefinitionsNestedPastTheLimitAreReportedNotRecorded) {
  // 10,000 nested lambdas: recording them would need qualnames of 180 KB each.
  std::string text = "x = ";
  for (int i = 0; i < 10000; ++i) text += "lambda: ";
  text += "f()\n";
  const FileFacts facts = ExtractOrDie(MakeSource("l.py", "l", text));
  EXPECT_TRUE(facts.has_error);
  ASSERT_EQ(facts.definitions.size(), 257u);  // the module and 256 lambdas
  EXPECT_EQ(facts.definitions.back().qualname.size(), 255 * 18 + 8);
  ASSERT_EQ(facts.diagnostics.size(), 1u);
  EXPECT_EQ(facts.diagnostics[0].span.start_col, 4 + 256 * 8);
  // The call is still a row, in the deepest recorded scope.
  ASSERT_EQ(facts.call_sites.size(), 1u);
  EXPECT_EQ(facts.call_sites[0].caller_def_id, facts.definitions.back().def_id);
}

TEST(ExtractEdgeTest, FiftyMegabyteGeneratedFile) {
  // 10,000 functions, each with a 5,000-byte docstring: 50 MB, lines past 29,000 and
  // byte offsets past 2^24.
  const int count = 10000;
  const std::string doc(5000, 'x');
  std::string text;
  text.reserve(static_cast<size_t>(count) * 5040);
  for (int i = 0; i < count; ++i) {
    text += "def f" + std::to_string(i) + "(a):\n    \"\"\"" + doc +
            "\"\"\"\n    return g" + std::to_string(i) + "(a)\n";
  }
  ASSERT_GT(text.size(), 50'000'000u);
  const FileFacts facts = ExtractOrDie(MakeSource("big.py", "big", text));
  EXPECT_FALSE(facts.has_error);
  ASSERT_EQ(facts.definitions.size(), static_cast<size_t>(count) + 1);
  ASSERT_EQ(facts.call_sites.size(), static_cast<size_t>(count));
  const Definition& last = facts.definitions.back();
  EXPECT_EQ(last.qualname, "f9999");
  EXPECT_EQ(last.span.start_line, 3 * (count - 1) + 1);
  EXPECT_TRUE(last.has_docstring);
  const CallSite& call = facts.call_sites.back();
  EXPECT_EQ(call.callee_text, "g9999");
  EXPECT_EQ(call.span.end_byte, static_cast<int64_t>(text.size()) - 1);
  EXPECT_EQ(call.span.start_line, 3 * count);
}

TEST(ExtractEdgeTest, GrammarQuirksReadAsPythonDoes) {
  // tree-sitter parses `*s.split()` after an argument as a call of `*s.split`, reads a
  // line continuation as a node, and `type(self).x = v` as a type alias statement.
  const std::string text =
      "print(a, *s.split())\n"
      "f(1, \\\n"
      "  2)\n"
      "type(self).x = v\n";
  const FileFacts facts = ExtractOrDie(MakeSource("q.py", "q", text));
  EXPECT_EQ(CallRows(facts), (Rows{
                                 "print name 1/0/1/0 in <module> L1",
                                 "s.split attribute [s|split] 0/0/0/0 in <module> L1",
                                 "f name 2/0/0/0 in <module> L2",
                                 "type name 1/0/0/0 in <module> L4",
                             }));
  EXPECT_EQ(facts.call_sites[1].span.start_col, 10);
  EXPECT_EQ(facts.call_sites[3].span.end_col, 10);
  EXPECT_TRUE(facts.bindings.empty());
}

TEST(ExtractEdgeTest, ADefinitionEndsAtItsLastTokenNotAtTrailingComments) {
  const std::string text =
      "def f():\n"
      "    if x:\n"
      "        return 1  # one\n"
      "    # trailing\n"
      "\n"
      "y = 2\n";
  const FileFacts facts = ExtractOrDie(MakeSource("c.py", "c", text));
  ASSERT_EQ(facts.definitions.size(), 2u);
  const Span& span = facts.definitions[1].span;
  EXPECT_EQ(span.end_line, 3);  // as ast's end_lineno/end_col_offset
  EXPECT_EQ(span.end_col, 16);
}

TEST(ExtractEdgeTest, LongArgumentAndParameterLists) {
  // 200,000 arguments and parameters: children are read with a cursor, not by index
  // (ts_node_named_child(node, i) rescans, which would take minutes here).
  const int n = 200000;
  std::string call = "f(";
  std::string def = "def g(";
  for (int i = 0; i < n; ++i) {
    call += "x, ";
    def += "p" + std::to_string(i) + ", ";
  }
  const std::string text = call + "*a, k=1)\n" + def + "*, q):\n    pass\n";
  const FileFacts facts = ExtractOrDie(MakeSource("wide.py", "wide", text));
  ASSERT_EQ(facts.call_sites.size(), 1u);
  EXPECT_EQ(facts.call_sites[0].positional_args, n);
  EXPECT_EQ(facts.call_sites[0].star_args, 1);
  EXPECT_EQ(facts.call_sites[0].keyword_args, 1);
  ASSERT_EQ(facts.definitions.size(), 2u);
  EXPECT_EQ(facts.definitions[1].positional_params, n);
  EXPECT_EQ(facts.definitions[1].keyword_only_params, 1);
  EXPECT_EQ(facts.definitions[1].params.back(), "p199999");
}

TEST(ExtractEdgeTest, IdsAreStableAndMadeOfTheDocumentedParts) {
  const std::string text =
      "import os\n"
      "if os.name:\n"
      "    def f(): pass\n"
      "else:\n"
      "    def f(): pass\n"
      "f()\n";
  const FileFacts a = ExtractOrDie(MakeSource("pkg/ids.py", "pkg.ids", text));
  const FileFacts b = ExtractOrDie(MakeSource("pkg/ids.py", "pkg.ids", text));
  ASSERT_EQ(a.definitions.size(), 3u);
  EXPECT_EQ(a.definitions[0].def_id, StableId({"def", "pkg/ids.py", "module", "", "0"}));
  EXPECT_EQ(a.definitions[1].def_id,
            StableId({"def", "pkg/ids.py", "function", "f", "0"}));
  EXPECT_EQ(a.definitions[2].def_id,
            StableId({"def", "pkg/ids.py", "function", "f", "1"}));
  ASSERT_EQ(a.imports.size(), 1u);
  EXPECT_EQ(a.imports[0].import_id, StableId({"import", "pkg/ids.py", "7", "9"}));
  EXPECT_EQ(a.imports[0].enclosing_def_id, a.definitions[0].def_id);
  ASSERT_EQ(a.call_sites.size(), 1u);
  EXPECT_EQ(a.call_sites[0].call_id, StableId({"call", "pkg/ids.py", "64", "67"}));
  for (size_t i = 0; i < a.definitions.size(); ++i) {
    EXPECT_EQ(a.definitions[i].def_id, b.definitions[i].def_id);
  }
  EXPECT_EQ(a.call_sites[0].call_id, b.call_sites[0].call_id);
  // Moving the code down changes spans and call ids, never def ids.
  const FileFacts moved =
      ExtractOrDie(MakeSource("pkg/ids.py", "pkg.ids", "\n\n" + text));
  for (size_t i = 0; i < a.definitions.size(); ++i) {
    EXPECT_EQ(moved.definitions[i].def_id, a.definitions[i].def_id);
  }
  EXPECT_NE(moved.call_sites[0].call_id, a.call_sites[0].call_id);
}

}  // namespace
}  // namespace deltaline::anatomy
