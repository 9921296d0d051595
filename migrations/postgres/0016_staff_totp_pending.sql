-- The TOTP secret the server offered during enrolment, kept until the first code proves the authenticator
-- app has it. Enrolment then stores this secret, never one posted by the client (issue 10: a client could
-- choose its own, weak or shared, secret). Expires after a few minutes; replaced by a fresh one after that.
ALTER TABLE staff_accounts ADD COLUMN totp_pending_secret TEXT;
ALTER TABLE staff_accounts ADD COLUMN totp_pending_expires TEXT;
