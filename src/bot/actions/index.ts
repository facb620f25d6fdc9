import type { CardActionDef } from './action.js';
import { calendarConfirm, calendarSubmit, changeCancel } from './calendar-actions.js';
import { importConfirm } from './import-actions.js';
import { catalogConfirm } from './catalog-actions.js';
import { inspectionSubmit, reviewDecide } from './inspection-actions.js';
import { noticeAck, noticeChase, noticeConfirm, noticeSubmit } from './notice-actions.js';
import { obligationDetail } from './obligation-detail.js';
import { reportEdit } from './report-edit.js';
import { reportKeep, reportMove } from './report-move.js';
import { reportOpen } from './report-open.js';
import { reportPage } from './report-page.js';
import { reportPick } from './report-pick.js';
import { reportSubmit } from './report-submit.js';
import { reportUpdate } from './report-update.js';
import { reportWithdraw } from './report-withdraw.js';

/** The card-action table, keyed by the button's `value.action`. One file per action. */
export const CARD_ACTIONS: ReadonlyMap<string, CardActionDef> = new Map(
  [reportOpen, reportSubmit, reportPick, reportEdit, reportUpdate, reportWithdraw, reportMove, reportKeep, reportPage, obligationDetail, noticeSubmit, noticeConfirm, noticeAck, noticeChase, inspectionSubmit, reviewDecide, calendarSubmit, calendarConfirm, changeCancel, importConfirm, catalogConfirm].map((a) => [a.name, a]),
);
