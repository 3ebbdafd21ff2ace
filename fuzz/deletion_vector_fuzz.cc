// libFuzzer target: the deletion-vector codec. The first byte picks what the rest is:
//   % 3 == 0: a RoaringBitmapArray (DeletedRows::Deserialize);
//   % 3 == 1: a whole DV file (the byte itself is the version byte), DV at offset 1;
//   % 3 == 2: the Z85 text of an inline DV (also tried as a `u` DV id).
// Properties: a failure is always a kProtocol error, never a crash; a decoded set is
// strictly ascending and agrees with Contains, CountInRange and KeepMask; the file and
// inline paths agree with decoding the bitmap directly; Z85 decode-encode round-trips.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "delta/base/errors.h"
#include "delta/scan/deletion_vector.h"

namespace {

using deltaline::delta::DeletedRows;
using deltaline::delta::DeletionVectorDescriptor;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "property violated: %s\n", what);
    std::abort();
  }
}

void CheckError(const arrow::Status& st) {
  if (!st.ok() && !deltaline::delta::IsKind(st, deltaline::delta::ErrorKind::kProtocol)) {
    std::fprintf(stderr, "untyped error: %s\n", st.ToString().c_str());
    std::abort();
  }
}

void CheckRows(const DeletedRows& rows) {
  const auto all = rows.ToVector();
  Check(static_cast<int64_t>(all.size()) == rows.cardinality(), "cardinality");
  for (size_t idx = 0; idx < all.size(); ++idx) {
    Check(idx == 0 || all[idx] > all[idx - 1], "ascending");
    if (idx < 4096) Check(rows.Contains(all[idx]), "contains a decoded row");
  }
  if (all.empty()) {
    Check(!rows.Max().has_value(), "max of empty");
    return;
  }
  Check(rows.Max() == all.back(), "max");
  // A window around the first deleted row: the mask, the count and Contains agree.
  const int64_t first = all.front() > 100 ? all.front() - 100 : 0;
  const int64_t n = 4000;
  auto mask = rows.KeepMask(first, n);
  Check(mask.ok() && (*mask)->length() == n, "mask");
  int64_t deleted = 0;
  for (int64_t k = 0; k < n; ++k) {
    const bool is_deleted = rows.Contains(first + k);
    deleted += is_deleted;
    Check((*mask)->Value(k) == !is_deleted, "mask agrees with Contains");
  }
  Check(rows.CountInRange(first, n) == deleted, "count agrees with the mask");
  Check(rows.CountInRange(0, INT64_MAX) == rows.cardinality(), "count of everything");
}

uint32_t BigEndian32(std::string_view p) {
  return (uint32_t{static_cast<uint8_t>(p[0])} << 24) |
         (uint32_t{static_cast<uint8_t>(p[1])} << 16) |
         (uint32_t{static_cast<uint8_t>(p[2])} << 8) | static_cast<uint8_t>(p[3]);
}

void FuzzFile(std::string_view file) {
  DeletionVectorDescriptor dv{"u", "vBn[lx{q8@P<9BNH/isA", 1, 0, 0};
  std::optional<DeletedRows> direct;
  if (file.size() >= 5) {
    dv.size_in_bytes = static_cast<int32_t>(BigEndian32(file.substr(1, 4)));
    if (dv.size_in_bytes >= 0 &&
        file.size() >= 5 + static_cast<size_t>(dv.size_in_bytes)) {
      auto rows = DeletedRows::Deserialize(file.substr(5, dv.size_in_bytes));
      CheckError(rows.status());
      if (rows.ok()) {
        dv.cardinality = rows->cardinality();
        direct = std::move(*rows);
      }
    }
  }
  auto decoded = deltaline::delta::DecodeDeletionVectorFile(file, dv);
  CheckError(decoded.status());
  if (decoded.ok()) {
    Check(direct.has_value() && decoded->ToVector() == direct->ToVector(),
          "file decode agrees with the direct decode");
  }
}

void FuzzInline(std::string_view text, uint8_t selector) {
  CheckError(deltaline::delta::RelativeDeletionVectorPath(text).status());
  auto bytes = deltaline::delta::Z85Decode(text);
  CheckError(bytes.status());
  if (!bytes.ok()) return;
  auto encoded = deltaline::delta::Z85Encode(*bytes);
  Check(encoded.ok() && *encoded == text, "Z85 round trip");
  // Strip 0-3 bytes as if they were the writer's padding.
  const size_t padding = std::min<size_t>(selector / 3 % 4, bytes->size());
  std::string_view bitmap = std::string_view(*bytes).substr(0, bytes->size() - padding);
  DeletionVectorDescriptor dv{
      "i", std::string(text), {}, static_cast<int32_t>(bitmap.size()), 0};
  auto direct = DeletedRows::Deserialize(bitmap);
  if (direct.ok()) dv.cardinality = direct->cardinality();
  auto decoded = deltaline::delta::DecodeInlineDeletionVector(dv);
  CheckError(decoded.status());
  Check(decoded.ok() == direct.ok(), "inline decode agrees with the direct decode");
  if (decoded.ok()) Check(decoded->ToVector() == direct->ToVector(), "inline rows");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  switch (data[0] % 3) {
    case 0: {
      auto rows = DeletedRows::Deserialize(input.substr(1));
      CheckError(rows.status());
      if (rows.ok()) CheckRows(*rows);
      break;
    }
    case 1:
      FuzzFile(input);
      break;
    case 2:
      FuzzInline(input.substr(1), data[0]);
      break;
  }
  return 0;
}
