import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { render } from 'ink-testing-library';
import { act } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { tryRequestedTree } from '../../src/boot/dtb-fixup.js';
import { planBoot } from '../../src/boot/plan.js';
import { EMPTY_CONFIG, type MenuConfig } from '../../src/config.js';
import type { Machine, ScanResult } from '../../src/model.js';
import { App, type Leave } from '../../src/ui/App.js';
import type { MenuBackend } from '../../src/menu/backend.js';
import { MenuServer } from '../../src/menu/server.js';
import { initialShared } from '../../src/menu/shared-state.js';
import { freshView } from '../../src/ui/state.js';
import { compileDtsTo } from '../helpers/dtc.js';
import { twoDisks, withUsbDefault } from '../helpers/sample-scan.js';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const machine: Machine = {
  arch: 'x86_64', model: null, compatible: [], cpuEnableMethods: [], possibleCpus: 4, psci: false,
  cmdline: 'console=ttyS0', systemd: false, firmwareFdt: null,
};

/** A backend over an in-memory scan result that a test can change, then "plug in" via the watcher. */
class MemoryBackend implements MenuBackend {
  onChange: ((what: string) => void) | null = null;
  constructor(public result: ScanResult, public config: MenuConfig = EMPTY_CONFIG) {}
  async scan(log: (line: string) => void) {
    log('scanned memory');
    return { scan: this.result, config: this.config };
  }
  plan = (entry: Parameters<MenuBackend['plan']>[0], edits: Parameters<MenuBackend['plan']>[1]) => planBoot(entry, machine, edits ?? {});
  watch(onChange: (what: string) => void) {
    this.onChange = onChange;
    return () => {
      this.onChange = null;
    };
  }
}

const settle = () => act(async () => {
  await new Promise((r) => setTimeout(r, 20));
});

const servers: MenuServer[] = [];

/** An owner over `backend`, started (it scans), with the countdown it brings. */
function owner(backend: MenuBackend, config: MenuConfig, timeout: number): MenuServer {
  const server = new MenuServer({ backend, initial: initialShared({ ...config, timeout }), onDue: () => {} });
  servers.push(server);
  server.start();
  return server;
}

/** One console's App over `server`. */
async function view(server: MenuServer, backend: MenuBackend) {
  const left: Leave[] = [];
  let app!: ReturnType<typeof render>;
  await act(async () => {
    app = render(<App store={server} plan={backend.plan} initial={freshView(server.snapshot())} onLeave={(l) => left.push(l)} />);
  });
  await settle();
  const press = async (data: string) => {
    await act(async () => {
      app.stdin.write(data);
    });
    await settle();
  };
  const screen = () => app.lastFrame() ?? '';
  return { app, left, press, screen };
}

async function start(backend: MenuBackend, config: MenuConfig = EMPTY_CONFIG, timeout = 10) {
  return view(owner(backend, config, timeout), backend);
}

let unmount: (() => void) | null = null;
afterEach(async () => {
  act(() => unmount?.());
  unmount = null;
  for (const server of servers.splice(0)) await server.quiesce();
});

