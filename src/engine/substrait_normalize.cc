// The normalising pass over a Substrait plan's JSON form. The relation-level checks
// follow what Arrow's consumer reads in engine/substrait/relation_internal.cc (FromProto
// per relation type) and plan.proto/algebra.proto of Substrait 0.44 and later: a field
// the consumer does not read is either translated here or refused by name, because the
// consumer would otherwise run the plan without it.
#include "engine/substrait_normalize.h"

#include <algorithm>
#include <initializer_list>
#include <limits>

#include "delta/base/errors.h"
#include "engine/substrait_rewrites.h"

namespace deltaline::engine {
namespace {

using json = nlohmann::json;

// Substrait 0.63 made FetchRel's count optional (unset = all rows).
constexpr int64_t kCountUnsetIsAllSince = 63;

class Pass {
 public:
  explicit Pass(SubstraitRewriteContext* ctx) : ctx_(ctx) {}

  arrow::Status Rel(json& rel, const std::string& path) {
    if (!rel.is_object() || rel.size() != 1) {
      return delta::InvalidInput("substrait plan: " + path +
                                 " is not a relation (one relation type expected)");
    }
    const std::string type = rel.begin().key();
    const std::string at = path + "." + type;
    json& body = rel.begin().value();
    if (!body.is_object()) {
      return delta::InvalidInput("substrait plan: " + at + " is not an object");
    }
    ARROW_RETURN_NOT_OK(Common(body, at));
    if (type == "read") return Read(rel, at);
    if (type == "filter") return Single(body, at, {"common", "input", "condition"});
    if (type == "project") return Single(body, at, {"common", "input", "expressions"});
    if (type == "sort") return Single(body, at, {"common", "input", "sorts"});
    if (type == "fetch") return Fetch(rel, at);
    if (type == "aggregate") return Aggregate(body, at);
    if (type == "join") return Join(rel, at);
    if (type == "set") return Multi(body, at, {"common", "inputs", "op"});
    if (type == "extensionSingle") return Single(body, at, {"common", "input", "detail"});
    if (type == "extensionMulti") return Multi(body, at, {"common", "inputs", "detail"});
    if (type == "extensionLeaf") return CheckFields(body, at, {"common", "detail"});
    return RefuseField(path, type,
                       "is a relation type Arrow 26's Substrait consumer cannot run");
  }

 private:
  arrow::Status Common(const json& body, const std::string& at) {
    auto it = body.find("common");
    if (it == body.end()) return arrow::Status::OK();
    // A hint carries statistics and constraints only: ignoring it changes no result.
    return CheckFields(*it, at + ".common", {"direct", "emit", "hint"});
  }

  arrow::Status Single(json& body, const std::string& at,
                       std::initializer_list<const char*> allowed) {
    ARROW_RETURN_NOT_OK(CheckFields(body, at, allowed));
    auto it = body.find("input");
    if (it == body.end())
      return delta::InvalidInput("substrait plan: " + at + " has no input");
    return Rel(*it, at + ".input");
  }

  arrow::Status Multi(json& body, const std::string& at,
                      std::initializer_list<const char*> allowed) {
    ARROW_RETURN_NOT_OK(CheckFields(body, at, allowed));
    auto it = body.find("inputs");
    if (it == body.end() || !it->is_array()) return arrow::Status::OK();
    for (size_t i = 0; i < it->size(); ++i) {
      ARROW_RETURN_NOT_OK(Rel((*it)[i], at + ".inputs[" + std::to_string(i) + "]"));
    }
    return arrow::Status::OK();
  }

