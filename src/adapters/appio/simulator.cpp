#include "adapters/appio/simulator.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <fstream>
#include <optional>
#include <sstream>
#include <tuple>

#include "adapters/appio/wire.hpp"
#include "adapters/http_client.hpp"
#include "core/digest.hpp"
#include "core/time.hpp"

namespace sp::appio {
namespace {

namespace json = boost::json;

http::Response problem(int status, std::string_view title, std::string_view detail = {}) {
  json::object o;
  o["type"] = "about:blank";
  o["title"] = title;
  o["status"] = status;
  if (!detail.empty()) o["detail"] = detail;
  auto r = http::Response::json(json::serialize(o), status);
  r.content_type = "application/problem+json";
  return r;
}

std::optional<json::value> read_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  boost::system::error_code ec;
  auto v = json::parse(ss.str(), ec);
  if (ec) return std::nullopt;
  return v;
}

std::string str(const json::object& o, const char* k) {
  const auto* p = o.if_contains(k);
  return p != nullptr && p->is_string() ? std::string(p->as_string()) : std::string();
}

// IO's ids are ULIDs: 26 Crockford base-32 characters; here a counter under a fixed prefix.
std::string sim_id(std::uint64_t n) {
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  std::string id = "01SIMAPPIO";
  std::string tail(16, '0');
  for (int i = 15; i >= 0 && n > 0; --i, n /= 32) tail[static_cast<std::size_t>(i)] = kAlphabet[n % 32];
  return id + tail;
}

}  // namespace

void Simulator::add_service(const std::string& key, const std::string& name) {
  std::lock_guard lock(mutex_);
  services_[key] = name;
}

void Simulator::add_profile(const std::string& fiscal_code) {
  std::lock_guard lock(mutex_);
  profiles_.insert(fiscal_code);
}

void Simulator::opt_out(const std::string& fiscal_code, const std::string& service) {
  std::lock_guard lock(mutex_);
  opted_out_.emplace(fiscal_code, service);
}

Status Simulator::load_profiles(const std::string& identities_file, const std::string& appio_file) {
  auto ids = read_json_file(identities_file);
  if (!ids || !ids->is_object() || !ids->as_object().contains("identities"))
    return Error::make("appio.sim", 500, identities_file);
  std::set<std::string> absent;
  std::vector<std::string> opted;
  if (auto a = read_json_file(appio_file); a && a->is_object()) {
    if (const auto* n = a->as_object().if_contains("not_on_io"); n != nullptr && n->is_array())
      for (const auto& v : n->as_array())
        if (v.is_string()) absent.insert(std::string(v.as_string()));
    if (const auto* o = a->as_object().if_contains("opted_out"); o != nullptr && o->is_array())
      for (const auto& v : o->as_array())
        if (v.is_string()) opted.emplace_back(v.as_string());
  } else {
    return Error::make("appio.sim", 500, appio_file);
  }
  for (const auto& v : ids->as_object().at("identities").as_array()) {
    if (!v.is_object()) continue;
    auto cf = str(v.as_object(), "fiscal_number");
    if (!cf.empty() && !absent.contains(cf)) add_profile(cf);
  }
  for (const auto& cf : opted) opt_out(cf);
  return Ok{};
}

void Simulator::throttle_every(int n, int retry_after_s) {
  std::lock_guard lock(mutex_);
  throttle_every_ = std::max(0, n);
  retry_after_s_ = std::max(0, retry_after_s);
  since_throttle_ = 0;
}

void Simulator::fail(int status, int times) {
  std::lock_guard lock(mutex_);
  fail_status_ = status;
  fail_times_ = times;
}

