#include <algorithm>
#include <deque>

#include "anatomy/resolve.h"
#include "anatomy/resolve_internal.h"

namespace deltaline::anatomy {

std::shared_ptr<const ProjectIndex::Entry> ProjectIndex::Entry::Make(
    ModuleSummary summary) {
  auto entry = std::make_shared<Entry>();
  entry->summary = std::move(summary);
  const ModuleSummary& s = entry->summary;
  for (int i = 0; i < static_cast<int>(s.symbols.size()); ++i) {
    entry->symbols[s.symbols[i].name].push_back(i);
  }
  entry->members.resize(s.classes.size());
  for (int c = 0; c < static_cast<int>(s.classes.size()); ++c) {
    entry->class_index.emplace(s.classes[c].def_id, c);
    const auto& members = s.classes[c].members;
    for (int i = 0; i < static_cast<int>(members.size()); ++i) {
      entry->members[c][members[i].name].push_back(i);
    }
  }
  if (s.has_all) entry->all = s.all;
  return entry;
}

const ModuleSummary::Symbol* ProjectIndex::Entry::LastSymbol(
    const std::string& name) const {
  auto it = symbols.find(name);
  if (it == symbols.end() || it->second.empty()) return nullptr;
  return &summary.symbols[it->second.back()];
}

bool ProjectIndex::Entry::StarExports(const std::string& name) const {
  if (summary.has_all) return std::find(all.begin(), all.end(), name) != all.end();
  return !name.empty() && name[0] != '_';
}

void ProjectIndex::Put(ModuleSummary summary) {
  Erase(summary.file_id);
  if (auto it = by_module_.find(summary.module); it != by_module_.end()) {
    // Two files claim one module (`a.py` beside `a/__init__.py`): the last put wins.
    Erase(it->second->summary.file_id);
  }
  auto entry = Entry::Make(std::move(summary));
  const ModuleSummary& s = entry->summary;
  module_of_file_[s.file_id] = s.module;
  for (const auto& c : s.classes) {
    module_of_class_[c.def_id] = s.module;
    for (const auto& m : c.members) {
      if (m.kind == "def" && m.def_kind == "method")
        methods_by_name_[m.name].insert(m.def_id);
    }
  }
  for (size_t dot = s.module.find('.'); dot != std::string::npos;
       dot = s.module.find('.', dot + 1)) {
    ++package_counts_[s.module.substr(0, dot)];
  }
  by_module_[s.module] = std::move(entry);
}

void ProjectIndex::Erase(Id file_id) {
  auto file_it = module_of_file_.find(file_id);
  if (file_it == module_of_file_.end()) return;
  auto it = by_module_.find(file_it->second);
  module_of_file_.erase(file_it);
  if (it == by_module_.end()) return;
  const ModuleSummary& s = it->second->summary;
  for (const auto& c : s.classes) {
    module_of_class_.erase(c.def_id);
    for (const auto& m : c.members) {
      if (m.kind != "def" || m.def_kind != "method") continue;
      auto named = methods_by_name_.find(m.name);
      if (named == methods_by_name_.end()) continue;
      named->second.erase(m.def_id);
      if (named->second.empty()) methods_by_name_.erase(named);
    }
  }
  for (size_t dot = s.module.find('.'); dot != std::string::npos;
       dot = s.module.find('.', dot + 1)) {
    auto count = package_counts_.find(s.module.substr(0, dot));
    if (count != package_counts_.end() && --count->second == 0)
      package_counts_.erase(count);
  }
  by_module_.erase(it);
}

const ModuleSummary* ProjectIndex::FindModule(const std::string& module) const {
  const Entry* entry = FindEntry(module);
  return entry == nullptr ? nullptr : &entry->summary;
}

const ModuleSummary* ProjectIndex::FindFile(Id file_id) const {
  auto it = module_of_file_.find(file_id);
  return it == module_of_file_.end() ? nullptr : FindModule(it->second);
}

const ProjectIndex::Entry* ProjectIndex::FindEntry(const std::string& module) const {
  auto it = by_module_.find(module);
  return it == by_module_.end() ? nullptr : it->second.get();
}

const ProjectIndex::Entry* ProjectIndex::FindClassEntry(Id class_def_id) const {
  auto it = module_of_class_.find(class_def_id);
  return it == module_of_class_.end() ? nullptr : FindEntry(it->second);
}

bool ProjectIndex::HasTopLevel(const std::string& top) const {
  return by_module_.count(top) > 0 || package_counts_.count(top) > 0;
}

bool ProjectIndex::HasModulesUnder(const std::string& module) const {
  return package_counts_.count(module) > 0;
}

const std::set<Id>* ProjectIndex::MethodsNamed(const std::string& name) const {
  auto it = methods_by_name_.find(name);
  return it == methods_by_name_.end() ? nullptr : &it->second;
}

size_t ProjectIndex::size() const { return by_module_.size(); }

std::set<Id> ProjectIndex::Dependents(const std::set<std::string>& modules) const {
  // Reverse edges, built per call (an incremental run asks once): module → files that
  // import it anywhere, and module → modules re-exporting from it at module level.
  std::unordered_map<std::string, std::vector<const ModuleSummary*>> importers;
  std::unordered_map<std::string, std::vector<const ModuleSummary*>> reexporters;
  for (const auto& [name, entry] : by_module_) {
    const ModuleSummary& s = entry->summary;
    for (const auto& m : s.imported_modules) importers[m].push_back(&s);
    std::set<std::string> from;
    for (const auto& m : s.star_imports) from.insert(m);
    for (const auto& sym : s.symbols) {
      if (sym.kind != "import" || sym.import_module.empty()) continue;
      from.insert(sym.import_module);
      if (!sym.import_name.empty())
        from.insert(sym.import_module + "." + sym.import_name);
    }
    for (const auto& m : from) reexporters[m].push_back(&s);
  }
  std::set<Id> out;
  std::set<std::string> seen(modules.begin(), modules.end());
  std::deque<std::string> queue(modules.begin(), modules.end());
  while (!queue.empty()) {
    const std::string module = queue.front();
    queue.pop_front();
    if (auto it = importers.find(module); it != importers.end()) {
      for (const ModuleSummary* s : it->second) out.insert(s->file_id);
    }
    if (auto it = reexporters.find(module); it != reexporters.end()) {
      for (const ModuleSummary* s : it->second) {
        if (seen.insert(s->module).second) queue.push_back(s->module);
      }
    }
  }
  return out;
}

std::set<std::string> NameOnlyChanges(const ProjectIndex& before,
                                      const ProjectIndex& after,
                                      const std::vector<ModuleSummary>& touched) {
  static const std::set<Id> kNone;
  std::set<std::string> out;
  for (const ModuleSummary& s : touched) {
    for (const auto& c : s.classes) {
      for (const auto& m : c.members) {
        if (m.kind != "def" || m.def_kind != "method" || out.count(m.name) > 0) continue;
        const std::set<Id>* old_set = before.MethodsNamed(m.name);
        const std::set<Id>* new_set = after.MethodsNamed(m.name);
        const std::set<Id>& a = old_set ? *old_set : kNone;
        const std::set<Id>& b = new_set ? *new_set : kNone;
        if ((a.size() == 1 || b.size() == 1) && a != b) out.insert(m.name);
      }
    }
  }
  return out;
}

ProjectIndex BuildProjectIndex(const std::vector<FileFacts>& files) {
  ProjectIndex index;
  for (const FileFacts& facts : files) {
    if (facts.definitions.empty()) continue;
    index.Put(Summarize(facts));
  }
  return index;
}

}  // namespace deltaline::anatomy
