import type { MessageContext } from '../bot/context.js';
import { receiveCalendarFile } from '../calendar/file.js';
import { catalogPreviewCard } from './cards.js';
import { previewCatalog } from './changes.js';

/** A .json file sent to the bot: the duty catalog (it has "rules"), or else the holiday override file. */
export async function receiveJsonFile(ctx: MessageContext, file: { name: string; bytes: Buffer }): Promise<void> {
  if (!/"rules"\s*:/.test(file.bytes.toString('utf8'))) return receiveCalendarFile(ctx, file);
  await ctx.replyCard(catalogPreviewCard(await previewCatalog(ctx.deps, ctx.msg.senderOpenId, file)));
}
