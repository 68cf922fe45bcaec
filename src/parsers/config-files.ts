// Which of the places a boot loader keeps its config hold one. A place that holds nothing is
// normal; a place that holds a symlink leading nowhere inside the partition (or out of it, or in
// a loop) is a broken config the person should hear about, not a silent absence.
import type { ProblemSink, SourceFiles } from './types.js';

export function configFilesAt(files: SourceFiles, paths: readonly string[], problems: ProblemSink): string[] {
  const found: string[] = [];
  for (const path of paths) {
    const r = files.resolve(path);
    if (r.ok) {
      if (r.type === 'file') found.push(path);
    } else if (r.dangling || r.reason === 'escapes' || r.reason === 'loop') {
      problems.push({ file: path, line: null, message: r.message });
    }
  }
  return found;
}
