// opfs-file-backend.ts: the file backend (IndexieFileBackend, the C++
// "indexie-file" VFS's way to a real file) over the Origin Private File
// System, for the engine running in a dedicated Worker.
//
// A database `name` is three files in the OPFS directory `indexie`:
// `<file>` (the SQLite file; `<file>` is the name percent-encoded,
// opfsFileName), `<file>-wal` (its write-ahead log: commits since the last
// checkpoint) and `<file>-journal` (the rollback journal of a database from
// before WAL, rolled back on open if hot). Both side files always exist
// here, and a 0-byte one is "no such file" to the VFS. The engine's VFS is
// opened with `<file>` as the name, so these are the paths it asks for. All
// three are opened with a FileSystemSyncAccessHandle before the engine
// opens, because creating one is asynchronous and the VFS is not:
// openOpfsFiles() does that, then every call of the backend is synchronous.
//
// Guarantees:
// - A sync access handle is exclusive: while another tab or worker has the
//   database open, openOpfsFiles() retries a few times with backoff (a
//   worker that was just terminated releases its handles a moment later),
//   then fails with DatabaseInUseError; it never leaves a handle open
//   behind a failure.
// - Bytes are copied between the wasm heap and the file: the heap is read
//   from the module on every call (memory growth replaces HEAPU8).
// - No call throws into wasm: a storage failure is -1, a full disk or an
//   exhausted quota on write is -2 (the engine turns it into
//   QuotaExceededError).
// - close(id) is the VFS closing a file: the handle stays open, because the
//   VFS may open the same file again synchronously. release() closes the
//   handles; after it every call fails with -1.
// - A database file is never combined with a side file of another: import
//   and delete empty or remove the WAL and the journal first.
import { DatabaseInUseError, InvalidArgumentError, UnsupportedError } from '../errors.js';
import type { NativeFileBackend } from '../indexie-core.js';

/** The file backend of the seam contract (§2), which wasm/file_backend_js.cc calls: the glue's NativeFileBackend. */
export type IndexieFileBackend = NativeFileBackend;

/** What the backend needs of the wasm module: its heap, read afresh on every call. */
export interface HeapOwner {
  readonly HEAPU8: Uint8Array;
}

/** The file backend of one OPFS database, with its handles. */
export interface OpfsFileBackend extends IndexieFileBackend {
  /** The database's name, as the app gave it. */
  readonly name: string;
  /** Its file's name in the `indexie` directory: the name to open the engine's file VFS with (opfsFileName). */
  readonly fileName: string;
  /** Closes the sync access handles (idempotent). */
  release(): void;
}

/** The part of FileSystemSyncAccessHandle used here (the type lives in TypeScript's webworker lib). */
interface SyncAccessHandle {
  read(buffer: Uint8Array, options: { at: number }): number;
  write(buffer: Uint8Array, options: { at: number }): number;
  truncate(size: number): void;
  getSize(): number;
  flush(): void;
  close(): void;
}

interface SyncFileHandle {
  createSyncAccessHandle(): Promise<SyncAccessHandle>;
}

/** The OPFS directory holding every indexie database file. */
export const OPFS_DIRECTORY = 'indexie';

/** How long openOpfsFiles() waits for another context to let go of a file: attempts and first delay. */
export interface OpenRetry {
  attempts: number;
  firstDelayMs: number;
}
const DEFAULT_RETRY: OpenRetry = { attempts: 6, firstDelayMs: 25 }; // 25+50+100+200+400 ms: ~0.8 s in all

/** The `indexie` OPFS directory (created when `create`), or undefined. */
export async function opfsDirectory(create: boolean): Promise<FileSystemDirectoryHandle | undefined> {
  const storage = (globalThis as { navigator?: { storage?: Partial<StorageManager> } }).navigator?.storage;
  if (typeof storage?.getDirectory !== 'function') {
    throw new UnsupportedError('this browser has no Origin Private File System (navigator.storage.getDirectory)');
  }
  const root = await storage.getDirectory();
  try {
    return await root.getDirectoryHandle(OPFS_DIRECTORY, { create });
  } catch (error) {
    if (!create && (error as DOMException).name === 'NotFoundError') return undefined;
    throw error;
  }
}

/**
 * The file name of database `name` in the OPFS directory, which is also the
 * name the VFS is opened with: the name percent-encoded as in a URL
 * component (a database name may hold '/', which no OPFS file name may), with
 * '.' encoded too when the whole name is dots ('.' and '..' name no file).
 */
