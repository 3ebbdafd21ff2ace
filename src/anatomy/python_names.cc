#include <string>
#include <string_view>
#include <unordered_set>

#include "anatomy/resolve_internal.h"

namespace deltaline::anatomy::resolve_internal {

bool IsBuiltinName(std::string_view name) {
  // dir(builtins) of CPython 3.11–3.13, without the dunders but __import__.
  static const std::unordered_set<std::string_view> kBuiltins = {
      "ArithmeticError",
      "AssertionError",
      "AttributeError",
      "BaseException",
      "BaseExceptionGroup",
      "BlockingIOError",
      "BrokenPipeError",
      "BufferError",
      "BytesWarning",
      "ChildProcessError",
      "ConnectionAbortedError",
      "ConnectionError",
      "ConnectionRefusedError",
      "ConnectionResetError",
      "DeprecationWarning",
      "EOFError",
      "Ellipsis",
      "EncodingWarning",
      "EnvironmentError",
      "Exception",
      "ExceptionGroup",
      "False",
      "FileExistsError",
      "FileNotFoundError",
      "FloatingPointError",
      "FutureWarning",
      "GeneratorExit",
      "IOError",
      "ImportError",
      "ImportWarning",
      "IndentationError",
      "IndexError",
      "InterruptedError",
      "IsADirectoryError",
      "KeyError",
      "KeyboardInterrupt",
      "LookupError",
      "MemoryError",
      "ModuleNotFoundError",
      "NameError",
      "None",
      "NotADirectoryError",
      "NotImplemented",
      "NotImplementedError",
      "OSError",
      "OverflowError",
      "PendingDeprecationWarning",
      "PermissionError",
      "ProcessLookupError",
      "PythonFinalizationError",
      "RecursionError",
      "ReferenceError",
      "ResourceWarning",
      "RuntimeError",
      "RuntimeWarning",
      "StopAsyncIteration",
      "StopIteration",
      "SyntaxError",
      "SyntaxWarning",
      "SystemError",
      "SystemExit",
      "TabError",
      "TimeoutError",
      "True",
      "TypeError",
      "UnboundLocalError",
      "UnicodeDecodeError",
      "UnicodeEncodeError",
      "UnicodeError",
      "UnicodeTranslateError",
      "UnicodeWarning",
      "UserWarning",
      "ValueError",
      "Warning",
      "ZeroDivisionError",
      "__import__",
      "abs",
      "aiter",
      "all",
      "anext",
      "any",
      "ascii",
      "bin",
      "bool",
      "breakpoint",
      "bytearray",
      "bytes",
      "callable",
      "chr",
      "classmethod",
      "compile",
      "complex",
      "copyright",
      "credits",
      "delattr",
      "dict",
      "dir",
      "divmod",
      "enumerate",
      "eval",
      "exec",
      "exit",
      "filter",
      "float",
      "format",
      "frozenset",
      "getattr",
      "globals",
      "hasattr",
      "hash",
      "help",
      "hex",
      "id",
      "input",
      "int",
      "isinstance",
      "issubclass",
      "iter",
      "len",
      "license",
      "list",
      "locals",
      "map",
      "max",
      "memoryview",
      "min",
      "next",
      "object",
      "oct",
      "open",
      "ord",
      "pow",
      "print",
      "property",
      "quit",
      "range",
      "repr",
      "reversed",
      "round",
      "set",
      "setattr",
      "slice",
      "sorted",
      "staticmethod",
      "str",
      "sum",
      "super",
      "tuple",
      "type",
      "vars",
      "zip"};
  return kBuiltins.count(name) > 0;
}

bool IsCommonMethodName(std::string_view name) {
  if (name.size() > 4 && name.substr(0, 2) == "__" &&
      name.substr(name.size() - 2) == "__") {
    return true;
  }
  static const std::unordered_set<std::string_view> kCommon = {
      // dict, list, set, deque
      "get", "items", "keys", "values", "append", "appendleft", "extend", "insert",
      "remove", "pop", "popleft", "popitem", "update", "add", "discard", "clear", "copy",
      "setdefault", "sort", "reverse", "index", "count", "fromkeys",
      // str, bytes
      "format", "join", "split", "rsplit", "splitlines", "strip", "lstrip", "rstrip",
      "replace", "startswith", "endswith", "find", "rfind", "lower", "upper", "encode",
      "decode", "partition", "rpartition", "capitalize", "casefold", "center", "ljust",
      "rjust", "zfill", "title", "swapcase", "expandtabs", "translate", "maketrans",
      "isdigit", "isalpha", "isalnum", "isspace", "isupper", "islower", "isidentifier",
      "removeprefix", "removesuffix", "hex", "fromhex", "tolist", "cast", "to_bytes",
      "from_bytes", "bit_length", "conjugate", "is_integer", "union", "intersection",
      "difference", "symmetric_difference", "issubset", "issuperset", "isdisjoint",
      // files, sockets, streams, locks, threads, generators
      "read", "readline", "readlines", "write", "writelines", "close", "open", "flush",
      "seek", "tell", "send", "recv", "acquire", "release", "wait", "start", "run",
      "stop", "cancel", "result", "throw", "put", "match", "search", "group"};
  return kCommon.count(name) > 0;
}

bool IsDottedName(std::string_view text) {
  if (text.empty()) return false;
  bool at_start = true;
  for (unsigned char c : text) {
    if (c == '.') {
      if (at_start) return false;
      at_start = true;
      continue;
    }
    // Letters, digits, underscore, and any non-ASCII byte (Unicode identifiers).
    const bool ident = c == '_' || c >= 0x80 || (c >= 'a' && c <= 'z') ||
                       (c >= 'A' && c <= 'Z') || (!at_start && c >= '0' && c <= '9');
    if (!ident) return false;
    at_start = false;
  }
  return !at_start;
}

std::vector<std::string> SplitDots(const std::string& text) {
  std::vector<std::string> parts;
  if (text.empty()) return parts;
  size_t start = 0;
  while (true) {
    const size_t dot = text.find('.', start);
    parts.push_back(text.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parts;
}

std::string TopLevel(const std::string& module) {
  return module.substr(0, module.find('.'));
}

}  // namespace deltaline::anatomy::resolve_internal
