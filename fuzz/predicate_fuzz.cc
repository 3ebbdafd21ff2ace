// libFuzzer target: ParsePredicate on arbitrary bytes against a fixed schema of
// several types. Any input must give an expression or an error, never a crash, and a
// parsed expression must evaluate on a small batch without crashing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <arrow/api.h>
#include <arrow/compute/api.h>

#include "delta/predicate/predicate.h"

namespace {

std::shared_ptr<arrow::Schema> FuzzSchema() {
  static const auto schema = arrow::schema({
      arrow::field("id", arrow::int64()),
      arrow::field("small", arrow::int8()),
      arrow::field("x", arrow::float64()),
      arrow::field("name", arrow::utf8()),
      arrow::field("flag", arrow::boolean()),
      arrow::field("day", arrow::date32()),
      arrow::field("ts", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")),
      arrow::field("ntz", arrow::timestamp(arrow::TimeUnit::MICRO)),
      arrow::field("amount", arrow::decimal128(10, 2)),
      arrow::field("weird name", arrow::int32()),
      arrow::field("s", arrow::struct_({arrow::field("a", arrow::int32()),
                                        arrow::field("b", arrow::utf8())})),
  });
  return schema;
}

// Three rows of nulls: enough to run every kernel the expression calls.
std::shared_ptr<arrow::RecordBatch> FuzzBatch() {
  static const auto batch = [] {
    std::vector<std::shared_ptr<arrow::Array>> columns;
    for (const auto& field : FuzzSchema()->fields()) {
      columns.push_back(arrow::MakeArrayOfNull(field->type(), 3).ValueOrDie());
    }
    return arrow::RecordBatch::Make(FuzzSchema(), 3, std::move(columns));
  }();
  return batch;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view sql(reinterpret_cast<const char*>(data), size);
  auto parsed = deltaline::delta::ParsePredicate(sql, *FuzzSchema());
  if (parsed.ok()) {
    (void)deltaline::delta::PredicateColumns(*parsed, *FuzzSchema());
    (void)arrow::compute::ExecuteScalarExpression(
        *parsed, arrow::compute::ExecBatch(*FuzzBatch()));
  }
  return 0;
}
