// Boots a guest in QEMU (TCG: KVM does not work on these machines) and lets a test read its
// serial console like a person would: the output feeds an 80x24 @xterm/headless terminal, so
// `waitForScreen` sees what is on the screen now, and `waitForOutput` sees everything printed so far
// (text that scrolled away included). `send` types keys. Every guest has a hard time limit after
// which QEMU is killed, and `stop()` kills it at the end of a test: no test can hang on QEMU.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { ConsoleScreen } from './console-screen.js';

export type MachineType = 'x86_64' | 'virt' | 'raspi3b' | 'raspi4b';

let qemu10: string | undefined;
/**
 * Debian 13's qemu-system-aarch64 (QEMU 10: Debian 12's 7.2 has no raspi4b), run from its chroot
 * by the runner scripts/image/qemu10.sh writes. Warm, the script only checks its stamp; call
 * images.ts's prepareQemu10() in a beforeAll first so that a first run does not block here.
 */
export function qemu10Runner(): string {
  const script = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../scripts/image/qemu10.sh');
  qemu10 ??= execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop();
  if (!qemu10) throw new Error(`${script} printed no runner`);
  return qemu10;
}

export interface Disk {
  /** An image file, or `nbd://127.0.0.1:PORT` (a server of the test's own: see nbd-server.ts). */
  file: string;
  /** Attach writable (default read-only). Only for proving that the guest itself never writes. */
  writable?: boolean;
  /** Attach as a USB mass-storage stick on qemu-xhci instead of a virtio disk. */
  usb?: boolean;
}

export interface GuestOptions {
  machine: MachineType;
  kernel: string;
  initrd: string;
  /** raspi3b and raspi4b need the board's DTB. */
  dtb?: string;
  append: string;
  disks?: Disk[];
  /** Hard limit for the whole QEMU run; QEMU is killed when it is reached. */
  timeoutMs: number;
  memoryMb?: number;
  /** A USB controller even with no stick at start, so `plugUsb` can add one later. */
  usbController?: boolean;
  /**
   * A virtio console (hvc0), read and typed on through `secondConsole()`. Not a second serial
   * port: Linux's 8250 driver is one console however many ports, so `console=ttyS1 console=ttyS0`
   * gives ttyS1 alone.
   */
  virtioConsole?: boolean;
}

/** The QEMU command line for a machine type (the recipes in docs/qemu.md). */
export function qemuArgs(options: GuestOptions, pidFile: string): { command: string; args: string[] } {
  // raspi3b, raspi4b: the PL011 (ttyAMA0) belongs to Bluetooth in the Pi 3 and Pi 4 device trees
  // (serdev takes its input), so the console is the mini UART, the board's second serial port: console=ttyS1.
  // raspi4b: both ports on stdio (a mux; keys go to the last port, the mini UART), because the
  // Pi 4's targets print on the PL011: under QEMU 10 a kexec'd kernel on the mini UART livelocks
  // about every other boot (docs/qemu.md). QEMU's mux takes Ctrl-A as its escape key.
  const raspi = options.machine === 'raspi3b' || options.machine === 'raspi4b';
  const serial =
    options.machine === 'raspi4b'
      ? ['-chardev', 'stdio,id=serial,mux=on', '-serial', 'chardev:serial', '-serial', 'chardev:serial']
      : raspi
        ? ['-serial', 'null', '-serial', 'stdio']
        : ['-serial', 'stdio'];
  if (options.virtioConsole) {
    const socket = path.join(path.dirname(pidFile), 'hvc0.sock');
    serial.push('-device', 'virtio-serial-pci', '-chardev', `socket,id=hvc0,path=${socket},server=on,wait=off`, '-device', 'virtconsole,chardev=hvc0');
  }
  // QMP on a socket of the guest's own, for hotplug (plugUsb).
  const qmp = `unix:${path.join(path.dirname(pidFile), 'qmp.sock')},server=on,wait=off`;
  const common = ['-display', 'none', '-monitor', 'none', '-qmp', qmp, ...serial, '-no-reboot', '-pidfile', pidFile];
  const boot = ['-kernel', options.kernel, '-initrd', options.initrd, '-append', options.append];
  const memory = String(options.memoryMb ?? 1024);
  let command: string;
  let machine: string[];
  switch (options.machine) {
    case 'x86_64':
      command = 'qemu-system-x86_64';
      // Not `-cpu max`: with it node died of SIGILL now and then (QEMU 7.2's young AVX emulation
      // under V8's JIT). Nehalem (SSE4.2, POPCNT, no AVX) is all node and the kernel need.
      machine = ['-accel', 'tcg', '-cpu', 'Nehalem', '-smp', '2', '-m', memory];
      break;
    case 'virt':
      command = 'qemu-system-aarch64';
      // thread=single: much faster and steadier than MTTCG on 2 shared cores.
      machine = ['-M', 'virt', '-cpu', 'cortex-a57', '-smp', '2', '-m', memory, '-accel', 'tcg,thread=single'];
      break;
    case 'raspi3b':
      command = 'qemu-system-aarch64';
      // RAM is fixed at 1 GB; the parked CPUs spin, so a single TCG thread is essential.
      machine = ['-M', 'raspi3b', '-m', '1G', '-accel', 'tcg,thread=single'];
      if (options.dtb) machine.push('-dtb', options.dtb);
      break;
    case 'raspi4b':
      // QEMU 10 from its chroot (qemu10Runner). The board has 2 GB, but QEMU replaces the DTB's
      // memory nodes with one of its own, 0 to 0x3c000000 (the first GiB less the VideoCore's
      // 64 MiB), and deletes the first node compatible with each of the GENET, PCIe, RNG and
      // thermal blocks it does not model (docs/qemu.md, "Raspberry Pi 4").
      command = qemu10Runner();
      machine = ['-M', 'raspi4b', '-m', '2G', '-accel', 'tcg,thread=single'];
      if (options.dtb) machine.push('-dtb', options.dtb);
      break;
  }
  const disks: string[] = [];
  let usb = false;
  if (options.usbController) {
    disks.push('-device', 'qemu-xhci,id=xhci');
    usb = true;
  }
  (options.disks ?? []).forEach((disk, i) => {
    const ro = disk.writable ? 'off' : 'on';
    if (disk.usb) {
      if (!usb) disks.push('-device', 'qemu-xhci,id=xhci');
      usb = true;
      disks.push('-drive', `if=none,id=usb${i},file=${disk.file},format=raw,readonly=${ro}`);
      disks.push('-device', `usb-storage,bus=xhci.0,drive=usb${i}`);
    } else if (raspi) {
      // The SD card, the board's only disk QEMU models, cannot be read-only: snapshot=on keeps
      // any write in a temporary overlay, so the image file is never modified.
      disks.push('-drive', `if=sd,file=${disk.file},format=raw${disk.writable ? '' : ',snapshot=on'}`);
    } else {
      disks.push('-drive', `if=none,id=disk${i},file=${disk.file},format=raw,readonly=${ro}`);
      disks.push('-device', `virtio-blk-pci,drive=disk${i}`);
    }
  });
  return { command, args: [...machine, ...common, ...boot, ...disks] };
}

