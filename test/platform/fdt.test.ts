import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type FdtNode,
  type FdtTree,
  getNode,
  getProp,
  memoryRanges,
  model,
  parseFdt,
  propStrings,
  rootCompatible,
  serializeFdt,
  setMemoryRanges,
  setProp,
  stringProp,
} from '../../src/platform/fdt.js';
import { compileDts, decompileDtb } from '../helpers/dtc.js';
import { debianKernelRoot } from './kernel-image-debian.js';

function mustParse(bytes: Uint8Array): FdtTree {
  const tree = parseFdt(bytes);
  if (!tree) throw new Error('parseFdt gave null');
  return tree;
}

const BOARD = `/dts-v1/;
/memreserve/ 0x0 0x1000;
/memreserve/ 0x3b400000 0x4c00000;
/ {
  #address-cells = <2>;
  #size-cells = <1>;
  compatible = "raspberrypi,4-model-b", "brcm,bcm2711";
  model = "Raspberry Pi 4 Model B";
  chosen { bootargs = "console=ttyS0"; };
  memory@0 { device_type = "memory"; reg = <0 0 0>; };
  soc {
    #address-cells = <1>;
    #size-cells = <1>;
    serial@7e201000 { compatible = "arm,pl011", "arm,primecell"; reg = <0x7e201000 0x200>; status = "okay"; };
    empty-prop { flag; };
  };
};
`;

describe('parseFdt on dtc output', () => {
  const tree = mustParse(compileDts(BOARD));

  it('reads compatible and model', () => {
    expect(rootCompatible(tree)).toEqual(['raspberrypi,4-model-b', 'brcm,bcm2711']);
    expect(model(tree)).toBe('Raspberry Pi 4 Model B');
  });

  it('reads nodes, properties and the memory reservation map', () => {
    expect(tree.root.children.map((c) => c.name)).toEqual(['chosen', 'memory@0', 'soc']);
    expect(propStrings(getProp(tree, '/chosen', 'bootargs'))).toEqual(['console=ttyS0']);
    expect(propStrings(getProp(tree, '/soc/serial@7e201000', 'compatible'))).toEqual(['arm,pl011', 'arm,primecell']);
    expect(getProp(tree, '/soc/serial', 'reg')).toEqual(Uint8Array.of(0x7e, 0x20, 0x10, 0, 0, 0, 2, 0));
    expect(getProp(tree, '/soc/empty-prop', 'flag')).toEqual(new Uint8Array(0));
    expect(getProp(tree, '/soc/nothing', 'flag')).toBeNull();
    expect(getNode(tree, '/memory@1')).toBeNull();
    expect(tree.reservations).toEqual([
      { address: 0n, size: 0x1000n },
      { address: 0x3b400000n, size: 0x4c00000n },
    ]);
  });

  it('drops an empty memory node (reg = <0 0 0>) from the ranges', () => {
    expect(memoryRanges(tree)).toEqual([]);
  });

  it('serializes to a DTB that dtc decompiles to the same source', () => {
    expect(decompileDtb(serializeFdt(tree))).toBe(decompileDtb(compileDts(BOARD)));
  });

  it('sets properties so dtc sees them', () => {
    const copy = mustParse(compileDts(BOARD));
    expect(setProp(copy, '/chosen', 'bootargs', stringProp('root=/dev/sda2 rw'))).toBe(true);
    expect(setProp(copy, '/chosen', 'linux,initrd-start', Uint8Array.of(0, 0, 0x10, 0))).toBe(true);
    expect(setProp(copy, '/missing', 'x', new Uint8Array(0))).toBe(false);
    const dts = decompileDtb(serializeFdt(copy));
    expect(dts).toContain('bootargs = "root=/dev/sda2 rw";');
    expect(dts).toContain('linux,initrd-start = <0x1000>;');
  });
});

