#pragma once

#include <string>

#include <arrow/result.h>

namespace deltaline::testing {

/// \brief The Python of the project's virtualenv (`.venv/bin/python`), where delta-rs
/// (`deltalake`) is installed.
std::string DefaultPython();

/// \brief Reads a Delta table with delta-rs, an independent reader, and returns what
/// `body` printed on standard output.
///
/// `body` is Python run after
///   import json, os, sys, deltalake, pyarrow.compute as pc
///   t = deltalake.DeltaTable(sys.argv[1])
/// with `table` as sys.argv[1]. Afterwards the script flushes its output and leaves
/// with os._exit(0): deltalake 1.6.6 sometimes aborts while the interpreter shuts down
/// ("terminate called without an active exception"), after the answer is out. That
/// workaround lives here only.
///
/// Fails (with standard error in the message) when the script exits non-zero.
arrow::Result<std::string> ReadWithDeltaRs(const std::string& table,
                                           const std::string& body,
                                           const std::string& python = DefaultPython());

}  // namespace deltaline::testing
