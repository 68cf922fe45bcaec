// A disk that stops answering, for QEMU: a small NBD server (the protocol's fixed newstyle
// handshake and simple replies) on 127.0.0.1 that serves an image read-only and never replies to
// a read at or past `stallFrom`. QEMU's NBD client waits for ever, so in the guest the read blocks
// in the kernel: what a dying USB stick does. Nothing here talks to any other address.
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';

const NBDMAGIC = 0x4e42444d41474943n;
const IHAVEOPT = 0x49484156454f5054n;
const OPT_REPLY_MAGIC = 0x3e889045565a9n;
const REQUEST_MAGIC = 0x25609513;
const SIMPLE_REPLY_MAGIC = 0x67446698;
const OPT = { EXPORT_NAME: 1, ABORT: 2, INFO: 6, GO: 7 } as const;
const REP = { ACK: 1, INFO: 3, ERR_UNSUP: 0x80000001 } as const;
const CMD = { READ: 0, DISC: 2, FLUSH: 3 } as const;
const FLAGS = { HAS_FLAGS: 1, READ_ONLY: 2 } as const;

export interface StallingDisk {
  /** The drive's file= for QEMU: nbd://127.0.0.1:PORT */
  url: string;
  /** Reads that were never answered (their offsets). */
  stalled: number[];
  close(): Promise<void>;
}

/** Serves `image`; reads from `stallFrom` on get no reply. */
export async function serveStallingDisk(image: string, stallFrom: number): Promise<StallingDisk> {
  const data = readFileSync(image);
  const stalled: number[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    serve(socket, data, stallFrom, stalled);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `nbd://127.0.0.1:${port}`,
    stalled,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function serve(socket: Socket, data: Buffer, stallFrom: number, stalled: number[]): void {
  let buffer = Buffer.alloc(0);
  let phase: 'client-flags' | 'options' | 'transmission' = 'client-flags';
  const hello = Buffer.alloc(18);
  hello.writeBigUInt64BE(NBDMAGIC, 0);
  hello.writeBigUInt64BE(IHAVEOPT, 8);
  hello.writeUInt16BE(1 | 2, 16); // FIXED_NEWSTYLE | NO_ZEROES
  socket.write(hello);

  const optionReply = (option: number, type: number, payload = Buffer.alloc(0)) => {
    const head = Buffer.alloc(20);
    head.writeBigUInt64BE(OPT_REPLY_MAGIC, 0);
    head.writeUInt32BE(option, 8);
    head.writeUInt32BE(type, 12);
    head.writeUInt32BE(payload.length, 16);
    socket.write(Buffer.concat([head, payload]));
  };
  const exportInfo = () => {
    const info = Buffer.alloc(12);
    info.writeUInt16BE(0, 0); // NBD_INFO_EXPORT
    info.writeBigUInt64BE(BigInt(data.length), 2);
    info.writeUInt16BE(FLAGS.HAS_FLAGS | FLAGS.READ_ONLY, 10);
    return info;
  };

  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      if (phase === 'client-flags') {
        if (buffer.length < 4) return;
        buffer = buffer.subarray(4);
        phase = 'options';
      } else if (phase === 'options') {
        if (buffer.length < 16) return;
        const length = buffer.readUInt32BE(12);
        if (buffer.length < 16 + length) return;
        const option = buffer.readUInt32BE(8);
        buffer = buffer.subarray(16 + length);
        if (option === OPT.EXPORT_NAME) {
          const reply = Buffer.alloc(10);
          reply.writeBigUInt64BE(BigInt(data.length), 0);
          reply.writeUInt16BE(FLAGS.HAS_FLAGS | FLAGS.READ_ONLY, 8);
          socket.write(reply);
          phase = 'transmission';
        } else if (option === OPT.GO || option === OPT.INFO) {
          optionReply(option, REP.INFO, exportInfo());
          optionReply(option, REP.ACK);
          if (option === OPT.GO) phase = 'transmission';
        } else if (option === OPT.ABORT) {
          optionReply(option, REP.ACK);
          socket.end();
          return;
        } else {
          optionReply(option, REP.ERR_UNSUP);
        }
      } else {
        if (buffer.length < 28) return;
        if (buffer.readUInt32BE(0) !== REQUEST_MAGIC) return void socket.destroy();
        const type = buffer.readUInt16BE(6);
        const handle = buffer.subarray(8, 16);
        const offset = Number(buffer.readBigUInt64BE(16));
        const length = buffer.readUInt32BE(24);
        buffer = buffer.subarray(28);
        if (type === CMD.DISC) return void socket.end();
        const reply = Buffer.alloc(16);
        reply.writeUInt32BE(SIMPLE_REPLY_MAGIC, 0);
        handle.copy(reply, 8);
        if (type === CMD.READ) {
          if (offset + length > stallFrom) {
            stalled.push(offset);
            continue; // never answered
          }
          socket.write(Buffer.concat([reply, data.subarray(offset, offset + length)]));
        } else {
          reply.writeUInt32BE(type === CMD.FLUSH ? 0 : 1 /* EPERM: read-only */, 4);
          socket.write(reply);
        }
      }
    }
  });
}
