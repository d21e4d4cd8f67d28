export * from './email';
export * from './user-name';
export * from './envelope';
export * from './user-events';
export * from './parse';
export * from './json-schema';
export * from './fixtures';
