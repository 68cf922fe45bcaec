// Finds the entry GRUB's `default` variable names, the way GRUB reads it: a path of components
// separated by '>' (a literal '>' in a title is written '>>'), each one a 0-based index, a title
// or an --id, walking into submenus. A path that ends on a submenu means its first entry.

export type MenuNode =
  | { kind: 'entry'; title: string; id: string | null; /** index into the parser's entries; null for non-Linux entries */ entry: number | null }
  | { kind: 'submenu'; title: string; id: string | null; children: MenuNode[] };

export interface DefaultChoice {
  /** Index into the parser's entries, or null when the first entry should be used. */
  entry: number | null;
  /** Why `default` could not be followed; null when it could (or was empty). */
  problem: string | null;
}

export function splitDefaultPath(spec: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i]!;
    if (c === '>' && spec[i + 1] === '>') {
      current += '>';
      i++;
    } else if (c === '>') {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts;
}

export function resolveDefault(nodes: MenuNode[], spec: string): DefaultChoice {
  const wanted = spec.trim();
  if (wanted === '') return { entry: null, problem: null };
  let level = nodes;
  let node: MenuNode | undefined;
  for (const component of splitDefaultPath(wanted)) {
    node = /^\d+$/.test(component) ? level[Number(component)] : level.find((n) => n.title === component || n.id === component);
    if (!node) return { entry: null, problem: `default "${spec}" names no menu entry` };
    level = node.kind === 'submenu' ? node.children : [];
  }
  const entry = node ? firstEntry(node) : null;
  if (entry === null) return { entry: null, problem: `default "${spec}" names a menu entry that is not a Linux entry` };
  return { entry, problem: null };
}

function firstEntry(node: MenuNode): number | null {
  if (node.kind === 'entry') return node.entry;
  for (const child of node.children) {
    const found = firstEntry(child);
    if (found !== null) return found;
  }
  return null;
}
