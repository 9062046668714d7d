// tests/electric/capture.sql.mjs: the SQL the test shape server installs in
// Postgres to see changes: a change-log table filled by triggers.
//
// Every row change of a table that has a shape is appended to
// _shape_changes by an AFTER ROW trigger, with the row as JSON (to_jsonb,
// to evaluate a shape's WHERE against it) and as Postgres text output
// (hstore, the format Electric sends values in). A TRUNCATE appends a
// 'truncate' row (a statement trigger); the server rotates the table's
// shapes on it, as Electric does.
//
// Order: the trigger takes one transaction-scoped advisory lock before it
// appends, so writers to captured tables commit one at a time and `seq`
// order is commit order. A reader that has seen every seq up to N has seen
// every committed change up to N; no later commit can get a smaller seq.
// The sequence starts at 1000 so that every change's seq is above the
// "nothing yet" position (999) the server reports before the first change.
export const CAPTURE_SETUP_SQL = `
CREATE EXTENSION IF NOT EXISTS hstore;
CREATE TABLE IF NOT EXISTS _shape_changes (
  seq bigserial PRIMARY KEY,
  txid bigint NOT NULL DEFAULT txid_current(),
  tbl oid NOT NULL,
  op text NOT NULL,
  new_row jsonb, old_row jsonb,
  new_text jsonb, old_text jsonb
);
SELECT setval('_shape_changes_seq_seq', 999, true) WHERE NOT EXISTS (SELECT 1 FROM _shape_changes);
CREATE OR REPLACE FUNCTION _shape_capture_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(424242);
  INSERT INTO _shape_changes (tbl, op, new_row, old_row, new_text, old_text) VALUES (
    TG_RELID, lower(TG_OP),
    CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END,
    CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END,
    CASE WHEN TG_OP <> 'DELETE' THEN hstore_to_jsonb(hstore(NEW)) END,
    CASE WHEN TG_OP <> 'INSERT' THEN hstore_to_jsonb(hstore(OLD)) END);
  PERFORM pg_notify('_shape_changes', '');
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION _shape_capture_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(424242);
  INSERT INTO _shape_changes (tbl, op) VALUES (TG_RELID, 'truncate');
  PERFORM pg_notify('_shape_changes', '');
  RETURN NULL;
END $$;
`;

/** Installs the capture triggers on `table` (a regclass oid) unless present. */
export const captureTableSql = (qualifiedName) => `
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = '${qualifiedName}'::regclass AND tgname = '_shape_capture_row') THEN
    EXECUTE 'CREATE TRIGGER _shape_capture_row AFTER INSERT OR UPDATE OR DELETE ON ${qualifiedName.replaceAll("'", "''")} FOR EACH ROW EXECUTE FUNCTION _shape_capture_row()';
    EXECUTE 'CREATE TRIGGER _shape_capture_truncate AFTER TRUNCATE ON ${qualifiedName.replaceAll("'", "''")} FOR EACH STATEMENT EXECUTE FUNCTION _shape_capture_truncate()';
  END IF;
END $$;`;

/** Columns of a table: name, Electric's type name, array dims, not null, position in the primary key (or null). */
export const COLUMNS_SQL = `
SELECT a.attname AS name,
       CASE WHEN t.typcategory = 'A' THEN et.typname ELSE t.typname END AS type,
       CASE WHEN t.typcategory = 'A' THEN greatest(a.attndims, 1) ELSE 0 END AS dims,
       a.attnotnull AS not_null,
       (SELECT array_position(i.indkey::int2[], a.attnum) - array_lower(i.indkey::int2[], 1) FROM pg_index i WHERE i.indrelid = a.attrelid AND i.indisprimary) AS pk_index
FROM pg_attribute a
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_type et ON et.oid = t.typelem
WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`;
