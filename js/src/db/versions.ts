// db/versions.ts: the declared versions as opening needs them, and how they
// combine into the schema of each version (Dexie's rules: a table left out
// of a later version keeps its earlier spec; null deletes it). The facade
// declares them (db.version(n) makes api/version.ts's Version objects,
// which are DeclaredVersions).

/** One declared version. */
export interface DeclaredVersion {
  readonly number: number;
  /** Table name -> spec, or null to delete the table, as stores() received them. */
  readonly storesSource: Readonly<Record<string, string | null>>;
  /**
   * Runs inside the upgrade transaction. Typed loosely: api's upgrade
   * functions take its Transaction, which is what every transaction db/
   * makes is (ApiBindings.newTransaction).
   */
  readonly upgradeFunction: ((tx: any) => unknown) | undefined;
}

/** The tables (name -> spec) of `upTo`, combining every version at or below it. */
export function schemaAt(versions: readonly DeclaredVersion[], upTo: number): Record<string, string> {
  const tables: Record<string, string> = {};
  for (const version of [...versions].sort((a, b) => a.number - b.number)) {
    if (version.number > upTo) break;
    for (const [table, spec] of Object.entries(version.storesSource)) {
      if (spec === null) delete tables[table];
      else tables[table] = spec;
    }
  }
  return tables;
}

/** The highest declared version number, 0 when none is declared. */
export function highestVersion(versions: readonly DeclaredVersion[]): number {
  return versions.reduce((max, v) => Math.max(max, v.number), 0);
}

/** The tables of the highest declared version. */
export function declaredTableNames(versions: readonly DeclaredVersion[]): Set<string> {
  return new Set(Object.keys(schemaAt(versions, highestVersion(versions))));
}
