// Import resolution: target module, file, def and status of each imported name.

#include "anatomy/resolve_steps.h"

namespace deltaline::anatomy::resolve_internal {

void ResolveImport(Resolver& resolver, const ProjectIndex& index, Import* imp) {
  imp->target_file_id.reset();
  imp->target_def_id.reset();
  if (imp->kind == "import") {
    imp->target_module = imp->name;
  } else {
    auto module = AbsoluteModule(resolver.facts().file, imp->module, imp->level);
    if (!module) {  // more dots than packages
      imp->target_module.clear();
      imp->status = "unresolved";
      return;
    }
    imp->target_module = *module;
  }
  const std::string& module = imp->target_module;
  if (!resolver.HasTopLevel(TopLevel(module))) {
    imp->status = "external";
    return;
  }
  // `import os.path`: a module bound as an attribute of its package counts as found.
  const std::string canonical = resolver.CanonicalModule(module);
  const ProjectIndex::Entry* entry = resolver.Entry(canonical);
  if (entry != nullptr) imp->target_file_id = entry->summary.file_id;
  const bool exists = !canonical.empty();
  if (imp->kind == "import" || imp->is_star) {
    if (entry != nullptr) imp->target_def_id = entry->summary.module_def_id;
    if (imp->is_star) imp->target_def_id.reset();
    imp->status = exists ? "resolved" : "unresolved";
    return;
  }
  if (!exists) {
    imp->status = "unresolved";
    return;
  }
  const Value v = resolver.ModuleAttr(canonical, imp->name, false);
  switch (v.kind) {
    case Value::kDef:
      imp->target_def_id = v.def_id;
      break;
    case Value::kModule:
      if (const ProjectIndex::Entry* sub = resolver.Entry(v.name)) {
        imp->target_def_id = sub->summary.module_def_id;
      }
      break;
    case Value::kNone:
      imp->status = "unresolved";
      return;
    default:  // bound there to something that is not a def, or re-exported from outside
      break;
  }
  imp->status = "resolved";
}

}  // namespace deltaline::anatomy::resolve_internal
