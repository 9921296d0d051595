// Pattern matching for Router. Routes are few (tens), so a linear scan with a specificity rank is both
// simple and fast enough; a trie would only pay off with hundreds of routes.
#include "http/router.hpp"

#include <algorithm>
#include <stdexcept>

namespace sp::http {
namespace {

// Splits "/a/b/" into {"a","b"}; the trailing slash is reported separately by the caller.
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.size() <= 1) return out;
  std::size_t pos = 1;
  std::size_t end = path.back() == '/' ? path.size() - 1 : path.size();
  while (pos <= end) {
    auto next = path.find('/', pos);
    if (next == std::string_view::npos || next > end) next = end;
    out.push_back(path.substr(pos, next - pos));
    pos = next + 1;
  }
  return out;
}

bool is_param(std::string_view seg) {
  return seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
}
bool is_rest(std::string_view seg) {
  return is_param(seg) && seg.size() > 5 && seg.ends_with("...}");
}

// Rank per segment: 0 static, 1 parameter, 2 rest. Lexicographically smaller rank = more specific.
std::vector<int> rank_of(const std::vector<std::string>& segments) {
  std::vector<int> r;
  r.reserve(segments.size());
  for (const auto& s : segments) r.push_back(is_rest(s) ? 2 : is_param(s) ? 1 : 0);
  return r;
}

}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler) {
  if (pattern.empty() || pattern.front() != '/')
    throw std::invalid_argument("route pattern must start with '/'");
  Route r;
  r.method = std::move(method);
  r.trailing_slash = pattern.size() > 1 && pattern.back() == '/';
  for (auto seg : split_path(pattern)) r.segments.emplace_back(seg);
  for (std::size_t i = 0; i < r.segments.size(); ++i) {
    if (is_rest(r.segments[i]) && i + 1 != r.segments.size())
      throw std::invalid_argument("{name...} must be the last segment: " + pattern);
  }
  r.pattern = std::move(pattern);
  r.handler = std::move(handler);
  routes_.push_back(std::move(r));
}

Router::Lookup Router::find(std::string_view method, std::string_view path) const {
  Lookup out;
  if (path.empty() || path.front() != '/') return out;
  const auto parts = split_path(path);
  const bool path_slash = path.size() > 1 && path.back() == '/';

  const Route* best = nullptr;
  std::vector<int> best_rank;
  for (const auto& r : routes_) {
    const auto& segs = r.segments;
    bool rest = !segs.empty() && is_rest(segs.back());
    std::size_t fixed = rest ? segs.size() - 1 : segs.size();
    if (rest ? parts.size() < fixed : parts.size() != fixed) continue;
    if (!rest && r.trailing_slash != path_slash) continue;
    bool ok = true;
    for (std::size_t i = 0; i < fixed && ok; ++i) {
      if (is_param(segs[i]))
        ok = !parts[i].empty();
      else
        ok = segs[i] == parts[i];
    }
    if (!ok) continue;
    if (r.method != method) {
      if (std::find(out.allowed.begin(), out.allowed.end(), r.method) == out.allowed.end())
        out.allowed.push_back(r.method);
      continue;
    }
    auto rank = rank_of(segs);
    if (!best || rank < best_rank) {
      best = &r;
      best_rank = std::move(rank);
    }
  }
  if (!best) {
    if (!out.allowed.empty()) out.match.emplace();  // path exists, method does not: 405
    return out;
  }
  out.allowed.clear();
  Match m;
  m.handler = &best->handler;
  m.pattern = best->pattern;
  const auto& segs = best->segments;
  for (std::size_t i = 0; i < segs.size(); ++i) {
    const auto& s = segs[i];
    if (is_rest(s)) {
      // Everything after the fixed prefix, exactly as in the path (slashes included).
      std::size_t offset = 1;
      for (std::size_t k = 0; k < i; ++k) offset += parts[k].size() + 1;
      std::string value = offset < path.size() ? std::string(path.substr(offset)) : std::string();
      m.params.emplace(s.substr(1, s.size() - 5), std::move(value));
    } else if (is_param(s)) {
      m.params.emplace(s.substr(1, s.size() - 2), std::string(parts[i]));
    }
  }
  out.match = std::move(m);
  return out;
}

}  // namespace sp::http
