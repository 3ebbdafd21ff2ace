#pragma once

// The three steps of resolving a file (resolve_imports.cc, resolve_calls.cc).

#include "anatomy/resolver.h"

namespace deltaline::anatomy::resolve_internal {

/// \brief Fills the resolution fields of `imp`, an import of the resolver's file.
void ResolveImport(Resolver& resolver, const ProjectIndex& index, Import* imp);

/// \brief The call targets of one call site, best first, ranks assigned.
std::vector<CallTarget> ResolveCall(Resolver& resolver, const ProjectIndex& index,
                                    const CallSite& call);

/// \brief The resolved bases of one class of the resolver's file.
std::vector<Inheritance> ResolveBases(Resolver& resolver, const Definition& cls);

}  // namespace deltaline::anatomy::resolve_internal