export function opfsFileName(name: string): string {
  if (typeof name !== 'string' || name.length === 0) throw new InvalidArgumentError('a database name must be a non-empty string');
  const encoded = encodeURIComponent(name);
  return /^\.+$/.test(encoded) ? encoded.replaceAll('.', '%2E') : encoded;
}

/** Database `name`'s three files: its file, its journal and its WAL (the names the VFS asks for). */
export function opfsFileNames(name: string): [database: string, journal: string, wal: string] {
  const file = opfsFileName(name);
  return [file, `${file}-journal`, `${file}-wal`];
}

/** Whether `file` in the OPFS directory is a database's side file (journal or WAL), not a database. */
function isSideFile(file: string): boolean {
  return file.endsWith('-journal') || file.endsWith('-wal');
}

function isNamed(error: unknown, name: string): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === name;
}

/** A sync access handle on `file` of database `name`, waiting per `retry` while another context holds it. */
async function openHandle(directory: FileSystemDirectoryHandle, name: string, file: string, retry: OpenRetry): Promise<SyncAccessHandle> {
  const fileHandle = (await directory.getFileHandle(file, { create: true })) as unknown as Partial<SyncFileHandle>;
  if (typeof fileHandle.createSyncAccessHandle !== 'function') {
    throw new UnsupportedError('OPFS sync access handles exist only in a dedicated Worker (createSyncAccessHandle is missing here)');
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await fileHandle.createSyncAccessHandle();
    } catch (error) {
      if (!isNamed(error, 'NoModificationAllowedError')) throw error;
      if (attempt >= retry.attempts) {
        throw new DatabaseInUseError(
          `the database '${name}' is open in another tab or worker (its OPFS file '${file}' is locked by another sync access handle); ` +
            'close it there first',
          { cause: error },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, retry.firstDelayMs * 2 ** (attempt - 1)));
    }
  }
}

/**
 * Opens database `name`'s OPFS files (creating them and the directory) and
 * returns their backend; `module` is the wasm module whose heap the VFS's
 * pointers address. Throws DatabaseInUseError when another context holds
 * them, UnsupportedError where there is no OPFS or no sync access handle.
 */
export async function openOpfsFiles(name: string, module: HeapOwner, retry: OpenRetry = DEFAULT_RETRY): Promise<OpfsFileBackend> {
  const directory = (await opfsDirectory(true))!;
  const paths = opfsFileNames(name);
  const handles: SyncAccessHandle[] = [];
  try {
    for (const path of paths) handles.push(await openHandle(directory, name, path, retry));
  } catch (error) {
    for (const handle of handles) handle.close();
    throw error;
  }
  return new OpfsBackend(name, paths, handles, module);
}

/** The names of the databases in this origin's OPFS directory (none where there is no OPFS). Works in a page too. */
export async function opfsDatabaseNames(): Promise<string[]> {
  let directory: FileSystemDirectoryHandle | undefined;
  try {
    directory = await opfsDirectory(false);
  } catch (error) {
    if (error instanceof UnsupportedError) return [];
    throw error;
  }
  if (!directory) return [];
  const names: string[] = [];
  const entries = (directory as unknown as { keys(): AsyncIterable<string> }).keys();
  for await (const file of entries) {
    if (isSideFile(file)) continue;
    const handle = await directory.getFileHandle(file);
    if ((await handle.getFile()).size > 0) names.push(decodeURIComponent(file));
  }
  return names.sort();
}

/** Whether database `name` has a non-empty file in OPFS. Works in a page too (no sync access handle needed). */
export async function opfsDatabaseExists(name: string): Promise<boolean> {
  const directory = await opfsDirectory(false);
  if (!directory) return false;
  try {
    const file = await (await directory.getFileHandle(opfsFileNames(name)[0])).getFile();
    return file.size > 0;
  } catch (error) {
    if (isNamed(error, 'NotFoundError')) return false;
    throw error;
  }
}

/**
 * Creates database `name` in OPFS from the bytes of a database file (checked
 * by the caller): written with a writable stream, which replaces the file
 * only when it closes, so a crash leaves no half file. Works in a page. An
 * existing database of that name is an InvalidArgumentError.
 */
export async function importOpfsDatabase(name: string, bytes: Uint8Array): Promise<void> {
  const directory = (await opfsDirectory(true))!;
  const [database, ...sideFiles] = opfsFileNames(name);
  if (await opfsDatabaseExists(name))
    throw new InvalidArgumentError(`database '${name}' already exists: delete it first, nothing was imported`);
  for (const side of sideFiles) {
    // A journal or WAL without its database (a database deleted half-way) must not be played over the new file.
    if (await hasFile(directory, side)) await directory.removeEntry(side);
  }
  const handle = await directory.getFileHandle(database, { create: true });
  const writable = await (handle as unknown as { createWritable(): Promise<WritableStreamLike> }).createWritable();
  try {
    await writable.write(bytes);
    await writable.close();
  } catch (error) {
    await writable.abort().catch(() => undefined);
    throw error;
  }
}

