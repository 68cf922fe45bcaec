// Bounds every parser shares, so one disk's configs cannot grow past what the scan keeps anyway.

/** Entries one source may list: far more than any real disk, few enough for a menu to handle. */
export const ENTRY_CAP = 10_000;

/** Initrds (and, separately, device tree overlays) one entry may name; real ones name one or two. */
export const FILES_PER_ENTRY = 64;

/** The first FILES_PER_ENTRY of `files`, and a problem message when there were more. */
export function capFiles<T>(files: T[], what: string): { kept: T[]; problem: string | null } {
  if (files.length <= FILES_PER_ENTRY) return { kept: files, problem: null };
  return { kept: files.slice(0, FILES_PER_ENTRY), problem: `more than ${FILES_PER_ENTRY} ${what} named: only the first ${FILES_PER_ENTRY} are used` };
}