  arrow::Status Read(json& rel, const std::string& at) {
    json& read = rel["read"];
    if (read.contains("projection")) {
      return RefuseField(at, "projection",
                         "(a read with a column projection) is not supported by Arrow "
                         "26's Substrait consumer: project above the read instead");
    }
    if (read.contains("localFiles")) {
      // Every read goes through the Catalog, where a Delta table is read through its
      // log (a plan naming a Delta table's Parquet files would also read removed ones).
      return RefuseField(at, "localFiles",
                         "(files named by the plan) is not read: bind the file or table "
                         "to a name (--table NAME=PATH) and read it as a namedTable");
    }
    ARROW_RETURN_NOT_OK(CheckFields(
        read, at, {"common", "baseSchema", "filter", "bestEffortFilter", "namedTable"}));
    if (!read.contains("namedTable")) {
      return delta::InvalidInput("substrait plan: " + at + " reads no namedTable");
    }
    ARROW_RETURN_NOT_OK(CheckFields(read["namedTable"], at + ".namedTable", {"names"}));
    if (read.contains("bestEffortFilter")) {
      read.erase("bestEffortFilter");
      ctx_->Record(at,
                   "dropped bestEffortFilter: optional by the Substrait spec (the "
                   "producer applies the exact filter elsewhere)");
    }
    if (!read.contains("filter")) return arrow::Status::OK();
    // The consumer ignores a named-table read's filter: the filter becomes its own
    // relation, which keeps the read's emit so that the condition still sees the whole
    // base schema.
    json filter = {{"input", {{"read", read}}}, {"condition", read["filter"]}};
    json& moved = filter["input"]["read"];
    moved.erase("filter");
    if (moved.contains("common")) {
      filter["common"] = moved["common"];
      moved["common"] = {{"direct", json::object()}};
    }
    rel = {{"filter", std::move(filter)}};
    ctx_->Record(at,
                 "moved the read's filter into a filter relation above the read "
                 "(Arrow's consumer would return every row)");
    return arrow::Status::OK();
  }

  arrow::Status Fetch(json& rel, const std::string& at) {
    json& fetch = rel["fetch"];
    ARROW_RETURN_NOT_OK(CheckFields(
        fetch, at, {"common", "input", "offset", "count", "offsetExpr", "countExpr"}));
    ARROW_RETURN_NOT_OK(Rel(fetch["input"], at + ".input"));
    return TranslateFetch(fetch, at, ctx_->plan_minor >= kCountUnsetIsAllSince, ctx_);
  }

  arrow::Status Aggregate(json& body, const std::string& at) {
    ARROW_RETURN_NOT_OK(CheckFields(
        body, at, {"common", "input", "groupings", "measures", "groupingExpressions"}));
    ARROW_RETURN_NOT_OK(Rel(body["input"], at + ".input"));
    ARROW_RETURN_NOT_OK(TranslateGroupings(body, at, ctx_));
    auto measures = body.find("measures");
    if (measures == body.end()) return arrow::Status::OK();
    for (size_t i = 0; i < measures->size(); ++i) {
      const std::string m = at + ".measures[" + std::to_string(i) + "]";
      json& measure = (*measures)[i];
      if (measure.contains("filter")) {
        return RefuseField(m, "filter",
                           "(an aggregate FILTER (WHERE ...)) is not supported by Arrow "
                           "26's Substrait consumer");
      }
      ARROW_RETURN_NOT_OK(CheckFields(measure, m, {"measure"}));
      if (!measure.contains("measure")) continue;
      const json& fn = measure["measure"];
      ARROW_RETURN_NOT_OK(CheckFields(fn, m + ".measure",
                                      {"functionReference", "arguments", "options",
                                       "outputType", "phase", "invocation", "sorts"}));
      if (fn.contains("sorts") && !fn["sorts"].empty()) {
        return RefuseField(m + ".measure", "sorts",
                           "(an ordered aggregate) is ignored by Arrow 26's Substrait "
                           "consumer");
      }
    }
    return arrow::Status::OK();
  }

