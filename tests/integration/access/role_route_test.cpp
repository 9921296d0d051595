// Every role against every protected route, on its own body and on another body, through the whole
// application (routing, sessions, permissions, pages) without sockets. A route added to the program but
// missing from the table below fails the test, so new pages cannot skip the check.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>

#include "adapters/anpr/simulator.hpp"
#include "adapters/messaging/outbox.hpp"
#include "app/app.hpp"
#include "cases/service.hpp"
#include "files/service.hpp"
#include "jobs/store.hpp"
#include "protocollo/daily_register.hpp"
#include "support/demo_database.hpp"
#include "support/staff_sign_in.hpp"
#include "support/testing.hpp"

namespace {

using sp::identity::NewSession;
using sp::identity::PrincipalKind;
using sp::identity::Role;

enum class Outcome { allowed, denied, sign_in, not_found };

struct Actor {
  std::string name;
  std::string email;  // demo staff e-mail; empty for people and anonymous
  std::string password;
  bool person = false;
};

// The demo's people and staff (data/demo/staff.json).
const std::vector<Actor>& actors() {
  static const std::vector<Actor> all = {
      {"anonymous", "", "", false},
      {"citizen", "", "", true},
      {"asti_operator", "operatore@asti.example", "Asti-operatore-2026!"},
      {"asti_manager", "responsabile@asti.example", "Asti-responsabile-2026!"},
      {"asti_admin", "admin@asti.example", "Asti-admin-2026!"},
      {"asti_counter", "sportello@asti.example", "Asti-sportello-2026!"},
      {"novara_admin", "admin@novara.example", "Novara-admin-2026!"},
      {"hub_admin", "admin@pes.example", "Polo-demo-2026!"},
      {"helpdesk", "helpdesk@pes.example", "Polo-helpdesk-2026!"},
      {"tourism_editor", "redazione@pes.example", "Polo-redazione-2026!"},
  };
  return all;
}

// Who may use each protected route. `target` is the body in {slug}; Asti unless the row says otherwise.
struct Rule {
  std::string method;
  std::string pattern;
  std::set<std::string> allowed;  // actor names; everyone else is refused
  std::string form;               // a POST's fields besides _csrf: what a real form would send
};

const std::set<std::string> kAllStaff = {"asti_operator", "asti_manager", "asti_admin", "asti_counter",
                                         "novara_admin",  "hub_admin",    "helpdesk",   "tourism_editor"};

const std::set<std::string> kAstiDesk = {"asti_operator", "asti_manager", "asti_admin"};
// Office managers and administrators (manage_payments, annul_protocol ...): not the operators.
const std::set<std::string> kAstiManagers = {"asti_manager", "asti_admin"};

const std::vector<Rule>& rules() {
  static const std::vector<Rule> all = {
      {"GET", "/area-personale", {"citizen"}},
      {"GET", "/area-personale/accessi", {"citizen"}},
      {"GET", "/area-personale/profilo", {"citizen"}},
      {"POST", "/area-personale/profilo", {"citizen"}},
      {"POST", "/area-personale/profilo/verifica", {"citizen"}},
      {"POST",
       "/esci",
       {"citizen", "asti_operator", "asti_manager", "asti_admin", "asti_counter", "novara_admin", "hub_admin",
        "helpdesk", "tourism_editor"}},
      {"POST",
       "/esci/ovunque",
       {"citizen", "asti_operator", "asti_manager", "asti_admin", "asti_counter", "novara_admin", "hub_admin",
        "helpdesk", "tourism_editor"}},
      {"GET", "/backoffice/", kAllStaff},
      {"GET", "/backoffice/{slug}/personale", {"asti_admin"}},
      {"POST", "/backoffice/{slug}/personale", {"asti_admin"}},
      {"GET", "/backoffice/{slug}/chiavi-api", {"asti_admin"}},
      {"GET", "/area-personale/deleghe", {"citizen"}},
      {"POST", "/area-personale/deleghe", {"citizen"}},
      {"GET", "/backoffice/{slug}/deleghe", {"asti_operator", "asti_manager", "asti_admin"}},
      {"GET", "/backoffice/{slug}/deleghe/{id}", {"asti_operator", "asti_manager", "asti_admin"}},
      {"POST",
       "/backoffice/{slug}/deleghe/{id}",
       {"asti_operator", "asti_manager", "asti_admin"},
       "action=reject&reason=documento+mancante"},
      // Programs only, with the body's API key (tested with keys in tests/integration/delegations).
      {"GET", "/api/v1/backoffice/{slug}/deleghe/{id}", {}},
      {"GET", "/sportello-assistito/", {"asti_counter"}},
      {"POST", "/sportello-assistito/avvia", {"asti_counter"}},
      {"POST", "/sportello-assistito/chiudi", {"asti_counter"}},
      {"POST", "/sportello-assistito/correggi", {"asti_counter"}},
      {"POST", "/backoffice/{slug}/chiavi-api", {"asti_admin"}},
      // The protocol register: the body's desk staff; annulment only its managers; AOOs its administrators.
      {"GET", "/backoffice/{slug}/protocollo", kAstiDesk},
      {"GET", "/backoffice/{slug}/protocollo/nuovo", kAstiDesk},
      {"POST", "/backoffice/{slug}/protocollo/nuovo", kAstiDesk},
      {"GET", "/backoffice/{slug}/protocollo/registro-giornaliero", kAstiDesk},
      {"GET", "/backoffice/{slug}/protocollo/registro-giornaliero/{rid}/{format}", kAstiDesk},
      // Today's register so far (provisional): the registry's managers.
      {"GET", "/backoffice/{slug}/protocollo/registro-provvisorio/{format}", {"asti_manager", "asti_admin"}},
      // The body's public pages (contacts, privacy, accessibility, legal notes): its administrators.
      {"GET", "/backoffice/{slug}/pagine-pubbliche", {"asti_admin"}},
      {"POST", "/backoffice/{slug}/pagine-pubbliche", {"asti_admin"}, "address=Piazza+San+Secondo+1"},
      {"GET", "/backoffice/{slug}/protocollo/aoo", {"asti_admin"}},
      {"POST",
       "/backoffice/{slug}/protocollo/aoo",
       {"asti_admin"},
       "admin_code=c_a479&code=AOO2&name=Seconda"},
      // The registry offices outside the hub allowed to call the SOAP interfaces (without fields: refused
      // with the reason on the page; removing an unknown one: "no longer registered").
      {"POST", "/backoffice/{slug}/protocollo/aoo/chiamanti-soap", {"asti_admin"}},
      {"POST", "/backoffice/{slug}/protocollo/aoo/chiamanti-soap/rimuovi", {"asti_admin"}, "peer=nessuno"},
      {"GET", "/backoffice/{slug}/protocollo/{id}", kAstiDesk},
      {"GET", "/backoffice/{slug}/protocollo/{id}/segnatura.xml", kAstiDesk},
      {"GET", "/backoffice/{slug}/protocollo/{id}/documenti/{n}", kAstiDesk},
      {"POST", "/backoffice/{slug}/protocollo/{id}/classificazione", kAstiDesk, "classification=1.1"},
      // Protocol messages between registry offices ({id}: an incoming entry, which is not sent: 303 back
      // with the reason; {mid}: a message Casale Monferrato sent to Asti; the forms without their fields
      // answer 400 and change nothing).
      {"POST", "/backoffice/{slug}/protocollo/{id}/invia", kAstiDesk},
      {"GET", "/backoffice/{slug}/protocollo/in-arrivo", kAstiDesk},
      {"GET", "/backoffice/{slug}/protocollo/in-arrivo/{mid}", kAstiDesk},
      {"POST", "/backoffice/{slug}/protocollo/in-arrivo/{mid}/registra", kAstiDesk},
      {"POST", "/backoffice/{slug}/protocollo/in-arrivo/{mid}/rifiuta", kAstiDesk},
      {"GET", "/backoffice/{slug}/protocollo/in-arrivo/{mid}/documenti/{n}", kAstiDesk},
      {"POST",
       "/backoffice/{slug}/protocollo/{id}/annulla",
       {"asti_manager", "asti_admin"},
       "reason=errore&authorisation=Det.+1"},
      // Programs only, with the body's API key (tested with keys in tests/integration/protocollo_web).
      {"GET", "/api/v1/backoffice/{slug}/protocollo/registrazioni", {}},
      {"POST", "/api/v1/backoffice/{slug}/protocollo/registrazioni", {}},
      {"GET", "/api/v1/backoffice/{slug}/protocollo/registrazioni/{id}", {}},
      {"POST", "/api/v1/backoffice/{slug}/protocollo/registrazioni/{id}/annullamento", {}},
      {"POST", "/api/v1/backoffice/{slug}/protocollo/registrazioni/{id}/classificazione", {}},
      {"GET", "/api/v1/backoffice/{slug}/protocollo/registrazioni/{id}/segnatura", {}},
      {"GET", "/api/v1/backoffice/{slug}/protocollo/registri-giornalieri", {}},
      {"GET", "/api/v1/backoffice/{slug}/protocollo/registri-giornalieri/{rid}/{format}", {}},
      {"GET", "/api/v1/backoffice/{slug}/protocollo/aoo", {}},
      // pagoPA debt positions: programs only (tests/integration/payments_api).
      {"POST", "/api/v1/backoffice/{slug}/pagopa/debt-positions", {}},
      {"POST", "/api/v1/backoffice/{slug}/pagopa/debt-positions/bulk", {}},
      {"GET", "/api/v1/backoffice/{slug}/pagopa/debt-positions", {}},
      {"GET", "/api/v1/backoffice/{slug}/pagopa/debt-positions/{iupd}", {}},
      {"POST", "/api/v1/backoffice/{slug}/pagopa/debt-positions/{iupd}/publish", {}},
      {"POST", "/api/v1/backoffice/{slug}/pagopa/debt-positions/{iupd}/invalidate", {}},
      {"POST", "/api/v1/backoffice/{slug}/pagopa/debt-positions/import", {}},
      {"POST", "/inbound/{slug}/pagopa/paForNode", {}},  // the pagoPA node only (inbound guard): 401
      // pagoPA reconciliation (tests/integration/payments_reconciliation): the body's desk staff; another
      // body's staff get 404. The POSTs here are not multipart: an allowed caller gets the page with 400.
      {"GET", "/backoffice/{slug}/pagamenti/riconciliazione", kAstiDesk},
      {"GET", "/backoffice/{slug}/pagamenti/riconciliazione/export.csv", kAstiDesk},
      // Spontaneous-payment services: the desk reads, office managers and administrators change.
      {"GET", "/backoffice/{slug}/pagamenti/servizi-spontanei", kAstiDesk},
      {"POST", "/backoffice/{slug}/pagamenti/servizi-spontanei", kAstiManagers, "code=prova"},
      // The digital stamp's registry: the body's office managers and administrators (annul_protocol).
      {"GET", "/backoffice/{slug}/contrassegni", kAstiManagers},
      // An unknown identifier: back to the list with a message for those allowed (integration_stamp revokes
      // real ones).
      {"POST", "/backoffice/{slug}/contrassegni/{token}/revoca", kAstiManagers, "motivo=prova"},
      {"POST", "/backoffice/{slug}/pagamenti/riconciliazione/flusso", kAstiManagers},
      {"POST", "/backoffice/{slug}/pagamenti/riconciliazione/estratto-conto", kAstiManagers},
      // No FdR API in this test (sim_pagopa off): 404 for those allowed; page_test covers the pull.
      {"POST", "/backoffice/{slug}/pagamenti/riconciliazione/scarica", {}},
      // The citizen's payments ({iuv}: the test citizen's fine at Asti; {id}: a cart of theirs whose notice
      // the node is paying, so that paying again is refused without calling Checkout).
      {"GET", "/area-personale/pagamenti", {"citizen"}},
      {"POST", "/area-personale/pagamenti", {"citizen"}},
      {"GET", "/area-personale/pagamenti/carrello/{id}", {"citizen"}},
      {"POST", "/area-personale/pagamenti/carrello/{id}", {"citizen"}},
      {"GET", "/area-personale/pagamenti/{slug}/{iuv}/avviso.pdf", {"citizen"}},
      // 404 for everyone but the payer of a receipt (tests/integration/payments_portal).
      {"GET", "/area-personale/pagamenti/{slug}/{iuv}/ricevuta.pdf", {}},
      {"GET", "/area-personale/pagamenti/spontanei/{slug}/{code}", {"citizen"}},
      {"POST", "/area-personale/pagamenti/spontanei/{slug}/{code}", {"citizen"}, "amount=1&pupil=Luca"},
      // A body's debt positions: its desk staff ({id}: the citizen's fine); another body's staff get 404.
      {"GET", "/backoffice/{slug}/pagamenti", kAstiDesk},
      {"GET", "/backoffice/{slug}/pagamenti/{id}", kAstiDesk},
      {"POST", "/backoffice/{slug}/pagamenti/{id}", kAstiManagers, "action=invalidate"},
      {"GET", "/backoffice/{slug}/pagamenti/{id}/avviso.pdf", kAstiDesk},
      {"GET", "/backoffice/{slug}/pagamenti/{id}/ricevuta/{iuv}", {}},  // no receipt yet: 404 for all
      // Online applications: the draft's owner only ({draft} is the test citizen's draft at Asti).
      {"GET", "/{slug}/servizi/{code}/domanda", {"citizen"}},
      {"GET", "/{slug}/domande/{draft}/passo/{step}", {"citizen"}},
      {"POST", "/{slug}/domande/{draft}/passo/{step}", {"citizen"}, "azione=salva"},
      {"GET", "/{slug}/domande/{draft}/riepilogo", {"citizen"}},
      {"POST", "/{slug}/domande/{draft}/invia", {"citizen"}},
      {"GET", "/{slug}/domande/{draft}/ricevuta", {"citizen"}},
      {"GET", "/{slug}/domande/{draft}/ricevuta.pdf", {"citizen"}},
      {"GET", "/area-personale/domande", {"citizen"}},
      // Cases: the body's desk staff; the applicant in their personal area ({id} is the citizen's case).
      {"GET", "/backoffice/{slug}/pratiche", kAstiDesk},
      {"POST", "/backoffice/{slug}/pratiche", kAstiDesk, "bulk=start"},
      {"GET", "/backoffice/{slug}/pratiche/{id}", kAstiDesk},
      {"POST", "/backoffice/{slug}/pratiche/{id}", kAstiDesk, "action=note&text=nota+interna"},
      {"GET", "/backoffice/{slug}/pratiche/{id}/documenti/{doc}", kAstiDesk},
      {"GET", "/area-personale/pratiche", {"citizen"}},
      {"GET", "/area-personale/pratiche/{slug}/{id}", {"citizen"}},
      {"POST", "/area-personale/pratiche/{slug}/{id}", {"citizen"}, "action=message&text=buongiorno"},
      {"GET", "/area-personale/pratiche/{slug}/{id}/documenti/{doc}", {"citizen"}},
      // The body's forms and street list: its desk staff read them, its administrators change them.
      {"GET", "/backoffice/moduli", {"asti_operator", "asti_manager", "asti_admin", "novara_admin"}},
      {"GET", "/backoffice/{slug}/moduli", kAstiDesk},
      {"GET", "/backoffice/{slug}/moduli/{code}", kAstiDesk},
      {"POST", "/backoffice/{slug}/moduli/{code}", {"asti_admin"}, "form_page=1&azione=anteprima"},
      {"GET", "/backoffice/{slug}/stradario", kAstiDesk},
      {"POST", "/backoffice/{slug}/stradario", {"asti_admin"}, "streets=Via+Roma"},
      // The albo pretorio's back office ({id}: one of Asti's demo publications, with no relata yet: its
      // relata routes are 404 for everyone). Publishing: the desk; the rest: managers and administrators.
      // The POSTs lack their fields: an allowed caller gets the page with 400.
      {"GET", "/backoffice/{slug}/albo", kAstiDesk},
      {"GET", "/backoffice/{slug}/albo/nuova", kAstiDesk},
      {"POST", "/backoffice/{slug}/albo/nuova", kAstiDesk},
      {"GET", "/backoffice/{slug}/albo/relate", kAstiDesk},
      {"GET", "/backoffice/{slug}/albo/interruzioni", kAstiDesk},
      {"POST", "/backoffice/{slug}/albo/interruzioni", {"asti_manager", "asti_admin"}},
      {"POST", "/backoffice/{slug}/albo/numerazione", {"asti_manager", "asti_admin"}},
      {"GET", "/backoffice/{slug}/albo/tipi", {"asti_admin"}},
      {"POST", "/backoffice/{slug}/albo/tipi", {"asti_admin"}, "on_avviso=1&days_avviso=15"},
      {"POST", "/backoffice/{slug}/albo/tipi/nuovo", {"asti_admin"}, "name_it=Avviso+di+prova&new_days=15"},
      {"GET", "/backoffice/{slug}/albo/{id}", kAstiDesk},
      {"POST", "/backoffice/{slug}/albo/{id}/annulla", {"asti_manager", "asti_admin"}},
      {"POST", "/backoffice/{slug}/albo/{id}/apri", {"asti_manager", "asti_admin"}},
      {"POST", "/backoffice/{slug}/albo/{id}/relata/conferma", {}},
      {"GET", "/backoffice/{slug}/albo/{id}/relata.pdf", {}},
      {"GET", "/backoffice/{slug}/albo/{id}/avviso.pdf", kAstiDesk},
      {"GET", "/backoffice/{slug}/albo/{id}/documenti/{n}", kAstiDesk},
      {"GET", "/api/v1/backoffice/{slug}/albo/pubblicazioni", {}},
      {"POST", "/api/v1/backoffice/{slug}/albo/pubblicazioni", {}},
      {"GET", "/api/v1/backoffice/{slug}/albo/pubblicazioni/{id}", {}},
      {"POST", "/api/v1/backoffice/{slug}/albo/pubblicazioni/{id}/annullamento", {}},
      // Registry certificates (src/certificates), against the ANPR simulator of SetUp: online, any comune
      // serves anyone registered in ANPR about themselves and their household (the test citizen lives in
      // Asti and may ask at Novara too); the POST issues one with an exemption.
      // {token} is no request of anyone's: 404 for all. The counter: its operators, for any comune.
      {"GET", "/{slug}/certificati", {"citizen"}},
      {"POST", "/{slug}/certificati/anteprima", {"citizen"}, "kind=residenza&subject=CCCFBA85D03L219P"},
      {"POST",
       "/{slug}/certificati",
       {"citizen"},
       "kind=residenza&subject=CCCFBA85D03L219P&mode=exemption&exemption=3"},
      {"GET", "/{slug}/certificati/{token}", {}},
      {"GET", "/{slug}/certificati/{token}/certificato.pdf", {}},
      {"GET", "/sportello-assistito/certificati", {"asti_counter"}},
      {"POST",
       "/sportello-assistito/certificati",
       {"asti_counter"},
       "ente=asti&subject=CCCFBA85D03L219P&kind=residenza&requester_type=2"},
      {"GET", "/sportello-assistito/certificati/{token}/certificato.pdf", {}},
      {"GET", "/sportello-assistito/certificati/{token}/ricevuta", {}},
      // Self-declarations (src/selfdecl): the signed-in person at any comune (the POST issues one about
      // themselves); {token} is nobody's: 404 for all. The body's list: its desk staff.
      {"GET", "/{slug}/autocertificazioni", {"citizen"}},
      {"GET", "/{slug}/autocertificazioni/compila", {"citizen"}},
      {"POST",
       "/{slug}/autocertificazioni",
       {"citizen"},
       "kind=esistenza-vita&f_cognome=CACCAMO&f_nome=FABIO&f_luogo_nascita=TORINO&f_data_nascita=03%2F04%"
       "2F1985"},
      {"GET", "/{slug}/autocertificazioni/{token}", {}},
      {"GET", "/{slug}/autocertificazioni/{token}/autocertificazione.pdf", {}},
      {"GET", "/area-personale/autocertificazioni", {"citizen"}},
      {"GET", "/backoffice/{slug}/autocertificazioni", kAstiDesk},
      // Messaging (docs/messaging.md): the person's messages and channel choices; the body's messages for its
      // desk staff; its message templates for its administrators.
      {"GET", "/area-personale/messaggi", {"citizen"}},
      {"POST", "/area-personale/messaggi/preferenze", {"citizen"}},
      {"GET", "/area-personale/messaggi/{id}", {"citizen"}},
      {"GET", "/backoffice/{slug}/messaggi", kAstiDesk},
      {"GET", "/backoffice/{slug}/messaggi/{id}", kAstiDesk},
      {"POST", "/backoffice/{slug}/messaggi/{id}/riprova", kAstiDesk},
      {"POST", "/backoffice/{slug}/messaggi/{id}/annulla", kAstiDesk},
      {"GET", "/backoffice/{slug}/modelli-messaggi", {"asti_admin"}},
      {"POST", "/backoffice/{slug}/modelli-messaggi", {"asti_admin"}},
      {"POST", "/backoffice/{slug}/modelli-messaggi/ripristina", {"asti_admin"}},
      {"GET", "/area-personale/avvisi", {"citizen"}},
      // Tourist information: the body's desk staff write and submit, its administrators name the sites that
      // may frame the widget, the hub's editors (its administrators) review.
      {"GET", "/backoffice/{slug}/turismo", kAstiDesk},
      {"GET", "/backoffice/{slug}/turismo/nuovo", kAstiDesk},
      {"POST", "/backoffice/{slug}/turismo/nuovo", kAstiDesk,
       "kind=poi&name=Duomo&description_it=La+cattedrale&category=culture"},
      {"GET", "/backoffice/{slug}/turismo/{id}", kAstiDesk},
      {"POST", "/backoffice/{slug}/turismo/{id}", kAstiDesk,
       "kind=poi&name=Duomo&description_it=La+cattedrale&category=culture&version=1"},
      {"POST", "/backoffice/{slug}/turismo/{id}/invia", kAstiDesk, "version=1"},
      // {file}: not the item's picture (it has none): 404 for those allowed (integration_tourism shows
      // real ones), 403 for the others.
      {"GET", "/backoffice/{slug}/turismo/{id}/immagine/{file}", {}},
      {"GET", "/backoffice/revisione-turismo/{slug}/{id}/immagine/{file}", {}},
      {"POST",
       "/backoffice/{slug}/turismo-widget",
       {"asti_admin"},
       "widget_origins=https://www.comune.asti.it"},
      {"GET", "/backoffice/revisione-turismo", {"tourism_editor"}},
      // The help desk's settings (targets, office hours, holidays): the hub's administrators.
      {"GET", "/hub/assistenza/impostazioni", {"hub_admin"}},
      {"POST", "/hub/assistenza/impostazioni", {"hub_admin"}, "action=hours&open=09%3A00&close=18%3A00"},
      // The hub's own staff: its administrators (without an action the POST answers 400 to them).
      {"GET", "/hub/personale", {"hub_admin"}},
      {"POST", "/hub/personale", {"hub_admin"}},
      // Applications through the API: a body's API key only, never a session (integration_helpdesk).
      {"POST", "/api/v1/backoffice/{slug}/applications", {}},
      {"GET", "/api/v1/backoffice/{slug}/applications/{id}", {}},
      // {id}: not an answer (a ticket's id): 404 for the agents (integration_helpdesk edits real ones).
      {"GET", "/hub/assistenza/risposte/{id}", {}},
      {"POST", "/hub/assistenza/risposte/{id}", {}, "action=withdraw&version=1"},
      // The business register at the counter: counter operators; a case only while serving its applicant
      // (none here: 404; tests/integration/tourism/business_register_test.cpp serves one).
      {"GET", "/sportello-assistito/registro-imprese", {"asti_counter"}},
      {"GET", "/sportello-assistito/registro-imprese/{slug}/{id}", {}},
      {"POST", "/sportello-assistito/registro-imprese/{slug}/{id}", {}, "tax_code=01234560017"},
      {"POST",
       "/backoffice/revisione-turismo/{slug}/{id}",
       {"tourism_editor"},
       "decision=return&reason=x&version=1"},
      // A case's business-register check: the body's desk staff (the look-up goes to the demo's simulator).
      {"GET", "/backoffice/{slug}/pratiche/{id}/registro-imprese", kAstiDesk},
      {"POST", "/backoffice/{slug}/pratiche/{id}/registro-imprese", kAstiDesk, "tax_code=01234560017"},
      {"GET", "/backoffice/{slug}/avvisi", kAstiDesk},
      {"POST", "/backoffice/{slug}/avvisi/tetto", {"asti_admin"}, "cap=10"},
      {"GET", "/backoffice/{slug}/avvisi/nuovo", kAstiDesk},
      {"POST", "/backoffice/{slug}/avvisi/nuovo", kAstiDesk},
      {"GET", "/backoffice/{slug}/avvisi/{id}", kAstiDesk},
      {"POST", "/backoffice/{slug}/avvisi/{id}/conferma", kAstiDesk},
      {"POST", "/backoffice/{slug}/avvisi/{id}/pausa", kAstiDesk},
      {"POST", "/backoffice/{slug}/avvisi/{id}/riprendi", kAstiDesk},
      {"POST", "/backoffice/{slug}/avvisi/{id}/annulla", kAstiDesk},
      {"POST", "/inbound/{slug}/sms/ricevuti", {}},  // the SMS gateway only (inbound guard): 401
      // App IO's remote-content call-backs: IO only, with the body's "appio" inbound credential: 401
      // (tests/integration/messaging/web_test.cpp).
      {"GET", "/inbound/{slug}/io/messages/{id}", {}},
      {"GET", "/inbound/{slug}/io/messages/{id}/precondition", {}},
      {"GET", "/inbound/{slug}/io/messages/{id}/attachments/{n}", {}},
      {"POST", "/backoffice/{slug}/modelli-messaggi/impostazioni", {"asti_admin"}, "payment_due_days=3"},
      // The SMS gateway's delivery reports: the gateway only, with its bearer token
      // (tests/integration/messaging).
      {"POST", "/inbound/sms/reports", {}},
      // The body's certificate office: diritti di segreteria and refunds due (manage_payments). The POST sets
      // a fee: an allowed caller is redirected.
      {"GET", "/backoffice/{slug}/certificati", kAstiManagers},
      {"POST", "/backoffice/{slug}/certificati/diritti", kAstiManagers, "fee_residenza=0,50"},
      // A refund recorded as paid: the same staff; without its fields an allowed caller gets the page with
      // 422 (integration_certificates records a real one).
      {"POST", "/backoffice/{slug}/certificati/rimborsi/{request}", kAstiManagers},
      // The population register mirror: the registry office (manage_register: managers and administrators;
      // {id}: Asti's demo import). The upload without its file: an allowed caller gets 400. The citizen's own
      // register data in the personal area.
      {"GET", "/backoffice/{slug}/anagrafe", kAstiManagers},
      {"POST", "/backoffice/{slug}/anagrafe/importa", kAstiManagers},
      {"GET", "/backoffice/{slug}/anagrafe/importazioni/{id}", kAstiManagers},
      {"GET", "/area-personale/anagrafe", {"citizen"}},
      // Background jobs of every body: the hub's administrators ({id} is a queued job: retry refuses it).
      {"GET", "/backoffice/lavori", {"hub_admin"}},
      {"POST", "/backoffice/lavori/{id}/riprova", {"hub_admin"}},
      // The hub's members (docs/hub.md): packages, credits and onboarding for the hub's administrators ({id}:
      // no onboarding draft, 404 for them; drafts are walked in integration_hub); a body's package and
      // credits for its administrators (the POST asks for a level that does not exist: 409 for them).
      {"GET", "/backoffice/enti", {"hub_admin"}},
      {"POST", "/backoffice/enti/nuovo", {"hub_admin"}},
      {"GET", "/backoffice/enti/bozze/{id}", {}},
      {"POST", "/backoffice/enti/bozze/{id}", {}},
      {"POST", "/backoffice/enti/crediti", {"hub_admin"}, "body=asti&credits=1"},
      {"GET", "/backoffice/pacchetti/{package}", {"hub_admin"}},
      {"POST", "/backoffice/pacchetti", {"hub_admin"}},
      {"POST",
       "/backoffice/pacchetti/regole",
       {"hub_admin"},
       "min_high=2&max_high=8&cost_1=1&cost_2=2&cost_3=4&cost_4=5"},
      // The hub's administrators read every body's package (and give credits from it) but do not change its
      // services; the body's logo, its administrators and the hub's (the POST without a picture: 400).
      {"GET", "/backoffice/{slug}/pacchetto", {"asti_admin", "hub_admin"}},
      {"POST", "/backoffice/{slug}/pacchetto", {"asti_admin"}, "service=accesso-atti&level=9"},
      {"GET", "/backoffice/{slug}/stemma", {"asti_admin", "hub_admin"}},
      {"POST", "/backoffice/{slug}/stemma", {"asti_admin", "hub_admin"}},
      // Programs only, with a hub API key (scope hub:write; tests/integration/hub).
      {"POST", "/api/v1/hub/bodies", {}},
      // Leaving the hub (docs/export.md): every body's exports for the hub's administrators, a body's own
      // for its administrators ({id}: a finished export whose folder is gone: 410 to those allowed).
      {"GET", "/backoffice/esportazioni", {"hub_admin"}},
      {"POST", "/backoffice/esportazioni", {"hub_admin"}, "ente=asti"},
      {"GET", "/backoffice/esportazioni/{id}/manifest", {"hub_admin"}},
      {"GET", "/backoffice/{slug}/esportazione", {"asti_admin"}},
      {"POST", "/backoffice/{slug}/esportazione", {"asti_admin"}},
      {"GET", "/backoffice/{slug}/esportazione/{id}/manifest", {"asti_admin"}},
      // A link to download the archive (the folder is gone: 410 to those allowed); the download itself
      // needs a link's token ({token}: none such, 404 for every member of staff; integration_export).
      {"POST", "/backoffice/esportazioni/{id}/collegamento", {"hub_admin"}},
      {"POST", "/backoffice/{slug}/esportazione/{id}/collegamento", {"asti_admin"}},
      {"GET", "/backoffice/scarica-esportazione/{token}", {}},
      // Digital preservation (docs/conservazione.md): the packages for the registry's managers ({id}: a
      // refused package of Asti's, so sending it again is allowed), what to preserve for administrators;
      // the packages as JSON for programs (an API key with protocollo:read;
      // tests/integration/conservazione_web).
      {"GET", "/backoffice/{slug}/conservazione", kAstiManagers},
      {"GET", "/backoffice/{slug}/conservazione/impostazioni", {"asti_admin"}},
      {"POST",
       "/backoffice/{slug}/conservazione/impostazioni",
       {"asti_admin"},
       "classe=documenti_protocollo"},
      {"GET", "/backoffice/{slug}/conservazione/{id}", kAstiManagers},
      {"POST", "/backoffice/{slug}/conservazione/{id}/riprova", kAstiManagers},
      {"GET", "/api/v1/backoffice/{slug}/conservazione/pacchetti", {}},
      // Data protection (docs/privacy.md): the body's records of processing; a person's own data.
      {"GET", "/backoffice/{slug}/registro-trattamenti", {"asti_admin"}},
      {"GET", "/backoffice/{slug}/registro-trattamenti.csv", {"asti_admin"}},
      {"GET", "/backoffice/{slug}/registro-trattamenti.json", {"asti_admin"}},
      {"POST",
       "/backoffice/{slug}/registro-trattamenti/{activity}",
       {"asti_admin"},
       "purpose_it=Istanze+online"},
      // The body's own retention periods (a valid period: saved for those allowed).
      {"POST", "/backoffice/{slug}/periodi-conservazione", {"asti_admin"}, "drafts_days=200"},
      {"GET", "/area-personale/i-miei-dati", {"citizen"}},
      {"GET", "/area-personale/i-miei-dati.json", {"citizen"}},
      // Statistics (docs/statistics.md): the hub's across every body for its administrators; a body's for
      // its office managers and administrators (Novara's administrator is refused Asti's).
      {"GET", "/backoffice/statistiche", {"hub_admin"}},
      {"GET", "/backoffice/statistiche.csv", {"hub_admin"}},
      {"GET", "/backoffice/statistiche.json", {"hub_admin"}},
      {"GET", "/backoffice/{slug}/statistiche", kAstiManagers},
      {"GET", "/backoffice/{slug}/statistiche.csv", kAstiManagers},
      {"GET", "/backoffice/{slug}/statistiche.json", kAstiManagers},
      // The help desk (docs/helpdesk.md): a body's tickets for its desk staff ({id}: an Asti ticket; the
      // POSTs without their fields answer 400 to those allowed); the hub's queue for its agents only.
      {"GET", "/backoffice/{slug}/assistenza", kAstiDesk},
      {"GET", "/backoffice/{slug}/assistenza/nuova", kAstiDesk},
      {"POST", "/backoffice/{slug}/assistenza/nuova", kAstiDesk},
      {"GET", "/backoffice/{slug}/assistenza/{id}", kAstiDesk},
      {"POST", "/backoffice/{slug}/assistenza/{id}", kAstiDesk, "text=una+risposta"},
      {"GET", "/hub/assistenza", {"helpdesk"}},
      {"GET", "/hub/assistenza/nuova", {"helpdesk"}},
      {"POST", "/hub/assistenza/nuova", {"helpdesk"}},
      {"GET", "/hub/assistenza/risposte", {"helpdesk"}},
      {"POST", "/hub/assistenza/risposte", {"helpdesk"}},
      {"GET", "/hub/assistenza/{id}", {"helpdesk"}},
      // {n}: no attachment of that number: 404 for everyone (integration_helpdesk downloads real ones).
      {"GET", "/backoffice/{slug}/assistenza/{id}/allegati/{n}", {}},
      {"GET", "/hub/assistenza/{id}/allegati/{n}", {}},
      {"POST", "/hub/assistenza/{id}", {"helpdesk"}, "action=note&text=nota+interna"},
      // Programs only, with the body's API key (scope helpdesk:read; tests/integration/helpdesk).
      {"GET", "/api/v1/backoffice/{slug}/assistenza/{id}", {}},
  };
  return all;
}

// Routes anyone may use (public information, sign-in steps, machine-readable metadata).
const std::set<std::string> kPublic = {
    "GET /.well-known/jwks.json", "GET /.well-known/openid-federation", "GET /resolve", "GET /verifica",
    "POST /verifica", "GET /lang/{lang}", "GET /accedi", "GET /accedi/{provider}", "GET /auth/callback",
    "GET /backoffice/accedi", "POST /backoffice/accedi", "GET /backoffice/password-dimenticata",
    "POST /backoffice/password-dimenticata", "GET /backoffice/reimposta-password",
    "POST /backoffice/reimposta-password", "GET /{slug}/tema.css",
    "GET /{slug}/stemma",       // the body's logo in its portal's header
    "GET /{slug}/chiavi.json",  // the body's public stamp keys (core/keys): meant for anyone who verifies
    "GET /", "GET /servizi", "GET /{slug}/", "GET /{slug}", "GET /{slug}/servizi/{code}",
    "GET /api/v1/bodies", "GET /api/v1/bodies/{slug}", "GET /api/v1/bodies/{slug}/services",
    "GET /api/v1/bodies/{slug}/services/{code}", "GET /api/v1/services", "GET /api/v1/life-events",
    "GET /api/v1/codice-fiscale/{code}", "GET /api/v1/partita-iva/{code}",
    // A citizen's app or a bank checks a pagoPA notice number (no personal data).
    "GET /api/v1/pagopa/notice-numbers/{nav}",
    // Demo-only simulators (mounted when demo = true, as in this test).
    "GET /sim/posta", "GET /sim/sms/messages", "POST /sim/sms/messages", "POST /sim/sms/guasto",
    "GET /sim/appio/api/v1/profiles/{fiscal_code}", "POST /sim/appio/api/v1/messages",
    "GET /sim/appio/api/v1/messages/{fiscal_code}/{id}", "GET /sim/appio/received",
    // A receipt is 404 for everyone but its operator and its citizen (tests/integration/delegations).
    "GET /sportello-assistito/ricevuta/{id}", "GET /sportello-assistito/ricevuta/{id}/pdf",
    // A redirect to the counter's page, which checks the role.
    "GET /sportello-assistito",
    // The catalog's certificate service: a redirect to the certificates' page, which checks the person.
    "GET /{slug}/servizi/certificato-anagrafico/domanda",
    // The catalog's self-declaration service: a redirect to the self-declarations' page, which checks the
    // person.
    "GET /{slug}/servizi/autocertificazione-precompilata/domanda",
    // Every body's and the hub's contacts, privacy notice, accessibility statement and legal notes.
    "GET /{slug}/contatti", "GET /{slug}/privacy", "GET /{slug}/accessibilita", "GET /{slug}/note-legali",
    "GET /contatti", "GET /privacy", "GET /accessibilita", "GET /note-legali",
    // The albo pretorio online: public by law (L. 69/2009 art. 32), never indexed.
    "GET /albo", "GET /albo/feed.rss", "GET /albo/feed.atom", "GET /{slug}/albo", "GET /{slug}/albo/feed.rss",
    "GET /{slug}/albo/feed.atom", "GET /{slug}/albo/{year}/{number}",
    "GET /{slug}/albo/{year}/{number}/documenti/{n}",
    // Alerts to the population: the body's alerts, subscribing by a code, stopping by the link's token.
    "GET /{slug}/avvisi", "POST /{slug}/avvisi/iscrizione", "GET /{slug}/avvisi/iscrizione/{id}",
    "POST /{slug}/avvisi/iscrizione/{id}", "POST /{slug}/avvisi/iscrizione/{id}/nuovo-codice",
    "GET /{slug}/avvisi/stop", "POST /{slug}/avvisi/stop",
    // AgID's SOAP interfaces of each registry office, for other administrations' registries (the message is
    // believed for its signature; tests/integration/protocollo_registry).
    "POST /interop/soap/{ipa}/{aoo}/destinatario", "POST /interop/soap/{ipa}/{aoo}/mittente",
    // Tourist information: published items only, on the portal, in the feeds and in the widget.
    "GET /turismo", "GET /turismo/feed.json", "GET /turismo/feed.atom", "GET /{slug}/turismo",
    "GET /{slug}/turismo/feed.json", "GET /{slug}/turismo/feed.atom", "GET /{slug}/turismo/widget",
    "GET /{slug}/turismo/widget.html", "GET /{slug}/turismo/{id}",
    "GET /{slug}/turismo/{id}/immagine/{file}"};

// The demo application on one database, with a record of Asti's behind every {id} of the table and a
// session for every actor. Made once per database for the whole suite (RoleRouteTest::SetUp), not once per
// case: the App, the records, an interoperable message and a daily register, built six times before.
class RouteWorld {
 public:
  void build(sp::db::Dialect dialect) {
    files_ = std::make_unique<sp::testing::TempDir>();
    sp::Config config = sp::load_config("").value();
    config.demo = true;
    config.sim_pagopa = false;  // no FdR API: the pull button answers 404 (page_test covers it)
    config.share_dir = sp::testing::source_dir();
    config.oidc_rp_key_file = sp::testing::shared_rp_key_file();
    config.access_log = false;
    // ANPR for the certificates' routes: the simulator, with Asti's and Novara's credentials.
    sp::anpr::sim::SimulatorOptions anpr;
    anpr.population_files = {sp::testing::source_dir() + "/data/demo/population.jsonl"};
    anpr.credentials = {{"asti-anpr", "005005"}, {"novara-anpr", "003106"}};
    anpr.share_dir = sp::testing::source_dir();
    anpr_ = sp::anpr::sim::start_simulator_thread(anpr, 0);
    config.anpr_url = anpr_->url() + sp::anpr::sim::kServicePath;
    config.anpr_credentials = "005005=asti-anpr,003106=novara-anpr";
    database_ = sp::testing::demo_database(dialect, config);
    config.database = database_->url();
    app_ = std::make_unique<sp::app::App>(config);
    hooks_ = app_->hooks();
    options_ = app_->server_options();
    options_.static_dir.clear();
    sessions_ = std::make_unique<sp::identity::SessionService>(app_->database(), sp::time::system_clock());
    for (const auto& a : actors()) tokens_[a.name] = sign_in(a);
    // A record of Asti's for the routes with {id}: a parent's declared relation, waiting for Asti's staff.
    sp::identity::Principal parent;
    parent.kind = PrincipalKind::person;
    parent.subject = "FRRNNA78S70A479X";
    parent.roles = {Role::citizen};
    parent.auth_level = 2;
    sp::tenants::TenantService tenants(app_->database());
    tenants.reload();
    asti_ = tenants.by_slug("asti")->id;
    // The test citizen has signed in before (the profile pages need a person record).
    sp::identity::PersonStore people(app_->database());
    sp::identity::Person fabio;
    fabio.fiscal_code = "CCCFBA85D03L219P";
    fabio.given_name = "Fabio";
    fabio.family_name = "Caccamo";
    app_->database().write(
        [&](sp::db::Conn& tx) { people.upsert_from_sign_in(tx, fabio, "2026-11-23T10:00:00Z"); });
    auto d =
        app_->delegations().declare_minor(&parent, {asti_, "FRRLCU15C09A479M", "Luca Ferraro", "parent"});
    ASSERT_TRUE(d.ok()) << d.error().code;
    record_id_ = d->id;
    // An Asti protocol entry registered yesterday with a stored document, and yesterday's daily register.
    sp::time::TestClock yesterday(sp::time::system_clock().now() - std::chrono::hours(24));
    sp::protocollo::ProtocolService protocol(app_->database(), yesterday);
    sp::files::FileService files(app_->database(), yesterday, sp::files::Options{});
    sp::protocollo::NewEntry e;
    e.aoo_id = protocol.aoos(asti_).at(0).id;
    e.subject = "Istanza";
    e.correspondents = {{sp::protocollo::CorrespondentKind::person, "Mario Rossi", "", "", ""}};
    app_->database().write([&](sp::db::Conn& tx) {
      auto f = files.put(tx, asti_, "istanza.txt", "testo dell'istanza", sp::files::Limits{});
      ASSERT_TRUE(f.ok());
      e.documents = {
          {sp::protocollo::DocumentRole::primary, f->file_name, f->mime_type, f->size, f->sha256, f->id}};
      auto r = protocol.register_entry(tx, sp::protocollo::SystemActor{"test"}, asti_, e);
      ASSERT_TRUE(r.ok());
      protocol_id_ = r->id;
    });
    // A protocol message from Casale Monferrato's registry office to Asti's, for the queue's {mid}.
    {
      const auto casale = tenants.by_slug("casale-monferrato")->id;
      const auto asti_aoo = protocol.aoos(asti_).at(0);
      sp::protocollo::Correspondent to{sp::protocollo::CorrespondentKind::body, "Comune di Asti", "", "", ""};
      to.ipa_code = asti_aoo.admin_code;
      to.aoo_code = asti_aoo.code;
      sp::protocollo::NewEntry out;
      out.aoo_id = protocol.aoos(casale).at(0).id;
      out.direction = sp::protocollo::Direction::outgoing;
      out.subject = "Trasmissione";
      out.correspondents = {to};
      std::string out_id;
      app_->database().write([&](sp::db::Conn& tx) {
        auto f = files.put(tx, casale, "nota.txt", "testo della nota", sp::files::Limits{});
        ASSERT_TRUE(f.ok());
        out.documents = {
            {sp::protocollo::DocumentRole::primary, f->file_name, f->mime_type, f->size, f->sha256, f->id}};
        auto r = protocol.register_entry(tx, sp::protocollo::SystemActor{"test"}, casale, out);
        ASSERT_TRUE(r.ok());
        out_id = r->id;
      });
      auto sent = app_->interop().send(sp::protocollo::SystemActor{"test"}, casale, out_id);
      ASSERT_TRUE(sent.ok()) << sent.error().code << " " << sent.error().detail;
      auto inbox = app_->interop().inbox(sp::protocollo::SystemActor{"test"}, asti_);
      ASSERT_TRUE(inbox.ok() && inbox->size() == 1u);
      ASSERT_TRUE(inbox->front().check_code.empty()) << inbox->front().check_code;
      interop_message_id_ = inbox->front().id;
    }
    sp::protocollo::DailyRegisterService registers(app_->database(), sp::time::system_clock(),
                                                   sp::testing::locales());
    ASSERT_GE(registers.catch_up().produced, 1);
    auto list = registers.list_for(asti_, {});
    ASSERT_TRUE(list.ok() && !list->empty());
    register_id_ = std::to_string(list->front().id);
    // The test citizen's draft of an Asti application (a random id in its URLs).
    auto started = call("GET", "/asti/servizi/accesso-atti/domanda", "citizen");
    for (const auto& [k, v] : started.headers)
      if (k == "Location" || k == "location") draft_id_ = v.substr(14, 43);  // "/asti/domande/<id>/passo/1"
    ASSERT_EQ(draft_id_.size(), 43u) << started.status;
    // A case of the test citizen at Asti, with its application document.
    sp::catalog::CatalogService catalog(app_->database());
    sp::protocollo::ProtocolService registry(app_->database(), sp::time::system_clock());
    sp::files::FileService case_files(app_->database(), sp::time::system_clock());
    sp::cases::CaseService cases(app_->database(), sp::time::system_clock(), registry, case_files, catalog,
                                 tenants);
    sp::identity::Principal fabio_p;
    fabio_p.kind = PrincipalKind::person;
    fabio_p.subject = "CCCFBA85D03L219P";
    fabio_p.display_name = "Fabio Caccamo";
    fabio_p.roles = {Role::citizen};
    fabio_p.auth_level = 2;
    sp::cases::Submission sub;
    sub.service_code = "occupazione-suolo-pubblico";
    sub.form_code = sub.service_code;
    sub.submission_key = "role-route-test";
    sub.summary = {{"Area", "Piazza Alfieri"}};
    auto submitted = cases.submit(&fabio_p, asti_, sub);
    ASSERT_TRUE(submitted.ok()) << submitted.error().code << " " << submitted.error().detail;
    case_id_ = submitted->c.id;
    auto view = cases.get(&fabio_p, asti_, case_id_);
    ASSERT_TRUE(view.ok() && !view->documents.empty());
    case_doc_id_ = view->documents.front().id;
    // A message of the test citizen's from Asti, for the messages pages' {id}.
    app_->database().write([&](sp::db::Conn& tx) {
      sp::messaging::Message m;
      m.tenant_id = asti_;
      m.recipient = "fabio.caccamo@example.org";
      m.subject = "Domanda ricevuta";
      m.body = "La sua domanda è stata ricevuta.";
      m.person = "CCCFBA85D03L219P";
      auto id = sp::messaging::enqueue(tx, m);
      ASSERT_TRUE(id.ok());
      message_id_ = *id;
    });
    // A queued job for the jobs page's {id}.
    app_->database().write([&](sp::db::Conn& tx) {
      auto j = sp::jobs::enqueue(tx, sp::jobs::NewJob{"test.noop", 0, "", "", std::nullopt},
                                 sp::time::system_clock().now());
      ASSERT_TRUE(j.ok() && j->has_value());
      job_id_ = std::to_string(**j);
    });
    // The test citizen's fine (demo data), a cart of theirs with it, and the node paying it meanwhile.
    auto fine = app_->payments().positions_of("CCCFBA85D03L219P").at(0).options.at(0);
    fine_iuv_ = fine.iuv;
    cart_id_ = "0123456789abcdef0123456789abcdef";
    sp::payments::Cart cart{
        cart_id_,
        "CCCFBA85D03L219P",
        "",
        sp::payments::CartState::redirected,
        "2026-01-01T00:00:00.000Z",
        "2026-01-01T00:00:00.000Z",
        {{1, asti_, fine.iuv, fine.nav, fine.amount, "00072360050", "Comune di Asti", fine.description}}};
    app_->database().write([&](sp::db::Conn& tx) { sp::payments::PortalStore::insert_cart(tx, cart); });
    ASSERT_TRUE(app_->station().activate(asti_, fine.iuv, "node").ok());
    // One of Asti's demo publications on the albo.
    auto board = app_->albo().archive(sp::albo::SystemActor{"test"}, asti_, sp::albo::BoardQuery{});
    ASSERT_TRUE(board.ok() && !board->empty());
    albo_id_ = board->front().id;
    // Asti's import of the demo's residents.
    auto imports = app_->anagrafe().imports(asti_, 1);
    ASSERT_FALSE(imports.empty());
    import_id_ = std::to_string(imports.front().id);
    // A draft alert of Asti's.
    sp::identity::Principal op;
    op.kind = PrincipalKind::staff;
    op.subject = "test-operator";
    op.tenant_id = asti_;
    op.roles = {Role::operator_};
    auto alert = app_->alerts().create(
        &op, asti_, {"water_cut", "Acqua sospesa", "Domani dalle 8 alle 12.", "all", "", ""});
    ASSERT_TRUE(alert.ok()) << alert.error().code;
    alert_id_ = *alert;
    // A help-desk ticket of Asti's.
    auto ticket = app_->helpdesk().open(&op, asti_, {"services", "normal", "Prova", "Testo della prova", ""});
    ASSERT_TRUE(ticket.ok()) << ticket.error().code;
    ticket_id_ = ticket->id;
    // A point of interest of Asti's, in draft.
    auto place = app_->tourism().save(
        &op, asti_, "", {"poi", "Duomo", "La cattedrale.", "", "culture", "", "", "", "", "", "", ""});
    ASSERT_TRUE(place.ok()) << place.error().code;
    tourism_id_ = place->id;
    // A finished export of Asti (its folder is not there: the manifest answers 410 to those allowed).
    export_id_ = "access-test-export";
    app_->database().write([&](sp::db::Conn& tx) {
      tx.exec(
          "INSERT INTO export_runs (id, tenant_id, state, requested_by, requested_at, out_dir) "
          "VALUES ($1, $2, 'done', 'test', '2026-01-01T00:00:00.000Z', '/nonexistent/export')",
          {export_id_, asti_});
    });
    add_preservation_package();
  }