void Simulator::register_routes(http::Router& router, const std::string& prefix) {
  const std::string api = prefix + "/api/v1";
  router.get(api + "/profiles/{fiscal_code}", [this](http::Request& r) { return handle_profile(r); });
  router.post(api + "/messages", [this](http::Request& r) { return handle_submit(r); });
  router.get(api + "/messages/{fiscal_code}/{id}",
             [this](http::Request& r) { return handle_get_message(r); });
  router.get(prefix + "/received", [this](http::Request& r) { return handle_received(r); });
}

void Simulator::register_open_route(http::Router& router, const std::string& prefix) {
  router.post(prefix + "/received/{id}/open", [this](http::Request& r) { return handle_open(r); });
}

std::optional<http::Response> Simulator::gate(const http::Request& req, std::string& service) {
  std::lock_guard lock(mutex_);
  ++calls_;
  if (fail_times_ != 0) {
    if (fail_times_ > 0) --fail_times_;
    return problem(fail_status_, "Simulated failure");
  }
  if (throttle_every_ > 0 && ++since_throttle_ >= throttle_every_) {
    since_throttle_ = 0;
    ++throttled_;
    auto r = http::Response::json(R"({"statusCode":429,"message":"Rate limit is exceeded."})", 429);
    r.header("Retry-After", std::to_string(retry_after_s_));
    return r;
  }
  const std::string* key = req.header("ocp-apim-subscription-key");
  if (key != nullptr) {
    for (const auto& [k, name] : services_) {
      if (digest::equal_constant_time(*key, k)) {
        service = name;
        return std::nullopt;
      }
    }
  }
  // API Management's answer to a missing or wrong key.
  return http::Response::json(
      R"({"statusCode":401,"message":"Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API."})",
      401);
}

bool Simulator::allowed(const std::string& fiscal_code, const std::string& service) const {
  return !opted_out_.contains({fiscal_code, "*"}) && !opted_out_.contains({fiscal_code, service});
}

http::Response Simulator::handle_profile(const http::Request& req) {
  std::string service;
  if (auto g = gate(req, service)) return std::move(*g);
  const std::string cf = req.param("fiscal_code");
  std::lock_guard lock(mutex_);
  lookups_.push_back(service + ":" + cf);
  if (!profiles_.contains(cf))
    return problem(404, "Profile not found", "No user found for the provided fiscal code");
  json::object o;
  o["sender_allowed"] = allowed(cf, service);
  o["preferred_languages"] = json::array{"it_IT"};
  return http::Response::json(json::serialize(o));
}

