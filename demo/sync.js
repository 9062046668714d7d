// sync.js: the sync demo (sync.html): two "devices", each its own database
// with its own db.sync() to the reference sync server, an offline toggle per
// device (its sync's fetch fails while it is on, as with no network), the
// pending-changes count from each device's outbox, and a conflict made on
// purpose and settled by the chosen strategy.
import { Indexie, liveQuery } from 'indexie';

const params = new URLSearchParams(location.search);
/** The reference server scripts/demo.sh starts (or ?server=<base url>). */
const SERVER = params.get('server') ?? `${location.protocol}//${location.hostname}:8787/sync`;
const $ = (selector, root = document) => root.querySelector(selector);

/** The field merge: the server's record, with the fields the local side changed since `base` laid over it. */
function fieldMerge(local, remote, base) {
  if (local === null || remote === null) return local ?? remote;
  const merged = { ...remote };
  for (const field of Object.keys(local)) {
    if (JSON.stringify(local[field]) !== JSON.stringify(base?.[field])) merged[field] = local[field];
  }
  return merged;
}
const strategyOf = (value) => (value === 'merge' ? fieldMerge : value);

function log(text, kind = '') {
  const item = document.createElement('li');
  item.className = kind;
  const time = document.createElement('time');
  time.textContent = new Date().toLocaleTimeString();
  item.append(time, ` ${text}`);
  $('#log').prepend(item);
}

/** An element with `props` set and `children` appended. */
function build(tag, props, children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

class Device {
  constructor(name) {
    this.name = name;
    this.offline = false;
    this.conflicts = [];
    this.db = new Indexie(`indexie-sync-demo-${name}`);
    this.db.version(1).stores({ contacts: 'id, name' });
    this.panel = $(`#device-${name}`);
    this.render();
  }

  /** (Re)starts sync with `strategy` (a conflict strategy is a db.sync() option). */
  start(strategy) {
    this.sync?.stop();
    this.sync = this.db.sync({
      url: SERVER,
      tables: ['contacts'],
      conflictResolution: strategyOf(strategy),
      interval: 2000,
      pushDelay: 200,
      retryDelay: 1000,
      maxRetryDelay: 4000,
      timeout: 5000,
      // The offline toggle: while it is on, every request fails as with no network.
      fetch: (url, init) =>
        this.offline ? Promise.reject(new TypeError(`device ${this.name} is offline (the demo's toggle)`)) : fetch(url, init),
    });
    this.sync.on('status', (status) => this.showStatus(status));
    this.sync.on('conflict', (conflict) => this.conflicts.push(conflict));
    this.sync.on('error', (error) => log(`${this.name}: ${error.message}`, 'bad'));
    this.showStatus(this.sync.status());
  }

  render() {
    const head = build('div', { className: 'device-head' }, [
      build('h2', { textContent: `Device ${this.name}` }, []),
      build('span', { className: 'pill', id: `state-${this.name}`, textContent: 'starting' }, []),
    ]);
    const toggle = build('label', { className: 'toggle' }, [
      build('input', { type: 'checkbox', id: `offline-${this.name}` }, []),
      'Offline',
    ]);
    const pending = build('span', { className: 'pending', id: `pending-${this.name}`, textContent: '0 pending' }, []);
    const syncNow = build('button', { type: 'button', className: 'quiet', id: `sync-${this.name}`, textContent: 'Sync now' }, []);
    const form = build('form', { className: 'row', id: `add-${this.name}` }, [
      build('input', { name: 'name', placeholder: 'Name', required: true, autocomplete: 'off' }, []),
      build('button', { type: 'submit', textContent: 'Add' }, []),
    ]);
    this.list = build('ul', { className: 'contacts', id: `contacts-${this.name}` }, []);
    this.times = build('p', { className: 'times' }, []);
    this.panel.replaceChildren(head, build('div', { className: 'row wrap' }, [toggle, pending, syncNow]), form, this.list, this.times);

    $(`#offline-${this.name}`).addEventListener('change', (event) => this.setOffline(event.target.checked));
    syncNow.addEventListener('click', () => this.syncNow());
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const input = form.elements.name;
      await this.db.contacts.put({ id: crypto.randomUUID(), name: input.value.trim(), phone: '' });
      input.value = '';
    });
    liveQuery(() => this.db.contacts.orderBy('name').toArray()).subscribe({
      next: (contacts) => this.showContacts(contacts),
      error: (error) => log(`${this.name}: ${error.message}`, 'bad'),
    });
  }

  showContacts(contacts) {
    this.list.replaceChildren(
      ...(contacts.length === 0
        ? [build('li', { className: 'hint', textContent: 'No contacts yet' }, [])]
        : contacts.map((contact) =>
            build('li', {}, [
              build('span', { className: 'name', textContent: contact.name }, []),
              build('span', { className: 'phone', textContent: contact.phone || '' }, []),
            ]),
          )),
    );
    for (const [i, contact] of contacts.entries()) this.list.children[i].dataset.id = contact.id;
  }

  showStatus({ state, pendingChanges, lastPushedAt, lastPulledAt }) {
    const pill = $(`#state-${this.name}`);
    pill.textContent = state;
    pill.dataset.state = state;
    const pending = $(`#pending-${this.name}`);
    pending.textContent = `${pendingChanges} pending`;
    pending.dataset.count = String(pendingChanges);
    const at = (ms) => (ms ? new Date(ms).toLocaleTimeString() : 'never');
    this.times.textContent = `Last push ${at(lastPushedAt)} · last pull ${at(lastPulledAt)}`;
  }

  setOffline(offline) {
    this.offline = offline;
    $(`#offline-${this.name}`).checked = offline;
    log(`${this.name} is ${offline ? 'offline' : 'back online'}`);
    if (!offline) void this.syncNow();
  }

  async syncNow() {
    try {
      await this.sync.syncAll();
      return true;
    } catch {
      return false; // shown through the status and the log
    }
  }
}

