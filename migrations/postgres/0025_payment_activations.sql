-- Payments in progress at the station (issue 13, src/payments/station.hpp): one row per notice (IUV) of a
-- body while someone is paying it, so that a second activation from another channel (the portal's cart
-- while a PSP is paying at the node, or the reverse) answers PAA_PAGAMENTO_IN_CORSO instead of letting the
-- same notice be paid twice at the same moment.
--
-- Why a table of its own, with an expiry, rather than a state on payment_options: an activation is not a
-- fact about the debt and not a legal record; it is a short lease that must end by itself when a payment
-- is abandoned (the citizen closes the app, the PSP never sends a receipt). pagoPA's own payment token
-- lives at most 30 minutes (activatePaymentNotice expirationTime ≤ 1,800,000 ms), so a lease of 30
-- minutes covers a payment the node may still complete and frees the notice after one it will not.
-- Taking or renewing the lease is one INSERT ... ON CONFLICT DO UPDATE ... WHERE (same channel or expired)
-- on the primary key, atomic on both databases; the receipt that pays the option removes the row.
CREATE TABLE payment_activations (
  tenant_id     BIGINT NOT NULL,
  iuv           TEXT NOT NULL CHECK (length(iuv) = 17),
  channel       TEXT NOT NULL,                 -- "node" (paGetPaymentV2) or "portal:<cart>"
  activated_at  TEXT NOT NULL,                 -- UTC, ISO 8601 with milliseconds
  expires_at    TEXT NOT NULL,                 -- same format: compared as text
  PRIMARY KEY (tenant_id, iuv)
);
