// The extractor on the other modules of the fixture package (tests/anatomy/fixture):
// rows written by hand from each file's source.

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

TEST(ExtractFixtureTest, UtilFutureDottedImportsStarArgsAndGetBesideDGet) {
  const FileFacts facts = ExtractOrDie(LoadFixture("shop/util.py", "shop.util"));
  EXPECT_EQ(
      DefRows(facts),
      (Rows{
          "module  shop.util L1 ^- params= 0/0",
          "function helper shop.util.helper L6 ^<module> params=x 1/0*** doc",
          "function get shop.util.get L11 ^<module> params=key 1/0",
          "function use_get shop.util.use_get L15 ^<module> params=d 1/0",
          "function deco shop.util.deco L20 ^<module> params=fn 1/0",
          "function deco_factory shop.util.deco_factory L24 ^<module> params=name "
          "1/0",
          "function deco_factory.<locals>.wrap shop.util.deco_factory.<locals>.wrap "
          "L25 ^deco_factory params=fn 1/0",
      }));
  EXPECT_EQ(ImportRows(facts),
            (Rows{
                "future '__future__' 0 annotations as '' -> 'annotations' in <module> L1",
                "import '' 0 os.path as '' -> 'os' in <module> L2",
                "import '' 0 collections.abc as 'cabc' -> 'cabc' in <module> L3",
            }));
  EXPECT_EQ(CallRows(facts),
            (Rows{
                "os.path.join attribute [os.path|join] 1/0/1/1 in helper L8",
                "d.get attribute [d|get] 1/0/0/0 in use_get L16",
                "get name 1/0/0/0 in use_get L17",
            }));
  EXPECT_EQ(BindingRows(facts), (Rows{
                                    "<module>: annotations import annotations",
                                    "<module>: os import os.path",
                                    "<module>: cabc import collections.abc",
                                    "<module>: helper def helper",
                                    "helper: x param #0",
                                    "helper: args param #1",
                                    "helper: kwargs param #2",
                                    "<module>: get def get",
                                    "get: key param #0",
                                    "<module>: use_get def use_get",
                                    "use_get: d param #0",
                                    "<module>: deco def deco",
                                    "deco: fn param #0",
                                    "<module>: deco_factory def deco_factory",
                                    "deco_factory: name param #0",
                                    "deco_factory: wrap def deco_factory.<locals>.wrap",
                                    "deco_factory.<locals>.wrap: fn param #0",
                                }));
}

TEST(ExtractFixtureTest, BaseTwoClassesDefineM) {
  const FileFacts facts = ExtractOrDie(LoadFixture("shop/base.py", "shop.base"));
  EXPECT_EQ(DefRows(facts),
            (Rows{
                "module  shop.base L1 ^- params= 0/0",
                "class Base shop.base.Base L1 ^<module> params= 0/0",
                "method Base.m shop.base.Base.m L2 ^Base params=self 1/0",
                "method Base.run shop.base.Base.run L5 ^Base params=self 1/0",
                "class Mixin shop.base.Mixin L9 ^<module> params= 0/0",
                "method Mixin.m shop.base.Mixin.m L10 ^Mixin params=self 1/0",
                "function helper shop.base.helper L14 ^<module> params= 0/0",
            }));
  EXPECT_EQ(CallRows(facts), (Rows{"self.m attribute [self|m] 0/0/0/0 in Base.run L6"}));
  EXPECT_TRUE(facts.imports.empty());
}

