#include "adapters/conservazione/client.hpp"

#include <pugixml.hpp>

#include "core/ids.hpp"

namespace sp::conservazione_wire {

std::string multipart_body(const Submission& s, const std::string& boundary) {
  std::string out;
  auto part = [&](const std::string& name, const std::string& filename, const std::string& type,
                  const std::string& bytes) {
    out += "--" + boundary + "\r\n";
    out += "Content-Disposition: form-data; name=\"" + name + "\"; filename=\"" + filename + "\"\r\n";
    out += "Content-Type: " + type + "\r\n\r\n";
    out += bytes;
    out += "\r\n";
  };
  part("indice", "IdC.xml", "application/xml", s.index_xml);
  for (const auto& f : s.files) part("file", f.name, f.media_type, f.bytes);
  out += "--" + boundary + "--\r\n";
  return out;
}

Result<Answer> parse_answer(const std::string& xml) {
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size())) return Error::make("conservazione.answer", 502, "not XML");
  auto root = doc.child("RapportoVersamento");
  if (!root) return Error::make("conservazione.answer", 502, "not a RapportoVersamento");
  Answer a;
  const std::string esito = root.attribute("esito").as_string();
  if (esito == "ACCETTATO") {
    a.outcome = Outcome::accepted;
  } else if (esito == "RIFIUTATO") {
    a.outcome = Outcome::rejected;
  } else {
    return Error::make("conservazione.answer", 502, "esito " + esito);
  }
  a.receipt_id = root.attribute("id").as_string();
  a.repeat = std::string(root.attribute("ripetizione").as_string()) == "true";
  for (auto e : root.children("Errore")) {
    if (!a.detail.empty()) a.detail += "; ";
    a.detail += std::string(e.attribute("codice").as_string()) + ": " + e.text().as_string();
  }
  if (a.outcome == Outcome::accepted && a.receipt_id.empty())
    return Error::make("conservazione.answer", 502, "receipt without id");
  a.body = xml;
  return a;
}

Result<Answer> Client::submit(const Submission& s) const {
  if (options_.url.empty()) return Error::make("conservazione.not_configured", 503, "conservazione_url");
  const std::string boundary = "sportello-" + ids::random_token(12);
  adapters::HttpRequest req;
  req.method = "POST";
  req.url = options_.url + "/versamenti";
  req.headers = {{"Content-Type", "multipart/form-data; boundary=" + boundary},
                 {"Idempotency-Key", s.idempotency_key},
                 {"Accept", "application/xml"}};
  if (!options_.token.empty()) req.headers.emplace_back("Authorization", "Bearer " + options_.token);
  req.body = multipart_body(s, boundary);
  auto r = http_.send(req);
  if (!r) return r.error();
  if (r->status == 200 || r->status == 422) return parse_answer(r->body);
  return Error::make("conservazione.unavailable", 503, "HTTP " + std::to_string(r->status));
}

}  // namespace sp::conservazione_wire
