#pragma once

#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "delta/base/actions.h"

namespace deltaline::cli {

/// \brief An option whose value is one of `names`, stored straight into the enum (or
/// std::optional of it) `value`. A name not in the map is a usage error naming the
/// flag and the value ("--mode: bogus not in {append,error,...}").
template <typename Target, typename Enum>
CLI::Option* AddEnumOption(CLI::App& cmd, const std::string& flag, Target& value,
                           const std::map<std::string, Enum>& names,
                           const std::string& help) {
  std::vector<std::string> keys;
  std::string joined;
  for (const auto& [name, unused] : names) {
    keys.push_back(name);
    joined += (joined.empty() ? "" : "|") + name;
  }
  // transform() puts each validator first: the membership check runs before the map.
  return cmd.add_option(flag, value, help)
      ->transform(CLI::Transformer(names).description(""))
      ->transform(CLI::IsMember(keys).description(""))
      ->type_name(joined);
}

/// \brief A repeatable KEY=VALUE option; a value without `=` (or with an empty key) is
/// a usage error naming the flag.
inline CLI::Option* AddKeyValueOption(CLI::App& cmd, const std::string& flag,
                                      std::vector<std::string>& pairs,
                                      const std::string& help) {
  CLI::Validator key_value(
      [](std::string& text) -> std::string {
        auto eq = text.find('=');
        return eq == std::string::npos || eq == 0 ? "'" + text + "' must be KEY=VALUE"
                                                  : "";
      },
      "", "KEY=VALUE");
  return cmd.add_option(flag, pairs, help)->check(key_value)->type_name("KEY=VALUE");
}

/// \brief KEY=VALUE strings (checked by AddKeyValueOption) as a map; the last wins.
inline delta::StringMap KeyValues(const std::vector<std::string>& pairs) {
  delta::StringMap out;
  for (const auto& pair : pairs) {
    auto eq = pair.find('=');
    out[pair.substr(0, eq)] = pair.substr(eq + 1);
  }
  return out;
}

}  // namespace deltaline::cli
