export * from './notification';
export * from './notification-errors';
export * from './mail-templates';
