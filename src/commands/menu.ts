// Placeholder until the menu command lands; replaced by its owner.
export async function run(_argv: string[] = []): Promise<number> {
  process.stderr.write('kexmenu: the menu command is not built yet\n');
  return 2;
}
