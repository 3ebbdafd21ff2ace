#include "delta/table/column_mapping.h"

#include <arrow/api.h>
#include <arrow/util/key_value_metadata.h>
#include <gtest/gtest.h>

#include "delta/base/errors.h"
#include "delta/table/schema.h"
#include "test_util.h"

namespace deltaline::delta {
namespace {

std::shared_ptr<arrow::Field> Mapped(const std::string& name, const std::string& physical,
                                     int id, std::shared_ptr<arrow::DataType> type) {
  return arrow::field(
      name, std::move(type), true,
      arrow::key_value_metadata({kColumnIdKey, kPhysicalNameKey, "comment"},
                                {std::to_string(id), physical, "kept"}));
}

std::shared_ptr<arrow::Field> InFile(const std::string& name, std::optional<int> id) {
  if (!id) return arrow::field(name, arrow::int64());
  return arrow::field(
      name, arrow::int64(), true,
      arrow::key_value_metadata({kParquetFieldIdKey}, {std::to_string(*id)}));
}

Protocol ReaderV3(std::vector<std::string> features) {
  Protocol protocol{3, 7, features, features};
  return protocol;
}

Metadata WithMode(const std::string& mode) {
  Metadata metadata;
  metadata.configuration["delta.columnMapping.mode"] = mode;
  return metadata;
}

TEST(ColumnMappingTest, ModeIsHonouredOnlyWhenTheProtocolSupportsIt) {
  EXPECT_EQ(ColumnMappingOf(Protocol{2, 5, {}, {}}, WithMode("name")),
            ColumnMapping::kName);
  EXPECT_EQ(ColumnMappingOf(ReaderV3({"columnMapping"}), WithMode("id")),
            ColumnMapping::kId);
  EXPECT_EQ(ColumnMappingOf(ReaderV3({"timestampNtz"}), WithMode("name")),
            ColumnMapping::kNone);
  EXPECT_EQ(ColumnMappingOf(Protocol{1, 2, {}, {}}, WithMode("id")),
            ColumnMapping::kNone);
  EXPECT_EQ(ColumnMappingOf(Protocol{2, 5, {}, {}}, Metadata{}), ColumnMapping::kNone);
  EXPECT_OK(CheckColumnMappingMode(WithMode("id")));
  auto bogus = CheckColumnMappingMode(WithMode("bogus"));
  ASSERT_TRUE(IsKind(bogus, ErrorKind::kUnsupportedFeature)) << bogus.ToString();
  EXPECT_EQ(GetDeltaDetail(bogus)->feature(), "columnMapping");
}

TEST(ColumnMappingTest, PhysicalNamesAndIds) {
  auto field = Mapped("label", "col-7", 7, arrow::utf8());
  EXPECT_EQ(PhysicalName(*field, ColumnMapping::kName), "col-7");
  EXPECT_EQ(PhysicalName(*field, ColumnMapping::kId), "col-7");
  EXPECT_EQ(PhysicalName(*field, ColumnMapping::kNone), "label");
  EXPECT_EQ(PhysicalName(*arrow::field("plain", arrow::utf8()), ColumnMapping::kName),
            "plain");
  EXPECT_EQ(ColumnId(*field, ColumnMapping::kId), 7);
  EXPECT_EQ(ColumnId(*field, ColumnMapping::kName), std::nullopt);
  EXPECT_EQ(ParquetFieldId(*InFile("x", 12)), 12);
  EXPECT_EQ(ParquetFieldId(*InFile("x", std::nullopt)), std::nullopt);
}

TEST(ColumnMappingTest, FindsFileFieldsByPhysicalNameOrId) {
  arrow::FieldVector table = {Mapped("a", "col-a", 1, arrow::int64()),
                              Mapped("b", "col-b", 2, arrow::int64()),
                              Mapped("c", "col-c", 3, arrow::int64())};
  // col-a carries b's id: under id mode the id wins, under name mode the name.
  arrow::FieldVector file = {InFile("col-a", 2), InFile("renamed", 1), InFile("a", 9),
                             InFile("col-c", std::nullopt)};
  EXPECT_EQ(FindFileField(file, *table[0], table, ColumnMapping::kName), 0);
  EXPECT_EQ(FindFileField(file, *table[1], table, ColumnMapping::kName), -1);
  EXPECT_EQ(FindFileField(file, *table[0], table, ColumnMapping::kId), 1);
  EXPECT_EQ(FindFileField(file, *table[1], table, ColumnMapping::kId), 0);
  // No id in the file: the physical name, as in files written before the mapping.
  EXPECT_EQ(FindFileField(file, *table[2], table, ColumnMapping::kId), 3);
  EXPECT_EQ(FindFileField(file, *table[0], table, ColumnMapping::kNone), 2);
  // An id no table field claims does not stop the name from matching.
  arrow::FieldVector stray = {InFile("col-a", 42)};
  EXPECT_EQ(FindFileField(stray, *table[0], table, ColumnMapping::kId), 0);
}

TEST(ColumnMappingTest, OutputKeepsOnlyUserMetadataAtEveryDepth) {
  auto inner = Mapped("x", "col-x", 2, arrow::int32());
  auto outer = Mapped("s", "col-s", 1,
                      arrow::list(arrow::field("element", arrow::struct_({inner}))));
  auto stripped = WithoutStorageMetadata(*arrow::schema({outer}));
  const auto& field = stripped->field(0);
  ASSERT_TRUE(field->metadata());
  EXPECT_EQ(field->metadata()->keys(), std::vector<std::string>{"comment"});
  const auto& x = field->type()->field(0)->type()->field(0);
  EXPECT_EQ(x->name(), "x");
  EXPECT_EQ(x->metadata()->keys(), std::vector<std::string>{"comment"});
}

// The Delta schema JSON keeps the mapping in field metadata, nested fields included.
TEST(ColumnMappingTest, DeltaSchemaCarriesTheMappingIntoArrow) {
  ASSERT_OK_AND_ASSIGN(auto schema, DeltaSchemaJsonToArrow(R"({"type":"struct","fields":[
    {"name":"s","type":{"type":"struct","fields":[{"name":"x","type":"integer",
      "nullable":true,"metadata":{"delta.columnMapping.id":2,
      "delta.columnMapping.physicalName":"col-x"}}]},"nullable":true,
     "metadata":{"delta.columnMapping.id":1,"delta.columnMapping.physicalName":"col-s"}}]})"));
  const auto& s = *schema->field(0);
  EXPECT_EQ(PhysicalName(s, ColumnMapping::kName), "col-s");
  EXPECT_EQ(ColumnId(*s.type()->field(0), ColumnMapping::kId), 2);
}

}  // namespace
}  // namespace deltaline::delta
