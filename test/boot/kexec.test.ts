import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { executePlan, loadPlan } from '../../src/boot/kexec.js';
import { planBoot } from '../../src/boot/plan.js';
import type { BootEntry } from '../../src/model.js';
import { getProp, memoryRanges, parseFdt, propStrings } from '../../src/platform/fdt.js';
import { readMachine } from '../../src/platform/machine.js';
import { compileDts, compileDtsTo } from '../helpers/dtc.js';
import { fakeArm64Image, fakeBzImage } from '../helpers/fake-kernel.js';
import { fixturePath } from '../helpers/golden.js';
import { makeUki, sectionOffset } from '../helpers/uki.js';

const dir = mkdtempSync(path.join(tmpdir(), 'kexmenu-kexec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const x86 = readMachine(fixturePath('machines', 'x86_64-pc'));
const rpi4 = readMachine(fixturePath('machines', 'rpi4b'));

function entry(overrides: Partial<BootEntry>): BootEntry {
  return {
    id: 'sda2:grub:0', label: 'Debian', source: 'sda2', kernel: '/etc/hostname', initrd: [], dtb: null, dtbReason: null, overlays: [], dtparams: [], firmwareArgs: [], inside: null, notLinux: null,
    cmdline: 'root=UUID=x ro', default: true, kind: 'config', origin: { format: 'grub', file: '/boot/grub/grub.cfg', line: 1 },
    arch: 'x86_64', version: null, ...overrides,
  };
}

/**
 * Stands in for the real `kexec -l` / `kexec -e`, which would need a kexec-capable kernel and
 * would replace the running system. It records its arguments and keeps copies of the files it was
 * handed, so the test sees exactly what the real kexec would have read.
 */
function fakeKexec(name: string, exitCode = 0, stderr = ''): { binary: string; calls: () => string[]; copy: (what: string) => Buffer } {
  const home = path.join(dir, name);
  execFileSync('mkdir', ['-p', home]);
  const binary = path.join(home, 'kexec');
  writeFileSync(
    binary,
    `#!/bin/sh
echo "$*" >> '${home}/calls'
for a; do case "$a" in --initrd=*) cp "\${a#--initrd=}" '${home}/initrd';; --dtb=*) cp "\${a#--dtb=}" '${home}/dtb';; -*) ;; *) cp "$a" '${home}/kernel';; esac; done
${stderr ? `echo '${stderr}' >&2` : ''}
exit ${exitCode}
`,
  );
  chmodSync(binary, 0o755);
  return {
    binary,
    calls: () => (existsSync(path.join(home, 'calls')) ? readFileSync(path.join(home, 'calls'), 'utf8').trim().split('\n') : []),
    copy: (what) => readFileSync(path.join(home, what)),
  };
}

describe('loadPlan --dry-run', () => {
  it('prints the commands and runs nothing, not even the temporary files', async () => {
    const fake = fakeKexec('dry');
    const plan = planBoot(entry({ initrd: ['/a.img', '/b.img'] }), x86, {}, { tmpDir: dir });
    const lines: string[] = [];
    const outcome = await loadPlan(plan, { dryRun: true, log: (l) => lines.push(l), kexecBinary: fake.binary, kexecLoadedFile: path.join(dir, 'absent') });
    expect(outcome).toEqual({ ok: true, message: null, commands: [plan.load] });
    expect(lines).toEqual([
      `would concatenate /a.img + /b.img into ${dir}/kexmenu-sda2_grub_0-initrd.img`,
      `would run: kexec -l -y /etc/hostname --initrd=${dir}/kexmenu-sda2_grub_0-initrd.img '--append=root=UUID=x ro'`,
    ]);
    expect(fake.calls()).toEqual([]);
    expect(existsSync(`${dir}/kexmenu-sda2_grub_0-initrd.img`)).toBe(false);
  });

  it('does not load a refused plan at all', async () => {
    const fake = fakeKexec('refused');
    const plan = planBoot(entry({ arch: 'aarch64' }), x86);
    const outcome = await loadPlan(plan, { kexecBinary: fake.binary });
    expect(outcome).toEqual({ ok: false, message: plan.refusal, commands: [] });
    expect(fake.calls()).toEqual([]);
  });
});

describe('loadPlan preparing files', () => {
  it('concatenates initrds on 4-byte boundaries, unloads first when something is loaded, and removes its temporary file', async () => {
    const fake = fakeKexec('concat');
    const a = path.join(dir, 'a.img');
    const b = path.join(dir, 'b.img');
    writeFileSync(a, 'ucode');
    writeFileSync(b, Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]));
    const loadedFile = path.join(dir, 'kexec_loaded');
    writeFileSync(loadedFile, '1\n');
    const plan = planBoot(entry({ initrd: [a, b] }), x86, {}, { tmpDir: dir });
    const outcome = await loadPlan(plan, { kexecBinary: fake.binary, kexecLoadedFile: loadedFile });
    expect(outcome).toEqual({ ok: true, message: null, commands: [['kexec', '-u'], plan.load] });
    expect(fake.calls()).toEqual(['-u', plan.load.slice(1).join(' ')]);
    expect(fake.copy('initrd')).toEqual(Buffer.concat([Buffer.from('ucode'), Buffer.alloc(3), Buffer.from([1, 2, 3, 4, 5, 6, 7, 8])]));
    expect(existsSync(`${dir}/kexmenu-sda2_grub_0-initrd.img`)).toBe(false);
  });

  it('copies the kernel and initrds out of a unified kernel image, loads those, and removes them', async () => {
    const fake = fakeKexec('uki');
    const kernel = fakeBzImage('6.1.0-27-amd64');
    const image = makeUki('x64', [['.osrel', 'NAME=Debian\n'], ['.cmdline', 'root=/dev/vda2 quiet'], ['.ucode', 'ucode'], ['.initrd', 'initrd'], ['.linux', kernel]]);
    const file = path.join(dir, 'debian.efi');
    writeFileSync(file, image);
    const section = (name: string, size: number) => ({ name, offset: sectionOffset(image, name), size });
    const inside = { linux: section('.linux', kernel.length), initrds: [section('.ucode', 5), section('.initrd', 6)], dtb: null };
    const plan = planBoot(entry({ id: 'vdb1:uki:0', kernel: file, inside, cmdline: 'root=/dev/vda2 quiet' }), x86, {}, { tmpDir: dir });
    expect(plan.load).toEqual(['kexec', '-l', '-y', `${dir}/kexmenu-vdb1_uki_0-kernel`, `--initrd=${dir}/kexmenu-vdb1_uki_0-initrd.img`, '--append=root=/dev/vda2 quiet']);
    const outcome = await loadPlan(plan, { kexecBinary: fake.binary, kexecLoadedFile: path.join(dir, 'absent') });
    expect(outcome.ok).toBe(true);
    expect(fake.copy('kernel').equals(kernel)).toBe(true);
    expect(fake.copy('initrd')).toEqual(Buffer.from('ucode\0\0\0initrd'));
    for (const temporary of [...plan.extract!.parts.map((p) => p.to), plan.initrdJoin!.to]) expect(existsSync(temporary)).toBe(false);
  });

  it('says so, and loads nothing, when a unified kernel image is shorter than its sections', async () => {
    const fake = fakeKexec('uki-short');
    const file = path.join(dir, 'short.efi');
    writeFileSync(file, Buffer.alloc(4096));
    const plan = planBoot(entry({ id: 'vdb1:uki:1', kernel: file, inside: { linux: { name: '.linux', offset: 4000, size: 8192 }, initrds: [], dtb: null } }), x86, {}, { tmpDir: dir });
    const outcome = await loadPlan(plan, { kexecBinary: fake.binary, kexecLoadedFile: path.join(dir, 'absent') });
    expect(outcome).toMatchObject({ ok: false, message: `Preparing the boot failed: ${file} ends before its section at 4000 (8192 bytes)` });
    expect(fake.calls()).toEqual([]);
    expect(existsSync(plan.extract!.parts[0]!.to)).toBe(false);
  });

  it("writes a disk DTB with the firmware's memory and loads that copy", async () => {
    const fake = fakeKexec('dtb');
    const dtb = compileDtsTo(
      path.join(dir, 'upstream.dtb'),
      '/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <1>; compatible = "raspberrypi,4-model-b"; memory@0 { device_type = "memory"; reg = <0 0 0>; }; };\n',
    );
    const { describeDtbFile } = await import('../../src/boot/dtb-fixup.js');
    const plan = planBoot(entry({ arch: 'aarch64', dtb }), rpi4, {}, { tmpDir: dir, describeDtb: describeDtbFile });
    expect(plan.dtbBuild).not.toBeNull();
    const outcome = await loadPlan(plan, { kexecBinary: fake.binary, kexecLoadedFile: path.join(dir, 'absent') });
    expect(outcome.ok).toBe(true);
    const loaded = parseFdt(new Uint8Array(fake.copy('dtb')));
    const firmware = parseFdt(new Uint8Array(readFileSync(rpi4.firmwareFdt!)));
    expect(loaded && memoryRanges(loaded)).toEqual([
      { address: 0n, size: 0x3b400000n },
      { address: 0x40000000n, size: 0xbc000000n },
    ]);
    expect(loaded && memoryRanges(loaded)).toEqual(firmware && memoryRanges(firmware));
    expect(existsSync(plan.dtbBuild!.to)).toBe(false);
  });

  it("gives an arm64 unified kernel image its own .dtb, with the firmware's memory, and loads that tree", async () => {
    const fake = fakeKexec('uki-dtb');
    const own = compileDts('/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <1>; compatible = "raspberrypi,4-model-b", "brcm,bcm2711"; model = "from the UKI"; };\n');
    const kernel = fakeArm64Image();
    const image = makeUki('aa64', [['.osrel', 'ID=debian\n'], ['.dtb', own], ['.linux', kernel]]);
    const file = path.join(dir, 'arm64.efi');
    writeFileSync(file, image);
    const section = (name: string, size: number) => ({ name, offset: sectionOffset(image, name), size });
    const inside = { linux: section('.linux', kernel.length), initrds: [], dtb: section('.dtb', own.length) };
    const { describeDtbFile } = await import('../../src/boot/dtb-fixup.js');
    const plan = planBoot(entry({ id: 'mmcblk0p1:uki:0', arch: 'aarch64', kernel: file, inside }), rpi4, {}, { tmpDir: dir, describeDtb: describeDtbFile });
    expect(plan.dtb).toEqual({ path: file, reason: "the image's own device tree (.dtb); its memory node is taken from the firmware's tree" });
    expect(plan.dtbBuild).toMatchObject({ base: file, baseRange: { offset: inside.dtb.offset, size: own.length } });
    const outcome = await loadPlan(plan, { kexecBinary: fake.binary, kexecLoadedFile: path.join(dir, 'absent') });
    expect(outcome.ok).toBe(true);
    const loaded = parseFdt(new Uint8Array(fake.copy('dtb')))!;
    expect(propStrings(getProp(loaded, '/', 'model'))).toEqual(['from the UKI']);
    expect(memoryRanges(loaded)).toEqual(memoryRanges(parseFdt(new Uint8Array(readFileSync(rpi4.firmwareFdt!)))!));
  });

  it("copies an image's own .dtb out when it goes to kexec as it is (no firmware tree to take memory from)", () => {
    const own = compileDts('/dts-v1/;\n/ { compatible = "acme,board"; memory@0 { device_type = "memory"; reg = <0 0x1000>; }; };\n');
    const image = makeUki('aa64', [['.dtb', own], ['.linux', fakeArm64Image()]]);
    const file = path.join(dir, 'plain.efi');
    writeFileSync(file, image);
    const inside = { linux: { name: '.linux', offset: sectionOffset(image, '.linux'), size: 4096 }, initrds: [], dtb: { name: '.dtb', offset: sectionOffset(image, '.dtb'), size: own.length } };
    const plan = planBoot(entry({ id: 'x:uki:0', arch: 'aarch64', kernel: file, inside }), { ...rpi4, firmwareFdt: null, compatible: ['acme,board'] }, {}, { tmpDir: dir });
    expect(plan.dtbBuild).toBeNull();
    expect(plan.load).toContain(`--dtb=${dir}/kexmenu-x_uki_0-image.dtb`);
    expect(plan.extract!.parts.at(-1)).toEqual({ ...inside.dtb, to: `${dir}/kexmenu-x_uki_0-image.dtb` });
  });

  it('stops waiting for a `kexec -l` that never returns, and says what to do', async () => {
    // Like a kexec reading its kernel from a stick that stopped answering: it never exits, and
    // the child it started keeps its output open (so even waiting for the pipe to close would hang).
    const home = path.join(dir, 'hangs');
    execFileSync('mkdir', ['-p', home]);
    const binary = path.join(home, 'kexec');
    writeFileSync(binary, '#!/bin/sh\nsleep 60 &\nexec sleep 60\n');
    chmodSync(binary, 0o755);
    const plan = planBoot(entry({}), x86, {}, { tmpDir: dir });
    const outcome = await loadPlan(plan, { kexecBinary: binary, kexecLoadedFile: path.join(dir, 'absent'), loadTimeoutMs: 500 });
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toMatch(/did not finish in time.*another disk/);
  });

  it('reports a missing initrd before running kexec', async () => {
    const fake = fakeKexec('missing');
    const plan = planBoot(entry({ initrd: [path.join(dir, 'nope1'), path.join(dir, 'nope2')] }), x86, {}, { tmpDir: dir });
    const outcome = await loadPlan(plan, { kexecBinary: fake.binary });
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toMatch(/^Preparing the boot failed: ENOENT/);
    expect(fake.calls()).toEqual([]);
  });
});

