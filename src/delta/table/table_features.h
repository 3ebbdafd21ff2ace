#pragma once

#include <string>
#include <vector>

#include <arrow/result.h>
#include <arrow/status.h>

#include "delta/base/actions.h"

namespace deltaline::delta {

/// \brief Fails with ErrorKind::kUnsupportedFeature, naming the first feature that
/// deltaline cannot honour when reading a table with this protocol and metadata.
/// Features that change which rows or values a reader must return (deletion
/// vectors, column mapping, type widening…) are refused: ignoring them gives
/// wrong results.
arrow::Status CheckReadSupported(const Protocol& protocol, const Metadata& metadata);

/// \brief Same for writing. Legacy writer versions 2–6 are accepted only when the
/// features they imply are not actually used (no invariants, constraints, generated
/// or identity columns, change data feed off, column mapping off).
arrow::Status CheckWriteSupported(const Protocol& protocol, const Metadata& metadata);

/// \brief The protocol deltaline writes for a new table with this metadata:
/// 1/2, or 3/7 with `timestampNtz` when the schema needs it.
arrow::Result<Protocol> ProtocolForNewTable(const Metadata& metadata);

/// \brief Reader features deltaline implements (for the README's feature table).
/// \brief The writer (reader) features `protocol` requires: its list under table
/// features, or the set a legacy version implies (PROTOCOL.md, "Table Features").
std::vector<std::string> WriterFeaturesOf(const Protocol& protocol);
std::vector<std::string> ReaderFeaturesOf(const Protocol& protocol);

/// \brief The simplest protocol that covers both `a` and `b` (Spark's Protocol.merge):
/// the higher versions when both are legacy; otherwise table features, a legacy
/// side's implied features spelled out. Equals `a` when `a` already covers `b`.
/// Restore and clone-with-replace use it so that a protocol is never downgraded.
Protocol MergeProtocols(const Protocol& a, const Protocol& b);

const std::vector<std::string>& SupportedReaderFeatures();
const std::vector<std::string>& SupportedWriterFeatures();

}  // namespace deltaline::delta
