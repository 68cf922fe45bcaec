// The confined, bounded view of one source that every parser reads through. One resolver walks
// each path component by component from the source's root: `..` can never climb above it, an
// absolute symlink starts again at it, a missing component ends the walk with "not found" (never
// with the unresolved rest of the text), and a chain of more than MAX_SYMLINK_HOPS links is a loop.
// Reads take regular files only, sized by the file; a per-view budget of operations and bytes
// turns a disk that makes kexmenu read without end into one that reports "over budget".
// The backend below does the I/O (a mounted directory, or an in-memory tree in tests); it is only
// ever asked about component lists this resolver produced.
import type { Failure, FileStat, ReadFailure, ReadResult, Resolved, SourceFiles } from '../parsers/types.js';

export type NodeKind = 'file' | 'dir' | 'symlink' | 'other';

export interface NodeInfo {
  kind: NodeKind;
  size: number;
}

/** The I/O under a view, addressed by resolved components (no symlink, no `..` among them). */
export interface SourceBackend {
  /** What is at `parts` without following a final symlink; null when nothing is. */
  lstat(parts: readonly string[]): NodeInfo | null;
  readlink(parts: readonly string[]): string | null;
  /** Up to `max` names in the directory, unsorted; null when it cannot be listed. */
  list(parts: readonly string[], max: number): string[] | null;
  /** Up to `length` bytes from `offset` of the regular file at `parts`; null when it is not one or cannot be read. */
  read(parts: readonly string[], offset: number, length: number): Uint8Array | null;
}

export interface ViewLimits {
  /** Lookups, listings and opens (each costs one). */
  operations: number;
  /** Bytes read, all files together. */
  bytes: number;
  /** Names returned for one directory. */
  listNames: number;
}

export const MAX_CONFIG_BYTES = 1024 * 1024;
export const MAX_SYMLINK_HOPS = 40;
const MAX_PATH_CHARS = 4096;
const MAX_CACHED_LOOKUPS = 50_000;

/** Generous for any real disk (a Debian root costs a few hundred operations and a few MiB). */
export const DEFAULT_VIEW_LIMITS: ViewLimits = { operations: 50_000, bytes: 256 * 1024 * 1024, listNames: 65_536 };

const ROOT: NodeInfo = { kind: 'dir', size: 0 };

type Walk = { ok: true; parts: string[]; node: NodeInfo } | Failure;

