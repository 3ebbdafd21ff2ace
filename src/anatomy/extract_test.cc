// The extractor on the fixture's richest module, shop/models.py: every row written by
// hand from the source (tests/anatomy/fixture/shop/models.py), with Python's
// __qualname__ rules. Other fixture modules: extract_fixture_test.cc; edge cases
// (errors, encodings, sizes, ids): extract_edge_test.cc.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "anatomy/extract_rows.h"

namespace deltaline::anatomy {
namespace {

using testing::BindingRows;
using testing::CallRows;
using testing::DefRows;
using testing::ExtractOrDie;
using testing::ImportRows;
using testing::LoadFixture;
using Rows = std::vector<std::string>;

FileFacts Models() { return ExtractOrDie(LoadFixture("shop/models.py", "shop.models")); }

TEST(ExtractModelsTest, Definitions) {
  const FileFacts facts = Models();
  const Rows expected = {
      "module  shop.models L1 ^- params= 0/0",
      "class Cart shop.models.Cart L7 ^<module> (Base) params= 0/0 doc",
      "method Cart.total shop.models.Cart.total L11 ^Cart @property params=self 1/0",
      "method Cart.make shop.models.Cart.make L15 ^Cart @staticmethod params= 0/0",
      "method Cart.build shop.models.Cart.build L19 ^Cart @classmethod params=cls 1/1***",
      "method Cart.m shop.models.Cart.m L22 ^Cart params=self 1/0",
      "function Cart.m.<locals>.check shop.models.Cart.m.<locals>.check L25 ^Cart.m "
      "params=item 1/0",
      "method Cart.decorated shop.models.Cart.decorated L33 ^Cart "
      "@deco;factory(\"x\");util.deco params=self,a,b 3/1",
      "class Both shop.models.Both L37 ^<module> (Base,Mixin) params= 0/0",
      "method Both.m shop.models.Both.m L38 ^Both params=self 1/0",
      "function outer shop.models.outer L44 ^<module> params=n 1/0",
      "function outer.<locals>.inner shop.models.outer.<locals>.inner L47 ^outer "
      "params=self,k 2/0",
      "class outer.<locals>.Local shop.models.outer.<locals>.Local L50 ^outer params= "
      "0/0",
      "method outer.<locals>.Local.meth shop.models.outer.<locals>.Local.meth L51 "
      "^outer.<locals>.Local params=self 1/0",
      "lambda outer.<locals>.Local.meth.<locals>.<lambda> "
      "shop.models.outer.<locals>.Local.meth.<locals>.<lambda> L52 "
      "^outer.<locals>.Local.meth params=v 1/0",
      "lambda outer.<locals>.<lambda> shop.models.outer.<locals>.<lambda> L54 ^outer "
      "params= 0/0",
  };
  EXPECT_EQ(DefRows(facts), expected);
  EXPECT_FALSE(facts.has_error);
  EXPECT_TRUE(facts.diagnostics.empty());
  // The module's own row: named after the module's last component, spanning the file.
  const Definition& module = facts.definitions[0];
  EXPECT_EQ(module.name, "models");
  EXPECT_EQ(module.span.start_byte, 0);
  EXPECT_EQ(module.span.end_byte, static_cast<int64_t>(facts.file.text.size()));
  EXPECT_EQ(module.span.end_line, 56);  // the text ends with a newline after line 55
  EXPECT_FALSE(module.parent_def_id.has_value());
  // Decorated: the span starts at `def`, not at the decorator.
  const Definition& decorated = facts.definitions[7];
  EXPECT_EQ(decorated.name, "decorated");
  EXPECT_EQ(facts.file.text.substr(decorated.span.start_byte, 4), "def ");
  EXPECT_EQ(decorated.span.start_col, 4);
  EXPECT_EQ(decorated.span.end_line, 34);
  EXPECT_EQ(facts.definitions[14].name, "<lambda>");
}

TEST(ExtractModelsTest, Imports) {
  const FileFacts facts = Models();
  const Rows expected = {
      "import '' 0 shop.util as 'su' -> 'su' in <module> L1",
      "from '' 1 util as '' -> 'util' in <module> L2",
      "from 'base' 1 Base as '' -> 'Base' in <module> L3",
      "from 'base' 1 Mixin as '' -> 'Mixin' in <module> L3",
      "from 'util' 1 deco as '' -> 'deco' in <module> L4",
      "from 'util' 1 deco_factory as 'factory' -> 'factory' in <module> L4",
      "import '' 0 json as '' -> 'json' in outer L45",
  };
  EXPECT_EQ(ImportRows(facts), expected);
  // The span of an aliased name covers `name as alias`, as ast.alias does.
  const Import& factory = facts.imports[5];
  EXPECT_EQ(factory.span.start_col, 24);
  EXPECT_EQ(factory.span.end_col, 47);
  for (const Import& imp : facts.imports) {
    EXPECT_TRUE(imp.status.empty());
    EXPECT_TRUE(imp.target_module.empty());
    EXPECT_FALSE(imp.target_def_id.has_value());
  }
}

TEST(ExtractModelsTest, CallSites) {
  const FileFacts facts = Models();
  const Rows expected = {
      "property name 0/0/0/0 deco in Cart L10",
      "self.m attribute [self|m] 0/0/0/0 in Cart.total L12",
      "staticmethod name 0/0/0/0 deco in Cart L14",
      "Cart name 0/0/0/0 in Cart.make L16",
      "classmethod name 0/0/0/0 deco in Cart L18",
      "cls.make attribute [cls|make] 0/0/0/0 in Cart.build L20",
      "super().m attribute [super()|m] 0/0/0/0 in Cart.m L28",
      "super name 0/0/0/0 in Cart.m L28",
      "check name 1/0/0/0 in Cart.m L28",
      "deco name 0/0/0/0 deco in Cart L30",
      "factory name 1/0/0/0 deco in Cart L31",
      "util.deco attribute [util|deco] 0/0/0/0 deco in Cart L32",
      "Cart.make attribute [Cart|make] 0/0/0/0 in Cart.decorated L34",
      "g name 1/0/0/0 in Both.m L41",
      "h name 1/0/0/0 in Both.m L41",
      "util.helper attribute [util|helper] 1/0/0/0 in Both.m L41",
      "len name 1/0/0/0 in <module> L44",
      "json.dumps attribute [json|dumps] 1/0/0/0 in outer.<locals>.inner L48",
      "inner name 2/0/0/0 in outer.<locals>.<lambda> L54",
      "inner name 2/0/0/0 comp in outer L55",
      "range name 1/0/0/0 comp in outer L55",
  };
  EXPECT_EQ(CallRows(facts), expected);
  // A bare decorator's call spans its expression; a decorator call the call node.
  const CallSite& property = facts.call_sites[0];
  EXPECT_EQ(property.span.start_col, 5);
  EXPECT_EQ(property.span.end_col, 13);
  const CallSite& factory = facts.call_sites[10];
  EXPECT_EQ(factory.span.start_col, 5);
  EXPECT_EQ(factory.span.end_col, 17);
}

TEST(ExtractModelsTest, Bindings) {
  const FileFacts facts = Models();
  const Rows expected = {
      "<module>: su import shop.util",
      "<module>: util import util",
      "<module>: Base import Base",
      "<module>: Mixin import Mixin",
      "<module>: deco import deco",
      "<module>: factory import deco_factory",
      "<module>: Cart def Cart",
      "Cart: total def Cart.total",
      "Cart.total: self param #0",
      "Cart: make def Cart.make",
      "Cart: build def Cart.build",
      "Cart.build: cls param #0",
      "Cart.build: items param #1",
      "Cart.build: sep param #2",
      "Cart.build: extra param #3",
      "Cart: m def Cart.m",
      "Cart.m: self param #0",
      "Cart.m: obj alias = self",
      "Cart.m: check def Cart.m.<locals>.check",
      "Cart.m.<locals>.check: item param #0",
      "Cart: decorated def Cart.decorated",
      "Cart.decorated: self param #0",
      "Cart.decorated: a param #1",
      "Cart.decorated: b param #2",
      "Cart.decorated: c param #3",
      "<module>: Both def Both",
      "Both: m def Both.m",
      "Both.m: self param #0",
      "Both.m: g alias = su.helper",
      "Both.m: h alias = util.get",
      "<module>: outer def outer",
      "outer: n param #0",
      "outer: json import json",
      "outer: inner def outer.<locals>.inner",
      "outer.<locals>.inner: self param #0",
      "outer.<locals>.inner: k param #1",
      "outer: Local def outer.<locals>.Local",
      "outer.<locals>.Local: meth def outer.<locals>.Local.meth",
      "outer.<locals>.Local.meth: self param #0",
      "outer.<locals>.Local.meth.<locals>.<lambda>: v param #0",
      "outer: f other",
  };
  EXPECT_EQ(BindingRows(facts), expected);
}

}  // namespace
}  // namespace deltaline::anatomy
