#pragma once
// multipart/form-data request bodies (RFC 7578): what a browser sends for a form with a file input.
// GMime does the MIME parsing (multipart.cpp); this header is plain C++ so handlers do not see GLib.
//
// Errors: code "http.multipart", status 400, for a Content-Type that is not multipart/form-data with a
// boundary, a body without its closing boundary (truncated), more parts than allowed, a part without
// `Content-Disposition: form-data; name="..."`, or a text field, field name or file name that is not
// valid UTF-8. The detail says which, for logs.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace sp::http {

// One part of the body: a text field or a file.
struct FormPart {
  std::string name;                     // the field name (Content-Disposition name="...")
  std::optional<std::string> filename;  // set for file inputs; "" when the user chose no file
  std::string content_type;  // as declared by the client ("text/plain" when absent): never trust it
  std::string data;          // the content, transfer encoding (if any) decoded

  [[nodiscard]] bool is_file() const { return filename.has_value(); }
};

struct MultipartForm {
  std::vector<FormPart> parts;  // in body order

  // Text fields (parts without a filename) as a multimap, like Request::form() gives for urlencoded
  // bodies, so a handler can read both encodings alike.
  [[nodiscard]] std::multimap<std::string, std::string> fields() const;
  // The files a user actually chose: file parts with a non-empty filename, in body order. An empty
  // file input (filename="" and no content, which browsers always send) is left out. With `name`,
  // only that field's files.
  [[nodiscard]] std::vector<const FormPart*> files(std::string_view name = {}) const;
};

struct MultipartLimits {
  std::size_t max_parts = 200;
};

// Parses `body` given the request's Content-Type header value (e.g.
// `multipart/form-data; boundary=----WebKitFormBoundaryx`). Thread-safe; GMime is initialised once.
// Parts that GMime reads as containers (message/rfc822 or multipart/* files, e.g. an .eml upload) come
// back byte for byte as sent, not re-serialised.
Result<MultipartForm> parse_multipart(std::string_view content_type, std::string_view body,
                                      const MultipartLimits& limits = {});

// True when a Content-Type header value names multipart/form-data (parameters ignored).
bool is_multipart_form(std::string_view content_type);

}  // namespace sp::http
