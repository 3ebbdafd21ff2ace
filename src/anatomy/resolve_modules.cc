// Attributes of modules and of other values, through the summaries of the index:
// what `from m import n` and `m.n` denote, following re-exports (imports, aliases and
// star imports at module level) with a bound on depth and a set of lookups in flight.

#include "anatomy/resolver.h"

namespace deltaline::anatomy::resolve_internal {
namespace {

constexpr int kMaxDepth = 24;

// Attributes every module has, set by the import system.
bool IsImplicitModuleAttr(const std::string& name) {
  return name == "__doc__" || name == "__name__" || name == "__file__" ||
         name == "__path__" || name == "__spec__" || name == "__loader__" ||
         name == "__package__" || name == "__dict__" || name == "__builtins__" ||
         name == "__cached__";
}

}  // namespace

std::string Resolver::CanonicalModule(const std::string& module, int depth) {
  if (Entry(module) != nullptr || index_.HasModulesUnder(module)) return module;
  const size_t dot = module.rfind('.');
  if (dot == std::string::npos || depth > kMaxDepth) return "";
  // `os.path` is no file: os binds `path` to a module (`import posixpath as path`).
  const std::string parent = CanonicalModule(module.substr(0, dot), depth + 1);
  if (parent.empty()) return "";
  const Value v = ModuleAttr(parent, module.substr(dot + 1), false, depth + 1);
  return v.kind == Value::kModule ? v.name : "";
}

Value Resolver::ModuleAttr(const std::string& module, const std::string& name,
                           bool builtins, int depth) {
  if (depth > kMaxDepth) return Value::None();
  const std::string key = module + (builtins ? "\n1" : "\n0") + name;
  if (auto it = module_attr_memo_.find(key); it != module_attr_memo_.end()) {
    return it->second;
  }
  // A cycle (`a` re-exports from `b`, `b` from `a`) finds nothing on the way round.
  // `TimeoutError = TimeoutError` at module level reads the builtin.
  if (!module_attr_active_.insert(key).second) {
    return builtins && IsBuiltinName(name)
               ? Value::Named(Value::kBuiltin, "builtins." + name)
               : Value::None();
  }
  Value v = Value::None();
  const std::string submodule = module + "." + name;
  const ProjectIndex::Entry* entry = Entry(module);
  if (entry != nullptr) {
    if (const ModuleSummary::Symbol* symbol = entry->LastSymbol(name)) {
      v = SymbolValue(*entry, *symbol, depth + 1);
      if (entry->symbols.at(name).size() > 1) v.ambiguous = true;
    } else {
      bool maybe_external = false;
      const auto& stars = entry->summary.star_imports;
      for (auto it = stars.rbegin(); it != stars.rend() && v.kind == Value::kNone; ++it) {
        const ProjectIndex::Entry* from = Entry(*it);
        if (from == nullptr) {
          maybe_external = maybe_external || !HasTopLevel(TopLevel(*it));
        } else if (from->StarExports(name)) {
          v = ModuleAttr(*it, name, false, depth + 1);
        }
      }
      if (v.kind == Value::kNone) {
        if (Entry(submodule) != nullptr || index_.HasModulesUnder(submodule)) {
          v = Value::Named(Value::kModule, submodule);
        } else if (builtins && IsBuiltinName(name)) {
          v = Value::Named(Value::kBuiltin, "builtins." + name);
        } else if (maybe_external || IsImplicitModuleAttr(name) ||
                   entry->LastSymbol("__getattr__") != nullptr) {
          // Possibly from an external star import, set by the import system, or
          // computed by a module-level __getattr__ (PEP 562).
          v = Value::Unknown();
        }
      }
    }
  } else if (Entry(submodule) != nullptr || index_.HasModulesUnder(submodule)) {
    v = Value::Named(Value::kModule, submodule);
  } else if (!HasTopLevel(TopLevel(module))) {
    v = Value::Named(Value::kExternal, submodule);
  } else if (const std::string canonical = CanonicalModule(module, depth + 1);
             !canonical.empty() && canonical != module) {
    v = ModuleAttr(canonical, name, builtins, depth + 1);
  }
  module_attr_active_.erase(key);
  module_attr_memo_[key] = v;
  return v;
}

Value Resolver::SymbolValue(const ProjectIndex::Entry& entry,
                            const ModuleSummary::Symbol& symbol, int depth) {
  if (symbol.kind == "def") {
    if (symbol.def_kind == "module")
      return Value::Named(Value::kModule, entry.summary.module);
    return Value::Def(symbol.def_id, symbol.def_kind);
  }
  if (symbol.kind == "import") {
    if (symbol.import_module.empty()) return Value::None();
    if (symbol.import_name.empty()) return ModuleValue(symbol.import_module);
    if (symbol.import_module == entry.summary.module) {
      // `from . import sub` in a package's __init__.py binds its own submodule.
      Value sub = ModuleValue(symbol.import_module + "." + symbol.import_name);
      return sub.kind == Value::kModule ? sub : Value::None();
    }
    return ModuleAttr(symbol.import_module, symbol.import_name, false, depth + 1);
  }
  if (symbol.kind == "alias")
    return EvalInModule(entry.summary.module, symbol.value_text, depth + 1);
  return Value::Unknown();
}

Value Resolver::EvalInModule(const std::string& module, const std::string& text,
                             int depth) {
  if (!IsDottedName(text) || depth > kMaxDepth) return Value::None();
  const std::vector<std::string> parts = SplitDots(text);
  Value v = ModuleAttr(module, parts[0], true, depth + 1);
  for (size_t i = 1; i < parts.size(); ++i) v = Attr(v, parts[i], depth + 1);
  return v;
}

Value Resolver::Attr(const Value& value, const std::string& name, int depth) {
  Value v = AttrOf(value, name, depth);
  v.ambiguous = v.ambiguous || value.ambiguous;
  return v;
}

Value Resolver::AttrOf(const Value& value, const std::string& name, int depth) {
  switch (value.kind) {
    case Value::kModule:
      return ModuleAttr(value.name, name, false, depth + 1);
    case Value::kExternal:
    case Value::kBuiltin:
      return Value::Named(value.kind, value.name + "." + name);
    case Value::kDef:
      if (value.def_kind != "class") return Value::Unknown();
      return FindMember(value.def_id, name, false);
    case Value::kSelf:
    case Value::kCls: {
      Value member = FindMember(value.def_id, name, false);
      // Not a class member: an instance attribute, whose type is not known.
      return member.kind == Value::kDef ? member : Value::Unknown();
    }
    case Value::kUnknown:
      return Value::Unknown();
    case Value::kNone:
      break;
  }
  return Value::None();
}

}  // namespace deltaline::anatomy::resolve_internal
