export * from './table.js';
export * from './values.js';
export * from './sheet.js';
export * from './refs.js';
export * from './roster.js';
export * from './list.js';
export * from './projects.js';
