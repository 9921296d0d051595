-- GPD's switchToExpired (issue 13): a position that becomes EXPIRED once every option is past its due
-- date, instead of staying payable (GPD's default, false). Fines expire anyway (art. 203 c.3 CdS).
ALTER TABLE payment_positions ADD COLUMN switch_to_expired INTEGER NOT NULL DEFAULT 0;
