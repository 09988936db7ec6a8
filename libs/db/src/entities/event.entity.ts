import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Append-only audit trail: transitions, messages, retry-worthy errors, compensation. */
@Entity({ name: 'events' })
@Index('events_order_dedupe_key', ['orderId', 'dedupeKey'], { unique: true })
export class EventEntity {
  /** bigint comes back from pg as a string. */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'order_id', type: 'text' })
  orderId!: string;

  @Column({ type: 'text' })
  type!: string;

  @Column({ type: 'jsonb', default: () => `'{}'::jsonb` })
  payload!: Record<string, unknown>;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  ts!: Date;

  /** Makes a retried write a no-op; null for events that need no dedupe. */
  @Column({ name: 'dedupe_key', type: 'text', nullable: true })
  dedupeKey!: string | null;
}
