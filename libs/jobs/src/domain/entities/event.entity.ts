import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A job lifecycle event: what webhooks carry and `GET /events` lists. */
@Entity({ name: 'events' })
@Index('events_tenant_created_idx', ['tenantId', 'createdAt', 'id'])
@Index('events_tenant_type_created_idx', ['tenantId', 'type', 'createdAt', 'id'])
export class JobEvent {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId: string;

  @Column({ type: 'text' })
  type: string;

  @Column({ name: 'job_id', type: 'text' })
  jobId: string;

  /** `json`, not `jsonb`: keeps the job resource's field order for webhook bodies. */
  @Column({ type: 'json' })
  data: object;

  @Column({ name: 'webhook_url', type: 'text', nullable: true })
  webhookUrl: string | null;

  @Column({ name: 'delivery_status', type: 'text', nullable: true })
  deliveryStatus: string | null;

  @Column({ name: 'delivery_attempts', type: 'integer', default: 0 })
  deliveryAttempts: number;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