describe('memory ranges', () => {
  it('reads ranges with 2 address cells and 1 size cell across several memory nodes', () => {
    const tree = mustParse(
      compileDts(`/dts-v1/;
/ {
  #address-cells = <2>; #size-cells = <1>;
  memory@0 { device_type = "memory"; reg = <0 0 0x3b400000>, <0 0x40000000 0xbc000000>; };
  memory@100000000 { device_type = "memory"; reg = <1 0 0x80000000>; };
  memory@200000000 { device_type = "memory"; reg = <2 0 0x1000>; status = "disabled"; };
  memory-controller@0 { device_type = "memory"; reg = <0 0 0x1000>; };
  memory@300000000 { reg = <3 0 0x1000>; };
};
`),
    );
    expect(memoryRanges(tree)).toEqual([
      { address: 0n, size: 0x3b400000n },
      { address: 0x40000000n, size: 0xbc000000n },
      { address: 0x100000000n, size: 0x80000000n },
    ]);
  });

  it('uses the spec defaults (2 address cells, 1 size cell) when the root does not say', () => {
    const tree = mustParse(compileDts('/dts-v1/;\n/ { memory { device_type = "memory"; reg = <0 0x80000000 0x40000000>; }; };\n'));
    expect(memoryRanges(tree)).toEqual([{ address: 0x80000000n, size: 0x40000000n }]);
  });

  it('writes the ranges into the memory node, visible in dtc output, and drops other memory nodes', () => {
    const tree = mustParse(
      compileDts(`/dts-v1/;
/ {
  #address-cells = <2>; #size-cells = <2>;
  memory@0 { device_type = "memory"; reg = <0 0 0 0>; };
  memory@80000000 { device_type = "memory"; reg = <0 0x80000000 0 0x1000>; };
};
`),
    );
    const ranges = [
      { address: 0n, size: 0x3b400000n },
      { address: 0x40000000n, size: 0x1bc000000n },
    ];
    expect(setMemoryRanges(tree, ranges)).toBe(true);
    const reparsed = mustParse(serializeFdt(tree));
    expect(memoryRanges(reparsed)).toEqual(ranges);
    const dts = decompileDtb(serializeFdt(tree));
    expect(dts).toMatch(/memory@0 \{\s*device_type = "memory";\s*reg = <0x00 0x00 0x00 0x3b400000 0x00 0x40000000 0x01 0xbc000000>;/);
    expect(dts).not.toContain('memory@80000000');
  });

  it('adds a memory node when the tree has none', () => {
    const tree = mustParse(compileDts('/dts-v1/;\n/ { #address-cells = <1>; #size-cells = <1>; chosen { }; };\n'));
    expect(setMemoryRanges(tree, [{ address: 0x80000000n, size: 0x20000000n }])).toBe(true);
    expect(decompileDtb(serializeFdt(tree))).toMatch(/memory@80000000 \{\s*device_type = "memory";\s*reg = <0x80000000 0x20000000>;/);
  });

  it('refuses ranges that do not fit the cells, leaving the tree alone', () => {
    const tree = mustParse(compileDts('/dts-v1/;\n/ { #address-cells = <1>; #size-cells = <1>; memory@0 { device_type = "memory"; reg = <0 0x1000>; }; };\n'));
    expect(setMemoryRanges(tree, [{ address: 0x100000000n, size: 0x1000n }])).toBe(false);
    expect(memoryRanges(tree)).toEqual([{ address: 0n, size: 0x1000n }]);
  });
});

describe('parseFdt on bad input', () => {
  const good = compileDts(BOARD);

  it('refuses wrong magic, short buffers and a totalsize beyond the buffer', () => {
    expect(parseFdt(new Uint8Array(0))).toBeNull();
    expect(parseFdt(good.subarray(0, 39))).toBeNull();
    const wrongMagic = good.slice();
    wrongMagic[0] = 0;
    expect(parseFdt(wrongMagic)).toBeNull();
    expect(parseFdt(good.subarray(0, good.length - 1))).toBeNull();
  });

  it('refuses blocks that point outside the tree', () => {
    const bad = good.slice();
    new DataView(bad.buffer).setUint32(12, 0xfffffff0, false); // off_dt_strings
    expect(parseFdt(bad)).toBeNull();
    const badSize = good.slice();
    new DataView(badSize.buffer).setUint32(36, good.length, false); // size_dt_struct
    expect(parseFdt(badSize)).toBeNull();
  });

  it('refuses nesting deeper than the limit', () => {
    const deep: FdtNode = { name: '', props: [], children: [] };
    let node = deep;
    for (let i = 0; i < 100; i++) {
      const child: FdtNode = { name: `n${i}`, props: [], children: [] };
      node.children.push(child);
      node = child;
    }
    const bytes = serializeFdt({ root: deep, reservations: [], bootCpuidPhys: 0 });
    expect(parseFdt(bytes)).toBeNull();
  });

  it('never throws on corrupted bytes', () => {
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let round = 0; round < 2000; round++) {
      const bad = good.slice(0, round % 3 === 0 ? random() % good.length : good.length);
      for (let i = 0; i < 4; i++) if (bad.length) bad[random() % bad.length] = random() & 0xff;
      expect(() => parseFdt(bad)).not.toThrow();
    }
  });
});

describe('real Debian arm64 Raspberry Pi dtbs', () => {
  const root = debianKernelRoot('arm64');
  const broadcom = root ? readdirSync(path.join(root, 'usr/lib')).map((d) => path.join(root, 'usr/lib', d, 'broadcom'))[0] : null;
  const read = (name: string) => new Uint8Array(readFileSync(path.join(broadcom!, name)));

  it.skipIf(!broadcom)('reads the Pi 3 B tree', () => {
    const tree = mustParse(read('bcm2837-rpi-3-b.dtb'));
    expect(rootCompatible(tree)).toEqual(['raspberrypi,3-model-b', 'brcm,bcm2837']);
    expect(model(tree)).toBe('Raspberry Pi 3 Model B');
    expect(memoryRanges(tree)).toEqual([{ address: 0n, size: 0x40000000n }]);
    expect(tree.reservations).toEqual([{ address: 0n, size: 0x1000n }]);
  });

  it.skipIf(!broadcom)('reads the Pi 4 B tree and its empty memory node', () => {
    const tree = mustParse(read('bcm2711-rpi-4-b.dtb'));
    expect(rootCompatible(tree)).toEqual(['raspberrypi,4-model-b', 'brcm,bcm2711']);
    expect(model(tree)).toBe('Raspberry Pi 4 Model B');
    expect(memoryRanges(tree)).toEqual([]);
  });

  it.skipIf(!broadcom)('round-trips every Pi dtb to the same dtc decompile', () => {
    for (const name of readdirSync(broadcom!).filter((n) => n.endsWith('.dtb'))) {
      const original = read(name);
      expect(decompileDtb(serializeFdt(mustParse(original))), name).toBe(decompileDtb(original));
    }
  });

  it.skipIf(!broadcom)('gives the Pi 4 tree the firmware memory ranges, visible in dtc output', () => {
    const tree = mustParse(read('bcm2711-rpi-4-b.dtb'));
    const firmware = [
      { address: 0n, size: 0x3b400000n },
      { address: 0x40000000n, size: 0xbc000000n },
    ];
    expect(setMemoryRanges(tree, firmware)).toBe(true);
    const fixed = serializeFdt(tree);
    expect(memoryRanges(mustParse(fixed))).toEqual(firmware);
    expect(decompileDtb(fixed)).toMatch(/memory@0 \{\s*device_type = "memory";\s*reg = <0x00 0x00 0x3b400000 0x00 0x40000000 0xbc000000>;/);
  });
});
