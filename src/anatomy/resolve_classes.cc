// Classes: their bases, method resolution order and members.

#include <algorithm>

#include "anatomy/resolver.h"

namespace deltaline::anatomy::resolve_internal {

std::string BaseName(const std::string& text) {
  std::string name = text.substr(0, text.find('['));
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.pop_back();
  return name;
}

const ProjectIndex::Entry* Resolver::ClassEntry(Id class_id) const {
  if (local_->class_index.count(class_id) > 0) return local_.get();
  return index_.FindClassEntry(class_id);
}

std::vector<Found> Resolver::OwnBase(const Definition& cls, size_t index) {
  if (index >= cls.bases.size() || !cls.parent_def_id) return {};
  // Bases are evaluated in the scope around the class statement.
  return EvalDotted(BaseName(cls.bases[index]), *cls.parent_def_id);
}

std::vector<Id> Resolver::BaseClasses(Id class_id) {
  std::vector<Id> out;
  auto keep = [&](const Value& v) {
    if (v.kind == Value::kDef && v.def_kind == "class" && v.def_id != class_id) {
      out.push_back(v.def_id);
    }
  };
  if (const Definition* own = Def(class_id)) {
    for (size_t i = 0; i < own->bases.size(); ++i) {
      std::vector<Found> found = OwnBase(*own, i);
      if (!found.empty()) keep(found.front().value);
    }
    return out;
  }
  const ProjectIndex::Entry* entry = ClassEntry(class_id);
  if (entry == nullptr) return out;
  const ModuleSummary::Class& cls =
      entry->summary.classes[entry->class_index.at(class_id)];
  for (const std::string& base : cls.bases) {
    keep(EvalInModule(entry->summary.module, BaseName(base), 0));
  }
  return out;
}

const std::vector<Id>& Resolver::Mro(Id class_id) {
  if (auto it = mro_memo_.find(class_id); it != mro_memo_.end()) return it->second;
  std::vector<Id> mro;
  if (!mro_active_.insert(class_id).second) {
    // A cycle through the bases (possible only in broken code): the class alone.
    mro = {class_id};
  } else {
    mro = Linearize(class_id);
    mro_active_.erase(class_id);
  }
  return mro_memo_[class_id] = std::move(mro);
}

std::vector<Id> Resolver::Linearize(Id class_id) {
  const std::vector<Id> bases = BaseClasses(class_id);
  std::vector<std::vector<Id>> seqs;
  for (Id b : bases) seqs.push_back(Mro(b));
  seqs.push_back(bases);
  // C3: repeatedly take the first head that is in no other sequence's tail.
  std::vector<Id> out = {class_id};
  while (true) {
    seqs.erase(
        std::remove_if(seqs.begin(), seqs.end(), [](const auto& s) { return s.empty(); }),
        seqs.end());
    if (seqs.empty()) return out;
    std::optional<Id> head;
    for (const auto& seq : seqs) {
      const Id candidate = seq.front();
      const bool in_tail = std::any_of(seqs.begin(), seqs.end(), [&](const auto& s) {
        return std::find(s.begin() + 1, s.end(), candidate) != s.end();
      });
      if (!in_tail) {
        head = candidate;
        break;
      }
    }
    if (!head) break;
    out.push_back(*head);
    for (auto& seq : seqs) {
      if (seq.front() == *head) seq.erase(seq.begin());
    }
  }
  // Inconsistent hierarchy: depth-first, left to right, first occurrence kept.
  out = {class_id};
  for (Id b : bases) {
    for (Id c : Mro(b)) {
      if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
    }
  }
  return out;
}

Value Resolver::FindMember(Id class_id, const std::string& name, bool skip_self,
                           bool* in_class_itself) {
  const std::vector<Id> mro = Mro(class_id);
  for (size_t i = skip_self ? 1 : 0; i < mro.size(); ++i) {
    const ProjectIndex::Entry* entry = ClassEntry(mro[i]);
    if (entry == nullptr) continue;
    const int slot = entry->class_index.at(mro[i]);
    auto it = entry->members[slot].find(name);
    if (it == entry->members[slot].end() || it->second.empty()) continue;
    if (in_class_itself != nullptr) *in_class_itself = i == 0;
    const auto& members = entry->summary.classes[slot].members;
    const ModuleSummary::Symbol& symbol = members[it->second.back()];
    if (symbol.kind == "alias") {
      // `__call__ = run` in a class body names a member of that class first.
      auto same = entry->members[slot].find(symbol.value_text);
      if (same != entry->members[slot].end() &&
          members[same->second.back()].kind == "def") {
        const auto& target = members[same->second.back()];
        return Value::Def(target.def_id, target.def_kind);
      }
    }
    return SymbolValue(*entry, symbol, 1);
  }
  return Value::None();
}

Id Resolver::EnclosingMethodClass(Id scope) const {
  for (const Definition* d = Def(scope); d != nullptr;
       d = d->parent_def_id ? Def(*d->parent_def_id) : nullptr) {
    if (d->kind == "method" && d->parent_def_id) return *d->parent_def_id;
  }
  return 0;
}

}  // namespace deltaline::anatomy::resolve_internal
