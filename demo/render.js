// render.js: DOM rendering for the demo (no state of its own). Everything
// user-provided is set with textContent, never as HTML.

const $ = (selector) => document.querySelector(selector);

function element(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key in node) node[key] = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

const number = new Intl.NumberFormat('en-US');
export const formatCount = (n) => number.format(n);

export function formatBytes(bytes) {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
}

/** The contacts table body. `editing` is the id being edited; `pending` the ids waiting for the server. */
export function renderRows(rows, { editing, pending, failed }) {
  const body = $('#contacts tbody');
  body.replaceChildren(
    ...rows.map((contact) => {
      const state = failed.has(contact.id) ? 'failed' : pending.has(contact.id) ? 'pending' : '';
      if (contact.id === editing) return editRow(contact);
      return element('tr', { dataset: { id: contact.id, state } }, [
        element('td', { textContent: contact.name }),
        element('td', { textContent: contact.email, className: 'muted' }),
        element('td', { textContent: String(contact.age), className: 'num' }),
        element('td', { textContent: contact.city ?? '' }),
        element('td', {}, [
          element(
            'span',
            { className: 'tags' },
            (contact.tags ?? []).map((tag) => element('span', { className: 'tag', textContent: tag })),
          ),
        ]),
        element('td', { className: 'actions' }, [
          state === 'pending' ? element('span', { className: 'badge', textContent: 'saving…' }) : '',
          element('button', { type: 'button', className: 'quiet edit', textContent: 'Edit', dataset: { action: 'edit', id: contact.id } }),
        ]),
      ]);
    }),
  );
  if (rows.length === 0)
    body.append(element('tr', {}, [element('td', { colSpan: 6, className: 'empty', textContent: 'No contacts match.' })]));
}

function editRow(contact) {
  const input = (name, value, type = 'text') => element('input', { name, value: String(value ?? ''), type, className: 'inline' });
  return element('tr', { dataset: { id: contact.id }, className: 'editing' }, [
    element('td', {}, [input('name', contact.name)]),
    element('td', { textContent: contact.email, className: 'muted' }),
    element('td', { className: 'num' }, [input('age', contact.age, 'number')]),
    element('td', {}, [input('city', contact.city)]),
    element('td', {}, [
      element(
        'span',
        { className: 'tags' },
        (contact.tags ?? []).map((tag) => element('span', { className: 'tag', textContent: tag })),
      ),
    ]),
    element('td', { className: 'actions' }, [
      element('button', { type: 'button', textContent: 'Save', dataset: { action: 'save', id: contact.id } }),
      element('button', { type: 'button', className: 'quiet', textContent: 'Cancel', dataset: { action: 'cancel' } }),
    ]),
  ]);
}

export function renderTags(counts, selected) {
  $('#tags').replaceChildren(
    ...counts.map(([tag, count]) =>
      element('button', {
        type: 'button',
        className: `chip${tag === selected ? ' selected' : ''}`,
        dataset: { tag },
        textContent: `${tag} ${formatCount(count)}`,
      }),
    ),
  );
}

export function renderSortHeaders(sort, desc) {
  for (const th of document.querySelectorAll('#contacts th[data-sort]')) {
    th.dataset.dir = th.dataset.sort === sort ? (desc ? 'desc' : 'asc') : '';
  }
}

export function renderInspector({ tables, size }, runs) {
  $('#inspector-tables').replaceChildren(
    ...tables.map(([name, count]) =>
      element('tr', {}, [element('th', { textContent: `table ${name}` }), element('td', { textContent: `${formatCount(count)} records` })]),
    ),
  );
  $('#db-size').textContent = formatBytes(size);
  renderRuns(runs);
}

export function renderRuns(runs) {
  $('#inspector-queries').replaceChildren(
    ...[...runs].map(([name, count]) =>
      element('tr', {}, [
        element('th', { textContent: name }),
        element('td', { textContent: `${formatCount(count)} runs`, dataset: { query: name } }),
      ]),
    ),
  );
}

/** Adds a line to the activity log (newest first, at most 12). */
export function log(text, kind = 'info') {
  const list = $('#log');
  const time = new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  list.prepend(element('li', { className: kind }, [element('time', { textContent: time }), ` ${text}`]));
  while (list.children.length > 12) list.lastElementChild.remove();
}
