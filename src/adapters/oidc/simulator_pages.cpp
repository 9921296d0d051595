#include "adapters/oidc/simulator_pages.hpp"

#include "http/message.hpp"

namespace sp::oidc::pages {
namespace {

using http::html_escape;

std::string head(const std::string& title) {
  return "<!doctype html>\n<html lang=\"it\">\n<head>\n<meta charset=\"utf-8\">\n<link rel=\"icon\" "
         "href=\"data:,\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<meta name=\"robots\" content=\"noindex\">\n<title>" +
         html_escape(title) + "</title>\n</head>\n<body>\n<main>\n";
}

constexpr const char* kFoot = "</main>\n</body>\n</html>\n";

struct BehaviourLabel {
  Behaviour b;
  const char* it;
  const char* en;
};
constexpr BehaviourLabel kBehaviours[] = {
    {Behaviour::normal, "Normale", "normal"},
    {Behaviour::bad_signature, "Firma non valida sul token", "bad signature"},
    {Behaviour::expired, "Token scaduto", "expired token"},
    {Behaviour::wrong_audience, "Token destinato a un altro servizio", "wrong audience"},
    {Behaviour::replayed_nonce, "Nonce di una transazione precedente", "replayed nonce"},
    {Behaviour::lower_acr, "Livello SPID inferiore a quello richiesto", "lower SPID level"},
    {Behaviour::wrong_iss, "Risposta con l'iss di un altro provider", "wrong iss"},
    {Behaviour::missing_iss, "Risposta senza iss", "missing iss"},
    {Behaviour::rs512, "Token firmato RS512 (corretto)", "RS512-signed token, valid"},
    {Behaviour::bad_at_hash, "at_hash non corrispondente", "wrong at_hash"},
    {Behaviour::plain_userinfo, "Userinfo in JSON non cifrato", "plain JSON userinfo"},
    {Behaviour::signed_only_userinfo, "Userinfo firmato ma non cifrato", "signed, unencrypted userinfo"},
    {Behaviour::userinfo_bad_signature, "Userinfo cifrato con firma interna non valida",
     "encrypted userinfo, bad inner signature"},
};

}  // namespace

std::string authorize_page(const AuthorizeView& view, const std::vector<TestIdentity>& identities) {
  const std::string level = std::to_string(view.acr_level);
  std::string h = head(view.provider + ": accesso");
  h += "<h1>" + html_escape(view.provider) + " <span lang=\"en\">(identity provider simulator)</span></h1>\n";
  const std::string scheme = view.cie ? "CIE" : "SPID";
  h += "<p>Il servizio <strong>" + html_escape(view.client_id) + "</strong> chiede un accesso con <strong>" +
       scheme + " livello " + level + "</strong> <span lang=\"en\">(requested " + scheme + " level " + level +
       ")</span>.</p>\n";
  h += "<p>Provider di prova per demo e test: le identità sono fittizie.</p>\n";
  h += "<form method=\"post\" action=\"" + html_escape(view.form_action) + "\">\n";
  h += "<input type=\"hidden\" name=\"tx\" value=\"" + html_escape(view.transaction) + "\">\n";
  h +=
      "<p><label for=\"behaviour\">Comportamento del provider <span lang=\"en\">(behaviour)</span></label>\n";
  h += "<select id=\"behaviour\" name=\"behaviour\">\n";
  for (const auto& b : kBehaviours)
    h += std::string("<option value=\"") + behaviour_name(b.b) + "\"" +
         (b.b == Behaviour::normal ? " selected" : "") + ">" + b.it + " (" + b.en + ")</option>\n";
  h += "</select></p>\n";
  h +=
      "<table>\n<caption>Identità di prova <span lang=\"en\">(test identities)</span></caption>\n<thead><tr>"
      "<th scope=\"col\">Nome</th><th scope=\"col\">Codice fiscale</th><th scope=\"col\">Data di nascita</th>"
      "<th scope=\"col\">Livello SPID massimo</th><th scope=\"col\">Accesso</th></tr></thead>\n<tbody>\n";
  for (const auto& id : identities) {
    const std::string name = id.given_name + " " + id.family_name;
    h += "<tr><th scope=\"row\">" + html_escape(name) + "</th><td>" + html_escape(id.fiscal_number) +
         "</td><td>" + html_escape(id.birthdate) + "</td><td>L" + std::to_string(id.max_spid_level) +
         "</td><td>";
    if (id.max_spid_level >= view.acr_level) {
      h += "<button type=\"submit\" name=\"identity\" value=\"" + html_escape(id.fiscal_number) +
           "\">Entra come " + html_escape(name) + " <span lang=\"en\">(sign in as)</span></button>";
    } else {
      h += "Non disponibile al livello " + level + " <span lang=\"en\">(not available at this level)</span>";
    }
    h += "</td></tr>\n";
  }
  h += "</tbody>\n</table>\n";
  h += "<p><button type=\"submit\" name=\"cancel\" value=\"1\" id=\"cancel\">Annulla e torna al servizio "
       "<span lang=\"en\">(cancel)</span></button></p>\n";
  h += "</form>\n";
  return h + kFoot;
}

std::string error_page(const std::string& reason) {
  std::string h = head("Simulatore SPID/CIE: richiesta non valida");
  h += "<h1>Richiesta non valida <span lang=\"en\">(invalid request)</span></h1>\n";
  h += "<p>Il provider di identità ha rifiutato la richiesta del servizio e non ti rimanda indietro.</p>\n";
  h += "<p>Motivo <span lang=\"en\">(reason)</span>: <code>" + html_escape(reason) + "</code></p>\n";
  return h + kFoot;
}

}  // namespace sp::oidc::pages
