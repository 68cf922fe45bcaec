// Each case compiles a small .dts with dtc, applies parameters, and compares `dtc -I dtb -O dts -s`
// of the result with that of a hand-written expected tree (compiled by dtc too, so __symbols__,
// __fixups__ and __local_fixups__ in the expectation are dtc's own, not ours).
import { describe, expect, it } from 'vitest';
import { type FdtTree, parseFdt, serializeFdt } from '../../src/platform/fdt.js';
import { applyParameters, type ParamResult } from '../../src/platform/fdt-params.js';
import { compileDts, decompileDtb } from '../helpers/dtc.js';

function compile(dts: string): FdtTree {
  const tree = parseFdt(compileDts(dts, { symbols: true }));
  if (!tree) throw new Error('dtc produced a tree parseFdt cannot read');
  return tree;
}

const dtsOf = (dtb: Uint8Array) => decompileDtb(dtb, { sorted: true });

type Params = Array<[string, string | null]>;

function apply(dts: string, params: Params): { tree: FdtTree; results: ParamResult[] } {
  return applyParameters(compile(dts), params.map(([name, value]) => ({ name, value })));
}

function expectTree(tree: FdtTree, expectedDts: string): void {
  expect(dtsOf(serializeFdt(tree))).toBe(dtsOf(compileDts(expectedDts, { symbols: true })));
}

function expectAllOk(results: ParamResult[]): void {
  expect(results.filter((r) => !r.ok)).toEqual([]);
}

/** Applies `params` and expects every one to succeed and the tree to equal `expectedDts`. */
function expectApplied(dts: string, params: Params, expectedDts: string): void {
  const { tree, results } = apply(dts, params);
  expectAllOk(results);
  expectTree(tree, expectedDts);
}

/** A .dts source with named holes: `render({ ...defaults, ...changes })`. */
function dtsTemplate<T extends Record<string, string>>(defaults: T, render: (o: T) => string): (changes?: Partial<T>) => string {
  return (changes = {}) => render({ ...defaults, ...changes });
}

// ---- Overlays -----------------------------------------------------------------------------------

/** Like i2c-rtc: one dormant fragment per chip, switched on by the chip's parameter. */
const rtcOverlay = dtsTemplate({ ds1307: '__dormant__', ds3231: '__dormant__', unit: '68', wakeup: '' }, (o) => `/dts-v1/;
/plugin/;
/ {
  compatible = "brcm,bcm2835";
  fragment@0 {
    target = <&i2c_arm>;
    ${o.ds1307} {
      #address-cells = <1>;
      #size-cells = <0>;
      status = "okay";
      ds1307: ds1307@68 { compatible = "maxim,ds1307"; reg = <0x68>; ${o.wakeup} };
    };
  };
  fragment@1 {
    target = <&i2c_arm>;
    ${o.ds3231} {
      #address-cells = <1>;
      #size-cells = <0>;
      status = "okay";
      ds3231: ds3231@${o.unit} {
        compatible = "maxim,ds3231";
        reg = <0x${o.unit}>;
        interrupt-parent = <&gpio>;
        companion = <&ds1307>;
        ${o.wakeup}
      };
    };
  };
  __overrides__ {
    ds1307 = <0>,"+0";
    ds3231 = <0>,"+1";
    addr = <&ds3231>,"reg:0";
    wakeup-source = <&ds1307>,"wakeup-source?", <&ds3231>,"wakeup-source?";
  };
};`);

