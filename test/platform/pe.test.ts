import { describe, expect, it } from 'vitest';
import { PE_HEAD_BYTES, readPeSections } from '../../src/platform/pe.js';
import { makeUki } from '../helpers/uki.js';

const image = makeUki('aa64', [['.osrel', 'ID=debian\n'], ['.linux', Buffer.alloc(5000, 7)]]);
const head = (bytes: Buffer) => new Uint8Array(bytes.subarray(0, PE_HEAD_BYTES));
const peAt = image.readUInt32LE(0x3c);

describe('readPeSections', () => {
  it("lists an objcopy-made image's sections in file order with their contents' size, and its machine", () => {
    const pe = readPeSections(head(image), image.length);
    if (typeof pe === 'string') throw new Error(pe);
    expect(pe.machine).toBe(0xaa64);
    expect(pe.sections.map((s) => s.name).slice(-2)).toEqual(['.osrel', '.linux']);
    const linux = pe.sections.at(-1)!;
    expect(linux.size).toBe(5000);
    expect(image.subarray(linux.offset, linux.offset + linux.size).every((b) => b === 7)).toBe(true);
  });

  it('refuses what is not PE, a section count no PE file has, a table past the head, and sections past the end', () => {
    expect(readPeSections(new Uint8Array(64), 64)).toBe('not a PE file (no MZ header)');
    const noSignature = Buffer.from(image);
    noSignature.write('XX', peAt, 'latin1');
    expect(readPeSections(head(noSignature), image.length)).toBe('not a PE file (no PE signature)');
    const many = Buffer.from(image);
    many.writeUInt16LE(0xffff, peAt + 6);
    expect(readPeSections(head(many), image.length)).toBe('the PE header names 65535 sections (at most 96 exist)');
    const far = Buffer.from(image);
    far.writeUInt16LE(0xf000, peAt + 20);
    expect(readPeSections(head(far), image.length)).toBe("the PE section table lies beyond the file's first pages");
    expect(readPeSections(head(image), 4096)).toMatch(/^section \.\w+ lies beyond the end of the file$/);
  });
});
