#pragma once
// Routes "METHOD /pattern/{param}/..." to handlers. A segment "{name}" matches one non-empty path
// segment; a final "{name...}" matches the rest of the path. Static segments win over parameters.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http/message.hpp"

namespace sp::http {

class Router {
 public:
  // `pattern` must start with '/'. A pattern ending in '/' matches only paths ending in '/'.
  void add(std::string method, std::string pattern, Handler handler);
  void get(std::string pattern, Handler h) { add("GET", std::move(pattern), std::move(h)); }
  void post(std::string pattern, Handler h) { add("POST", std::move(pattern), std::move(h)); }

  struct Match {
    const Handler* handler = nullptr;
    std::string pattern;
    std::map<std::string, std::string> params;
  };
  // nullopt when no pattern matches the path; a Match with handler == nullptr and `allowed`
  // filled when the path matches but not the method (405).
  struct Lookup {
    std::optional<Match> match;
    std::vector<std::string> allowed;  // methods that would match, for 405 + Allow
  };
  [[nodiscard]] Lookup find(std::string_view method, std::string_view path) const;

  // (method, pattern) of every route, in registration order: for `sportello routes` and the API tests.
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> routes() const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& r : routes_) out.emplace_back(r.method, r.pattern);
    return out;
  }

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    bool trailing_slash = false;
    Handler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace sp::http