  // A package of Asti's refused by the conservator, for the preservation pages' {id}.
  void add_preservation_package() {
    app_->database().write([&](sp::db::Conn& tx) {
      tx.exec(
          "INSERT INTO conservazione_packages (id, tenant_id, class, object_id, title, idempotency_key, "
          "index_xml, index_sha256, audit_head_seq, audit_head_hash, due_day, state, attempts, "
          "next_attempt_at, "
          "last_error, created_at) VALUES ($1, $2, 'registro_giornaliero', '0', 'AOO 2026-01-01', "
          "'sportello-access-test', '<x/>', '', 0, '', '2026-01-02', 'rejected', 1, '2026-01-01T00:00:00Z', "
          "'SIM-REJECT: test', '2026-01-01T00:00:00Z')",
          {package_id_, asti_});
    });
  }

  std::string fill(std::string pattern, const std::string& slug) const {
    const bool protocol = pattern.find("/protocollo") != std::string::npos;
    auto put = [&](const std::string& name, const std::string& value) {
      if (auto pos = pattern.find(name); pos != std::string::npos) pattern.replace(pos, name.size(), value);
    };
    put("{slug}", slug);
    const bool a_case = pattern.find("/pratiche") != std::string::npos;
    const bool a_job = pattern.find("/lavori") != std::string::npos;
    const bool a_cart = pattern.find("/pagamenti/carrello/") != std::string::npos;
    const bool a_position = !a_cart && pattern.find("/pagamenti/") != std::string::npos;
    const bool a_publication = pattern.find("/albo/") != std::string::npos;
    const bool an_import = pattern.find("/anagrafe/importazioni/") != std::string::npos;
    const bool a_message = pattern.find("/messaggi/") != std::string::npos;
    const bool an_alert = pattern.find("/avvisi/") != std::string::npos;
    const bool an_export = pattern.find("/esportazion") != std::string::npos;
    const bool a_ticket = pattern.find("/assistenza/") != std::string::npos;
    const bool a_package = pattern.find("/conservazione/") != std::string::npos;
    const bool a_tourism_item = pattern.find("turismo") != std::string::npos;
    put("{activity}", "applications");
    put("{id}", a_tourism_item  ? tourism_id_
                : a_ticket      ? ticket_id_
                : a_package     ? package_id_
                : an_alert      ? alert_id_
                : an_export     ? export_id_
                : a_message     ? message_id_
                : protocol      ? protocol_id_
                : an_import     ? import_id_
                : a_publication ? albo_id_
                : a_case        ? case_id_
                : a_job         ? job_id_
                : a_cart        ? cart_id_
                : a_position    ? "ASTI-VERBALE-2026-000123"
                                : record_id_);
    put("{iuv}", fine_iuv_);
    if (pattern.find("/spontanei/") != std::string::npos) put("{code}", "ricarica-mensa");
    put("{doc}", case_doc_id_);
    put("{rid}", register_id_);
    put("{mid}", interop_message_id_);
    put("{format}", "pdf");
    put("{n}", "0");
    put("{code}", "occupazione-suolo-pubblico");  // offered online by Asti, not by Novara
    put("{draft}", draft_id_);
    put("{package}", "comune-piccolo");
    put("{step}", "1");
    return pattern;
  }

