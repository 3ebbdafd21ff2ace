// Loading a Substrait plan (JSON or binary), normalising it, and binding it to the
// Catalog through Arrow's consumer. Plans are edited in JSON form because no Substrait
// .proto headers ship with the wheel; Arrow's own JSON <-> binary conversion is used.
#include "engine/substrait_plan.h"

#include <fstream>
#include <sstream>

#include <arrow/acero/options.h>
#include <arrow/buffer.h>
#include <arrow/compute/initialize.h>
#include <arrow/engine/substrait/serde.h>

#include "delta/base/errors.h"
#include "engine/execute.h"
#include "engine/substrait_names.h"
#include "engine/substrait_wire.h"

namespace deltaline::engine {
namespace {

arrow::Status InitializeOnce() {
  static arrow::Status status = arrow::compute::Initialize();
  return status;
}

bool LooksLikeJson(std::string_view bytes) {
  for (char c : bytes) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    return c == '{';
  }
  return false;
}

// Binary → JSON through Arrow's protobuf descriptors. Fields those descriptors do not
// know (a newer Substrait) vanish in the conversion, so the JSON is turned back into
// binary and compared with the plan as given, field by field: a plan that lost a field
// on the way is refused instead of run without it. The re-encoding may differ in bytes
// without losing anything (Arrow writes repeated scalars unpacked where protobuf's
// other writers pack them), so its length says nothing.
arrow::Result<std::string> Reencode(std::string_view bytes, std::string* json) {
  auto buffer = std::make_shared<arrow::Buffer>(
      reinterpret_cast<const uint8_t*>(bytes.data()), static_cast<int64_t>(bytes.size()));
  ARROW_ASSIGN_OR_RAISE(*json, arrow::engine::internal::SubstraitToJSON("Plan", *buffer));
  ARROW_ASSIGN_OR_RAISE(auto again, arrow::engine::internal::SubstraitFromJSON(
                                        "Plan", *json, /*ignore_unknown_fields=*/false));
  return again->ToString();
}

arrow::Result<std::string> BinaryToJson(std::string_view bytes) {
  std::string json;
  auto again = Reencode(bytes, &json);
  if (!again.ok()) {
    return delta::InvalidInput(
        "not a Substrait plan (neither JSON nor binary protobuf): " +
        again.status().message());
  }
  auto reencode = [](std::string_view plan) -> arrow::Result<std::string> {
    std::string ignored;
    return Reencode(plan, &ignored);
  };
  ARROW_ASSIGN_OR_RAISE(auto lost, FindLostField(bytes, *again, reencode));
  if (lost) {
    return delta::UnsupportedFeature(
        "substrait",
        "binary substrait plan holds " + *lost +
            " (field numbers), which Arrow 26's Substrait schema (0.44) does not know "
            "(from a newer Substrait); converting it would drop it silently. Give the "
            "plan as JSON, so that each such field is translated or refused by name");
  }
  return json;
}

arrow::Status TypedConversionError(const arrow::Status& st) {
  if (delta::GetDeltaDetail(st) != nullptr) return st;
  if (st.IsNotImplemented()) {
    return delta::UnsupportedFeature(
        "substrait",
        "Arrow 26's Substrait consumer cannot run this plan: " + st.message());
  }
  return delta::InvalidInput("substrait plan does not convert: " + st.message());
}

}  // namespace

arrow::Result<SubstraitPlan> LoadSubstraitPlan(std::string_view bytes) {
  SubstraitPlan out;
  std::string text;
  if (LooksLikeJson(bytes)) {
    text = std::string(bytes);
  } else {
    out.encoding = PlanEncoding::kBinary;
    ARROW_ASSIGN_OR_RAISE(text, BinaryToJson(bytes));
  }
  out.original = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (out.original.is_discarded()) {
    return delta::InvalidInput("substrait plan is not valid JSON");
  }
  try {
    ARROW_ASSIGN_OR_RAISE(out.normalized, NormalizeSubstraitPlan(out.original));
  } catch (const nlohmann::json::exception& e) {
    // A field of the wrong JSON type somewhere the pass looks.
    return delta::InvalidInput(std::string("substrait plan is malformed: ") + e.what());
  }
  return out;
}

arrow::Result<SubstraitPlan> ReadSubstraitPlanFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return delta::InvalidInput("cannot read the plan file '" + path + "'");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return LoadSubstraitPlan(bytes.str());
}

arrow::Result<std::shared_ptr<arrow::Buffer>> SerializeNormalizedPlan(
    const SubstraitPlan& plan) {
  // Strict: a field unknown to the 0.44 schema that the pass did not look at is an
  // error here rather than dropped (Arrow's default ignores unknown fields).
  auto buffer = arrow::engine::internal::SubstraitFromJSON(
      "Plan", plan.normalized.plan.dump(), /*ignore_unknown_fields=*/false);
  if (!buffer.ok()) {
    return delta::UnsupportedFeature(
        "substrait",
        "substrait plan holds a field Arrow 26's Substrait schema (0.44) "
        "does not know; refusing it rather than dropping it: " +
            buffer.status().message());
  }
  return buffer;
}

arrow::Result<PlanDeclaration> PlanToDeclaration(const SubstraitPlan& plan,
                                                 const Catalog& catalog,
                                                 const SubstraitRunOptions& options) {
  ARROW_RETURN_NOT_OK(InitializeOnce());
  ARROW_ASSIGN_OR_RAISE(auto buffer, SerializeNormalizedPlan(plan));
  auto bindings = std::make_shared<std::vector<std::string>>();
  arrow::engine::ConversionOptions conversion;
  conversion.named_table_provider = CatalogTableProvider(catalog, bindings);
  if (options.named_tap_provider) {
    conversion.named_tap_provider = options.named_tap_provider;
  }
  auto info = arrow::engine::DeserializePlan(*buffer, /*registry=*/nullptr,
                                             /*ext_set_out=*/nullptr, conversion);
  if (!info.ok()) return TypedConversionError(info.status());
  PlanDeclaration out;
  out.declaration = std::move(info->root.declaration);
  out.schema = info->root.output_schema;
  if (plan.normalized.has_root_names) {
    ARROW_ASSIGN_OR_RAISE(out.declaration,
                          ApplyOutputNames(std::move(out.declaration), *out.schema,
                                           plan.normalized.output_names));
    ARROW_ASSIGN_OR_RAISE(out.schema,
                          RenameDepthFirst(*out.schema, plan.normalized.output_names));
  }
  out.bindings = std::move(*bindings);
  return out;
}

arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> RunSubstraitPlan(
    const SubstraitPlan& plan, const Catalog& catalog,
    const SubstraitRunOptions& options) {
  ARROW_ASSIGN_OR_RAISE(auto bound, PlanToDeclaration(plan, catalog, options));
  // RunToReader gates file sinks and pushes filters and columns into Delta scans.
  auto reader = RunToReader(std::move(bound.declaration), options.run);
  if (!reader.ok()) return TypedConversionError(reader.status());
  return std::shared_ptr<arrow::RecordBatchReader>(std::move(*reader));
}

}  // namespace deltaline::engine
