#include "appio_swagger.hpp"

#include <yaml.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <regex>
#include <stdexcept>

#include "support/testing.hpp"

namespace sp::testing::appio {
namespace {

namespace json = boost::json;

json::value scalar_value(const yaml_node_t* n) {
  const std::string text(reinterpret_cast<const char*>(n->data.scalar.value), n->data.scalar.length);
  if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return json::value(text);
  if (text == "true") return json::value(true);
  if (text == "false") return json::value(false);
  if (text == "null" || text == "~") return json::value(nullptr);
  static const std::regex integer("^-?[0-9]+$");
  if (std::regex_match(text, integer) && text.size() < 19) return json::value(std::stoll(text));
  return json::value(text);
}

json::value convert(yaml_document_t* doc, yaml_node_t* n, int depth) {
  if (n == nullptr || depth > 200) throw std::runtime_error("YAML: bad node");
  switch (n->type) {
    case YAML_SCALAR_NODE:
      return scalar_value(n);
    case YAML_SEQUENCE_NODE: {
      json::array a;
      for (auto* i = n->data.sequence.items.start; i < n->data.sequence.items.top; ++i)
        a.push_back(convert(doc, yaml_document_get_node(doc, *i), depth + 1));
      return a;
    }
    case YAML_MAPPING_NODE: {
      json::object o;
      for (auto* p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; ++p) {
        auto* k = yaml_document_get_node(doc, p->key);
        if (k == nullptr || k->type != YAML_SCALAR_NODE) throw std::runtime_error("YAML: non-scalar key");
        const std::string key(reinterpret_cast<const char*>(k->data.scalar.value), k->data.scalar.length);
        o[key] = convert(doc, yaml_document_get_node(doc, p->value), depth + 1);
      }
      return o;
    }
    default:
      return nullptr;
  }
}

std::string unescape(std::string s) {
  for (std::size_t i; (i = s.find("~1")) != std::string::npos;) s.replace(i, 2, "/");
  for (std::size_t i; (i = s.find("~0")) != std::string::npos;) s.replace(i, 2, "~");
  return s;
}

std::string type_of(const json::value& v) {
  if (v.is_null()) return "null";
  if (v.is_bool()) return "boolean";
  if (v.is_int64() || v.is_uint64()) return "integer";
  if (v.is_double()) return "number";
  if (v.is_string()) return "string";
  if (v.is_array()) return "array";
  return "object";
}

// JSON Schema lengths as IO's (JavaScript) validators count them: UTF-16 code units.
std::int64_t js_length(const std::string& s) {
  std::int64_t n = 0;
  for (unsigned char c : s) {
    if (c < 0x80 || c >= 0xC0) ++n;  // a character starts here
    if (c >= 0xF0) ++n;              // four bytes: a surrogate pair in UTF-16
  }
  return n;
}

double number(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.as_int64());
  if (v.is_uint64()) return static_cast<double>(v.as_uint64());
  return v.is_double() ? v.as_double() : 0;
}

}  // namespace

json::value load_yaml(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) throw std::runtime_error("cannot open " + path);
  yaml_parser_t parser;
  yaml_document_t doc;
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_file(&parser, f.get());
  if (yaml_parser_load(&parser, &doc) == 0) {
    yaml_parser_delete(&parser);
    throw std::runtime_error("YAML parse error in " + path);
  }
  json::value out;
  try {
    out = convert(&doc, yaml_document_get_root_node(&doc), 0);
  } catch (...) {
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    throw;
  }
  yaml_document_delete(&doc);
  yaml_parser_delete(&parser);
  return out;
}

std::string api_file() {
  if (const char* env = std::getenv("SPORTELLO_APPIO_API")) return env;
  return (std::filesystem::path(sp::testing::source_dir()) / ".." / "shared" / "appio" / "services-api.yaml")
      .lexically_normal()
      .string();
}