  std::string sign_in(const Actor& a) {
    if (a.name == "anonymous") return {};
    if (a.person) {
      return sessions_
          ->start(NewSession{PrincipalKind::person, "CCCFBA85D03L219P", 0, {Role::citizen}, 2, "Fabio"})
          .token;
    }
    auto ns = sp::testing::staff_sign_in(app_->staff(), app_->database(), a.email, a.password);
    EXPECT_TRUE(ns.ok()) << a.email << ": " << (ns.ok() ? "" : ns.error().code);
    return ns.ok() ? sessions_->start(*ns).token : std::string();
  }

  sp::http::Response call(const std::string& method, const std::string& path, const std::string& actor,
                          const std::string& form = {}) {
    sp::http::Request req;
    req.method = method;
    req.target = path;
    req.path = path;
    req.remote_addr = "127.0.0.1";
    req.headers.emplace_back("host", "localhost");
    const auto& token = tokens_[actor];
    std::string cookie = "sp_csrf=t0k3n-for-the-double-submit-check-000000";
    if (!token.empty()) cookie += "; sp_session=" + token;
    req.headers.emplace_back("cookie", cookie);
    if (method == "POST") {
      // A valid CSRF token for this actor, so that only the role decides.
      std::string csrf = "t0k3n-for-the-double-submit-check-000000";
      if (!token.empty()) {
        // A session's token does not change while it lasts: looked up once per session.
        auto known = csrf_by_token_.find(token);
        if (known == csrf_by_token_.end()) {
          if (auto p = sessions_->resume(token)) known = csrf_by_token_.emplace(token, p->csrf_token).first;
        }
        if (known != csrf_by_token_.end()) csrf = known->second;
      }
      req.headers.emplace_back("content-type", "application/x-www-form-urlencoded");
      req.body = "_csrf=" + csrf + (form.empty() ? "" : "&" + form);
    }
    return sp::http::dispatch(app_->router(), hooks_, options_, req);
  }

