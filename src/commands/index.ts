// The command table. Modules load on demand so `kexmenu scan` never pays for the UI.
export interface Command {
  run(argv: string[]): Promise<number>;
}

export const COMMANDS = {
  menu: () => import('./menu.js'),
  scan: () => import('./scan.js'),
  plan: () => import('./plan.js'),
  boot: () => import('./boot.js'),
  version: () => import('./version.js'),
} satisfies Record<string, () => Promise<Command>>;

export type CommandName = keyof typeof COMMANDS;
