-- The citizen's pagoPA cart (issue 13, src/payments/portal_service.hpp) and the spontaneous payment
-- services a body offers (canteen top-ups, school fees).
--
-- A cart spans bodies (a citizen may pay Asti's TARI and Novara's fine together), so the cart itself has no
-- tenant: it belongs to the person (fiscal code) and its items each name their body. Its id is a random
-- token (it travels in Checkout's return URLs, which the citizen's browser sees). A cart is never the
-- proof of a payment: the status page reads the station's receipts (payment_receipts); the cart's state
-- only says what the hub did (sent to Checkout, cancelled, confirmed by receipts).
CREATE TABLE payment_carts (
  id           TEXT PRIMARY KEY,                       -- 32 hex characters, random
  fiscal_code  TEXT NOT NULL,                          -- the citizen who made it
  email        TEXT NOT NULL DEFAULT '',               -- emailNotice sent to Checkout
  state        TEXT NOT NULL CHECK (state IN ('open', 'redirected', 'paid', 'cancelled', 'failed')),
  created_at   TEXT NOT NULL,                          -- UTC ISO 8601 with milliseconds
  updated_at   TEXT NOT NULL
);
CREATE INDEX payment_carts_person ON payment_carts (fiscal_code, created_at);

-- 1 to 5 notices (Checkout's CartRequest.paymentNotices maxItems), with the amount asked at the time.
CREATE TABLE payment_cart_items (
  cart_id               TEXT NOT NULL REFERENCES payment_carts (id),
  ordinal               INTEGER NOT NULL CHECK (ordinal BETWEEN 1 AND 5),
  tenant_id             BIGINT NOT NULL,
  iuv                   TEXT NOT NULL CHECK (length(iuv) = 17),
  nav                   TEXT NOT NULL CHECK (length(nav) = 18),
  amount_cents          BIGINT NOT NULL CHECK (amount_cents > 0),
  creditor_fiscal_code  TEXT NOT NULL,
  company_name          TEXT NOT NULL,
  description           TEXT NOT NULL,
  PRIMARY KEY (cart_id, ordinal)
);
CREATE INDEX payment_cart_items_notice ON payment_cart_items (tenant_id, iuv);

-- Spontaneous payments (pagamenti spontanei): what a citizen may pay a body without a notice. Paying one
-- creates a position (debtor = the citizen) with one transfer to the service's IBAN.
CREATE TABLE payment_services (
  tenant_id          BIGINT NOT NULL,
  code               TEXT NOT NULL,                     -- in the URL: [a-z0-9-]
  label_it           TEXT NOT NULL,
  label_en           TEXT NOT NULL,
  min_cents          BIGINT NOT NULL CHECK (min_cents > 0),
  max_cents          BIGINT NOT NULL,
  category           TEXT NOT NULL,                     -- taxonomy of the transfer
  iban               TEXT NOT NULL,
  remittance_prefix  TEXT NOT NULL,
  active             INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, code),
  CHECK (max_cents >= min_cents)
);
