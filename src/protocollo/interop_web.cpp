#include "protocollo/interop_web.hpp"

#include "core/digest.hpp"
#include "core/text.hpp"
#include "identity/guards.hpp"
#include "identity/permissions.hpp"
#include "identity/web.hpp"
#include "protocollo/interop.hpp"
#include "protocollo/web_support.hpp"
#include "web/context.hpp"

namespace sp::protocollo {
namespace interop_web_detail {
namespace {

using identity::Permission;
using identity::staff_route;
using identity::StaffCall;
using web::Data;

std::string base(const tenants::Body& b) {
  return "/backoffice/" + b.slug + "/protocollo";
}
std::string inbox_href(const tenants::Body& b) {
  return base(b) + "/in-arrivo";
}

web::Page page_of(WebDeps& d, const http::Request& req, const StaffCall& a, const std::string& tpl,
                  const std::string& title) {
  auto page = web::backoffice_page(d.view, req, *a.body, a.who ? a.who->csrf_token : std::string(), tpl,
                                   title, "ui.proto_title", base(*a.body), true);
  page.data.set("base", base(*a.body));
  return page;
}

std::string it_date(const std::string& iso) {
  auto d = time::parse_iso_date(iso);
  return d ? time::format_it_date(*d) : iso;
}

// The message's state: out sent/confirmed/exception/annulled; in pending/refused/registered/annulled.
std::string state_of(const Message& m) {
  if (m.outgoing) {
    if (const auto* an = m.last(EventKind::annulment); an && an->outgoing) return "annulled";
    if (m.last(EventKind::exception)) return "exception";
    if (m.last(EventKind::confirmation)) return "confirmed";
    return "sent";
  }
  if (const auto* an = m.last(EventKind::annulment); an && !an->outgoing) return "annulled_by_sender";
  if (!m.check_code.empty() || m.last(EventKind::exception)) return "refused";
  if (m.last(EventKind::registered)) return "registered";
  return "pending";
}

const char* badge_of(const std::string& state) {
  if (state == "confirmed" || state == "registered") return "bg-success";
  if (state == "exception" || state == "refused" || state == "annulled" || state == "annulled_by_sender")
    return "bg-danger";
  return "bg-primary";
}

Data events_of(WebDeps& d, std::string_view lang, const Message& m) {
  Data list = web::list();
  for (const auto& e : m.events) {
    Data x;
    x.set("at", time::format_it_datetime(e.at));
    const std::string key =
        "ui.proto_ix_event_" + std::string(to_string(e.kind)) + (e.outgoing ? "_out" : "_in");
    x.set(
        "text",
        web::ui(d.view, lang, key,
                {{"number", e.number}, {"date", it_date(e.reg_date)}, {"reason", e.reason}, {"act", e.act}}));
    x.set("kind", std::string(to_string(e.kind)));
    list.push_back(x);
  }
  return list;
}

Data message_row(WebDeps& d, std::string_view lang, const tenants::Body& body, const Message& m) {
  Data row;
  const auto state = state_of(m);
  row.set("id", m.id);
  row.set("href", inbox_href(body) + "/" + m.id);
  row.set("peer", m.peer_name.empty() ? m.peer_aoo_code : m.peer_name);
  row.set("peer_codes", m.peer_admin_code + " / " + m.peer_aoo_code);
  row.set("sender_number", m.sender_number);
  row.set("sender_date", it_date(m.sender_date));
  row.set("subject", m.subject);
  row.set("at", time::format_it_datetime(m.created_at));
  row.set("state", state);
  row.set("state_text", d.view.t(lang, "ui.proto_ix_state_" + state));
  row.set("badge", std::string(badge_of(state)));
  row.set("channel", d.view.t(lang, "ui.proto_ix_channel_" + m.channel));
  row.set("events", events_of(d, lang, m));
  if (!m.check_code.empty()) {
    row.set("check_failed", d.view.i18n().message(lang, Error::make(m.check_code, 422, m.check_detail)));
  }
  return row;
}

// --- sending ----------------------------------------------------------------------------------------

http::Response send_post(WebDeps& d, http::Request& req, const StaffCall& a) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  const auto id = req.param("id");
  if (d.interop == nullptr) return d.view.error_page(req, 404);
  auto sent = d.interop->send(a.who, a.body->id, id);
  if (!sent) {
    if (sent.error().http_status == 404 || sent.error().http_status == 403)
      return d.view.error_page(req, sent.error().http_status);
    return web::see_other(base(*a.body) + "/" + id + "?invio=" + sent.error().code);
  }
  return web::see_other(base(*a.body) + "/" + id + "?inviato=1#interop-title");
}

// --- the queue --------------------------------------------------------------------------------------

http::Response inbox_get(WebDeps& d, http::Request& req, const StaffCall& a) {
  const auto& lang = req.ctx.locale;
  if (d.interop == nullptr) return d.view.error_page(req, 404);
  auto page = page_of(d, req, a, "protocollo_inbox", d.view.t(lang, "ui.proto_ix_inbox_title"));
  auto list = d.interop->inbox(a.who, a.body->id);
  if (!list) return d.view.error_page(req, list.error().http_status);
  Data rows = web::list();
  for (const auto& m : *list) rows.push_back(message_row(d, lang, *a.body, m));
  page.data.set("messages", rows);
  page.data.set("has_messages", !list->empty());
  return web::private_page(d.view, req, page);
}

http::Response message_page(WebDeps& d, http::Request& req, const StaffCall& a, const Fields* form,
                            const Error* error) {
  const auto& lang = req.ctx.locale;
  if (d.interop == nullptr) return d.view.error_page(req, 404);
  auto m = d.interop->message(a.who, a.body->id, req.param("mid"));
  if (!m || m->outgoing) return d.view.error_page(req, m ? 404 : m.error().http_status);
  auto page = page_of(d, req, a, "protocollo_message", d.view.t(lang, "ui.proto_ix_message_title"));
  page.breadcrumb.insert(page.breadcrumb.end() - 1,
                         web::Crumb{d.view.t(lang, "ui.proto_ix_inbox_title"), inbox_href(*a.body)});
  const auto href = inbox_href(*a.body) + "/" + m->id;
  page.data.set("message", message_row(d, lang, *a.body, *m));
  const auto state = state_of(*m);
  page.data.set("pending", state == "pending");
  if (const auto* reg = m->last(EventKind::registered); reg && !reg->entry_id.empty())
    page.data.set("entry_href", base(*a.body) + "/" + reg->entry_id);
  page.data.set("signer", m->signer);
  Data docs = web::list();
  for (std::size_t i = 0; i < m->files.size(); ++i) {
    const auto& f = m->files[i];
    Data x;
    x.set("role", d.view.t(lang, "ui.proto_doc_" + std::string(to_string(f.role))));
    x.set("name", f.file_name);
    x.set("mime", f.mime_type);
    x.set("size", std::to_string(f.size));
    x.set("sha256", f.sha256);
    if (!f.file_id.empty()) x.set("href", href + "/documenti/" + std::to_string(i));
    docs.push_back(x);
  }
  page.data.set("documents", docs);
  if (auto said = d.interop->contents(*m)) {
    page.data.set("sender_name", said->sender.name);
    page.data.set("sender_pec", said->sender.pec.empty() ? Data(false) : Data(said->sender.pec));
    page.data.set("f_subject", form ? field_of(*form, "subject") : said->subject);
    page.data.set("f_classification", form ? field_of(*form, "classification") : said->classification);
    page.data.set("f_fascicolo", form ? field_of(*form, "fascicolo") : said->fascicolo);
  }
  page.data.set("f_office", form ? field_of(*form, "office") : "");
  page.data.set("f_reason", form ? field_of(*form, "reason") : "");
  page.data.set("register_action", href + "/registra");
  page.data.set("refuse_action", href + "/rifiuta");
  if (error) web::set_form_error(d.view, req, page, *error);
  return web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
}

http::Response message_get(WebDeps& d, http::Request& req, const StaffCall& a) {
  return message_page(d, req, a, nullptr, nullptr);
}

http::Response register_post(WebDeps& d, http::Request& req, const StaffCall& a) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  if (d.interop == nullptr) return d.view.error_page(req, 404);
  Fields f(form->begin(), form->end());
  MessageRegistration r;
  r.subject = std::string(text::trim(field_of(f, "subject")));
  r.classification = std::string(text::trim(field_of(f, "classification")));
  r.fascicolo = std::string(text::trim(field_of(f, "fascicolo")));
  r.office = std::string(text::trim(field_of(f, "office")));
  auto done = d.interop->register_message(a.who, a.body->id, req.param("mid"), r);
  if (!done) {
    if (done.error().http_status == 404 || done.error().http_status == 403)
      return d.view.error_page(req, done.error().http_status);
    return message_page(d, req, a, &f, &done.error());
  }
  return web::see_other(base(*a.body) + "/" + done->id + "?registrata=1");
}

http::Response refuse_post(WebDeps& d, http::Request& req, const StaffCall& a) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  if (d.interop == nullptr) return d.view.error_page(req, 404);
  Fields f(form->begin(), form->end());
  const auto mid = req.param("mid");
  auto st = d.interop->refuse_message(a.who, a.body->id, mid, std::string(text::trim(field_of(f, "reason"))));
  if (!st) {
    if (st.error().http_status == 404 || st.error().http_status == 403)
      return d.view.error_page(req, st.error().http_status);
    return message_page(d, req, a, &f, &st.error());
  }
  return web::see_other(inbox_href(*a.body) + "/" + mid);
}

