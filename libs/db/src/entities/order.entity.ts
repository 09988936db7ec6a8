import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Address, OrderItem, OrderState } from '@order-fulfillment/contracts';

@Entity({ name: 'orders' })
export class OrderEntity {
  /** The caller's orderId. */
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text' })
  state!: OrderState;

  @Column({ type: 'jsonb', nullable: true })
  address!: Address | null;

  @Column({ type: 'jsonb' })
  items!: OrderItem[];

  @Column({ name: 'payment_id', type: 'text' })
  paymentId!: string;

  /** Completed after its deadline: it had been dispatched, so it was finished, not refunded. */
  @Column({ type: 'boolean', default: false })
  late!: boolean;

  /** A refund is owed and still being retried: the order is not over until it succeeds. */
  @Column({ name: 'refund_owed', type: 'boolean', default: false })
  refundOwed!: boolean;

  /** Sequence number of the address stored: a late write of an older address never wins. */
  @Column({ name: 'address_seq', type: 'integer', default: 0 })
  addressSeq!: number;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  /** Changes on every state change. */
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
