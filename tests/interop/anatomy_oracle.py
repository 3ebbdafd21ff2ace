"""What Python's own `ast` says one file holds, under the rules of the anatomy data
model (src/anatomy/facts.h): definitions (kind, qualname, start and end line and
column, decorator and parameter counts, async), imports (one row per imported name)
and call sites (ast.Call nodes plus decorators that are not calls: per line, then each
one's position and argument counts), so that test_anatomy_oracle.py can compare them
with the extractor's rows.

The rules, as facts.h states them:
- qualname is Python's __qualname__, except that comprehensions are not a scope
  (PEP 709, Python 3.12+): a lambda in a list comprehension in f is
  "f.<locals>.<lambda>", not "f.<locals>.<listcomp>.<lambda>".
- A def or class declared `global` in its enclosing scope has its bare name as
  qualname (CPython's compiler_set_qualname).
- Decorators, default values, annotations, base classes and class keywords are
  evaluated in the enclosing scope: a lambda there belongs to the enclosing scope.
- "method" is a function directly in a class body; a lambda is always "lambda".
- Lines are `ast`'s (the def/class keyword's line; `async` for async def); columns
  are `ast`'s col_offset (UTF-8 bytes); a definition ends where `ast`'s does (its last
  token: no trailing comment).
"""

import ast
import collections
import re
import types
import warnings

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_SCOPES = _FUNCTIONS + (ast.ClassDef, ast.Lambda)


def _globals_declared(body_owner):
    """Names declared `global` directly in a function or class scope (not nested)."""
    names = set()
    stack = list(ast.iter_child_nodes(body_owner))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Global):
            names.update(node.names)
        elif not isinstance(node, _SCOPES):
            stack.extend(ast.iter_child_nodes(node))
    return names


class _Scope:
    def __init__(self, node, qualname):
        self.node = node
        self.qualname = qualname
        self.is_class = isinstance(node, ast.ClassDef)
        self.is_module = node is None
        self._globals = None

    def declares_global(self, name):
        if self.is_module:
            return False
        if self._globals is None:
            self._globals = _globals_declared(self.node)
        return name in self._globals

    def child_qualname(self, name, can_be_global):
        if self.is_module or (can_be_global and self.declares_global(name)):
            return name
        if self.is_class:
            return f"{self.qualname}.{name}"
        return f"{self.qualname}.<locals>.{name}"


def _outer_parts(node):
    """The parts of a def/class/lambda evaluated in the enclosing scope."""
    parts = []
    if isinstance(node, _FUNCTIONS + (ast.ClassDef,)):
        parts.extend(node.decorator_list)
    if isinstance(node, ast.ClassDef):
        parts.extend(node.bases)
        parts.extend(node.keywords)
        return parts
    args = node.args
    parts.extend(args.defaults)
    parts.extend(d for d in args.kw_defaults if d is not None)
    if isinstance(node, _FUNCTIONS):
        every = args.posonlyargs + args.args + args.kwonlyargs
        every += [a for a in (args.vararg, args.kwarg) if a is not None]
        parts.extend(a.annotation for a in every if a.annotation is not None)
        if node.returns is not None:
            parts.append(node.returns)
    return parts


def _inner_parts(node):
    if isinstance(node, ast.Lambda):
        return [node.body]
    return list(node.body)


def _shape(node):
    """(decorators, positional params, keyword-only params, *args, **kwargs, async)."""
    decorators = len(getattr(node, "decorator_list", []))
    if isinstance(node, ast.ClassDef):
        return (decorators, 0, 0, False, False, False)
    a = node.args
    return (decorators, len(a.posonlyargs) + len(a.args), len(a.kwonlyargs),
            a.vararg is not None, a.kwarg is not None,
            isinstance(node, ast.AsyncFunctionDef))


def definitions(tree):
    """(kind, qualname, line, col, end line, end col, *_shape) of the module (its end
    is not compared: ast has none) and every class, def and lambda."""
    rows = [("module", "", 1, 0, None, None, 0, 0, 0, False, False, False)]

    def visit(node, scope):
        if isinstance(node, _SCOPES):
            define(node, scope)
            return
        for child in ast.iter_child_nodes(node):
            visit(child, scope)

    def define(node, scope):
        if isinstance(node, ast.Lambda):
            kind, name = "lambda", "<lambda>"
        elif isinstance(node, ast.ClassDef):
            kind, name = "class", node.name
        else:
            kind = "method" if scope.is_class else "function"
            name = node.name
        qualname = scope.child_qualname(name, can_be_global=kind != "lambda")
        rows.append((kind, qualname, node.lineno, node.col_offset, node.end_lineno,
                     node.end_col_offset, *_shape(node)))
        for part in _outer_parts(node):
            visit(part, scope)
        inner = _Scope(node, qualname)
        for part in _inner_parts(node):
            visit(part, inner)

    for stmt in tree.body:
        visit(stmt, _Scope(None, ""))
    return sorted(rows, key=lambda r: (r[2], r[3], r[0], r[1]))


def imports(tree):
    """(kind, module, level, name, alias, bound_name, is_star, line), one per name.
    `module` is the `from` clause's module: "" for `import a.b` (the name is "a.b")."""
    rows = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                bound = a.asname or a.name.split(".")[0]
                rows.append(("import", "", 0, a.name, a.asname or "", bound, False,
                             a.lineno))
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            kind = "future" if module == "__future__" and node.level == 0 else "from"
            for a in node.names:
                if a.name == "*":
                    rows.append((kind, module, node.level, "*", "", "", True, node.lineno))
                else:
                    rows.append((kind, module, node.level, a.name, a.asname or "",
                                 a.asname or a.name, False, a.lineno))
    return sorted(rows, key=lambda r: (r[7], r[3], r[4]))