http::Response message_document_get(WebDeps& d, http::Request& req, const StaffCall& a) {
  if (d.interop == nullptr) return d.view.error_page(req, 404);
  auto m = d.interop->message(a.who, a.body->id, req.param("mid"));
  if (!m) return d.view.error_page(req, m.error().http_status);
  const auto parsed = text::parse_decimal(req.param("n"));
  if (!parsed) return d.view.error_page(req, 404);
  const auto i = static_cast<std::size_t>(*parsed);
  if (i >= m->files.size() || m->files[i].file_id.empty()) return d.view.error_page(req, 404);
  const auto& f = m->files[i];
  auto bytes = d.files.read_content(a.body->id, f.file_id);
  if (!bytes) return d.view.error_page(req, bytes.error().http_status);
  if (!*bytes || digest::sha256_hex(**bytes) != f.sha256) return d.view.error_page(req, 500);
  return web::download_response(std::move(**bytes), f.mime_type, f.file_name);
}

}  // namespace
}  // namespace interop_web_detail
// (Used inside each function below, never at namespace scope: the unity build puts this module's
// sources in one translation unit, where a namespace-scope using-directive would reach the others.)

void add_exchange_view(WebDeps& d, std::string_view lang, const tenants::Body& body, const Entry& e,
                       const identity::Principal* who, web::Data& data) {
  using namespace interop_web_detail;
  if (d.interop == nullptr) return;
  auto ex = d.interop->exchange_of(who, body.id, e.id);
  if (!ex) return;
  Data rows = web::list();
  std::vector<std::string> sent_to;
  for (const auto& m : *ex) {
    Data row = message_row(d, lang, body, m);
    row.set("outgoing", m.outgoing);
    if (!m.outgoing) row.set("message_href", inbox_href(body) + "/" + m.id);
    if (m.outgoing && m.channel == "pec") {
      row.set("peer_codes",
              m.peer_admin_code.empty() ? m.peer_address : m.peer_admin_code + " / " + m.peer_aoo_code);
      const auto state = d.interop->pec_delivery(body.id, m.id);
      if (!state.empty()) row.set("delivery", d.view.t(lang, "ui.proto_ix_pec_" + state));
    }
    rows.push_back(row);
    if (m.outgoing) sent_to.push_back(m.peer_admin_code + "/" + m.peer_aoo_code);
    if (m.outgoing && !m.peer_address.empty()) sent_to.push_back("pec:" + m.peer_address);
  }
  data.set("exchange", rows);
  data.set("has_exchange", !ex->empty());
  // Recipients that are offices of the hub and were not sent to yet.
  std::vector<std::string> pending;
  if (e.direction == Direction::outgoing && !e.annulled()) {
    const auto offices = d.interop->other_offices(body.id);
    for (const auto& c : e.correspondents) {
      if (c.aoo_code.empty()) continue;
      for (const auto& o : offices) {
        if (o.aoo.code != c.aoo_code || (!c.ipa_code.empty() && o.aoo.admin_code != c.ipa_code)) continue;
        const auto key = o.aoo.admin_code + "/" + o.aoo.code;
        if (std::find(sent_to.begin(), sent_to.end(), key) == sent_to.end())
          pending.push_back(o.body_name + " (" + o.aoo.code + ")");
      }
    }
    // Outside the hub: by SOAP where the office publishes the interfaces, else by PEC to its address.
    for (const auto& c : e.correspondents) {
      const bool hub_office =
          !c.aoo_code.empty() && std::any_of(offices.begin(), offices.end(), [&](const HubOffice& o) {
            return o.aoo.code == c.aoo_code && (c.ipa_code.empty() || o.aoo.admin_code == c.ipa_code);
          });
      if (hub_office) continue;
      const auto codes = c.ipa_code + "/" + c.aoo_code;
      if (!d.interop->soap_endpoint(c.ipa_code, c.aoo_code).empty()) {
        if (std::find(sent_to.begin(), sent_to.end(), codes) == sent_to.end())
          pending.push_back(c.name + " (SOAP " + codes + ")");
      } else if (!c.pec.empty() &&
                 std::find(sent_to.begin(), sent_to.end(), "pec:" + c.pec) == sent_to.end()) {
        pending.push_back(c.name + " (PEC " + c.pec + ")");
      }
    }
  }
  data.set("can_send", !pending.empty());
  data.set("send_targets", text::join(pending, ", "));
  data.set("send_action", base(body) + "/" + e.id + "/invia");
  data.set("exchange_shown", !ex->empty() || !pending.empty());
}

