#include <algorithm>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "anatomy/ids.h"
#include "anatomy/resolve.h"
#include "anatomy/resolve_internal.h"
#include "delta/base/errors.h"

namespace deltaline::anatomy {
namespace resolve_internal {

std::optional<std::string> AbsoluteModule(const SourceFile& file,
                                          const std::string& module_text, int level) {
  if (level <= 0) return module_text;
  // The package of a file: the module itself for `__init__.py`, else its parent.
  std::vector<std::string> package = SplitDots(file.module);
  if (!file.is_package_init && !package.empty()) package.pop_back();
  if (static_cast<int>(package.size()) < level) return std::nullopt;
  package.resize(package.size() - (level - 1));
  std::string out;
  for (const auto& part : package) out += (out.empty() ? "" : ".") + part;
  if (!module_text.empty()) out += (out.empty() ? "" : ".") + module_text;
  return out;
}

void ImportBinding(const SourceFile& file, const Import& import, std::string* module,
                   std::string* name) {
  if (import.kind == "import") {
    *module = import.alias.empty() ? TopLevel(import.name) : import.name;
    name->clear();
    return;
  }
  *module = AbsoluteModule(file, import.module, import.level).value_or("");
  *name = import.is_star ? "" : import.name;
}

}  // namespace resolve_internal

namespace {

using resolve_internal::ImportBinding;

// `__all__ = ["a", 'b']` or a tuple, starting at the binding: the names, or nullopt
// when it is anything else (a concatenation, a call, a comprehension).
std::optional<std::vector<std::string>> LiteralAll(const std::string& text, int64_t at) {
  if (at < 0 || text.compare(at, 7, "__all__") != 0) return std::nullopt;
  size_t i = at + 7;
  auto skip = [&] {
    while (i < text.size()) {
      char c = text[i];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++i;
      } else if (c == '\\' && i + 1 < text.size() && text[i + 1] == '\n') {
        i += 2;
      } else if (c == '#') {
        while (i < text.size() && text[i] != '\n') ++i;
      } else {
        break;
      }
    }
  };
  skip();
  if (i >= text.size() || text[i] != '=') return std::nullopt;
  ++i;
  skip();
  if (i >= text.size() || (text[i] != '[' && text[i] != '(')) return std::nullopt;
  const char close = text[i] == '[' ? ']' : ')';
  ++i;
  std::vector<std::string> names;
  while (true) {
    skip();
    if (i >= text.size()) return std::nullopt;
    if (text[i] == close) break;
    const char quote = text[i];
    if (quote != '"' && quote != '\'') return std::nullopt;
    const size_t end = text.find(quote, i + 1);
    if (end == std::string::npos) return std::nullopt;
    std::string name = text.substr(i + 1, end - i - 1);
    if (name.find('\\') != std::string::npos || name.find('\n') != std::string::npos) {
      return std::nullopt;
    }
    names.push_back(std::move(name));
    i = end + 1;
    skip();
    if (i < text.size() && text[i] == ',') ++i;
  }
  return names;
}

ModuleSummary::Symbol ToSymbol(const FileFacts& facts, const Binding& b,
                               const std::unordered_map<Id, const Definition*>& defs) {
  ModuleSummary::Symbol s;
  s.name = b.name;
  if (b.kind == "def") {
    s.kind = "def";
    s.def_id = b.def_id;
    auto it = defs.find(b.def_id);
    if (it != defs.end()) s.def_kind = it->second->kind;
  } else if (b.kind == "import" && b.import_index >= 0 &&
             b.import_index < static_cast<int>(facts.imports.size())) {
    s.kind = "import";
    ImportBinding(facts.file, facts.imports[b.import_index], &s.import_module,
                  &s.import_name);
  } else if (b.kind == "alias") {
    s.kind = "alias";
    s.value_text = b.value_text;
  } else {
    s.kind = "other";
  }
  return s;
}

void SortByName(std::vector<ModuleSummary::Symbol>* symbols) {
  // Stable: several bindings of one name stay in source order (the last binds last).
  std::stable_sort(symbols->begin(), symbols->end(),
                   [](const auto& a, const auto& b) { return a.name < b.name; });
}

void AddImportedModules(const FileFacts& facts, std::set<std::string>* out) {
  for (const Import& imp : facts.imports) {
    std::string module = imp.kind == "import" ? imp.name
                                              : resolve_internal::AbsoluteModule(
                                                    facts.file, imp.module, imp.level)
                                                    .value_or("");
    if (module.empty()) continue;
    if (imp.kind != "import" && !imp.is_star) out->insert(module + "." + imp.name);
    for (size_t dot = module.find('.'); dot != std::string::npos;
         dot = module.find('.', dot + 1)) {
      out->insert(module.substr(0, dot));
    }
    out->insert(module);
  }
}

}  // namespace