TEST(ExtractFixtureTest, StarImportsShadowedByALocalDefAndAnAlias) {
  const FileFacts facts = ExtractOrDie(LoadFixture("shop/star.py", "shop.star"));
  EXPECT_EQ(ImportRows(facts), (Rows{
                                   "from 'shop.util' 0 * as '' -> '' star in <module> L1",
                                   "from 'shop.base' 0 * as '' -> '' star in <module> L2",
                               }));
  // A star import's span is the whole statement.
  EXPECT_EQ(facts.imports[0].span.start_col, 0);
  EXPECT_EQ(facts.imports[0].span.end_col, 23);
  EXPECT_EQ(DefRows(facts), (Rows{
                                "module  shop.star L1 ^- params= 0/0",
                                "function get shop.star.get L5 ^<module> params=x 1/0",
                            }));
  EXPECT_EQ(CallRows(facts), (Rows{
                                 "print name 2/0/0/0 in <module> L10",
                                 "helper name 0/0/0/0 in <module> L10",
                                 "g name 1/0/0/0 in <module> L10",
                             }));
  // Star imports bind no name of their own (the resolver expands them).
  EXPECT_EQ(BindingRows(facts), (Rows{
                                    "<module>: get def get",
                                    "get: x param #0",
                                    "<module>: g alias = get",
                                }));
}

TEST(ExtractFixtureTest, AsyncDefForWithAndComprehensions) {
  const FileFacts facts = ExtractOrDie(LoadFixture("shop/aio.py", "shop.aio"));
  EXPECT_EQ(DefRows(facts),
            (Rows{
                "module  shop.aio L1 ^- params= 0/0",
                "function fetch shop.aio.fetch L4 ^<module> async params=urls 1/0",
                "class Client shop.aio.Client L11 ^<module> params= 0/0",
                "method Client.ping shop.aio.Client.ping L13 ^Client async @staticmethod "
                "params= 0/0",
            }));
  EXPECT_EQ(CallRows(facts),
            (Rows{
                "asyncio.timeout attribute [asyncio|timeout] 1/0/0/0 in fetch L5",
                "asyncio.sleep attribute [asyncio|sleep] 1/0/0/0 in fetch L7",
                "fetch name 1/0/0/0 comp in fetch L8",
                "staticmethod name 0/0/0/0 deco in Client L12",
                "len name 1/0/0/0 comp in Client.ping L14",
            }));
  EXPECT_EQ(BindingRows(facts), (Rows{
                                    "<module>: asyncio import asyncio",
                                    "<module>: fetch def fetch",
                                    "fetch: urls param #0",
                                    "fetch: t other",
                                    "fetch: u other",
                                    "<module>: Client def Client",
                                    "Client: ping def Client.ping",
                                }));
  // `async def` starts at `async` (what ast reports), decorated or not.
  EXPECT_EQ(facts.definitions[3].span.start_col, 4);
  EXPECT_EQ(facts.file.text.substr(facts.definitions[3].span.start_byte, 5), "async");
}

TEST(ExtractFixtureTest, MatchWalrusAndExceptStar) {
  const FileFacts facts = ExtractOrDie(LoadFixture("shop/patterns.py", "shop.patterns"));
  EXPECT_FALSE(facts.has_error);
  EXPECT_EQ(DefRows(facts),
            (Rows{
                "module  shop.patterns L1 ^- params= 0/0",
                "function shapes shop.patterns.shapes L1 ^<module> params=v 1/0",
                "function group shop.patterns.group L13 ^<module> params= 0/0",
            }));
  // Class patterns are not calls.
  EXPECT_TRUE(facts.call_sites.empty());
  // Captures (`as`, keyword, sequence, mapping, star) bind; `Color.RED` and `_` do not;
  // the walrus in the comprehension binds in the function.
  EXPECT_EQ(BindingRows(facts), (Rows{
                                    "<module>: shapes def shapes",
                                    "shapes: v param #0",
                                    "shapes: whole other",
                                    "shapes: py other",
                                    "shapes: py other",
                                    "shapes: kv other",
                                    "shapes: others other",
                                    "shapes: rest other",
                                    "shapes: y other",
                                    "<module>: group def group",
                                    "group: eg other",
                                }));
}

