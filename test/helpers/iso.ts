// ISO images made by the real xorriso (`xorriso -as mkisofs`, as distributions master theirs)
// from a tree described in the test.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';

export type Tree = Record<string, string | Uint8Array | { link: string } | { sparse: number; marks: Record<number, string> }>;

/** A maker of images under `work`: it writes `tree` to a directory and runs `xorriso -as mkisofs ARGS` over it. */
export function isoMaker(work: string): (tree: Tree, args: string[]) => { image: Uint8Array; dir: string; file: string } {
  let serial = 0;
  return (tree, args) => {
    const dir = path.join(work, `tree${++serial}`);
    mkdirSync(dir);
    for (const [name, node] of Object.entries(tree)) {
      const at = path.join(dir, name);
      mkdirSync(path.dirname(at), { recursive: true });
      if (typeof node === 'string' || node instanceof Uint8Array) writeFileSync(at, node);
      else if ('link' in node) symlinkSync(node.link, at);
      else {
        const fd = openSync(at, 'w');
        for (const [offset, text] of Object.entries(node.marks)) writeSync(fd, text, Number(offset));
        closeSync(fd);
        execFileSync('truncate', ['-s', String(node.sparse), at]);
      }
    }
    const file = path.join(work, `image${serial}.iso`);
    execFileSync('xorriso', ['-as', 'mkisofs', ...args, '-o', file, dir], { stdio: 'pipe' });
    return { image: new Uint8Array(readFileSync(file)), dir, file };
  };
}
