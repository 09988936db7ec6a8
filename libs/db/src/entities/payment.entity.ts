import { Column, Entity, PrimaryColumn } from 'typeorm';

/** `pending`: recorded before the gateway call; `voided`: cancelled before the charge landed. */
export type PaymentRowStatus = 'pending' | 'charged' | 'refunded' | 'voided' | 'failed';

@Entity({ name: 'payments' })
export class PaymentEntity {
  /** The idempotency key: charging twice with one payment id charges once. */
  @PrimaryColumn({ name: 'payment_id', type: 'text' })
  paymentId!: string;

  @Column({ name: 'order_id', type: 'text' })
  orderId!: string;

  @Column({ type: 'text' })
  status!: PaymentRowStatus;

  /** numeric comes back from pg as a string; kept exact. */
  @Column({ type: 'numeric', precision: 12, scale: 2 })
  amount!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
