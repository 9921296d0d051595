#pragma once
// Test support: App IO's Swagger (../shared/appio/services-api.yaml, read as it is, never copied) loaded
// with libyaml into JSON, and a validator for the part of JSON Schema that file uses ($ref, allOf, type,
// required, properties, items, minLength/maxLength, minimum/maximum, pattern).
#include <boost/json.hpp>
#include <string>
#include <vector>

namespace sp::testing::appio {

// The YAML file as JSON (plain scalars that read as integers or booleans become those). Throws on error.
boost::json::value load_yaml(const std::string& path);

class Swagger {
 public:
  explicit Swagger(const std::string& path) : doc_(load_yaml(path)) {}
  // "#/definitions/NewMessage" or a path into the document ("/paths/~1messages/post/...").
  [[nodiscard]] const boost::json::value& at(const std::string& ref) const;
  // The schema of an operation's response: paths[path][method].responses[status].schema (null if none).
  [[nodiscard]] const boost::json::value* response_schema(const std::string& path, const std::string& method,
                                                          int status) const;
  // "where: what" for each violation; empty when `value` matches.
  [[nodiscard]] std::vector<std::string> validate(const boost::json::value& schema,
                                                  const boost::json::value& value,
                                                  const std::string& where = "$") const;
  [[nodiscard]] const boost::json::value& doc() const { return doc_; }

 private:
  [[nodiscard]] const boost::json::value& resolve(const boost::json::value& schema) const;
  boost::json::value doc_;
};

// The default location: ../shared/appio/services-api.yaml from the source tree (or SPORTELLO_APPIO_API).
std::string api_file();

}  // namespace sp::testing::appio
