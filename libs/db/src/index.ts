export { createDataSource, migrate, ENTITIES, MIGRATIONS } from './data-source';
export type { DataSourceConfig } from './data-source';
export { OrderEntity } from './entities/order.entity';
export { PaymentEntity } from './entities/payment.entity';
export type { PaymentRowStatus } from './entities/payment.entity';
export { EventEntity } from './entities/event.entity';
export { OrderStore, InvalidCursorError } from './order-store';
export type { NewEvent, OrderChange, OrderPage, TransitionFlags } from './order-store';
