export * from './wait-for';
export * from './network';
export * from './infrastructure';
export * from './postgres';
export * from './smtp';
export * from './processes';
export * from './rabbitmq';
