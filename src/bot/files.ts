import { receiveJsonFile } from '../catalog/file.js';
import type { FileHandler, FileKind } from '../changes/receive-file.js';
import { receiveImportFile } from '../import/file.js';

/** The file table: what a file the OD sends to the bot is, by its type, and who handles it. */
export const FILE_HANDLERS: Partial<Record<FileKind, FileHandler>> = {
  spreadsheet: receiveImportFile,
  json: receiveJsonFile,
};
