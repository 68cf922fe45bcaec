// Deterministic mutations of a seed input, aimed at the limits a hostile disk can push: nesting,
// repetition, long lines, CR / U+2028 / NUL / ESC, invalid UTF-8, and the format's own keywords.
// Every input comes from (target, base seed, case number) alone, so any failure can be replayed.

/** mulberry32: small, fast, good enough to pick mutations. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit seed for one case of one target. */
export function caseSeed(target: string, base: number, index: number): number {
  let h = 2166136261 ^ base;
  for (const c of `${target}:${index}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return h >>> 0;
}

export class Pick {
  constructor(readonly random: () => number) {}
  int(n: number): number {
    return Math.floor(this.random() * n);
  }
  chance(p: number): boolean {
    return this.random() < p;
  }
  one<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  /** Mostly small, sometimes large: 1..max on a log scale. */
  count(max: number): number {
    return Math.max(1, Math.floor(Math.exp(this.random() * Math.log(max))));
  }
}

export interface Grammar {
  /** Words and fragments the format gives meaning to. */
  tokens: readonly string[];
  /** Open/close pairs that nest. */
  nests: readonly (readonly [string, string])[];
}

const AWKWARD = ['\r', '\u2028', '\u2029', '\0', '\x1b', '\x1b]0;title\x07', '\t', '\\', '"', "'", '$', '${', '}', '{', ';', '#', '\n', ' ', '=', '..', '/', '*', '[', ']', '\ufffd', '\ud800'];

/** The largest input a mutation makes: the size of the biggest config the view reads. */
export const MAX_INPUT_BYTES = 1024 * 1024;

export function mutateText(p: Pick, seed: string, grammar: Grammar, others: readonly string[]): string {
  let text = seed;
  const rounds = 1 + p.int(4);
  for (let r = 0; r < rounds; r++) text = mutateOnce(p, text, grammar, others);
  return text.length > MAX_INPUT_BYTES ? text.slice(0, MAX_INPUT_BYTES) : text;
}

function mutateOnce(p: Pick, text: string, g: Grammar, others: readonly string[]): string {
  const at = p.int(text.length + 1);
  const lines = () => text.split('\n');
  switch (p.int(12)) {
    case 0: // a character or fragment the parser must not trip on
      return text.slice(0, at) + p.one(AWKWARD) + text.slice(at);
    case 1: // a keyword
      return `${text.slice(0, at)}${p.chance(0.5) ? ' ' : '\n'}${p.one(g.tokens)} ${text.slice(at)}`;
    case 2: { // delete a span
      const len = p.count(200);
      return text.slice(0, at) + text.slice(at + len);
    }
    case 3: { // repeat a line, a few times or a great many
      const ls = lines();
      const i = p.int(ls.length);
      const times = p.chance(0.02) ? p.count(50_000) : p.count(40);
      ls.splice(i, 0, ...repeat(ls[i] ?? '', times, MAX_INPUT_BYTES / 2));
      return ls.join('\n');
    }
    case 4: { // nest around a span
      const [open, close] = p.one(g.nests);
      const depth = p.chance(0.05) ? p.count(5000) : p.count(8);
      const end = Math.min(text.length, at + p.count(400));
      return `${text.slice(0, at)}${`${open}\n`.repeat(depth)}${text.slice(at, end)}\n${`${close}\n`.repeat(p.chance(0.8) ? depth : p.int(depth + 1))}${text.slice(end)}`;
    }
    case 5: { // a long line, its end awkward
      const len = p.chance(0.05) ? p.count(MAX_INPUT_BYTES / 2) : p.count(4000);
      return `${text.slice(0, at)}\n${p.one(g.tokens)}${p.one(['a', ' ', '$', '{', '\\', "'", '-'] as const).repeat(len)} x${p.one(['\r', '\u2028', '', '\0'])}y\n${text.slice(at)}`;
    }
    case 6: { // splice from another seed
      const other = p.one(others.length > 0 ? others : [text]);
      const from = p.int(other.length + 1);
      return text.slice(0, at) + other.slice(from, from + p.count(2000)) + text.slice(at);
    }
    case 7: // truncate
      return text.slice(0, at);
    case 8: { // shuffle two lines
      const ls = lines();
      const i = p.int(ls.length);
      const j = p.int(ls.length);
      [ls[i], ls[j]] = [ls[j]!, ls[i]!];
      return ls.join('\n');
    }
    case 9: { // a number where one is read
      return text.replace(/\d+/, () => p.one(['0', '-1', '99999999999999999999', '1e9', '007', '']));
    }
    case 10: { // a path made of .. and symlink-ish shapes
      return `${text.slice(0, at)}${p.one(['../', '/../../', './', '//', '(hd0,gpt2)/', '($root)/../'])}${'../'.repeat(p.count(64))}etc/passwd${text.slice(at)}`;
    }
    default: { // a line of keywords
      const words = Array.from({ length: p.count(30) }, () => p.one(g.tokens));
      return `${text.slice(0, at)}\n${words.join(p.one([' ', ';', '\t']))}\n${text.slice(at)}`;
    }
  }
}

function repeat(line: string, times: number, maxBytes: number): string[] {
  const n = Math.max(1, Math.min(times, Math.floor(maxBytes / (line.length + 1))));
  return Array<string>(n).fill(line);
}

/** Bytes with some invalid UTF-8 in them (a lone continuation byte, a cut sequence, an overlong form). */
export function withInvalidUtf8(p: Pick, text: string): Uint8Array {
  const bytes = new TextEncoder().encode(text);
  const at = p.int(bytes.length + 1);
  const bad = p.one([[0x80], [0xc3], [0xe2, 0x82], [0xc0, 0xaf], [0xff, 0xfe], [0xed, 0xa0, 0x80]]);
  const out = new Uint8Array(bytes.length + bad.length);
  out.set(bytes.subarray(0, at), 0);
  out.set(bad, at);
  out.set(bytes.subarray(at), at + bad.length);
  return out;
}
