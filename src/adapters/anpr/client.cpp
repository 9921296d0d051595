#include "adapters/anpr/client.hpp"

#include <date/date.h>

#include <atomic>

namespace sp::anpr {
namespace {

std::atomic<long long> g_last_operation_id{0};

// dataOraRichiesta: local time in Rome without an offset, as ANPR's examples write it.
std::string request_time(const time::Clock& clock) {
  return date::format("%Y-%m-%dT%H:%M:%S", time::to_rome_local(clock.now()));
}

}  // namespace

std::map<std::string, std::string> parse_credentials(const std::string& pairs) {
  std::map<std::string, std::string> out;
  std::string rest = pairs;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const std::string item = rest.substr(0, comma);
    rest = comma == std::string::npos ? std::string() : rest.substr(comma + 1);
    const auto eq = item.find('=');
    if (eq != std::string::npos && eq > 0 && eq + 1 < item.size())
      out[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return out;
}

namespace {
adapters::HttpClientOptions with_tls(adapters::HttpClientOptions o, const Tls& tls) {
  if (!tls.client_cert_file.empty()) {
    o.client_cert_file = tls.client_cert_file;
    o.client_key_file = tls.client_key_file;
  }
  if (!tls.ca_file.empty()) o.ca_file = tls.ca_file;
  return o;
}
}  // namespace

Client::Client(ClientConfig config, const time::Clock& clock)
    : config_(std::move(config)), clock_(clock), http_(with_tls(config_.http, config_.tls)) {}

std::string Client::next_operation_id(const time::Clock& clock) {
  const long long now =
      std::chrono::duration_cast<std::chrono::microseconds>(clock.now().time_since_epoch()).count();
  long long last = g_last_operation_id.load();
  long long next = 0;
  do {
    next = now > last ? now : last + 1;
  } while (!g_last_operation_id.compare_exchange_weak(last, next));
  return std::to_string(next);
}

Result<std::string> Client::post(const std::string& service, const std::string& envelope) const {
  if (!configured())
    return Error::make("anpr.not_configured", 503, "no ANPR URL or credential for comune " + config_.sender);
  adapters::HttpRequest req;
  req.method = "POST";
  req.url = config_.base_url + "/" + service;
  req.headers = {{"Content-Type", "text/xml; charset=utf-8"},
                 {"SOAPAction", "\"\""},
                 {"Authorization", "Bearer " + config_.secret}};
  req.body = envelope;
  auto res = http_.send(req);
  if (!res) {
    // The certificate is the hub administrator's to fix, not a network fault: its own code.
    if (res.error().code == "http_client.client_certificate")
      return Error::make("anpr.client_certificate", 502, res.error().detail);
    return Error::make("anpr.unreachable", 502, res.error().code + ": " + res.error().detail);
  }
  // SOAP faults come back with 500; ANPR's own refusals (KO messages) with 200.
  if (res->status != 200 && res->status != 500)
    return Error::make("anpr.http", 502, "HTTP " + std::to_string(res->status));
  return std::move(res->body);
}

Result<ConsultResponse> Client::consult(const std::string& codice_fiscale, const std::string& reference_date,
                                        bool household, std::string operation_id) const {
  ConsultRequest r;
  r.header = {operation_id.empty() ? next_operation_id(clock_) : std::move(operation_id), config_.sender,
              "3002", request_time(clock_), config_.send_type};
  r.codice_fiscale = codice_fiscale;
  r.reference_date = reference_date;
  r.household = household;
  auto body = post("AnprService3000", render_consult_request(r));
  if (!body) return body.error();
  auto parsed = parse_consult_response(*body);
  if (!parsed) return Error::make(parsed.error().code, 502, parsed.error().detail);
  return parsed;
}

Result<std::vector<Notification>> Client::notifications(const std::string& from,
                                                        const std::string& to) const {
  auto refused = [](const NotificationsResponse& r) {
    std::string codes;
    for (const auto& e : r.errors) codes += (codes.empty() ? "" : ", ") + e.code + " " + e.text;
    return Error::make("anpr.refused", 502, "4005: " + codes);
  };
  auto ask = [&](NotificationsRequest r) -> Result<NotificationsResponse> {
    r.header = {next_operation_id(clock_), config_.sender, "4005", request_time(clock_), config_.send_type};
    auto body = post("AnprService4000", render_notifications_request(r));
    if (!body) return body.error();
    auto parsed = parse_notifications_response(*body);
    if (!parsed) return Error::make(parsed.error().code, 502, parsed.error().detail);
    if (!parsed->ok) return refused(*parsed);
    return parsed;
  };
  NotificationsRequest start;
  start.period_from = from;
  start.period_to = to;
  auto queued = ask(start);
  if (!queued) return queued.error();
  std::vector<Notification> out;
  for (int page = 1;; ++page) {
    NotificationsRequest check;
    check.check = true;
    check.anpr_request_id = queued->anpr_request_id;
    check.page = page;
    auto got = ask(check);
    if (!got) return got.error();
    if (got->state == "0" || got->state == "1")
      return Error::make("anpr.not_ready", 503, "4005 request " + queued->anpr_request_id + " not ready");
    if (got->state != "2") return refused(*got);
    for (auto& n : got->notifications) out.push_back(std::move(n));
    if (got->pages <= page) break;
  }
  return out;
}

Result<CertificateResponse> Client::issue(CertificateRequest request) const {
  if (request.header.operation_id.empty()) request.header.operation_id = next_operation_id(clock_);
  request.header.sender = config_.sender;
  request.header.operation = "6001";
  request.header.sent_at = request_time(clock_);
  request.header.send_type = config_.send_type;
  auto body = post("AnprService6001", render_certificate_request(request));
  if (!body) return body.error();
  auto parsed = parse_certificate_response(*body);
  if (!parsed) return Error::make(parsed.error().code, 502, parsed.error().detail);
  if (parsed->ok && parsed->pdf.empty() && request.channel != Channel::preview && request.request_type == 1)
    return Error::make("anpr.soap_syntax", 502, "Risposta6001OK without the certificate's PDF");
  return parsed;
}

}  // namespace sp::anpr
