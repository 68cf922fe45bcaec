// QEMU figures (TCG, 2 cores: KVM does not work on these machines): our image booted for real, the
// menu driven over the serial console like a person, and a real Debian kernel kexec'd from a real
// disk image. Host seconds unless said otherwise; min and median over a few runs; never pass/fail.
//
// Per arch and repetition, two guests, each with a hard time limit (QEMU is killed at it):
//  menu run   kexmenu.timeout=-1, gpt-debian.img. Times: QEMU start -> the menu kernel's first
//             console line ("Linux version", so the menu kernel runs without `quiet`) -> kexmenu's
//             first frame ("Enter boot") -> the frame with all 5 GRUB entries. Then `x` (the menu's
//             shell, node stays alive behind it): VmRSS of the node process, and in-guest timed
//             (/proc/uptime) bare `kexec -l` of the very files and command line kexmenu will load,
//             from kexmenu's own mounts (twice: the first read is cold, the second warm, as
//             kexmenu's load after it is), and once with `-i`; `kexec -u`; `exit` back to the menu.
//             Then `3` (the "recovery mode" entry of kernel V: same kernel and initrd as the
//             default but without `quiet`, so the target kernel's first console line is visible)
//             and Enter. Times: Enter -> kexmenu's `$ kexec -l` log line -> "unmounting and
//             starting..." (load done) -> `$ kexec -e` (the moment kexec -e runs) -> the target
//             kernel's "Linux version" -> KEXMENU-TARGET-UP.
//  shell run  the same kernel with rdinit=/bin/sh -c "<sysinit>; mount; kexec -l -i ...; echo; kexec -e":
//             the same sysinit (kernel filesystems, modules), no node, the same target entry.
// kexmenu "QEMU start -> target marker" for the ratio is the menu run without the person: the
// all-entries frame + (Enter -> marker); the shell detour and the key presses are left out.
// kexmenu's own `kexec -l` keeps purgatory's sha256 check (it never passes -i); the shell run uses
// `kexec -i` as the e2e tests do, and the bare loads show what -i saves. cryptomgr.notests=1 on the
// menu kernel (the target's command line is the disk's own).
import { statSync } from 'node:fs';
import { execa } from 'execa';
import { Guest, type MachineType } from '../test/e2e/qemu.js';
import { prepare, TARGET_UP, type ImageArch, type Images } from '../test/e2e/images.js';

const RUNS = Number(process.env.KEXMENU_BENCH_QEMU_RUNS ?? 3);
const ARM_RUNS = Number(process.env.KEXMENU_BENCH_QEMU_ARM_RUNS ?? 3);
const DEBUG = !!process.env.KEXMENU_BENCH_QEMU_DEBUG;

interface Arch {
  arch: ImageArch;
  machine: MachineType;
  console: string;
  runs: number;
  /** Hard limit per QEMU run. */
  limitMs: number;
}

