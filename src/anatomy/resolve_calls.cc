// Call targets, base classes, and Resolve/ResolveAll.

#include <algorithm>

#include <arrow/util/parallel.h>
#include <arrow/util/thread_pool.h>

#include "anatomy/resolve_steps.h"

namespace deltaline::anatomy {
namespace resolve_internal {
namespace {

constexpr double kMemberConfidence = 0.9;  // self/cls/super, or a member found in a base
constexpr double kNameOnlyConfidence = 0.2;
// Through a name bound more than once in another module (only the last is followed).
constexpr double kAmbiguousFactor = 0.6;

struct Candidate {
  std::optional<Id> def_id;
  std::string external;
  std::string method;
  double confidence;
};

// A value a call lands on: a def, or an external/builtin name.
bool Target(const Value& v, std::string method, double confidence,
            std::vector<Candidate>* out) {
  if (v.ambiguous) confidence *= kAmbiguousFactor;
  if (v.kind == Value::kDef && v.def_kind != "module") {
    out->push_back({v.def_id, "", std::move(method), confidence});
  } else if (v.kind == Value::kExternal) {
    out->push_back({std::nullopt, v.name, std::move(method), confidence});
  } else if (v.kind == Value::kBuiltin) {
    out->push_back({std::nullopt, v.name, "builtin", confidence});
  } else {
    return false;
  }
  return true;
}

bool IsSuperCall(const std::string& receiver) {
  return receiver.rfind("super(", 0) == 0 && !receiver.empty() && receiver.back() == ')';
}

// `receiver.attr(...)`: what the receiver denotes decides the method.
void AttributeCall(Resolver& r, const CallSite& call, std::vector<Candidate>* out,
                   bool* receiver_known) {
  const std::string& attr = call.attribute_name;
  if (IsSuperCall(call.receiver_text)) {
    *receiver_known = true;
    const Id cls = r.EnclosingMethodClass(call.caller_def_id);
    if (cls != 0) Target(r.FindMember(cls, attr, true), "super", kMemberConfidence, out);
    return;
  }
  for (const Found& f : r.EvalDotted(call.receiver_text, call.caller_def_id)) {
    const Value& recv = f.value;
    switch (recv.kind) {
      case Value::kNone:
      case Value::kUnknown:
        continue;
      case Value::kModule:
      case Value::kExternal:
        Target(r.Attr(recv, attr), "module_attribute", f.confidence, out);
        break;
      case Value::kBuiltin:
        Target(r.Attr(recv, attr), "builtin", f.confidence, out);
        break;
      case Value::kDef:
        if (recv.def_kind == "class") {
          bool direct = false;
          Value member = r.FindMember(recv.def_id, attr, false, &direct);
          Target(member, "class_attribute",
                 f.confidence * (direct ? 1.0 : kMemberConfidence), out);
        }
        break;
      case Value::kSelf:
      case Value::kCls: {
        Value member = r.FindMember(recv.def_id, attr, false);
        if (member.kind == Value::kDef) {
          Target(member, recv.kind == Value::kSelf ? "self" : "cls",
                 f.confidence * kMemberConfidence, out);
        }
        break;
      }
    }
    *receiver_known = true;
  }
}

// A literal receiver (`"x".m()`, `[1].m()`, `b"".m()`) has a builtin type.
bool IsLiteral(const std::string& receiver) {
  if (receiver.empty()) return false;
  const char c = receiver[0];
  if (c == '"' || c == '\'' || c == '[' || c == '{' || (c >= '0' && c <= '9'))
    return true;
  const size_t quote = receiver.find_first_of("\"'");
  return quote != std::string::npos && quote <= 2 &&
         receiver.find_first_not_of("bBrRuUfF") == quote;
}

void NameOnly(const ProjectIndex& index, const CallSite& call,
              std::vector<Candidate>* out) {
  const std::string& attr = call.attribute_name;
  if (attr.empty() || IsCommonMethodName(attr) || IsLiteral(call.receiver_text)) return;
  const std::set<Id>* methods = index.MethodsNamed(attr);
  if (methods == nullptr || methods->size() != 1) return;
  out->push_back({*methods->begin(), "", "name_only", kNameOnlyConfidence});
}

}  // namespace

std::vector<CallTarget> ResolveCall(Resolver& r, const ProjectIndex& index,
                                    const CallSite& call) {
  std::vector<Candidate> found;
  if (call.callee_shape == "name") {
    for (const Found& f : r.LookupName(call.callee_text, call.caller_def_id)) {
      Target(f.value, f.method, f.confidence, &found);
    }
  } else if (call.callee_shape == "attribute") {
    bool receiver_known = false;
    AttributeCall(r, call, &found, &receiver_known);
    if (!receiver_known) NameOnly(index, call, &found);
  }
  // One row per target, its best way; best first, ties in the order found.
  std::vector<Candidate> unique;
  for (Candidate& c : found) {
    auto same = std::find_if(unique.begin(), unique.end(), [&](const Candidate& u) {
      return u.def_id == c.def_id && u.external == c.external;
    });
    if (same == unique.end()) {
      unique.push_back(std::move(c));
    } else if (c.confidence > same->confidence) {
      *same = std::move(c);
    }
  }
  std::stable_sort(
      unique.begin(), unique.end(),
      [](const Candidate& a, const Candidate& b) { return a.confidence > b.confidence; });
  std::vector<CallTarget> out;
  for (Candidate& c : unique) {
    out.push_back({call.call_id, static_cast<int32_t>(out.size()), c.def_id,
                   std::move(c.external), std::move(c.method), c.confidence});
  }
  return out;
}

std::vector<Inheritance> ResolveBases(Resolver& r, const Definition& cls) {
  std::vector<Inheritance> out;
  for (size_t i = 0; i < cls.bases.size(); ++i) {
    for (const Found& f : r.OwnBase(cls, i)) {
      std::vector<Candidate> target;
      if (!Target(f.value, f.method, f.confidence, &target)) continue;
      Inheritance row;
      row.class_def_id = cls.def_id;
      row.index = static_cast<int32_t>(i);
      row.base_def_id = target[0].def_id;
      row.external_name = std::move(target[0].external);
      row.method = std::move(target[0].method);
      row.confidence = target[0].confidence;
      out.push_back(std::move(row));
      break;  // the best resolution of each base
    }
  }
  return out;
}

}  // namespace resolve_internal

ResolvedFile Resolve(FileFacts facts, const ProjectIndex& index) {
  ResolvedFile out;
  out.facts = std::move(facts);
  resolve_internal::Resolver resolver(out.facts, index);
  for (Import& imp : out.facts.imports)
    resolve_internal::ResolveImport(resolver, index, &imp);
  for (const CallSite& call : out.facts.call_sites) {
    auto targets = resolve_internal::ResolveCall(resolver, index, call);
    std::move(targets.begin(), targets.end(), std::back_inserter(out.call_targets));
  }
  for (const Definition& d : out.facts.definitions) {
    if (d.kind != "class") continue;
    auto bases = resolve_internal::ResolveBases(resolver, d);
    std::move(bases.begin(), bases.end(), std::back_inserter(out.inheritance));
  }
  return out;
}

arrow::Result<std::vector<ResolvedFile>> ResolveAll(std::vector<FileFacts> files,
                                                    const ProjectIndex& index) {
  std::vector<ResolvedFile> out(files.size());
  ARROW_RETURN_NOT_OK(
      arrow::internal::ParallelFor(static_cast<int>(files.size()), [&](int i) {
        out[i] = Resolve(std::move(files[i]), index);
        return arrow::Status::OK();
      }));
  return out;
}

}  // namespace deltaline::anatomy
