#include "anatomy/python_grammar.h"

#include <memory>
#include <string>

#include <gtest/gtest.h>

namespace deltaline::anatomy {
namespace {

TEST(PythonGrammarTest, TheRuntimeLoadsTheGrammarAndParses) {
  auto language = PythonLanguage();
  ASSERT_TRUE(language.ok()) << language.status().ToString();
  EXPECT_EQ(ts_language_version(*language), 14u);
  std::unique_ptr<TSParser, decltype(&ts_parser_delete)> parser(ts_parser_new(),
                                                                &ts_parser_delete);
  ASSERT_TRUE(ts_parser_set_language(parser.get(), *language));
  const std::string source = "async def f(x):\n    return await g(x)\n";
  std::unique_ptr<TSTree, decltype(&ts_tree_delete)> tree(
      ts_parser_parse_string(parser.get(), nullptr, source.data(),
                             static_cast<uint32_t>(source.size())),
      &ts_tree_delete);
  TSNode root = ts_tree_root_node(tree.get());
  EXPECT_FALSE(ts_node_has_error(root));
  EXPECT_STREQ(ts_node_type(ts_node_named_child(root, 0)), "function_definition");
}

}  // namespace
}  // namespace deltaline::anatomy