const ARCHES: Arch[] = [
  { arch: 'x86_64', machine: 'x86_64', console: 'ttyS0', runs: RUNS, limitMs: 120_000 },
  { arch: 'arm64', machine: 'virt', console: 'ttyAMA0', runs: ARM_RUNS, limitMs: 150_000 },
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for `pattern` in the output after `from`; the host second it was seen and where it ends. */
async function at(guest: Guest, pattern: RegExp, timeoutMs: number, from = 0): Promise<{ s: number; end: number; m: RegExpMatchArray }> {
  const m = await guest.waitForOutput(pattern, timeoutMs, from);
  return { s: guest.seconds, end: from + (m.index ?? 0) + m[0].length, m };
}

async function screenAt(guest: Guest, pattern: RegExp, timeoutMs: number): Promise<number> {
  await guest.waitForScreen(pattern, timeoutMs);
  return guest.seconds;
}

interface MenuRun {
  kernelLine: number;
  firstFrame: number;
  allEntries: number;
  rssKb: number;
  /** In-guest seconds: bare kexec -l cold, warm, warm with -i. */
  bareCold: number;
  bareWarm: number;
  bareI: number;
  enter: number;
  loadStart: number;
  loaded: number;
  exec: number;
  targetLine: number;
  marker: number;
}

interface ShellRun {
  kernelLine: number;
  sysinit: number;
  exec: number;
  targetLine: number;
  marker: number;
}

function targetFiles(images: Images, root: string, a: Arch) {
  const v = images.manifest.kernelVersion;
  return {
    kernel: `${root}/boot/vmlinuz-${v}`,
    initrd: `${root}/boot/initrd.img-${v}`,
    // The GRUB "recovery mode" entry of kernel V (scripts/image/disks.sh), word for word.
    cmdline: `root=UUID=${images.manifest.rootUuid} ro console=${a.console} single`,
  };
}

const BASE = (a: Arch) => `console=${a.console} panic=-1 cryptomgr.notests=1 kexmenu.tty1=off`;

async function menuRun(a: Arch, images: Images): Promise<MenuRun> {
  const guest = Guest.start({
    machine: a.machine,
    kernel: images.kernel,
    initrd: images.initramfs,
    append: `${BASE(a)} kexmenu.timeout=-1`,
    disks: [{ file: images.disks.gptDebian }],
    timeoutMs: a.limitMs,
  });
  try {
    const kernelLine = (await at(guest, /Linux version .*\n/, 60_000)).s;
    const firstFrame = await screenAt(guest, /Enter boot/, 60_000);
    const allEntries = await screenAt(guest, /5\. [^\n]*recovery mode/, 30_000);
    if (DEBUG) console.error(guest.screen());

    let from = guest.output.length;
    guest.send('x');
    from = (await at(guest, /type exit to come back to the menu\n/, 20_000, from)).end;
    await sleep(500);
    const t = targetFiles(images, '/run/kexmenu/vda1', a);
    const load = `kexec -l ${t.kernel} --initrd=${t.initrd} --append="$A"`;
    guest.type(
      `A='${t.cmdline}'; u() { cut -d' ' -f1 /proc/uptime; }; a=$(u); ${load}; b=$(u); ${load}; c=$(u); ${load.replace('-l', '-l -i')}; d=$(u); kexec -u; ` +
        `echo "BARE $a $b $c $d"; grep VmRSS /proc/$(pidof node)/status; exit`,
    );
    const bare = await at(guest, /BARE ([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+)\n/, 90_000, from);
    const rss = await at(guest, /VmRSS:\s+(\d+) kB/, 10_000, bare.end);
    const [b0, b1, b2, b3] = bare.m.slice(1, 5).map(Number) as [number, number, number, number];
    from = rss.end;
    // Back in the menu (it rescans): wait for the full list again, pick entry 3, boot it.
    await at(guest, /Enter boot/, 30_000, from);
    await guest.waitForScreen(/5\. [^\n]*recovery mode/, 30_000);
    guest.send('3');
    await guest.waitForScreen(/> 3\. [^\n]*recovery mode/, 10_000);
    if (DEBUG) console.error(guest.screen());
    from = guest.output.length;
    guest.send('\r');
    const enter = guest.seconds;
    const loadStart = await at(guest, /\$ kexec -l [^\n]*\n/, 30_000, from);
    const loaded = await at(guest, /unmounting and starting/, 90_000, loadStart.end);
    const exec = await at(guest, /\$ kexec -e/, 30_000, loaded.end);
    const targetLine = await at(guest, /Linux version .*\n/, 60_000, exec.end);
    const marker = await at(guest, TARGET_UP, 60_000, targetLine.end);
    if (marker.m[1]?.trim() !== t.cmdline) throw new Error(`the target booted with "${marker.m[1]}", not "${t.cmdline}"`);
    return {
      kernelLine,
      firstFrame,
      allEntries,
      rssKb: Number(rss.m[1]),
      bareCold: b1 - b0,
      bareWarm: b2 - b1,
      bareI: b3 - b2,
      enter,
      loadStart: loadStart.s,
      loaded: loaded.s,
      exec: exec.s,
      targetLine: targetLine.s,
      marker: marker.s,
    };
  } finally {
    await guest.stop();
  }
}

async function shellRun(a: Arch, images: Images): Promise<ShellRun> {
  const t = targetFiles(images, '/mnt/d', a);
  // The kernel hands the words after `--` to init; its quoting knows only double quotes, so the
  // script uses single quotes inside.
  const script = [
    '/usr/libexec/kexmenu/sysinit',
    'mkdir -p /mnt/d && mount -o ro,noload /dev/vda1 /mnt/d',
    `kexec -l -i ${t.kernel} --initrd=${t.initrd} --append='${t.cmdline}' && umount /mnt/d && echo SHELL-KEXEC-E && kexec -e`,
  ].join('; ');
  const guest = Guest.start({
    machine: a.machine,
    kernel: images.kernel,
    initrd: images.initramfs,
    append: `${BASE(a)} rdinit=/bin/sh -- -c "${script}"`,
    disks: [{ file: images.disks.gptDebian }],
    timeoutMs: a.limitMs,
  });
  try {
    const kernelLine = await at(guest, /Linux version .*\n/, 60_000);
    const sysinit = await at(guest, /kexmenu: sysinit done/, 60_000, kernelLine.end);
    const exec = await at(guest, /SHELL-KEXEC-E\n/, 60_000, sysinit.end);
    const targetLine = await at(guest, /Linux version .*\n/, 60_000, exec.end);
    const marker = await at(guest, TARGET_UP, 60_000, targetLine.end);
    if (marker.m[1]?.trim() !== t.cmdline) throw new Error(`the shell's target booted with "${marker.m[1]}", not "${t.cmdline}"`);
    return { kernelLine: kernelLine.s, sysinit: sysinit.s, exec: exec.s, targetLine: targetLine.s, marker: marker.s };
  } finally {
    await guest.stop();
  }
}

const stats = (v: number[]) => {
  const s = [...v].sort((x, y) => x - y);
  return { min: s[0]!, median: s[Math.floor(s.length / 2)]! };
};
function fmt(what: string, v: number[], unit = 's', digits = 2): string {
  const { min, median } = stats(v);
  return `  ${what.padEnd(60)} min ${min.toFixed(digits).padStart(7)} ${unit}  median ${median.toFixed(digits).padStart(7)} ${unit}`;
}
const ratio = (a: number[], b: number[]) => {
  const x = stats(a);
  const y = stats(b);
  return `min ${(x.min / y.min).toFixed(2)}x  median ${(x.median / y.median).toFixed(2)}x`;
};
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

async function benchArch(a: Arch): Promise<string[]> {
  const images = await prepare(a.arch);
  const menu: MenuRun[] = [];
  const shell: ShellRun[] = [];
  for (let i = 0; i < a.runs; i++) {
    menu.push(await menuRun(a, images));
    shell.push(await shellRun(a, images));
  }
  const m = (f: (r: MenuRun) => number) => menu.map(f);
  const kexmenuTotal = m((r) => r.allEntries + (r.marker - r.enter));
  const shellTotal = shell.map((r) => r.marker);
  const enterToExec = m((r) => r.exec - r.enter);
  const bareWarm = m((r) => r.bareWarm);
  return [
    `### ${a.arch} (${a.machine}), ${a.runs} runs; initramfs ${mb(statSync(images.initramfs).size)} (zstd), kernel ${mb(statSync(images.kernel).size)}`,
    fmt('QEMU start -> menu kernel first console line', m((r) => r.kernelLine)),
    fmt('kernel first line -> kexmenu first frame', m((r) => r.firstFrame - r.kernelLine)),
    fmt('first frame -> frame with all 5 entries', m((r) => r.allEntries - r.firstFrame)),
    fmt('Enter -> `$ kexec -l` logged (plan, start load)', m((r) => r.loadStart - r.enter)),
    fmt('`kexec -l` logged -> load done (no -i)', m((r) => r.loaded - r.loadStart)),
    fmt('load done -> `$ kexec -e` logged (unmount, sync)', m((r) => r.exec - r.loaded)),
    fmt('Enter -> `$ kexec -e` logged (the boot path)', enterToExec),
    fmt('Enter -> target kernel first console line', m((r) => r.targetLine - r.enter)),
    fmt('`kexec -e` -> target kernel first line (sha256 checked)', m((r) => r.targetLine - r.exec)),
    fmt('Enter -> KEXMENU-TARGET-UP', m((r) => r.marker - r.enter)),
    fmt('in guest: bare `kexec -l`, same files and args, cold', m((r) => r.bareCold)),
    fmt('in guest: bare `kexec -l`, warm', bareWarm),
    fmt('in guest: bare `kexec -l -i`, warm', m((r) => r.bareI)),
    `  boot path / bare warm kexec -l (Enter->kexec -e over load)        ${ratio(enterToExec, bareWarm)}`,
    fmt('kexmenu RSS at the menu (node VmRSS)', m((r) => r.rssKb / 1024), 'MB', 1),
    fmt('shell init: QEMU start -> kernel first console line', shell.map((r) => r.kernelLine)),
    fmt('shell init: kernel first line -> sysinit done', shell.map((r) => r.sysinit - r.kernelLine)),
    fmt('shell init: sysinit done -> kexec -e (mount, kexec -l -i)', shell.map((r) => r.exec - r.sysinit)),
    fmt('shell init: kexec -e -> target kernel first line (-i)', shell.map((r) => r.targetLine - r.exec)),
    fmt('shell init: QEMU start -> KEXMENU-TARGET-UP', shellTotal),
    fmt('kexmenu: QEMU start -> KEXMENU-TARGET-UP (no human delay)', kexmenuTotal),
    `  kexmenu / shell init, QEMU start -> target marker                ${ratio(kexmenuTotal, shellTotal)}`,
  ];
}

/** Another test run may be using the 2 cores: wait (up to 10 min) until no QEMU runs. */
async function waitForIdleMachine(): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < 600_000) {
    const { exitCode } = await execa('pgrep', ['-f', 'qemu-system'], { reject: false });
    if (exitCode !== 0) break;
    await sleep(5_000);
  }
  return (Date.now() - start) / 1000;
}

export async function benchQemu(arches = ARCHES): Promise<string[]> {
  const waited = await waitForIdleMachine();
  const lines = [
    '## qemu (TCG, -smp 2; host seconds; cryptomgr.notests=1 on the menu kernel; shell init uses kexec -i, kexmenu does not)',
  ];
  if (waited > 1) lines.push(`  (waited ${waited.toFixed(0)} s for another QEMU to finish first)`);
  for (const a of arches) {
    if (a.runs <= 0) continue;
    try {
      lines.push(...(await benchArch(a)));
    } catch (error) {
      lines.push(`### ${a.arch}\n  failed: ${(error as Error).message.split('\n').slice(0, 30).join('\n  ')}`);
    }
  }
  return lines;
}

if (process.argv[1] && /bench\/qemu\.ts$/.test(process.argv[1])) {
  const only = process.argv[2];
  console.log((await benchQemu(ARCHES.filter((a) => !only || a.arch === only))).join('\n'));
}
