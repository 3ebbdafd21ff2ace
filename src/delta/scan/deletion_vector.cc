#include "delta/scan/deletion_vector.h"

#include <algorithm>
#include <array>
#include <cstdio>

#include <arrow/buffer.h>
#include <arrow/io/interfaces.h>

#include "delta/base/errors.h"
#include "delta/scan/data_file_reader.h"

namespace deltaline::delta {
namespace {

constexpr std::string_view kZ85Alphabet =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/"
    "*?&<>()[]{}@%$#";
constexpr size_t kUuidZ85Chars = 20;  // 16 bytes
constexpr uint8_t kDvFileVersion = 1;

constexpr std::array<int8_t, 256> MakeZ85Digits() {
  std::array<int8_t, 256> digits{};
  for (auto& digit : digits) digit = -1;
  for (size_t idx = 0; idx < kZ85Alphabet.size(); ++idx) {
    digits[static_cast<uint8_t>(kZ85Alphabet[idx])] = static_cast<int8_t>(idx);
  }
  return digits;
}
constexpr std::array<int8_t, 256> kZ85Digits = MakeZ85Digits();

// CRC-32 as java.util.zip.CRC32 and zlib compute it (reflected, polynomial
// 0xEDB88320): the checksum Delta's writer stores after each DV.
constexpr std::array<uint32_t, 256> MakeCrcTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t byte = 0; byte < 256; ++byte) {
    uint32_t crc = byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1) ? 0xEDB88320u : 0u);
    table[byte] = crc;
  }
  return table;
}
constexpr std::array<uint32_t, 256> kCrcTable = MakeCrcTable();