  static Outcome classify(const sp::http::Response& r) {
    if (r.status == 403) return Outcome::denied;
    if (r.status == 404) return Outcome::not_found;  // nothing disclosed
    if (r.status == 401) return Outcome::sign_in;
    if (r.status == 303 || r.status == 302) {
      for (const auto& [k, v] : r.headers) {
        if ((k == "Location" || k == "location") &&
            (v.rfind("/accedi", 0) == 0 || v.rfind("/backoffice/accedi", 0) == 0)) {
          return Outcome::sign_in;
        }
      }
    }
    return Outcome::allowed;
  }

  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<sp::testing::TempDir> files_;
  std::unique_ptr<sp::anpr::sim::RunningSimulator> anpr_;
  std::unique_ptr<sp::app::App> app_;
  sp::http::Hooks hooks_;
  sp::http::ServerOptions options_;
  std::unique_ptr<sp::identity::SessionService> sessions_;
  std::map<std::string, std::string> tokens_;
  std::map<std::string, std::string> csrf_by_token_;
  sp::tenants::TenantId asti_ = 0;
  std::string record_id_;
  std::string import_id_;
  std::string interop_message_id_;
  std::string protocol_id_;
  std::string register_id_;
  std::string draft_id_;
  std::string case_id_;
  std::string case_doc_id_;
  std::string message_id_;
  std::string job_id_;
  std::string fine_iuv_;
  std::string cart_id_;
  std::string albo_id_;
  std::string alert_id_;
  std::string export_id_;
  std::string ticket_id_;
  std::string package_id_ = "01890000-0000-7000-8000-00000000acce";
  std::string tourism_id_;
};

// Every test of a database walks the same world: a refused request changes nothing but the audit log, an
// allowed POST acts on its own body's records as the real form would (nothing another rule's outcome
// depends on), and a sign-out signs the actor in again.
class RoleRouteTest : public ::testing::TestWithParam<sp::db::Dialect> {
 protected:
  static std::map<sp::db::Dialect, std::unique_ptr<RouteWorld>>& worlds() {
    static std::map<sp::db::Dialect, std::unique_ptr<RouteWorld>> all;
    return all;
  }
  static void TearDownTestSuite() { worlds().clear(); }