TEST(ExtractFixtureTest, Pep695GenericsAreNotBasesNorErrors) {
  const FileFacts facts = ExtractOrDie(LoadFixture("shop/generics.py", "shop.generics"));
  EXPECT_FALSE(facts.has_error);
  EXPECT_EQ(DefRows(facts),
            (Rows{
                "module  shop.generics L1 ^- params= 0/0 doc",
                "function first shop.generics.first L4 ^<module> params=xs 1/0",
                "class Box shop.generics.Box L8 ^<module> params= 0/0",
            }));
  EXPECT_TRUE(facts.call_sites.empty());
  EXPECT_EQ(BindingRows(facts), (Rows{
                                    "<module>: first def first",
                                    "first: xs param #0",
                                    "<module>: Box def Box",
                                    "<module>: Pair other",
                                }));
}

TEST(ExtractFixtureTest, RelativeImportsInASubpackage) {
  const FileFacts facts = ExtractOrDie(LoadFixture("shop/sub/deep.py", "shop.sub.deep"));
  EXPECT_EQ(ImportRows(facts),
            (Rows{
                "from '' 1 a as '' -> 'a' in <module> L1",
                "from 'p.m' 2 b as 'c' -> 'c' in <module> L2",
                "from '' 2 models as '' -> 'models' in <module> L3",
                "import '' 0 shop.sub.a as '' -> 'shop' in <module> L4",
            }));
  EXPECT_EQ(DefRows(facts),
            (Rows{
                "module  shop.sub.deep L1 ^- params= 0/0",
                "function call_all shop.sub.deep.call_all L7 ^<module> params= 0/0",
            }));
  EXPECT_EQ(CallRows(facts),
            (Rows{
                "models.outer attribute [models|outer] 0/0/0/0 in call_all L8",
                "shop.sub.a.f attribute [shop.sub.a|f] 0/0/0/0 in call_all L9",
                "c name 0/0/1/1 in call_all L10",
            }));
}

TEST(ExtractFixtureTest, PackageInitsReExportAndEmpty) {
  const FileFacts init = ExtractOrDie(LoadFixture("shop/__init__.py", "shop"));
  EXPECT_EQ(DefRows(init), (Rows{"module  shop L1 ^- params= 0/0 doc"}));
  EXPECT_EQ(init.definitions[0].name, "shop");
  EXPECT_EQ(ImportRows(init),
            (Rows{
                "from 'models' 1 Cart as 'Cart' -> 'Cart' in <module> L2",
                "from 'util' 1 helper as '' -> 'helper' in <module> L3",
            }));
  EXPECT_EQ(BindingRows(init), (Rows{
                                   "<module>: Cart import Cart",
                                   "<module>: helper import helper",
                                   "<module>: __all__ other",
                               }));

  const FileFacts empty = ExtractOrDie(LoadFixture("shop/sub/__init__.py", "shop.sub"));
  EXPECT_EQ(DefRows(empty), (Rows{"module  shop.sub L1 ^- params= 0/0"}));
  EXPECT_EQ(empty.definitions[0].name, "sub");
  EXPECT_EQ(empty.definitions[0].span.end_byte, 0);
  EXPECT_EQ(empty.definitions[0].span.end_line, 1);
  EXPECT_TRUE(empty.imports.empty() && empty.call_sites.empty() &&
              empty.bindings.empty() && empty.diagnostics.empty());
  EXPECT_FALSE(empty.has_error);

  const FileFacts m = ExtractOrDie(LoadFixture("shop/p/m.py", "shop.p.m"));
  EXPECT_EQ(DefRows(m), (Rows{
                            "module  shop.p.m L1 ^- params= 0/0",
                            "function b shop.p.m.b L1 ^<module> params= 0/0***",
                        }));
  const FileFacts a = ExtractOrDie(LoadFixture("shop/sub/a.py", "shop.sub.a"));
  EXPECT_EQ(DefRows(a), (Rows{
                            "module  shop.sub.a L1 ^- params= 0/0",
                            "function f shop.sub.a.f L1 ^<module> params= 0/0",
                        }));
}

}  // namespace
}  // namespace deltaline::anatomy