const devices = { A: new Device('A'), B: new Device('B') };
const strategy = $('#strategy');
const startAll = () => Object.values(devices).forEach((device) => device.start(strategy.value));
strategy.addEventListener('change', () => {
  startAll();
  log(`strategy: ${strategy.selectedOptions[0].textContent}`);
});

/** The scripted conflict: A renames a contact, B (later) changes its phone, both offline; then A syncs, then B. */
async function makeConflict() {
  const button = $('#make-conflict');
  button.disabled = true;
  const { A, B } = devices;
  try {
    const id = `conflict-${Date.now()}`;
    await A.db.contacts.put({ id, name: 'Robin Conflict', phone: '555-0100' });
    await A.syncNow();
    await B.syncNow();
    if (!(await B.db.contacts.get(id))) throw new Error('B did not receive the contact: is the server running?');
    A.setOffline(true);
    B.setOffline(true);
    await A.db.contacts.update(id, { name: 'Robin (renamed on A)' });
    await new Promise((resolve) => setTimeout(resolve, 20)); // B's edit is the later one
    await B.db.contacts.update(id, { phone: '555-0199 (set on B)' });
    B.conflicts.length = 0;
    A.setOffline(false);
    await A.syncNow();
    B.setOffline(false);
    await B.syncNow();
    await A.syncNow();
    const [onA, onB] = await Promise.all([A.db.contacts.get(id), B.db.contacts.get(id)]);
    const conflict = B.conflicts.find((c) => c.key === id);
    const describe = (record) => (record ? `“${record.name}”, ${record.phone}` : 'deleted');
    const outcome = $('#conflict-outcome');
    outcome.hidden = false;
    outcome.dataset.resolution = conflict?.resolution ?? 'none';
    outcome.textContent =
      `${strategy.selectedOptions[0].textContent}: the conflict on B's push was settled for ${conflict?.resolution ?? '(no conflict)'}; ` +
      `A now has ${describe(onA)}, B has ${describe(onB)}${JSON.stringify(onA) === JSON.stringify(onB) ? ' (the same)' : ''}.`;
    log(outcome.textContent, 'ok');
  } catch (error) {
    log(`the conflict demo failed: ${error.message}`, 'bad');
  } finally {
    button.disabled = false;
  }
}
$('#make-conflict').addEventListener('click', makeConflict);

async function checkServer() {
  const status = $('#server-status');
  try {
    const response = await fetch(`${SERVER}/pull?table=contacts&limit=1`);
    if (!response.ok) throw new Error(`it answered ${response.status}`);
    status.dataset.state = 'ready';
    status.textContent = `Sync server: ${SERVER}`;
    $('#make-conflict').disabled = false;
  } catch (error) {
    status.dataset.state = 'error';
    status.textContent = `No sync server at ${SERVER} (${error.message}): run scripts/demo.sh, or node sync-server/cli.mjs`;
  }
}

startAll();
await checkServer();
