#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <arrow/result.h>
#include <arrow/scalar.h>
#include <arrow/type_fwd.h>

#include "delta/base/actions.h"

namespace deltaline::delta {

/// The directory name of a null partition value (Hive's and Spark's).
inline constexpr const char* kHiveDefaultPartition = "__HIVE_DEFAULT_PARTITION__";

/// \brief Escapes one path component the way Hive and Spark do
/// (`ExternalCatalogUtils.escapePathName`): control characters, `"#%'*/:=?\^{[]`
/// and DEL become `%XX` (upper-case hex). NUL is escaped too, so no value can end a
/// path early. Everything else, non-ASCII included, stays as is.
std::string EscapePartitionPathName(std::string_view text);

/// \brief Checks that a data type can be a partition column (booleans, integers,
/// floats, decimals, strings, dates, timestamps). Fails with kUnsupportedFeature
/// naming the column otherwise (binary and nested types).
arrow::Status CheckPartitionColumnType(const std::string& column,
                                       const arrow::DataType& type);

/// \brief The `partitionValues` string of a scalar, as the protocol serialises it:
/// dates `YYYY-MM-DD`, timestamps ISO-8601 in UTC (`…T10:00:00.000000Z`),
/// timestamp_ntz `YYYY-MM-DD HH:MM:SS.ffffff`, decimals with their scale, booleans
/// `true`/`false`, numbers as plain text. Null and the empty string give nullopt (the
/// protocol reads an empty value as null for every type, as Spark writes it).
arrow::Result<std::optional<std::string>> SerializePartitionValue(
    const arrow::Scalar& value);

/// \brief Parses a `partitionValues` string into a scalar of `type`, following the
/// protocol's serialisation (dates `YYYY-MM-DD`, timestamps `YYYY-MM-DD HH:MM:SS[.f]`
/// or ISO-8601, booleans `true`/`false`, decimals and numbers as plain text). A null
/// or empty value gives a null scalar. Fails with kProtocol naming the column.
arrow::Result<std::shared_ptr<arrow::Scalar>> ParsePartitionValue(
    const std::optional<std::string>& value, const std::shared_ptr<arrow::DataType>& type,
    const std::string& column);

/// \brief The value of partition column `column` in `values`, parsed as `type` (see
/// above): a column missing from `values` is null, as the protocol reads it.
arrow::Result<std::shared_ptr<arrow::Scalar>> PartitionValueOf(
    const PartitionValues& values, const std::string& column,
    const std::shared_ptr<arrow::DataType>& type);

/// \brief One partition: its columns' values and its directory.
struct PartitionKey {
  PartitionValues values;
  /// Relative directory on the filesystem, `a=1/b=x%2Fy` (Hive-escaped, no trailing
  /// slash); empty for an unpartitioned table. Null and the literal string
  /// `__HIVE_DEFAULT_PARTITION__` share a directory (as in Spark); `id` tells them apart.
  std::string directory;
  /// The values as canonical JSON (`{"a":"1","b":null}`): the partition's identity.
  std::string id;
};

/// \brief The partition key of `values` for `columns` (in this order). Refuses, with
/// kInvalidInput, a directory that could leave the table root (this cannot happen
/// after escaping; the check guards the invariant).
arrow::Result<PartitionKey> MakePartitionKey(const std::vector<std::string>& columns,
                                             const PartitionValues& values);

/// \brief Fails with kInvalidInput unless `relative` is a relative path whose every
/// segment is a plain name: not empty, not `.` or `..`, no NUL, no backslash.
arrow::Status CheckPathStaysInside(const std::string& relative);

/// \brief The `add.path` for a file named `file_name` in directory `directory`:
/// each segment URI-encoded (so the Hive escape's `%` becomes `%25`), joined by `/`.
std::string EncodeDataFilePath(const std::string& directory,
                               const std::string& file_name);

/// \brief Where an `add`/`remove` path points, URI-decoded.
struct DecodedDataFilePath {
  enum class Kind {
    kRelative,       ///< relative to the table root (what deltaline writes)
    kLocalAbsolute,  ///< a `file:` URI or a path starting with `/`
    kForeignUri,     ///< a URI of another scheme (`s3://…`), left as written
  };
  Kind kind = Kind::kRelative;
  std::string path;  ///< decoded; for kForeignUri the path as written
};

/// \brief The inverse of EncodeDataFilePath, for every form the protocol allows:
/// `add.path` is a URI reference, relative to the table root or absolute.
DecodedDataFilePath DecodeDataFilePath(const std::string& path);

}  // namespace deltaline::delta
