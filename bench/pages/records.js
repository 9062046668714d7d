// records.js: the benchmark's table and record shape (issue 9), shared by
// every bench page so they all measure the same data.
export const SCHEMA = { users: '++id, &email, name, age, *tags' };
const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'];

/** Record i of a table of n: {name, email, age, tags: [2 strings], bio: 90 chars}. */
export function makeRecord(i, n, prefix = 'user') {
  return {
    name: `${WORDS[i % 8]}-${(i * 7919) % n}`,
    email: `${prefix}${i}@example.com`,
    age: (i * 31) % 90,
    tags: [WORDS[i % 5], WORDS[(i * 3) % 8]],
    bio: `Record ${i}: `.padEnd(90, 'lorem ipsum dolor sit amet '),
  };
}