describe('applyParameters on an overlay', () => {
  it('enables the chosen fragment (i2c-rtc,ds3231), renaming its paths in __symbols__, __fixups__ and __local_fixups__', () => {
    expectApplied(rtcOverlay(), [['ds3231', null]], rtcOverlay({ ds3231: '__overlay__' }));
  });

  it('sets a boolean on every target, and reg:0 moves the unit address (i2c-rtc,ds3231,addr=0x69,wakeup-source)', () => {
    const params: Params = [['ds3231', null], ['addr', '0x69'], ['wakeup-source', null]];
    const expected = rtcOverlay({ ds3231: '__overlay__', unit: '69', wakeup: 'wakeup-source;' });
    expectApplied(rtcOverlay(), params, expected);
  });

  it('leaves a tree without __overrides__ (disable-bt) as it is, and refuses any parameter', () => {
    const disableBt = `/dts-v1/;
/plugin/;
/ {
  compatible = "brcm,bcm2835";
  fragment@0 { target = <&uart1>; __overlay__ { status = "disabled"; }; };
  fragment@1 { target = <&uart0>; __overlay__ { pinctrl-names = "default"; pinctrl-0 = <&uart0_pins>; status = "okay"; }; };
  fragment@2 { target-path = "/aliases"; __overlay__ { serial0 = "/soc/serial@7e201000"; }; };
};`;
    expectApplied(disableBt, [], disableBt);
    const { tree, results } = apply(disableBt, [['krnbt', 'on']]);
    expect(results).toEqual([{ name: 'krnbt', value: 'on', ok: false, reason: "no parameter krnbt in this tree's __overrides__" }]);
    expectTree(tree, disableBt);
  });

  it('refuses a target that is a label of the base tree, naming it', () => {
    const dts = `/dts-v1/;
/plugin/;
/ {
  fragment@0 { target = <&i2c1>; __overlay__ { status = "okay"; }; };
  __overrides__ { baud = <&i2c1>,"clock-frequency:0"; };
};`;
    const { tree, results } = apply(dts, [['baud', '400000']]);
    expect(results[0]?.ok).toBe(false);
    expect(results[0]?.reason).toMatch(/label i2c1, which is not in this tree/);
    expectTree(tree, dts);
  });
});

/** Like vc4-kms-v3d: fragments switched by <0> declarations. */
const fragmentsOverlay = dtsTemplate({ f0: '__overlay__', f1: '__overlay__', f2: '__dormant__', f3: '__dormant__' }, (o) => `/dts-v1/;
/plugin/;
/ {
  fragment@0 { target = <&hdmi0>; ${o.f0} { status = "okay"; }; };
  fragment@1 { target = <&hdmi1>; ${o.f1} { status = "okay"; }; };
  fragment@2 { target = <&vec>; ${o.f2} { status = "okay"; }; };
  fragment@3 { target = <&hdmi0>; ${o.f3} { dmas; }; };
  __overrides__ {
    audio = <0>,"!3";
    noaudio = <0>,"=3";
    nohdmi = <0>,"-0-1";
    composite = <0>,"+2-1";
    lost = <0>,"+9";
    garbled = <0>,"+2*1";
  };
};`);

describe('fragment parameters (<0>,"+N-N=N!N")', () => {
  it('"=N" enables fragment N when the value is true and disables it when false', () => {
    expectApplied(fragmentsOverlay(), [['noaudio', null]], fragmentsOverlay({ f3: '__overlay__' }));
    const enabled = fragmentsOverlay({ f3: '__overlay__' });
    expectApplied(enabled, [['noaudio', 'off']], fragmentsOverlay());
  });

  it('"!N" is the inverse: audio=off enables fragment 3, audio=on leaves it dormant', () => {
    expectApplied(fragmentsOverlay(), [['audio', 'off']], fragmentsOverlay({ f3: '__overlay__' }));
    expectApplied(fragmentsOverlay(), [['audio', 'on']], fragmentsOverlay());
  });

  it('"+N" and "-N" enable and disable whatever the value', () => {
    const expected = fragmentsOverlay({ f1: '__dormant__', f2: '__overlay__' });
    expectApplied(fragmentsOverlay(), [['composite', 'off']], expected);
    expectApplied(fragmentsOverlay(), [['nohdmi', null]], fragmentsOverlay({ f0: '__dormant__', f1: '__dormant__' }));
  });

  it('refuses a missing fragment and a garbled operation', () => {
    const { tree, results } = apply(fragmentsOverlay(), [['lost', null], ['garbled', null]]);
    expect(results.map((r) => r.reason)).toEqual([
      'fragment 9 not found',
      "invalid fragment operation '*1' in \"+2*1\"",
    ]);
    // As in the firmware, "+2" ran before the bad operation stopped the parameter.
    expectTree(tree, fragmentsOverlay({ f2: '__overlay__' }));
  });
});

