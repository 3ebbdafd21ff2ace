#pragma once

// The operations of the concurrent-writer stress (tests/stress/): what writer W does
// at step S is a pure function of (W, S), so the test can rebuild every landed
// commit's effect from the (writer, seq) tags in the log, without trusting what
// the writer processes say.

#include <cstdint>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <arrow/api.h>
#include <arrow/compute/expression.h>

namespace deltaline::stress {

enum class OpKind {
  kAppend,
  kOverwriteOwn,
  kOverwriteShared,
  kReplaceOwn,
  kReplaceShared
};

inline const char* OpKindName(OpKind kind) {
  switch (kind) {
    case OpKind::kAppend:
      return "append";
    case OpKind::kOverwriteOwn:
      return "overwrite-own";
    case OpKind::kOverwriteShared:
      return "overwrite-shared";
    case OpKind::kReplaceOwn:
      return "replace-own";
    case OpKind::kReplaceShared:
      return "replace-shared";
  }
  return "?";
}

/// One row; (writer, seq, idx) is its identity, unique over the whole run.
struct Row {
  int64_t key = 0;
  std::string part;
  int32_t writer = 0;
  int32_t seq = 0;
  int32_t idx = 0;
  bool operator<(const Row& other) const {
    return std::tie(writer, seq, idx, key, part) <
           std::tie(other.writer, other.seq, other.idx, other.key, other.part);
  }
  bool operator==(const Row& other) const { return !(*this < other) && !(other < *this); }
};

/// Keys [-1000, 0) are shared by every writer; writer w alone uses [w*1000, w*1000+1000).
/// Partitions "a", "b", "c" are shared; "w<w>" is writer w's alone. So "own" ranges
/// and partitions never overlap another writer's, and "shared" ones always may.
struct Op {
  OpKind kind = OpKind::kAppend;
  int32_t writer = 0;
  int32_t seq = 0;
  int64_t lo = 0;  ///< overwrite: the predicate is lo <= key < hi
  int64_t hi = 0;
  std::vector<Row> rows;  ///< the input rows
  std::set<std::string> parts() const {
    std::set<std::string> out;
    for (const auto& row : rows) out.insert(row.part);
    return out;
  }
  bool is_overwrite() const {
    return kind == OpKind::kOverwriteOwn || kind == OpKind::kOverwriteShared;
  }
  bool is_replace() const {
    return kind == OpKind::kReplaceOwn || kind == OpKind::kReplaceShared;
  }
  /// True when the row is one this op replaces (if it was visible to the op's read).
  bool Covers(const Row& row) const {
    if (is_overwrite()) return row.key >= lo && row.key < hi;
    if (is_replace()) return parts().count(row.part) > 0;
    return false;
  }
};

inline Op MakeOp(int32_t writer, int32_t seq) {
  std::mt19937_64 rng(static_cast<uint64_t>(writer) * 1000003u +
                      static_cast<uint64_t>(seq));
  auto pick = [&](int64_t lo, int64_t hi) {  // [lo, hi)
    return std::uniform_int_distribution<int64_t>(lo, hi - 1)(rng);
  };
  Op op;
  op.writer = writer;
  op.seq = seq;
  const int64_t roll = pick(0, 100);
  op.kind = roll < 40   ? OpKind::kAppend
            : roll < 60 ? OpKind::kOverwriteOwn
            : roll < 72 ? OpKind::kOverwriteShared
            : roll < 88 ? OpKind::kReplaceOwn
                        : OpKind::kReplaceShared;
  const std::string own_part = "w" + std::to_string(writer);
  const char* shared_parts[] = {"a", "b", "c"};
  const int64_t own_base = int64_t{writer} * 1000;
  const bool shared_keys = op.kind == OpKind::kOverwriteShared || pick(0, 2) == 0;
  const int64_t base = shared_keys ? -1000 : own_base;
  if (op.is_overwrite()) {
    const int64_t width = op.kind == OpKind::kOverwriteShared ? 200 : 100;
    op.lo = base + pick(0, 1000 - width);
    op.hi = op.lo + width;
  }
  const int rows = static_cast<int>(pick(1, 4));
  const std::string replace_part =
      op.kind == OpKind::kReplaceOwn ? own_part : shared_parts[pick(0, 3)];
  for (int idx = 0; idx < rows; ++idx) {
    Row row;
    row.writer = writer;
    row.seq = seq;
    row.idx = idx;
    row.key = op.is_overwrite() ? pick(op.lo, op.hi) : base + pick(0, 1000);
    if (op.is_replace()) {
      row.part = replace_part;
    } else {
      const int64_t choice = pick(0, 4);
      row.part = choice == 3 ? own_part : shared_parts[choice];
    }
    op.rows.push_back(row);
  }
  return op;
}

inline std::shared_ptr<arrow::Schema> StressSchema() {
  return arrow::schema(
      {arrow::field("key", arrow::int64()), arrow::field("part", arrow::utf8()),
       arrow::field("writer", arrow::int32()), arrow::field("seq", arrow::int32()),
       arrow::field("idx", arrow::int32())});
}

inline arrow::Result<std::shared_ptr<arrow::Table>> RowsToTable(
    const std::vector<Row>& rows) {
  arrow::Int64Builder keys;
  arrow::StringBuilder parts;
  arrow::Int32Builder writers, seqs, idxs;
  for (const auto& row : rows) {
    ARROW_RETURN_NOT_OK(keys.Append(row.key));
    ARROW_RETURN_NOT_OK(parts.Append(row.part));
    ARROW_RETURN_NOT_OK(writers.Append(row.writer));
    ARROW_RETURN_NOT_OK(seqs.Append(row.seq));
    ARROW_RETURN_NOT_OK(idxs.Append(row.idx));
  }
  std::vector<std::shared_ptr<arrow::Array>> columns(5);
  ARROW_RETURN_NOT_OK(keys.Finish(&columns[0]));
  ARROW_RETURN_NOT_OK(parts.Finish(&columns[1]));
  ARROW_RETURN_NOT_OK(writers.Finish(&columns[2]));
  ARROW_RETURN_NOT_OK(seqs.Finish(&columns[3]));
  ARROW_RETURN_NOT_OK(idxs.Finish(&columns[4]));
  return arrow::Table::Make(StressSchema(), columns);
}

inline arrow::compute::Expression RangePredicate(const Op& op) {
  namespace cp = arrow::compute;
  return cp::and_(cp::greater_equal(cp::field_ref("key"), cp::literal(op.lo)),
                  cp::less(cp::field_ref("key"), cp::literal(op.hi)));
}

}  // namespace deltaline::stress
