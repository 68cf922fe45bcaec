import { describe, expect, it } from 'vitest';
import { editChoices, editorFor, editorKey, editsOf } from '../../src/ui/editor-state.js';
import { entry, source } from '../helpers/sample-scan.js';

const pi = entry('mmc1:extlinux:0', 'Pi', { initrd: ['/b/initrd-a'], dtb: '/b/a.dtb' });
const other = entry('mmc1:extlinux:1', 'Pi old', { initrd: ['/b/initrd-b'], dtb: '/b/b.dtb' });
const scan = { sources: [source('mmc1')], entries: [pi, other], problems: [], config: null };

describe('editor choices', () => {
  it('offers the entry own initrd and DTB first, then the disk others, none and firmware', () => {
    const c = editChoices(pi, scan);
    expect(c.initrds).toEqual([['/b/initrd-a'], ['/b/initrd-b'], []]);
    expect(c.dtbs).toEqual(['/b/a.dtb', '/b/b.dtb', 'firmware', null]);
  });

  it('cycles the focused choice with Tab then Right/Left, and reports only changes', () => {
    let ed = editorFor(pi, editChoices(pi, scan));
    expect(editsOf(ed, pi)).toEqual({});
    ed = editorKey(ed, { kind: 'tab' });
    ed = editorKey(ed, { kind: 'right' });
    ed = editorKey(ed, { kind: 'right' });
    expect(editsOf(ed, pi)).toEqual({ initrd: [] });
    ed = editorKey(editorKey(ed, { kind: 'tab' }), { kind: 'left' });
    expect(editsOf(ed, pi)).toEqual({ initrd: [], dtb: null });
    // An entry without overlays: switching them off changes nothing.
    ed = editorKey(editorKey(ed, { kind: 'tab' }), { kind: 'right' });
    expect(editsOf(ed, pi)).toEqual({ initrd: [], dtb: null });
    // Back on the command line, keys edit the text again.
    ed = editorKey(editorKey(ed, { kind: 'tab' }), { kind: 'text', text: ' x' });
    expect(editsOf(ed, pi).cmdline).toBe('root=/dev/sda1 ro quiet x');
  });

  it("switches an entry's overlays and dtparams off, and on again", () => {
    const withOverlays = { ...pi, overlays: [{ path: '/b/overlays/vc4-kms-v3d.dtbo', params: [] }] };
    let ed = editorFor(withOverlays, editChoices(withOverlays, scan));
    expect(ed.overlays).toBe(true);
    ed = editorKey(editorKey(editorKey(editorKey(ed, { kind: 'tab' }), { kind: 'tab' }), { kind: 'tab' }), { kind: 'right' });
    expect(editsOf(ed, withOverlays)).toEqual({ overlays: false });
    expect(editsOf(editorKey(ed, { kind: 'left' }), withOverlays)).toEqual({});
  });
});