uint32_t Crc32(std::string_view bytes) {
  uint32_t crc = 0xFFFFFFFFu;
  for (char c : bytes)
    crc = kCrcTable[(crc ^ static_cast<uint8_t>(c)) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

uint32_t BigEndian32(const char* p) {
  const auto* u = reinterpret_cast<const uint8_t*>(p);
  return (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) | (uint32_t{u[2]} << 8) | u[3];
}

std::string FormatUuid(std::string_view bytes) {
  std::string out;
  char hex[3];
  for (size_t idx = 0; idx < bytes.size(); ++idx) {
    if (idx == 4 || idx == 6 || idx == 8 || idx == 10) out += '-';
    std::snprintf(hex, sizeof hex, "%02x", static_cast<uint8_t>(bytes[idx]));
    out += hex;
  }
  return out;
}

/// "deletion vector u<path>@<offset>": the unique id, which is how the log names a DV.
std::string Name(const DeletionVectorDescriptor& dv) {
  return "deletion vector '" + dv.UniqueId() + "'";
}

// Where the DV's framed bytes (size, bitmap, checksum) start in its file. Byte 0 is
// the format version, so an absent offset can only mean the first DV, at byte 1; the
// protocol's "interpret as 0" would read the version byte as part of the size.
// delta-kernel-rs reads an absent offset the same way.
arrow::Result<int64_t> FramedStart(const DeletionVectorDescriptor& dv) {
  if (!dv.offset) return int64_t{1};
  if (*dv.offset < 1) {
    return ProtocolError(Name(dv) + ": offset " + std::to_string(*dv.offset) +
                         " points before the first DV (byte 1, after the version byte)");
  }
  return int64_t{*dv.offset};
}

arrow::Status CheckDescriptorNumbers(const DeletionVectorDescriptor& dv) {
  if (dv.size_in_bytes < 0) {
    return ProtocolError(Name(dv) + ": negative sizeInBytes " +
                         std::to_string(dv.size_in_bytes));
  }
  if (dv.cardinality < 0) {
    return ProtocolError(Name(dv) + ": negative cardinality " +
                         std::to_string(dv.cardinality));
  }
  return arrow::Status::OK();
}

arrow::Status CheckVersionByte(std::string_view first_byte,
                               const DeletionVectorDescriptor& dv) {
  if (first_byte.empty()) return ProtocolError(Name(dv) + ": the DV file is empty");
  if (static_cast<uint8_t>(first_byte[0]) != kDvFileVersion) {
    return ProtocolError(Name(dv) + ": DV file format version " +
                         std::to_string(static_cast<uint8_t>(first_byte[0])) +
                         ", expected 1");
  }
  return arrow::Status::OK();
}

/// `framed` is what the file holds from the DV's offset on (at least the size, the
/// bitmap and the checksum, when not truncated). Returns the checked bitmap bytes.
arrow::Result<std::string_view> CheckFramed(std::string_view framed,
                                            const DeletionVectorDescriptor& dv) {
  const size_t needed = 8 + static_cast<size_t>(dv.size_in_bytes);
  if (framed.size() < 4) {
    return ProtocolError(Name(dv) + ": DV file truncated before the DV's size");
  }
  const uint32_t stored_size = BigEndian32(framed.data());
  if (stored_size != static_cast<uint32_t>(dv.size_in_bytes)) {
    return ProtocolError(Name(dv) + ": the file gives the DV size " +
                         std::to_string(stored_size) + ", the log says sizeInBytes " +
                         std::to_string(dv.size_in_bytes));
  }
  if (framed.size() < needed) {
    return ProtocolError(
        Name(dv) + ": DV file truncated: " + std::to_string(framed.size()) +
        " bytes from the offset, the DV and its checksum need " + std::to_string(needed));
  }
  std::string_view bitmap = framed.substr(4, static_cast<size_t>(dv.size_in_bytes));
  const uint32_t stored_crc = BigEndian32(framed.data() + 4 + bitmap.size());
  const uint32_t actual_crc = Crc32(bitmap);
  if (stored_crc != actual_crc) {
    char message[64];
    std::snprintf(message, sizeof message,
                  "checksum mismatch (stored %08x, computed %08x)", stored_crc,
                  actual_crc);
    return ProtocolError(Name(dv) + ": " + message);
  }
  return bitmap;
}

arrow::Result<DeletedRows> DecodeBitmap(std::string_view bitmap,
                                        const DeletionVectorDescriptor& dv) {
  ARROW_ASSIGN_OR_RAISE(auto rows, DeletedRows::Deserialize(bitmap, Name(dv)));
  if (rows.cardinality() != dv.cardinality) {
    return ProtocolError(Name(dv) + ": decodes to " + std::to_string(rows.cardinality()) +
                         " rows, the log says cardinality " +
                         std::to_string(dv.cardinality));
  }
  return rows;
}

}  // namespace

arrow::Result<std::string> Z85Decode(std::string_view encoded) {
  if (encoded.size() % 5 != 0) {
    return ProtocolError("Z85 text of " + std::to_string(encoded.size()) +
                         " characters is not a multiple of 5");
  }
  std::string out;
  out.reserve(encoded.size() / 5 * 4);
  for (size_t group = 0; group < encoded.size(); group += 5) {
    uint64_t value = 0;
    for (size_t idx = group; idx < group + 5; ++idx) {
      const int8_t digit = kZ85Digits[static_cast<uint8_t>(encoded[idx])];
      if (digit < 0) {
        return ProtocolError("bad Z85 character (byte " +
                             std::to_string(static_cast<uint8_t>(encoded[idx])) +
                             ") at position " + std::to_string(idx));
      }
      value = value * 85 + static_cast<uint64_t>(digit);
    }
    // 85^5 > 2^32: five valid characters can still spell a value no 4 bytes encode.
    if (value > 0xFFFFFFFFu) {
      return ProtocolError("Z85 group at position " + std::to_string(group) +
                           " exceeds 32 bits");
    }
    for (int shift = 24; shift >= 0; shift -= 8)
      out += static_cast<char>((value >> shift) & 0xFF);
  }
  return out;
}

arrow::Result<std::string> Z85Encode(std::string_view bytes) {
  if (bytes.size() % 4 != 0) {
    return arrow::Status::Invalid("Z85 encodes multiples of 4 bytes, got ", bytes.size());
  }
  std::string out;
  out.reserve(bytes.size() / 4 * 5);
  for (size_t group = 0; group < bytes.size(); group += 4) {
    uint32_t value = BigEndian32(bytes.data() + group);
    char chars[5];
    for (int idx = 4; idx >= 0; --idx) {
      chars[idx] = kZ85Alphabet[value % 85];
      value /= 85;
    }
    out.append(chars, 5);
  }
  return out;
}

arrow::Result<std::string> RelativeDeletionVectorPath(
    std::string_view path_or_inline_dv) {
  if (path_or_inline_dv.size() < kUuidZ85Chars) {
    return ProtocolError("deletion vector id '" + std::string(path_or_inline_dv) +
                         "' has " + std::to_string(path_or_inline_dv.size()) +
                         " characters; the encoded UUID alone takes 20");
  }
  const size_t prefix_len = path_or_inline_dv.size() - kUuidZ85Chars;
  auto uuid = Z85Decode(path_or_inline_dv.substr(prefix_len));
  if (!uuid.ok()) {
    return ProtocolError("deletion vector id '" + std::string(path_or_inline_dv) +
                         "': " + uuid.status().message());
  }
  std::string path(path_or_inline_dv.substr(0, prefix_len));
  if (!path.empty()) path += '/';
  return path + "deletion_vector_" + FormatUuid(*uuid) + ".bin";
}

arrow::Result<std::string> DeletionVectorFilePath(const LogStore& store,
                                                  const DeletionVectorDescriptor& dv) {
  if (dv.storage_type == "u") {
    ARROW_ASSIGN_OR_RAISE(auto relative,
                          RelativeDeletionVectorPath(dv.path_or_inline_dv));
    return store.root() + "/" + relative;
  }
  if (dv.storage_type == "p") return DataFilePath(store, dv.path_or_inline_dv);
  if (dv.storage_type == "i")
    return ProtocolError(Name(dv) + " is inline: it has no file");
  return ProtocolError(Name(dv) + ": unknown storageType '" + dv.storage_type + "'");
}

arrow::Result<DeletedRows> DecodeDeletionVectorFile(std::string_view file_bytes,
                                                    const DeletionVectorDescriptor& dv) {
  ARROW_RETURN_NOT_OK(CheckDescriptorNumbers(dv));
  ARROW_RETURN_NOT_OK(CheckVersionByte(file_bytes.substr(0, 1), dv));
  ARROW_ASSIGN_OR_RAISE(int64_t start, FramedStart(dv));
  if (static_cast<size_t>(start) > file_bytes.size()) {
    return ProtocolError(Name(dv) + ": offset " + std::to_string(start) +
                         " is past the end of the DV file (" +
                         std::to_string(file_bytes.size()) + " bytes)");
  }
  ARROW_ASSIGN_OR_RAISE(auto bitmap, CheckFramed(file_bytes.substr(start), dv));
  return DecodeBitmap(bitmap, dv);
}

arrow::Result<DeletedRows> DecodeInlineDeletionVector(
    const DeletionVectorDescriptor& dv) {
  ARROW_RETURN_NOT_OK(CheckDescriptorNumbers(dv));
  // The offset, which the protocol says is always absent for inline DVs, means nothing
  // here, so a writer that sets it anyway loses nothing by being ignored.
  auto decoded = Z85Decode(dv.path_or_inline_dv);
  if (!decoded.ok()) return ProtocolError(Name(dv) + ": " + decoded.status().message());
  // Delta's writer pads to a multiple of 4 bytes before encoding, so up to 3 extra.
  if (decoded->size() < static_cast<size_t>(dv.size_in_bytes) ||
      decoded->size() - static_cast<size_t>(dv.size_in_bytes) > 3) {
    return ProtocolError(Name(dv) + ": inline DV decodes to " +
                         std::to_string(decoded->size()) + " bytes, sizeInBytes says " +
                         std::to_string(dv.size_in_bytes));
  }
  return DecodeBitmap(std::string_view(*decoded).substr(0, dv.size_in_bytes), dv);
}

arrow::Result<DeletedRows> LoadDeletionVector(LogStore& store,
                                              const DeletionVectorDescriptor& dv) {
  if (dv.storage_type == "i") return DecodeInlineDeletionVector(dv);
  ARROW_RETURN_NOT_OK(CheckDescriptorNumbers(dv));
  ARROW_ASSIGN_OR_RAISE(auto path, DeletionVectorFilePath(store, dv));
  ARROW_ASSIGN_OR_RAISE(int64_t start, FramedStart(dv));
  auto io_error = [&](const arrow::Status& st) {
    return arrow::Status::IOError(Name(dv), " of table '", store.uri(), "': file '", path,
                                  "' cannot be read: ", st.message());
  };
  auto file = store.filesystem()->OpenInputFile(path);
  if (!file.ok()) return io_error(file.status());
  auto version = (*file)->ReadAt(0, 1);
  if (!version.ok()) return io_error(version.status());
  ARROW_RETURN_NOT_OK(CheckVersionByte(std::string_view(**version), dv));
  auto file_size = (*file)->GetSize();
  if (!file_size.ok()) return io_error(file_size.status());
  // Read no further than the file's end, so that a corrupt sizeInBytes cannot make us
  // allocate gigabytes; CheckFramed then reports the truncation.
  const int64_t wanted = 8 + static_cast<int64_t>(dv.size_in_bytes);
  if (start > *file_size) {
    return ProtocolError(Name(dv) + ": offset " + std::to_string(start) +
                         " is past the end of the DV file (" +
                         std::to_string(*file_size) + " bytes)");
  }
  auto framed = (*file)->ReadAt(start, std::min(wanted, *file_size - start));
  if (!framed.ok()) return io_error(framed.status());
  ARROW_ASSIGN_OR_RAISE(auto bitmap, CheckFramed(std::string_view(**framed), dv));
  return DecodeBitmap(bitmap, dv);
}

}  // namespace deltaline::delta