/** A second console of the guest (its virtio console hvc0 on a Unix socket), read like the first. */
export class SocketConsole {
  readonly console = new ConsoleScreen('hvc0');

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.console.feed(chunk));
    socket.on('error', () => {});
  }

  /** Connects as soon as QEMU has made the socket (it does so before the guest runs). */
  static async connect(file: string, timeoutMs = 10_000): Promise<SocketConsole> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const socket = await new Promise<Socket>((resolve, reject) => {
          const s = connect(file, () => resolve(s));
          s.once('error', reject);
        });
        return new SocketConsole(socket);
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  get output(): string {
    return this.console.output;
  }

  screen(): string {
    return this.console.screen();
  }

  send(keys: string): void {
    this.socket.write(keys);
  }

  waitForScreen(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    return this.console.waitForScreen(pattern, timeoutMs);
  }

  waitForSettledScreen(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    return this.console.waitForSettledScreen(pattern, timeoutMs);
  }

  waitForOutput(pattern: RegExp, timeoutMs: number, from = 0): Promise<RegExpMatchArray> {
    return this.console.waitForOutput(pattern, timeoutMs, from);
  }

  close(): void {
    this.socket.destroy();
    this.console.dispose();
  }
}

const running = new Set<Guest>();
process.on('exit', () => {
  for (const guest of running) guest.kill();
});

export class Guest {
  readonly started = Date.now();
  /** Seconds since launch at which each `mark`ed pattern was first seen. */
  readonly timings: Record<string, number> = {};
  /** The serial console (ttyS0, or ttyS1 on raspi3b and raspi4b, with the PL011 too on raspi4b): QEMU's stdio. */
  readonly console: ConsoleScreen;
  private exitInfo: string | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly tmp: string;
  private readonly proc: ResultPromise<{ stdin: 'pipe'; stdout: 'pipe'; stderr: 'pipe'; reject: false }>;
  readonly exited: Promise<void>;

  private constructor(readonly options: GuestOptions) {
    this.console = new ConsoleScreen('serial', () => this.exitInfo, (message) => `${message} (at ${this.seconds.toFixed(1)} s)`);
    this.tmp = mkdtempSync(path.join(tmpdir(), 'kexmenu-qemu-'));
    const { command, args } = qemuArgs(options, path.join(this.tmp, 'qemu.pid'));
    this.proc = execa(command, args, { stdin: 'pipe', stdout: 'pipe', stderr: 'pipe', reject: false, buffer: false });
    running.add(this);
    this.proc.stdout.on('data', (chunk: Buffer) => this.console.feed(chunk));
    this.proc.stderr.on('data', (chunk: Buffer) => this.console.note(`\n[qemu stderr] ${chunk.toString()}`));
    this.timer = setTimeout(() => {
      this.exitInfo = `killed after the hard limit of ${options.timeoutMs} ms`;
      this.kill();
    }, options.timeoutMs);
    this.exited = this.proc.then((result) => {
      clearTimeout(this.timer);
      running.delete(this);
      this.exitInfo ??= `QEMU exited (code ${String(result.exitCode)}, signal ${String(result.signal)})`;
      this.console.wake();
    });
  }

