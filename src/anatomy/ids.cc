#include "anatomy/ids.h"

#include <array>

#include <openssl/evp.h>
#include <openssl/sha.h>

namespace deltaline::anatomy {
namespace {

void AppendLengthPrefixed(std::string* out, std::string_view part) {
  const uint64_t n = part.size();
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  out->append(part);
}

std::array<unsigned char, SHA256_DIGEST_LENGTH> Digest(std::string_view bytes) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  unsigned int len = 0;
  // One-shot EVP digest: thread-safe, no context to share between threads.
  EVP_Digest(bytes.data(), bytes.size(), digest.data(), &len, EVP_sha256(), nullptr);
  return digest;
}

}  // namespace

Id StableId(std::initializer_list<std::string_view> parts) {
  std::string buffer;
  for (std::string_view part : parts) AppendLengthPrefixed(&buffer, part);
  const auto digest = Digest(buffer);
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | digest[i];
  return static_cast<Id>(value);
}

std::string Sha256Hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  const auto digest = Digest(bytes);
  std::string hex;
  hex.reserve(2 * digest.size());
  for (unsigned char b : digest) {
    hex.push_back(kHex[b >> 4]);
    hex.push_back(kHex[b & 0xf]);
  }
  return hex;
}

int32_t FileBucket(Id file_id) {
  return static_cast<int32_t>(static_cast<uint64_t>(file_id) % kFileBuckets);
}

}  // namespace deltaline::anatomy
