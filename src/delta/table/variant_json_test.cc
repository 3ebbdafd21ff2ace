#include "delta/table/variant_json.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <arrow/api.h>
#include <arrow/extension_type.h>
#include <arrow/json/from_string.h>

#include "delta/base/errors.h"
#include "delta/table/variant_type.h"
#include "test_util.h"

namespace deltaline::delta {
namespace {

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int byte : bytes) out.push_back(static_cast<char>(byte));
  return out;
}

// Dictionary ["a", "b"], sorted, 1-byte offsets.
const std::string kAB = Bytes({0x11, 2, 0, 1, 2, 'a', 'b'});
const std::string kEmpty = Bytes({0x01, 0, 0});

std::string Json(const std::string& metadata, const std::string& value) {
  auto text = VariantToJson(metadata, value);
  EXPECT_TRUE(text.ok()) << text.status().ToString();
  return text.ok() ? *text : "<error>";
}

TEST(VariantJson, ObjectsArraysAndShortStrings) {
  // {"a": int8 5, "b": [true, "hi"]}; the values are stored a, b.
  const std::string array = Bytes({0x03, 2, 0, 1, 4, 0x04, 0x09, 'h', 'i'});
  std::string object = Bytes({0x02, 2, 0, 1, 0, 2, 11, 0x0C, 5});
  object += array;
  EXPECT_EQ(Json(kAB, object), R"({"a":5,"b":[true,"hi"]})");
  // Values stored out of order (b first): offsets say where each one starts.
  std::string reordered = Bytes({0x02, 2, 0, 1, 9, 0, 11});
  reordered += array;
  reordered += Bytes({0x0C, 5});
  EXPECT_EQ(Json(kAB, reordered), R"({"a":5,"b":[true,"hi"]})");
  // Spark's {"key": 0}, from the shared variant table (unsorted dictionary).
  EXPECT_EQ(
      Json(Bytes({0x01, 1, 0, 3, 'k', 'e', 'y'}), Bytes({0x02, 1, 0, 0, 2, 0x0C, 0})),
      R"({"key":0})");
  // Large object header: 4-byte count, 2-byte ids and offsets.
  EXPECT_EQ(Json(kAB, Bytes({0x02 | (0x15 << 2), 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0x00})),
            R"({"b":null})");
}

TEST(VariantJson, Primitives) {
  EXPECT_EQ(Json(kEmpty, Bytes({0x00})), "null");
  EXPECT_EQ(Json(kEmpty, Bytes({0x08})), "false");
  EXPECT_EQ(Json(kEmpty, Bytes({0x10, 0x2C, 0x01})), "300");  // int16
  EXPECT_EQ(Json(kEmpty, Bytes({0x18, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF})),
            "-2");  // int64
  EXPECT_EQ(Json(kEmpty, Bytes({0x1C, 0, 0, 0, 0, 0, 0, 0xF8, 0x3F})), "1.5");
  EXPECT_EQ(Json(kEmpty, Bytes({0x20, 2, 150, 0, 0, 0})), "1.5");      // decimal4 1.50
  EXPECT_EQ(Json(kEmpty, Bytes({0x20, 2, 0x10, 0x27, 0, 0})), "100");  // 100.00
  EXPECT_EQ(Json(kEmpty, Bytes({0x20, 0, 0x10, 0x27, 0, 0})), "10000");
  EXPECT_EQ(
      Json(kEmpty, Bytes({0x24, 3, 0xF6, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF})),
      "-0.01");  // decimal8 -0.010
  EXPECT_EQ(Json(kEmpty, Bytes({0x2C, 0x0B, 0x4D, 0, 0})), R"("2024-01-01")");
  EXPECT_EQ(Json(kEmpty, Bytes({0x30, 1, 0, 0, 0, 0, 0, 0, 0})),
            R"("1970-01-01 00:00:00.000001+00:00")");
  EXPECT_EQ(Json(kEmpty, Bytes({0x34, 0, 0, 0, 0, 0, 0, 0, 0})),
            R"("1970-01-01 00:00:00")");
  EXPECT_EQ(Json(kEmpty, Bytes({0x40, 4, 0, 0, 0, 'a', '"', 'b', '\n'})), R"("a\"b\n")");
  EXPECT_EQ(Json(kEmpty, Bytes({0x3C, 3, 0, 0, 0, 'a', 'b', 'c'})), R"("YWJj")");
}