def call_lines(tree):
    """Counter line → call sites starting there: calls and non-call decorators."""
    lines = collections.Counter()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            lines[node.lineno] += 1
        if isinstance(node, _FUNCTIONS + (ast.ClassDef,)):
            for d in node.decorator_list:
                if not isinstance(d, ast.Call):
                    lines[d.lineno] += 1
    return lines


def _arguments(call):
    """(positional, keyword, *args, **kwargs) of an ast.Call."""
    star = sum(isinstance(a, ast.Starred) for a in call.args)
    double_star = sum(k.arg is None for k in call.keywords)
    return (len(call.args) - star, len(call.keywords) - double_star, star, double_star)


def call_sites(tree):
    """(line, col, positional, keyword, *args, **kwargs, is_decorator) per call site."""
    rows = []
    decorators = set()
    for node in ast.walk(tree):
        if isinstance(node, _FUNCTIONS + (ast.ClassDef,)):
            for d in node.decorator_list:
                decorators.add(id(d))
                if not isinstance(d, ast.Call):
                    rows.append((d.lineno, d.col_offset, 0, 0, 0, 0, True))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            rows.append((node.lineno, node.col_offset, *_arguments(node),
                         id(node) in decorators))
    return sorted(rows)


def expected(source: bytes):
    """The oracle's rows for one file, or None when `ast` refuses it."""
    try:
        with warnings.catch_warnings():  # invalid escapes in old test files
            warnings.simplefilter("ignore")
            tree = ast.parse(source)
    except (SyntaxError, ValueError, UnicodeDecodeError):
        return None
    return {
        "definitions": definitions(tree),
        "imports": imports(tree),
        "calls_by_line": call_lines(tree),
        "call_sites": call_sites(tree),
    }


_COMPREHENSION_SCOPE = re.compile(r"<(listcomp|setcomp|dictcomp|genexpr)>\.")
_COMPREHENSIONS = ("<listcomp>", "<setcomp>", "<dictcomp>", "<genexpr>")


def compiled_qualnames(source: bytes):
    """The oracle's check of its own qualname rules: CPython's code objects'
    co_qualname (classes, functions, lambdas), comprehension scopes removed as the rules
    say, as a Counter; None when the compiler refuses the file. The compiler drops dead
    code (a def after `return`), so this may hold fewer than `definitions`, never more
    or other names."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            code = compile(source, "<oracle>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return None
    names = collections.Counter()
    stack = [code]
    while stack:
        for const in stack.pop().co_consts:
            if isinstance(const, types.CodeType):
                stack.append(const)
                if const.co_qualname.rsplit(".", 1)[-1] not in _COMPREHENSIONS:
                    names[_COMPREHENSION_SCOPE.sub("", const.co_qualname)] += 1
    return names


def refusal(source: bytes) -> str:
    """Why `ast` refuses the file ("" when it does not)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(source)
    except (SyntaxError, ValueError, UnicodeDecodeError) as e:
        return f"{type(e).__name__}: {e}"
    return ""


def got(dumped: dict):
    """The extractor's rows (one anatomy_dump JSON line) in the oracle's shapes."""
    def end(d):
        return (None, None) if d["kind"] == "module" else (d["end_line"], d["end_col"])

    defs = [(d["kind"], d["qualname"], d["line"], d["col"], *end(d), d["decorators"],
             d["positional"], d["kwonly"], d["varargs"], d["kwargs"], d["is_async"])
            for d in dumped["definitions"]]
    imps = [(i["kind"], i["module"], i["level"], i["name"], i["alias"], i["bound_name"],
             i["is_star"], i["line"]) for i in dumped["imports"]]
    return {
        "definitions": sorted(defs, key=lambda r: (r[2], r[3], r[0], r[1])),
        "imports": sorted(imps, key=lambda r: (r[7], r[3], r[4])),
        "calls_by_line": collections.Counter({ln: n for ln, n in dumped["calls_by_line"]}),
        "call_sites": sorted(tuple(c) for c in dumped["call_sites"]),
    }


def _multiset_diff(want, have):
    w, h = collections.Counter(want), collections.Counter(have)
    return sorted((w - h).elements()), sorted((h - w).elements())


def compare(path, want, have, limit=6):
    """A compact description of the differences, [] when there are none."""
    out = []
    for key in ("definitions", "imports"):
        missing, extra = _multiset_diff(want[key], have[key])
        if missing or extra:
            out.append(f"{path}: {key}: expected-only {missing[:limit]} "
                       f"got-only {extra[:limit]}"
                       f"{' …' if len(missing) > limit or len(extra) > limit else ''}")
    wl, hl = want["calls_by_line"], have["calls_by_line"]
    if wl == hl:
        # Same count per line: then the position and arguments of each call.
        missing, extra = _multiset_diff(want["call_sites"], have["call_sites"])
        if missing or extra:
            out.append(f"{path}: call sites (line, col, pos, kw, *, **, decorator): "
                       f"expected-only {missing[:limit]} got-only {extra[:limit]}")
    else:
        lines = sorted(ln for ln in set(wl) | set(hl) if wl[ln] != hl[ln])
        shown = ", ".join(f"line {ln}: {wl[ln]} vs {hl[ln]}" for ln in lines[:limit])
        out.append(f"{path}: calls {sum(wl.values())} expected, {sum(hl.values())} got "
                   f"({shown}{' …' if len(lines) > limit else ''})")
    return out
