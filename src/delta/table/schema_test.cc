#include "delta/table/schema.h"

#include <string>
#include <utility>
#include <vector>

#include <arrow/extension_type.h>
#include <arrow/util/key_value_metadata.h>
#include <gtest/gtest.h>

#include "delta/base/errors.h"
#include "delta/table/variant_type.h"
#include "test_util.h"

namespace deltaline::delta {
namespace {

// Written by Spark (delta-stats-optional in the shared Delta test tables): every
// primitive family plus struct, map and array nesting, in Spark's exact key order.
constexpr const char* kSparkSchema =
    R"json({"type":"struct","fields":[{"name":"integer","type":"integer","nullable":false,"metadata":{}},{"name":"null","type":"boolean","nullable":true,"metadata":{}},{"name":"boolean","type":"boolean","nullable":true,"metadata":{}},{"name":"double","type":"double","nullable":true,"metadata":{}},{"name":"decimal","type":"decimal(8,5)","nullable":true,"metadata":{}},{"name":"string","type":"string","nullable":true,"metadata":{}},{"name":"binary","type":"binary","nullable":true,"metadata":{}},{"name":"date","type":"date","nullable":true,"metadata":{}},{"name":"timestamp","type":"timestamp","nullable":true,"metadata":{}},{"name":"struct","type":{"type":"struct","fields":[{"name":"struct_element","type":"string","nullable":true,"metadata":{}}]},"nullable":true,"metadata":{}},{"name":"map","type":{"type":"map","keyType":"string","valueType":"string","valueContainsNull":true},"nullable":true,"metadata":{}},{"name":"array","type":{"type":"array","elementType":"string","containsNull":true},"nullable":true,"metadata":{}},{"name":"nested_struct","type":{"type":"struct","fields":[{"name":"struct_element","type":{"type":"struct","fields":[{"name":"nested_struct_element","type":"string","nullable":true,"metadata":{}}]},"nullable":true,"metadata":{}}]},"nullable":true,"metadata":{}},{"name":"struct_of_array_of_map","type":{"type":"struct","fields":[{"name":"struct_element","type":{"type":"array","elementType":{"type":"map","keyType":"string","valueType":"string","valueContainsNull":true},"containsNull":true},"nullable":true,"metadata":{}}]},"nullable":true,"metadata":{}}]})json";

// Same source: identity-column metadata with numbers and booleans (checkpoint-v2-table).
constexpr const char* kIdentitySchema =
    R"json({"type":"struct","fields":[{"name":"id","type":"long","nullable":true,"metadata":{"delta.identity.allowExplicitInsert":false,"delta.identity.highWaterMark":10,"delta.identity.start":1,"delta.identity.step":1}},{"name":"name","type":"string","nullable":true,"metadata":{}},{"name":"created_at","type":"timestamp","nullable":true,"metadata":{}}]})json";

std::shared_ptr<arrow::Schema> OneColumn(std::shared_ptr<arrow::DataType> type) {
  return arrow::schema({arrow::field("c", std::move(type))});
}

std::string DeltaTypeOf(std::shared_ptr<arrow::DataType> type,
                        const SchemaConversionOptions& options = {}) {
  auto json = ArrowToDeltaSchemaJson(*OneColumn(std::move(type)), options);
  if (!json.ok()) return "error: " + json.status().ToString();
  const std::string prefix = R"({"type":"struct","fields":[{"name":"c","type":)";
  const std::string suffix = R"(,"nullable":true,"metadata":{}}]})";
  if (json->rfind(prefix, 0) != 0 || json->size() < prefix.size() + suffix.size()) {
    return "unexpected: " + *json;
  }
  return json->substr(prefix.size(), json->size() - prefix.size() - suffix.size());
}

std::string Feature(const arrow::Status& st) {
  const DeltaErrorDetail* detail = GetDeltaDetail(st);
  return detail == nullptr ? "<no detail>" : detail->feature();
}

TEST(Schema, WritesSparkJsonExactly) {
  auto schema = arrow::schema({arrow::field("id", arrow::int64())});
  ASSERT_OK_AND_ASSIGN(std::string json, ArrowToDeltaSchemaJson(*schema));
  EXPECT_EQ(
      json,
      R"({"type":"struct","fields":[{"name":"id","type":"long","nullable":true,"metadata":{}}]})");
}

TEST(Schema, SparkSchemaRoundTripsByteForByte) {
  ASSERT_OK_AND_ASSIGN(auto arrow_schema, DeltaSchemaJsonToArrow(kSparkSchema));
  ASSERT_EQ(arrow_schema->num_fields(), 14);
  EXPECT_FALSE(arrow_schema->field(0)->nullable());
  EXPECT_TRUE(arrow_schema->field(8)->type()->Equals(
      arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")));
  EXPECT_TRUE(arrow_schema->field(13)->type()->Equals(arrow::struct_({arrow::field(
      "struct_element",
      arrow::list(arrow::field(
          "element",
          arrow::map(arrow::utf8(), arrow::field("value", arrow::utf8())))))})));
  ASSERT_OK_AND_ASSIGN(std::string back, ArrowToDeltaSchemaJson(*arrow_schema));
  EXPECT_EQ(back, kSparkSchema);
}

TEST(Schema, EveryPrimitiveRoundTrips) {
  const std::vector<std::pair<std::shared_ptr<arrow::DataType>, std::string>> cases = {
      {arrow::boolean(), R"("boolean")"},
      {arrow::int8(), R"("byte")"},
      {arrow::int16(), R"("short")"},
      {arrow::int32(), R"("integer")"},
      {arrow::int64(), R"("long")"},
      {arrow::float32(), R"("float")"},
      {arrow::float64(), R"("double")"},
      {arrow::utf8(), R"("string")"},
      {arrow::binary(), R"("binary")"},
      {arrow::date32(), R"("date")"},
      {arrow::decimal128(38, 10), R"j("decimal(38,10)")j"},
      {arrow::decimal128(1, 0), R"j("decimal(1,0)")j"},
      {arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"), R"("timestamp")"},
      {arrow::timestamp(arrow::TimeUnit::MICRO), R"("timestamp_ntz")"},
  };
  for (const auto& [type, delta] : cases) {
    SCOPED_TRACE(type->ToString());
    EXPECT_EQ(DeltaTypeOf(type), delta);
    ASSERT_OK_AND_ASSIGN(auto canonical, CanonicalArrowSchema(*OneColumn(type)));
    EXPECT_TRUE(canonical->Equals(*OneColumn(type), /*check_metadata=*/true))
        << canonical->ToString();
  }
}

TEST(Schema, NestedTypesKeepNullabilityAndMetadata) {
  auto md = arrow::key_value_metadata({"comment", "delta.columnMapping.id"}, {"hi", "7"});
  auto inner = arrow::struct_({
      arrow::field("x", arrow::int32(), /*nullable=*/false),
      arrow::field("tags", arrow::list(arrow::field("element", arrow::utf8(), false)),
                   true, arrow::key_value_metadata({"comment"}, {"labels"})),
  });
  auto schema = arrow::schema({
      arrow::field("id", arrow::int64(), /*nullable=*/false, md),
      arrow::field("s", inner),
      arrow::field("m",
                   std::make_shared<arrow::MapType>(
                       arrow::field("key", arrow::utf8(), false),
                       arrow::field("value", arrow::list(arrow::field("element", inner)),
                                    /*nullable=*/false)),
                   /*nullable=*/false),
  });
  ASSERT_OK_AND_ASSIGN(std::string json, ArrowToDeltaSchemaJson(*schema));
  // The typed key goes back to a JSON number; the free-form comment stays a string.
  EXPECT_NE(json.find(R"("metadata":{"comment":"hi","delta.columnMapping.id":7})"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"({"type":"array","elementType":"string","containsNull":false})"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("valueContainsNull":false)"), std::string::npos) << json;
  ASSERT_OK_AND_ASSIGN(auto back, DeltaSchemaJsonToArrow(json));
  EXPECT_TRUE(back->Equals(*schema, /*check_metadata=*/true))
      << back->ToString(true) << "\nvs\n"
      << schema->ToString(true);
  ASSERT_OK_AND_ASSIGN(std::string again, ArrowToDeltaSchemaJson(*back));
  EXPECT_EQ(again, json);
}

TEST(Schema, DeltaMetadataValuesSurviveTheArrowTrip) {
  ASSERT_OK_AND_ASSIGN(auto arrow_schema, DeltaSchemaJsonToArrow(kIdentitySchema));
  auto md = arrow_schema->field(0)->metadata();
  ASSERT_NE(md, nullptr);
  EXPECT_EQ(md->Get("delta.identity.highWaterMark").ValueOr(""), "10");
  EXPECT_EQ(md->Get("delta.identity.allowExplicitInsert").ValueOr(""), "false");
  EXPECT_EQ(arrow_schema->field(1)->metadata(), nullptr);
  ASSERT_OK_AND_ASSIGN(std::string back, ArrowToDeltaSchemaJson(*arrow_schema));
  EXPECT_EQ(back, kIdentitySchema);

  // Unknown keys keep Arrow's string; non-string Delta values arrive as JSON text.
  ASSERT_OK_AND_ASSIGN(
      auto other,
      DeltaSchemaJsonToArrow(
          R"({"type":"struct","fields":[{"name":"a","type":"long","nullable":true,"metadata":{"x":{"k":[1,2]},"y":"5"}}]})"));
  EXPECT_EQ(other->field(0)->metadata()->Get("x").ValueOr(""), R"({"k":[1,2]})");
  ASSERT_OK_AND_ASSIGN(std::string other_back, ArrowToDeltaSchemaJson(*other));
  EXPECT_NE(other_back.find(R"("metadata":{"x":"{\"k\":[1,2]}","y":"5"})"),
            std::string::npos)
      << other_back;
}

TEST(Schema, WiderArrowTypesMapToCanonicalOnes) {
  const std::vector<
      std::pair<std::shared_ptr<arrow::DataType>, std::shared_ptr<arrow::DataType>>>
      cases = {
          {arrow::large_utf8(), arrow::utf8()},
          {arrow::utf8_view(), arrow::utf8()},
          {arrow::large_binary(), arrow::binary()},
          {arrow::binary_view(), arrow::binary()},
          {arrow::fixed_size_binary(16), arrow::binary()},
          {arrow::decimal256(38, 2), arrow::decimal128(38, 2)},
          {arrow::decimal32(5, 2), arrow::decimal128(5, 2)},
          {arrow::decimal64(12, 0), arrow::decimal128(12, 0)},
          {arrow::timestamp(arrow::TimeUnit::MICRO, "America/New_York"),
           arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")},
          {arrow::large_list(arrow::int32()),
           arrow::list(arrow::field("element", arrow::int32()))},
          {arrow::fixed_size_list(arrow::int32(), 3),
           arrow::list(arrow::field("element", arrow::int32()))},
          {arrow::list_view(arrow::int32()),
           arrow::list(arrow::field("element", arrow::int32()))},
      };
  for (const auto& [input, expected] : cases) {
    SCOPED_TRACE(input->ToString());
    ASSERT_OK_AND_ASSIGN(auto canonical, CanonicalArrowSchema(*OneColumn(input)));
    EXPECT_TRUE(canonical->field(0)->type()->Equals(expected))
        << canonical->field(0)->type()->ToString();
  }
}

TEST(Schema, UnsupportedTypesNameTheColumnPath) {
  const std::vector<std::pair<std::shared_ptr<arrow::DataType>, std::string>> cases = {
      {arrow::uint8(), "type:uint8"},
      {arrow::uint32(), "type:uint32"},
      {arrow::uint64(), "type:uint64"},
      {arrow::null(), "type:null"},
      {arrow::float16(), "type:halffloat"},
      {arrow::date64(), "type:date64"},
      {arrow::timestamp(arrow::TimeUnit::NANO), "type:timestamp[ns]"},
      {arrow::timestamp(arrow::TimeUnit::MILLI, "UTC"), "type:timestamp[ms]"},
      {arrow::time32(arrow::TimeUnit::SECOND), "type:time32"},
      {arrow::time64(arrow::TimeUnit::NANO), "type:time64"},
      {arrow::duration(arrow::TimeUnit::MICRO), "type:duration"},
      {arrow::month_interval(), "type:month_interval"},
      {arrow::month_day_nano_interval(), "type:month_day_nano_interval"},
      {arrow::dictionary(arrow::int32(), arrow::utf8()), "type:dictionary"},
      {arrow::run_end_encoded(arrow::int32(), arrow::utf8()), "type:run_end_encoded"},
      {arrow::dense_union({arrow::field("i", arrow::int32())}), "type:dense_union"},
      {arrow::decimal256(40, 2), "type:decimal256"},
      {arrow::decimal128(10, -2), "type:decimal128"},
      {arrow::struct_(arrow::FieldVector{}), "type:empty_struct"},
  };
  for (const auto& [type, feature] : cases) {
    SCOPED_TRACE(type->ToString());
    auto schema = arrow::schema(
        {arrow::field("a", arrow::struct_({arrow::field("b", arrow::list(type))}))});
    auto st = ArrowToDeltaSchemaJson(*schema).status();
    EXPECT_TRUE(IsKind(st, ErrorKind::kUnsupportedFeature)) << st.ToString();
    EXPECT_EQ(Feature(st), feature);
    EXPECT_NE(st.message().find("column 'a.b.element'"), std::string::npos)
        << st.message();
    EXPECT_FALSE(CanonicalArrowSchema(*schema).ok());
  }
  auto st =
      ArrowToDeltaSchemaJson(
          *arrow::schema({arrow::field("m", arrow::map(arrow::utf8(), arrow::uint16()))}))
          .status();
  EXPECT_NE(st.message().find("column 'm.value': type uint16"), std::string::npos)
      << st.message();
  EXPECT_NE(st.message().find("widen_unsigned"), std::string::npos) << st.message();
}

TEST(Schema, WidenUnsignedOptIn) {
  SchemaConversionOptions widen;
  widen.widen_unsigned = true;
  EXPECT_EQ(DeltaTypeOf(arrow::uint8(), widen), R"("short")");
  EXPECT_EQ(DeltaTypeOf(arrow::uint16(), widen), R"("integer")");
  EXPECT_EQ(DeltaTypeOf(arrow::uint32(), widen), R"("long")");
  EXPECT_EQ(DeltaTypeOf(arrow::uint64(), widen), R"("long")");
  ASSERT_OK_AND_ASSIGN(auto canonical,
                       CanonicalArrowSchema(*OneColumn(arrow::uint8()), widen));
  EXPECT_TRUE(canonical->field(0)->type()->Equals(arrow::int16()));
  // The other option must not leak into this one.
  EXPECT_FALSE(
      ArrowToDeltaSchemaJson(*OneColumn(arrow::timestamp(arrow::TimeUnit::NANO)), widen)
          .ok());
}

TEST(Schema, CoerceTimestampsOptIn) {
  SchemaConversionOptions coerce;
  coerce.coerce_timestamps = true;
  EXPECT_EQ(DeltaTypeOf(arrow::timestamp(arrow::TimeUnit::NANO), coerce),
            R"("timestamp_ntz")");
  EXPECT_EQ(DeltaTypeOf(arrow::timestamp(arrow::TimeUnit::SECOND, "UTC"), coerce),
            R"("timestamp")");
  ASSERT_OK_AND_ASSIGN(
      auto canonical,
      CanonicalArrowSchema(*OneColumn(arrow::timestamp(arrow::TimeUnit::MILLI, "+01:00")),
                           coerce));
  EXPECT_TRUE(canonical->field(0)->type()->Equals(
      arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")));
  EXPECT_FALSE(ArrowToDeltaSchemaJson(*OneColumn(arrow::uint8()), coerce).ok());
}

TEST(Schema, RefusesNamesDeltaCannotHold) {
  auto dup = arrow::schema(
      {arrow::field("Id", arrow::int64()),
       arrow::field("s", arrow::struct_({arrow::field("x", arrow::int8()),
                                         arrow::field("X", arrow::int8())}))});
  auto st = ArrowToDeltaSchemaJson(*dup).status();
  EXPECT_TRUE(IsKind(st, ErrorKind::kInvalidInput)) << st.ToString();
  EXPECT_NE(st.message().find("column 's.X'"), std::string::npos) << st.message();

  st =
      ArrowToDeltaSchemaJson(*arrow::schema({arrow::field("", arrow::int64())})).status();
  EXPECT_TRUE(IsKind(st, ErrorKind::kInvalidInput)) << st.ToString();

  st = ArrowToDeltaSchemaJson(*arrow::schema({arrow::field("bad\xff", arrow::int64())}))
           .status();
  EXPECT_TRUE(IsKind(st, ErrorKind::kInvalidInput)) << st.ToString();

  auto md = arrow::key_value_metadata({"k", "k"}, {"1", "2"});
  st = ArrowToDeltaSchemaJson(
           *arrow::schema({arrow::field("a", arrow::int64(), true, md)}))
           .status();
  EXPECT_TRUE(IsKind(st, ErrorKind::kInvalidInput)) << st.ToString();
}

TEST(Schema, AcceptsDecimalSpellingsAndMissingMetadata) {
  ASSERT_OK_AND_ASSIGN(
      auto schema,
      DeltaSchemaJsonToArrow(
          R"j({"type":"struct","fields":[{"name":"a","type":"decimal(10, 2)","nullable":true},)j"
          R"j({"name":"b","type":"decimal( 7 ,0 )","nullable":false,"metadata":{}},)j"
          R"({"name":"c","type":"decimal","nullable":true,"metadata":{}}]})"));
  EXPECT_TRUE(schema->field(0)->type()->Equals(arrow::decimal128(10, 2)));
  EXPECT_TRUE(schema->field(1)->type()->Equals(arrow::decimal128(7, 0)));
  EXPECT_TRUE(schema->field(2)->type()->Equals(arrow::decimal128(10, 0)));
  ASSERT_OK_AND_ASSIGN(auto empty,
                       DeltaSchemaJsonToArrow(R"({"type":"struct","fields":[]})"));
  EXPECT_EQ(empty->num_fields(), 0);
}

TEST(Schema, UnknownDeltaTypesAreUnsupportedFeatures) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"("void")", "type:void"},
      {R"("interval")", "type:interval"},
      {R"({"type":"udt","class":"x"})", "type:udt"},
  };
  for (const auto& [type, feature] : cases) {
    SCOPED_TRACE(type);
    std::string json = R"({"type":"struct","fields":[{"name":"m","type":{"type":"map",)"
                       R"("keyType":"string","valueType":)" +
                       type +
                       R"(,"valueContainsNull":true},"nullable":true,"metadata":{}}]})";
    auto st = DeltaSchemaJsonToArrow(json).status();
    EXPECT_TRUE(IsKind(st, ErrorKind::kUnsupportedFeature)) << st.ToString();
    EXPECT_EQ(Feature(st), feature);
    EXPECT_NE(st.message().find("column 'm.value'"), std::string::npos) << st.message();
  }
}

TEST(Schema, MalformedJsonIsAProtocolError) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "not valid JSON"},
      {R"({"type":"struct","fields":[{"name":"a","ty)", "not valid JSON"},
      {"[1,2]", "not a JSON object"},
      {R"({"type":"array","elementType":"long","containsNull":true})",
       "must be 'struct'"},
      {R"({"type":"struct"})", "missing 'fields'"},
      {R"({"type":"struct","fields":{}})", "'fields' must be an array"},
      {R"({"type":"struct","fields":[3]})", "field #0 of the schema is not an object"},
      {R"({"type":"struct","fields":[{"type":"long","nullable":true}]})",
       "missing 'name'"},
      {R"({"type":"struct","fields":[{"name":7,"type":"long","nullable":true}]})",
       "'name' must be a string"},
      {R"({"type":"struct","fields":[{"name":"a","nullable":true}]})",
       "column 'a': missing 'type'"},
      {R"({"type":"struct","fields":[{"name":"a","type":"long","nullable":"yes"}]})",
       "'nullable' must be a boolean"},
      {R"({"type":"struct","fields":[{"name":"a","type":null,"nullable":true}]})",
       "must be a string or an object"},
      {R"({"type":"struct","fields":[{"name":"a","type":{"type":"array"},"nullable":true}]})",
       "missing 'elementType'"},
      {R"({"type":"struct","fields":[{"name":"a","type":{"elementType":"long"},"nullable":true}]})",
       "missing 'type'"},
      {R"({"type":"struct","fields":[{"name":"a","type":{"type":"map","keyType":"long","valueType":"long"},"nullable":true}]})",
       "missing 'valueContainsNull'"},
      {R"({"type":"struct","fields":[{"name":"a","type":"long","nullable":true,"metadata":[]}]})",
       "'metadata' must be an object"},
      {R"j({"type":"struct","fields":[{"name":"a","type":"decimal(39,2)","nullable":true}]})j",
       "precision"},
      {R"j({"type":"struct","fields":[{"name":"a","type":"decimal(5,6)","nullable":true}]})j",
       "precision"},
      {R"j({"type":"struct","fields":[{"name":"a","type":"decimal(99999999999,1)","nullable":true}]})j",
       "malformed decimal"},
      {R"j({"type":"struct","fields":[{"name":"a","type":"decimal(5,-1)","nullable":true}]})j",
       "malformed decimal"},
      {R"j({"type":"struct","fields":[{"name":"a","type":"decimal(5,1)x","nullable":true}]})j",
       "malformed decimal"},
      {std::string(100000, '[') + std::string(100000, ']'), "deeper than"},
  };
  for (const auto& [json, expected] : cases) {
    SCOPED_TRACE(json.substr(0, 120));
    auto st = DeltaSchemaJsonToArrow(json).status();
    EXPECT_TRUE(IsKind(st, ErrorKind::kProtocol)) << st.ToString();
    EXPECT_NE(st.message().find(expected), std::string::npos) << st.message();
  }
}

// A cheap stand-in for the fuzzer: every truncation and many byte flips of a real
// schema either parse or fail with a classified Delta error; none may crash.
TEST(Schema, DamagedSchemasFailCleanly) {
  const std::string good = kSparkSchema;
  auto check = [](const std::string& json) {
    auto result = DeltaSchemaJsonToArrow(json);
    if (!result.ok()) {
      EXPECT_TRUE(IsKind(result.status(), ErrorKind::kProtocol) ||
                  IsKind(result.status(), ErrorKind::kUnsupportedFeature))
          << json << " -> " << result.status().ToString();
    }
    auto ntz = UsesTimestampNtz(json);
    if (!ntz.ok()) {
      EXPECT_TRUE(IsKind(ntz.status(), ErrorKind::kProtocol)) << ntz.status().ToString();
    }
  };
  for (size_t len = 0; len < good.size(); ++len) check(good.substr(0, len));
  const std::string replacements = "\"{}[]:,0ax\\";
  for (size_t pos = 0; pos < good.size(); pos += 3) {
    for (char ch : replacements) {
      std::string damaged = good;
      damaged[pos] = ch;
      check(damaged);
    }
  }
}

TEST(Schema, RealSchemasFromSparkParse) {
  ASSERT_OK_AND_ASSIGN(
      auto mapped,
      DeltaSchemaJsonToArrow(
          R"({"type":"struct","fields":[{"name":"Company Very Short","type":"string","nullable":true,"metadata":{"delta.columnMapping.id":1,"delta.columnMapping.physicalName":"col-173b4db9-b5ad-427f-9e75-516aae37fbbb"}},{"name":"Super Name","type":"string","nullable":true,"metadata":{"delta.columnMapping.id":2,"delta.columnMapping.physicalName":"col-3877fd94-0973-4941-ac6b-646849a1ff65"}}]})"));
  EXPECT_EQ(mapped->field(1)->name(), "Super Name");
  EXPECT_EQ(mapped->field(1)->metadata()->Get("delta.columnMapping.id").ValueOr(""), "2");

  // spark-shredded-variant-preview-delta: variant, also nested in an array, is Arrow's
  // Parquet variant extension type over Spark's struct<value, metadata>.
  ASSERT_OK_AND_ASSIGN(
      auto variants,
      DeltaSchemaJsonToArrow(
          R"({"type":"struct","fields":[{"name":"id","type":"long","nullable":true,"metadata":{}},{"name":"v","type":"variant","nullable":true,"metadata":{}},{"name":"array_of_variants","type":{"type":"array","elementType":"variant","containsNull":true},"nullable":true,"metadata":{}}]})"));
  EXPECT_TRUE(IsVariantType(*variants->field(1)->type()));
  EXPECT_FALSE(IsVariantType(*variants->field(2)->type()));
  EXPECT_TRUE(ContainsVariant(*variants->field(2)->type()));
  EXPECT_TRUE(IsVariantType(*variants->field(2)->type()->field(0)->type()));
  const auto& storage =
      static_cast<const arrow::ExtensionType&>(*VariantType()).storage_type();
  EXPECT_EQ(storage->ToString(),
            "struct<value: binary not null, metadata: binary not null>");
}

TEST(Schema, UsesTimestampNtzWalksTypesOnly) {
  auto with = [](const std::string& type) {
    return R"({"type":"struct","fields":[{"name":"a","type":)" + type +
           R"(,"nullable":true,"metadata":{"m":"timestamp_ntz"}}]})";
  };
  ASSERT_OK_AND_ASSIGN(bool uses, UsesTimestampNtz(with(R"("timestamp_ntz")")));
  EXPECT_TRUE(uses);
  ASSERT_OK_AND_ASSIGN(
      uses,
      UsesTimestampNtz(with(
          R"({"type":"map","keyType":"string","valueType":{"type":"array","elementType":"timestamp_ntz","containsNull":true},"valueContainsNull":true})")));
  EXPECT_TRUE(uses);
  // Metadata and names mentioning it do not count; unknown types are skipped.
  ASSERT_OK_AND_ASSIGN(uses, UsesTimestampNtz(with(R"("timestamp")")));
  EXPECT_FALSE(uses);
  ASSERT_OK_AND_ASSIGN(uses, UsesTimestampNtz(kSparkSchema));
  EXPECT_FALSE(uses);
  ASSERT_OK_AND_ASSIGN(
      uses,
      UsesTimestampNtz(
          R"({"type":"struct","fields":[{"name":"v","type":"variant"},{"name":"t","type":"timestamp_ntz"}]})"));
  EXPECT_TRUE(uses);
  EXPECT_TRUE(IsKind(UsesTimestampNtz("{").status(), ErrorKind::kProtocol));
  EXPECT_TRUE(IsKind(UsesTimestampNtz(with(R"({"type":"array"})")).status(),
                     ErrorKind::kProtocol));
}

}  // namespace
}  // namespace deltaline::delta
