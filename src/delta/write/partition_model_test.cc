// Model-based property test: random partitioned tables and random sequences of
// appends, predicate overwrites (partition, data-column and mixed predicates),
// partition replaces and deletes. After every step the table read back equals an
// in-memory model of its rows.
#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <iostream>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "delta/base/errors.h"
#include "delta/log/snapshot.h"
#include "delta/scan/scan.h"
#include "delta/write/write.h"
#include "test_util.h"

#define ASSERT_STEP_OK(expr, what)                             \
  do {                                                         \
    ::arrow::Status _st = (expr);                              \
    ASSERT_TRUE(_st.ok()) << (what) << ": " << _st.ToString(); \
  } while (false)

namespace deltaline::delta {
namespace {

namespace cp = arrow::compute;
using deltaline::testing::TablesEqualUnordered;
using deltaline::testing::TempDir;

struct Row {
  int64_t id;
  std::optional<int32_t> p;
  std::optional<std::string> s;
  int64_t x;
};

// A predicate twice: as an Arrow expression for deltaline, as a function for the
// model (true only when SQL would say true: nulls never match a comparison).
struct Predicate {
  cp::Expression expr;
  std::function<bool(const Row&)> holds;
  std::string text;
};

const std::vector<std::optional<std::string>> kStrings = {"a", "b=c", "d/e",
                                                          "%", "😀",   std::nullopt};

std::shared_ptr<arrow::Schema> Schema() {
  return arrow::schema(
      {arrow::field("id", arrow::int64()), arrow::field("p", arrow::int32()),
       arrow::field("s", arrow::utf8()), arrow::field("x", arrow::int64())});
}

std::shared_ptr<arrow::Table> ToTable(const std::vector<Row>& rows) {
  arrow::Int64Builder ids, xs;
  arrow::Int32Builder ps;
  arrow::StringBuilder ss;
  for (const auto& row : rows) {
    (void)ids.Append(row.id);
    (void)(row.p ? ps.Append(*row.p) : ps.AppendNull());
    (void)(row.s ? ss.Append(*row.s) : ss.AppendNull());
    (void)xs.Append(row.x);
  }
  return arrow::Table::Make(Schema(),
                            {ids.Finish().ValueOrDie(), ps.Finish().ValueOrDie(),
                             ss.Finish().ValueOrDie(), xs.Finish().ValueOrDie()});
}

class Model {
 public:
  explicit Model(uint32_t seed) : rng_(seed) {}

  Row RandomRow() {
    Row row;
    row.id = next_id_++;
    int p = Pick(0, 4);
    if (p < 4) row.p = p;
    row.s = kStrings[Pick(0, static_cast<int>(kStrings.size()) - 1)];
    row.x = Pick(0, 99);
    return row;
  }
  std::vector<Row> RandomRows(int max) {
    std::vector<Row> rows;
    for (int count = Pick(0, max); count > 0; --count) rows.push_back(RandomRow());
    return rows;
  }
  // Rows that satisfy `predicate` (rejection sampling; may be empty).
  std::vector<Row> RowsWhere(const Predicate& predicate, int max) {
    std::vector<Row> rows;
    int wanted = Pick(0, max);
    for (int attempt = 0; attempt < 400 && static_cast<int>(rows.size()) < wanted;
         ++attempt) {
      Row row = RandomRow();
      if (predicate.holds(row)) rows.push_back(row);
    }
    return rows;
  }
  Predicate RandomPredicate() {
    const int32_t k = Pick(0, 3);
    const int64_t t = Pick(0, 99);
    auto p_is = cp::equal(cp::field_ref("p"), cp::literal(k));
    auto x_lt = cp::less(cp::field_ref("x"), cp::literal(t));
    switch (Pick(0, 3)) {
      case 0:
        return {p_is, [k](const Row& r) { return r.p == k; }, "p = " + std::to_string(k)};
      case 1:
        return {x_lt, [t](const Row& r) { return r.x < t; }, "x < " + std::to_string(t)};
      case 2:
        return {cp::and_(p_is, cp::not_(x_lt)),
                [k, t](const Row& r) { return r.p == k && r.x >= t; },
                "p = " + std::to_string(k) + " AND x >= " + std::to_string(t)};
      default: {
        auto s_null = cp::is_null(cp::field_ref("s"));
        return {
            cp::or_(s_null,
                    cp::and_(cp::equal(cp::field_ref("s"), cp::literal("d/e")), x_lt)),
            [t](const Row& r) { return !r.s || (*r.s == "d/e" && r.x < t); },
            "s IS NULL OR (s = 'd/e' AND x < " + std::to_string(t) + ")"};
      }
    }
  }
  int Pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  std::vector<Row> rows;

