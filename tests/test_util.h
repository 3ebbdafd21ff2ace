#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <arrow/result.h>
#include <arrow/status.h>
#include <arrow/table.h>
#include <gtest/gtest.h>

#define DL_CONCAT_INNER(a, b) a##b
#define DL_CONCAT(a, b) DL_CONCAT_INNER(a, b)

#define ASSERT_OK(expr)                                       \
  do {                                                        \
    ::arrow::Status _st = ::arrow::ToStatus(expr);            \
    ASSERT_TRUE(_st.ok()) << #expr << ": " << _st.ToString(); \
  } while (false)

#define EXPECT_OK(expr)                                       \
  do {                                                        \
    ::arrow::Status _st = ::arrow::ToStatus(expr);            \
    EXPECT_TRUE(_st.ok()) << #expr << ": " << _st.ToString(); \
  } while (false)

#define ASSERT_OK_AND_ASSIGN_IMPL(res, lhs, rexpr)                    \
  auto res = (rexpr);                                                 \
  ASSERT_TRUE(res.ok()) << #rexpr << ": " << res.status().ToString(); \
  lhs = std::move(res).ValueUnsafe();

#define ASSERT_OK_AND_ASSIGN(lhs, rexpr) \
  ASSERT_OK_AND_ASSIGN_IMPL(DL_CONCAT(_res_, __COUNTER__), lhs, rexpr)

namespace deltaline::testing {

/// \brief A fresh, empty directory under the build tree, removed when it goes out
/// of scope (kept when DELTALINE_KEEP_TEST_DIRS is set, for post-mortems).
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

/// \brief Tables equal ignoring row order and chunking (rows sorted on all columns).
::testing::AssertionResult TablesEqualUnordered(const arrow::Table& expected,
                                                const arrow::Table& actual);

}  // namespace deltaline::testing
