#include "delta/table/clustering.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "delta/base/errors.h"
#include "test_util.h"

namespace deltaline::delta {
namespace {

using Paths = std::vector<ColumnPath>;

std::map<std::string, DomainMetadata> Domain(const std::string& name,
                                             const std::string& configuration) {
  return {{name, DomainMetadata{name, configuration, false}}};
}

constexpr const char* kPlainSchema =
    R"({"type":"struct","fields":[{"name":"a","type":"long","nullable":true,"metadata":{}},)"
    R"({"name":"b","type":{"type":"struct","fields":[{"name":"c","type":"string",)"
    R"("nullable":true,"metadata":{}}]},"nullable":true,"metadata":{}}]})";

// Column mapping: the domain stores physical names.
constexpr const char* kMappedSchema =
    R"({"type":"struct","fields":[{"name":"Logical","type":"long","nullable":true,)"
    R"("metadata":{"delta.columnMapping.physicalName":"col-1"}},)"
    R"({"name":"inner","type":{"type":"struct","fields":[{"name":"x","type":"string",)"
    R"("nullable":true,"metadata":{"delta.columnMapping.physicalName":"col-3"}}]},)"
    R"("nullable":true,"metadata":{"delta.columnMapping.physicalName":"col-2"}}]})";

TEST(Clustering, SparkDomainWithNestedPaths) {
  ASSERT_OK_AND_ASSIGN(
      auto columns, ClusteringColumns(Domain("delta.clustering",
                                             R"({"clusteringColumns":[["a"],["b","c"]],)"
                                             R"("domainName":"delta.clustering"})"),
                                      kPlainSchema));
  ASSERT_TRUE(columns.has_value());
  EXPECT_EQ(*columns, (Paths{{"a"}, {"b", "c"}}));
}

TEST(Clustering, PhysicalNamesBecomeLogical) {
  ASSERT_OK_AND_ASSIGN(
      auto columns,
      ClusteringColumns(Domain("delta.clustering",
                               R"({"clusteringColumns":[["col-1"],["col-2","col-3"]]})"),
                        kMappedSchema));
  EXPECT_EQ(*columns, (Paths{{"Logical"}, {"inner", "x"}}));
  // The protocol's example shape: one (physical) name per column.
  ASSERT_OK_AND_ASSIGN(
      columns,
      ClusteringColumns(Domain("delta.clustering", R"({"clusteringColumns":["col-1"]})"),
                        kMappedSchema));
  EXPECT_EQ(*columns, (Paths{{"Logical"}}));
  // A name that matches no field is shown as stored.
  ASSERT_OK_AND_ASSIGN(
      columns,
      ClusteringColumns(Domain("delta.clustering", R"({"clusteringColumns":["gone"]})"),
                        kMappedSchema));
  EXPECT_EQ(*columns, (Paths{{"gone"}}));
}

TEST(Clustering, OlderLiquidDomain) {
  ASSERT_OK_AND_ASSIGN(
      auto columns,
      ClusteringColumns(
          Domain("delta.liquid", R"({"clusteringColumns":[{"physicalName":["a"]}],)"
                                 R"("domainName":"delta.liquid"})"),
          kPlainSchema));
  EXPECT_EQ(*columns, (Paths{{"a"}}));
}

TEST(Clustering, NoDomainAndMalformedDomains) {
  ASSERT_OK_AND_ASSIGN(
      auto none, ClusteringColumns(Domain("delta.rowTracking", "{}"), kPlainSchema));
  EXPECT_FALSE(none.has_value());
  for (const char* bad :
       {"not json", R"({"clusteringColumns":3})", R"({"other":[]})",
        R"({"clusteringColumns":[[1]]})", R"({"clusteringColumns":[[]]})",
        R"({"clusteringColumns":[{"name":"a"}]})"}) {
    auto st = ClusteringColumns(Domain("delta.clustering", bad), kPlainSchema).status();
    EXPECT_TRUE(IsKind(st, ErrorKind::kProtocol)) << bad << ": " << st.ToString();
  }
}

}  // namespace
}  // namespace deltaline::delta
