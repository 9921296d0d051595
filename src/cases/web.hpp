#pragma once
// Cases in the back office and in the applicant's personal area.
//
// Back office (staff of the body, Permission::backoffice, checked again by CaseService):
//   GET/POST /backoffice/{slug}/pratiche                   the queue with filters; bulk assign/start/close
//   GET/POST /backoffice/{slug}/pratiche/{id}              a case: answers, documents, history, messages,
//                                                          internal notes; the actions its state allows
//   GET      /backoffice/{slug}/pratiche/{id}/documenti/{doc}
// Personal area (the applicant):
//   GET      /area-personale/pratiche                      my applications at every body
//   GET/POST /area-personale/pratiche/{slug}/{id}          one of them: state, protocol number, deadline,
//                                                          messages; answer additions or the notice of
//                                                          grounds, write to the office, withdraw
//   GET      /area-personale/pratiche/{slug}/{id}/documenti/{doc}
#include "cases/service.hpp"
#include "files/service.hpp"
#include "forms/definitions_service.hpp"
#include "http/router.hpp"
#include "identity/actor_names.hpp"
#include "identity/staff_service.hpp"
#include "tenants/service.hpp"
#include "web/view.hpp"

namespace sp::cases {

struct WebDeps {
  web::View& view;
  CaseService& cases;
  files::FileService& files;
  tenants::TenantService& tenants;
  identity::StaffService* staff = nullptr;      // the office's staff: the assignee to pick, names for ids
  identity::ActorNames* actor_names = nullptr;  // names, not ids, in histories, messages and notes
  forms::DefinitionsService* definitions = nullptr;  // labels of the answers' fields and options
};

void register_pages(http::Router& router, WebDeps& deps);

// Uploads with a message (additions, observations): up to 10 files of 10 MB, documents and images.
inline constexpr std::size_t kMaxMessageFiles = 10;
inline constexpr std::int64_t kMaxMessageFileBytes = 10 * 1024 * 1024;

}  // namespace sp::cases
