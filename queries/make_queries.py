"""Writes the shipped anatomy queries of this directory: Substrait JSON plans (0.44, what
Arrow 26's consumer reads) for `deltaline query`. Run `python3 queries/make_queries.py`;
the plans are committed. Each plan reads only the columns it names, bound by name
(`--table definitions=LAKE/definitions ...`; README.md lists the bindings).

Built here rather than by ibis-substrait: its 4.0.1 release (the pinned one) compiles a
projection over a join with the wrong field indices (columns come back swapped), which
is exactly the silent wrong answer a shipped query must not give."""
import json
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
# INHERITS hops followed by deepest_inheritance. A longer chain (or a cycle) is reported
# as depth MAX_DEPTH with `deeper` true: never shallower than it is.
MAX_DEPTH = 6

EXT = "https://github.com/substrait-io/substrait/blob/main/extensions/"
URIS = [{"extensionUriAnchor": 1, "uri": EXT + "functions_comparison.yaml"},
        {"extensionUriAnchor": 2, "uri": EXT + "functions_arithmetic.yaml"},
        {"extensionUriAnchor": 3, "uri": EXT + "functions_boolean.yaml"}]
FUNCS = {"equal": (1, 1, "equal:any_any"), "not_equal": (2, 1, "not_equal:any_any"),
         "gte": (3, 1, "gte:any_any"), "is_not_null": (4, 1, "is_not_null:any"),
         "add": (5, 2, "add:i64_i64"), "sum": (6, 2, "sum:i64"), "max": (7, 2, "max:i64"),
         "and": (8, 3, "and:bool")}
EXTENSIONS = [{"extensionFunction": {"extensionUriReference": uri, "functionAnchor": anchor,
                                     "name": name}} for anchor, uri, name in FUNCS.values()]


def ty(kind):
    return {kind: {"nullability": "NULLABILITY_NULLABLE"}}


I32, I64, F64, STR, BOOL = ty("i32"), ty("i64"), ty("fp64"), ty("string"), ty("bool")


def field(i):
    return {"selection": {"directReference": {"structField": {"field": i}},
                          "rootReference": {}}}


def lit(kind, value):
    return {"literal": {kind: value}}


def call(fn, args, out=BOOL):
    return {"scalarFunction": {"functionReference": FUNCS[fn][0], "outputType": out,
                               "arguments": [{"value": a} for a in args]}}


def all_of(*conditions):
    """Nested binary ANDs: Arrow's and_kleene takes exactly two arguments."""
    result = conditions[0]
    for condition in conditions[1:]:
        result = call("and", [result, condition])
    return result


def if_then(condition, then, otherwise):
    return {"ifThen": {"ifs": [{"if": condition, "then": then}], "else": otherwise}}


def measure(fn, column, out=I64):
    return {"measure": {"functionReference": FUNCS[fn][0], "outputType": out,
                        "phase": "AGGREGATION_PHASE_INITIAL_TO_RESULT",
                        "invocation": "AGGREGATION_INVOCATION_ALL",
                        "arguments": [{"value": field(column)}]}}


def read(table, columns):
    return {"read": {"common": {"direct": {}},
                     "baseSchema": {"names": [c for c, _ in columns],
                                    "struct": {"types": [t for _, t in columns],
                                               "nullability": "NULLABILITY_REQUIRED"}},
                     "namedTable": {"names": [table]}}}


def filter_(rel, condition):
    return {"filter": {"input": rel, "condition": condition}}


def project(rel, expressions, keep):
    """Appends `expressions` to the input's fields and keeps the fields `keep`."""
    return {"project": {"common": {"emit": {"outputMapping": keep}}, "input": rel,
                        "expressions": expressions}}


def aggregate(rel, keys, measures):
    """Output: the keys, then the measures."""
    return {"aggregate": {"input": rel,
                          "groupings": [{"groupingExpressions": [field(k) for k in keys]}],
                          "measures": measures}}


def join(left, right, condition, kind, keep):
    """Output before `keep`: the left's fields, then the right's."""
    return {"join": {"common": {"emit": {"outputMapping": keep}}, "left": left,
                     "right": right, "expression": condition, "type": kind}}


def sort(rel, *keys):
    return {"sort": {"input": rel, "sorts": [
        {"expr": field(i), "direction": "SORT_DIRECTION_DESC_NULLS_LAST" if desc
         else "SORT_DIRECTION_ASC_NULLS_LAST"} for i, desc in keys]}}


def fetch(rel, count):
    return {"fetch": {"input": rel, "offset": "0", "count": str(count)}}


