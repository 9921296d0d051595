// multipart/form-data with GMime. GMime parses a stream made of "Content-Type: <the request's
// header>\r\n\r\n" followed by the body, as it would a MIME entity; we walk the parts of the
// GMimeMultipart it builds. Two cheap checks run before GMime sees the body, because GMime is lenient
// by design (it is a mail parser): the part count, so a body of a million tiny parts is refused without
// building a million objects, and the closing delimiter, so a truncated upload is refused instead of
// being taken as a shorter file.
#include "http/multipart.hpp"

#include <gmime/gmime.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>

#include "http/message.hpp"

namespace sp::http {
namespace {

constexpr std::string_view kCode = "http.multipart";

Error bad(std::string detail) {
  return Error::make(std::string(kCode), 400, std::move(detail));
}

// GMime keeps global state (charset tables, the type registry) that g_mime_init() sets up; it must run
// once before any other call, from whichever thread gets here first. We never call g_mime_shutdown():
// request threads may still be parsing while the process exits, and what g_mime_init() allocates stays
// reachable from GMime's and GLib's globals, so LeakSanitizer does not count it as leaked.
void ensure_gmime() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

struct GObjectUnref {
  void operator()(gpointer p) const {
    if (p) g_object_unref(p);
  }
};
template <class T>
using GPtr = std::unique_ptr<T, GObjectUnref>;

struct OptionsFree {
  void operator()(GMimeParserOptions* p) const { g_mime_parser_options_free(p); }
};

struct GFree {
  void operator()(gpointer p) const { g_free(p); }
};

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Where a delimiter line ("--" boundary at the start of a line, then "--" for the closing one, or
// optional blanks and a line break) begins in `s` at or after `from`; npos when there is none.
struct Delimiter {
  std::size_t pos = std::string_view::npos;
  bool closing = false;
};
Delimiter find_delimiter(std::string_view s, std::string_view delimiter, std::size_t from) {
  for (std::size_t pos = s.find(delimiter, from); pos != std::string_view::npos;
       pos = s.find(delimiter, pos + 1)) {
    if (pos != 0 && s[pos - 1] != '\n') continue;
    std::string_view rest = s.substr(pos + delimiter.size());
    if (rest.substr(0, 2) == "--") return {pos, true};
    std::size_t i = 0;
    while (i < rest.size() && (rest[i] == ' ' || rest[i] == '\t')) ++i;
    if (i == rest.size() || rest[i] == '\n' || rest.substr(i, 2) == "\r\n") return {pos, false};
  }
  return {};
}

// Browsers write '"', CR and LF in field and file names as %22, %0D and %0A (HTML, "multipart/form-data
// encoding algorithm"); nothing else is escaped, so only these three are decoded back.
std::string html_name_unescape(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size()) {
      std::string_view esc = in.substr(i, 3);
      if (iequals(esc, "%22")) {
        out += '"';
        i += 2;
        continue;
      }
      if (iequals(esc, "%0D")) {
        out += '\r';
        i += 2;
        continue;
      }
      if (iequals(esc, "%0A")) {
        out += '\n';
        i += 2;
        continue;
      }
    }
    out += in[i];
  }
  return out;
}

// The decoded content of a leaf part. Without a transfer encoding (what browsers send) the bytes are
// read straight from the parser's stream; base64 or quoted-printable, which RFC 7578 deprecates but
// some clients still use, go through GMime's decoder.
std::string leaf_content(GMimePart* part) {
  GMimeDataWrapper* wrapper = g_mime_part_get_content(part);
  if (wrapper == nullptr) return {};
  std::string out;
  switch (g_mime_data_wrapper_get_encoding(wrapper)) {
    case GMIME_CONTENT_ENCODING_DEFAULT:
    case GMIME_CONTENT_ENCODING_7BIT:
    case GMIME_CONTENT_ENCODING_8BIT:
    case GMIME_CONTENT_ENCODING_BINARY: {
      GMimeStream* src = g_mime_data_wrapper_get_stream(wrapper);
      if (src == nullptr || g_mime_stream_reset(src) != 0) break;
      const gint64 length = g_mime_stream_length(src);
      if (length > 0) out.reserve(static_cast<std::size_t>(length));
      char buf[64 * 1024];
      for (;;) {
        ssize_t n = g_mime_stream_read(src, buf, sizeof buf);
        if (n <= 0) break;
        out.append(buf, static_cast<std::size_t>(n));
      }
      return out;
    }
    default:
      break;
  }
  GPtr<GMimeStream> sink(g_mime_stream_mem_new());
  g_mime_data_wrapper_write_to_stream(wrapper, sink.get());
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(sink.get()));
  if (bytes != nullptr && bytes->len > 0) out.assign(reinterpret_cast<const char*>(bytes->data), bytes->len);
  return out;
}

