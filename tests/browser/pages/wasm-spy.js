// wasm-spy.js: a classic script that runs before any module of its page and
// records every way this realm could compile or instantiate WebAssembly
// (the compile/instantiate functions, and the Module, Instance and Memory
// constructors), each still doing what it did. A dedicated Worker is a realm
// of its own, so what it loads is not recorded here.
(() => {
  const calls = [];
  window.wasmCalls = calls;
  for (const name of ['compile', 'compileStreaming', 'instantiate', 'instantiateStreaming', 'validate']) {
    const original = WebAssembly[name];
    if (typeof original !== 'function') continue;
    WebAssembly[name] = function (...args) {
      calls.push(name);
      return original.apply(this, args);
    };
  }
  for (const name of ['Module', 'Instance', 'Memory']) {
    const Original = WebAssembly[name];
    const Spied = function (...args) {
      calls.push(name);
      return Reflect.construct(Original, args, new.target ?? Original);
    };
    Spied.prototype = Original.prototype;
    Object.setPrototypeOf(Spied, Original);
    WebAssembly[name] = Spied;
  }
})();
