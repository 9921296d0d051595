#include "files/picture.hpp"

#include "files/mime.hpp"

namespace sp::files {
namespace {

std::uint32_t be16(std::string_view b, std::size_t at) {
  return (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at])) << 8) |
         static_cast<unsigned char>(b[at + 1]);
}
std::uint32_t be32(std::string_view b, std::size_t at) {
  return (be16(b, at) << 16) | be16(b, at + 2);
}
std::uint32_t le16(std::string_view b, std::size_t at) {
  return static_cast<unsigned char>(b[at]) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 1])) << 8);
}
std::uint32_t le24(std::string_view b, std::size_t at) {
  return le16(b, at) | (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 2])) << 16);
}
std::uint32_t le32(std::string_view b, std::size_t at) {
  return le16(b, at) | (le16(b, at + 2) << 16);
}

std::optional<Picture> png(std::string_view b) {
  // Signature, then the IHDR chunk first (PNG spec 5.3, 11.2.2): length 13, type, width, height.
  if (b.size() < 24 || b.substr(0, 8) != std::string_view("\x89PNG\r\n\x1a\n", 8) ||
      b.substr(12, 4) != "IHDR")
    return std::nullopt;
  return Picture{"image/png", be32(b, 16), be32(b, 20)};
}

std::optional<Picture> jpeg(std::string_view b) {
  if (b.size() < 4 || static_cast<unsigned char>(b[0]) != 0xFF || static_cast<unsigned char>(b[1]) != 0xD8)
    return std::nullopt;
  std::size_t i = 2;
  while (i + 4 <= b.size()) {
    if (static_cast<unsigned char>(b[i]) != 0xFF) return std::nullopt;
    while (i < b.size() && static_cast<unsigned char>(b[i]) == 0xFF) ++i;  // fill bytes
    if (i >= b.size()) return std::nullopt;
    const auto marker = static_cast<unsigned char>(b[i++]);
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) continue;  // no length
    if (marker == 0xD9 || marker == 0xDA) return std::nullopt;           // image data before any frame
    if (i + 2 > b.size()) return std::nullopt;
    const std::uint32_t length = be16(b, i);
    if (length < 2) return std::nullopt;
    // SOF0..SOF15 but DHT (C4), JPG (C8) and DAC (CC): precision, height, width.
    if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
      if (i + 7 > b.size()) return std::nullopt;
      return Picture{"image/jpeg", be16(b, i + 5), be16(b, i + 3)};
    }
    i += length;
  }
  return std::nullopt;
}

std::optional<Picture> webp(std::string_view b) {
  // RIFF container (RFC 9649): "RIFF" size "WEBP", then the first chunk.
  if (b.size() < 30 || b.substr(0, 4) != "RIFF" || b.substr(8, 4) != "WEBP") return std::nullopt;
  const auto chunk = b.substr(12, 4);
  if (chunk == "VP8 ") {
    // A key frame: 3 bytes of frame tag, the start code 9d 01 2a, then 14-bit width and height.
    if (b.substr(23, 3) != "\x9d\x01\x2a") return std::nullopt;
    return Picture{"image/webp", le16(b, 26) & 0x3FFF, le16(b, 28) & 0x3FFF};
  }
  if (chunk == "VP8L") {
    if (static_cast<unsigned char>(b[20]) != 0x2F) return std::nullopt;
    const std::uint32_t bits = le32(b, 21);
    return Picture{"image/webp", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1};
  }
  if (chunk == "VP8X") return Picture{"image/webp", le24(b, 24) + 1, le24(b, 27) + 1};
  return std::nullopt;
}

std::string size_text(std::int64_t bytes) {
  constexpr std::int64_t kMB = 1024 * 1024;
  if (bytes >= kMB && bytes % kMB == 0) return std::to_string(bytes / kMB) + " MB";
  return std::to_string(bytes / 1024) + " KB";
}

}  // namespace

std::optional<Picture> read_picture(std::string_view bytes) {
  if (auto p = png(bytes)) return p;
  if (auto p = jpeg(bytes)) return p;
  return webp(bytes);
}

Result<Picture> check_picture(std::string_view bytes, const PictureLimits& limits) {
  if (bytes.empty()) return Error::make("files.empty", 400);
  if (static_cast<std::int64_t>(bytes.size()) > limits.max_size)
    return Error::make("files.too_large", 413, size_text(limits.max_size));
  const auto detected = detect_mime(bytes);
  if (detected != "image/png" && detected != "image/jpeg" && detected != "image/webp")
    return Error::make("files.type_not_allowed", 415, detected);
  auto p = read_picture(bytes);
  if (!p || p->mime_type != detected) return Error::make("files.picture", 400, detected);
  if (p->width == 0 || p->height == 0 || p->width > limits.max_side || p->height > limits.max_side)
    return Error::make("files.picture", 400, std::to_string(p->width) + "x" + std::to_string(p->height));
  return *p;
}

Limits picture_file_limits(const PictureLimits& limits) {
  Limits l;
  l.max_size = limits.max_size;
  l.allowed_types = {"image/png", "image/jpeg", "image/webp"};
  l.keep_active_content = false;
  return l;
}

}  // namespace sp::files
