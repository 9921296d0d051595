#pragma once
// Tourist information (issue 19; docs/tourism.md): the rules.
//
// - A body's staff (Permission::backoffice for the body) write its points of interest and events and
//   submit them; the hub's editors (Permission::review_tourism: hub staff with role tourism_editor, not the
//   hub's administrators) publish them or send them back with a reason. Only published items reach the
//   portal, the feeds and the widget. An edit of a published item takes it off until it is published
//   again (the portal never shows unreviewed text).
// - Every step is a row of the item's append-only history and an audit entry on the body's chain, in the
//   same transaction as the change; a change made on a stale version is refused (tourism.conflict).
// - A body's administrators (manage_staff) list the origins of their own web sites allowed to frame the
//   widget (scheme://host[:port], https only but for localhost): the widget's frame-ancestors.
//
// Errors: auth.required (401), forbidden (403), not_found (404: an item of another body is not found),
// tourism.kind, tourism.name, tourism.description, tourism.category, tourism.coordinates, tourism.dates,
// tourism.text (too long, or a control character: detail names the field), tourism.image_alt (a picture
// without its alternative text), files.* (field image: the picture's size or type), tourism.state (409),
// tourism.conflict (409), tourism.reason (sending back needs one), tourism.origin (detail: the origin).
// Audit: tourism.save, tourism.submit, tourism.publish, tourism.return, tourism.widget_origins.
#include <string>
#include <vector>

#include "audit/service.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "files/service.hpp"
#include "identity/model.hpp"
#include "tourism/model.hpp"

namespace sp::tourism {

// What the editing form sends (text as typed). `image_bytes`: a new picture (its name as the browser sent
// it is never kept nor shown: only the type read from the content); `remove_image`: drop the current one.
struct ItemForm {
  std::string kind, name, description_it, description_en, category, address, latitude, longitude,
      opening_hours, starts_on, ends_on, image_alt;
  std::string image_bytes;
  bool remove_image = false;
};

// An item's picture as served: the bytes and the type detected at upload.
struct Image {
  std::string bytes;
  std::string mime_type;
};

class TourismService {
 public:
  // `files` (optional: without it items take no picture) keeps the pictures under the item's body.
  TourismService(db::Database& db, audit::AuditService& audit, const time::Clock& clock,
                 files::FileService* files = nullptr)
      : db_(db), audit_(audit), clock_(clock), files_(files) {}

  // Pictures: JPEG, PNG or WebP (the type read from the bytes), at most kMaxImageBytes; an item with a
  // picture needs its alternative text (tourism.image_alt). Errors of the upload: files.* (field image).
  static constexpr std::int64_t kMaxImageBytes = 2 * 1024 * 1024;

  // ---- the body's staff ----
  // A new item (`id` empty) or the next version of one (`expected_version` as shown on the form).
  Result<Item> save(const identity::Principal* who, std::int64_t tenant, const std::string& id,
                    const ItemForm& form, std::int64_t expected_version = 0);
  Status submit(const identity::Principal* who, std::int64_t tenant, const std::string& id,
                std::int64_t expected_version);
  Result<std::vector<Item>> body_items(const identity::Principal* who, std::int64_t tenant);

  // ---- the hub's editors ----
  Result<std::vector<Item>> review_queue(const identity::Principal* who);
  Status publish(const identity::Principal* who, std::int64_t tenant, const std::string& id,
                 std::int64_t expected_version);
  Status send_back(const identity::Principal* who, std::int64_t tenant, const std::string& id,
                   std::int64_t expected_version, const std::string& reason);

  // ---- both: one item and its history (the body's staff or the hub's editors) ----
  Result<Item> item(const identity::Principal* who, std::int64_t tenant, const std::string& id);
  Result<std::vector<HistoryEntry>> history(const identity::Principal* who, std::int64_t tenant,
                                            const std::string& id);

  // The picture of an item: `file_id` must be its current one. Published items for anyone
  // (`who` null); any state for the body's staff and the hub's editors.
  Result<Image> image(const identity::Principal* who, std::int64_t tenant, const std::string& id,
                      const std::string& file_id);

  // ---- anyone: the published items ----
  std::vector<Item> published(const PublicQuery& q);
  std::optional<Item> published_item(std::int64_t tenant, const std::string& id);

  // ---- the widget's origins ----
  std::vector<std::string> widget_origins(std::int64_t tenant);
  Result<std::vector<std::string>> set_widget_origins(const identity::Principal* who, std::int64_t tenant,
                                                      const std::string& text);

  // The checks of save() on their own: the cleaned item's fields (no id, state or version).
  static Result<Item> clean(const ItemForm& form);
  // "https://www.comune.asti.it https://turismo.asti.it" (spaces, commas or new lines between) → origins,
  // lower-cased, without duplicates. Refuses paths, queries, user names, wildcards and http but for
  // localhost (tourism.origin, detail: the origin).
  static Result<std::vector<std::string>> parse_origins(std::string_view text);

  [[nodiscard]] time::TimePoint now() const { return clock_.now(); }

 private:
  Status editor(const identity::Principal* who) const;
  Status step(const identity::Principal* who, std::int64_t tenant, const std::string& id,
              std::int64_t expected_version, Action action, const std::string& reason);

  db::Database& db_;
  audit::AuditService& audit_;
  const time::Clock& clock_;
  files::FileService* files_ = nullptr;
};

}  // namespace sp::tourism
