// SHA-256 (FIPS 180-4), HMAC-SHA256 (RFC 2104) and the encodings SigV4 and the AWS APIs need:
// lower-case hex, base64 and (for JWTs) base64url decoding. The emulator may not use OpenSSL
// (DESIGN.md's Layout), so these are written here and tested against the FIPS 180-2 and RFC 4231
// vectors.
//
// Thread contract: Sha256 is a value (one per thread); the free functions are pure.
#ifndef EMULATOR_SRC_DIGEST_H_
#define EMULATOR_SRC_DIGEST_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace emulator {

using Digest = std::array<uint8_t, 32>;

class Sha256 {
 public:
  Sha256();
  void Update(std::string_view data);
  // Ends the hash; the object must not be updated afterwards.
  Digest Finish();

 private:
  void Block(const uint8_t* block);

  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> buffer_{};
  size_t buffered_ = 0;
  uint64_t length_bytes_ = 0;
};

Digest Sha256Of(std::string_view data);
Digest HmacSha256(std::string_view key, std::string_view data);
std::string_view AsBytes(const Digest& digest);
std::string HexLower(std::string_view bytes);
std::string Base64(std::string_view bytes);
// RFC 4648 §5 (the JWT alphabet, padding optional); nullopt for any other character or a length
// no encoding has.
std::optional<std::string> Base64UrlDecode(std::string_view text);
// Compares without an early exit, so that the time taken does not tell how much matched.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace emulator

#endif  // EMULATOR_SRC_DIGEST_H_