  void SetUp() override {
    auto& world = worlds()[GetParam()];
    if (!world) {
      auto made = std::make_unique<RouteWorld>();
      made->build(GetParam());
      if (HasFatalFailure()) return;  // the next test builds it again and reports the same failure
      world = std::move(made);
    }
    w_ = world.get();
  }

  std::string fill(const std::string& pattern, const std::string& slug) const {
    return w_->fill(pattern, slug);
  }
  sp::http::Response call(const std::string& method, const std::string& path, const std::string& actor,
                          const std::string& form = {}) {
    return w_->call(method, path, actor, form);
  }
  static Outcome classify(const sp::http::Response& r) { return RouteWorld::classify(r); }

  RouteWorld* w_ = nullptr;
};

TEST_P(RoleRouteTest, EveryRouteIsEitherPublicOrInTheTable) {
  std::set<std::string> known = kPublic;
  for (const auto& r : rules()) known.insert(r.method + " " + r.pattern);
  // Each body's relying party publishes its federation documents, and has its sign-in callback, under
  // its IPA code (docs/oidc.md): public by nature (as /auth/callback), one literal route per body.
  const std::regex federation(
      R"(^GET /c_[a-z0-9]+/(\.well-known/(jwks\.json|openid-federation)|resolve|callback)$)");
  for (const auto& [method, pattern] : w_->app_->router().routes()) {
    if (std::regex_match(method + " " + pattern, federation)) continue;
    EXPECT_TRUE(known.count(method + " " + pattern))
        << "route without an access rule: " << method << " " << pattern;
  }
}

TEST_P(RoleRouteTest, EveryRoleAgainstEveryProtectedRoute) {
  for (const auto& rule : rules()) {
    const std::string path = fill(rule.pattern, "asti");
    for (const auto& actor : actors()) {
      auto r = call(rule.method, path, actor.name, rule.form);
      auto outcome = classify(r);
      // Signing out ends the session: sign in again for the next routes.
      if (rule.pattern.rfind("/esci", 0) == 0) w_->tokens_[actor.name] = w_->sign_in(actor);
      const bool may = rule.allowed.count(actor.name) > 0;
      if (may) {
        EXPECT_EQ(outcome, Outcome::allowed)
            << actor.name << " " << rule.method << " " << path << " → " << r.status;
        EXPECT_LT(r.status, 500) << actor.name << " " << rule.method << " " << path;
      } else if (actor.name == "anonymous") {
        EXPECT_NE(outcome, Outcome::allowed)
            << "anonymous " << rule.method << " " << path << " → " << r.status;
      } else {
        EXPECT_NE(outcome, Outcome::allowed)
            << actor.name << " " << rule.method << " " << path << " → " << r.status;
      }
    }
  }
}

TEST_P(RoleRouteTest, NobodyReachesAnotherBodysPagesAndEachRefusalIsLogged) {
  // Novara's pages, tried by everybody of Asti and the hub: never allowed.
  for (const auto& rule : rules()) {
    if (rule.pattern.find("{slug}") == std::string::npos) continue;
    // Asti's record under Novara's URL, or Novara's pages: never reachable from outside Novara.
    const std::string path = fill(rule.pattern, "novara");
    for (const auto& actor : actors()) {
      if (actor.name == "novara_admin") continue;
      // A hub role a rule allows on a body's page holds for every body (the hub's administrator reads each
      // body's package and logo): Novara's page is not another body's for it.
      if (actor.name == "hub_admin" && rule.allowed.count("hub_admin")) continue;
      // A citizen's own certificates at another comune: ANPR is one national register and any comune
      // issues (issue 15), so Novara's certificate pages serve Asti's resident too.
      // The same for self-declarations: a person declares at any member body's portal.
      if (actor.name == "citizen" &&
          (rule.pattern.rfind("/{slug}/certificati", 0) == 0 ||
           rule.pattern.rfind("/{slug}/autocertificazioni", 0) == 0) &&
          rule.pattern.find("{token}") == std::string::npos) {
        if (rule.method == "GET")
          EXPECT_EQ(classify(call(rule.method, path, actor.name, rule.form)), Outcome::allowed) << path;
        continue;
      }
      auto r = call(rule.method, path, actor.name, rule.form);
      EXPECT_NE(classify(r), Outcome::allowed)
          << actor.name << " " << rule.method << " " << path << " → " << r.status;
    }
    const bool names_a_record = rule.pattern.find("{id}") != std::string::npos ||
                                rule.pattern.find("{rid}") != std::string::npos ||
                                rule.pattern.find("{mid}") != std::string::npos;
    if (rule.allowed.count("asti_admin") && !names_a_record) {
      auto own = call(rule.method, path, "novara_admin");
      EXPECT_EQ(classify(own), Outcome::allowed) << "novara_admin " << rule.method << " " << path;
    } else if (names_a_record) {
      // Asti's record is not Novara's either, under any URL.
      auto other = call(rule.method, fill(rule.pattern, "asti"), "novara_admin", rule.form);
      EXPECT_NE(classify(other), Outcome::allowed) << "novara_admin " << rule.method << " " << rule.pattern;
    }
  }
  // The refusals of signed-in staff are in Novara's audit log.
  sp::audit::AuditService audit(w_->app_->database());
  sp::tenants::TenantService tenants(w_->app_->database());
  tenants.reload();
  auto body = tenants.by_slug("novara");
  ASSERT_NE(body, nullptr);
  sp::audit::Query q;
  q.action = "access.denied";
  q.limit = 500;
  auto page = audit.entries(body->id, q);
  std::set<std::string> who;
  for (const auto& e : page.entries) who.insert(e.entry.actor_id);
  EXPECT_GE(page.entries.size(), 4u);
  EXPECT_TRUE(audit.verify(body->id).intact);
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, RoleRouteTest,
                         ::testing::Values(sp::db::Dialect::sqlite, sp::db::Dialect::postgres),
                         [](const auto& info) {
                           return info.param == sp::db::Dialect::sqlite ? "sqlite" : "postgres";
                         });

}  // namespace
