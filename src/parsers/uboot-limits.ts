// What one U-Boot script may cost: a real one (Armbian's, flash-kernel's) runs in a few hundred units.
export const UBOOT_LIMITS = {
  /** Statements, loop turns, expanded characters (per 64), state copies, read bytes (per 64). */
  work: 100_000,
  /** Characters of one variable's value or one expanded field. */
  valueChars: 16 * 1024,
  /** Fields one command line may expand to. */
  fields: 4096,
  variables: 1024,
  /** `run` inside `run`. */
  runDepth: 16,
  /** `source` inside `source`, and `source` runs in all. */
  sourceDepth: 4,
  sources: 16,
  /** Boots one script may reach on its different ways. */
  boots: 64,
} as const;
