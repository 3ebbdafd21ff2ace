// libFuzzer target: the Delta schema JSON parser (metaData.schemaString). Property:
// no crash; a schema that parses maps back to Delta JSON, and that JSON parses again
// to an equal Arrow schema.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include <arrow/type.h>

#include "delta/table/schema.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace deltaline::delta;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)UsesTimestampNtz(text);
  auto schema = DeltaSchemaJsonToArrow(text);
  if (!schema.ok()) return 0;
  auto json = ArrowToDeltaSchemaJson(**schema);
  if (!json.ok()) return 0;  // e.g. a type Delta reads but we refuse to write
  auto again = DeltaSchemaJsonToArrow(*json);
  if (!again.ok() || !(*again)->Equals(**schema, /*check_metadata=*/true)) {
    std::fprintf(
        stderr, "schema does not round-trip through %s: %s\n", json->c_str(),
        again.ok() ? (*again)->ToString().c_str() : again.status().ToString().c_str());
    std::abort();
  }
  return 0;
}