def plan(rel, names, about):
    return {"version": {"minorNumber": 44, "producer": "deltaline queries/make_queries.py"},
            "extensionUris": URIS, "extensions": EXTENSIONS,
            "relations": [{"root": {"input": rel, "names": names}}],
            "expectedTypeUrls": [], "__about__": about}


DEFINITIONS = [("def_id", I64), ("kind", STR), ("fqn", STR)]
ONE = lit("i64", "1")


def most_called_functions():
    targets = read("call_targets", [("callee_def_id", I64), ("confidence", F64)])
    certain = filter_(targets, all_of(call("is_not_null", [field(0)]),
                                      call("gte", [field(1), lit("fp64", 0.8)])))
    ones = project(certain, [ONE], [0, 2])                      # callee, one
    counts = aggregate(ones, [0], [measure("sum", 1)])          # callee, calls
    named = join(counts, read("definitions", DEFINITIONS),      # +def_id, kind, fqn
                 call("equal", [field(0), field(2)]), "JOIN_TYPE_INNER", [4, 3, 1])
    return plan(fetch(sort(named, (2, True), (0, False)), 10), ["fqn", "kind", "calls"],
                "The 10 definitions with most call sites resolved to them with "
                "confidence >= 0.8. Tables: call_targets, definitions.")


def most_imported_modules():
    imports = read("imports", [("file_id", I64), ("target_module", STR),
                               ("target_file_id", I64), ("status", STR)])
    inside = filter_(imports, all_of(call("equal", [field(3), lit("string", "resolved")]),
                                     call("is_not_null", [field(2)]),
                                     call("not_equal", [field(2), field(0)])))
    pairs = aggregate(inside, [1, 0], [measure("max", 2)])     # module, importer, _
    ones = project(pairs, [ONE], [0, 3])                        # module, one
    counts = aggregate(ones, [0], [measure("sum", 1)])          # module, importers
    return plan(fetch(sort(counts, (1, True), (0, False)), 10), ["module", "importers"],
                "The 10 modules of the codebase imported by most other files. "
                "Table: imports.")


def deepest_inheritance():
    edges = read("cpg_edges", [("kind", STR), ("src", I64), ("dst", I64)])
    inherits = project(filter_(edges, call("equal", [field(0), lit("string", "INHERITS")])),
                       [], [1, 2])                              # class, base
    chain = inherits                                            # cls, p1
    for level in range(2, MAX_DEPTH + 2):                       # + p2 … p(MAX+1)
        width = level                                           # cls + p1..p(level-1)
        chain = join(chain, inherits, call("equal", [field(width - 1), field(width)]),
                     "JOIN_TYPE_LEFT", list(range(width)) + [width + 1])
    depth = ONE
    for level in range(2, MAX_DEPTH + 1):
        depth = call("add", [depth, if_then(call("is_not_null", [field(level)]), ONE,
                                            lit("i64", "0"))], I64)
    deeper = if_then(call("is_not_null", [field(MAX_DEPTH + 1)]), ONE, lit("i64", "0"))
    width = MAX_DEPTH + 2
    scored = project(chain, [depth, deeper], [0, width, width + 1])  # cls, depth, deeper
    per_class = aggregate(scored, [0], [measure("max", 1), measure("max", 2)])
    named = join(per_class, read("definitions", DEFINITIONS),   # + def_id, kind, fqn
                 call("equal", [field(0), field(3)]), "JOIN_TYPE_INNER", [5, 1, 2])
    flagged = project(named, [call("equal", [field(2), ONE])], [0, 1, 3])
    return plan(fetch(sort(flagged, (1, True), (0, False)), 10), ["fqn", "depth", "deeper"],
                f"The 10 classes with the longest chain of base classes inside the "
                f"codebase (up to {MAX_DEPTH}; deeper = a longer chain or a cycle). "
                "Tables: cpg_edges, definitions.")


def files_with_syntax_errors():
    files = read("repo_files", [("path", STR), ("diagnostic_count", I32),
                                ("has_error", BOOL)])
    broken = project(filter_(files, call("equal", [field(2), lit("boolean", True)])),
                     [], [0, 1])
    return plan(sort(broken, (1, True), (0, False)), ["path", "diagnostics"],
                "Files whose syntax tree has ERROR or MISSING nodes, most diagnostics "
                "first. Table: repo_files.")


QUERIES = [most_called_functions, most_imported_modules, deepest_inheritance,
           files_with_syntax_errors]

if __name__ == "__main__":
    for build in QUERIES:
        body = build()
        about = body.pop("__about__")
        body.pop("expectedTypeUrls")
        body["version"]["producer"] += ": " + about
        with open(HERE / f"{build.__name__}.json", "w") as out:
            json.dump(body, out, indent=1)
            out.write("\n")
        print(f"wrote queries/{build.__name__}.json")