describe('loadPlan with the real kexec', () => {
  const realKexec = ['/usr/sbin/kexec', '/sbin/kexec'].find((p) => existsSync(p));
  const isRoot = process.getuid?.() === 0;

  // Harmless anywhere: the file is not a kernel, so kexec-tools gives up before any system call;
  // as root it runs as nobody, so even the unload it is asked for first cannot touch the system.
  it.skipIf(!realKexec)('turns its refusal of a file that is no kernel into a sentence, and tells the unload failure apart', async () => {
    let binary = realKexec!;
    if (isRoot) {
      binary = path.join(dir, 'kexec-as-nobody');
      writeFileSync(binary, `#!/bin/sh\nexec setpriv --reuid=65534 --regid=65534 --clear-groups ${realKexec} "$@"\n`);
      chmodSync(binary, 0o755);
    }
    const loadedFile = path.join(dir, 'loaded-for-real');
    writeFileSync(loadedFile, '1\n');
    const lines: string[] = [];
    const plan = planBoot(entry({ kernel: '/etc/hostname' }), x86);
    const outcome = await loadPlan(plan, { kexecBinary: binary, kexecLoadedFile: loadedFile, log: (l) => lines.push(l) });
    expect(outcome.ok).toBe(false);
    expect(outcome.commands).toEqual([['kexec', '-u'], plan.load]);
    expect(outcome.message).toBe(
      'Loading the kernel failed: kexec does not recognise /etc/hostname as a kernel it can load on this machine: it is for another architecture, not a kernel, or in a format this kexec-tools cannot read. (kexec said: "Cannot determine the file type of /etc/hostname")',
    );
    expect(lines).toContain(`$ kexec -l -y /etc/hostname '--append=root=UUID=x ro'`);
    expect(lines.some((l) => l.startsWith('Unloading the previous kernel failed'))).toBe(true);
  });

  it('says kexec-tools is missing when the binary is not there', async () => {
    const outcome = await loadPlan(planBoot(entry({}), x86), { kexecBinary: path.join(dir, 'no-such-kexec'), kexecLoadedFile: path.join(dir, 'absent') });
    expect(outcome.message).toBe('kexec is not installed or not on PATH: install kexec-tools.');
  });
});