http::Response Simulator::handle_submit(const http::Request& req) {
  std::string service;
  if (auto g = gate(req, service)) return std::move(*g);
  boost::system::error_code ec;
  auto v = json::parse(req.body, ec);
  if (ec || !v.is_object()) return problem(400, "Invalid payload", "the body is not a JSON object");
  const auto& o = v.as_object();
  const auto* content = o.if_contains("content");
  if (content == nullptr || !content->is_object())
    return problem(400, "Invalid payload", "content is required");
  const auto& c = content->as_object();
  const std::string cf = str(o, "fiscal_code");
  if (cf.empty()) return problem(400, "Invalid payload", "fiscal_code is required");
  json::object rest = c;
  rest.erase("subject");
  rest.erase("markdown");
  auto checked = check_message(cf, str(c, "subject"), str(c, "markdown"), json::serialize(rest));
  if (!checked) return problem(400, "Invalid payload", checked.error().code + " " + checked.error().detail);
  if (const auto* pd = c.if_contains("payment_data"); pd != nullptr && !pd->as_object().contains("payee"))
    return problem(400, "Invalid payload", "payment_data.payee is required");
  std::string third_party_id, configuration_id, has_precondition;
  if (const auto* tp = c.if_contains("third_party_data")) {
    // ThirdPartyData: id required; attachments are a premium feature (feature_level_type ADVANCED); the
    // configuration must be one of the sending service's.
    const auto* tpo = tp->if_object();
    if (tpo == nullptr || str(*tpo, "id").empty())
      return problem(400, "Invalid payload", "third_party_data.id is required");
    third_party_id = str(*tpo, "id");
    configuration_id = str(*tpo, "configuration_id");
    has_precondition = str(*tpo, "has_precondition");
    if (!has_precondition.empty() && has_precondition != "ALWAYS" && has_precondition != "ONCE" &&
        has_precondition != "NEVER")
      return problem(400, "Invalid payload", "third_party_data.has_precondition: ALWAYS, ONCE or NEVER");
    const auto* att = tpo->if_contains("has_attachments");
    if (att != nullptr && att->is_bool() && att->as_bool() && str(o, "feature_level_type") != "ADVANCED")
      return problem(400, "Invalid payload", "attachments need feature_level_type ADVANCED");
    std::lock_guard lock(mutex_);
    auto rc = remote_.find(configuration_id);
    if (rc == remote_.end() || rc->second.service != service)
      return problem(400, "Invalid payload", "unknown remote configuration for this service");
  }
  ReceivedMessage m;
  {
    std::lock_guard lock(mutex_);
    if (!profiles_.contains(cf) || !allowed(cf, service))
      return problem(500, "The message cannot be delivered", "recipient not found or not allowed");
    m.id = sim_id(next_id_++);
    m.service = service;
    m.fiscal_code = cf;
    m.subject = str(c, "subject");
    m.markdown = str(c, "markdown");
    m.body = req.body;
    m.third_party_id = third_party_id;
    m.configuration_id = configuration_id;
    m.has_precondition = has_precondition;
    if (const std::string* k = req.header("idempotency-key")) m.idempotency_key = *k;
    m.received_at = time::format_iso_utc_millis(std::chrono::system_clock::now());
    received_.push_back(m);
    if (!m.idempotency_key.empty()) ++by_key_[m.idempotency_key];
  }
  cv_.notify_all();
  json::object out;
  out["id"] = m.id;
  auto r = http::Response::json(json::serialize(out), 201);
  r.header("Location", "/api/v1/messages/" + cf + "/" + m.id);
  return r;
}

void Simulator::add_remote_configuration(const std::string& configuration_id, RemoteConfiguration c) {
  std::lock_guard lock(mutex_);
  remote_[configuration_id] = std::move(c);
}

Result<OpenedMessage> Simulator::open(const std::string& io_message_id, const std::string& fiscal_code) {
  RemoteConfiguration rc;
  std::string third_party_id, cf;
  bool precondition = false;
  {
    std::lock_guard lock(mutex_);
    auto m = std::find_if(received_.begin(), received_.end(),
                          [&](const ReceivedMessage& r) { return r.id == io_message_id; });
    if (m == received_.end() || m->third_party_id.empty())
      return Error::make("not_found", 404, io_message_id);
    auto c = remote_.find(m->configuration_id);
    if (c == remote_.end()) return Error::make("appio.sim", 500, "no remote configuration");
    rc = c->second;
    third_party_id = m->third_party_id;
    cf = fiscal_code.empty() ? m->fiscal_code : fiscal_code;
    precondition = m->has_precondition == "ALWAYS" || m->has_precondition == "ONCE";
  }
  return fetch_remote(rc, third_party_id, cf, precondition);
}

std::map<std::string, RemoteConfiguration> Simulator::remote_configurations() const {
  std::lock_guard lock(mutex_);
  return remote_;
}