void add_soap_peers_view(WebDeps& d, std::string_view lang, const tenants::Body& body,
                         const identity::Principal* who, const Fields* form, web::Data& data) {
  using namespace interop_web_detail;
  if (d.interop == nullptr) return;
  data.set("soap_shown", true);
  data.set("soap_gateway", d.interop->soap_checked_by_gateway());
  Data endpoints = web::list();
  const auto soap_base = d.interop->soap_public_base();
  for (const auto& x : d.protocol.aoos(body.id)) {
    Data e;
    e.set("code", x.code);
    e.set("url", soap_base + "/" + x.admin_code + "/" + x.code + "/destinatario");
    e.set("url_mittente", soap_base + "/" + x.admin_code + "/" + x.code + "/mittente");
    endpoints.push_back(e);
  }
  data.set("has_soap_endpoints", !d.protocol.aoos(body.id).empty());
  data.set("soap_endpoints", endpoints);
  Data rows = web::list();
  if (auto peers = d.interop->soap_peers(who, body.id)) {
    for (const auto& p : *peers) {
      Data r;
      r.set("admin_code", p.admin_code);
      r.set("aoo_code", p.aoo_code);
      r.set("name", p.name);
      r.set("subject", p.subject);
      r.set("sha256", p.cert_sha256);
      r.set("not_after", time::format_it_datetime(p.not_after));
      r.set("id", p.id);
      r.set("remove_label", web::ui(d.view, lang, "ui.proto_soap_peer_remove_label", {{"name", p.name}}));
      rows.push_back(r);
    }
    data.set("has_soap_peers", !peers->empty());
  }
  data.set("soap_peers", rows);
  data.set("peer_action", base(body) + "/aoo/chiamanti-soap");
  data.set("peer_remove_action", base(body) + "/aoo/chiamanti-soap/rimuovi");
  for (const char* f : {"peer_admin_code", "peer_aoo_code", "peer_name", "peer_certificate"})
    data.set(std::string("f_") + f, form ? field_of(*form, f) : "");
}

