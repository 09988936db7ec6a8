export * from './env';
export * from './temporal-config';
export * from './order-policy';
export * from './faults';
export * from './logger';
export * from './log-context';
export * from './tracing';