describe('App', () => {
  it('lists entries by disk, marks the default, counts down and shows problems and keys', async () => {
    const { app, screen } = await start(new MemoryBackend(twoDisks()));
    unmount = app.unmount;
    const s = screen();
    expect(s).toMatch(/Booting "Debian GNU\/Linux" in 10 s/);
    expect(s).toMatch(/debian \(\/dev\/sda1\)\s+ext4\s+32 GB/);
    expect(s).toMatch(/LIVE \(\/dev\/sdb1\)\s+vfat\s+8\.0 GB\s+USB/);
    expect(s).toMatch(/> 1\. Debian GNU\/Linux\s+\(default\)/);
    expect(s).toMatch(/other kernels/);
    expect(s).toMatch(/2 problems - press l/);
    expect(s).toMatch(/Enter boot\s+e edit\s+l log/);
    expect(s.split('\n').every((line) => line.length <= 100)).toBe(true);
  });

  it('moves the marker with j and stops the countdown', async () => {
    const { app, press, screen } = await start(new MemoryBackend(twoDisks()));
    unmount = app.unmount;
    await press('j');
    expect(screen()).toMatch(/> 2\. Debian GNU\/Linux \(recovery mode\)/);
    expect(screen()).not.toMatch(/Booting/);
  });

  it('leaves with the plan of the selected entry on Enter', async () => {
    const { app, left, press } = await start(new MemoryBackend(twoDisks()));
    unmount = app.unmount;
    await press('jj\r');
    expect(left).toHaveLength(1);
    const leave = left[0]!;
    expect(leave.kind).toBe('boot');
    if (leave.kind === 'boot') {
      expect(leave.entry.id).toBe('sdb1:extlinux:0');
      expect(leave.plan.load[0]).toBe('kexec');
    }
  });

  it('shows the live plan in the editor and follows the edits', async () => {
    const { app, press, screen } = await start(new MemoryBackend(twoDisks()));
    unmount = app.unmount;
    await press('e');
    expect(screen()).toMatch(/Edit: Debian GNU\/Linux/);
    expect(screen()).toMatch(/kexec -l/);
    await press(' nomodeset');
    expect(screen()).toMatch(/ro quiet nomodeset/);
    expect(screen()).toMatch(/--append=.*nomodeset/);
    await press('\x1b');
    expect(screen()).toMatch(/edit discarded/);
  });

  it("shows a unified kernel image's own initrds in the editor and the copies Enter will load", async () => {
    const scan = twoDisks();
    const inside = { linux: { name: '.linux', offset: 0x11400, size: 8192 }, initrds: [{ name: '.initrd', offset: 0x400, size: 5 }], dtb: null };
    scan.entries[0] = { ...scan.entries[0]!, kernel: '/run/kexmenu/sda1/EFI/Linux/debian.efi', initrd: [], inside, origin: { format: 'uki', file: '/run/kexmenu/sda1/EFI/Linux/debian.efi', line: null } };
    const { app, press, screen } = await start(new MemoryBackend(scan));
    unmount = app.unmount;
    await press('e');
    // The other disk entry's initrd is the second choice, which the image's own would go before.
    expect(screen()).toMatch(/Initrd 1\/2: 1 inside the image  /);
    expect(screen()).toMatch(/kexec -l -y \/tmp\/kexmenu-sda1_grub_0-kernel\s+(\|\s+\| )?--initrd=\/tmp\/kexmenu-sda1_grub_0-initrd0\.img/);
  });

  it("shows in the editor which of a Pi entry's overlays apply, and switches them off", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kexmenu-app-dt-'));
    try {
      const compile = (name: string, dts: string) => compileDtsTo(path.join(dir, name), `/dts-v1/;\n${dts}`, { symbols: true });
      const base = compile('bcm2711-rpi-4-b.dtb', '/ { compatible = "raspberrypi,4-model-b"; v3d: v3d { status = "disabled"; }; };');
      const kms = compile('vc4-kms-v3d.dtbo', '/plugin/; / { fragment@0 { target = <&v3d>; __overlay__ { status = "okay"; }; }; };');
      const bt = compile('disable-bt.dtbo', '/plugin/; / { fragment@0 { target = <&bt>; __overlay__ { status = "disabled"; }; }; };');
      const scan = twoDisks();
      scan.entries[0] = { ...scan.entries[0]!, arch: 'aarch64', dtb: base, overlays: [{ path: kms, params: [] }, { path: bt, params: [] }] };
      const pi: Machine = { ...machine, arch: 'aarch64', compatible: ['raspberrypi,4-model-b'] };
      const backend = new MemoryBackend(scan);
      backend.plan = (entry, edits) => planBoot(entry, pi, edits ?? {}, { tryDeviceTree: tryRequestedTree, tmpDir: dir });
      const { app, press, screen } = await start(backend);
      unmount = app.unmount;
      await press('e');
      expect(screen()).toMatch(/Overlays: +vc4-kms-v3d \(applied\), disable-bt \(failed: [^)]*bt/);
      await press('\t\t\t');
      await press('\x1b[C');
      expect(screen()).toMatch(/Overlays: +off: the tree without the entry's 2 overlay\(s\)/);
      expect(screen()).not.toMatch(/disable-bt is not applied/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('shows the scan problems in the log view', async () => {
    const { app, press, screen } = await start(new MemoryBackend(twoDisks()));
    unmount = app.unmount;
    await press('l');
    expect(screen()).toMatch(/Problems \(2\):/);
    expect(screen()).toMatch(/grub\.cfg:7: initrd not found/);
    expect(screen()).toMatch(/scanned memory/);
  });

  it('masks the password in restricted mode', async () => {
    const hash = `sha256:${createHash('sha256').update('pw').digest('hex')}`;
    const { app, press, screen } = await start(new MemoryBackend(twoDisks()), { ...EMPTY_CONFIG, password: hash });
    unmount = app.unmount;
    await press('e');
    await press('secret');
    expect(screen()).toMatch(/Password: \*{6}/);
    expect(screen()).not.toMatch(/secret/);
  });

  it('shows a disk that appears while the menu runs, and restarts the countdown for its default', async () => {
    const config = { ...EMPTY_CONFIG, timeout: 30 };
    const backend = new MemoryBackend(twoDisks(), config);
    const { app, screen } = await start(backend, config, 30);
    unmount = app.unmount;
    backend.result = withUsbDefault(twoDisks());
    await act(async () => backend.onChange?.('+sdc1'));
    await settle();
    expect(screen()).toMatch(/RESCUE/);
    expect(screen()).toMatch(/Booting "Rescue stick" in 30 s/);
  });

  it('two consoles over one owner: a key on one stops the countdown on both; each keeps its own cursor and editor', async () => {
    const backend = new MemoryBackend(twoDisks());
    const server = owner(backend, EMPTY_CONFIG, 10);
    const first = await view(server, backend);
    const second = await view(server, backend);
    try {
      expect(first.screen()).toMatch(/Booting "Debian GNU\/Linux" in 10 s/);
      expect(second.screen()).toMatch(/Booting "Debian GNU\/Linux" in 10 s/);
      await second.press('e');
      await second.press(' single');
      await settle();
      expect(first.screen()).not.toMatch(/Booting/);
      expect(first.screen()).toMatch(/> 1\. Debian GNU\/Linux/);
      await first.press('jj');
      expect(first.screen()).toMatch(/> 3\. Live system/);
      // The editor on the second console is as it was left.
      expect(second.screen()).toMatch(/Edit: Debian GNU\/Linux/);
      expect(second.screen()).toMatch(/ro quiet single/);
      await first.press('\r');
      expect(first.left.map((l) => l.kind === 'boot' && l.entry.id)).toEqual(['sdb1:extlinux:0']);
      expect(second.left).toEqual([]);
    } finally {
      act(() => first.app.unmount());
      act(() => second.app.unmount());
    }
  });
});