web::Data hub_office_options(WebDeps& d, const tenants::Body& body, const std::string& selected) {
  using namespace interop_web_detail;
  Data list = web::list();
  if (d.interop == nullptr) return list;
  for (const auto& o : d.interop->other_offices(body.id)) {
    Data x;
    const auto value = o.aoo.admin_code + "/" + o.aoo.code;
    x.set("value", value);
    x.set("name", o.body_name + " — " + o.aoo.code);
    x.set("selected", value == selected);
    list.push_back(x);
  }
  return list;
}

void register_interop_pages(http::Router& router, WebDeps& d) {
  using namespace interop_web_detail;
  const std::string b = "/backoffice/{slug}/protocollo";
  router.get(b + "/in-arrivo", staff_route(d, Permission::backoffice, inbox_get));
  router.get(b + "/in-arrivo/{mid}", staff_route(d, Permission::backoffice, message_get));
  router.post(b + "/in-arrivo/{mid}/registra", staff_route(d, Permission::backoffice, register_post));
  router.post(b + "/in-arrivo/{mid}/rifiuta", staff_route(d, Permission::backoffice, refuse_post));
  router.get(b + "/in-arrivo/{mid}/documenti/{n}",
             staff_route(d, Permission::backoffice, message_document_get));
  router.post(b + "/{id}/invia", staff_route(d, Permission::backoffice, send_post));
  // AgID's SOAP interfaces of each registry office of the hub (docs/protocollo-interop.md): called by the
  // other administrations' registries, each call signed by the calling office (ModI ID_AUTH_SOAP_02,
  // checked by the hub unless a gateway does); a MessaggioInoltro is believed for its XAdES signature, a
  // ConfermaMessaggioInoltro only about a message this office sent by SOAP to the office that confirms.
  const auto soap = [&d](bool destinatario) {
    return [&d, destinatario](http::Request& r) {
      if (d.interop == nullptr) return d.view.error_page(r, 404);
      auto [status, body] =
          destinatario ? d.interop->soap_destinatario(r.param("ipa"), r.param("aoo"), r.body, r.remote_addr)
                       : d.interop->soap_mittente(r.param("ipa"), r.param("aoo"), r.body, r.remote_addr);
      http::Response out;
      out.status = status;
      out.content_type = "text/xml; charset=utf-8";
      out.body = std::move(body);
      return out;
    };
  };
  router.post("/interop/soap/{ipa}/{aoo}/destinatario", soap(true));
  router.post("/interop/soap/{ipa}/{aoo}/mittente", soap(false));
}

}  // namespace sp::protocollo
