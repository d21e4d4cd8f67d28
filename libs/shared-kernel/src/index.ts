export * from './result';
export * from './domain-error';
export * from './guard';
export * from './value-object';
export * from './domain-event';
export * from './entity';
