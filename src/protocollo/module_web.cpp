#include "protocollo/module_web.hpp"

#include "protocollo/register_job.hpp"

namespace sp::protocollo {

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& d,
                                const identity::Module& identity) {
  auto m = std::make_unique<Module>();
  m->protocol = std::make_unique<ProtocolService>(d.db, d.clock, d.files);
  m->registers = std::make_unique<DailyRegisterService>(d.db, d.clock, d.i18n);
  m->registers->set_actor_name([names = identity.actor_names.get()](const std::string& who) {
    return names ? names->name(who, "it") : std::string();
  });
  register_daily_register_job(d.jobs, *m->registers);
  // AgID's schemas are reference data outside the project (../shared/agid, docs/protocollo-interop.md):
  // agid_schema_dir names their folder, by default next to the share folder; the CAs the hub trusts for
  // incoming segnature besides its members' certificates: agid_trusted_ca_file (core/config.hpp).
  InteropOptions interop;
  interop.keys_dir = d.config.keys_dir;
  interop.schema_dir = agid_schema_dir(d.config);
  interop.trusted_ca_file = d.config.agid_trusted_ca_file;
  interop.soap_endpoints_file = d.config.agid_soap_endpoints;
  // Who may call the SOAP interfaces (docs/protocollo-interop.md): the hub checks unless a gateway does.
  interop.soap_gateway = d.config.agid_soap_gateway;
  interop.soap_public_base = d.config.public_url + "/interop/soap";
  interop.soap_clock_skew = std::chrono::seconds(d.config.agid_soap_clock_skew_s);
  m->interop = std::make_unique<InteropService>(d.db, d.clock, d.i18n, *m->protocol, d.files, d.tenants(),
                                                std::move(interop));
  m->interop->register_soap_job(d.jobs);
  m->protocol->set_annul_listener(
      [svc = m->interop.get()](db::Conn& tx, tenants::TenantId tenant, const Entry& e, const Annulment& a) {
        svc->on_annulled(tx, tenant, e, a);
      });
  m->web = std::make_unique<WebDeps>(WebDeps{d.view(), *m->protocol, *m->registers, d.files, d.tenants(),
                                             identity.actor_names.get(), m->interop.get()});
  register_pages(router, *m->web);
  register_api(router, *m->web);
  // Where documents are uploaded: the registry's form and API (base64 in JSON is a third larger).
  m->upload_prefixes = {"/backoffice/*/protocollo/nuovo", "/api/v1/backoffice/*/protocollo/registrazioni",
                        "/interop/soap/*/*/destinatario"};
  return m;
}

}  // namespace sp::protocollo