Result<OpenedMessage> Simulator::fetch_remote(const RemoteConfiguration& c, const std::string& third_party_id,
                                              const std::string& fiscal_code, bool precondition) {
  adapters::HttpClient http;
  const adapters::HttpHeaders headers{{"fiscal_code", fiscal_code}, {c.header_name, c.key}};
  const std::string base = c.base_url + "/messages/" + third_party_id;
  OpenedMessage out;
  if (precondition) {
    auto pre = http.get(base + "/precondition", headers);
    if (!pre) return pre.error();
    out.precondition_status = pre->status;
    if (pre->status != 200) {
      out.raw = pre->body;
      return out;
    }
    boost::system::error_code ec;
    auto v = json::parse(pre->body, ec);
    if (ec || !v.is_object()) return Error::make("appio.answer", 502, "precondition: not a JSON object");
    out.precondition_title = str(v.as_object(), "title");
    out.precondition_markdown = str(v.as_object(), "markdown");
    if (out.precondition_title.empty() || out.precondition_markdown.empty())
      return Error::make("appio.answer", 502, "precondition: title and markdown are required");
  }
  auto details = http.get(base, headers);
  if (!details) return details.error();
  out.status = details->status;
  out.raw = details->body;
  if (details->status != 200) return out;
  boost::system::error_code ec;
  auto v = json::parse(details->body, ec);
  if (ec || !v.is_object()) return Error::make("appio.answer", 502, "details: not a JSON object");
  const auto& o = v.as_object();
  if (const auto* d = o.if_contains("details"); d != nullptr && d->is_object()) {
    out.subject = str(d->as_object(), "subject");
    out.markdown = str(d->as_object(), "markdown");
  }
  if (const auto* a = o.if_contains("attachments"); a != nullptr && a->is_array()) {
    for (const auto& item : a->as_array()) {
      if (!item.is_object()) continue;
      OpenedMessage::Attachment at{str(item.as_object(), "name"), str(item.as_object(), "url"), 0, {}};
      auto got = http.get(base + "/" + at.url, headers);
      if (!got) return got.error();
      at.status = got->status;
      at.bytes = std::move(got->body);
      out.attachments.push_back(std::move(at));
    }
  }
  return out;
}

http::Response Simulator::handle_get_message(const http::Request& req) {
  std::string service;
  if (auto g = gate(req, service)) return std::move(*g);
  std::lock_guard lock(mutex_);
  for (const auto& m : received_) {
    if (m.id == req.param("id") && m.fiscal_code == req.param("fiscal_code") && m.service == service) {
      boost::system::error_code ec;
      json::object message;
      message["id"] = m.id;
      message["fiscal_code"] = m.fiscal_code;
      message["created_at"] = m.received_at;
      auto sent = json::parse(m.body, ec);
      if (!ec && sent.is_object() && sent.as_object().contains("content"))
        message["content"] = sent.as_object().at("content");
      message["sender_service_id"] = m.service;
      json::object out;
      out["message"] = std::move(message);
      out["status"] = "PROCESSED";
      return http::Response::json(json::serialize(out));
    }
  }
  return problem(404, "Message not found");
}

http::Response Simulator::handle_received(const http::Request& /*req*/) const {
  json::array a;
  for (const auto& m : messages()) {
    a.push_back(json::object{{"id", m.id},
                             {"service", m.service},
                             {"fiscal_code", m.fiscal_code},
                             {"subject", m.subject},
                             {"markdown", m.markdown},
                             {"idempotency_key", m.idempotency_key},
                             {"received_at", m.received_at}});
  }
  json::object out;
  out["messages"] = std::move(a);
  {
    std::lock_guard lock(mutex_);
    json::object keys;
    for (const auto& [k, n] : by_key_) keys[k] = n;
    out["per_key"] = std::move(keys);
    out["calls"] = calls_;
    out["throttled"] = throttled_;
  }
  return http::Response::json(json::serialize(out));
}

http::Response Simulator::handle_open(const http::Request& req) {
  auto opened = open(req.param("id"));
  if (!opened)
    return problem(opened.error().code == "not_found" ? 404 : 502, "Cannot open the message",
                   opened.error().code + " " + opened.error().detail);
  json::object out;
  if (opened->precondition_status != 0)
    out["precondition"] = json::object{{"status", opened->precondition_status},
                                       {"title", opened->precondition_title},
                                       {"markdown", opened->precondition_markdown}};
  out["status"] = opened->status;
  out["subject"] = opened->subject;
  out["markdown"] = opened->markdown;
  json::array a;
  for (const auto& at : opened->attachments)
    a.push_back(json::object{{"name", at.name},
                             {"status", at.status},
                             {"size", at.bytes.size()},
                             {"sha256", digest::sha256_hex(at.bytes)}});
  out["attachments"] = std::move(a);
  return http::Response::json(json::serialize(out));
}

