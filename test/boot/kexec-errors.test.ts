import { describe, expect, it } from 'vitest';
import { explainKexecFailure } from '../../src/boot/kexec-errors.js';

// Each stderr below is a line kexec-tools 2.0.x prints (kexec_load/kexec_file_load failures end in strerror(errno)).
describe('explainKexecFailure', () => {
  const load = (stderr: string, uid = 0) => explainKexecFailure({ step: 'load', exitCode: 255, stderr, uid });

  it('EBUSY: the spin-table CPU parking, with the nr_cpus=1 fix', () => {
    expect(load('kexec_load failed: Device or resource busy\n')).toBe(
      "Loading the kernel failed: the running kernel refused to load (EBUSY). On boards whose CPUs are parked with spin-table (Raspberry Pi) it cannot take the other CPUs down: boot kexmenu's own kernel with nr_cpus=1 (maxcpus=1 is not enough). (kexec said: \"kexec_load failed: Device or resource busy\")",
    );
  });

  it('ENOMEM and the loader running out of holes', () => {
    expect(load('kexec_load failed: Cannot allocate memory')).toContain('not enough free memory in one piece');
    expect(load('Could not find a free area of memory of 0x9000 bytes...\nlocate_hole failed')).toContain('not enough free memory');
  });

  it('EINVAL', () => {
    expect(load('kexec_file_load failed: Invalid argument')).toContain('rejected the image (EINVAL)');
  });

  it('EPERM: not root, versus root under lockdown', () => {
    expect(load('kexec_load failed: Operation not permitted', 1000)).toContain('kexec needs root');
    expect(load('kexec_load failed: Operation not permitted', 0)).toContain('kexec_load_disabled is set, or lockdown (Secure Boot)');
  });

  it('EKEYREJECTED from a signature-checked load', () => {
    expect(load('kexec_file_load failed: Key was rejected by service')).toContain("this kernel's signature was rejected");
  });

  it('ENOEXEC and an image kexec-tools cannot read', () => {
    expect(load('kexec_file_load failed: Exec format error')).toContain('kexec does not recognise the kernel');
    expect(load('Cannot determine the file type of /run/kexmenu/sda2/boot/vmlinuz')).toContain('kexec does not recognise /run/kexmenu/sda2/boot/vmlinuz as a kernel');
  });

  it('ENOSYS: a kernel without kexec, or without kexec_file_load', () => {
    expect(load('kexec_load failed: Function not implemented')).toContain('without kexec support (CONFIG_KEXEC)');
    expect(load('kexec_file_load failed: Function not implemented')).toContain('CONFIG_KEXEC_FILE); load without -s');
  });

  it('a file that went away', () => {
    expect(load("Cannot open `/run/kexmenu/sdb1/vmlinuz': No such file or directory")).toContain('/run/kexmenu/sdb1/vmlinuz is not there any more');
  });

  it('kexec -e with nothing loaded', () => {
    expect(explainKexecFailure({ step: 'exec', exitCode: 255, stderr: 'Nothing has been loaded!' })).toContain('Starting the loaded kernel failed: no kernel is loaded');
  });

  it('kexec itself missing', () => {
    expect(explainKexecFailure({ step: 'load', exitCode: null, stderr: '', spawnError: 'ENOENT' })).toBe('kexec is not installed or not on PATH: install kexec-tools.');
    expect(explainKexecFailure({ step: 'exec', exitCode: null, stderr: '', spawnError: 'ENOENT', command: 'systemctl' })).toBe('systemctl is not installed or not on PATH.');
  });

  it('finds the telling line among the noise kexec prints before it', () => {
    expect(load('Try gzip decompression.\nkexec_load failed: Device or resource busy\nentry = 0x0')).toContain('EBUSY');
  });

  it('passes on what it does not know, with the exit status', () => {
    expect(explainKexecFailure({ step: 'load', exitCode: 3, stderr: 'something new\n' })).toBe('Loading the kernel failed (exit status 3): kexec said "something new".');
    expect(explainKexecFailure({ step: 'load', exitCode: null, stderr: '' })).toBe('Loading the kernel failed (it was killed).');
  });
});
