// Name lookup through one file's scopes.

#include <algorithm>

#include "anatomy/resolver.h"

namespace deltaline::anatomy::resolve_internal {
namespace {

// Bounds alias chains (`a = b`, `b = a`) and re-export chains.
constexpr int kMaxDepth = 24;
// At most this many values per name: the latest bindings; a name rebound more often
// than this in one scope is not worth more guesses.
constexpr size_t kMaxFound = 8;
constexpr size_t kMaxAliasChain = 4;

bool HasDecorator(const Definition& d, const std::string& name) {
  return std::find(d.decorators.begin(), d.decorators.end(), name) != d.decorators.end();
}

}  // namespace

Resolver::Resolver(const FileFacts& facts, const ProjectIndex& index)
    : facts_(facts), index_(index), local_(ProjectIndex::Entry::Make(Summarize(facts))) {
  if (!facts.definitions.empty()) module_id_ = facts.definitions[0].def_id;
  for (const Definition& d : facts.definitions) defs_.emplace(d.def_id, &d);
  for (const Binding& b : facts.bindings) scopes_[b.scope_def_id][b.name].push_back(&b);
}

const Definition* Resolver::Def(Id def_id) const {
  auto it = defs_.find(def_id);
  return it == defs_.end() ? nullptr : it->second;
}

const ProjectIndex::Entry* Resolver::Entry(const std::string& module) const {
  if (module == facts_.file.module) return local_.get();
  return index_.FindEntry(module);
}

bool Resolver::HasTopLevel(const std::string& top) const {
  return index_.HasTopLevel(top) || top == TopLevel(facts_.file.module);
}

Value Resolver::ModuleValue(const std::string& module) {
  if (module.empty()) return Value::None();
  if (!HasTopLevel(TopLevel(module))) return Value::Named(Value::kExternal, module);
  const std::string canonical = CanonicalModule(module);
  if (canonical.empty()) return Value::None();
  return Value::Named(Value::kModule, canonical);
}

Value Resolver::ImportValue(int import_index) {
  if (import_index < 0 || import_index >= static_cast<int>(facts_.imports.size())) {
    return Value::None();
  }
  if (auto it = import_memo_.find(import_index); it != import_memo_.end())
    return it->second;
  std::string module, name;
  ImportBinding(facts_.file, facts_.imports[import_index], &module, &name);
  Value v = name.empty() ? ModuleValue(module) : ModuleAttr(module, name, false);
  import_memo_[import_index] = v;
  return v;
}

std::vector<Found> Resolver::LookupName(const std::string& name, Id scope, int depth) {
  Id s = scope;
  bool first = true;
  while (const Definition* d = Def(s)) {
    if (first || d->kind != "class") {
      auto scope_it = scopes_.find(s);
      const std::vector<const Binding*>* bindings = nullptr;
      if (scope_it != scopes_.end()) {
        auto it = scope_it->second.find(name);
        if (it != scope_it->second.end()) bindings = &it->second;
      }
      if (bindings != nullptr) {
        std::vector<const Binding*> real;
        bool global = false;
        for (const Binding* b : *bindings) {
          if (b->kind == "global") {
            global = true;
          } else if (b->kind != "nonlocal") {
            real.push_back(b);
          }
        }
        if (global && s != module_id_) {
          s = module_id_;
          first = false;
          continue;
        }
        if (!real.empty()) {
          const std::string method = s == module_id_ ? "global"
                                     : first         ? "local"
                                                     : "enclosing";
          return FromBindings(real, method, depth);
        }
      }
    }
    if (s == module_id_ || !d->parent_def_id) break;
    s = *d->parent_def_id;
    first = false;
  }
  // Not bound in the file: its star imports (the latest that exports it), builtins.
  bool maybe_external = false;
  const auto& stars = local_->summary.star_imports;
  for (auto it = stars.rbegin(); it != stars.rend(); ++it) {
    const ProjectIndex::Entry* entry = Entry(*it);
    if (entry == nullptr) {
      maybe_external = maybe_external || !HasTopLevel(TopLevel(*it));
      continue;
    }
    if (!entry->StarExports(name)) continue;
    Value v = ModuleAttr(*it, name, false, depth + 1);
    if (v.kind != Value::kNone) return {{v, "import", 1.0}};
  }
  if (maybe_external) return {{Value::Unknown(), "import", 1.0}};
  if (IsBuiltinName(name))
    return {{Value::Named(Value::kBuiltin, "builtins." + name), "builtin", 1.0}};
  return {};
}

std::vector<Found> Resolver::FromBindings(const std::vector<const Binding*>& bindings,
                                          const std::string& method, int depth) {
  // Flow-insensitive: the binding latest in the source ranks first.
  std::vector<const Binding*> order(bindings.begin(), bindings.end());
  std::stable_sort(order.begin(), order.end(), [](const Binding* a, const Binding* b) {
    return a->start_byte > b->start_byte;
  });
  std::vector<Found> out;
  for (size_t i = 0; i < order.size() && out.size() < kMaxFound; ++i) {
    const double confidence = order.size() == 1 ? 1.0 : i == 0 ? 0.6 : 0.4;
    for (Found f : BindingValues(*order[i], method, depth)) {
      f.confidence *= confidence;
      out.push_back(std::move(f));
    }
  }
  if (out.size() > kMaxFound) out.resize(kMaxFound);
  return out;
}

std::vector<Found> Resolver::BindingValues(const Binding& b, const std::string& method,
                                           int depth) {
  if (b.kind == "def") {
    const Definition* d = Def(b.def_id);
    return {{Value::Def(b.def_id, d ? d->kind : ""), method, 1.0}};
  }
  if (b.kind == "import") return {{ImportValue(b.import_index), "import", 1.0}};
  if (b.kind == "param") return {{ParamValue(b), method, 1.0}};
  // An alias being evaluated already (`x = x.parent`, `a = b; b = a`) adds nothing.
  // Chains of aliases are followed a few steps only; a result found with no other
  // alias in flight does not depend on the path and is kept.
  if (b.kind == "alias" && active_aliases_.size() < kMaxAliasChain &&
      active_aliases_.insert(&b).second) {
    const bool outermost = active_aliases_.size() == 1;
    std::vector<Found> out;
    if (auto it = alias_memo_.find(&b); it != alias_memo_.end()) {
      out = it->second;
    } else {
      out = EvalDotted(b.value_text, b.scope_def_id, depth + 1);
      if (outermost) alias_memo_[&b] = out;
    }
    active_aliases_.erase(&b);
    // The alias's own binding says where the name was found; an import behind it
    // keeps "import" (`g = f` where f is imported).
    for (Found& f : out) {
      if (f.method != "import" && f.method != "builtin") f.method = method;
    }
    return out;
  }
  return {{Value::Unknown(), method, 1.0}};
}

Value Resolver::ParamValue(const Binding& b) const {
  const Definition* d = Def(b.scope_def_id);
  if (b.param_index != 0 || d == nullptr || d->kind != "method" || !d->parent_def_id) {
    return Value::Unknown();
  }
  if (HasDecorator(*d, "staticmethod")) return Value::Unknown();
  Value v;
  v.def_id = *d->parent_def_id;
  // __new__, __init_subclass__ and __class_getitem__ are implicitly class-level.
  const bool cls = HasDecorator(*d, "classmethod") || d->name == "__new__" ||
                   d->name == "__init_subclass__" || d->name == "__class_getitem__";
  v.kind = cls ? Value::kCls : Value::kSelf;
  return v;
}

std::vector<Found> Resolver::EvalDotted(const std::string& text, Id scope, int depth) {
  if (!IsDottedName(text) || depth > kMaxDepth) return {};
  const std::vector<std::string> parts = SplitDots(text);
  std::vector<Found> out = LookupName(parts[0], scope, depth);
  for (Found& f : out) {
    for (size_t i = 1; i < parts.size(); ++i)
      f.value = Attr(f.value, parts[i], depth + 1);
  }
  return out;
}

}  // namespace deltaline::anatomy::resolve_internal
