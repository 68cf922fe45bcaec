// Tiny kernel files whose headers say what a real kernel's would: enough for kexmenu's
// header reader (the boot itself is proven with real kernels in test/e2e).
export function fakeBzImage(version = '6.1.0-test-amd64'): Buffer {
  const image = Buffer.alloc(8192);
  image.write('MZ', 0, 'latin1');
  image.write('HdrS', 0x202, 'latin1');
  image.writeUInt16LE(0x020f, 0x206); // boot protocol 2.15
  image.writeUInt16LE(0x1000 - 0x200, 0x20e); // kernel_version at 0x1000
  image.writeUInt16LE(0x1, 0x236); // XLF_KERNEL_64
  image.write(`${version} (test@kexmenu) #1 SMP\0`, 0x1000, 'latin1');
  return image;
}

export function fakeArm64Image(): Buffer {
  const image = Buffer.alloc(4096);
  image.writeUInt32LE(0x644d5241, 0x38); // "ARM\x64"
  return image;
}
