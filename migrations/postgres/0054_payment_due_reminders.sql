-- Payment reminders (issue 17, messaging's payment.due): a body's messaging settings (how many days before
-- an option's due date the reminder goes, default 3, set by its administrators), and one row per option
-- reminded, written in the transaction that queues the reminder: each option is reminded once.
CREATE TABLE messaging_settings (
  tenant_id         BIGINT PRIMARY KEY,
  payment_due_days  INTEGER NOT NULL DEFAULT 3 CHECK (payment_due_days BETWEEN 1 AND 30),
  updated_at        TEXT NOT NULL,
  updated_by        TEXT NOT NULL
);
CREATE TABLE payment_due_reminders (
  tenant_id   BIGINT NOT NULL,
  option_id   BIGINT NOT NULL,
  due_date    TEXT NOT NULL,
  person      TEXT NOT NULL,
  messages    INTEGER NOT NULL,   -- how many messages were queued (0: the person has no usable channel)
  created_at  TEXT NOT NULL,
  PRIMARY KEY (tenant_id, option_id)
);
