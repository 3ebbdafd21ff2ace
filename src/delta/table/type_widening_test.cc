#include "delta/table/type_widening.h"

#include <gtest/gtest.h>

#include "delta/base/errors.h"
#include "test_util.h"

namespace deltaline::delta {
namespace {

TEST(TypeWideningTest, TheProtocolsChangesAndNoOthers) {
  for (const auto& [from, to] :
       std::vector<std::pair<std::string, std::string>>{{"byte", "short"},
                                                        {"byte", "long"},
                                                        {"short", "integer"},
                                                        {"integer", "long"},
                                                        {"float", "double"},
                                                        {"byte", "double"},
                                                        {"integer", "double"},
                                                        {"date", "timestamp_ntz"},
                                                        {"decimal(5,2)", "decimal(10,4)"},
                                                        {"decimal(5, 2)", "decimal(6,2)"},
                                                        {"integer", "decimal(10,0)"},
                                                        {"short", "decimal(12,2)"},
                                                        {"long", "decimal(20,0)"},
                                                        {"long", "decimal(38,18)"}}) {
    EXPECT_TRUE(IsSupportedTypeChange(from, to)) << from << " -> " << to;
  }
  for (const auto& [from, to] :
       std::vector<std::pair<std::string, std::string>>{{"long", "integer"},
                                                        {"double", "float"},
                                                        {"long", "double"},
                                                        {"date", "timestamp"},
                                                        {"timestamp_ntz", "date"},
                                                        {"string", "long"},
                                                        {"integer", "string"},
                                                        {"decimal(5,2)", "decimal(5,3)"},
                                                        {"decimal(5,2)", "decimal(6,1)"},
                                                        {"integer", "decimal(9,0)"},
                                                        {"long", "decimal(19,0)"},
                                                        {"integer", "decimal(11,2)"},
                                                        {"float", "decimal(10,2)"},
                                                        {"integer", "integer"}}) {
    EXPECT_FALSE(IsSupportedTypeChange(from, to)) << from << " -> " << to;
  }
}

TEST(TypeWideningTest, SchemaChecksEveryNestedChange) {
  EXPECT_OK(CheckTypeChanges(R"({"type":"struct","fields":[{"name":"a","type":"long",
    "nullable":true,"metadata":{}}]})"));
  EXPECT_OK(CheckTypeChanges(R"({"type":"struct","fields":[{"name":"a","type":"long",
    "nullable":true,"metadata":{"delta.typeChanges":[{"fromType":"short",
    "toType":"integer"},{"fromType":"integer","toType":"long"}]}}]})"));
  auto refused = CheckTypeChanges(R"({"type":"struct","fields":[{"name":"s","type":{
    "type":"struct","fields":[{"name":"m","type":{"type":"map","keyType":"string",
    "valueType":"integer","valueContainsNull":true},"nullable":true,"metadata":{
    "delta.typeChanges":[{"fromType":"long","toType":"integer","fieldPath":"value"}]}}]},
    "nullable":true,"metadata":{}}]})");
  ASSERT_TRUE(IsKind(refused, ErrorKind::kUnsupportedFeature)) << refused.ToString();
  EXPECT_EQ(GetDeltaDetail(refused)->feature(), "typeWidening");
  EXPECT_NE(refused.message().find("'s.m'"), std::string::npos) << refused.message();
  auto malformed = CheckTypeChanges(R"({"type":"struct","fields":[{"name":"a",
    "type":"long","nullable":true,"metadata":{"delta.typeChanges":[{"toType":"long"}]}}]})");
  EXPECT_TRUE(IsKind(malformed, ErrorKind::kProtocol)) << malformed.ToString();
}

}  // namespace
}  // namespace deltaline::delta