/** An overlay whose fragment target a parameter replaces with a cell: a base label or one of its own. */
const busOverlay = (target: string) => `/dts-v1/;
/plugin/;
/ {
  __overrides__ {
    i2c0 = <&frag0>,"target:0=",<&i2c0>;
    bus = <&frag0>,"target:0{0=",<&i2c0>,"1=",<&i2c1>,"}";
    self = <&frag0>,"target:0=",<&mux>;
  };
  frag0: fragment@0 {
    target = <${target}>;
    __overlay__ { status = "okay"; mux: mux { compatible = "i2c-mux"; }; };
  };
};`;

describe('cell literals that are label references', () => {
  it('"target:0=",<&i2c0> retargets the fragment and moves the fixup to it', () => {
    expectApplied(busOverlay('&i2c_arm'), [['i2c0', null]], busOverlay('&i2c0'));
  });

  it('a lookup table of cells picks the bus by number', () => {
    expectApplied(busOverlay('&i2c_arm'), [['bus', '1']], busOverlay('&i2c1'));
  });

  it('a reference to a node of the overlay itself gets a local fixup at its new place', () => {
    expectApplied(busOverlay('&i2c_arm'), [['self', null]], busOverlay('&mux'));
  });
});

// ---- Base trees (dtparam=) ----------------------------------------------------------------------

/** A cut-down bcm2711-rpi-4-b with the __overrides__ of bcm270x-rpi.dtsi. */
const baseTree = dtsTemplate(
  {
    audio: 'disabled',
    i2c1: 'disabled',
    i2c1Frequency: '100000',
    i2c0if: 'disabled',
    i2c0mux: 'disabled',
    forcePio: '',
    trigger: 'mmc0',
    bootargs: 'console=tty1',
    aliases: '',
  },
  (o) => `/dts-v1/;
/ {
  compatible = "raspberrypi,4-model-b", "brcm,bcm2711";
  #address-cells = <1>;
  #size-cells = <1>;
  chosen: chosen { bootargs = "${o.bootargs}"; };
  aliases: aliases { ${o.aliases} };
  soc {
    #address-cells = <1>;
    #size-cells = <1>;
    gpio: gpio@7e200000 { reg = <0x7e200000 0xb4>; gpio-controller; #gpio-cells = <2>; };
    i2c0if: i2c@7e205000 { reg = <0x7e205000 0x200>; clock-frequency = <100000>; status = "${o.i2c0if}"; };
    i2c0mux: i2c0mux { status = "${o.i2c0mux}"; };
    i2c1: i2c@7e804000 { reg = <0x7e804000 0x1000>; clock-frequency = <${o.i2c1Frequency}>; status = "${o.i2c1}"; };
    sdhost: mmc@7e202000 { reg = <0x7e202000 0x100>; ${o.forcePio} };
    vc4: gpu { compatible = "brcm,bcm2711-vc5"; };
    audio: audio { compatible = "brcm,bcm2835-audio"; status = "${o.audio}"; };
  };
  leds { led_act: led-act { gpios = <&gpio 42 0>; linux,default-trigger = "${o.trigger}"; }; };
  __overrides__ {
    cache_line_size;
    audio = <&audio>,"status";
    i2c_arm = <&i2c1>,"status";
    i2c_vc = <&i2c0if>,"status",<&i2c0mux>,"status";
    i2c_arm_baudrate = <&i2c1>,"clock-frequency:0";
    sd_force_pio = <&sdhost>,"brcm,force-pio?";
    act_led_trigger = <&led_act>,"linux,default-trigger";
    strict_gpiod = <&chosen>,"bootargs=pinctrl_bcm2835.strict_gpiod=y";
    drm_fb0_vc4 = <&aliases>,"drm-fb0=",&vc4;
    trigger_and_baudrate = <&led_act>,"linux,default-trigger", <&i2c1>,"clock-frequency:0";
  };
};`,
);

