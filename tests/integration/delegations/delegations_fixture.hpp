#pragma once
// Shared set-up for the delegation and counter tests: the staff fixture (both databases, a test clock,
// Asti and Novara administrators) plus the two bodies, operators, citizens, the services and a router
// with the real templates and texts.
#include <memory>
#include <string>

#include "../staff/staff_fixture.hpp"
#include "audit/service.hpp"
#include "core/codice_fiscale.hpp"
#include "core/i18n.hpp"
#include "http/router.hpp"
#include "identity/counter_service.hpp"
#include "identity/counter_web.hpp"
#include "identity/delegation_service.hpp"
#include "identity/delegation_web.hpp"
#include "identity/web.hpp"
#include "tenants/service.hpp"

namespace delegations_test {

using namespace staff_test;
using sp::audit::AuditService;

inline std::string make_cf(const char* surname, const char* name, int y, unsigned m, unsigned d) {
  auto cf = sp::cf::compute(surname, name, sp::cf::Sex::male,
                            std::chrono::year_month_day{std::chrono::year{y}, std::chrono::month{m},
                                                        std::chrono::day{d}},
                            "A479");
  return cf.ok() ? *cf : std::string("INVALID");
}

struct Reply {
  sp::http::Response r;
  [[nodiscard]] std::string header(const std::string& name) const {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return {};
  }
};

class DelegationsTest : public StaffTest {
 protected:
  void SetUp() override {
    StaffTest::SetUp();
    if (HasFatalFailure()) return;
    tenants_ = std::make_unique<sp::tenants::TenantService>(db());
    auto hub = tenants_->create_hub({0, "pes", "Polo di prova", "00743110157", "", "", ""});
    ASSERT_TRUE(hub.ok());
    ASSERT_EQ(make_body(*hub, "asti", "Comune di Asti"), kAsti);
    ASSERT_EQ(make_body(*hub, "novara", "Comune di Novara"), kNovara);
    audit_ = std::make_unique<AuditService>(db(), *clock_);
    delegations_ = std::make_unique<DelegationService>(db(), *sessions_, *audit_, *tenants_, *clock_);
    counter_ = std::make_unique<CounterService>(db(), *sessions_, *audit_, *tenants_, *clock_);
    ASSERT_TRUE(make(asti_admin_.get(), kAsti, "op@asti.example", {Role::operator_}).ok());
    ASSERT_TRUE(make(novara_admin_.get(), kNovara, "op@novara.example", {Role::operator_}).ok());
    ASSERT_TRUE(make(novara_admin_.get(), kNovara, "sportello@novara.example", {Role::counter_operator}).ok());
    i18n_.load(sp::testing::source_dir() + "/web/locales");
    view_ =
        std::make_unique<sp::web::View>(sp::testing::source_dir() + "/web/templates", i18n_, "Polo di prova");
    deleg_deps_ = std::make_unique<DelegationWebDeps>(DelegationWebDeps{*view_, *delegations_, *tenants_});
    counter_deps_ = std::make_unique<CounterWebDeps>(CounterWebDeps{*view_, *counter_, *tenants_});
    register_delegation_pages(router_, *deleg_deps_);
    register_counter_pages(router_, *counter_deps_);
  }

  sp::tenants::TenantId make_body(std::int64_t hub, const std::string& slug, const std::string& name) {
    sp::tenants::Body b;
    b.hub_id = hub;
    b.slug = slug;
    b.name = name;
    b.fiscal_code = "00743110157";
    auto id = tenants_->create_body(b);
    return id.ok() ? *id : -1;
  }

  // A person's session: {cookie header value, principal}.
  struct Signed {
    std::string cookie;
    std::shared_ptr<const Principal> p;
  };
  Signed person(const std::string& cf, const std::string& name) {
    NewSession ns;
    ns.kind = PrincipalKind::person;
    ns.subject = cf;
    ns.roles = {Role::citizen};
    ns.auth_level = 2;
    ns.display_name = name;
    auto issued = sessions_->start(ns);
    return {"sp_session=" + issued.token, sessions_->resume(issued.token)};
  }
  Signed staff(const std::string& email) {
    auto ns = staff_->sign_in(email, kGoodPassword, "");
    EXPECT_TRUE(ns.ok()) << email;
    if (!ns) return {};
    auto issued = sessions_->start(*ns);
    return {"sp_session=" + issued.token, sessions_->resume(issued.token)};
  }
  // The session again, as the next request would see it (acting_for / assisting included).
  std::shared_ptr<const Principal> again(const Signed& s) { return sessions_->resume(s.cookie.substr(11)); }

  Reply call(const std::string& method, const std::string& target, const std::string& body = {},
             const std::string& cookies = {}, std::shared_ptr<const sp::http::Identity> identity = nullptr) {
    sp::http::Request req;
    req.method = method;
    EXPECT_TRUE(sp::http::parse_target(req, target).ok());
    req.body = body;
    if (!cookies.empty()) req.headers.emplace_back("cookie", cookies);
    req.ctx.locale = "it";
    req.ctx.request_id = "test";
    req.remote_addr = "192.0.2.7";
    resolve_principal(*sessions_, req);
    if (identity) req.ctx.identity = identity;
    auto found = router_.find(method, req.path);
    if (!found.match || !found.match->handler) {
      ADD_FAILURE() << "no route " << method << " " << target;
      return {};
    }
    req.path_params = found.match->params;
    return {(*found.match->handler)(req)};
  }

  std::vector<sp::audit::StoredEntry> audit_of(sp::tenants::TenantId tenant, const std::string& action) {
    sp::audit::Query q;
    q.action = action;
    q.limit = 500;
    return audit_->entries(tenant, q).entries;
  }

  const std::string parent_cf_ = "CCCFBA85D03L219P";
  const std::string child_cf_ = make_cf("Caccamo", "Luca", 2015, 5, 10);
  const std::string adult_cf_ = make_cf("Caccamo", "Marta", 2000, 1, 15);
  const std::string almost_adult_cf_ = make_cf("Caccamo", "Piero", 2008, 12, 1);

  std::unique_ptr<sp::tenants::TenantService> tenants_;
  std::unique_ptr<AuditService> audit_;
  std::unique_ptr<DelegationService> delegations_;
  std::unique_ptr<CounterService> counter_;
  sp::I18n i18n_;
  std::unique_ptr<sp::web::View> view_;
  std::unique_ptr<DelegationWebDeps> deleg_deps_;
  std::unique_ptr<CounterWebDeps> counter_deps_;
  sp::http::Router router_;
};

}  // namespace delegations_test