// The content of a part GMime parsed as a container (message/rfc822, multipart/*), exactly as sent:
// GMime would give back a re-serialised copy (line endings changed), which is not the file the user
// chose. The part's headers start at the offset GMime recorded for its first header and end at the first
// empty line (folded header lines are never empty); the content ends where the next delimiter line's
// line break begins. `stream` is the whole text GMime parsed.
std::optional<std::string> raw_container_content(GMimeObject* part, std::string_view stream,
                                                 std::string_view delimiter) {
  GMimeHeaderList* headers = g_mime_object_get_header_list(part);
  if (headers == nullptr || g_mime_header_list_get_count(headers) == 0) return std::nullopt;
  const gint64 first = g_mime_header_get_offset(g_mime_header_list_get_header_at(headers, 0));
  if (first < 0 || static_cast<std::uint64_t>(first) >= stream.size()) return std::nullopt;
  std::size_t start = std::string_view::npos;
  for (std::size_t p = static_cast<std::size_t>(first);;) {
    std::size_t nl = stream.find('\n', p);
    if (nl == std::string_view::npos) return std::nullopt;
    std::string_view next = stream.substr(nl + 1);
    if (next.substr(0, 2) == "\r\n") {
      start = nl + 3;
      break;
    }
    if (next.substr(0, 1) == "\n") {
      start = nl + 2;
      break;
    }
    p = nl + 1;
  }
  // The line break before a delimiter belongs to the delimiter, so look for it from the line break that
  // ends the empty line: an empty content is followed at once by the delimiter's own line break.
  Delimiter d = find_delimiter(stream, delimiter, start);
  if (d.pos == std::string_view::npos) return std::nullopt;
  std::size_t end = d.pos;
  if (end > start && stream[end - 1] == '\n') --end;
  if (end > start && stream[end - 1] == '\r') --end;
  return std::string(stream.substr(start, end - start));
}

Result<FormPart> read_part(GMimeObject* part, std::size_t index, std::string_view stream,
                           std::string_view delimiter) {
  const std::string where = "part " + std::to_string(index + 1) + ": ";
  GMimeContentDisposition* disposition = g_mime_object_get_content_disposition(part);
  const char* kind = disposition ? g_mime_content_disposition_get_disposition(disposition) : nullptr;
  if (kind == nullptr || !iequals(kind, "form-data")) return bad(where + "no Content-Disposition: form-data");
  const char* name = g_mime_content_disposition_get_parameter(disposition, "name");
  if (name == nullptr || *name == '\0') return bad(where + "no field name");

  FormPart out;
  out.name = html_name_unescape(name);
  if (!valid_utf8(out.name)) return bad(where + "field name is not UTF-8");
  if (const char* filename = g_mime_content_disposition_get_parameter(disposition, "filename")) {
    out.filename = html_name_unescape(filename);
    if (!valid_utf8(*out.filename)) return bad(where + "file name is not UTF-8");
  }
  // GMime reports text/plain, RFC 7578's default, when the part has no Content-Type.
  std::unique_ptr<char, GFree> type(g_mime_content_type_get_mime_type(g_mime_object_get_content_type(part)));
  out.content_type = type ? std::string(type.get()) : std::string("text/plain");

  if (GMIME_IS_PART(part)) {
    out.data = leaf_content(GMIME_PART(part));
  } else {
    auto raw = raw_container_content(part, stream, delimiter);
    if (!raw) return bad(where + "cannot delimit the content");
    out.data = std::move(*raw);
  }
  if (!out.filename && !valid_utf8(out.data))
    return bad(where + "text field '" + out.name + "' is not UTF-8");
  return out;
}

}  // namespace

