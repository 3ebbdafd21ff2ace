"""Writes the fixture Substrait plans (JSON) of this directory. Run once; the plans are
committed. `python3 make_plans.py` from this directory rewrites them.

Tables the plans read (see README.md): sales(id i64, region string, amount i64),
regions(region string, manager string), and sales_v0 (sales at version 0)."""
import json

EXT = "https://github.com/substrait-io/substrait/blob/main/extensions/"
URIS = [
    {"extensionUriAnchor": 1, "uri": EXT + "functions_comparison.yaml"},
    {"extensionUriAnchor": 2, "uri": EXT + "functions_arithmetic.yaml"},
    {"extensionUriAnchor": 3, "uri": EXT + "functions_aggregate_generic.yaml"},
]
FUNCS = {"gt": (1, 1, "gt:any_any"), "equal": (2, 1, "equal:any_any"),
         "multiply": (3, 2, "multiply:i64_i64"), "sum": (4, 2, "sum:i64"),
         "count": (5, 3, "count:any")}
EXTENSIONS = [{"extensionFunction": {"extensionUriReference": uri, "functionAnchor": anchor,
                                     "name": name}}
              for anchor, uri, name in FUNCS.values()]


def ty(kind):
    return {kind: {"nullability": "NULLABILITY_NULLABLE"}}


I64, STR, BOOL = ty("i64"), ty("string"), ty("bool")
SALES = (["id", "region", "amount"], [I64, STR, I64])
REGIONS = (["region", "manager"], [STR, STR])


def field(i):
    return {"selection": {"directReference": {"structField": {"field": i}},
                          "rootReference": {}}}


def i64(v):
    return {"literal": {"i64": str(v)}}


def call(fn, args, out):
    return {"scalarFunction": {"functionReference": FUNCS[fn][0], "outputType": out,
                               "arguments": [{"value": a} for a in args]}}


def measure(fn, args, out):
    return {"measure": {"functionReference": FUNCS[fn][0], "outputType": out,
                        "phase": "AGGREGATION_PHASE_INITIAL_TO_RESULT",
                        "invocation": "AGGREGATION_INVOCATION_ALL",
                        "arguments": [{"value": a} for a in args]}}


def read(table, schema, **extra):
    names, types = schema
    rel = {"common": {"direct": {}},
           "baseSchema": {"names": names, "struct": {"types": types,
                                                      "nullability": "NULLABILITY_REQUIRED"}},
           "namedTable": {"names": [table]}}
    rel.update(extra)
    return {"read": rel}


def emit(*cols):
    return {"emit": {"outputMapping": list(cols)}}


def plan(rel, names):
    return {"version": {"minorNumber": 44, "producer": "deltaline fixtures"},
            "extensionUris": URIS, "extensions": EXTENSIONS,
            "relations": [{"root": {"input": rel, "names": names}}]}


SALES_NAMES = ["id", "region", "amount"]
PLANS = {
    "filter": plan({"filter": {"input": read("sales", SALES),
                               "condition": call("gt", [field(2), i64(15)], BOOL)}},
                   SALES_NAMES),
    "project": plan({"project": {"common": emit(0, 3), "input": read("sales", SALES),
                                 "expressions": [call("multiply", [field(2), i64(2)], I64)]}},
                    ["id", "double_amount"]),
    "aggregate_keys": plan({"aggregate": {
        "input": read("sales", SALES),
        "groupings": [{"groupingExpressions": [field(1)]}],
        "measures": [measure("sum", [field(2)], I64)]}}, ["region", "total"]),
    "aggregate_no_keys": plan({"aggregate": {
        "input": read("sales", SALES), "groupings": [],
        "measures": [measure("sum", [field(2)], I64), measure("count", [field(0)], I64)]}},
        ["total", "n"]),
    "join": plan({"join": {"common": emit(0, 4), "left": read("sales", SALES),
                           "right": read("regions", REGIONS),
                           "expression": call("equal", [field(1), field(3)], BOOL),
                           "type": "JOIN_TYPE_INNER"}}, ["id", "manager"]),
    "sort_fetch": plan({"fetch": {"offset": "1", "count": "2", "input": {"sort": {
        "input": read("sales", SALES),
        "sorts": [{"expr": field(2), "direction": "SORT_DIRECTION_DESC_NULLS_LAST"}]}}}},
        SALES_NAMES),
    "union_all": plan({"set": {"op": "SET_OP_UNION_ALL",
                               "inputs": [read("sales", SALES), read("sales", SALES)]}},
                      SALES_NAMES),
    "two_versions": plan({"set": {"op": "SET_OP_UNION_ALL",
                                  "inputs": [read("sales_v0", SALES), read("sales", SALES)]}},
                         SALES_NAMES),
    "read_filter_trap": plan(read("sales", SALES,
                                  filter=call("gt", [field(2), i64(15)], BOOL)),
                             SALES_NAMES),
    "output_names_trap": plan({"aggregate": {
        "input": read("sales", SALES), "groupings": [],
        "measures": [measure("sum", [field(2)], I64)]}}, ["total"]),
}

if __name__ == "__main__":
    for name, body in PLANS.items():
        with open(f"{name}.json", "w") as out:
            json.dump(body, out, indent=1)
            out.write("\n")
