#pragma once
// The pages every public-sector portal must have, installed (web/module.hpp): contacts, privacy,
// accessibility, legal notes, and their editing in the back office.
#include <memory>

#include "body_pages/service.hpp"
#include "body_pages/web.hpp"
#include "http/router.hpp"
#include "web/module.hpp"

namespace sp::body_pages {

struct Module : web::Installed {
  std::unique_ptr<BodyPagesService> pages;
  std::unique_ptr<WebDeps> web;
};

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& deps);

}  // namespace sp::body_pages
