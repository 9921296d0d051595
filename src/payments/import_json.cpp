#include "payments/import_json.hpp"

#include <boost/json.hpp>

#include "payments/import_gpd.hpp"

namespace sp::payments {
namespace {

Error json_import_error(const std::string& what, std::size_t offset) {
  return Error::make("import.json", 422, what + " at byte " + std::to_string(offset));
}

bool json_space(int c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

}  // namespace

// A scan of the text that keeps only the element being read: depth and string state decide where the
// positions' array is (the top-level array, or the top-level object's "paymentPositions") and where each
// of its elements ends; each element is then parsed on its own by Boost.JSON.
Status read_json_positions(std::istream& in, bool publish, const ImportSink& sink) {
  std::streambuf* buf = in.rdbuf();
  std::size_t offset = 0;
  int depth = 0;
  bool in_string = false, escape = false;
  bool expect_key = false;  // inside the top-level object, a string here is a member's name
  bool key_string = false;
  std::string key;
  int array_depth = -1;  // depth inside the positions' array, once found
  bool collecting = false;
  std::string element;
  std::size_t index = 0;
  bool seen_top = false, array_done = false;
  for (int c = buf->sbumpc(); c != EOF; c = buf->sbumpc(), ++offset) {
    if (offset == 0 && c == 0xEF) {  // a UTF-8 byte order mark
      buf->sbumpc();
      buf->sbumpc();
      offset += 2;
      continue;
    }
    const char ch = static_cast<char>(c);
    if (collecting) {
      if (element.size() >= kJsonMaxElement) return json_import_error("position too large", offset);
      element += ch;
    }
    if (in_string) {
      if (escape) {
        escape = false;
      } else if (ch == '\\') {
        escape = true;
      } else if (ch == '"') {
        in_string = false;
        if (key_string) {
          key_string = false;
          expect_key = false;
        }
      } else if (key_string) {
        key += ch;
      }
      continue;
    }
    if (json_space(c)) continue;
    if (!seen_top) {
      seen_top = true;
      if (ch == '[') {
        depth = 1;
        array_depth = 1;
        continue;
      }
      if (ch != '{') return json_import_error("not an array or an object", offset);
      depth = 1;
      expect_key = true;
      continue;
    }
    if (array_done && depth == 0) return json_import_error("text after the end", offset);
    if (depth == array_depth && !collecting && ch != ',' && ch != ']') {
      if (ch != '{') return json_import_error("a position is not an object", offset);
      collecting = true;
      element.assign(1, ch);
    }
    switch (ch) {
      case '"':
        in_string = true;
        if (depth == 1 && expect_key && array_depth < 0) {
          key_string = true;
          key.clear();
        }
        break;
      case '{':
        ++depth;
        break;
      case '[':
        ++depth;
        if (depth == 2 && array_depth < 0 && !array_done && key == "paymentPositions") array_depth = 2;
        break;
      case '}':
      case ']':
        --depth;
        if (depth < 0) return json_import_error("unbalanced", offset);
        if (collecting && depth == array_depth) {
          collecting = false;
          ++index;
          ImportItem item;
          item.row = index;
          boost::json::error_code ec;
          auto v = boost::json::parse(element, ec);
          if (ec) {
            item.position = Error::make("api.json", 422, ec.message());
            item.error_row = index;
          } else {
            if (auto* o = v.as_object().if_contains("iupd"); o && o->is_string()) item.iupd = o->as_string();
            auto parsed = parse_gpd_position(v, publish);
            if (parsed && parsed->fine) parsed = Error::make("payments.fine", 400, "import");
            if (!parsed) {
              item.position = parsed.error();
              item.error_row = index;
            } else {
              item.options = parsed->position->options.size();
              item.position = std::move(*parsed->position);
            }
          }
          element.clear();
          if (!sink(std::move(item))) return Ok{};
        } else if (depth == array_depth - 1 && array_depth > 0) {
          array_done = true;
          array_depth = -1;
        }
        break;
      case ',':
        if (depth == 1 && array_depth != 1) expect_key = true;
        break;
      default:
        break;
    }
  }
  if (!seen_top) return Error::make("import.empty", 422, "1");
  if (in_string || depth != 0) return json_import_error("unexpected end", offset);
  if (!array_done) return json_import_error("no paymentPositions array", offset);
  return Ok{};
}

}  // namespace sp::payments