/** The part of FileSystemWritableFileStream used here. */
interface WritableStreamLike {
  write(data: Uint8Array): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}

/**
 * Removes database `name`'s OPFS files; DatabaseInUseError (and nothing
 * removed) while another context has them open.
 *
 * Order, for a crash in the middle: the journal and the WAL are first
 * emptied (a 0-byte side file is none), so a database file created later
 * under the same name can never be "rolled back" from a leftover journal
 * or given a leftover WAL's commits; then the database file goes, then the
 * side files.
 */
export async function deleteOpfsDatabase(name: string, retry: OpenRetry = DEFAULT_RETRY): Promise<void> {
  const directory = await opfsDirectory(false);
  if (!directory) return;
  const [database, ...sideFiles] = opfsFileNames(name);
  for (const side of sideFiles) {
    if (!(await hasFile(directory, side))) continue;
    const handle = await openHandle(directory, name, side, retry);
    try {
      handle.truncate(0);
      handle.flush();
    } finally {
      handle.close();
    }
  }
  for (const path of [database, ...sideFiles]) {
    try {
      await directory.removeEntry(path);
    } catch (error) {
      if (isNamed(error, 'NotFoundError')) continue;
      if (isNamed(error, 'NoModificationAllowedError') || isNamed(error, 'InvalidModificationError')) {
        throw new DatabaseInUseError(`the database '${name}' cannot be deleted: another tab or worker has it open`, { cause: error });
      }
      throw error;
    }
  }
}

async function hasFile(directory: FileSystemDirectoryHandle, file: string): Promise<boolean> {
  try {
    await directory.getFileHandle(file);
    return true;
  } catch (error) {
    if (isNamed(error, 'NotFoundError')) return false;
    throw error;
  }
}

class OpfsBackend implements OpfsFileBackend {
  readonly name: string;
  readonly fileName: string;
  readonly #paths: readonly string[];
  #handles: SyncAccessHandle[] | undefined;
  readonly #module: HeapOwner;

  constructor(name: string, paths: readonly string[], handles: SyncAccessHandle[], module: HeapOwner) {
    this.name = name;
    this.fileName = paths[0];
    this.#paths = paths;
    this.#handles = handles;
    this.#module = module;
  }

  /** The handle of file id `id` (ids are 1-based positions in #paths), or undefined. */
  #handle(id: number): SyncAccessHandle | undefined {
    return this.#handles?.[id - 1];
  }

  open(path: string): number {
    if (!this.#handles) return 0;
    return this.#paths.indexOf(path) + 1;
  }

  size(id: number): number {
    try {
      return this.#handle(id)?.getSize() ?? -1;
    } catch {
      return -1;
    }
  }

  read(id: number, ptr: number, length: number, offset: number): number {
    const handle = this.#handle(id);
    if (!handle) return -1;
    try {
      const at = Number(offset);
      return handle.read(this.#module.HEAPU8.subarray(ptr, ptr + length), { at });
    } catch {
      return -1;
    }
  }

  write(id: number, ptr: number, length: number, offset: number): number {
    const handle = this.#handle(id);
    if (!handle) return -1;
    try {
      const written = handle.write(this.#module.HEAPU8.subarray(ptr, ptr + length), { at: Number(offset) });
      // A short write without an exception: the storage took what it had room for.
      return written === length ? 0 : -2;
    } catch (error) {
      return isNamed(error, 'QuotaExceededError') ? -2 : -1;
    }
  }

  truncate(id: number, size: number): number {
    const handle = this.#handle(id);
    if (!handle) return -1;
    try {
      handle.truncate(Number(size));
      return 0;
    } catch {
      return -1;
    }
  }

  sync(id: number): number {
    const handle = this.#handle(id);
    if (!handle) return -1;
    try {
      handle.flush();
      return 0;
    } catch {
      return -1;
    }
  }

  close(): void {
    // The VFS closed the file; the handle stays for its next open (see the header).
  }

  release(): void {
    const handles = this.#handles;
    this.#handles = undefined;
    for (const handle of handles ?? []) {
      try {
        handle.close();
      } catch {
        // Closing a handle whose worker storage is gone has nothing left to release.
      }
    }
  }
}
