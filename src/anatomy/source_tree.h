#pragma once

// Finding and reading the Python files under a source root. Listing is cheap (a walk
// and a stat per file); reading decodes and hashes. The incremental run lists, then
// reads only the files whose size or mtime changed.

#include <string>
#include <vector>

#include <arrow/result.h>
#include <arrow/status.h>

#include "anatomy/facts.h"

namespace deltaline::anatomy {

struct SourceTreeOptions {
  /// Directory names skipped wherever they occur. Default: VCS and cache directories
  /// and installed third-party code ("site-packages", "dist-packages").
  std::vector<std::string> exclude_dirs = {
      ".git",          ".hg",           ".svn",  "__pycache__",
      "site-packages", "dist-packages", ".venv", "node_modules"};
  /// Symbolic links to files and directories are followed (a loop is recorded as a
  /// skipped file, never followed twice). Default true.
  bool follow_symlinks = true;
};

/// \brief The `.py` files under `root`, sorted by path, with path, file_id, module,
/// is_package_init, size and mtime_ns filled. Files that cannot be listed (a symlink
/// loop, a dangling link, an unreadable directory, a `.py` that is not a regular file)
/// are returned too, with `skip_reason` set: nothing is dropped silently. A missing or
/// unreadable root is kIOError naming it.
arrow::Result<std::vector<SourceFile>> ListSourceTree(
    const std::string& root, const SourceTreeOptions& options = {});

/// \brief Reads `file` (root/path): fills sha256, encoding, text and line_count, or
/// skip_reason when it cannot be read or is not Python text (a NUL byte). Never fails
/// for a problem of the file itself; only for a logic error.
arrow::Status LoadSourceFile(const std::string& root, SourceFile* file);

/// \brief The dotted module name of a relative path (`a/b.py` → "a.b",
/// `a/__init__.py` → "a", `__init__.py` → "").
std::string ModuleNameOfPath(const std::string& relative_path);

}  // namespace deltaline::anatomy
