export * from './errors';
export * from './sleep';
export * from './with-timeout';
export * from './retry-with-backoff';
export * from './circuit-breaker';
export * from './bulkhead';