export function sourceView(backend: SourceBackend, limits: ViewLimits = DEFAULT_VIEW_LIMITS): SourceFiles {
  let operations = 0;
  let bytes = 0;
  // A source is read-only for the life of a view: what a path component is does not change.
  const lookups = new Map<string, NodeInfo | null>();

  const spend = (): boolean => ++operations <= limits.operations;
  const overBudget = (path: string): Failure => ({
    ok: false,
    reason: 'over-budget',
    path,
    message: `stopped reading this disk at ${path}: over its budget of ${limits.operations} file operations and ${limits.bytes / 1048576} MiB`,
  });

  const lookup = (parts: readonly string[], key: string): NodeInfo | null | 'over-budget' => {
    const cached = lookups.get(key);
    if (cached !== undefined) return cached;
    if (!spend()) return 'over-budget';
    const info = backend.lstat(parts);
    if (lookups.size < MAX_CACHED_LOOKUPS) lookups.set(key, info);
    return info;
  };

  function walk(path: string): Walk {
    const fail = (reason: ReadFailure, message: string): Failure => ({ ok: false, reason, path, message });
    if (path.length > MAX_PATH_CHARS) return fail('missing', `not found: a path of ${path.length} characters`);
    if (path.includes('\0')) return fail('missing', `not found: ${path} (a path cannot hold NUL)`);
    // Components still to walk, last first, so a symlink's target goes on top in order.
    const pending = path.split('/').reverse();
    /** How many of the components on top of `pending` came from symlink targets, not from `path`. */
    let fromLinks = 0;
    const done: string[] = [];
    let node = ROOT;
    let hops = 0;
    while (pending.length > 0) {
      const part = pending.pop()!;
      const partFromLink = fromLinks > 0;
      if (partFromLink) fromLinks--;
      if (part === '' || part === '.') continue;
      if (node.kind !== 'dir') return fail('missing', `not found: ${path} (/${done.join('/')} is not a directory)`);
      if (part === '..') {
        if (done.length === 0) return fail('escapes', `path escapes its partition: ${path}`);
        done.pop();
        node = ROOT;
        continue;
      }
      done.push(part);
      const info = lookup(done, done.join('/'));
      if (info === 'over-budget') return overBudget(path);
      if (info === null) {
        // Dangling only when a link's own target names what is missing: under `boot -> .`, a
        // missing /boot/grub is as absent as a missing /grub.
        if (!partFromLink) return fail('missing', `not found: ${path}`);
        return { ...fail('missing', `not found: ${path} (a symlink on the way leads to nothing in this partition)`), dangling: true };
      }
      if (info.kind !== 'symlink') {
        node = info;
        continue;
      }
      if (++hops > MAX_SYMLINK_HOPS) return fail('loop', `symlink loop (or more than ${MAX_SYMLINK_HOPS} links in a row): ${path}`);
      if (!spend()) return overBudget(path);
      const target = backend.readlink(done);
      if (target === null || target.length > MAX_PATH_CHARS) return fail('unreadable', `cannot read the symlink /${done.join('/')}`);
      done.pop();
      if (target.startsWith('/')) done.length = 0;
      const targetParts = target.split('/');
      for (let i = targetParts.length - 1; i >= 0; i--) pending.push(targetParts[i]!);
      fromLinks += targetParts.length;
      node = ROOT; // the directory the link sits in, already walked
    }
    return { ok: true, parts: done, node };
  }

  // Every entry of a big menu names the same kernel: resolve each path once.
  const resolved = new Map<string, Resolved>();
  const resolve = (path: string): Resolved => {
    const known = resolved.get(path);
    if (known) return known;
    const w = walk(path);
    const r: Resolved = w.ok
      ? { ok: true, path: `/${w.parts.join('/')}`, type: w.node.kind === 'file' || w.node.kind === 'dir' ? w.node.kind : 'other', size: w.node.size }
      : w;
    if (r.ok || r.reason !== 'over-budget') {
      if (resolved.size < MAX_CACHED_LOOKUPS) resolved.set(path, r);
    }
    return r;
  };

  /** Reads a regular file whole, up to `max` bytes; the buffer fits the file, not the bound. */
  const readWhole = (path: string, parts: string[], size: number, max: number): Uint8Array | Failure => {
    const chunks: Uint8Array[] = [];
    let got = 0;
    // The size from lstat is a hint (a file may be growing): read until EOF or past the bound.
    let want = Math.min(max + 1, Math.max(size + 1, 4096));
    for (;;) {
      if (!spend() || bytes + want > limits.bytes) return overBudget(path);
      const chunk = backend.read(parts, got, want);
      if (chunk === null) return { ok: false, reason: 'unreadable', path, message: `cannot read ${path}` };
      bytes += chunk.length;
      chunks.push(chunk);
      got += chunk.length;
      if (got > max) return { ok: false, reason: 'too-large', path, message: `refused ${path}: over the ${max}-byte limit` };
      if (chunk.length < want) break;
      want = Math.min(max + 1 - got, Math.max(want, 65_536));
    }
    if (chunks.length === 1) return chunks[0]!;
    const all = new Uint8Array(got);
    let at = 0;
    for (const c of chunks) {
      all.set(c, at);
      at += c.length;
    }
    return all;
  };

  return {
    resolve,
    read(path, maxBytes = MAX_CONFIG_BYTES): ReadResult {
      const w = walk(path);
      if (!w.ok) return w;
      if (w.node.kind !== 'file') return { ok: false, reason: 'not-a-file', path, message: `not a file: ${path}` };
      if (w.node.size > maxBytes) {
        return { ok: false, reason: 'too-large', path, message: `refused ${path}: ${w.node.size} bytes is over the ${maxBytes}-byte limit` };
      }
      const data = readWhole(path, w.parts, w.node.size, maxBytes);
      if (!(data instanceof Uint8Array)) return data;
      return { ok: true, path, text: new TextDecoder('utf-8').decode(data) };
    },
    readBytes(path, offset, length) {
      const w = walk(path);
      if (!w.ok || w.node.kind !== 'file' || length <= 0) return null;
      const wanted = Math.max(0, Math.min(length, w.node.size - offset));
      if (!spend() || bytes + wanted > limits.bytes) return null;
      const data = backend.read(w.parts, offset, wanted);
      if (data) bytes += data.length;
      return data;
    },
    stat(path): FileStat | null {
      const r = resolve(path);
      return r.ok ? { type: r.type, size: r.size } : null;
    },
    list(dir) {
      const w = walk(dir);
      if (!w.ok || w.node.kind !== 'dir' || !spend()) return null;
      return backend.list(w.parts, limits.listNames)?.sort() ?? null;
    },
    canonical(path) {
      const r = resolve(path);
      return r.ok ? r.path : null;
    },
  };
}