describe('applyParameters on a base tree (dtparam=)', () => {
  it('audio=on: a boolean assigned to status becomes "okay", off becomes "disabled"', () => {
    expectApplied(baseTree(), [['audio', 'on']], baseTree({ audio: 'okay' }));
    expectApplied(baseTree(), [['audio', null]], baseTree({ audio: 'okay' }));
    expectApplied(baseTree({ audio: 'okay' }), [['audio', 'off']], baseTree());
  });

  it('i2c_arm=on and i2c_arm_baudrate=400000 (a 32-bit cell)', () => {
    expectApplied(baseTree(), [['i2c_arm', 'on'], ['i2c_arm_baudrate', '400000']], baseTree({ i2c1: 'okay', i2c1Frequency: '400000' }));
  });

  it('takes an integer in 0x hex (and, as C strtoull does, 0 octal)', () => {
    expectApplied(baseTree(), [['i2c_arm_baudrate', '0x61a80']], baseTree({ i2c1Frequency: '400000' }));
    expectApplied(baseTree(), [['i2c_arm_baudrate', '0144']], baseTree({ i2c1Frequency: '100' }));
  });

  it('a parameter with several targets sets them all (i2c_vc)', () => {
    expectApplied(baseTree(), [['i2c_vc', 'yes']], baseTree({ i2c0if: 'okay', i2c0mux: 'okay' }));
  });

  it('replaces a string, with C escapes', () => {
    expectApplied(baseTree(), [['act_led_trigger', 'heartbeat']], baseTree({ trigger: 'heartbeat' }));
    expectApplied(baseTree(), [['act_led_trigger', 'default\\x2don']], baseTree({ trigger: 'default-on' }));
  });

  it('a boolean target adds or removes an empty property', () => {
    expectApplied(baseTree(), [['sd_force_pio', null]], baseTree({ forcePio: 'brcm,force-pio;' }));
    expectApplied(baseTree({ forcePio: 'brcm,force-pio;' }), [['sd_force_pio', 'off']], baseTree());
  });

  it('a literal assignment writes its own value whatever the parameter says; bootargs is appended to', () => {
    const expected = baseTree({ bootargs: 'console=tty1 pinctrl_bcm2835.strict_gpiod=y' });
    expectApplied(baseTree(), [['strict_gpiod', null]], expected);
    expectApplied(baseTree(), [['strict_gpiod', 'off']], expected);
  });

  it('a "prop=",&label literal writes the label path', () => {
    expectApplied(baseTree(), [['drm_fb0_vc4', null]], baseTree({ aliases: 'drm-fb0 = "/soc/gpu";' }));
  });

  it('an empty declaration (cache_line_size;) is accepted and does nothing', () => {
    expectApplied(baseTree(), [['cache_line_size', null]], baseTree());
  });

  it('refuses an unknown name and a bad integer, and applies the others', () => {
    const { tree, results } = apply(baseTree(), [['i2c_arm', 'on'], ['i2c_arm_baudrate', 'fast'], ['spi', 'on'], ['sd_force_pio', 'maybe']]);
    expect(results).toEqual([
      { name: 'i2c_arm', value: 'on', ok: true },
      {
        name: 'i2c_arm_baudrate',
        value: 'fast',
        ok: false,
        reason: "invalid value 'fast' for clock-frequency: expected an integer (decimal or 0x hex) or on/off, yes/no, true/false",
      },
      { name: 'spi', value: 'on', ok: false, reason: "no parameter spi in this tree's __overrides__" },
      {
        name: 'sd_force_pio',
        value: 'maybe',
        ok: false,
        reason: "invalid value 'maybe' for brcm,force-pio: expected an integer (decimal or 0x hex) or on/off, yes/no, true/false",
      },
    ]);
    expectTree(tree, baseTree({ i2c1: 'okay' }));
  });

  it('like the firmware, stops a parameter at its first bad target and keeps the ones before', () => {
    const { tree, results } = apply(baseTree(), [['trigger_and_baudrate', 'heartbeat']]);
    expect(results[0]?.ok).toBe(false);
    expect(results[0]?.reason).toMatch(/^invalid value 'heartbeat' for clock-frequency.*\(the 1 target\(s\) before it were applied\)$/);
    expectTree(tree, baseTree({ trigger: 'heartbeat' }));
  });

  it('never changes the tree it is given', () => {
    const input = compile(baseTree());
    const before = dtsOf(serializeFdt(input));
    applyParameters(input, [{ name: 'audio', value: 'on' }, { name: 'i2c_arm_baudrate', value: '1' }, { name: 'sd_force_pio', value: null }]);
    expect(dtsOf(serializeFdt(input))).toBe(before);
  });
});

