#include "certificates/module_web.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "web/context.hpp"

namespace sp::certificates {

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& d, payments::Module& payments) {
  auto m = std::make_unique<Module>();
  Options o;
  o.anpr_url = d.config.anpr_url;
  o.anpr_credentials = parse_credentials(d.config.anpr_credentials);
  o.anpr_tls = {d.config.anpr_client_cert, d.config.anpr_client_key, d.config.anpr_ca_file};
  const std::string table = d.config.share_dir + "/data/certificates/esenzioni_bollo.csv";
  std::ifstream in(table, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  auto exemptions = parse_exemptions(text.str());
  if (!in || !exemptions) throw std::runtime_error("exemption table " + table + " cannot be read");
  o.exemptions = std::move(*exemptions);
  m->certificates = std::make_unique<CertificateService>(d.db, d.clock, d.tenants(), *payments.payments,
                                                         d.files, d.audit, std::move(o));
  m->certificates->attach(d.jobs);
  m->web =
      std::make_unique<WebDeps>(WebDeps{d.view(), d.tenants(), *m->certificates,
                                        payments.portal_web ? payments.portal_web->checkout_origins : ""});
  register_pages(router, *m->web);
  // The catalog's service leads here: its page offers it online, and its "apply" link is this flow.
  auto previous = d.services.online_form;
  d.services.online_form = [previous](std::string_view code) {
    return code == kCatalogService || (previous && previous(code));
  };
  router.get(std::string("/{slug}/servizi/") + kCatalogService + "/domanda",
             [](http::Request& req) { return web::see_other("/" + req.param("slug") + "/certificati"); });
  return m;
}

}  // namespace sp::certificates
