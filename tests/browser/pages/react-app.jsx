// react-app.jsx: a small React app on indexie/react's useLiveQuery: a todo
// list filtered by a toggle (a dependency of the query), with a count of
// renders so the test can see it re-renders when the data changes; and
// useObservable given an observable itself (an RxJS BehaviorSubject, and a
// liveQuery), as dexie-react-hooks allows.
import { useState } from 'react';
import { createRoot } from 'react-dom/client';
import { Indexie, liveQuery } from 'indexie';
import { useLiveQuery, useObservable } from 'indexie/react';
import { BehaviorSubject } from 'rxjs';

const db = new Indexie('react-app');
db.version(1).stores({ todos: '++id, done, title' });
window.db = db;
window.renders = 0;

function Todos({ done }) {
  const todos = useLiveQuery(
    () =>
      db.todos
        .where('done')
        .equals(done ? 1 : 0)
        .sortBy('title'),
    [done],
    null,
  );
  window.renders++;
  if (todos === null) return <p id="loading">loading…</p>;
  return (
    <ul id="list" data-done={String(done)}>
      {todos.map((todo) => (
        <li key={todo.id}>{todo.title}</li>
      ))}
    </ul>
  );
}

const filterText = new BehaviorSubject('initial text');
window.filterText = filterText;
const titles = liveQuery(() => db.todos.orderBy('title').keys());

function Observed() {
  const text = useObservable(filterText);
  const allTitles = useObservable(titles, []);
  return (
    <p id="observed">
      {text}: {allTitles.join(',')}
    </p>
  );
}

function App() {
  const [done, setDone] = useState(false);
  const total = useLiveQuery(() => db.todos.count(), [], 0);
  return (
    <main>
      <h1>{total} todos</h1>
      <button id="toggle" onClick={() => setDone((d) => !d)}>
        {done ? 'show open' : 'show done'}
      </button>
      <Todos done={done} />
      <Observed />
    </main>
  );
}

await db.open();
createRoot(document.getElementById('root')).render(<App />);
document.getElementById('status').textContent = 'ready';
