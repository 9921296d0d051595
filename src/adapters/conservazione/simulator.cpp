// The simulated conservator (simulator.hpp): the checks, the receipts, the HTTP side and the runners.
#include "adapters/conservazione/simulator.hpp"

#include <boost/json.hpp>
#include <cstdio>
#include <pugixml.hpp>
#include <set>
#include <thread>

#include "core/crypto/encoding.hpp"
#include "core/digest.hpp"
#include "core/time.hpp"
#include "http/message.hpp"
#include "http/multipart.hpp"
#include "http/server.hpp"

namespace sp::conservazione_sim {
namespace {

constexpr const char* kSincroNs = "http://www.uni.com/U3011/sincro/";

// XML text and attribute values (the same five characters as HTML).
std::string xml_escape(const std::string& s) {
  return http::html_escape(s);
}

std::string rejection(const std::string& key,
                      const std::vector<std::pair<std::string, std::string>>& errors) {
  std::string x =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<RapportoVersamento esito=\"RIFIUTATO\" "
      "chiave=\"" +
      xml_escape(key) + "\" data=\"" + time::format_iso_utc(time::system_clock().now()) + "\">\n";
  for (const auto& [code, text] : errors)
    x += "  <Errore codice=\"" + xml_escape(code) + "\">" + xml_escape(text) + "</Errore>\n";
  x += "</RapportoVersamento>\n";
  return x;
}

// A child by local name in the sincro namespace, whatever its prefix.
pugi::xml_node child(pugi::xml_node n, const char* local) {
  for (auto c : n.children()) {
    std::string name = c.name();
    const auto colon = name.find(':');
    if ((colon == std::string::npos ? name : name.substr(colon + 1)) == local) return c;
  }
  return {};
}
std::vector<pugi::xml_node> children(pugi::xml_node n, const char* local) {
  std::vector<pugi::xml_node> out;
  for (auto c : n.children()) {
    std::string name = c.name();
    const auto colon = name.find(':');
    if ((colon == std::string::npos ? name : name.substr(colon + 1)) == local) out.push_back(c);
  }
  return out;
}
std::string attr(pugi::xml_node n, const char* local) {
  for (auto a : n.attributes()) {
    std::string name = a.name();
    const auto colon = name.find(':');
    if ((colon == std::string::npos ? name : name.substr(colon + 1)) == local) return a.value();
  }
  return {};
}

}  // namespace

Answer Simulator::receive(const std::string& authorization, const std::string& key,
                          const std::string& content_type, const std::string& body) {
  std::lock_guard lock(mutex_);
  if (!token_.empty() && authorization != "Bearer " + token_) return Answer{401, "unauthorized\n"};
  if (key.empty()) return Answer{422, rejection(key, {{"VERS-001", "Idempotency-Key mancante"}})};
  ++submissions_[key];
  if (auto it = accepted_.find(key); it != accepted_.end()) {
    std::string repeat = it->second;
    const std::string mark = "<RapportoVersamento ";
    if (auto at = repeat.find(mark); at != std::string::npos)
      repeat.insert(at + mark.size(), "ripetizione=\"true\" ");
    return Answer{200, repeat};
  }
  if (fail_ > 0) {
    --fail_;
    return Answer{503, "temporarily unavailable\n"};
  }
  if (reject_ > 0) {
    --reject_;
    return Answer{422, rejection(key, {{"SIM-REJECT", "rifiuto simulato (modalità di test)"}})};
  }

  std::vector<std::pair<std::string, std::string>> errors;
  auto form = http::parse_multipart(content_type, body);
  if (!form) return Answer{422, rejection(key, {{"VERS-002", "corpo multipart illeggibile"}})};
  const http::FormPart* index = nullptr;
  std::map<std::string, const http::FormPart*> files;
  for (const auto& p : form->parts) {
    if (p.name == "indice") index = &p;
    if (p.name == "file" && p.filename) files[*p.filename] = &p;
  }
  if (!index) return Answer{422, rejection(key, {{"VERS-003", "indice UNI SInCRO mancante"}})};
  pugi::xml_document doc;
  if (!doc.load_buffer(index->data.data(), index->data.size()))
    return Answer{422, rejection(key, {{"VERS-004", "indice non e' XML ben formato"}})};
  auto root = doc.document_element();
  std::string root_name = root.name();
  if (root_name.substr(root_name.find(':') == std::string::npos ? 0 : root_name.find(':') + 1) != "IdC")
    return Answer{422, rejection(key, {{"VERS-005", "l'elemento radice non e' IdC"}})};
  bool ns_ok = false;
  for (auto a : root.attributes())
    if (std::string(a.name()).rfind("xmlns", 0) == 0 && std::string(a.value()) == kSincroNs) ns_ok = true;
  if (!ns_ok) errors.emplace_back("VERS-006", "namespace UNI SInCRO assente");
  const std::string index_id = child(child(root, "SelfDescription"), "ID").text().as_string();
  if (index_id.empty()) errors.emplace_back("VERS-007", "SelfDescription/ID mancante");
  if (!child(root, "VdC")) errors.emplace_back("VERS-008", "VdC mancante");
  if (!child(child(root, "Process"), "TimeReference"))
    errors.emplace_back("VERS-009", "Process/TimeReference mancante");
  std::set<std::string> named;
  std::vector<std::string> file_names;
  for (auto group : children(root, "FileGroup")) {
    for (auto f : children(group, "File")) {
      const std::string id = child(f, "ID").text().as_string();
      auto hash = child(f, "Hash");
      named.insert(id);
      file_names.push_back(id);
      auto it = files.find(id);
      if (it == files.end()) {
        errors.emplace_back("VERS-010", "file " + id + " nominato nell'indice ma assente");
      } else if (attr(hash, "function") != "SHA-256") {
        errors.emplace_back("VERS-011", "file " + id + ": funzione di hash non SHA-256");
      } else if (crypto::base64_encode(digest::sha256_raw(it->second->data)) != hash.text().as_string()) {
        errors.emplace_back("VERS-012", "file " + id + ": l'impronta non corrisponde all'indice");
      }
    }
  }
  if (named.empty()) errors.emplace_back("VERS-013", "l'indice non nomina alcun file");
  for (const auto& [name, part] : files)
    if (!named.count(name)) errors.emplace_back("VERS-014", "file " + name + " non nominato nell'indice");
  if (!errors.empty()) return Answer{422, rejection(key, errors)};

  Preserved p;
  p.key = key;
  p.receipt_id = "RV-" + std::to_string(next_id_++);
  p.index_id = index_id;
  p.files = file_names;
  p.at = time::format_iso_utc(time::system_clock().now());
  std::string x =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<RapportoVersamento esito=\"ACCETTATO\" id=\"" +
      p.receipt_id + "\" chiave=\"" + xml_escape(key) + "\" data=\"" + p.at + "\">\n";
  x += "  <Indice id=\"" + xml_escape(index_id) + "\" sha256=\"" +
       crypto::base64_encode(digest::sha256_raw(index->data)) + "\"/>\n";
  for (const auto& f : file_names) x += "  <File id=\"" + xml_escape(f) + "\" esito=\"CONSERVATO\"/>\n";
  x += "</RapportoVersamento>\n";
  accepted_[key] = x;
  ++preserved_count_[key];
  preserved_.push_back(p);
  if (lose_answer_ > 0) {
    --lose_answer_;
    return Answer{503, "answer lost\n"};
  }
  return Answer{200, x};
}

void Simulator::set_modes(int reject, int fail, int lose_answer) {
  std::lock_guard lock(mutex_);
  reject_ = reject;
  fail_ = fail;
  lose_answer_ = lose_answer;
}

std::vector<Preserved> Simulator::preserved() const {
  std::lock_guard lock(mutex_);
  return preserved_;
}
int Simulator::submissions(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = submissions_.find(key);
  return it == submissions_.end() ? 0 : it->second;
}
int Simulator::preserved_count(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = preserved_count_.find(key);
  return it == preserved_count_.end() ? 0 : it->second;
}

std::string Simulator::state_json() const {
  std::lock_guard lock(mutex_);
  boost::json::array arr;
  for (const auto& p : preserved_) {
    boost::json::array fs;
    for (const auto& f : p.files) fs.emplace_back(f);
    auto sub = submissions_.find(p.key);
    arr.emplace_back(boost::json::object{{"key", p.key},
                                         {"receipt_id", p.receipt_id},
                                         {"index_id", p.index_id},
                                         {"files", fs},
                                         {"at", p.at},
                                         {"submissions", sub == submissions_.end() ? 0 : sub->second}});
  }
  return boost::json::serialize(boost::json::object{{"preserved", arr}});
}

namespace {

std::string header_of(const http::Request& req, std::string_view name) {
  const std::string* h = req.header(name);
  return h ? *h : std::string();
}

void register_routes(http::Router& router, Simulator& sim) {
  router.post("/versamenti", [&sim](http::Request& req) {
    auto a = sim.receive(header_of(req, "authorization"), header_of(req, "idempotency-key"),
                         header_of(req, "content-type"), req.body);
    http::Response r;
    r.status = a.status;
    r.content_type = a.status == 200 || a.status == 422 ? "application/xml; charset=utf-8" : "text/plain";
    r.body = a.body;
    return r;
  });
  router.get("/sim/conservazione/versamenti",
             [&sim](http::Request&) { return http::Response::json(sim.state_json()); });
  router.post("/sim/conservazione/modo", [&sim](http::Request& req) {
    boost::system::error_code ec;
    auto v = boost::json::parse(req.body, ec);
    if (ec || !v.is_object()) return http::Response::text("JSON object expected\n", 400);
    auto n = [&](const char* k) {
      const auto* p = v.as_object().if_contains(k);
      return p && p->is_int64() ? static_cast<int>(p->as_int64()) : 0;
    };
    sim.set_modes(n("reject"), n("fail"), n("lose_answer"));
    return http::Response::json("{\"ok\":true}");
  });
}

http::ServerOptions server_options(std::uint16_t port) {
  http::ServerOptions so;
  so.address = "127.0.0.1";
  so.port = port;
  so.threads = 1;
  so.access_log = false;
  so.upload_prefixes = {"/versamenti"};
  so.upload_body_limit = 64 * 1024 * 1024;
  return so;
}

class Threaded final : public RunningSimulator {
 public:
  Threaded(std::string token, std::uint16_t port) : simulator_(std::move(token)) {
    register_routes(router_, simulator_);
    server_ = std::make_unique<http::Server>(server_options(port), router_);
    server_->listen();
    thread_ = std::thread([this] { server_->run(); });
  }
  ~Threaded() override {
    server_->stop(std::chrono::milliseconds(2000));
    if (thread_.joinable()) thread_.join();
  }
  [[nodiscard]] std::uint16_t port() const override { return server_->port(); }
  [[nodiscard]] std::string url() const override { return "http://localhost:" + std::to_string(port()); }
  [[nodiscard]] Simulator& simulator() override { return simulator_; }

 private:
  http::Router router_;
  Simulator simulator_;
  std::unique_ptr<http::Server> server_;
  std::thread thread_;
};

}  // namespace

std::unique_ptr<RunningSimulator> start_simulator_thread(std::string token, std::uint16_t port) {
  return std::make_unique<Threaded>(std::move(token), port);
}

int run_simulator(std::string token, std::uint16_t port) {
  try {
    Simulator sim(std::move(token));
    http::Router router;
    register_routes(router, sim);
    auto so = server_options(port);
    so.access_log = true;
    http::Server server(so, router);
    server.listen();
    std::printf("conservator simulator listening on port %u (POST /versamenti)\n",
                static_cast<unsigned>(server.port()));
    std::fflush(stdout);
    server.stop_on_signals();
    server.run();
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sim conservazione: %s\n", e.what());
    return 1;
  }
}

}  // namespace sp::conservazione_sim
