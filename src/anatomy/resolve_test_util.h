#pragma once

// Hand-built FileFacts for the resolver's unit tests (the extractor's output shape,
// without parsing): definitions with their "def" bindings, imports with their
// bindings, other bindings and call sites, in source order.

#include <map>
#include <string>
#include <vector>

#include "anatomy/facts.h"
#include "anatomy/ids.h"
#include "anatomy/resolve.h"

namespace deltaline::anatomy::testing {

class FileBuilder {
 public:
  FileBuilder(const std::string& path, const std::string& module, bool is_init = false) {
    facts_.file.path = path;
    facts_.file.file_id = StableId({"file", path});
    facts_.file.module = module;
    facts_.file.is_package_init = is_init;
    Definition m;
    m.def_id = StableId({"def", path, "module", "", "0"});
    m.kind = "module";
    m.fqn = module;
    facts_.definitions.push_back(m);
  }
  Id module_id() const { return facts_.definitions[0].def_id; }

  /// A def in `parent` (the module when 0); kind "method" when parent is a class.
  Id Def(const std::string& name, Id parent = 0, std::vector<std::string> bases = {},
         std::vector<std::string> decorators = {}, std::vector<std::string> params = {}) {
    if (parent == 0) parent = module_id();
    const Definition* p = Find(parent);
    Definition d;
    d.kind = !bases.empty() || (name[0] >= 'A' && name[0] <= 'Z')
                 ? "class"
                 : (p->kind == "class" ? "method" : "function");
    d.name = name;
    d.qualname = p->kind == "module"  ? name
                 : p->kind == "class" ? p->qualname + "." + name
                                      : p->qualname + ".<locals>." + name;
    d.fqn = facts_.file.module + "." + d.qualname;
    d.def_id = StableId({"def", facts_.file.path, d.kind, d.qualname, "0"});
    d.parent_def_id = parent;
    d.bases = std::move(bases);
    d.decorators = std::move(decorators);
    d.params = params;
    facts_.definitions.push_back(d);
    Bind(parent, name, "def").def_id = d.def_id;
    for (size_t i = 0; i < params.size(); ++i) {
      Bind(d.def_id, params[i], "param").param_index = static_cast<int32_t>(i);
    }
    return d.def_id;
  }
  /// `import name [as alias]` (kind "import") or `from module import name [as alias]`.
  void Import(const std::string& kind, const std::string& module, int level,
              const std::string& name, const std::string& alias = "", Id scope = 0) {
    if (scope == 0) scope = module_id();
    anatomy::Import imp;
    imp.import_id = StableId({"import", facts_.file.path, std::to_string(pos_)});
    imp.enclosing_def_id = scope;
    imp.kind = kind;
    imp.module = module;
    imp.level = level;
    imp.name = name;
    imp.alias = alias;
    imp.is_star = name == "*";
    imp.bound_name = imp.is_star        ? ""
                     : !alias.empty()   ? alias
                     : kind == "import" ? name.substr(0, name.find('.'))
                                        : name;
    facts_.imports.push_back(imp);
    if (!imp.is_star) {
      Bind(scope, imp.bound_name, "import").import_index =
          static_cast<int32_t>(facts_.imports.size() - 1);
    }
  }
  Binding& Bind(Id scope, const std::string& name, const std::string& kind,
                const std::string& value_text = "") {
    Binding b;
    b.scope_def_id = scope == 0 ? module_id() : scope;
    b.name = name;
    b.kind = kind;
    b.value_text = value_text;
    b.start_byte = pos_++;
    facts_.bindings.push_back(b);
    return facts_.bindings.back();
  }
  /// A call `text(...)` in `caller`: an attribute call when text has a dot.
  Id Call(Id caller, const std::string& text) {
    CallSite c;
    c.call_id = StableId({"call", facts_.file.path, std::to_string(pos_++)});
    c.caller_def_id = caller == 0 ? module_id() : caller;
    c.callee_text = text;
    const size_t dot = text.rfind('.');
    if (dot == std::string::npos) {
      c.callee_shape = "name";
    } else {
      c.callee_shape = "attribute";
      c.receiver_text = text.substr(0, dot);
      c.attribute_name = text.substr(dot + 1);
    }
    c.span.start_byte = c.span.end_byte = pos_;
    facts_.call_sites.push_back(c);
    return c.call_id;
  }
  FileFacts& facts() { return facts_; }

 private:
  const Definition* Find(Id id) const {
    for (const auto& d : facts_.definitions) {
      if (d.def_id == id) return &d;
    }
    return nullptr;
  }
  FileFacts facts_;
  int64_t pos_ = 1;
};

/// \brief Renders resolved rows for exact comparison, naming defs by fqn.
class Names {
 public:
  explicit Names(const std::vector<ResolvedFile>& files) {
    for (const auto& f : files) {
      for (const auto& d : f.facts.definitions) fqn_[d.def_id] = d.fqn;
    }
  }
  std::string Def(const std::optional<Id>& id) const {
    if (!id) return "-";
    auto it = fqn_.find(*id);
    return it == fqn_.end() ? "?" : it->second;
  }
  /// "<def fqn or external> <method> <confidence>", rank order.
  std::vector<std::string> Targets(const ResolvedFile& file, Id call_id) const {
    std::vector<std::string> out;
    for (const auto& t : file.call_targets) {
      if (t.call_id != call_id) continue;
      char conf[16];
      std::snprintf(conf, sizeof conf, "%.2f", t.confidence);
      out.push_back((t.callee_def_id ? Def(t.callee_def_id) : t.external_name) + " " +
                    t.method + " " + conf);
    }
    return out;
  }
  /// "<status> <target_module> <target file's module or -> <target def fqn or ->".
  std::string Import(const anatomy::Import& imp, const ProjectIndex& index) const {
    std::string file = "-";
    if (imp.target_file_id) {
      const ModuleSummary* s = index.FindFile(*imp.target_file_id);
      file = s ? s->path : "?";
    }
    return imp.status + " " + imp.target_module + " " + file + " " +
           Def(imp.target_def_id);
  }

 private:
  std::map<Id, std::string> fqn_;
};

}  // namespace deltaline::anatomy::testing