  static start(options: GuestOptions): Guest {
    return new Guest(options);
  }

  get seconds(): number {
    return (Date.now() - this.started) / 1000;
  }

  /** Everything the guest printed so far, escape sequences and CRs removed. */
  get output(): string {
    return this.console.output;
  }

  screen(): string {
    return this.console.screen();
  }

  get hasExited(): boolean {
    return this.exitInfo !== undefined;
  }

  /** Types keys on the serial console: '\r' is Enter, '\x1b[B' the down arrow. */
  send(keys: string): void {
    this.proc.stdin.write(keys);
  }

  /** Types keys one at a time with a pause between them, as a person would (each is its own input event). */
  async sendKeys(keys: string[], delayMs = 60): Promise<void> {
    for (const key of keys) {
      this.send(key);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }

  /** Types a shell command line and presses Enter. */
  type(line: string): void {
    this.send(`${line}\r`);
  }

  waitForScreen(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    return this.console.waitForScreen(pattern, timeoutMs);
  }

  waitForSettledScreen(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    return this.console.waitForSettledScreen(pattern, timeoutMs);
  }

  quiet(ms?: number, timeoutMs?: number): Promise<void> {
    return this.console.quiet(ms, timeoutMs);
  }

  waitForOutput(pattern: RegExp, timeoutMs: number, from = 0): Promise<RegExpMatchArray> {
    return this.console.waitForOutput(pattern, timeoutMs, from);
  }

  /** waitForOutput that also records when the pattern was first seen under `name`. */
  async mark(name: string, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    const match = await this.waitForOutput(pattern, timeoutMs);
    this.timings[name] ??= Math.round(this.seconds * 10) / 10;
    return match;
  }

  /** The guest's virtio console (`virtioConsole`). */
  secondConsole(): Promise<SocketConsole> {
    return SocketConsole.connect(path.join(this.tmp, 'hvc0.sock'));
  }

  /** Plugs a USB stick into the running guest, as a person would: QMP's drive_add and device_add. */
  async plugUsb(id: string, file: string): Promise<void> {
    await this.qmp([
      { execute: 'human-monitor-command', arguments: { 'command-line': `drive_add 0 if=none,id=${id},file=${file},format=raw,readonly=on` } },
      { execute: 'device_add', arguments: { driver: 'usb-storage', bus: 'xhci.0', drive: id, id: `${id}-dev` } },
    ]);
  }

  /** Runs QMP commands in order; rejects with QEMU's answer when one fails. */
  private qmp(commands: object[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = connect(path.join(this.tmp, 'qmp.sock'));
      const queue = [{ execute: 'qmp_capabilities' }, ...commands];
      let buffer = '';
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error('QMP did not answer within 10 s'));
      }, 10_000);
      const finish = (error?: Error) => {
        clearTimeout(timer);
        socket.end();
        if (error) reject(error);
        else resolve();
      };
      socket.on('data', (chunk) => {
        buffer += chunk.toString();
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const message = JSON.parse(buffer.slice(0, newline)) as { QMP?: unknown; return?: unknown; error?: { desc: string }; event?: string };
          buffer = buffer.slice(newline + 1);
          if (message.event) continue;
          if (message.error) return finish(new Error(`QMP: ${message.error.desc}`));
          // HMP through QMP answers in words: "OK", or what went wrong.
          if (typeof message.return === 'string' && /error|could not|failed|invalid/i.test(message.return)) return finish(new Error(`QEMU said: ${message.return.trim()}`));
          const next = queue.shift();
          if (!next) return finish();
          socket.write(`${JSON.stringify(next)}\n`);
        }
      });
      socket.on('error', (error) => finish(error));
    });
  }

  async waitForExit(timeoutMs: number): Promise<void> {
    await this.console.waitFor(() => (this.hasExited ? ['exited'] : null), 'QEMU to exit', timeoutMs);
  }

  kill(): void {
    this.proc.kill('SIGKILL');
    // raspi3b and raspi4b cannot power off; the pid file names QEMU even if a wrapper ever sits in between.
    try {
      const pid = Number(readFileSync(path.join(this.tmp, 'qemu.pid'), 'utf8').trim());
      if (pid > 1 && pid !== this.proc.pid) process.kill(pid, 'SIGKILL');
    } catch {
      // no pid file (QEMU never started or is gone): nothing to kill
    }
  }

  async stop(): Promise<void> {
    if (!this.hasExited) this.kill();
    await this.exited;
    rmSync(this.tmp, { recursive: true, force: true });
  }
}
