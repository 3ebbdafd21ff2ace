#include "test_util.h"

#include <atomic>
#include <cstdlib>
#include <random>

#include <arrow/compute/api.h>

namespace deltaline::testing {

TempDir::TempDir() {
  std::random_device rd;
  auto base = std::filesystem::path(DELTALINE_BINARY_DIR) / "test-tmp";
  std::filesystem::create_directories(base);
  path_ = base / ("t-" + std::to_string(rd()) + "-" + std::to_string(rd()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  if (std::getenv("DELTALINE_KEEP_TEST_DIRS") == nullptr) {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
}

namespace {

arrow::Result<std::shared_ptr<arrow::Table>> Sorted(const arrow::Table& table) {
  // Since Arrow 21 the sort/take kernels live in libarrow_compute and are only
  // registered by Initialize() (idempotent); nothing else may have called it yet.
  ARROW_RETURN_NOT_OK(arrow::compute::Initialize());
  std::vector<arrow::compute::SortKey> keys;
  for (const auto& field : table.schema()->fields()) {
    // Nested columns cannot be sort keys; the flat ones order the rows well enough.
    if (!arrow::is_nested(field->type()->id())) keys.emplace_back(field->name());
  }
  ARROW_ASSIGN_OR_RAISE(auto combined, table.CombineChunks());
  if (keys.empty()) return combined;
  ARROW_ASSIGN_OR_RAISE(auto indices,
                        arrow::compute::SortIndices(arrow::Datum(combined),
                                                    arrow::compute::SortOptions(keys)));
  ARROW_ASSIGN_OR_RAISE(auto taken, arrow::compute::Take(combined, indices));
  return taken.table()->CombineChunks();
}

}  // namespace

::testing::AssertionResult TablesEqualUnordered(const arrow::Table& expected,
                                                const arrow::Table& actual) {
  if (!expected.schema()->Equals(*actual.schema(), /*check_metadata=*/false)) {
    return ::testing::AssertionFailure()
           << "schemas differ:\nexpected " << expected.schema()->ToString()
           << "\nactual   " << actual.schema()->ToString();
  }
  if (expected.num_rows() != actual.num_rows()) {
    return ::testing::AssertionFailure()
           << "row counts differ: " << expected.num_rows() << " vs " << actual.num_rows();
  }
  auto lhs = Sorted(expected);
  auto rhs = Sorted(actual);
  if (!lhs.ok() || !rhs.ok()) {
    return ::testing::AssertionFailure() << "sort failed: " << lhs.status().ToString()
                                         << " " << rhs.status().ToString();
  }
  if (!(*lhs)->Equals(**rhs)) {
    return ::testing::AssertionFailure()
           << "values differ:\nexpected " << (*lhs)->ToString() << "\nactual   "
           << (*rhs)->ToString();
  }
  return ::testing::AssertionSuccess();
}

}  // namespace deltaline::testing
