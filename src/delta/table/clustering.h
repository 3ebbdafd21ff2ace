#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <arrow/result.h>

#include "delta/base/actions.h"

namespace deltaline::delta {

/// A column path: top-level name first, then nested field names.
using ColumnPath = std::vector<std::string>;

/// \brief The clustering columns of a clustered table (`clustering` writer feature),
/// from its `delta.clustering` domain (or the older `delta.liquid` one), or nullopt
/// when there is no such domain. Paths the writer stored as physical names (column
/// mapping) are mapped to logical names through `schema_string`'s
/// `delta.columnMapping.physicalName` field metadata; a path that matches no field
/// is returned as stored.
///
/// Both shapes writers use are accepted: `{"clusteringColumns":[["a"],["b","c"]]}` or
/// `["a", ...]` (one name per column), and `delta.liquid`'s
/// `{"clusteringColumns":[{"physicalName":["a"]}]}`. Errors: kProtocol when the
/// configuration is not one of them.
arrow::Result<std::optional<std::vector<ColumnPath>>> ClusteringColumns(
    const std::map<std::string, DomainMetadata>& domains,
    const std::string& schema_string);

}  // namespace deltaline::delta
