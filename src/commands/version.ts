declare const KEXMENU_VERSION: string | undefined;

export async function run(_argv: string[] = []): Promise<number> {
  process.stdout.write(`kexmenu ${typeof KEXMENU_VERSION === 'string' ? KEXMENU_VERSION : 'dev'}\n`);
  return 0;
}
