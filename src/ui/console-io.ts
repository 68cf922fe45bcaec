// A console the menu is drawn on: this process's own terminal, or a terminal device opened by
// path (/dev/ttyS0, /dev/tty1). Its output stream lasts as long as the console; an input stream
// is opened each time the menu is shown and destroyed when it is taken off (for a shell, or a
// boot), so nothing of kexmenu reads the terminal while something else owns it.
import { closeSync, constants, openSync } from 'node:fs';
import tty from 'node:tty';

export interface ConsoleIO {
  /** How people and the log name it: ttyS0, tty1, or "terminal" for this process's own. */
  name: string;
  output: NodeJS.WriteStream;
  /** A fresh input stream on the console; throws when the device is gone. */
  openInput(): NodeJS.ReadStream;
  /** The descriptor a shell gets as its stdin, stdout and stderr; null: this process's own terminal (inherited). */
  shellFd: number | null;
  close(): void;
}

/** A serial console reports 0x0 until someone runs stty: draw for 80x24 instead. */
function fixSize(output: NodeJS.WriteStream): void {
  const fix = () => {
    if (!output.columns) output.columns = 80;
    if (!output.rows) output.rows = 24;
  };
  fix();
  output.prependListener('resize', fix);
}

export function processConsole(): ConsoleIO {
  fixSize(process.stdout);
  // A stream of our own over fd 0 (libuv reads the terminal through a descriptor of its own and
  // never closes 0), so it can be let go of and made again.
  return { name: 'terminal', output: process.stdout, openInput: () => new tty.ReadStream(0) as NodeJS.ReadStream, shellFd: null, close: () => {} };
}

/**
 * O_NOCTTY: the device must not become this process's controlling terminal (a shell takes it as
 * its own); O_NONBLOCK: a serial line without carrier must not block the open.
 */
const FLAGS = constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK;

function openTerminal(device: string): number {
  let fd: number | undefined;
  try {
    fd = openSync(device, FLAGS);
    if (!tty.isatty(fd)) throw new Error('not a terminal');
    return fd;
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    const message = (error as Error).message;
    // "ENOENT: no such file or directory, open '/dev/ttyS9'" -> "no such file or directory"
    throw new Error(`${device}: ${/^E[A-Z]+: ([^,]+)/.exec(message)?.[1] ?? message}`, { cause: error });
  }
}

/** Opens a terminal device for the menu; throws with a message a person can act on. */
export function openConsole(device: string): ConsoleIO {
  const fd = openTerminal(device);
  const output = new tty.WriteStream(fd) as NodeJS.WriteStream;
  fixSize(output);
  return {
    name: device.replace(/^\/dev\//, ''),
    output,
    openInput: () => new tty.ReadStream(openTerminal(device)) as NodeJS.ReadStream,
    shellFd: fd,
    close: () => output.destroy(),
  };
}
