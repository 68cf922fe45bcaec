// A source held in memory, behind the same confined view (src/discover/source-view.ts) as a real
// disk: only the leaf I/O differs. Used where thousands of trees are needed (the fuzz suite) and
// where a test watches what a parser asks for.
import type { SourceFiles } from '../../src/parsers/types.js';
import { DEFAULT_VIEW_LIMITS, type NodeInfo, type SourceBackend, sourceView, type ViewLimits } from '../../src/discover/source-view.js';

/** A file's content, a symlink, an empty directory, or something that is none of those (a FIFO). */
export type MemoryNode = string | Uint8Array | { link: string } | { dir: true } | { other: true };

/** '/'-rooted path -> node; parent directories exist implicitly. */
export type MemoryTree = Record<string, MemoryNode>;

export interface MemoryBackend extends SourceBackend {
  /** Every call the view made, as `op /path`, in order. */
  calls: string[];
}

export function memoryBackend(tree: MemoryTree): MemoryBackend {
  const nodes = new Map<string, MemoryNode>();
  const children = new Map<string, Set<string>>([['', new Set()]]);
  const ensureDir = (dir: string) => {
    if (!children.has(dir)) children.set(dir, new Set());
  };
  for (const [raw, node] of Object.entries(tree)) {
    const parts = raw.split('/').filter(Boolean);
    for (let i = 0; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      ensureDir(parent);
      children.get(parent)!.add(parts[i]!);
    }
    const key = parts.join('/');
    if (typeof node === 'object' && 'dir' in node) ensureDir(key);
    else nodes.set(key, node);
  }
  const calls: string[] = [];
  const bytesOf = (node: MemoryNode): Uint8Array | null =>
    typeof node === 'string' ? new TextEncoder().encode(node) : node instanceof Uint8Array ? node : null;

  return {
    calls,
    lstat(parts) {
      const key = parts.join('/');
      calls.push(`lstat /${key}`);
      if (children.has(key) && !nodes.has(key)) return { kind: 'dir', size: 0 };
      const node = nodes.get(key);
      if (node === undefined) return null;
      const bytes = bytesOf(node);
      if (bytes) return { kind: 'file', size: bytes.length };
      const kind: NodeInfo['kind'] = typeof node === 'object' && 'link' in node ? 'symlink' : 'other';
      return { kind, size: 0 };
    },
    readlink(parts) {
      const node = nodes.get(parts.join('/'));
      calls.push(`readlink /${parts.join('/')}`);
      return node && typeof node === 'object' && 'link' in node ? node.link : null;
    },
    list(parts, max) {
      const key = parts.join('/');
      calls.push(`list /${key}`);
      const names = children.get(key);
      return names ? [...names].slice(0, max) : null;
    },
    read(parts, offset, length) {
      calls.push(`read /${parts.join('/')}`);
      const node = nodes.get(parts.join('/'));
      const bytes = node === undefined ? null : bytesOf(node);
      return bytes ? bytes.slice(offset, offset + length) : null;
    },
  };
}

export function memorySourceFiles(tree: MemoryTree, limits: ViewLimits = DEFAULT_VIEW_LIMITS): SourceFiles {
  return sourceView(memoryBackend(tree), limits);
}
