#pragma once
// Pictures people upload to be shown on pages (a body's logo, a tourist item's picture): PNG, JPEG or
// WebP, recognised by their content and with dimensions their own header declares. Never SVG (it can
// carry scripts), never what the browser said the file was or called it.
//
// Error codes: files.empty (400), files.too_large (413; detail: the limit, e.g. "1 MB"),
// files.type_not_allowed (415; detail: the type read from the content, e.g. "image/svg+xml"),
// files.picture (400; detail: why, e.g. "0x0" or "20000x30" when the dimensions are missing, zero or
// beyond the limit). Callers set Error::field to their form field.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "files/model.hpp"

namespace sp::files {

struct Picture {
  std::string mime_type;  // image/png, image/jpeg or image/webp
  std::uint32_t width = 0;
  std::uint32_t height = 0;
};

// The picture's type and dimensions from its header (PNG's IHDR, JPEG's first SOFn frame header,
// WebP's VP8, VP8L or VP8X chunk); nullopt when the bytes are none of the three or the header is cut
// short. Reads only the header: it does not prove the rest decodes.
std::optional<Picture> read_picture(std::string_view bytes);

struct PictureLimits {
  std::int64_t max_size = 2 * 1024 * 1024;  // bytes
  std::uint32_t max_side = 10000;           // pixels, each of width and height
};

// An upload checked as a picture: not empty, within the size, a PNG, JPEG or WebP by libmagic (an SVG,
// HTML or anything else is files.type_not_allowed), and its header's dimensions readable and within the
// limit.
Result<Picture> check_picture(std::string_view bytes, const PictureLimits& limits);

// The FileService::put limits that go with it (the same types and size; active content refused).
Limits picture_file_limits(const PictureLimits& limits);

}  // namespace sp::files
