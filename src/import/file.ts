import type { MessageContext } from '../bot/context.js';
import { importPreviewCard } from './cards.js';
import { previewImport } from './chat-import.js';

/** A roster, list or projects file sent to the bot: checked all or nothing, then previewed. */
export async function receiveImportFile(ctx: MessageContext, file: { name: string; bytes: Buffer }): Promise<void> {
  const preview = await previewImport(ctx.deps, ctx.msg.senderOpenId, file);
  await ctx.replyCard(importPreviewCard(preview));
}
