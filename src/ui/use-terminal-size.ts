// The terminal's size, with 80x24 when it reports 0x0 (a serial console before `stty`).
import { useStdout } from 'ink';
import { useEffect, useState } from 'react';

export interface Size {
  columns: number;
  rows: number;
}

export function sizeOf(stream: { columns?: number; rows?: number }): Size {
  return { columns: stream.columns || 80, rows: stream.rows || 24 };
}

export function useTerminalSize(): Size {
  const { stdout } = useStdout();
  const [size, setSize] = useState(() => sizeOf(stdout));
  useEffect(() => {
    const onResize = () => setSize(sizeOf(stdout));
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}
