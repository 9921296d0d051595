-- A body's own act types beyond the national vocabulary (issue 16: the vocabulary is "a good start"; the
-- list is each body's). Never deleted nor renamed: a publication keeps the code, and the name it was
-- published under stays readable for as long as the publication's record exists. Whether the body uses a
-- type today is albo_act_types, as for the national ones.
CREATE TABLE albo_custom_act_types (
  tenant_id  INTEGER NOT NULL,
  code       TEXT NOT NULL,                 -- x_<name in ASCII>, unique per body
  name_it    TEXT NOT NULL,
  name_en    TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, code)
);
CREATE TRIGGER albo_custom_act_types_fixed BEFORE UPDATE ON albo_custom_act_types
BEGIN
  SELECT RAISE(ABORT, 'albo_custom_act_types: a type is never renamed');
END;
CREATE TRIGGER albo_custom_act_types_no_delete BEFORE DELETE ON albo_custom_act_types
BEGIN
  SELECT RAISE(ABORT, 'albo_custom_act_types: a type is never deleted');
END;