ModuleSummary Summarize(const FileFacts& facts) {
  ModuleSummary summary;
  summary.file_id = facts.file.file_id;
  summary.path = facts.file.path;
  summary.module = facts.file.module;
  summary.is_package_init = facts.file.is_package_init;
  if (facts.definitions.empty()) return summary;
  summary.module_def_id = facts.definitions[0].def_id;

  std::unordered_map<Id, const Definition*> defs;
  std::unordered_map<Id, size_t> class_slot;
  for (const Definition& d : facts.definitions) {
    defs.emplace(d.def_id, &d);
    if (d.kind != "class") continue;
    class_slot.emplace(d.def_id, summary.classes.size());
    summary.classes.push_back({d.def_id, d.qualname, d.bases, {}});
  }
  int all_bindings = 0;
  std::optional<std::vector<std::string>> all;
  // Source order decides which binding of a name is last; the extractor may record a
  // def's binding after its body's.
  std::vector<const Binding*> bindings;
  for (const Binding& b : facts.bindings) bindings.push_back(&b);
  std::stable_sort(
      bindings.begin(), bindings.end(),
      [](const Binding* a, const Binding* b) { return a->start_byte < b->start_byte; });
  for (const Binding* bp : bindings) {
    const Binding& b = *bp;
    if (b.scope_def_id == summary.module_def_id) {
      summary.symbols.push_back(ToSymbol(facts, b, defs));
      if (b.name == "__all__") {
        ++all_bindings;
        all = LiteralAll(facts.file.text, b.start_byte);
      }
    } else if (auto it = class_slot.find(b.scope_def_id); it != class_slot.end()) {
      summary.classes[it->second].members.push_back(ToSymbol(facts, b, defs));
    }
  }
  if (all_bindings == 1 && all.has_value()) {
    summary.has_all = true;
    summary.all = std::move(*all);
  }
  SortByName(&summary.symbols);
  for (auto& c : summary.classes) SortByName(&c.members);
  std::stable_sort(summary.classes.begin(), summary.classes.end(),
                   [](const auto& a, const auto& b) { return a.qualname < b.qualname; });
  for (const Import& imp : facts.imports) {
    if (!imp.is_star || imp.enclosing_def_id != summary.module_def_id) continue;
    auto module = resolve_internal::AbsoluteModule(facts.file, imp.module, imp.level);
    if (module) summary.star_imports.push_back(*module);
  }
  std::set<std::string> imported;
  AddImportedModules(facts, &imported);
  summary.imported_modules.assign(imported.begin(), imported.end());
  return summary;
}

namespace {

nlohmann::json SymbolJson(const ModuleSummary::Symbol& s) {
  return {{"name", s.name},
          {"kind", s.kind},
          {"def_id", s.def_id},
          {"def_kind", s.def_kind},
          {"import_module", s.import_module},
          {"import_name", s.import_name},
          {"value_text", s.value_text}};
}

ModuleSummary::Symbol SymbolFromJson(const nlohmann::json& j) {
  ModuleSummary::Symbol s;
  s.name = j.at("name").get<std::string>();
  s.kind = j.at("kind").get<std::string>();
  s.def_id = j.at("def_id").get<Id>();
  s.def_kind = j.at("def_kind").get<std::string>();
  s.import_module = j.at("import_module").get<std::string>();
  s.import_name = j.at("import_name").get<std::string>();
  s.value_text = j.at("value_text").get<std::string>();
  return s;
}

nlohmann::json ToJson(const ModuleSummary& m, bool with_imported_modules) {
  nlohmann::json symbols = nlohmann::json::array();
  for (const auto& s : m.symbols) symbols.push_back(SymbolJson(s));
  nlohmann::json classes = nlohmann::json::array();
  for (const auto& c : m.classes) {
    nlohmann::json members = nlohmann::json::array();
    for (const auto& s : c.members) members.push_back(SymbolJson(s));
    classes.push_back({{"def_id", c.def_id},
                       {"qualname", c.qualname},
                       {"bases", c.bases},
                       {"members", std::move(members)}});
  }
  nlohmann::json j = {{"file_id", m.file_id},
                      {"path", m.path},
                      {"module", m.module},
                      {"is_package_init", m.is_package_init},
                      {"module_def_id", m.module_def_id},
                      {"symbols", std::move(symbols)},
                      {"star_imports", m.star_imports},
                      {"all", m.all},
                      {"has_all", m.has_all},
                      {"classes", std::move(classes)}};
  if (with_imported_modules) j["imported_modules"] = m.imported_modules;
  return j;
}

}  // namespace

std::string SummaryToJson(const ModuleSummary& summary) {
  return ToJson(summary, true).dump();
}

arrow::Result<ModuleSummary> SummaryFromJson(const std::string& json) {
  try {
    const auto j = nlohmann::json::parse(json);
    ModuleSummary m;
    m.file_id = j.at("file_id").get<Id>();
    m.path = j.at("path").get<std::string>();
    m.module = j.at("module").get<std::string>();
    m.is_package_init = j.at("is_package_init").get<bool>();
    m.module_def_id = j.at("module_def_id").get<Id>();
    for (const auto& s : j.at("symbols")) m.symbols.push_back(SymbolFromJson(s));
    m.star_imports = j.at("star_imports").get<std::vector<std::string>>();
    m.all = j.at("all").get<std::vector<std::string>>();
    m.has_all = j.at("has_all").get<bool>();
    for (const auto& c : j.at("classes")) {
      ModuleSummary::Class cls;
      cls.def_id = c.at("def_id").get<Id>();
      cls.qualname = c.at("qualname").get<std::string>();
      cls.bases = c.at("bases").get<std::vector<std::string>>();
      for (const auto& s : c.at("members")) cls.members.push_back(SymbolFromJson(s));
      m.classes.push_back(std::move(cls));
    }
    m.imported_modules = j.at("imported_modules").get<std::vector<std::string>>();
    return m;
  } catch (const nlohmann::json::exception& e) {
    return delta::InvalidInput(std::string("module summary JSON: ") + e.what());
  }
}

std::string SummaryHash(const ModuleSummary& summary) {
  return Sha256Hex(ToJson(summary, false).dump());
}

}  // namespace deltaline::anatomy