// ---- Every declaration form on one node ---------------------------------------------------------

/** The property kinds of the documentation's example (part 2.2.11). */
const formsTree = dtsTemplate(
  {
    name: 'test_node',
    bytes: '0x67 0x89',
    u16s: '0xabcd 0xef01',
    u32s: '0xfedcba98 0x76543210',
    u64s: '0xaaaaa5a55a5a5555 0x0000111122223333',
    fresh: '',
    bool1: 'bool1;',
    bool2: '',
    mac: '01 23 45 67 89 ab',
    unit: '10',
    reg: '0x10',
  },
  (o) => `/dts-v1/;
/ {
  #address-cells = <1>;
  #size-cells = <0>;
  test: ${o.name} {
    bytes = /bits/ 8 <${o.bytes}>;
    u16s = /bits/ 16 <${o.u16s}>;
    u32s = <${o.u32s}>;
    u64s = /bits/ 64 <${o.u64s}>;
    ${o.fresh}
    ${o.bool1}
    ${o.bool2}
    mac = [${o.mac}];
  };
  dev: dev@${o.unit} { reg = <${o.reg}>; };
  __overrides__ {
    byte_1 = <&test>,"bytes.1";
    u16_0 = <&test>,"u16s;0";
    u32_1 = <&test>,"u32s:4";
    u64_1 = <&test>,"u64s#8";
    fresh = <&test>,"fresh:4";
    bool1 = <&test>,"bool1!";
    bool2 = <&test>,"bool2?";
    mac = <&test>,"mac[";
    pi_mac = <&test>,"mac[=b8:27:eb:01:23:45";
    int_text = <&test>,"u32s:0=42";
    int_cell = <&test>,"u32s:0=",<0x1234>;
    bool_cell = <&test>,"bool2?=",<1>;
    rename = <&test>,"name";
    addr = <&dev>,"reg:0";
  };
};`,
);