bool is_multipart_form(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  return iequals(type, "multipart/form-data");
}

Result<MultipartForm> parse_multipart(std::string_view content_type, std::string_view body,
                                      const MultipartLimits& limits) {
  if (!is_multipart_form(content_type)) return bad("Content-Type is not multipart/form-data");
  // The header value goes into a header line of its own making: a line break in it would add headers.
  if (content_type.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) {
    return bad("line break in Content-Type");
  }
  ensure_gmime();
  std::unique_ptr<GMimeParserOptions, OptionsFree> options(g_mime_parser_options_new());

  const std::string header_value(content_type);
  GPtr<GMimeContentType> type(g_mime_content_type_parse(options.get(), header_value.c_str()));
  const char* boundary_param = type ? g_mime_content_type_get_parameter(type.get(), "boundary") : nullptr;
  if (boundary_param == nullptr || *boundary_param == '\0') return bad("no boundary in Content-Type");
  const std::string boundary(boundary_param);
  if (boundary.size() > 70) return bad("boundary longer than 70 characters");  // RFC 2046 section 5.1.1
  const std::string delimiter = "--" + boundary;

  // Count the parts and find the closing delimiter before building anything.
  std::size_t parts = 0;
  bool closed = false;
  for (Delimiter d = find_delimiter(body, delimiter, 0); d.pos != std::string_view::npos;
       d = find_delimiter(body, delimiter, d.pos + delimiter.size())) {
    if (d.closing) {
      closed = true;
      break;
    }
    if (++parts > limits.max_parts) return bad("more than " + std::to_string(limits.max_parts) + " parts");
  }
  if (!closed) return bad("no closing boundary (truncated body?)");

  // GMime reads from its own memory stream; header offsets it records are positions in this text.
  const std::string prefix = "Content-Type: " + header_value + "\r\n\r\n";
  GPtr<GMimeStream> stream(g_mime_stream_mem_new());
  if (g_mime_stream_write(stream.get(), prefix.data(), prefix.size()) !=
          static_cast<ssize_t>(prefix.size()) ||
      g_mime_stream_write(stream.get(), body.data(), body.size()) != static_cast<ssize_t>(body.size())) {
    return Error::internal("cannot buffer the request body");
  }
  g_mime_stream_reset(stream.get());
  GByteArray* stream_bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream.get()));
  const std::string_view whole(reinterpret_cast<const char*>(stream_bytes->data), stream_bytes->len);

  GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  GPtr<GMimeObject> root(g_mime_parser_construct_part(parser.get(), options.get()));
  if (!root || !GMIME_IS_MULTIPART(root.get())) return bad("not a multipart body");
  auto* multipart = GMIME_MULTIPART(root.get());
  const int count = g_mime_multipart_get_count(multipart);
  if (count < 0 || static_cast<std::size_t>(count) > limits.max_parts) {
    return bad("more than " + std::to_string(limits.max_parts) + " parts");
  }

  MultipartForm form;
  form.parts.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    auto part =
        read_part(g_mime_multipart_get_part(multipart, i), static_cast<std::size_t>(i), whole, delimiter);
    if (!part) return part.error();
    form.parts.push_back(std::move(*part));
  }
  return form;
}

std::multimap<std::string, std::string> MultipartForm::fields() const {
  std::multimap<std::string, std::string> out;
  for (const auto& p : parts) {
    if (!p.is_file()) out.emplace(p.name, p.data);
  }
  return out;
}

std::vector<const FormPart*> MultipartForm::files(std::string_view name) const {
  std::vector<const FormPart*> out;
  for (const auto& p : parts) {
    if (!p.is_file() || p.filename->empty()) continue;
    if (!name.empty() && p.name != name) continue;
    out.push_back(&p);
  }
  return out;
}

}  // namespace sp::http
