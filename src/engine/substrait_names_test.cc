// The root's depth-first names applied to a declaration, nested struct fields included,
// keeping a null struct null.
#include "engine/substrait_names.h"

#include <arrow/acero/options.h>
#include <arrow/json/from_string.h>
#include <gtest/gtest.h>

#include "delta/base/errors.h"
#include "test_util.h"

namespace deltaline::engine {
namespace {

TEST(SubstraitNamesTest, NestedStructFieldsAreRenamedAndNullsKept) {
  auto point = arrow::struct_(
      {arrow::field("a", arrow::int64()), arrow::field("b", arrow::utf8())});
  auto schema =
      arrow::schema({arrow::field("", arrow::int64()), arrow::field("p", point)});
  auto ids = arrow::json::ArrayFromJSONString(arrow::int64(), "[1, 2]").ValueOrDie();
  auto points = arrow::json::ArrayFromJSONString(point, R"([{"a": 7, "b": "x"}, null])")
                    .ValueOrDie();
  auto table = arrow::Table::Make(schema, {ids, points});
  arrow::acero::Declaration source{"table_source",
                                   arrow::acero::TableSourceNodeOptions(table)};
  const std::vector<std::string> names = {"id", "pos", "x", "label"};
  ASSERT_OK_AND_ASSIGN(auto renamed, ApplyOutputNames(source, *schema, names));
  ASSERT_OK_AND_ASSIGN(auto out, arrow::acero::DeclarationToTable(std::move(renamed)));
  ASSERT_OK_AND_ASSIGN(auto expected_schema, RenameDepthFirst(*schema, names));
  EXPECT_EQ(expected_schema->ToString(),
            "id: int64\npos: struct<x: int64, label: string>");
  EXPECT_TRUE(out->schema()->Equals(*expected_schema)) << out->schema()->ToString();
  auto pos = out->GetColumnByName("pos");
  EXPECT_EQ(pos->null_count(), 1);
  ASSERT_OK_AND_ASSIGN(auto first, pos->GetScalar(0));
  EXPECT_EQ(first->ToString(), "{x:int64 = 7, label:string = x}");

  auto st = RenameDepthFirst(*schema, {"id", "pos"}).status();  // nested names missing
  EXPECT_TRUE(delta::IsKind(st, delta::ErrorKind::kInvalidInput)) << st.ToString();
}

}  // namespace
}  // namespace deltaline::engine
