#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <arrow/result.h>

#include "delta/base/actions.h"
#include "delta/log/log_store.h"
#include "delta/scan/deleted_rows.h"

namespace deltaline::delta {

/// \brief Z85 (the ZeroMQ base85 variant Delta uses for DV ids and inline DVs):
/// every 5 characters encode 4 bytes, big-endian. `encoded.size()` must be a multiple
/// of 5; a character outside the alphabet or a group above 2^32 - 1 fails with a
/// ProtocolError naming its position.
arrow::Result<std::string> Z85Decode(std::string_view encoded);

/// \brief The inverse of Z85Decode. `bytes.size()` must be a multiple of 4 (Invalid
/// otherwise); Delta's writer pads inline DVs with zero bytes to get there.
arrow::Result<std::string> Z85Encode(std::string_view bytes);

/// \brief For storageType `u`: the DV file's path relative to the table root,
/// `[<prefix>/]deletion_vector_<uuid>.bin`. `path_or_inline_dv` is the random prefix
/// (any length, possibly empty) followed by the 20-character Z85 encoding of the
/// UUID's 16 bytes. A value shorter than 20 characters or a bad Z85 character fails
/// with a ProtocolError.
arrow::Result<std::string> RelativeDeletionVectorPath(std::string_view path_or_inline_dv);

/// \brief The path of the file holding a `u` or `p` DV, as a path of
/// store.filesystem(): `u` resolves under store.root(), `p` is decoded like
/// `add.path` (see DataFilePath). Inline DVs (`i`) have no file: ProtocolError, as is
/// an unknown storage type.
arrow::Result<std::string> DeletionVectorFilePath(const LogStore& store,
                                                  const DeletionVectorDescriptor& dv);

/// \brief Decodes one DV out of the whole contents of the DV file that holds it
/// (`u` and `p` DVs): checks the format version byte (1), then, at `dv.offset`, the
/// big-endian size (must equal `dv.sizeInBytes`), the bitmap and its big-endian CRC-32,
/// then the RoaringBitmapArray and its cardinality against `dv.cardinality`.
/// Every mismatch or truncation is a ProtocolError naming the DV (its unique id).
arrow::Result<DeletedRows> DecodeDeletionVectorFile(std::string_view file_bytes,
                                                    const DeletionVectorDescriptor& dv);

/// \brief Decodes an inline DV (storageType `i`): Z85 text holding the
/// RoaringBitmapArray's `sizeInBytes` bytes (plus the zero padding to a multiple of 4),
/// then checks the cardinality. ProtocolError on any mismatch.
arrow::Result<DeletedRows> DecodeInlineDeletionVector(const DeletionVectorDescriptor& dv);

/// \brief The rows a DV deletes from its data file, whatever its storage type. File
/// DVs are read through store.filesystem() with two ranged reads (the version byte
/// and the DV's own bytes), so a DV file shared by many data files is not read whole.
/// Errors: ProtocolError (kProtocol) for a corrupt DV or a descriptor that
/// contradicts it; an IOError naming the DV when its file cannot be opened or read.
/// `store` is only used during the call.
arrow::Result<DeletedRows> LoadDeletionVector(LogStore& store,
                                              const DeletionVectorDescriptor& dv);

}  // namespace deltaline::delta