  arrow::Status Join(json& rel, const std::string& at) {
    json& join = rel["join"];
    ARROW_RETURN_NOT_OK(CheckFields(
        join, at, {"common", "left", "right", "expression", "postJoinFilter", "type"}));
    ARROW_RETURN_NOT_OK(Rel(join["left"], at + ".left"));
    ARROW_RETURN_NOT_OK(Rel(join["right"], at + ".right"));
    if (!join.contains("postJoinFilter")) return arrow::Status::OK();
    const bool has_emit = join.contains("common") && join["common"].contains("emit");
    if (join.value("type", "") != "JOIN_TYPE_INNER" || has_emit) {
      return RefuseField(at, "postJoinFilter",
                         "is ignored by Arrow 26's Substrait consumer; it is translated "
                         "only for inner joins without an emit");
    }
    // On an inner join the post-join filter and a filter over the join's output are
    // the same relation; the consumer runs only the latter.
    json filter = {{"condition", join["postJoinFilter"]}};
    join.erase("postJoinFilter");
    filter["input"] = rel;
    rel = {{"filter", std::move(filter)}};
    ctx_->Record(at,
                 "moved the inner join's postJoinFilter into a filter relation above "
                 "the join (Arrow's consumer ignores it)");
    return arrow::Status::OK();
  }

  SubstraitRewriteContext* ctx_;
};

arrow::Status NormalizeRelations(json& plan, Pass& pass, NormalizedPlan& out,
                                 SubstraitRewriteContext& ctx) {
  auto relations = plan.find("relations");
  if (relations == plan.end() || !relations->is_array() || relations->empty()) {
    return delta::InvalidInput("substrait plan has no relations");
  }
  if (relations->size() > 1) {
    return RefuseField("plan", "relations",
                       "holds " + std::to_string(relations->size()) +
                           " relation trees; Arrow 26's Substrait consumer runs one");
  }
  json& plan_rel = (*relations)[0];
  ARROW_RETURN_NOT_OK(CheckFields(plan_rel, "relations[0]", {"root", "rel"}));
  if (plan_rel.contains("rel")) return pass.Rel(plan_rel["rel"], "relations[0].rel");
  if (!plan_rel.contains("root")) {
    return delta::InvalidInput("substrait plan: relations[0] has neither root nor rel");
  }
  json& root = plan_rel["root"];
  ARROW_RETURN_NOT_OK(CheckFields(root, "relations[0].root", {"input", "names"}));
  if (!root.contains("input")) {
    return delta::InvalidInput("substrait plan: relations[0].root has no input");
  }
  ARROW_RETURN_NOT_OK(pass.Rel(root["input"], "relations[0].root.input"));
  if (root.contains("names")) {
    out.has_root_names = true;
    for (const auto& name : root["names"]) {
      if (!name.is_string()) {
        return delta::InvalidInput(
            "substrait plan: relations[0].root.names holds a "
            "non-string");
      }
      out.output_names.push_back(name.get<std::string>());
    }
  }
  json input = std::move(root["input"]);
  plan_rel = {{"rel", std::move(input)}};
  ctx.Record("relations[0].root",
             "output names taken out of the plan and applied to the result schema "
             "(Arrow's consumer leaves them off its declaration)");
  return arrow::Status::OK();
}

}  // namespace

arrow::Result<NormalizedPlan> NormalizeSubstraitPlan(nlohmann::json plan) {
  if (!plan.is_object())
    return delta::InvalidInput("substrait plan is not a JSON object");
  if (plan.contains("advancedExtensions")) {
    return RefuseField("plan", "advancedExtensions",
                       "is not honoured by Arrow 26's Substrait consumer");
  }
  ARROW_RETURN_NOT_OK(CheckFields(
      plan, "plan",
      {"version", "extensionUris", "extensions", "relations", "expectedTypeUrls"}));
  NormalizedPlan out;
  SubstraitRewriteContext ctx;
  ctx.rewrites = &out.rewrites;
  if (plan.contains("version") && plan["version"].is_object()) {
    ctx.plan_minor = plan["version"].value("minorNumber", int64_t{0});
    if (plan["version"].value("majorNumber", int64_t{0}) > 0) {
      ctx.plan_minor = std::numeric_limits<int64_t>::max();
    }
  }
  Pass pass(&ctx);
  ARROW_RETURN_NOT_OK(NormalizeRelations(plan, pass, out, ctx));
  out.plan = std::move(plan);
  return out;
}

}  // namespace deltaline::engine
