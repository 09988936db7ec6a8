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

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  /** Changes on every state change. */
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
