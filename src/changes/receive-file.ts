// A file sent to the bot in a direct chat, not as a reply to a reminder: the OD's way to change the
// roster, the calendar or the catalog. Only OD staff may; the file's type is checked by its name,
// its size capped while it downloads, and it goes to the handler of its kind.
import { audit } from '../access/audit.js';
import type { MessageContext } from '../bot/context.js';
import { AppError } from '../errors.js';
import { requireOdStaff } from './pending.js';

/** Files larger than this are refused (a district roster workbook is well under 2 MiB). */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

export type FileKind = 'spreadsheet' | 'json';

export function fileKind(name: string): FileKind | null {
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase();
  if (ext === 'xlsx' || ext === 'csv' || ext === 'zip') return 'spreadsheet';
  if (ext === 'json') return 'json';
  return null;
}

export const WRONG_TYPE =
  '无法处理这个文件：请发送花名册、责任清单或党建项目的 Excel 工作簿（.xlsx）、CSV 文件（.csv）或 CSV 文件夹压缩包（.zip），' +
  '或节假日配置文件、责任目录文件（.json）。发送 /模板 获取导入模板。';

/** Downloads the message's file, refusing it past `max` bytes without reading the rest. */
export async function downloadFile(ctx: MessageContext, file: { key: string; name: string }, max = MAX_FILE_BYTES): Promise<Buffer> {
  const res = await ctx.deps.lark.im.v1.messageResource.get({ path: { message_id: ctx.msg.messageId, file_key: file.key }, params: { type: 'file' } });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.getReadableStream()) {
    size += (chunk as Buffer).length;
    if (size > max) {
      res.getReadableStream().destroy?.();
      throw new AppError('bad_input', `文件"${file.name}"超过 ${Math.round(max / 1024 / 1024)} MB，未处理。请删去多余的工作表或图片后重新发送，或按单位拆分成几个文件分别导入。`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export type FileHandler = (ctx: MessageContext, file: { name: string; bytes: Buffer }) => Promise<void>;

/**
 * The bot's answer to a file sent outside a reminder reply. Returns false when the file is none of
 * the OD's kinds and the sender is not OD staff (the caller answers as for stray evidence).
 */
export async function receiveFile(ctx: MessageContext, handlers: Partial<Record<FileKind, FileHandler>>): Promise<boolean> {
  const file = ctx.msg.files[0]!;
  const found = fileKind(file.name);
  const kind = found && handlers[found] ? found : null;
  const detail = { messageId: ctx.msg.messageId, fileName: file.name };
  if (kind === null) {
    const person = await ctx.deps.db.person.findFirst({ where: { larkOpenId: ctx.msg.senderOpenId, active: true, role: 'OD_STAFF' }, select: { id: true } });
    if (!person) return false;
    await audit(ctx.deps.db, { actorId: ctx.msg.senderOpenId, action: 'file.receive', result: 'error', detail: { ...detail, code: 'wrong_type' } });
    await ctx.replyText(WRONG_TYPE);
    return true;
  }
  await requireOdStaff(ctx.deps, ctx.msg.senderOpenId, 'file.receive', detail).catch((err: unknown) => {
    if (err instanceof AppError && err.code === 'forbidden') throw new AppError('forbidden', '导入文件仅限区委组织部工作人员发送。如需更正花名册或责任清单，请联系区委组织部。');
    throw err;
  });
  const bytes = await downloadFile(ctx, file);
  ctx.log.info({ fileName: file.name, bytes: bytes.length, kind }, 'file received');
  await handlers[kind]!(ctx, { name: file.name, bytes });
  return true;
}
