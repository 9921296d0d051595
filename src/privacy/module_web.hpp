#pragma once
// Data protection, installed (web/module.hpp): a person's own data export, a body's records of
// processing (docs/privacy.md). The retention purge is built by App with the jobs (privacy/retention.hpp).
#include <memory>

#include "http/router.hpp"
#include "privacy/person_data.hpp"
#include "privacy/processing.hpp"
#include "privacy/retention.hpp"
#include "web/module.hpp"

namespace sp::privacy {

struct WebDeps;

struct Module : web::Installed {
  std::unique_ptr<PersonDataService> person;
  std::unique_ptr<ProcessingRecords> records;
  std::unique_ptr<BodyRetentionService> retention;
  std::shared_ptr<WebDeps> web;
};

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& deps);

}  // namespace sp::privacy