const json::value& Swagger::at(const std::string& ref) const {
  std::string p = ref.rfind("#/", 0) == 0 ? ref.substr(1) : ref;
  const json::value* node = &doc_;
  std::size_t start = 1;
  while (start <= p.size()) {
    auto end = p.find('/', start);
    if (end == std::string::npos) end = p.size();
    const std::string key = unescape(p.substr(start, end - start));
    if (!node->is_object() || !node->as_object().contains(key)) throw std::runtime_error("no " + ref);
    node = &node->as_object().at(key);
    start = end + 1;
  }
  return *node;
}

const json::value& Swagger::resolve(const json::value& schema) const {
  const json::value* s = &schema;
  for (int i = 0; i < 32 && s->is_object() && s->as_object().contains("$ref"); ++i)
    s = &at(std::string(s->as_object().at("$ref").as_string()));
  return *s;
}

const json::value* Swagger::response_schema(const std::string& path, const std::string& method,
                                            int status) const {
  const auto& responses = at("/paths/" + [&] {
    std::string e;
    for (char c : path) e += c == '/' ? std::string("~1") : std::string(1, c);
    return e;
  }() + "/" + method + "/responses");
  const auto* r = responses.as_object().if_contains(std::to_string(status));
  if (r == nullptr)
    throw std::runtime_error(method + " " + path + ": status " + std::to_string(status) + " not documented");
  return r->as_object().if_contains("schema");
}

std::vector<std::string> Swagger::validate(const json::value& schema_in, const json::value& v,
                                           const std::string& where) const {
  std::vector<std::string> errors;
  const auto& schema = resolve(schema_in);
  if (!schema.is_object()) return errors;
  const auto& s = schema.as_object();
  auto add = [&](const std::vector<std::string>& more) {
    errors.insert(errors.end(), more.begin(), more.end());
  };
  if (const auto* all = s.if_contains("allOf"))
    for (const auto& sub : all->as_array()) add(validate(sub, v, where));
  if (const auto* t = s.if_contains("type")) {
    const std::string want(t->as_string());
    const std::string got = type_of(v);
    if (!(want == got || (want == "number" && got == "integer"))) {
      errors.push_back(where + ": " + got + " is not " + want);
      return errors;
    }
  }
  if (v.is_object()) {
    const auto& o = v.as_object();
    if (const auto* req = s.if_contains("required"))
      for (const auto& r : req->as_array())
        if (!o.contains(r.as_string()))
          errors.push_back(where + ": " + std::string(r.as_string()) + " is required");
    if (const auto* props = s.if_contains("properties"))
      for (const auto& [k, sub] : props->as_object())
        if (const auto* pv = o.if_contains(k)) add(validate(sub, *pv, where + "." + std::string(k)));
  }
  if (v.is_array()) {
    if (const auto* items = s.if_contains("items"))
      for (std::size_t i = 0; i < v.as_array().size(); ++i)
        add(validate(*items, v.as_array()[i], where + "[" + std::to_string(i) + "]"));
  }
  if (v.is_string()) {
    const std::string str(v.as_string());
    const auto len = js_length(str);
    if (const auto* m = s.if_contains("minLength"); m && len < m->as_int64())
      errors.push_back(where + ": shorter than " + std::to_string(m->as_int64()));
    if (const auto* m = s.if_contains("maxLength"); m && len > m->as_int64())
      errors.push_back(where + ": longer than " + std::to_string(m->as_int64()));
    if (const auto* p = s.if_contains("pattern");
        p && !std::regex_search(str, std::regex(std::string(p->as_string()))))
      errors.push_back(where + ": does not match " + std::string(p->as_string()));
  }
  if (v.is_number()) {
    if (const auto* m = s.if_contains("minimum"); m && number(v) < number(*m))
      errors.push_back(where + ": below the minimum");
    if (const auto* m = s.if_contains("maximum"); m && number(v) > number(*m))
      errors.push_back(where + ": above the maximum");
  }
  return errors;
}

}  // namespace sp::testing::appio
