// seeded-random.mjs: a small seeded generator (xorshift32) for the
// randomized differential tests: the same seed gives the same sequence of
// numbers in [0, 1), so a failing case is reproducible from its seed.
export function rng(seed) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x100000000;
  };
}
