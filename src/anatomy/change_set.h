#pragma once

// The file-level change set of an incremental run: which listed files are new, edited,
// untouched, gone or moved since the state of the previous run. Like git's index: a
// file whose path, size and mtime match its state row is unchanged without being read;
// any other is read and compared by content hash, so a touched but identical file is
// still unchanged.

#include <string>
#include <utility>
#include <vector>

#include <arrow/result.h>

#include "anatomy/facts.h"

namespace deltaline::anatomy {

/// \brief One row of the state table: what the previous run saw of one file.
struct FileState {
  Id file_id = 0;
  std::string path;
  int64_t size = 0;
  int64_t mtime_ns = 0;
  std::string sha256;        ///< "" when the file was skipped before it was read
  std::string exports_hash;  ///< of the module summary (resolve.h), for dependents
  std::string summary_json;  ///< the module summary, to resolve without re-extracting
  /// SourceFile::skip_reason as it was ("" when the file was parsed).
  std::string skip_reason;
};

/// \brief The state row of a file as listed/loaded now (exports_hash and summary_json
/// are left to the caller, who has the summary).
FileState FileStateOf(const SourceFile& file);

struct ChangeSetOptions {
  /// Read and hash every listed file, even those whose size and mtime match.
  bool verify_hashes = false;
  /// Keep the text of the files read (added, changed, renamed) so that extraction
  /// (LoadAndExtract) need not read them again. Off: only their hashes are kept, and
  /// the driver re-reads them; memory then stays small whatever the change.
  bool keep_text = true;
};

/// \brief The listed files against the previous state. Every listed file is in exactly
/// one of added, changed, unchanged, or renamed (as the second of a pair); every state
/// row not listed is in deleted or renamed (as the first). Each list keeps the order of
/// `listed` (of `previous` for deleted).
struct ChangeSet {
  std::vector<SourceFile> added;
  /// Content (sha256) or skip reason differs; read (unless skipped).
  std::vector<SourceFile> changed;
  /// Not read when size and mtime matched: sha256 comes from the state row; text empty.
  std::vector<SourceFile> unchanged;
  std::vector<FileState> deleted;
  /// A deleted path whose content reappears at an added path (a pure move). Its ids
  /// change with the path, so the caller treats it as a delete plus an add whose
  /// extraction can be skipped only if it does not depend on the path.
  std::vector<std::pair<FileState, SourceFile>> renamed;

  size_t read_count = 0;  ///< how many files were read to decide (for tests and stats)
};

/// \brief Decides the change set of `listed` (from ListSourceTree under `root`) against
/// `previous` (the state table's rows). Files that need it are read with LoadSourceFile.
/// Skipped files (skip_reason) are compared by path only: changed when their reason or
/// hash differs; they never pair as a rename.
arrow::Result<ChangeSet> ComputeChangeSet(const std::string& root,
                                          std::vector<SourceFile> listed,
                                          const std::vector<FileState>& previous,
                                          const ChangeSetOptions& options = {});

}  // namespace deltaline::anatomy
