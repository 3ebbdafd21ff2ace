#include "engine/pushdown.h"

#include <algorithm>
#include <string>
#include <vector>

#include <arrow/acero/options.h>
#include <arrow/compute/api.h>
#include <arrow/compute/expression.h>
#include <arrow/dataset/scanner.h>

namespace deltaline::engine {
namespace {

namespace ac = arrow::acero;
namespace cp = arrow::compute;
namespace ds = arrow::dataset;

const ds::ScanNodeOptions* ScanOptionsOf(const ac::Declaration& node) {
  if (node.factory_name != "scan" || !node.options) return nullptr;
  const auto* scan = dynamic_cast<const ds::ScanNodeOptions*>(node.options.get());
  return scan && scan->dataset ? scan : nullptr;
}

ac::Declaration* OnlyInput(ac::Declaration& node) {
  if (node.inputs.size() != 1) return nullptr;
  return std::get_if<ac::Declaration>(&node.inputs[0]);
}

// A scan reached from some node through nothing but filters.
struct Chain {
  ac::Declaration* scan = nullptr;
  std::vector<cp::Expression> filters;
};

Chain ScanBelow(ac::Declaration* node) {
  Chain chain;
  while (node) {
    if (ScanOptionsOf(*node)) {
      chain.scan = node;
      return chain;
    }
    if (node->factory_name != "filter") return {};
    const auto* filter = dynamic_cast<const ac::FilterNodeOptions*>(node->options.get());
    if (!filter) return {};
    chain.filters.push_back(filter->filter_expression);
    node = OnlyInput(*node);
  }
  return {};
}

// Gives `scan` options of its own before they change (copy on write).
ds::ScanOptions& OwnScanOptions(ac::Declaration& scan) {
  auto options = std::make_shared<ds::ScanNodeOptions>(*ScanOptionsOf(scan));
  options->scan_options = options->scan_options
                              ? std::make_shared<ds::ScanOptions>(*options->scan_options)
                              : std::make_shared<ds::ScanOptions>();
  auto& scan_options = *options->scan_options;
  if (!scan_options.dataset_schema)
    scan_options.dataset_schema = options->dataset->schema();
  scan.options = options;
  return scan_options;
}

void Conjuncts(const cp::Expression& expr, std::vector<cp::Expression>* out) {
  const auto* call = expr.call();
  if (call && (call->function_name == "and_kleene" || call->function_name == "and")) {
    for (const auto& arg : call->arguments) Conjuncts(arg, out);
  } else if (expr != cp::literal(true)) {
    out->push_back(expr);
  }
}

arrow::Status PushFilters(const Chain& chain) {
  if (chain.filters.empty()) return arrow::Status::OK();
  const auto& schema = *ScanOptionsOf(*chain.scan)->dataset->schema();
  std::vector<cp::Expression> pushable;
  for (const auto& filter : chain.filters) {
    auto bound = filter.Bind(schema);
    if (bound.ok()) pushable.push_back(*std::move(bound));
  }
  if (pushable.empty()) return arrow::Status::OK();
  auto& options = OwnScanOptions(*chain.scan);
  std::vector<cp::Expression> conjuncts;
  Conjuncts(options.filter, &conjuncts);
  for (const auto& filter : pushable) {
    if (std::find(conjuncts.begin(), conjuncts.end(), filter) == conjuncts.end()) {
      conjuncts.push_back(filter);
    }
  }
  ARROW_ASSIGN_OR_RAISE(options.filter, cp::and_(conjuncts).Bind(schema));
  return arrow::Status::OK();
}

// The field references of a project or aggregate node; false when it is neither.
bool ReferencesOf(const ac::Declaration& node, std::vector<arrow::FieldRef>* refs) {
  if (node.factory_name == "project") {
    const auto* project = dynamic_cast<const ac::ProjectNodeOptions*>(node.options.get());
    if (!project) return false;
    for (const auto& expr : project->expressions) {
      for (auto& ref : cp::FieldsInExpression(expr)) refs->push_back(std::move(ref));
    }
    return true;
  }
  if (node.factory_name == "aggregate") {
    const auto* aggregate =
        dynamic_cast<const ac::AggregateNodeOptions*>(node.options.get());
    if (!aggregate) return false;
    for (const auto& agg : aggregate->aggregates) {
      refs->insert(refs->end(), agg.target.begin(), agg.target.end());
    }
    refs->insert(refs->end(), aggregate->keys.begin(), aggregate->keys.end());
    refs->insert(refs->end(), aggregate->segment_keys.begin(),
                 aggregate->segment_keys.end());
    return true;
  }
  return false;
}

// What `refs` (naming outputs of `project`) need of the project's input; false when a
// ref cannot be matched to one of its expressions.
bool MapThroughProject(const ac::Declaration& node, std::vector<arrow::FieldRef>* refs) {
  const auto* project = dynamic_cast<const ac::ProjectNodeOptions*>(node.options.get());
  if (!project) return false;
  std::vector<arrow::FieldRef> mapped;
  for (const auto& ref : *refs) {
    int index = -1;
    if (const auto* path = ref.field_path(); path && !path->empty()) {
      index = path->indices()[0];
    } else if (const auto* name = ref.name()) {
      const auto& names = project->names;
      if (std::count(names.begin(), names.end(), *name) == 1) {
        index = static_cast<int>(std::find(names.begin(), names.end(), *name) -
                                 names.begin());
      }
    }
    if (index < 0 || index >= static_cast<int>(project->expressions.size())) {
      return false;
    }
    for (auto& inner : cp::FieldsInExpression(project->expressions[index])) {
      mapped.push_back(std::move(inner));
    }
  }
  *refs = std::move(mapped);
  return true;
}

// Narrows the scan to the columns `refs` need; leaves it alone when one is not a
// table column (unsure what it reads).
arrow::Status NarrowColumns(const Chain& chain, std::vector<arrow::FieldRef> refs) {
  const ds::ScanNodeOptions& scan = *ScanOptionsOf(*chain.scan);
  const auto& schema = *scan.dataset->schema();
  for (const auto& filter : chain.filters) {
    for (auto& ref : cp::FieldsInExpression(filter)) refs.push_back(std::move(ref));
  }
  std::vector<bool> wanted(schema.num_fields(), false);
  for (const auto& ref : refs) {
    auto path = ref.FindOneOrNone(schema);
    if (!path.ok() || path->empty()) return arrow::Status::OK();
    wanted[path->indices()[0]] = true;
  }
  if (scan.scan_options && scan.scan_options->projected_schema) {
    // Already narrowed (an earlier pass or the caller): only ever widen.
    for (const auto& ref : scan.scan_options->MaterializedFields()) {
      auto path = ref.FindOneOrNone(schema);
      if (path.ok() && !path->empty()) wanted[path->indices()[0]] = true;
    }
  }
  std::vector<std::string> names;
  for (int i = 0; i < schema.num_fields(); ++i) {
    if (wanted[i]) names.push_back(schema.field(i)->name());
  }
  auto& options = OwnScanOptions(*chain.scan);
  ARROW_ASSIGN_OR_RAISE(auto projection,
                        ds::ProjectionDescr::FromNames(std::move(names), schema,
                                                       options.add_augmented_fields));
  ds::SetProjection(&options, std::move(projection));
  return arrow::Status::OK();
}

arrow::Status Visit(ac::Declaration& node) {
  if (node.factory_name == "filter") {
    Chain chain = ScanBelow(&node);
    if (chain.scan) return PushFilters(chain);
  }
  std::vector<arrow::FieldRef> refs;
  if (ReferencesOf(node, &refs)) {
    // Stacked projects (Substrait's ProjectRel, then its emit) pass the needs of the
    // top one down to the scan.
    ac::Declaration* below = OnlyInput(node);
    while (below && below->factory_name == "project" &&
           MapThroughProject(*below, &refs)) {
      below = OnlyInput(*below);
    }
    if (below && below->factory_name == "project") return Visit(*below);
    Chain chain = ScanBelow(below);
    if (chain.scan) {
      ARROW_RETURN_NOT_OK(NarrowColumns(chain, std::move(refs)));
      return PushFilters(chain);
    }
  }
  for (auto& input : node.inputs) {
    if (auto* child = std::get_if<ac::Declaration>(&input)) {
      ARROW_RETURN_NOT_OK(Visit(*child));
    }
  }
  return arrow::Status::OK();
}

}  // namespace

arrow::Status PushDownIntoScans(arrow::acero::Declaration& plan) {
  // Projections are make_struct calls, which Arrow ≥ 21 registers only on request.
  ARROW_RETURN_NOT_OK(cp::Initialize());
  return Visit(plan);
}

}  // namespace deltaline::engine