TEST(VariantJson, CorruptBytesAreProtocolErrors) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {Bytes({0x02}), kAB},                      // bad metadata version
      {kAB, ""},                                 // empty value
      {kAB, Bytes({0x02, 2, 0, 1, 0, 2})},       // truncated object
      {kAB, Bytes({0x02, 1, 7, 0, 1, 0x00})},    // field id not in dictionary
      {kAB, Bytes({0x03, 1, 0, 9, 0x00})},       // offset past the end
      {kEmpty, Bytes({0x40, 9, 0, 0, 0, 'a'})},  // string longer than value
      {kEmpty, Bytes({30 << 2})},                // unknown primitive
      {Bytes({0x11, 200, 0}), Bytes({0x00})},    // dictionary larger than bytes
  };
  for (const auto& [metadata, value] : cases) {
    auto st = VariantToJson(metadata, value).status();
    EXPECT_TRUE(IsKind(st, ErrorKind::kProtocol)) << st.ToString();
  }
}

TEST(VariantJson, ArraysOfVariantsBecomeText) {
  auto storage_type =
      static_cast<const arrow::ExtensionType&>(*VariantType()).storage_type();
  arrow::BinaryBuilder values, metadata;
  ASSERT_OK(values.Append(Bytes({0x0C, 5})));
  ASSERT_OK(metadata.Append(kEmpty));
  ASSERT_OK(values.Append(Bytes({0x00})));
  ASSERT_OK(metadata.Append(kEmpty));
  ASSERT_OK_AND_ASSIGN(auto value_array, values.Finish());
  ASSERT_OK_AND_ASSIGN(auto metadata_array, metadata.Finish());
  ASSERT_OK_AND_ASSIGN(
      auto storage,
      arrow::StructArray::Make({value_array, metadata_array}, storage_type->fields()));
  auto variants = arrow::ExtensionType::WrapArray(VariantType(), storage);
  // list<variant> [[5], null, [null-variant]] sliced to skip the first row.
  ASSERT_OK_AND_ASSIGN(auto offsets,
                       arrow::json::ArrayFromJSONString(arrow::int32(), "[0, 1, 1, 2]"));
  ASSERT_OK_AND_ASSIGN(auto validity, arrow::json::ArrayFromJSONString(
                                          arrow::boolean(), "[true, false, true]"));
  ASSERT_OK_AND_ASSIGN(auto list, arrow::ListArray::FromArrays(
                                      arrow::list(arrow::field("element", VariantType())),
                                      *offsets, *variants, arrow::default_memory_pool(),
                                      validity->data()->buffers[1], 1));
  ASSERT_OK_AND_ASSIGN(auto text, VariantsToJsonText(list->Slice(1)));
  ASSERT_OK(text->ValidateFull());
  ASSERT_OK_AND_ASSIGN(
      auto expected,
      arrow::json::ArrayFromJSONString(
          arrow::list(arrow::field("element", arrow::utf8())), R"([null, ["null"]])"));
  EXPECT_TRUE(text->Equals(*expected)) << text->ToString();
}

TEST(VariantJson, ShreddedFilesAreRefusedByName) {
  auto binary = [](const char* name) {
    return arrow::field(name, arrow::binary(), /*nullable=*/false);
  };
  auto unshredded = arrow::struct_({binary("value"), binary("metadata")});
  auto shredded = arrow::struct_(
      {binary("metadata"), binary("value"), arrow::field("typed_value", arrow::int64())});
  EXPECT_OK(CheckUnshreddedVariants(*VariantType(), *unshredded, "v", "f.parquet"));
  auto st = CheckUnshreddedVariants(*VariantType(), *shredded, "v", "f.parquet");
  ASSERT_TRUE(IsKind(st, ErrorKind::kUnsupportedFeature)) << st.ToString();
  EXPECT_EQ(GetDeltaDetail(st)->feature(), "variantShredding-preview");
  // Found at any depth, and named by its path.
  auto table_type = arrow::struct_(
      {arrow::field("l", arrow::list(arrow::field("element", VariantType())))});
  auto file_type =
      arrow::struct_({arrow::field("l", arrow::list(arrow::field("element", shredded)))});
  st = CheckUnshreddedVariants(*table_type, *file_type, "s", "f.parquet");
  EXPECT_TRUE(IsKind(st, ErrorKind::kUnsupportedFeature)) << st.ToString();
  EXPECT_NE(st.message().find("column 's.l.element'"), std::string::npos) << st.message();
  // Columns without variants are not looked at.
  EXPECT_OK(CheckUnshreddedVariants(*arrow::int64(), *shredded, "x", "f.parquet"));
}

}  // namespace
}  // namespace deltaline::delta
