// entity.test.mjs: Entity and Collection.raw() side by side with Dexie 4
// (the dev dependency, on fake-indexeddb): a class extending Entity, mapped
// with mapToClass, gets its database as this.db and its table's name from
// table(); record properties never shadow the class's own; raw() skips the
// mapping; constructing an Entity is a TypeError. Dexie's answers are the
// expected ones. (Pure JS behaviour, so Node is enough; the fidelity
// scenarios in Chromium cover mapToClass itself.)
import 'fake-indexeddb/auto';
import assert from 'node:assert/strict';
import { test } from 'node:test';

import Dexie, { Entity as DexieEntity } from 'dexie';
import { Indexie, Entity } from 'indexie';

let counter = 0;

async function scenario(Lib, EntityClass) {
  const db = new Lib(`entity-${counter++}`);
  db.version(1).stores({ friends: '++id, name' });
  class Friend extends EntityClass {
    hello() {
      return `hi ${this.name}`;
    }
    async rename(name) {
      await this.db.friends.update(this.id, { name });
    }
  }
  const mapped = db.friends.mapToClass(Friend);
  await db.friends.add({ name: 'a', hello: 'a property named like a method', db: 'and one like db' });
  const friend = await db.friends.get(1);
  const result = {
    isFriend: friend instanceof Friend,
    hello: friend.hello(),
    table: friend.table(),
    dbIsDatabase: friend.db === db,
    mappedIsSubclass: mapped !== Friend && mapped.prototype instanceof Friend,
    tableDb: db.friends.db === db,
  };
  await friend.rename('b');
  result.renamed = (await db.friends.get(1)).name;
  const [raw] = await db.friends.toCollection().raw().toArray();
  result.raw = { isFriend: raw instanceof Friend, hello: raw.hello };
  try {
    new Friend();
    result.construct = 'constructed';
  } catch (error) {
    result.construct = error.name;
  }
  db.close();
  await Lib.delete(db.name);
  return result;
}

test('Entity, mapToClass and raw() as in Dexie', async () => {
  const dexie = await scenario(Dexie, DexieEntity);
  const indexie = await scenario(Indexie, Entity);
  assert.deepEqual(indexie, dexie);
  assert.equal(indexie.hello, 'hi a', 'the method, not the record property');
});
