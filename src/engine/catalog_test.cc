#include "engine/catalog.h"

#include <arrow/acero/exec_plan.h>
#include <arrow/io/file.h>
#include <arrow/ipc/writer.h>
#include <gtest/gtest.h>

#include "delta/base/errors.h"
#include "delta/log/log_store.h"
#include "delta/write/write.h"
#include "support/table_builders.h"
#include "test_util.h"

namespace deltaline::engine {
namespace {

using testing::IdsTable;
using testing::TablesEqualUnordered;
using testing::TempDir;

arrow::Status WriteIds(const std::string& uri, const std::string& ids,
                       delta::SaveMode mode) {
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(uri));
  delta::WriteOptions options;
  options.mode = mode;
  return delta::WriteTable(*store, *IdsTable(ids), options).status();
}

arrow::Result<std::shared_ptr<arrow::Table>> Rows(const Catalog& catalog,
                                                  const std::string& name) {
  ARROW_ASSIGN_OR_RAISE(auto source, catalog.Source(name));
  return arrow::acero::DeclarationToTable(std::move(source));
}

TEST(CatalogTest, DeltaBindingPinsTheVersionItNames) {
  TempDir dir;
  const std::string uri = dir.str() + "/t";
  ASSERT_OK(WriteIds(uri, "[1, 2]", delta::SaveMode::kAppend));
  ASSERT_OK(WriteIds(uri, "[3]", delta::SaveMode::kAppend));

  Catalog catalog;
  ASSERT_OK(catalog.AddBinding("old=" + uri + "@0"));
  ASSERT_OK(catalog.AddBinding("new=" + uri));
  ASSERT_OK(WriteIds(uri, "[4]", delta::SaveMode::kAppend));  // after binding

  ASSERT_OK_AND_ASSIGN(auto old_rows, Rows(catalog, "old"));
  EXPECT_TRUE(TablesEqualUnordered(*IdsTable("[1, 2]"), *old_rows));
  ASSERT_OK_AND_ASSIGN(auto new_rows, Rows(catalog, "new"));
  EXPECT_TRUE(TablesEqualUnordered(*IdsTable("[1, 2, 3]"), *new_rows));
  ASSERT_OK_AND_ASSIGN(auto entry, catalog.Entry("new"));
  EXPECT_EQ(entry.kind, SourceKind::kDelta);
  EXPECT_EQ(entry.version, 1);
}

TEST(CatalogTest, FilesAreRecognisedByTheirMagic) {
  TempDir dir;
  const std::string path = dir.str() + "/rows.data";  // no telling extension
  {
    ASSERT_OK_AND_ASSIGN(auto out, arrow::io::FileOutputStream::Open(path));
    auto table = IdsTable("[7, 8]");
    ASSERT_OK_AND_ASSIGN(auto writer, arrow::ipc::MakeFileWriter(out, table->schema()));
    ASSERT_OK(writer->WriteTable(*table));
    ASSERT_OK(writer->Close());
  }
  Catalog catalog;
  ASSERT_OK(catalog.AddBinding("f=" + path));
  ASSERT_OK(catalog.AddTable("m", IdsTable("[9]")));
  ASSERT_OK_AND_ASSIGN(auto entry, catalog.Entry("f"));
  EXPECT_EQ(entry.kind, SourceKind::kArrowIpcFile);
  ASSERT_OK_AND_ASSIGN(auto rows, Rows(catalog, "f"));
  EXPECT_TRUE(TablesEqualUnordered(*IdsTable("[7, 8]"), *rows));
  // A second scan of a file source opens it afresh.
  ASSERT_OK_AND_ASSIGN(rows, Rows(catalog, "f"));
  EXPECT_EQ(rows->num_rows(), 2);
  ASSERT_OK_AND_ASSIGN(rows, Rows(catalog, "m"));
  EXPECT_TRUE(TablesEqualUnordered(*IdsTable("[9]"), *rows));
}

TEST(CatalogTest, BadBindingsAreTypedErrorsNamingThem) {
  TempDir dir;
  Catalog catalog;
  auto st = catalog.AddBinding("noequals");
  EXPECT_TRUE(st.IsInvalid()) << st.ToString();
  EXPECT_NE(st.message().find("NAME=URI"), std::string::npos) << st.ToString();
  st = catalog.AddBinding("x=" + dir.str() + "/missing");
  EXPECT_NE(st.message().find("missing"), std::string::npos) << st.ToString();
  ASSERT_OK(catalog.AddTable("m", IdsTable("[1]")));
  st = catalog.AddTable("m", IdsTable("[1]"));
  EXPECT_NE(st.message().find("bound twice"), std::string::npos) << st.ToString();
  auto source = catalog.Source("nope");
  ASSERT_FALSE(source.ok());
  EXPECT_NE(source.status().message().find("known: m"), std::string::npos);
}

TEST(CatalogTest, ParseBindingSplitsTheVersionAfterTheLastSeparator) {
  ASSERT_OK_AND_ASSIGN(auto parsed, ParseBinding("a=/data/x@y/t@3"));
  EXPECT_EQ(parsed.name, "a");
  EXPECT_EQ(parsed.uri, "/data/x@y/t");
  EXPECT_EQ(parsed.at, "3");
  ASSERT_OK_AND_ASSIGN(parsed, ParseBinding("a=/data/x@y/t"));
  EXPECT_EQ(parsed.uri, "/data/x@y/t");
  EXPECT_EQ(parsed.at, "");
  ASSERT_OK_AND_ASSIGN(auto spec, ParseVersionSpec("2024-05-01T12:00:00Z"));
  EXPECT_EQ(spec.timestamp_ms, 1714564800000);
  EXPECT_FALSE(ParseVersionSpec("yesterday").ok());
}

}  // namespace
}  // namespace deltaline::engine