describe('executePlan', () => {
  it('unmounts, syncs, then execs, in that order', async () => {
    const fake = fakeKexec('exec');
    const order: string[] = [];
    const plan = planBoot(entry({}), { ...x86, systemd: false });
    const outcome = await executePlan(plan, {
      kexecBinary: fake.binary,
      unmount: async () => {
        order.push(`unmount, kexec calls so far: ${fake.calls().length}`);
        return ['umount /run/kexmenu/sdb1 failed: target is busy'];
      },
      log: (l) => order.push(l),
    });
    expect(outcome).toEqual({ ok: true, message: null, commands: [['sync'], ['kexec', '-e', '-y']] });
    expect(order).toEqual(['unmount, kexec calls so far: 0', 'umount /run/kexmenu/sdb1 failed: target is busy', '$ sync', '$ kexec -e -y']);
    expect(fake.calls()).toEqual(['-e -y']);
  });

  it('explains a kexec -e that came back', async () => {
    const fake = fakeKexec('exec-fails', 255, 'Nothing has been loaded!');
    const outcome = await executePlan(planBoot(entry({}), { ...x86, systemd: false }), { kexecBinary: fake.binary, unmount: async () => {} });
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toBe(
      'Starting the loaded kernel failed: no kernel is loaded, so there is nothing to start. Load it again. (kexec said: "Nothing has been loaded!") The disks were unmounted: rescan before trying again.',
    );
  });

  it('with --dry-run prints and neither unmounts nor runs anything', async () => {
    const fake = fakeKexec('exec-dry');
    let unmounted = false;
    const lines: string[] = [];
    const outcome = await executePlan(planBoot(entry({}), x86), {
      dryRun: true, kexecBinary: fake.binary, log: (l) => lines.push(l), unmount: async () => { unmounted = true; },
    });
    expect(outcome.commands).toEqual([['sync'], ['systemctl', 'kexec']]);
    expect(lines).toEqual(['would unmount every scanned filesystem', 'would run: sync', 'would run: systemctl kexec']);
    expect(unmounted).toBe(false);
    expect(fake.calls()).toEqual([]);
  });
});
