// pbbp2.Frame, the protobuf frame of Lark's long connection (lark-platform.md §3a):
//   message Header { required string key = 1; required string value = 2; }
//   message Frame  { required uint64 SeqID = 1; required uint64 LogID = 2; required int32 service = 3; required int32 method = 4;
//                    repeated Header headers = 5; optional string payloadEncoding = 6; optional string payloadType = 7;
//                    optional bytes payload = 8; optional string LogIDNew = 9; }
import pb from 'protobufjs/minimal.js';

export const FrameMethod = { control: 0, data: 1 } as const;

export interface Frame {
  SeqID: number;
  LogID: number;
  service: number;
  method: number;
  headers: Array<{ key: string; value: string }>;
  payloadEncoding?: string;
  payloadType?: string;
  payload?: Uint8Array;
  LogIDNew?: string;
}

export function encodeFrame(f: Frame): Uint8Array {
  const w = pb.Writer.create();
  w.uint32(8).uint64(f.SeqID);
  w.uint32(16).uint64(f.LogID);
  w.uint32(24).int32(f.service);
  w.uint32(32).int32(f.method);
  for (const h of f.headers) {
    w.uint32(42).fork();
    w.uint32(10).string(h.key);
    w.uint32(18).string(h.value);
    w.ldelim();
  }
  if (f.payloadEncoding !== undefined) w.uint32(50).string(f.payloadEncoding);
  if (f.payloadType !== undefined) w.uint32(58).string(f.payloadType);
  if (f.payload !== undefined) w.uint32(66).bytes(f.payload);
  if (f.LogIDNew !== undefined) w.uint32(74).string(f.LogIDNew);
  return w.finish();
}

function toNumber(v: unknown): number {
  return typeof v === 'number' ? v : Number(String(v));
}

export function decodeFrame(buf: Uint8Array): Frame {
  const r = pb.Reader.create(buf);
  const f: Frame = { SeqID: 0, LogID: 0, service: 0, method: 0, headers: [] };
  while (r.pos < r.len) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1: f.SeqID = toNumber(r.uint64()); break;
      case 2: f.LogID = toNumber(r.uint64()); break;
      case 3: f.service = r.int32(); break;
      case 4: f.method = r.int32(); break;
      case 5: {
        const end = r.uint32() + r.pos;
        const h = { key: '', value: '' };
        while (r.pos < end) {
          const t = r.uint32();
          if (t >>> 3 === 1) h.key = r.string();
          else if (t >>> 3 === 2) h.value = r.string();
          else r.skipType(t & 7);
        }
        f.headers.push(h);
        break;
      }
      case 6: f.payloadEncoding = r.string(); break;
      case 7: f.payloadType = r.string(); break;
      case 8: f.payload = r.bytes(); break;
      case 9: f.LogIDNew = r.string(); break;
      default: r.skipType(tag & 7);
    }
  }
  return f;
}

export function header(f: Frame, key: string): string | undefined {
  return f.headers.find((h) => h.key === key)?.value;
}
