#pragma once

// Tables of random rows for the optimize and Z-order tests.
#include <cstdint>
#include <memory>
#include <random>
#include <string>

#include <arrow/api.h>

namespace deltaline::delta::optimize_testing {

/// \brief `rows` rows: id int64 (from `first_id`), p int32 (id % partitions), x and y
/// int64 uniform in [0, 1'000'000), s a random 12-letter string. Deterministic in
/// `seed`.
inline std::shared_ptr<arrow::Table> RandomRows(int64_t first_id, int64_t rows,
                                                int partitions, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int64_t> coord(0, 999'999);
  std::uniform_int_distribution<int> letter('a', 'z');
  arrow::Int64Builder ids, xs, ys;
  arrow::Int32Builder ps;
  arrow::StringBuilder ss;
  for (int64_t row = 0; row < rows; ++row) {
    (void)ids.Append(first_id + row);
    (void)ps.Append(static_cast<int32_t>((first_id + row) % partitions));
    (void)xs.Append(coord(rng));
    (void)ys.Append(coord(rng));
    std::string text(12, 'a');
    for (auto& c : text) c = static_cast<char>(letter(rng));
    (void)ss.Append(text);
  }
  auto schema = arrow::schema(
      {arrow::field("id", arrow::int64()), arrow::field("p", arrow::int32()),
       arrow::field("x", arrow::int64()), arrow::field("y", arrow::int64()),
       arrow::field("s", arrow::utf8())});
  return arrow::Table::Make(schema, {ids.Finish().ValueOrDie(), ps.Finish().ValueOrDie(),
                                     xs.Finish().ValueOrDie(), ys.Finish().ValueOrDie(),
                                     ss.Finish().ValueOrDie()});
}

}  // namespace deltaline::delta::optimize_testing
