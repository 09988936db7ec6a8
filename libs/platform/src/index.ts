export * from './env';
export * from './temporal-config';
export * from './order-policy';
export * from './faults';
export * from './logger';
