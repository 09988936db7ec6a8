export * from './order';
export * from './temporal';
export * from './messages';
export * from './activities';
export * from './policy';
export * from './workflow-io';
export * from './search-attributes';
export * from './metrics';