 private:
  std::mt19937 rng_;
  int64_t next_id_ = 0;
};

std::string KeyOf(const Row& row) {
  return (row.p ? std::to_string(*row.p) : "null") + "|" + row.s.value_or("<null>");
}

PartitionValues ValuesOf(const Row& row) {
  PartitionValues values;
  values["p"] = row.p ? std::optional<std::string>(std::to_string(*row.p)) : std::nullopt;
  values["s"] = row.s;
  return values;
}

// What the sequences exercised, so a run that never hit a case cannot pass quietly.
struct Coverage {
  int64_t rows_copied = 0;  ///< rows kept by partial rewrites
  int overwrites = 0, violations = 0, replaces = 0, deletes = 0, appends = 0;
};

void RunSeed(uint32_t seed, int steps, Coverage& coverage) {
  TempDir dir;
  auto store = FileSystemLogStore::Open((dir.path() / "t").string()).ValueOrDie();
  Model model(seed);
  WriteOptions create;
  create.partition_by = {"p", "s"};
  create.max_open_partition_writers = 1 + model.Pick(0, 8);
  model.rows = model.RandomRows(30);
  if (model.rows.empty()) model.rows.push_back(model.RandomRow());
  ASSERT_OK(WriteTable(*store, *ToTable(model.rows), create).status());
  for (int step = 0; step < steps; ++step) {
    const int op = model.Pick(0, 9);
    std::string what;
    int64_t version_before = Snapshot::Load(*store).ValueOrDie()->version();
    if (op <= 1) {  // append
      auto rows = model.RandomRows(15);
      what = "append " + std::to_string(rows.size());
      WriteOptions options;
      options.mode = SaveMode::kAppend;
      ASSERT_STEP_OK(WriteTable(*store, *ToTable(rows), options).status(), what);
      model.rows.insert(model.rows.end(), rows.begin(), rows.end());
      ++coverage.appends;
    } else if (op <= 4) {  // replaceWhere
      Predicate predicate = model.RandomPredicate();
      auto rows = model.RowsWhere(predicate, 12);
      what = "overwrite where " + predicate.text;
      WriteOptions options;
      options.mode = SaveMode::kOverwrite;
      options.replace_where = predicate.expr;
      auto written = WriteTable(*store, *ToTable(rows), options);
      ASSERT_STEP_OK(written.status(), what);
      coverage.rows_copied += written->rows_copied;
      ++coverage.overwrites;
      std::erase_if(model.rows, predicate.holds);
      model.rows.insert(model.rows.end(), rows.begin(), rows.end());
    } else if (op == 5) {  // a violating replaceWhere changes nothing
      Predicate predicate = model.RandomPredicate();
      Row bad = model.RandomRow();
      if (predicate.holds(bad)) continue;
      what = "violating overwrite where " + predicate.text;
      WriteOptions options;
      options.mode = SaveMode::kOverwrite;
      options.replace_where = predicate.expr;
      auto st = WriteTable(*store, *ToTable({bad}), options).status();
      ASSERT_TRUE(IsKind(st, ErrorKind::kInvalidInput)) << what << ": " << st.ToString();
      ASSERT_EQ(Snapshot::Load(*store).ValueOrDie()->version(), version_before) << what;
      ++coverage.violations;
    } else if (op <= 7) {  // partition replace
      auto rows = model.RandomRows(12);
      std::vector<PartitionValues> deletes;
      std::set<std::string> replaced;
      for (const auto& row : rows) replaced.insert(KeyOf(row));
      if (!model.rows.empty() && model.Pick(0, 1) == 0) {
        const Row& victim =
            model.rows[model.Pick(0, static_cast<int>(model.rows.size()) - 1)];
        deletes.push_back(ValuesOf(victim));
        replaced.insert(KeyOf(victim));
      }
      what = "replace " + std::to_string(replaced.size()) + " partitions";
      auto input = ToTable(rows);  // the reader only references it
      arrow::TableBatchReader reader(*input);
      ASSERT_STEP_OK(ReplacePartitions(*store, reader, {"p", "s"}, deletes).status(),
                     what);
      ++coverage.replaces;
      std::erase_if(model.rows,
                    [&](const Row& r) { return replaced.count(KeyOf(r)) > 0; });
      model.rows.insert(model.rows.end(), rows.begin(), rows.end());
    } else {  // delete
      Predicate predicate = model.RandomPredicate();
      what = "delete where " + predicate.text;
      auto deleted = Delete(*store, predicate.expr);
      ASSERT_STEP_OK(deleted.status(), what);
      coverage.rows_copied += deleted->rows_copied;
      coverage.deletes += deleted->committed ? 1 : 0;
      std::erase_if(model.rows, predicate.holds);
    }
    auto snapshot = Snapshot::Load(*store).ValueOrDie();
    ASSERT_LE(snapshot->version(), version_before + 1) << what << ": one commit at most";
    auto read = ReadSnapshot(*store, snapshot).ValueOrDie();
    ASSERT_TRUE(TablesEqualUnordered(*ToTable(model.rows), *read))
        << "seed " << seed << " step " << step << " (" << what << ")";
  }
}

TEST(PartitionModelTest, RandomOperationSequencesMatchTheModel) {
  int seeds = 30, steps = 12;
  if (const char* env = std::getenv("DELTALINE_MODEL_SEEDS")) seeds = std::atoi(env);
  Coverage coverage;
  for (int seed = 1; seed <= seeds; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RunSeed(static_cast<uint32_t>(seed), steps, coverage);
    if (::testing::Test::HasFatalFailure()) return;
  }
  EXPECT_GT(coverage.rows_copied, 0);
  EXPECT_GT(coverage.overwrites, 0);
  EXPECT_GT(coverage.violations, 0);
  EXPECT_GT(coverage.replaces, 0);
  EXPECT_GT(coverage.deletes, 0);
  EXPECT_GT(coverage.appends, 0);
  std::cerr << "model: " << seeds << " seeds x " << steps
            << " steps: " << coverage.appends << " appends, " << coverage.overwrites
            << " overwrites (" << coverage.rows_copied
            << " rows copied by rewrites incl. deletes), " << coverage.violations
            << " rejected, " << coverage.replaces << " partition replaces, "
            << coverage.deletes << " deletes\n";
}

}  // namespace
}  // namespace deltaline::delta
