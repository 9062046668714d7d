// api/entity.ts: Entity, Dexie 4's base class for the classes a table maps
// its records to (table.mapToClass): `class Friend extends Entity<AppDB>`
// whose methods reach the database through `this.db` (and `this.table()`,
// the table's name). Instances are made by the library when records are
// read (the constructor is never called; calling it is a TypeError, as in
// Dexie): mapToClass returns the subclass that knows its database.

export class Entity<TDatabase = any> {
  protected constructor() {
    throw new TypeError('Entity instances are never constructed: they are made when records are read (table.mapToClass)');
  }

  /** The database the record was read from (set by mapToClass). */
  protected get db(): TDatabase {
    throw new TypeError('this Entity class is not mapped to a table: call table.mapToClass() with it');
  }

  /** The name of the table the record was read from (set by mapToClass). */
  table(): string {
    throw new TypeError('this Entity class is not mapped to a table: call table.mapToClass() with it');
  }
}
