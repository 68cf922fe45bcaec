import { describe, expect, it } from 'vitest';
import { archFromElfMachine, archFromNode, archFromPeMachine, archFromUname, canKexecArch, debianArch } from '../../src/platform/arch.js';

describe('arch names', () => {
  it('maps uname -m spellings', () => {
    expect(['x86_64', 'i686', 'i386', 'aarch64', 'armv7l', 'armv6l', 'arm', 'riscv64'].map(archFromUname)).toEqual([
      'x86_64', 'i386', 'i386', 'aarch64', 'arm', 'arm', 'arm', 'riscv64',
    ]);
    expect(archFromUname('ppc64le')).toBeNull();
    expect(archFromUname('armageddon')).toBeNull();
  });

  it('maps Node process.arch', () => {
    expect(['x64', 'ia32', 'arm64', 'arm', 'riscv64', 's390x'].map(archFromNode)).toEqual(['x86_64', 'i386', 'aarch64', 'arm', 'riscv64', null]);
  });

  it('names Debian architectures', () => {
    expect(debianArch('x86_64')).toBe('amd64');
    expect(debianArch('aarch64')).toBe('arm64');
    expect(debianArch('arm')).toBe('armhf');
  });

  it('maps ELF and PE machine numbers', () => {
    expect(archFromElfMachine(62, true)).toBe('x86_64');
    expect(archFromElfMachine(183, true)).toBe('aarch64');
    expect(archFromElfMachine(243, true)).toBe('riscv64');
    expect(archFromElfMachine(243, false)).toBeNull();
    expect(archFromElfMachine(8, false)).toBeNull();
    expect(archFromPeMachine(0xaa64)).toBe('aarch64');
    expect(archFromPeMachine(0x8664)).toBe('x86_64');
    expect(archFromPeMachine(0x1c4)).toBe('arm');
    expect(archFromPeMachine(0x5064)).toBe('riscv64');
    expect(archFromPeMachine(0x200)).toBeNull();
  });

  it('allows kexec into the same arch, and x86_64 into i386 only', () => {
    expect(canKexecArch('aarch64', 'aarch64')).toBe(true);
    expect(canKexecArch('x86_64', 'i386')).toBe(true);
    expect(canKexecArch('i386', 'x86_64')).toBe(false);
    expect(canKexecArch('aarch64', 'arm')).toBe(false);
    expect(canKexecArch('x86_64', 'aarch64')).toBe(false);
  });
});
