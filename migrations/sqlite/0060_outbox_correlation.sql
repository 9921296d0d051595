-- What a fan-out's messages belong to (an alert: 'alert:<id>'), so that the module that wrote them asks
-- the outbox for their counts by channel and state instead of reading the outbox table itself
-- (adapters/messaging/outbox.hpp count_by_correlation). Fallbacks do not carry it.
ALTER TABLE outbox ADD COLUMN correlation TEXT;
CREATE INDEX outbox_correlation ON outbox (tenant_id, correlation, status);
UPDATE outbox SET correlation = (SELECT 'alert:' || t.alert_id FROM alert_targets t
                                 WHERE t.message_id = outbox.id AND t.tenant_id = outbox.tenant_id)
 WHERE message_type = 'alert' AND fallback_of IS NULL;