describe('integer, boolean, byte-string and special declarations', () => {
  it('"." writes a byte, ";" 16 bits, ":" 32 bits and "#" 64 bits at a byte offset', () => {
    const params: Params = [['byte_1', '0x11'], ['u16_0', '0x2233'], ['u32_1', '0x44556677'], ['u64_1', '0x8899aabbccddeeff']];
    const expected = formsTree({ bytes: '0x67 0x11', u16s: '0x2233 0xef01', u32s: '0xfedcba98 0x44556677', u64s: '0xaaaaa5a55a5a5555 0x8899aabbccddeeff' });
    expectApplied(formsTree(), params, expected);
  });

  it('an integer target creates or extends its property, zero-filled', () => {
    expectApplied(formsTree(), [['fresh', '7']], formsTree({ fresh: 'fresh = <0 7>;' }));
  });

  it('"?" and the inverted "!" booleans', () => {
    expectApplied(formsTree(), [['bool1', 'on'], ['bool2', 'true']], formsTree({ bool1: '', bool2: 'bool2;' }));
    expectApplied(formsTree(), [['bool1', '0']], formsTree());
  });

  it('"[" takes hex bytes with or without colons, and refuses anything else', () => {
    expectApplied(formsTree(), [['mac', 'dca632010203']], formsTree({ mac: 'dc a6 32 01 02 03' }));
    expectApplied(formsTree(), [['mac', 'dc:a6:32:01:02:03']], formsTree({ mac: 'dc a6 32 01 02 03' }));
    const { results } = apply(formsTree(), [['mac', 'dc:a6:3']]);
    expect(results[0]).toMatchObject({ ok: false, reason: "invalid byte string at '3'" });
  });

  it('literals: a byte string, an integer in text, an integer cell, a boolean cell', () => {
    expectApplied(formsTree(), [['pi_mac', null]], formsTree({ mac: 'b8 27 eb 01 23 45' }));
    expectApplied(formsTree(), [['int_text', 'off']], formsTree({ u32s: '42 0x76543210' }));
    expectApplied(formsTree(), [['int_cell', null]], formsTree({ u32s: '0x1234 0x76543210' }));
    expectApplied(formsTree(), [['bool_cell', 'off']], formsTree({ bool2: 'bool2;' }));
  });

  it('"name" renames the node and "reg:0" its unit address, __symbols__ following', () => {
    expectApplied(formsTree(), [['rename', 'renamed']], formsTree({ name: 'renamed' }));
    expectApplied(formsTree(), [['addr', '0x2a']], formsTree({ unit: '2a', reg: '0x2a' }));
  });
});

// ---- Lookup tables ------------------------------------------------------------------------------

const lookupTree = (bootargs: string, letter: string) => `/dts-v1/;
/ {
  chosen: chosen { bootargs = "${bootargs}"; };
  node: node { letter = "${letter}"; };
  __overrides__ {
    audio = <&chosen>,"bootargs{on='snd_bcm2835.enable_headphones=1 snd_bcm2835.enable_hdmi=1',off='snd_bcm2835.enable_headphones=0 snd_bcm2835.enable_hdmi=0'}";
    phonetic = <&node>,"letter{a=alpha,b=bravo,c,='tango uniform'}";
    strict = <&node>,"letter{a=alpha,b=bravo}";
    leading = <&node>,"letter{,a=alpha}";
    trailing = <&node>,"letter{a=alpha,}";
    quoted = <&node>,"letter{x='one, two'}";
    after = <&node>,"letter{a=alpha}x";
  };
};`;

describe('lookup tables', () => {
  it('the Pi 4 audio=on: a lookup whose quoted value is appended to bootargs', () => {
    const expected = lookupTree('console=tty1 snd_bcm2835.enable_headphones=1 snd_bcm2835.enable_hdmi=1', 'x');
    expectApplied(lookupTree('console=tty1', 'x'), [['audio', 'on']], expected);
  });

  it('maps a key, keeps a bare key, and falls back to the default', () => {
    expectApplied(lookupTree('', 'x'), [['phonetic', 'b']], lookupTree('', 'bravo'));
    expectApplied(lookupTree('', 'x'), [['phonetic', 'c']], lookupTree('', 'c'));
    expectApplied(lookupTree('', 'x'), [['phonetic', 'z']], lookupTree('', 'tango uniform'));
  });

  it('a leading or trailing comma passes an unknown value through; a quoted value may hold a comma', () => {
    expectApplied(lookupTree('', 'x'), [['leading', 'z']], lookupTree('', 'z'));
    expectApplied(lookupTree('', 'x'), [['trailing', 'z']], lookupTree('', 'z'));
    expectApplied(lookupTree('', 'x'), [['quoted', 'x']], lookupTree('', 'one, two'));
  });

  it('refuses a value the table does not have, and text after the table', () => {
    const { tree, results } = apply(lookupTree('', 'x'), [['strict', 'z'], ['after', 'a']]);
    expect(results.map((r) => r.reason)).toEqual(["'z' is not in the lookup table of strict", 'characters after the lookup table of after']);
    expectTree(tree, lookupTree('', 'x'));
  });
});
