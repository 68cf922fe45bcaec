// A bounded, folding list of problems. A hostile config can make one mistake a million times;
// the person needs to read it once, with a count. Problems of the same shape (the same file and
// the same message once its numbers are set aside) are kept up to PER_SHAPE times, then counted;
// at most MAX_SHAPES shapes are kept, the rest only counted. Memory stays bounded however many
// problems are pushed, and the list reads in the order they were found.

export interface ProblemLike {
  file: string | null;
  line: number | null;
  message: string;
}

export const PER_SHAPE = 3;
export const MAX_SHAPES = 100;
/** A message longer than this is cut: it is read on a console, not parsed. */
export const MAX_MESSAGE_CHARS = 1000;

interface Shape<P> {
  first: P;
  count: number;
}

export class ProblemLog<P extends ProblemLike = ProblemLike> {
  private readonly kept: P[] = [];
  private readonly shapes = new Map<string, Shape<P>>();
  private unshaped = 0;
  private last: { message: string; file: string | null; shape: Shape<P> } | null = null;

  /** Array-like, so code that collects problems can take a ProblemLog or an array. */
  push(...problems: P[]): number {
    for (const p of problems) this.add(p);
    return this.kept.length;
  }

  add(problem: P): void {
    const p = problem.message.length > MAX_MESSAGE_CHARS ? { ...problem, message: `${problem.message.slice(0, MAX_MESSAGE_CHARS)}...` } : problem;
    // A flood repeats one message: remember the last one's shape.
    let shape: Shape<P> | undefined;
    if (p.message === this.last?.message && p.file === this.last.file) {
      shape = this.last.shape;
    } else {
      const key = `${p.file ?? ''}\0${shapeOf(p.message)}`;
      shape = this.shapes.get(key);
      if (!shape) {
        if (this.shapes.size >= MAX_SHAPES) {
          this.unshaped++;
          return;
        }
        shape = { first: p, count: 0 };
        this.shapes.set(key, shape);
      }
      this.last = { message: p.message, file: p.file, shape };
    }
    if (++shape.count <= PER_SHAPE) this.kept.push(p);
  }

  addAll(problems: Iterable<P>): void {
    for (const p of problems) this.add(p);
  }

  /** The kept problems, then one line per folded shape and one for the shapes past the limit. */
  list(): P[] {
    const out = [...this.kept];
    for (const { first, count } of this.shapes.values()) {
      if (count > PER_SHAPE) out.push({ ...first, line: null, message: `and ${thousands(count - PER_SHAPE)} more like this: ${first.message}` });
    }
    const template = this.kept[0];
    if (this.unshaped > 0 && template) {
      out.push({ ...template, file: null, line: null, message: `and ${thousands(this.unshaped)} more problems of other kinds` });
    }
    return out;
  }
}

/** 1234567 -> "1,234,567" (no Intl: this runs in the scan worker too). */
export function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+$)/g, ',');
}

/** A message with its numbers set aside: "MENU END without MENU BEGIN" and "line 7" vs "line 9" alike. */
function shapeOf(message: string): string {
  return message.replace(/[0-9]+/g, '#');
}
