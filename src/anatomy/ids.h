#pragma once

// Stable ids and content hashes. An id is the first 8 bytes of the SHA-256 of its
// parts (each part length-prefixed, so ("ab","c") and ("a","bc") differ), read as a
// big-endian int64: the same parts give the same id on every machine and every run.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "anatomy/facts.h"

namespace deltaline::anatomy {

/// \brief The stable id of the given parts (see the file comment).
Id StableId(std::initializer_list<std::string_view> parts);

/// \brief Lower-case hex SHA-256 of `bytes`.
std::string Sha256Hex(std::string_view bytes);

/// \brief The partition bucket of a file: rows of one file live in one partition
/// (`file_bucket`), so an incremental run rewrites few data files.
int32_t FileBucket(Id file_id);

/// \brief How many buckets FileBucket spreads files over.
inline constexpr int32_t kFileBuckets = 64;

}  // namespace deltaline::anatomy
