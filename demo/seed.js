// seed.js: generates plausible contacts and stores them in chunks, one
// commit per chunk, reporting progress.
const FIRST = [
  'Ada',
  'Alan',
  'Alice',
  'Barbara',
  'Brian',
  'Carl',
  'Claude',
  'Dennis',
  'Donald',
  'Edsger',
  'Emmy',
  'Frances',
  'Grace',
  'Guido',
  'Hedy',
  'Ivan',
  'Joan',
  'John',
  'Karen',
  'Ken',
  'Linus',
  'Lovelace',
  'Margaret',
  'Niklaus',
  'Radia',
  'Rob',
  'Shafi',
  'Sophie',
  'Tim',
  'Yukihiro',
];
const LAST = [
  'Allen',
  'Backus',
  'Cerf',
  'Dijkstra',
  'Engelbart',
  'Floyd',
  'Goldberg',
  'Hamilton',
  'Hopper',
  'Kay',
  'Knuth',
  'Lamport',
  'Liskov',
  'McCarthy',
  'Noether',
  'Perlman',
  'Ritchie',
  'Shannon',
  'Thompson',
  'Turing',
  'Wilson',
  'Wirth',
];
const CITIES = [
  'Amsterdam',
  'Berlin',
  'Boston',
  'Lagos',
  'Lisbon',
  'London',
  'Montréal',
  'Nairobi',
  'Osaka',
  'Paris',
  'São Paulo',
  'Seoul',
  'Sydney',
  'Toronto',
  'Zürich',
];
export const TAGS = ['family', 'friend', 'work', 'client', 'vip', 'school', 'gym', 'neighbour'];

export const CHUNK = 5000;

/** A small seeded pseudo-random generator (mulberry32): the same seed gives the same contacts. */
export function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = (next, list) => list[Math.floor(next() * list.length)];

/** The i-th contact of seeding run `run` (its email is unique: it holds both). */
export function makeContact(next, i, run) {
  const first = pick(next, FIRST);
  const last = pick(next, LAST);
  const tags = new Set([pick(next, TAGS)]);
  if (next() < 0.4) tags.add(pick(next, TAGS));
  return {
    name: `${first} ${last}`,
    email: `${first}.${last}.${run}${i}@example.com`.toLowerCase(),
    age: 18 + Math.floor(next() * 70),
    city: pick(next, CITIES),
    tags: [...tags],
  };
}

/** Adds `count` contacts in chunks; onProgress(done, count) after each chunk. Resolves the milliseconds taken. */
export async function seed(db, count, onProgress) {
  const run = Date.now().toString(36).slice(-4);
  const next = random(Date.now());
  const start = performance.now();
  for (let done = 0; done < count; done += CHUNK) {
    const size = Math.min(CHUNK, count - done);
    await db.contacts.bulkAdd(Array.from({ length: size }, (_, j) => makeContact(next, done + j, run)));
    onProgress(done + size, count);
  }
  return performance.now() - start;
}