std::vector<ReceivedMessage> Simulator::messages() const {
  std::lock_guard lock(mutex_);
  return received_;
}

std::size_t Simulator::count() const {
  std::lock_guard lock(mutex_);
  return received_.size();
}

int Simulator::count_for_key(const std::string& idempotency_key) const {
  std::lock_guard lock(mutex_);
  auto it = by_key_.find(idempotency_key);
  return it == by_key_.end() ? 0 : it->second;
}

int Simulator::calls() const {
  std::lock_guard lock(mutex_);
  return calls_;
}

int Simulator::throttled() const {
  std::lock_guard lock(mutex_);
  return throttled_;
}

std::vector<std::string> Simulator::profile_lookups() const {
  std::lock_guard lock(mutex_);
  return lookups_;
}

bool Simulator::wait_for(std::size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return cv_.wait_for(lock, timeout, [&] { return received_.size() >= n; });
}

void Simulator::clear() {
  std::lock_guard lock(mutex_);
  received_.clear();
  by_key_.clear();
  lookups_.clear();
  calls_ = throttled_ = 0;
}

}  // namespace sp::appio

#include <cstdio>

#include "http/server.hpp"

namespace sp::appio {

Result<std::pair<std::string, RemoteConfiguration>> parse_remote_configuration(
    const std::vector<std::string>& v) {
  if (v.size() != 4)
    return Error::make("appio.sim", 400, "4 values expected, " + std::to_string(v.size()) + " given");
  const auto& [id, name, base, secret] = std::tie(v[0], v[1], v[2], v[3]);
  if (id.empty() || name.empty() || secret.empty()) return Error::make("appio.sim", 400, "empty value");
  if (!base.starts_with("http://") && !base.starts_with("https://"))
    return Error::make("appio.sim", 400, "BASE_URL: http(s)://…/inbound/SLUG/io");
  std::string trimmed = base;
  while (trimmed.ends_with('/')) trimmed.pop_back();
  const std::string bearer = secret.starts_with("Bearer ") ? secret : "Bearer " + secret;
  return std::pair{id, RemoteConfiguration{name, trimmed, "Authorization", bearer}};
}

int run_simulator(const SimulatorRun& run) {
  try {
    Simulator sim;
    if (auto s = sim.load_profiles(run.identities_file, run.appio_file); !s) {
      std::fprintf(stderr, "sim appio: %s %s\n", s.error().code.c_str(), s.error().detail.c_str());
      return 1;
    }
    for (const auto& [key, name] : run.services) sim.add_service(key, name);
    for (const auto& [id, conf] : run.remote) sim.add_remote_configuration(id, conf);
    sim.throttle_every(run.throttle_every, run.retry_after_s);
    http::Router router;
    sim.register_routes(router, "");
    sim.register_open_route(router, "");
    http::ServerOptions so;
    so.port = run.port;
    so.threads = 2;
    http::Server server(so, router);
    server.listen();
    std::printf(
        "App IO simulator listening on http://localhost:%u/api/v1 (%zu service(s); received: /received)\n",
        static_cast<unsigned>(server.port()), run.services.size());
    for (const auto& [id, conf] : run.remote)
      std::printf("  remote configuration %s of %s: calls back %s/messages/{id}\n", id.c_str(),
                  conf.service.c_str(), conf.base_url.c_str());
    std::fflush(stdout);
    server.stop_on_signals();
    server.run();
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sim appio: %s\n", e.what());
    return 1;
  }
}

}  // namespace sp::appio
